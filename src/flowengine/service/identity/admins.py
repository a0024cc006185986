"""Who administers, and how their changes are recorded: the one check and the one audit event that
every administrator's change (organizations, users, roles, passwords, tokens) goes through."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from flowengine.errors import PermissionDenied
from flowengine.persistence.models import RoleAssignment, User
from flowengine.service import audit

#: The audit chain of administrators' changes.
ADMIN_CHAIN = "admin"
#: Who an event from the command line (``flowengine users add``) names as its actor.
COMMAND_LINE = "命令行"


def require_admin(s: Session, user_id: int) -> User:
    """The acting administrator, or PermissionDenied: only an active holder of the admin role may."""
    user = s.get(User, user_id)
    held = s.scalar(
        select(RoleAssignment.id)
        .where(RoleAssignment.user_id == user_id, RoleAssignment.role == "admin")
        .limit(1)
    )
    if user is None or not user.is_active or held is None:
        raise PermissionDenied("只有系统管理员可以维护组织架构和用户。")
    return user


def admin_event(
    s: Session,
    admin: User | None,
    kind: str,
    now: dt.datetime,
    *,
    org_id: int | None = None,
    comment: str | None = None,
    data: dict[str, Any] | None = None,
    client_addr: str | None = None,
) -> None:
    """Record an administrator's change; ``admin`` is ``None`` for the command line (the server's operator)."""
    audit.append(
        s,
        at=now,
        kind=kind,
        chain=ADMIN_CHAIN,
        actor_id=admin.id if admin else None,
        actor_name=admin.display_name if admin else COMMAND_LINE,
        role="admin",
        org_id=org_id,
        comment=comment,
        data=data,
        client_addr=client_addr,
    )
