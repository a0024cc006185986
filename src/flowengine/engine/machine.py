"""Turn a definition into one cached ``transitions`` machine and fire actions on lightweight tokens.

Building a ``Machine`` costs about twice a whole SQLite transaction, so one machine is built per
definition version and shared by every request on that version (``model=None``; each call passes its own
:class:`Token` to ``Event.trigger``, which keeps no per-model state in the machine, so concurrent calls on
different tokens are safe).

State entry and exit are recorded on the token, and so are the changes the action's effects declare; the
service turns them into opened and closed tasks and organization updates in the same database transaction.
Checks run as the first condition of the first branch and raise :class:`CheckFailed` with every reason;
``when``/``unless`` predicates choose among branches.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from transitions import EventData, Machine, MachineError, State

from flowengine.definitions.model import ActionDef, CheckRef, WorkflowDefinition
from flowengine.engine.checks import CheckContext, OrgUpdate, holds, run_checks, run_effects
from flowengine.errors import CheckFailed, InvalidAction


@dataclass
class Token:
    """The model a machine acts on for one call: the instance's state plus the context of the call."""

    state: str
    context: CheckContext
    entered: list[str] = field(default_factory=list)
    exited: list[str] = field(default_factory=list)
    #: Changes declared by the action's effects, filled in once the transition has happened.
    changes: list[tuple[str, OrgUpdate]] = field(default_factory=list)


def _token(event: EventData) -> Token:
    """The :class:`Token` an event acts on; ``fire`` passes nothing else to ``Event.trigger``."""
    model = event.model
    if not isinstance(model, Token):
        raise TypeError(f"a workflow machine acts on a Token, not on {type(model).__name__}")
    return model


def _on_enter(event: EventData) -> None:
    _token(event).entered.append(event.state.name)


def _on_exit(event: EventData) -> None:
    _token(event).exited.append(event.state.name)


def _checks_condition(action: ActionDef) -> Any:
    def run(event: EventData) -> bool:
        failures = run_checks(action.checks, _token(event).context)
        if failures:
            raise CheckFailed(failures)
        return True

    run.__name__ = f"checks_of_{action.name}"
    return run


def _predicate(ref: CheckRef) -> Any:
    def run(event: EventData) -> bool:
        return holds(ref, _token(event).context)

    run.__name__ = ref.name
    return run


def build_machine(definition: WorkflowDefinition) -> Machine:
    states = [State(s.name, on_enter=[_on_enter], on_exit=[_on_exit]) for s in definition.states]
    machine = Machine(
        model=None,
        states=states,
        initial=definition.initial_state.name,
        auto_transitions=False,
        send_event=True,
        ignore_invalid_triggers=False,
        name=f"{definition.name}@v{definition.version}",
    )
    for action in definition.actions:
        for i, branch in enumerate(action.branches):
            conditions = [_predicate(p) for p in branch.when]
            if i == 0 and action.checks:
                conditions.insert(0, _checks_condition(action))
            machine.add_transition(
                action.name,
                list(action.sources),
                branch.to,
                conditions=conditions,
                unless=[_predicate(p) for p in branch.unless],
            )
    return machine


_cache: dict[tuple[str, int, str], Machine] = {}
_lock = threading.Lock()


def machine_for(definition: WorkflowDefinition) -> Machine:
    key = (definition.name, definition.version, definition.sha256)
    machine = _cache.get(key)
    if machine is None:
        with _lock:
            machine = _cache.get(key)
            if machine is None:
                machine = _cache[key] = build_machine(definition)
    return machine


_plain: dict[tuple[str, int, str, str], str | None] = {}


def _plain_target(definition: WorkflowDefinition, action: str) -> str | None:
    """The one target of an action that has no checks and a single unconditional branch, else ``None``.

    Such an action's transition is fixed by the definition: from any of its sources, exit the source and
    enter the target — what the machine would do, without asking it on every call (the machine's trigger
    machinery was a tenth of an action's time). Cached per definition version.
    """
    key = (definition.name, definition.version, definition.sha256, action)
    if key not in _plain:
        try:
            act = definition.action(action)
        except KeyError:
            return None
        simple = not act.checks and len(act.branches) == 1 and not act.branches[0].when
        _plain[key] = act.branches[0].to if simple and not act.branches[0].unless else None
    return _plain[key]


def fire(definition: WorkflowDefinition, token: Token, action: str) -> Token:
    """Perform ``action`` on ``token`` (mutating it) or raise; never touches any storage."""
    target = _plain_target(definition, action)
    if target is not None and token.state in definition.action(action).sources:
        token.exited.append(token.state)
        token.state = target
        token.entered.append(target)
        token.changes = run_effects(definition.action(action).effects, token.context)
        return token
    machine = machine_for(definition)
    event = machine.events.get(action)
    if event is None:
        raise InvalidAction(f"流程“{definition.title}”中没有“{action}”这一操作。")
    try:
        done = event.trigger(token)
    except MachineError as exc:
        act = definition.action(action)
        state = definition.state(token.state)
        raise InvalidAction(f"当前步骤为“{state.title}”，不能执行“{act.title}”。") from exc
    if not done:  # only when every branch's predicates refused; the loader requires a last plain branch
        raise InvalidAction(f"“{definition.action(action).title}”在当前情况下没有可去的步骤。")
    token.changes = run_effects(definition.action(action).effects, token.context)
    return token
