"""Shared pieces of the web tests: a request in a known state, and a snapshot to prove nothing changed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from flowengine.persistence.models import (
    ApiToken,
    AuditEvent,
    Document,
    Instance,
    Notification,
    Organization,
    RoleAssignment,
    Task,
    User,
)
from flowengine.service import Services
from tests.support import World

GOOD_FORM = {
    "reason": "参加市委教育工委组织的专题培训",
    "first_day": "2026-09-23",
    "last_day": "2026-09-25",
    "days": "3",
    "substitutes-0-name": "刘洋",
    "substitutes-0-phone": "13800138000",
}
GOOD_DATA = {
    "reason": "参加市委教育工委组织的专题培训",
    "first_day": "2026-09-23",
    "last_day": "2026-09-25",
    "days": 3,
    "substitutes": [{"name": "刘洋", "phone": "13800138000"}],
}


def submitted(services: Services, world: World) -> int:
    """A leave request of branch b1, submitted and waiting for the superior's handler (version 2)."""
    iid = services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"]).id
    services.flow.act(iid, "submit", world.users["sec1"], GOOD_DATA, expected_version=1)
    return iid


def snapshot(services: Services) -> dict[str, Any]:
    """Everything a state-changing request could change, across the whole database."""
    with services.db.read() as s:
        return {
            "instances": s.execute(
                select(Instance.id, Instance.state, Instance.version, Instance.status).order_by(Instance.id)
            ).all(),
            "tasks": s.execute(select(Task.id, Task.closed_at).order_by(Task.id)).all(),
            "events": s.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.instance_id.is_not(None))
            ),
            "passwords": s.execute(select(User.id, User.password_hash).order_by(User.id)).all(),
            "all_events": s.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.kind != "login_failure")
            ),
            "documents": s.execute(select(Document.id, Document.sha256).order_by(Document.id)).all(),
            "tokens": s.execute(
                select(ApiToken.id, ApiToken.name, ApiToken.revoked_at).order_by(ApiToken.id)
            ).all(),
            "notifications": s.execute(
                select(Notification.id, Notification.read_at).order_by(Notification.id)
            ).all(),
            "users": s.execute(
                select(User.id, User.username, User.display_name, User.is_active).order_by(User.id)
            ).all(),
            "roles": s.execute(
                select(RoleAssignment.user_id, RoleAssignment.role, RoleAssignment.org_id).order_by(
                    RoleAssignment.id
                )
            ).all(),
            "orgs": s.execute(
                select(
                    Organization.id,
                    Organization.name,
                    Organization.parent_id,
                    Organization.approver_id,
                    Organization.full_members,
                    Organization.term_end,
                ).order_by(Organization.id)
            ).all(),
        }


POSTPONEMENT = {
    "document_number": "二十四中一支〔2026〕7号",
    "kind": "postpone",
    "current_term_end": "2026-10-09",
    "new_term_end": "2027-03-31",
    "reasons": "学校2026年下半年整体搬迁至新校区，党员分散在两个校区，难以按期召开党员大会，拟待搬迁完成后换届。",
}


def postponement_submitted(services: Services, world: World) -> int:
    """A 延期换届 request of branch b1 whose 请示 has been issued as a .docx (waiting for the handler)."""
    iid = services.flow.start("election_postponement", world.orgs["b1"], world.users["sec1"]).id
    services.flow.act(iid, "submit_request", world.users["sec1"], POSTPONEMENT, expected_version=1)
    return iid
