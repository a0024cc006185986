"""Plain, frozen results of service calls: what the web UI, the JSON API and the CLI render.

Entry points never receive ORM objects, so no template can lazy-load a row after its session closed, and
the API's JSON is a straightforward dump of these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from flowengine.definitions.model import FieldDef

T = TypeVar("T")


@dataclass(frozen=True)
class TaskView:
    id: int
    instance_id: int
    instance_title: str
    workflow: str
    workflow_title: str
    org_id: int
    org_name: str
    state: str
    state_title: str
    role: str
    role_title: str
    assigned_org_id: int
    assigned_org_name: str
    assignee_id: int | None
    opened_at: dt.datetime
    due_at: dt.datetime | None
    closed_at: dt.datetime | None = None
    closed_action: str | None = None

    def overdue(self, now: dt.datetime) -> bool:
        return self.closed_at is None and self.due_at is not None and now >= self.due_at


@dataclass(frozen=True)
class InstanceView:
    id: int
    workflow: str
    workflow_title: str
    definition_version: int
    org_id: int
    org_name: str
    initiator_id: int
    initiator_name: str
    title: str
    state: str
    state_title: str
    status: str
    version: int
    data: dict[str, Any]
    created_at: dt.datetime
    updated_at: dt.datetime
    completed_at: dt.datetime | None
    open_tasks: tuple[TaskView, ...] = ()


@dataclass(frozen=True)
class ActionView:
    name: str
    title: str
    kind: str
    comment_required: bool
    form: tuple[FieldDef, ...]
    prefill: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    #: When the request was sent back to this step: the return (who, when, the reasons in ``comment``),
    #: shown beside the form that must be redone.
    returned: AuditView | None = None


@dataclass(frozen=True)
class AuditView:
    id: int
    seq: int
    at: dt.datetime
    kind: str
    actor_id: int | None
    actor_name: str | None
    role: str | None
    org_id: int | None
    action: str | None
    action_title: str | None
    from_state: str | None
    from_title: str | None
    to_state: str | None
    to_title: str | None
    comment: str | None
    data: dict[str, Any] | None
    client_addr: str | None
    hash: str


@dataclass(frozen=True)
class Page(Generic[T]):
    items: tuple[T, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass(frozen=True)
class Actor:
    """Who is calling, and from where (for the audit trail)."""

    user_id: int
    client_addr: str | None = None
