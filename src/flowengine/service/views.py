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
    #: step, sign (待我会签) or added (加签); see :class:`flowengine.vocabulary.TaskKind`.
    kind: str = "step"
    #: Why it was handed over (转办) or asked (加签), and 加签's ``before``/``after``.
    note: str | None = None
    mode: str | None = None
    #: The person this task is seen for by delegation (委托给我), else ``None``.
    delegated_by: str | None = None
    #: The step was opened by a return (已退回): who returned it, and the reason they gave ("" if none).
    returned_by: str | None = None
    returned_reason: str | None = None
    #: For a step with no deadline of its own, the date that matters to it (the organization's term end for
    #: a procedure the term watch follows) and what it is called; ``None`` otherwise.
    clock_title: str | None = None
    clock_day: dt.date | None = None

    @property
    def returned(self) -> bool:
        return self.returned_by is not None

    def overdue(self, now: dt.datetime) -> bool:
        return self.closed_at is None and self.due_at is not None and now >= self.due_at

    @property
    def category(self) -> str:
        """What the inbox calls it: 待办, 待我会签, 加签 or 委托给我."""
        if self.delegated_by:
            return "委托给我"
        return {"sign": "待我会签", "added": "加签"}.get(self.kind, "待办")


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


@dataclass(frozen=True)
class SignatureView:
    """One signer's answer on a countersign step, as the request page and the documents show it."""

    state: str
    name: str
    role_title: str
    org_name: str
    decision: str  # approve | return
    data: dict[str, Any] | None
    comment: str | None
    at: dt.datetime
    #: The countersign's form, to show ``data`` field by field.
    form: tuple[FieldDef, ...] = ()

    @property
    def decision_title(self) -> str:
        return "同意" if self.decision == "approve" else "不同意（退回）"


@dataclass(frozen=True)
class PersonOption:
    """Someone a person may hand a task to, ask for an opinion, or copy a request to."""

    username: str
    name: str
    where: str  # e.g. 中共郑州市委教育工作委员会承办人


@dataclass(frozen=True)
class VerbsView:
    """What the caller may do on a request beyond its actions (转办, 加签, 抄送, 催办, 拿回, 会签, 已阅), and
    what the countersign, opinions and copies of the request are."""

    countersign_title: str | None = None
    signers: int = 0
    approvals: int = 0
    needed: int = 0
    signatures: tuple[SignatureView, ...] = ()
    pending_signers: tuple[str, ...] = ()
    sign_form: tuple[FieldDef, ...] = ()
    sign_prefill: dict[str, Any] = field(default_factory=dict)
    may_sign: bool = False
    may_give_opinion: bool = False
    opinion_asked_by: str | None = None
    opinions: tuple[AuditView, ...] = ()
    pending_opinions: tuple[str, ...] = ()
    may_transfer: bool = False
    colleagues: tuple[PersonOption, ...] = ()
    may_add: bool = False
    advisers: tuple[PersonOption, ...] = ()
    may_copy: bool = False
    copy_candidates: tuple[PersonOption, ...] = ()
    copied_to: tuple[tuple[str, bool], ...] = ()  # (name, read)
    copied_unread: bool = False
    may_urge: bool = False
    urge_refusal: str | None = None
    may_take_back: bool = False
    held: tuple[str, ...] = ()  # actions waiting for a 后加签 opinion
    waiting: str | None = None
