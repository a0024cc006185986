"""Resolve a definition's role (e.g. "the superior's handler") to a concrete (role, organization) pair.

Tasks are assigned to a role in an organization, not to a person, so that a handler who is replaced or on
leave does not strand a request: whoever holds the role when the task is open sees it in the inbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flowengine.definitions.model import RoleDef
from flowengine.errors import ConfigurationError


@dataclass(frozen=True)
class OrgInfo:
    """What the engine needs to know about an organization (a plain copy of the database row)."""

    id: int
    name: str
    type: str
    parent_id: int | None = None
    approver_id: int | None = None
    full_members: int = 0
    probationary_members: int = 0
    term_start: date | None = None
    term_end: date | None = None


@dataclass(frozen=True)
class Assignment:
    role: str
    org_id: int


def resolve_role(role: RoleDef, org: OrgInfo) -> Assignment:
    if role.of == "self":
        return Assignment(role.role, org.id)
    if role.of == "parent":
        target = org.parent_id
    else:  # approver: the organization tree may name an approving body other than the parent
        target = org.approver_id or org.parent_id
    if target is None:
        raise ConfigurationError(
            f"组织“{org.name}”没有上级党组织，无法确定“{role.title}”：请管理员在组织架构中设置上级或审批机关。"
        )
    return Assignment(role.role, target)
