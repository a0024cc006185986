"""SQLAlchemy 2.x typed models: the one description of the schema that migrations must reproduce.

Times are stored as naive UTC on both databases (:class:`UTCDateTime`) and come back timezone-aware, so
code never compares a naive and an aware datetime and SQLite and PostgreSQL behave alike.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JSONType = JSON().with_variant(JSONB(), "postgresql")
# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets 64-bit ids for the big tables.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[dt.datetime]):
    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; pass an aware datetime")
        return value.astimezone(dt.UTC).replace(tzinfo=None)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        return value.replace(tzinfo=dt.UTC) if value is not None else None


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Organization(Base):
    """A Party organization; ``path`` (``/1/7/42/``) makes "everything under X" one indexed prefix query."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(32))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"), index=True)
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    path: Mapped[str] = mapped_column(String(400), index=True)
    full_members: Mapped[int] = mapped_column(Integer, default=0)
    probationary_members: Mapped[int] = mapped_column(Integer, default=0)
    term_start: Mapped[dt.date | None] = mapped_column(Date)
    term_end: Mapped[dt.date | None] = mapped_column(Date, index=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    #: 发文字号代字 (e.g. 郑教工委, 二十四中党委) used in document numbers; an abbreviation of the name when
    #: unset (:func:`flowengine.documents.numbering.derived_prefix`).
    doc_prefix: Mapped[str | None] = mapped_column(String(40))
    #: The 联系人 and 联系电话 a 请示's 附注 names (the acting person when no contact is set).
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    parent: Mapped[Organization | None] = relationship(remote_side=[id], foreign_keys=[parent_id])


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)

    roles: Mapped[list[RoleAssignment]] = relationship(back_populates="user", cascade="all, delete-orphan")


class RoleAssignment(Base):
    __tablename__ = "role_assignments"
    __table_args__ = (
        UniqueConstraint("user_id", "role", "org_id", name="uq_role_assignments_user_role_org"),
        Index("ix_role_assignments_role_org", "role", "org_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(32))
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))

    user: Mapped[User] = relationship(back_populates="roles")
    org: Mapped[Organization] = relationship()


class WorkflowDefinitionRow(Base):
    """A definition version as it was loaded; running instances stay on the version they started with."""

    __tablename__ = "workflow_definitions"
    __table_args__ = (UniqueConstraint("name", "version", name="uq_workflow_definitions_name_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Instance(Base):
    __tablename__ = "instances"
    __table_args__ = (
        Index("ix_instances_org_created", "org_id", "created_at"),
        Index("ix_instances_definition_state", "definition_id", "state"),
        Index("ix_instances_status_updated", "status", "updated_at"),
        # At most one running procedure of a kind per organization (two re-elections at once make no sense),
        # unless each request is about a person (its subject): then one per person.
        Index(
            "uq_instances_one_active",
            "workflow",
            "org_id",
            unique=True,
            postgresql_where=text("status = 'active' AND subject_id IS NULL"),
            sqlite_where=text("status = 'active' AND subject_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("workflow_definitions.id"))
    workflow: Mapped[str] = mapped_column(String(64))
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    initiator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # active | completed | withdrawn | rejected
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: The person the request is about, where the definition's subject is a person (else the organization).
    subject_id: Mapped[int | None] = mapped_column(ForeignKey("subjects.id"))
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    definition: Mapped[WorkflowDefinitionRow] = relationship()
    org: Mapped[Organization] = relationship()
    initiator: Mapped[User] = relationship()


class Task(Base):
    """Someone (a role in an organization, or one user) must act on an instance, by ``due_at``."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index(
            "ix_tasks_open_role_org",
            "role",
            "org_id",
            "opened_at",
            postgresql_where=text("closed_at IS NULL"),
            sqlite_where=text("closed_at IS NULL"),
        ),
        Index(
            "ix_tasks_open_assignee",
            "assignee_id",
            postgresql_where=text("closed_at IS NULL"),
            sqlite_where=text("closed_at IS NULL"),
        ),
        Index(
            "ix_tasks_open_alert",
            "next_alert_at",
            postgresql_where=text("closed_at IS NULL"),
            sqlite_where=text("closed_at IS NULL"),
        ),
        Index("ix_tasks_instance", "instance_id"),
        # act() closes the open tasks of the states it leaves; without this it walks every closed task of
        # the request (a request returned many times keeps them all).
        Index(
            "ix_tasks_open_instance",
            "instance_id",
            "state",
            postgresql_where=text("closed_at IS NULL"),
            sqlite_where=text("closed_at IS NULL"),
        ),
        Index("ix_tasks_closed_by", "closed_by_id", "closed_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    state: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    next_alert_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    alerts_sent: Mapped[int] = mapped_column(Integer, default=0)
    escalated: Mapped[bool] = mapped_column(Boolean, default=False)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_action: Mapped[str | None] = mapped_column(String(64))
    #: ``step`` (the state's own task), ``sign`` (one signer of a countersign) or ``added`` (an opinion asked
    #: for by 加签); see :class:`flowengine.vocabulary.TaskKind`.
    kind: Mapped[str] = mapped_column(String(16), default="step", server_default="step")
    #: For an ``added`` task: the task whose holder asked for the opinion, and whether before or after they act.
    parent_task_id: Mapped[int | None] = mapped_column(BigId)
    mode: Mapped[str | None] = mapped_column(String(8))
    #: Why the task was handed to its assignee (转办) or added (加签), shown beside it.
    note: Mapped[str | None] = mapped_column(Text)

    instance: Mapped[Instance] = relationship()
    org: Mapped[Organization] = relationship()


class Signature(Base):
    """One signer's answer on a countersign step (会签/或签): approve or return, with their opinion form."""

    __tablename__ = "signatures"
    __table_args__ = (Index("ix_signatures_instance", "instance_id", "state"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    task_id: Mapped[int] = mapped_column(BigId, ForeignKey("tasks.id"), unique=True)
    state: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    decision: Mapped[str] = mapped_column(String(16))  # approve | return
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Delegation(Base):
    """委托: from ``starts_on`` to ``ends_on`` (China dates, inclusive) the delegator's tasks (of ``workflow``,
    or all when it is empty) may also be done by the delegate, recorded as done on the delegator's behalf."""

    __tablename__ = "delegations"
    __table_args__ = (Index("ix_delegations_delegate", "delegate_id", "ends_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    delegator_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    delegate_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    workflow: Mapped[str | None] = mapped_column(String(64))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Copy(Base):
    """抄送/知会: a person who must know about a request may read it (that one request) and mark it read."""

    __tablename__ = "copies"
    __table_args__ = (
        Index("ix_copies_user", "user_id", "read_at"),
        Index("ix_copies_instance", "instance_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str | None] = mapped_column(String(64))  # the action it was copied with (automatic copies)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who copied it (None: the definition)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Subject(Base):
    """The person a request is about (a definition with ``subject: {kind: person}``): the minimum personal
    data its procedure needs, kept apart from the request's step data and read only through the access
    policy (``service/access.py``)."""

    __tablename__ = "subjects"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class Timer(Base):
    """A state's timer: at ``due_at`` the sweep fires ``action`` (or only notifies), exactly once."""

    __tablename__ = "timers"
    __table_args__ = (
        Index(
            "ix_timers_due",
            "due_at",
            postgresql_where=text("fired_at IS NULL AND cancelled_at IS NULL"),
            sqlite_where=text("fired_at IS NULL AND cancelled_at IS NULL"),
        ),
        Index("ix_timers_instance", "instance_id", "state"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    state: Mapped[str] = mapped_column(String(64))
    action: Mapped[str | None] = mapped_column(String(64))
    #: Which of the state's timers this is (its position in the definition), for a reminder's text.
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    fired_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class HeldAction(Base):
    """An action taken while a 后加签 opinion is outstanding: it goes through once the opinion is given."""

    __tablename__ = "held_actions"
    __table_args__ = (Index("ix_held_actions_instance", "instance_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    state: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    comment: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    client_addr: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class AuditEvent(Base):
    """Append-only record; ``hash`` chains each event to the previous one of the same ``chain``.

    ``chain`` is ``instance:<id>`` for everything that happens to a request, ``org:<id>`` for the term watch
    of an organization and ``system`` for the rest (definition loads, login failures). Database triggers
    refuse UPDATE and DELETE; :class:`AuditSeal` rows seal the events periodically.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        UniqueConstraint("chain", "seq", name="uq_audit_events_chain_seq"),
        Index("ix_audit_events_instance", "instance_id", "seq"),
        Index("ix_audit_events_actor_at", "actor_id", "at"),
        Index("ix_audit_events_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    chain: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int] = mapped_column(Integer)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str | None] = mapped_column(String(100))
    role: Mapped[str | None] = mapped_column(String(32))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    action: Mapped[str | None] = mapped_column(String(64))
    from_state: Mapped[str | None] = mapped_column(String(64))
    to_state: Mapped[str | None] = mapped_column(String(64))
    comment: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    client_addr: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditSeal(Base):
    """Append-only seal over the audit events with ids in ``(after_event_id, last_event_id]``.

    Seals follow each other without gap (seal ``seq`` starts where ``seq - 1`` ended) and are chained by
    ``prev_digest``/``digest``. ``events_digest`` is SHA-256 over the covered events' id, chain, seq and
    hash in id order; ``heads`` (canonical JSON, hashed as stored) maps each chain with events in the
    range to its last one there: ``{"instance:42": [seq, event id, hash]}``. When the seal was taken, every
    committed event written before ``cutoff`` was covered by it or an earlier seal. The primary key on
    ``seq`` lets exactly one of several concurrent sealers add a seal. Database triggers refuse UPDATE and
    DELETE. ``signature`` (base64) signs ``digest`` with the private key named by ``key_id``
    (``ed25519:<fingerprint>``), which the database never holds; both are empty on an unsigned seal.
    """

    __tablename__ = "audit_seals"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sealed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    cutoff: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    after_event_id: Mapped[int] = mapped_column(BigInteger)
    last_event_id: Mapped[int] = mapped_column(BigInteger)
    event_count: Mapped[int] = mapped_column(Integer)
    events_digest: Mapped[str] = mapped_column(String(64))
    heads: Mapped[str] = mapped_column(Text)
    prev_digest: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(String(80))
    signature: Mapped[str | None] = mapped_column(Text)


class Notification(Base):
    """An in-app message to one user (reminder, escalation, term watch); e-mailed when SMTP is set."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_unread", "user_id", "read_at", "created_at"),
        Index(
            "ix_notifications_unsent",
            "emailed_at",
            postgresql_where=text("emailed_at IS NULL"),
            sqlite_where=text("emailed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id"))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organizations.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class TermAlert(Base):
    """That the term watch has raised ``kind`` for an organization's term ending on ``term_end``.

    The unique key makes the watch idempotent across sweeps and sweepers: an alert is raised by whoever
    inserts this row first; a later term (new ``term_end``) gets its own alerts.
    """

    __tablename__ = "term_alerts"
    __table_args__ = (UniqueConstraint("org_id", "kind", "term_end", name="uq_term_alerts_org_kind_term"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    kind: Mapped[str] = mapped_column(String(32))  # term_reminder | term_expired
    term_end: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class SchedulerHeartbeat(Base):
    """Last time each scheduler process completed a sweep (read by health checks)."""

    __tablename__ = "scheduler_heartbeats"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    beat_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_counts: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


class Document(Base):
    """A generated official document (请示/报告/批复/会议纪要) as issued: its bytes, number and hash.

    Every version is kept (a returned 请示 is issued again with a new number); the audit event of kind
    ``document`` written in the same transaction records the SHA-256 of ``content``.
    """

    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_instance", "instance_id", "created_at"),
        UniqueConstraint("issuer_id", "year", "serial", name="uq_documents_issuer_year_serial"),
        Index("ix_documents_verify_code", "verify_code", unique=True),
        Index("ix_documents_sha256", "sha256"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    name: Mapped[str] = mapped_column(String(64))  # the definition's document key
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(16))  # 请示 | 报告 | 批复 | 纪要
    action: Mapped[str] = mapped_column(String(64))
    issuer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"))
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(80))  # e.g. 郑教工委〔2026〕12号
    filename: Mapped[str] = mapped_column(String(300))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    #: The document's parts as plain data (:meth:`OfficialDocument.as_dict`): the browser preview renders
    #: this very model; rendering it as .docx again gives ``content`` byte for byte. None before 0008.
    model: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: The short code printed under the document's QR code (扫码验真); None for documents issued before.
    verify_code: Mapped[str | None] = mapped_column(String(16))


class RateLimitHit(Base):
    """Hits of one client on one rate-limited scope in one time window (a fixed-window counter shared by
    every worker through the database; old windows are deleted as new ones start)."""

    __tablename__ = "rate_limit_hits"

    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    window: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hits: Mapped[int] = mapped_column(Integer)


class DocumentCounter(Base):
    """The last document serial an organization issued in a year (〔2026〕N号 counts per issuer and year)."""

    __tablename__ = "document_counters"

    issuer_id: Mapped[int] = mapped_column(ForeignKey("organizations.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class ApiToken(Base):
    """A personal API token: ``fe_<prefix>_<secret>``, of which only the SHA-256 is kept.

    ``prefix`` (8 hex characters, shown in lists) finds the row; the hash of the whole token is compared
    in constant time. A revoked token stays, so the audit trail and the owner's list can still name it.
    """

    __tablename__ = "api_tokens"
    __table_args__ = (Index("ix_api_tokens_user", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: After this moment the token authenticates nobody (FLOWENGINE_TOKEN_DAYS, at most _MAX_DAYS).
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    #: ``read``: GET only; ``write``: whatever its owner may do.
    scope: Mapped[str] = mapped_column(String(16), server_default="write")


class WebSession(Base):
    """A signed-in browser: the cookie holds a random key, of which only the SHA-256 is kept here.

    Signing out, a password change, an administrator's reset or disabling the account sets ``ended_at``;
    a cookie whose row has ended, or has been idle or open too long, signs nobody in — a copied cookie
    replayed after the person signed out is refused.
    """

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user", "user_id", "ended_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(32))


class AuthThrottle(Base):
    """Failed authentications per key (an address, an account at an address), shared by every worker.

    ``key`` is the SHA-256 of what is counted (``login:addr:…``, ``login:acct:…``), so no user name typed
    by a stranger is stored here; ``blocked_until`` is when the next attempt will be looked at.
    """

    __tablename__ = "auth_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    blocked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
