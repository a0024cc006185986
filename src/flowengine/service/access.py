"""The access policy: the one answer to "may this person see this request" and "under which assignment may
they act on it now". Every entry point's check goes through here — the request page and its forms, the JSON
API, the service's own ``act``/``start``/``available_actions``, documents, the trail and its exports — so the
page cannot offer a form that the submit then refuses, and no two places can disagree.

*Seeing.* A request is visible to anyone who holds a role in its organization, in an ancestor of it, or in
its approving body (which the tree may set apart from the parent). Its documents and its trail follow the
request. Deny by default: someone who may not see a request is told it does not exist (404), never 403,
so that ids do not reveal what exists.

*Acting.* An action names the role that takes it, relative to the request's organization. A person may
take it under

1. the role itself (e.g. the 工委's handler), or
2. an open task of the current step that was given to them or to a role they hold — by a deadline's
   escalation (``reassign`` moves the step's task to the superior, ``co_approve`` adds one beside it) or by
   转办 (a holder handed it to a named colleague). Such a task lets its holder take the step's own actions
   (those of the step's assignee role), not, say, the initiator's withdrawal, or
3. 委托: someone who holds 1 or 2 has delegated their tasks to them for today (and this procedure); the
   trail then says "王建国（代李红）".

A signer of a countersign may sign under an open ``sign`` task of theirs (or of a role they hold, or by
delegation); a person asked for an opinion (加签) may give it under their open ``added`` task and nothing
more. A person a request was copied to (抄送) may read that request and nothing more.

*The person a request is about.* Where a definition's subject is a person (``subject: {kind: person}``), the
person's record — the minimum personal data the procedure needs — is read here and nowhere else: by those
who see the request by a role in scope (the branch, its superior, its approving body, auditors) or by
delegation from one of them; not by someone it was merely copied to, who sees the request's title (the
person's name) only. Documents issued inside an action and the supervision boards read it through
:func:`subject_record` / :func:`subject_names`, for requests their caller is already allowed to see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Connection, Table, bindparam, select

from flowengine.definitions.model import ActionDef, RoleDef, WorkflowDefinition
from flowengine.engine.roles import Assignment, OrgInfo, resolve_role
from flowengine.errors import PermissionDenied
from flowengine.persistence.models import (
    Copy,
    Delegation,
    Instance,
    Organization,
    RoleAssignment,
    Subject,
    Task,
    User,
)
from flowengine.vocabulary import ROLES, TaskKind

Held = frozenset[tuple[str, int]]

_U, _R, _T, _O = (
    cast(Table, User.__table__).c,
    cast(Table, RoleAssignment.__table__).c,
    cast(Table, Task.__table__).c,
    cast(Table, Organization.__table__).c,
)
_SELECT_CALLER = (
    select(_U.display_name, _U.is_active, _R.role, _R.org_id)
    .select_from(
        cast(Table, User.__table__).outerjoin(cast(Table, RoleAssignment.__table__), _R.user_id == _U.id)
    )
    .where(_U.id == bindparam("user_id"))
)
_SELECT_ORG_NAME = select(_O.name).where(_O.id == bindparam("oid"))
_SELECT_KIND_TASKS = select(_T.id, _T.role, _T.org_id, _T.assignee_id).where(
    _T.instance_id == bindparam("iid"),
    _T.state == bindparam("state"),
    _T.kind == bindparam("kind"),
    _T.closed_at.is_(None),
)
_D, _C = cast(Table, Delegation.__table__).c, cast(Table, Copy.__table__).c
_SELECT_DELEGATORS = (
    select(_D.delegator_id, _D.workflow, _U.display_name, _R.role, _R.org_id)
    .select_from(
        cast(Table, Delegation.__table__)
        .join(cast(Table, User.__table__), _U.id == _D.delegator_id)
        .join(cast(Table, RoleAssignment.__table__), _R.user_id == _D.delegator_id)
    )
    .where(
        _D.delegate_id == bindparam("uid"),
        _D.revoked_at.is_(None),
        _D.starts_on <= bindparam("today"),
        _D.ends_on >= bindparam("today"),
        _U.is_active.is_(True),
    )
)
_SELECT_COPIED = (
    select(_C.id).where(_C.instance_id == bindparam("iid"), _C.user_id == bindparam("uid")).limit(1)
)


_S, _I = cast(Table, Subject.__table__).c, cast(Table, Instance.__table__).c
_SELECT_SUBJECT = (
    select(_S.id, _S.kind, _S.name, _S.data, _I.workflow, _O.path, _O.approver_id)
    .select_from(
        cast(Table, Instance.__table__)
        .join(cast(Table, Subject.__table__), _S.id == _I.subject_id)
        .join(cast(Table, Organization.__table__), _O.id == _I.org_id)
    )
    .where(_I.id == bindparam("iid"))
)


@dataclass(frozen=True)
class SubjectRecord:
    """The person a request is about: a kind, a name and the personal data the definition declares."""

    id: int
    kind: str
    name: str
    data: dict[str, object]


@dataclass(frozen=True)
class Caller:
    """Who is asking: their id, name and every (role, organization) they hold."""

    user_id: int
    name: str
    held: Held


@dataclass(frozen=True)
class Delegator:
    """Someone whose tasks the caller may do today (委托), with what they hold and for which procedure."""

    user_id: int
    name: str
    workflow: str | None
    held: Held

    def covers(self, workflow: str) -> bool:
        return self.workflow in (None, "", workflow)


@dataclass(frozen=True)
class Acting:
    """Under which assignment someone acts: the (role, organization) the trail records, and the person they
    act for when it is by delegation (王建国（代李红）)."""

    role: str
    org_id: int
    task_id: int | None = None
    on_behalf_of: Delegator | None = None

    def actor_name(self, who: Caller) -> str:
        return f"{who.name}（代{self.on_behalf_of.name}）" if self.on_behalf_of else who.name

    @property
    def assignment(self) -> Assignment:
        return Assignment(self.role, self.org_id)


def delegators(conn: Connection, user_id: int, today: dt.date) -> list[Delegator]:
    """Everyone who delegated their tasks to ``user_id`` for ``today`` (a delegation ends by itself)."""
    found: dict[tuple[int, str | None], tuple[str, set[tuple[str, int]]]] = {}
    for r in conn.execute(_SELECT_DELEGATORS, {"uid": user_id, "today": today}):
        entry = found.setdefault((r.delegator_id, r.workflow), (r.display_name, set()))
        entry[1].add((r.role, r.org_id))
    return [Delegator(uid, name, wf, frozenset(held)) for (uid, wf), (name, held) in found.items()]


def caller(conn: Connection, user_id: int) -> Caller:
    """The caller with every role they hold, in one query; refused when the account is unknown or disabled."""
    rows = conn.execute(_SELECT_CALLER, {"user_id": user_id}).all()
    if not rows or not rows[0].is_active:
        raise PermissionDenied("用户不存在或已停用。")
    return Caller(
        user_id, rows[0].display_name, frozenset((r.role, r.org_id) for r in rows if r.role is not None)
    )


def scope_ids(path: str, approver_id: int | None) -> set[int]:
    """The organizations whose people may see a request of the organization at ``path``."""
    scope = {int(x) for x in path.strip("/").split("/") if x}
    if approver_id:
        scope.add(approver_id)
    return scope


def may_see(held: Iterable[tuple[str, int]], path: str, approver_id: int | None) -> bool:
    """Whether someone holding ``held`` may see a request (its documents, its trail) of that organization."""
    scope = scope_ids(path, approver_id)
    return any(org_id in scope for _, org_id in held)


def may_see_addresses(held: Iterable[tuple[str, int]], path: str, approver_id: int | None) -> bool:
    """Whether someone may see the client addresses in a request's trail: an auditor over it, nobody else.

    Where a reviewer signed from is evidence for an audit, not something the secretary whose request
    they reviewed needs to know (a home address, a branch office's network).
    """
    return may_see([(r, o) for r, o in held if r == "auditor"], path, approver_id)


def may_read(
    conn: Connection,
    who: Caller,
    instance_id: int,
    workflow: str,
    path: str,
    approver_id: int | None,
    today: dt.date,
) -> bool:
    """Whether ``who`` may read the request: by a role in scope, as a person it was copied to, or for
    someone who delegated their tasks to them today. The cheap answer (a role) is tried first."""
    if may_see(who.held, path, approver_id):
        return True
    if conn.execute(_SELECT_COPIED, {"iid": instance_id, "uid": who.user_id}).first() is not None:
        return True
    return any(
        d.covers(workflow) and may_see(d.held, path, approver_id)
        for d in delegators(conn, who.user_id, today)
    )


def _by_role_or_task(
    conn: Connection,
    definition: WorkflowDefinition,
    instance_id: int,
    state: str,
    org: OrgInfo,
    act: ActionDef,
    user_id: int,
    held: Held,
    step_tasks: Sequence[tuple[int, str, int, int | None]] | None = None,
) -> Acting | None:
    """Who acts on a step is who its open tasks name: the role's holders while the step's task is the role's,
    only the named person once it was handed over (转办, 拿回, an escalation that reassigns). Actions of
    other roles than the step's assignee (撤回 by the applicant) go by the role alone."""
    target = resolve_role(definition.roles[act.role], org)
    by_role = (target.role, target.org_id) in held
    try:
        step = definition.state(state)
    except KeyError:
        return Acting(target.role, target.org_id) if by_role else None
    if act.role != step.assignee:
        return Acting(target.role, target.org_id) if by_role else None
    tasks = (
        step_tasks
        if step_tasks is not None
        else conn.execute(
            _SELECT_KIND_TASKS, {"iid": instance_id, "state": state, "kind": TaskKind.STEP}
        ).all()
    )
    if by_role and (
        not tasks
        or any(
            assignee is None and (role, org_id) == (target.role, target.org_id)
            for _, role, org_id, assignee in tasks
        )
    ):
        return Acting(target.role, target.org_id)
    for tid, role, org_id, assignee in tasks:
        if assignee == user_id or (assignee is None and (role, org_id) in held):
            return Acting(role, org_id, tid)
    return None


def acting_assignment(
    conn: Connection,
    definition: WorkflowDefinition,
    instance_id: int,
    state: str,
    org: OrgInfo,
    act: ActionDef,
    who: Caller,
    today: dt.date,
    step_tasks: Sequence[tuple[int, str, int, int | None]] | None = None,
) -> Acting | None:
    """The assignment under which ``who`` may take ``act`` on the request now, or ``None``: their own, or
    that of someone whose delegation (委托) to them is in force ``today``. ``step_tasks`` are the open step
    tasks of ``state`` (id, role, organization, assignee) when the caller has read them already."""
    found = _by_role_or_task(
        conn, definition, instance_id, state, org, act, who.user_id, who.held, step_tasks
    )
    if found is not None:
        return found
    for d in delegators(conn, who.user_id, today):
        if d.covers(definition.name):
            via = _by_role_or_task(
                conn, definition, instance_id, state, org, act, d.user_id, d.held, step_tasks
            )
            if via is not None:
                return Acting(via.role, via.org_id, via.task_id, d)
    return None


def task_of(
    conn: Connection, instance_id: int, state: str, kind: str, who: Caller, today: dt.date, workflow: str
) -> Acting | None:
    """The caller's open task of ``kind`` (``sign`` or ``added``) on the step: theirs, of a role they hold,
    or of someone who delegated their tasks to them."""
    rows = conn.execute(_SELECT_KIND_TASKS, {"iid": instance_id, "state": state, "kind": kind}).all()

    def mine(user_id: int, held: Held) -> tuple[int, str, int] | None:
        for tid, role, org_id, assignee in rows:
            if assignee == user_id or (assignee is None and (role, org_id) in held):
                return tid, role, org_id
        return None

    found = mine(who.user_id, who.held)
    if found is not None:
        return Acting(found[1], found[2], found[0])
    if kind == TaskKind.ADDED:
        return None  # an opinion is asked of a person, not of whoever stands in for them
    for d in delegators(conn, who.user_id, today):
        if d.covers(workflow) and (found := mine(d.user_id, d.held)) is not None:
            return Acting(found[1], found[2], found[0], d)
    return None


def denied(conn: Connection, role: RoleDef, target: Assignment, what: str) -> PermissionDenied:
    """The refusal naming who may do ``what`` instead (e.g. 只有…的承办人（上级党组织承办人）可以执行“…”)."""
    holder = conn.execute(_SELECT_ORG_NAME, {"oid": target.org_id}).scalar() or ""
    return PermissionDenied(
        f"只有{holder}的{ROLES.get(target.role, target.role)}（{role.title}）可以{what}。"
    )


def start_assignment(
    conn: Connection, definition: WorkflowDefinition, org: OrgInfo, who: Caller
) -> Assignment:
    """The assignment under which ``who`` starts ``definition`` for ``org``; refused with who may instead."""
    role = definition.roles[definition.start.role]
    target = resolve_role(role, org)
    if (target.role, target.org_id) not in who.held:
        raise denied(conn, role, target, f"发起“{definition.title}”")
    return target


def subject_record(conn: Connection, instance_id: int) -> SubjectRecord | None:
    """The request's subject, for the service's own use inside a call whose caller may already see the
    request (a document issued by an action they take). ``None`` when the request is about its organization."""
    row = conn.execute(_SELECT_SUBJECT, {"iid": instance_id}).first()
    return None if row is None else SubjectRecord(row.id, row.kind, row.name, dict(row.data or {}))


def subject_for(conn: Connection, who: Caller, instance_id: int, today: dt.date) -> SubjectRecord | None:
    """The request's subject for ``who``: the record when they see the request by a role in scope or by a
    delegation; ``PermissionDenied`` otherwise (a copied reader, or someone out of scope)."""
    row = conn.execute(_SELECT_SUBJECT, {"iid": instance_id}).first()
    if row is None:
        return None
    if not may_see(who.held, row.path, row.approver_id) and not any(
        d.covers(row.workflow) and may_see(d.held, row.path, row.approver_id)
        for d in delegators(conn, who.user_id, today)
    ):
        raise PermissionDenied("无权查看申请人的个人信息：仅本组织、上级党组织和审批机关的有关人员可以查看。")
    return SubjectRecord(row.id, row.kind, row.name, dict(row.data or {}))


def subject_names(conn: Connection, instance_ids: Iterable[int]) -> dict[int, str]:
    """The name of each request's subject (requests about their organization are left out): what the inbox,
    search and supervision show of the person, for requests their caller may see."""
    ids = sorted(set(instance_ids))
    if not ids:
        return {}
    rows = conn.execute(
        select(_I.id, _S.name)
        .select_from(
            cast(Table, Instance.__table__).join(cast(Table, Subject.__table__), _S.id == _I.subject_id)
        )
        .where(_I.id.in_(ids))
    )
    return {r.id: r.name for r in rows}
