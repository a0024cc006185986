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
   escalation (``reassign`` moves the step's task to the superior, ``co_approve`` adds one beside it). Such
   a task lets its holder take the step's own actions (those of the step's assignee role), not, say, the
   initiator's withdrawal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Connection, Table, bindparam, select

from flowengine.definitions.model import ActionDef, RoleDef, WorkflowDefinition
from flowengine.engine.roles import Assignment, OrgInfo, resolve_role
from flowengine.errors import PermissionDenied
from flowengine.persistence.models import Organization, RoleAssignment, Task, User
from flowengine.vocabulary import ROLES

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
_SELECT_STEP_TASKS = select(_T.role, _T.org_id, _T.assignee_id).where(
    _T.instance_id == bindparam("iid"), _T.state == bindparam("state"), _T.closed_at.is_(None)
)
_SELECT_ORG_NAME = select(_O.name).where(_O.id == bindparam("oid"))


@dataclass(frozen=True)
class Caller:
    """Who is asking: their id, name and every (role, organization) they hold."""

    user_id: int
    name: str
    held: Held


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


def acting_assignment(
    conn: Connection,
    definition: WorkflowDefinition,
    instance_id: int,
    state: str,
    org: OrgInfo,
    act: ActionDef,
    who: Caller,
) -> Assignment | None:
    """The assignment under which ``who`` may take ``act`` on the request now, or ``None``."""
    target = resolve_role(definition.roles[act.role], org)
    if (target.role, target.org_id) in who.held:
        return target
    try:
        step = definition.state(state)
    except KeyError:
        return None
    if act.role != step.assignee:
        return None  # a task handed over by escalation covers only the step's own actions
    for role, org_id, assignee in conn.execute(_SELECT_STEP_TASKS, {"iid": instance_id, "state": state}):
        if assignee == who.user_id or (assignee is None and (role, org_id) in who.held):
            return Assignment(role, org_id)
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
