"""Read-only questions the screens ask that the core service does not: search, listings, timelines.

The core service (:mod:`flowengine.service.requests.flow`) answers for one request or one person's work. This
module answers the wider questions of auditors (search every request in their scope) and administrators
(the organization tree, users and roles, loaded definitions), and turns the audit trail into a timeline
that says what changed between two submissions. Permission is decided here, not in the web layer:
deny by default, one role per question.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import Session

from flowengine.chinese import china_date
from flowengine.clock import Clock
from flowengine.definitions.model import FieldDef, WorkflowDefinition
from flowengine.engine import calendar
from flowengine.engine.calendar import working_days_between
from flowengine.engine.deadlines import start_of_china_day
from flowengine.errors import NotFound, PermissionDenied
from flowengine.persistence.db import Database
from flowengine.persistence.models import (
    AuditEvent,
    Instance,
    Organization,
    RoleAssignment,
    Task,
    User,
    WorkflowDefinitionRow,
)
from flowengine.service.catalog import Catalog
from flowengine.service.reads.inbox import open_tasks_of
from flowengine.service.requests.flow import (
    assignments_of,
    effective_settings,
    resolve_prefill,
)
from flowengine.service.views import AuditView, InstanceView, Page, TaskView
from flowengine.vocabulary import ORG_TYPES, ROLES, STEP_KINDS, AuditKind, InstanceStatus, title_of


def kind_title(kind: str) -> str:
    """Every kind of audit event in Chinese: what the timeline's type column shows (never the raw kind)."""
    return title_of(AuditKind, kind, "其他记录")


#: Organization fields an effect may change, as an ``org_update`` event shows them.
ORG_FIELDS = {
    "term_start": FieldDef("term_start", "本届任期开始", "date"),
    "term_end": FieldDef("term_end", "本届任期届满", "date"),
    "full_members": FieldDef("full_members", "正式党员人数", "integer"),
    "probationary_members": FieldDef("probationary_members", "预备党员人数", "integer"),
}


# ---- results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestRow:
    id: int
    title: str
    workflow: str
    workflow_title: str
    org_id: int
    org_name: str
    state: str
    state_title: str
    status: str
    status_title: str
    initiator_name: str
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class SearchCriteria:
    """What an auditor filters by; every part is optional. Dates are China calendar days, inclusive."""

    org_id: int | None = None
    workflow: str | None = None
    state: str | None = None
    status: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actor: str | None = None
    org_name: str | None = None  # part of the organization's name


@dataclass(frozen=True)
class OrgOption:
    id: int
    name: str
    depth: int


@dataclass(frozen=True)
class StateOption:
    workflow: str
    workflow_title: str
    state: str
    state_title: str


@dataclass(frozen=True)
class FilterOptions:
    orgs: tuple[OrgOption, ...]
    workflows: tuple[tuple[str, str], ...]
    states: tuple[StateOption, ...]
    #: More organizations than a list can offer (:data:`ORG_OPTIONS_LIMIT`): filter by part of the name.
    orgs_by_name: bool = False


#: Above this many organizations a filter offers a name search instead of a list: a superior committee
#: with 20,000 branches waiting would otherwise load 20,000 organizations and send as many <option>s with
#: every page (measured: 0.8 s of a 0.85 s inbox screen, bench/scale.py).
ORG_OPTIONS_LIMIT = 300


@dataclass(frozen=True)
class OrgRow:
    id: int
    code: str
    name: str
    type: str
    type_title: str
    depth: int
    parent_name: str | None
    approver_name: str | None
    full_members: int
    probationary_members: int
    term_start: dt.date | None
    term_end: dt.date | None
    term_expired: bool
    active_requests: int


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    is_active: bool
    locked_until: dt.datetime | None
    roles: tuple[tuple[str, str], ...]  # (role title, organization name)
    created_at: dt.datetime


@dataclass(frozen=True)
class DefinitionRow:
    name: str
    title: str
    version: int
    sha256: str
    loaded_at: dt.datetime
    is_current: bool
    file: str | None
    active_requests: int
    total_requests: int


@dataclass(frozen=True)
class TaskTiming:
    """How long a task has waited and how long it has left, in the units the procedures speak."""

    waited_working_days: int
    waited_hours: int
    due_day: dt.date | None
    working_days_left: int | None
    overdue: bool


@dataclass(frozen=True)
class Change:
    field: FieldDef | None
    name: str
    before: Any
    after: Any


@dataclass(frozen=True)
class TimelineEntry:
    event: AuditView
    title: str
    role_title: str | None
    form: tuple[FieldDef, ...]
    changes: tuple[Change, ...]
    first_submission: bool
    documents: tuple[str, ...] = ()
    by_system: bool = False

    @property
    def kind_title(self) -> str:
        return kind_title(self.event.kind)


@dataclass(frozen=True)
class StepData:
    """The data one step of a request holds, with the fields that describe it."""

    key: str
    title: str
    form: tuple[FieldDef, ...]
    values: Mapping[str, Any]


@dataclass(frozen=True)
class StartContext:
    """What the start form needs: the organizations one may start for and the values already known."""

    definition: WorkflowDefinition
    orgs: tuple[OrgOption, ...]
    prefill: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    active: Mapping[int, int] = field(default_factory=dict)  # org id → its running request


# ---- pure helpers ----------------------------------------------------------------------------------


def task_timing(task: TaskView, now: dt.datetime) -> TaskTiming:
    opened_day, today = china_date(task.opened_at), china_date(now)
    waited = max(0, working_days_between(opened_day, today))
    hours = max(0, int((now - task.opened_at).total_seconds() // 3600))
    if task.due_at is None:
        return TaskTiming(waited, hours, None, None, False)
    due_day = china_date(task.due_at - dt.timedelta(microseconds=1))
    return TaskTiming(waited, hours, due_day, working_days_between(today, due_day), task.overdue(now))


def _changes(
    form: Sequence[FieldDef], before: Mapping[str, Any] | None, after: Mapping[str, Any]
) -> list[Change]:
    by_name = {f.name: f for f in form}
    names = list(by_name) + [k for k in after if k not in by_name]
    if before is None:
        return [
            Change(by_name.get(n), n, None, after.get(n)) for n in names if after.get(n) not in (None, "", [])
        ]
    return [
        Change(by_name.get(n), n, before.get(n), after.get(n)) for n in names if before.get(n) != after.get(n)
    ]


def timeline(definition: WorkflowDefinition, trail: Iterable[AuditView]) -> list[TimelineEntry]:
    """The trail as the request page shows it; each submission lists what differs from the previous one."""
    last: dict[str, Mapping[str, Any]] = {}
    out: list[TimelineEntry] = []
    for e in trail:
        if e.kind == "document":
            _attach_document(out, e, definition)
            continue
        if e.kind not in STEP_KINDS:
            out.append(_system_entry(e))
            continue
        form: tuple[FieldDef, ...] = ()
        documents: tuple[str, ...] = ()
        if e.action == "start":
            form = definition.start.form
        elif e.action:
            try:
                act = definition.action(e.action)
                form, documents = act.form, act.documents
            except KeyError:
                pass
        changes: list[Change] = []
        first = False
        if e.data is not None and e.action:
            first = e.action not in last
            changes = _changes(form, last.get(e.action), e.data)
            last[e.action] = e.data
        titles = tuple(definition.documents[d].title for d in documents if d in definition.documents)
        title = e.action_title or ("发起" if e.kind == "start" else e.action or e.kind)
        out.append(
            TimelineEntry(
                e, title, ROLES.get(e.role, e.role) if e.role else None, form, tuple(changes), first, titles
            )
        )
    return out


def _attach_document(out: list[TimelineEntry], e: AuditView, definition: WorkflowDefinition) -> None:
    """A generated document belongs to the step that produced it: show it there, with its number.

    The document event follows its action's event in the same transaction, so it names the latest entry
    of that action; the declared title the entry already lists is replaced by the issued one.
    """
    data = e.data or {}
    title = str(data.get("title") or data.get("document") or "文书")
    issued = f"{title}（{data['number']}）" if data.get("number") else title
    declared = definition.documents.get(str(data.get("document")))
    replaced = {title, issued, declared.title if declared else title}  # the issued title may name the case
    for i in range(len(out) - 1, -1, -1):
        entry = out[i]
        if entry.event.action == e.action and not entry.by_system:
            kept = tuple(t for t in entry.documents if t not in replaced)
            out[i] = replace(entry, documents=(*kept, issued))
            return
    out.append(TimelineEntry(e, "生成文书", None, (), (), False, (issued,), by_system=True))


def _system_entry(e: AuditView) -> TimelineEntry:
    """Something the system did: an effect's change to the organization, a reminder, an escalation."""
    changes: list[Change] = []
    data = e.data or {}
    if e.kind == "org_update" and isinstance(data.get("changes"), Mapping):
        for name, change in data["changes"].items():
            if isinstance(change, Mapping):
                f = ORG_FIELDS.get(name)
                changes.append(Change(f, f.label if f else name, change.get("from"), change.get("to")))
    return TimelineEntry(
        e,
        title_of(AuditKind, e.kind),
        ROLES.get(e.role, e.role) if e.role else None,
        (),
        tuple(changes),
        False,
        (),
        by_system=True,
    )


def steps(definition: WorkflowDefinition, instance: InstanceView) -> list[StepData]:
    """The data of every step that has any, in the order of the definition."""
    out = []
    if instance.data.get("start"):
        # A person's data (the definition's subject) are kept apart and shown, to those allowed, on their own.
        personal = set(definition.subject.fields) if definition.subject else set()
        form = tuple(f for f in definition.start.form if f.name not in personal)
        out.append(StepData("start", "发起", form, instance.data["start"]))
    for a in definition.actions:
        if a.form and a.name in instance.data:
            out.append(StepData(a.name, a.title, a.form, instance.data[a.name]))
    return out


def _org_options(orgs: Iterable[Organization]) -> tuple[OrgOption, ...]:
    """Organizations in tree order (parents before children, siblings by code), with their depth."""
    rows = list(orgs)
    ids = {o.id for o in rows}
    children: dict[int | None, list[Organization]] = {}
    for o in rows:
        children.setdefault(o.parent_id if o.parent_id in ids else None, []).append(o)
    out: list[OrgOption] = []

    def walk(parent: int | None, depth: int) -> None:
        for o in sorted(children.get(parent, []), key=lambda x: x.code):
            out.append(OrgOption(o.id, o.name, depth))
            walk(o.id, depth + 1)

    walk(None, 0)
    return tuple(out)


# ---- the queries -----------------------------------------------------------------------------------


class Queries:
    def __init__(self, db: Database, catalog: Catalog, clock: Clock) -> None:
        self.db = db
        self.catalog = catalog
        self.clock = clock

    def _held(self, s: Session, user_id: int, role: str) -> list[int]:
        return list(
            s.scalars(
                select(RoleAssignment.org_id)
                .join(User, User.id == RoleAssignment.user_id)
                .where(
                    RoleAssignment.user_id == user_id, RoleAssignment.role == role, User.is_active.is_(True)
                )
            )
        )

    def _require(self, s: Session, user_id: int, role: str, what: str) -> list[int]:
        held = self._held(s, user_id, role)
        if not held:
            raise PermissionDenied(f"只有{ROLES[role]}可以{what}。")
        return held

    @staticmethod
    def _in_scope(org_ids: Sequence[int]) -> ColumnElement[bool]:
        """Organizations at or below any of ``org_ids``, or whose approving body is one of them."""
        return or_(
            *[Organization.path.like(f"%/{i}/%") for i in org_ids], Organization.approver_id.in_(org_ids)
        )

    # ---- auditors -------------------------------------------------------------------------------------

    def search_options(self, user_id: int, org_limit: int = ORG_OPTIONS_LIMIT) -> FilterOptions:
        with self.db.read() as s:
            scope = self._require(s, user_id, "auditor", "查询全部申请")
            ids = s.scalars(select(Organization.id).where(self._in_scope(scope)).limit(org_limit + 1)).all()
            if len(ids) > org_limit:
                return FilterOptions((), *self._workflow_options(s), orgs_by_name=True)
            return FilterOptions(
                _org_options(s.scalars(select(Organization).where(Organization.id.in_(ids)))),
                *self._workflow_options(s),
            )

    def _workflow_options(self, s: Session) -> tuple[tuple[tuple[str, str], ...], tuple[StateOption, ...]]:
        rows = s.execute(
            select(WorkflowDefinitionRow).order_by(
                WorkflowDefinitionRow.name, WorkflowDefinitionRow.version.desc()
            )
        ).scalars()
        workflows: dict[str, str] = {}
        states: dict[tuple[str, str], StateOption] = {}
        for row in rows:
            d = self.catalog.by_row(row)
            workflows.setdefault(d.name, d.title)
            for st in d.states:
                states.setdefault(
                    (d.name, st.name), StateOption(d.name, workflows[d.name], st.name, st.title)
                )
        return tuple(workflows.items()), tuple(states.values())

    def search(
        self, user_id: int, criteria: SearchCriteria, page: int = 1, per_page: int = 20
    ) -> Page[RequestRow]:
        """Every request in the auditor's scope that matches, newest first."""
        with self.db.read() as s:
            scope = self._require(s, user_id, "auditor", "查询全部申请")
            q: Select[Any] = (
                select(Instance)
                .join(Organization, Organization.id == Instance.org_id)
                .where(self._in_scope(scope))
            )
            c = criteria
            if c.org_id:
                target = s.get(Organization, c.org_id)
                if target is None:
                    raise NotFound(f"组织 {c.org_id} 不存在。")
                q = q.where(Organization.path.like(f"{target.path}%"))
            if c.org_name and c.org_name.strip():
                q = q.where(Organization.name.contains(c.org_name.strip(), autoescape=True))
            if c.workflow:
                q = q.where(Instance.workflow == c.workflow)
            if c.state:
                q = q.where(Instance.state == c.state)
            if c.status:
                q = q.where(Instance.status == c.status)
            if c.date_from:
                q = q.where(Instance.created_at >= start_of_china_day(c.date_from))
            if c.date_to:
                q = q.where(Instance.created_at < start_of_china_day(c.date_to + dt.timedelta(days=1)))
            if c.actor and c.actor.strip():
                needle = f"%{c.actor.strip()}%"
                acted = (
                    select(AuditEvent.id)
                    .outerjoin(User, User.id == AuditEvent.actor_id)
                    .where(
                        AuditEvent.instance_id == Instance.id,
                        or_(AuditEvent.actor_name.like(needle), User.username.like(needle)),
                    )
                )
                q = q.where(exists(acted))
            total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
            rows = s.scalars(
                q.order_by(Instance.created_at.desc(), Instance.id.desc())
                .limit(per_page)
                .offset((max(page, 1) - 1) * per_page)
            )
            return Page(tuple(self._row(i) for i in rows), total, page, per_page)

    def _row(self, inst: Instance) -> RequestRow:
        d = self.catalog.by_row(inst.definition)
        try:
            state_title = d.state(inst.state).title
        except KeyError:
            state_title = inst.state
        return RequestRow(
            inst.id,
            inst.title,
            d.name,
            d.title,
            inst.org_id,
            inst.org.name,
            inst.state,
            state_title,
            inst.status,
            title_of(InstanceStatus, inst.status),
            inst.initiator.display_name,
            inst.created_at,
            inst.updated_at,
        )

    # ---- everyone ------------------------------------------------------------------------------------

    def inbox_options(self, user_id: int, org_limit: int = ORG_OPTIONS_LIMIT) -> FilterOptions:
        """Filter choices for the inbox: only what occurs among the user's own open tasks."""
        with self.db.read() as s:
            mine = (
                select(Task)
                .join(Instance, Instance.id == Task.instance_id)
                .where(open_tasks_of(user_id, assignments_of(s, user_id)))
            )
            steps = s.execute(mine.with_only_columns(Instance.workflow, Task.state).distinct()).all()
            org_ids = s.scalars(mine.with_only_columns(Instance.org_id).distinct().limit(org_limit + 1)).all()
            orgs_by_name = len(org_ids) > org_limit
            orgs = (
                ()
                if orgs_by_name or not org_ids
                else _org_options(s.scalars(select(Organization).where(Organization.id.in_(org_ids))))
            )
            workflows = {}
            states = []
            for wf, st in sorted({(r.workflow, r.state) for r in steps}):
                d = self.catalog.current.get(wf)
                title = d.title if d else wf
                workflows[wf] = title
                try:
                    state_title = d.state(st).title if d else st
                except KeyError:
                    state_title = st
                states.append(StateOption(wf, title, st, state_title))
            return FilterOptions(orgs, tuple(workflows.items()), tuple(states), orgs_by_name)

    def start_context(self, user_id: int, workflow: str) -> StartContext:
        """The organizations this user may start ``workflow`` for, each with its pre-filled values."""
        definition = self.catalog.latest(workflow)
        role = definition.roles[definition.start.role]
        with self.db.read() as s:
            ids = self._held(s, user_id, role.role) if role.of == "self" else []
            orgs = list(
                s.scalars(
                    select(Organization).where(
                        Organization.id.in_(ids), Organization.type.in_(definition.start.org_types)
                    )
                )
            )
            if not orgs:
                raise PermissionDenied(f"您没有可以发起“{definition.title}”的组织。")
            prefill: dict[int, dict[str, Any]] = {}
            for org in orgs:
                ancestor_ids = [int(x) for x in org.path.strip("/").split("/")[:-1] if x]
                by_id = {
                    o.id: o for o in s.scalars(select(Organization).where(Organization.id.in_(ancestor_ids)))
                }
                settings = effective_settings(definition, org, [by_id[i] for i in ancestor_ids if i in by_id])
                prefill[org.id] = {
                    f.name: resolve_prefill(f.prefill, org, {}, settings)
                    for f in definition.start.form
                    if f.prefill
                }
            active = dict(
                s.execute(
                    select(Instance.org_id, Instance.id).where(
                        Instance.workflow == definition.name,
                        Instance.status == "active",
                        Instance.org_id.in_([o.id for o in orgs]),
                    )
                ).all()
            )
            return StartContext(definition, _org_options(orgs), prefill, active)

    def visited_states(self, trail: Iterable[AuditView]) -> list[str]:
        seen: list[str] = []
        for e in trail:
            for st in (e.from_state, e.to_state):
                if st and st not in seen:
                    seen.append(st)
        return seen

    # ---- administrators ------------------------------------------------------------------------------

    def org_tree(self, user_id: int) -> list[OrgRow]:
        with self.db.read() as s:
            self._require(s, user_id, "admin", "查看组织架构")
            orgs = {o.id: o for o in s.scalars(select(Organization))}
            active = dict(
                s.execute(
                    select(Instance.org_id, func.count())
                    .where(Instance.status == "active")
                    .group_by(Instance.org_id)
                ).all()
            )
            today = china_date(self.clock())
            out = []
            for opt in _org_options(orgs.values()):
                o = orgs[opt.id]
                parent = orgs.get(o.parent_id) if o.parent_id else None
                approver = orgs.get(o.approver_id) if o.approver_id else None
                out.append(
                    OrgRow(
                        o.id,
                        o.code,
                        o.name,
                        o.type,
                        ORG_TYPES.get(o.type, o.type),
                        opt.depth,
                        parent.name if parent else None,
                        approver.name if approver else None,
                        o.full_members,
                        o.probationary_members,
                        o.term_start,
                        o.term_end,
                        bool(o.term_end and o.term_end < today),
                        active.get(o.id, 0),
                    )
                )
            return out

    def users(self, user_id: int) -> list[UserRow]:
        with self.db.read() as s:
            self._require(s, user_id, "admin", "查看用户")
            roles: dict[int, list[tuple[str, str]]] = {}
            for r in s.execute(
                select(RoleAssignment.user_id, RoleAssignment.role, Organization.name)
                .join(Organization, Organization.id == RoleAssignment.org_id)
                .order_by(Organization.path, RoleAssignment.role)
            ):
                roles.setdefault(r.user_id, []).append((ROLES.get(r.role, r.role), r.name))
            return [
                UserRow(
                    u.id,
                    u.username,
                    u.display_name,
                    u.is_active,
                    u.locked_until,
                    tuple(roles.get(u.id, [])),
                    u.created_at,
                )
                for u in s.scalars(select(User).order_by(User.username))
            ]

    def definitions(self, user_id: int) -> list[DefinitionRow]:
        with self.db.read() as s:
            self._require(s, user_id, "admin", "查看流程定义")
            counts: dict[int, tuple[int, int]] = {}
            for def_id, status, n in s.execute(
                select(Instance.definition_id, Instance.status, func.count()).group_by(
                    Instance.definition_id, Instance.status
                )
            ):
                a, t = counts.get(def_id, (0, 0))
                counts[def_id] = (a + (n if status == "active" else 0), t + n)
            out = []
            for row in s.scalars(
                select(WorkflowDefinitionRow).order_by(
                    WorkflowDefinitionRow.name, WorkflowDefinitionRow.version.desc()
                )
            ):
                current = self.catalog.current.get(row.name)
                is_current = current is not None and current.version == row.version
                a, t = counts.get(row.id, (0, 0))
                out.append(
                    DefinitionRow(
                        row.name,
                        row.title,
                        row.version,
                        row.sha256,
                        row.loaded_at,
                        is_current,
                        current.file if is_current and current else None,
                        a,
                        t,
                    )
                )
            return out

    def calendar_coverage(self, user_id: int) -> calendar.Coverage:
        """The years whose holidays deadlines are counted with (the rest fall back to Monday–Friday)."""
        with self.db.read() as s:
            self._require(s, user_id, "admin", "查看工作日历")
        return calendar.coverage()

    def definition(self, user_id: int, name: str, version: int) -> WorkflowDefinition:
        with self.db.read() as s:
            self._require(s, user_id, "admin", "查看流程定义")
            row = s.scalar(
                select(WorkflowDefinitionRow).where(
                    WorkflowDefinitionRow.name == name, WorkflowDefinitionRow.version == version
                )
            )
            if row is None:
                raise NotFound(f"流程“{name}”第 {version} 版不存在。")
            return self.catalog.by_row(row)
