"""Named checks (guards that must pass, with a reason when they do not) and predicates (branch choosers).

A definition refers to them by name; adding a procedure needs at most a new named function here or in a
module registered under the ``flowengine.checks`` entry-point group, never a change to the engine.

A *check* answers "may this action go ahead?" and, when not, says why in words a secretary understands
(Chinese). A *predicate* answers "which way does the procedure go?" (e.g. seats left unfilled → 另行选举)
and never blocks anything. An *effect* says what an action that went through changes outside the request
(e.g. an approved postponement moves the organization's term end); it only *declares* the change as an
:class:`OrgUpdate`, and the service applies it in the same transaction with an audit record, so the
engine stays free of storage.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from flowengine.engine.roles import OrgInfo
from flowengine.errors import CheckFailure

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CheckContext:
    """Everything a rule may look at; a frozen snapshot so that rules cannot change state."""

    org: OrgInfo
    form: Mapping[str, Any]
    data: Mapping[str, Mapping[str, Any]]
    settings: Mapping[str, Any]
    today: dt.date
    action: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    #: Every earlier submission of the request, oldest first, as ``(action, form data)``. ``data`` keeps
    #: only the latest submission of each action; rules about repeated steps (rounds of voting) need all.
    history: tuple[tuple[str, Mapping[str, Any]], ...] = ()

    def step(self, action: str) -> Mapping[str, Any]:
        """Data submitted by ``action`` (the current form when it is the action being performed)."""
        if action == self.action:
            return self.form
        return self.data.get(action) or {}

    def lookup(self, dotted: str, default: Any = None) -> Any:
        """``action.field`` from the current form or an earlier step; the current form wins."""
        step, _, name = dotted.partition(".")
        return self.step(step).get(name, default)


#: Organization fields an effect may change: the term dates the term watch reads. Deliberately short:
#: membership numbers and the tree itself are the administrator's, not a procedure's, to change.
ORG_FIELDS = frozenset({"term_start", "term_end"})


@dataclass(frozen=True)
class OrgUpdate:
    """A declared change to the request's own organization, applied by the service with an audit record.

    ``changes`` maps a field of :data:`ORG_FIELDS` to its new value; ``reason`` (Chinese) is written to
    the audit trail so that whoever later wonders why a term date moved can see which request moved it.
    """

    changes: Mapping[str, Any]
    reason: str = ""

    def __post_init__(self) -> None:
        unknown = set(self.changes) - ORG_FIELDS
        if unknown:
            raise ValueError(
                f"an effect may only change {', '.join(sorted(ORG_FIELDS))}, not {', '.join(sorted(unknown))}"
            )


CheckResult = str | CheckFailure | None
CheckFn = Callable[..., CheckResult]
PredicateFn = Callable[[CheckContext], bool]
EffectFn = Callable[[CheckContext], Iterable[OrgUpdate]]

CHECKS: dict[str, CheckFn] = {}
PREDICATES: dict[str, PredicateFn] = {}
EFFECTS: dict[str, EffectFn] = {}

#: Modules shipped with flowengine whose import registers the procedures' rules.
BUILTIN_RULE_MODULES = (
    "flowengine.engine.rules.common",
    "flowengine.engine.rules.election",
    "flowengine.engine.rules.decision",
)
_loaded = False


def check(name: str) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        if name in CHECKS and CHECKS[name] is not fn:
            raise ValueError(f"check {name!r} is registered twice")
        CHECKS[name] = fn
        return fn

    return register


def predicate(name: str) -> Callable[[PredicateFn], PredicateFn]:
    def register(fn: PredicateFn) -> PredicateFn:
        if name in PREDICATES and PREDICATES[name] is not fn:
            raise ValueError(f"predicate {name!r} is registered twice")
        PREDICATES[name] = fn
        return fn

    return register


def effect(name: str) -> Callable[[EffectFn], EffectFn]:
    def register(fn: EffectFn) -> EffectFn:
        if name in EFFECTS and EFFECTS[name] is not fn:
            raise ValueError(f"effect {name!r} is registered twice")
        EFFECTS[name] = fn
        return fn

    return register


def load_rules() -> None:
    """Import the built-in rule modules and any registered plug-ins (once)."""
    global _loaded
    if _loaded:
        return
    for module in BUILTIN_RULE_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
    for ep in entry_points(group="flowengine.checks"):
        log.info("loading rules from plug-in %s", ep.value)
        ep.load()
    _loaded = True


def run_checks(refs: Any, ctx: CheckContext) -> list[CheckFailure]:
    """Run every referenced check and return all failures (so the user sees every reason at once)."""
    failures: list[CheckFailure] = []
    for ref in refs:
        fn = CHECKS[ref.name]
        result = fn(dataclasses.replace(ctx, params=ref.params))
        if result is None:
            continue
        if isinstance(result, str):
            failures.append(CheckFailure(ref.name, result))
        else:
            failures.append(CheckFailure(ref.name, result.reason, result.field))
    return failures


def run_effects(refs: Sequence[Any], ctx: CheckContext) -> list[tuple[str, OrgUpdate]]:
    """The changes every referenced effect declares, each with the effect's name (for the audit record)."""
    out: list[tuple[str, OrgUpdate]] = []
    for ref in refs:
        for change in EFFECTS[ref.name](dataclasses.replace(ctx, params=ref.params)):
            out.append((ref.name, change))
    return out
