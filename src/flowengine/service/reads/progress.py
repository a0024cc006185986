"""A request's own path, as a stepper: the states it went through (with when), where it is, and the steps
still ahead on the variant it is on — drawn before, and instead of, the whole procedure's diagram.

The path behind is read from the trail (each step's event says from which state to which). The path ahead
is projected from the definition: from each state, the first forward action of the state's own assignee (not
a return, a withdrawal or a refusal), and of its branches the first whose predicates held on the way here —
a request that went down a variant (``variant: {of, when}``) stays on it — or else the branch with no
condition. Each step lists the documents its forward action issues: issued ones with number and date.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flowengine.definitions.model import ActionDef, WorkflowDefinition
from flowengine.service.requests.documents import DocumentView
from flowengine.service.views import AuditView
from flowengine.vocabulary import STEP_KINDS, ActionKind

#: Action kinds that do not move a request forward on its path.
_BACKWARD = (ActionKind.RETURN, ActionKind.WITHDRAW, ActionKind.REJECT)


@dataclass(frozen=True)
class ProgressDocument:
    title: str
    number: str | None = None
    issued_on: dt.date | None = None

    @property
    def issued(self) -> bool:
        return self.issued_on is not None


@dataclass(frozen=True)
class ProgressStep:
    state: str
    title: str
    #: ``done``, ``current`` or ``upcoming``.
    status: str
    role_title: str | None
    entered_at: dt.datetime | None
    left_at: dt.datetime | None
    #: How many times the step was returned to (退回) after the first time it was entered.
    returns: int
    documents: tuple[ProgressDocument, ...]

    @property
    def status_title(self) -> str:
        return {"done": "已完成", "current": "进行中", "upcoming": "未开始"}[self.status]


def _forward_action(definition: WorkflowDefinition, state: str) -> ActionDef | None:
    st = definition.state(state)
    actions = [a for a in definition.actions_from(state) if a.kind not in _BACKWARD]
    own = [a for a in actions if a.role == st.assignee]
    chosen = own or actions
    return chosen[0] if chosen else None


def _held_predicates(definition: WorkflowDefinition, visited: Iterable[str]) -> set[str]:
    """Names of the predicates whose branches led to a state the request visited."""
    seen = set(visited)
    held: set[str] = set()
    for a in definition.actions:
        for b in a.branches:
            if b.to in seen and b.when:
                held |= {c.name for c in b.when}
    return held


def _next_state(action: ActionDef, held: set[str]) -> str | None:
    for b in action.branches:
        names = {c.name for c in b.when}
        if names and names <= held and not ({c.name for c in b.unless} & held):
            return b.to
    for b in action.branches:
        if not b.when and not ({c.name for c in b.unless} & held):
            return b.to
    return None


@dataclass
class _Walked:
    """The path behind, as the trail tells it."""

    order: list[str]
    entered: dict[str, dt.datetime]
    left: dict[str, dt.datetime]
    returns: dict[str, int]
    left_by: dict[str, str]  # state -> the action that last left it


def _walk(trail: Iterable[AuditView]) -> _Walked:
    w = _Walked([], {}, {}, {}, {})
    for e in trail:
        if e.kind not in STEP_KINDS or not e.to_state:
            continue
        if e.from_state and e.from_state != e.to_state and e.action != "start":
            w.left[e.from_state] = e.at
            if e.action:
                w.left_by[e.from_state] = e.action
        if e.to_state not in w.order:
            w.order.append(e.to_state)
        elif e.kind == "return":
            w.returns[e.to_state] = w.returns.get(e.to_state, 0) + 1
        w.entered[e.to_state] = e.at
    return w


def _ahead(definition: WorkflowDefinition, current: str, behind: list[str]) -> list[str]:
    """The states still ahead of ``current`` on the request's variant, up to a final state."""
    ahead: list[str] = []
    if definition.state(current).final:
        return ahead
    held = _held_predicates(definition, behind)
    state = current
    while True:
        action = _forward_action(definition, state)
        nxt = _next_state(action, held) if action is not None else None
        if nxt is None or nxt in behind or nxt in ahead:
            return ahead
        ahead.append(nxt)
        if definition.state(nxt).final:
            return ahead
        state = nxt


def _documents(
    definition: WorkflowDefinition, action: ActionDef | None, issued: dict[str, list[DocumentView]]
) -> tuple[ProgressDocument, ...]:
    docs = []
    for key in action.documents if action is not None else ():
        made = issued.get(key)
        if made:
            docs.append(ProgressDocument(made[-1].title, made[-1].number, made[-1].issued_on))
        elif key in definition.documents:
            docs.append(ProgressDocument(definition.documents[key].title))
    return tuple(docs)


def progress(
    definition: WorkflowDefinition,
    trail: Iterable[AuditView],
    current: str,
    documents: Sequence[DocumentView] = (),
) -> list[ProgressStep]:
    """The request's path: visited states in the order first reached, the current one, then those ahead."""
    w = _walk(trail)
    names = {s.name for s in definition.states}
    order = [s for s in [*w.order, *([] if current in w.order else [current])] if s in names]
    issued: dict[str, list[DocumentView]] = {}
    for d in documents:
        issued.setdefault(d.name, []).append(d)
    out = []
    for name in [*order, *_ahead(definition, current, order)]:
        st = definition.state(name)
        status = "current" if name == current else ("done" if name in order else "upcoming")
        action = _forward_action(definition, name) if not st.final else None
        if status == "done" and name in w.left_by:
            with contextlib.suppress(KeyError):
                action = definition.action(w.left_by[name])
        role = definition.roles.get(st.assignee) if st.assignee else None
        out.append(
            ProgressStep(
                state=name,
                title=st.title,
                status=status,
                role_title=role.title if role else None,
                entered_at=w.entered.get(name) if status != "upcoming" else None,
                left_at=w.left.get(name) if status == "done" else None,
                returns=w.returns.get(name, 0),
                documents=_documents(definition, action, issued),
            )
        )
    return out
