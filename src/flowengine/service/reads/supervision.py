"""督导: where every subordinate organization stands with its term, and what each procedure's metrics say.

A superior organization does not only approve one request at a time; it must see that *every* organization
under it re-elects on time. This module answers that question for the people of a superior organization
(承办人, 分管领导, 纪检/巡察) from what the database already holds — organizations and their terms, the
running and finished requests, their open tasks and deadlines, the returns in the audit trail — so that
the supervision page, its exports, its charts and the 督导通报 all count the same way. Pure queries: no
Flask, nothing written.

The status of an organization's re-election, in order of precedence:

* ``in_progress`` — a re-election (or a request to postpone one) is running;
* ``completed`` — a re-election reached 批复③ during the current term (its effect started the term);
* ``postponed`` — the superior approved a postponement during the current term and the new end is ahead;
* ``not_started`` — none of these.

Flags: ``term_expired`` (term over, no procedure running, not postponed), ``step_overdue`` (the current
step is past its deadline) and ``returned_often`` (returned more than :data:`RETURN_LIMIT` times). The first
two make an organization *late*; days overdue are calendar days since the term end or the step's due day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from flowengine.chinese import china_date, chinese_date
from flowengine.clock import Clock
from flowengine.definitions.model import WorkflowDefinition
from flowengine.documents import layout
from flowengine.documents.bulletin import BulletinFacts, LateUnit, compose_bulletin
from flowengine.engine.calendar import working_days_between
from flowengine.errors import NotFound, PermissionDenied, ValidationFailed
from flowengine.metrics import Board, Metric, MetricInput, OpenTask, OrgRecord, RequestRecord
from flowengine.persistence.db import Database
from flowengine.persistence.models import AuditEvent, Instance, Organization, RoleAssignment, Task, User
from flowengine.service import access
from flowengine.service.catalog import Catalog
from flowengine.service.requests.flow import effective_settings
from flowengine.vocabulary import ORG_TYPES, ROLES, STEP_KINDS, AuditKind

#: Roles of a superior organization that may supervise everything under it.
SUPERVISOR_ROLES = ("handler", "leader", "auditor")
#: More returns than this on one request is worth a supervisor's look (the issue's "more than twice").
RETURN_LIMIT = 2

STATUS_TITLES = {
    "not_started": "未启动",
    "in_progress": "换届中",
    "completed": "已完成",
    "postponed": "已批准延期",
}
FLAG_TITLES = {"term_expired": "任期届满未启动换届", "step_overdue": "环节超期", "returned_often": "多次退回"}
LATE_FLAGS = ("term_expired", "step_overdue")
#: Filter values beyond the statuses: every late organization, or every flagged one.
FILTER_TITLES = {**STATUS_TITLES, "late": "超期/滞后", "flagged": "有预警"}
SORTS = {
    "tree": "组织架构顺序",
    "name": "名称",
    "type": "类型",
    "members": "正式党员",
    "term_end": "任期届满",
    "status": "状态",
    "overdue": "逾期天数",
}

#: Unit types in the order a bulletin lists them (larger units first).
TYPE_ORDER = ("committee", "general_branch", "branch", "work_committee")


# ---- results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupervisionRow:
    """One organization's re-election as a supervisor sees it."""

    org_id: int
    code: str
    name: str
    type: str
    type_title: str
    depth: int
    full_members: int
    term_end: dt.date | None
    status: str
    instance_id: int | None = None
    workflow: str | None = None
    #: How the running procedure stands to the term (renews or shifts it), and the phrase for completing it.
    term_role: str | None = None
    completed_label: str = ""
    procedure_title: str = ""
    step: str | None = None
    waiting_on: str | None = None
    due_on: dt.date | None = None
    completed_on: dt.date | None = None
    postponed_until: dt.date | None = None
    days_overdue: int = 0
    returns: int = 0
    flags: tuple[str, ...] = ()

    @property
    def status_title(self) -> str:
        return STATUS_TITLES[self.status]

    @property
    def late(self) -> bool:
        return any(f in LATE_FLAGS for f in self.flags)

    @property
    def flag_titles(self) -> tuple[str, ...]:
        return tuple(FLAG_TITLES[f] for f in self.flags)

    @property
    def state_text(self) -> str:
        """The state in one phrase, as the table and the exports print it (dates the Chinese way)."""
        if self.status == "completed" and self.completed_on:
            label = f"{self.completed_label} " if self.completed_label else ""
            return f"已完成（{label}{chinese_date(self.completed_on)}）"
        if self.status == "postponed" and self.postponed_until:
            return f"已批准延期至{chinese_date(self.postponed_until)}"
        if self.status == "in_progress":
            prefix = f"{self.procedure_title}：" if self.term_role == "shifts" else ""
            return f"{prefix}{self.step or ''}"
        return "未启动"


@dataclass(frozen=True)
class OrgChoice:
    id: int
    name: str
    depth: int


@dataclass(frozen=True)
class Criteria:
    """What the supervisor filters and sorts by; every part optional."""

    status: str | None = None
    org_id: int | None = None
    sort: str = "tree"
    descending: bool = False


@dataclass(frozen=True)
class StepTime:
    state: str
    title: str
    average_working_days: float
    tasks: int


@dataclass(frozen=True)
class Overview:
    today: dt.date
    scope_names: tuple[str, ...]
    choices: tuple[OrgChoice, ...]
    criteria: Criteria
    rows: tuple[SupervisionRow, ...]  # filtered and sorted
    total: int  # organizations in the chosen sub-tree (before the status filter)
    status_counts: dict[str, int]
    flag_counts: dict[str, int]
    late: int
    due_by_month: tuple[tuple[str, int], ...]
    step_times: tuple[StepTime, ...]


@dataclass(frozen=True)
class MetricView:
    """A procedure's metric as the supervision page shows it: its board for the chosen period and scope."""

    metric: Metric
    date_from: dt.date
    date_to: dt.date
    choices: tuple[OrgChoice, ...]
    org_id: int | None
    board: Board


@dataclass(frozen=True)
class Bulletin:
    facts: BulletinFacts
    filename: str
    content: bytes


@dataclass
class _Scope:
    held: list[Organization]
    orgs: list[Organization] = field(default_factory=list)
    depth: dict[int, int] = field(default_factory=dict)


# ---- pure helpers ----------------------------------------------------------------------------------


def _state_title(definition: WorkflowDefinition, state: str) -> str:
    try:
        return definition.state(state).title
    except KeyError:
        return state


def tree_order(orgs: Iterable[Organization]) -> list[tuple[Organization, int]]:
    """Organizations parents first, siblings by code, each with its depth among the given ones."""
    rows = list(orgs)
    ids = {o.id for o in rows}
    children: dict[int | None, list[Organization]] = {}
    for o in rows:
        children.setdefault(o.parent_id if o.parent_id in ids else None, []).append(o)
    out: list[tuple[Organization, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for o in sorted(children.get(parent, []), key=lambda x: x.code):
            out.append((o, depth))
            walk(o.id, depth + 1)

    walk(None, 0)
    return out


def months_ahead(today: dt.date, count: int = 12) -> list[tuple[int, int]]:
    """(year, month) of the current month and the ``count - 1`` after it."""
    out = []
    y, m = today.year, today.month
    for _ in range(count):
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _sort_key(sort: str) -> Callable[[tuple[int, SupervisionRow]], Any]:
    far = dt.date.max
    keys: dict[str, Callable[[tuple[int, SupervisionRow]], Any]] = {
        "tree": lambda x: x[0],
        "name": lambda x: (x[1].name, x[0]),
        "type": lambda x: (TYPE_ORDER.index(x[1].type) if x[1].type in TYPE_ORDER else 99, x[0]),
        "members": lambda x: (x[1].full_members, x[0]),
        "term_end": lambda x: (x[1].term_end or far, x[0]),
        "status": lambda x: (list(STATUS_TITLES).index(x[1].status), x[0]),
        "overdue": lambda x: (x[1].days_overdue, x[0]),
    }
    return keys[sort]


def _matches(row: SupervisionRow, status: str | None) -> bool:
    if not status:
        return True
    if status == "late":
        return row.late
    if status == "flagged":
        return bool(row.flags)
    return row.status == status


# ---- the service -----------------------------------------------------------------------------------


class Supervision:
    def __init__(self, db: Database, catalog: Catalog, clock: Clock) -> None:
        self.db = db
        self.catalog = catalog
        self.clock = clock

    # ---- scope ---------------------------------------------------------------------------------------

    def _held(self, s: Session, user_id: int) -> list[Organization]:
        return list(
            s.scalars(
                select(Organization)
                .join(RoleAssignment, RoleAssignment.org_id == Organization.id)
                .join(User, User.id == RoleAssignment.user_id)
                .where(
                    RoleAssignment.user_id == user_id,
                    RoleAssignment.role.in_(SUPERVISOR_ROLES),
                    User.is_active.is_(True),
                )
                .distinct()
            )
        )

    def _scope(self, s: Session, user_id: int, org_types: Sequence[str] | None = None) -> _Scope:
        """The organizations below (or approved by) the ones where the user supervises; refuses others."""
        held = self._held(s, user_id)
        denied = PermissionDenied("只有上级党组织的承办人、分管领导或纪检/巡察可以查看督导情况。")
        if not held:
            raise denied
        ids = [o.id for o in held]
        below = or_(*[Organization.path.like(f"{o.path}%") for o in held], Organization.approver_id.in_(ids))
        q = select(Organization).where(below, Organization.id.not_in(ids))
        if org_types is not None:
            q = q.where(Organization.type.in_(org_types))
        orgs = list(s.scalars(q))
        if not orgs and not s.scalar(
            select(func.count()).select_from(Organization).where(below, Organization.id.not_in(ids))
        ):
            raise denied
        ordered = tree_order([*held, *orgs])
        scope = _Scope(held)
        scope.depth = {o.id: d for o, d in ordered}
        scope.orgs = [o for o, _ in ordered if o.id not in ids and (org_types is None or o.type in org_types)]
        return scope

    def may_supervise(self, user_id: int) -> bool:
        """Whether the navigation should offer the supervision page to this user."""
        with self.db.read() as s:
            held = self._held(s, user_id)
            if not held:
                return False
            ids = [o.id for o in held]
            below = or_(
                *[Organization.path.like(f"{o.path}%") for o in held], Organization.approver_id.in_(ids)
            )
            return bool(
                s.scalar(
                    select(func.count()).select_from(Organization).where(below, Organization.id.not_in(ids))
                )
            )

    @staticmethod
    def _choices(s: Session, scope: _Scope) -> tuple[OrgChoice, ...]:
        """Sub-trees one may narrow to: the user's own organizations and every one with units below."""
        parents = {o.parent_id for o in scope.orgs}
        pool = [*scope.held, *[o for o in scope.orgs if o.id in parents]]
        return tuple(OrgChoice(o.id, o.name, d) for o, d in tree_order(pool))

    @staticmethod
    def _narrow(s: Session, scope: _Scope, org_id: int | None) -> list[Organization]:
        if org_id is None:
            return scope.orgs
        known = {o.id: o for o in [*scope.held, *scope.orgs]}
        target = known.get(org_id)
        if target is None:
            raise NotFound(f"组织 {org_id} 不在您的督导范围内。")
        if target in scope.held:
            return scope.orgs
        return [o for o in scope.orgs if o.path.startswith(target.path)]

    # ---- re-elections --------------------------------------------------------------------------------

    def overview(self, user_id: int, criteria: Criteria | None = None) -> Overview:
        """Every organization of the chosen sub-tree with its re-election state, counts and chart data."""
        criteria = criteria or Criteria()
        if criteria.sort not in SORTS:
            raise ValidationFailed({"sort": f"不支持按“{criteria.sort}”排序"})
        if criteria.status and criteria.status not in FILTER_TITLES:
            raise ValidationFailed({"status": f"未知的状态“{criteria.status}”"})
        now = self.clock()
        today = china_date(now)
        with self.db.read() as s:
            scope = self._scope(s, user_id, self._election_types())
            orgs = self._narrow(s, scope, criteria.org_id)
            rows = self._rows(s, orgs, scope.depth, now)
            step_times = self._step_times(s, [o.id for o in orgs])
            choices = self._choices(s, scope)
        shown = [r for r in rows if _matches(r, criteria.status)]
        order = sorted(enumerate(shown), key=_sort_key(criteria.sort), reverse=criteria.descending)
        months = months_ahead(today)
        due = {ym: 0 for ym in months}
        for r in rows:
            if r.term_end and (r.term_end.year, r.term_end.month) in due:
                due[(r.term_end.year, r.term_end.month)] += 1
        return Overview(
            today=today,
            scope_names=tuple(o.name for o in scope.held),
            choices=choices,
            criteria=criteria,
            rows=tuple(r for _, r in order),
            total=len(rows),
            status_counts={k: sum(1 for r in rows if r.status == k) for k in STATUS_TITLES},
            flag_counts={k: sum(1 for r in rows if k in r.flags) for k in FLAG_TITLES},
            late=sum(1 for r in rows if r.late),
            due_by_month=tuple((f"{y}年{m}月", due[(y, m)]) for y, m in months),
            step_times=step_times,
        )

    def _term_definitions(self, role: str) -> list[WorkflowDefinition]:
        """The current definitions that answer the term watch in ``role`` (renews or shifts the term)."""
        return [d for d in self.catalog.current.values() if d.term_watch and d.term_watch.role == role]

    def _election_types(self) -> tuple[str, ...]:
        types = {t for d in self._term_definitions("renews") for t in d.start.org_types}
        return tuple(sorted(types)) or ("committee", "general_branch", "branch")

    def _rows(  # noqa: C901 — one query per kind of fact, then each organization's status in order of precedence
        self, s: Session, orgs: list[Organization], depth: dict[int, int], now: dt.datetime
    ) -> list[SupervisionRow]:
        today = china_date(now)
        ids = [o.id for o in orgs]
        if not ids:
            return []
        renewing = {d.name for d in self._term_definitions("renews")}
        shifting = {d.name for d in self._term_definitions("shifts")}
        instances = list(
            s.scalars(
                select(Instance)
                .where(
                    Instance.org_id.in_(ids),
                    Instance.workflow.in_(renewing | shifting),
                    Instance.status.in_(("active", "completed")),
                )
                .order_by(Instance.id)
            )
        )
        active: dict[int, Instance] = {}
        completed: dict[tuple[int, str], Instance] = {}
        for inst in instances:
            if inst.status == "active":
                if inst.org_id not in active or inst.workflow in renewing:
                    active[inst.org_id] = inst
            elif inst.completed_at is not None:
                key = (inst.org_id, "renews" if inst.workflow in renewing else "shifts")
                prev = completed.get(key)
                if prev is None or (prev.completed_at or now) <= inst.completed_at:
                    completed[key] = inst
        active_ids = [i.id for i in active.values()]
        tasks: dict[int, list[Task]] = {}
        returns: dict[int, int] = {}
        holders: dict[tuple[str, int], list[str]] = {}
        names: dict[int, str] = {}
        if active_ids:
            for t in s.scalars(
                select(Task)
                .where(Task.instance_id.in_(active_ids), Task.closed_at.is_(None))
                .order_by(Task.id)
            ):
                tasks.setdefault(t.instance_id, []).append(t)
            # instance_id is nullable in audit_events (admin events have none), but IN never matches NULL.
            returns = {
                iid: n
                for iid, n in s.execute(
                    select(AuditEvent.instance_id, func.count())
                    .where(AuditEvent.instance_id.in_(active_ids), AuditEvent.kind == "return")
                    .group_by(AuditEvent.instance_id)
                )
                if iid is not None
            }
            pairs = {(t.role, t.org_id) for ts in tasks.values() for t in ts}
            task_orgs = {o for _, o in pairs}
            if task_orgs:
                names = dict(
                    s.execute(
                        select(Organization.id, Organization.name).where(Organization.id.in_(task_orgs))
                    ).all()
                )
                for role, org_id, name in s.execute(
                    select(RoleAssignment.role, RoleAssignment.org_id, User.display_name)
                    .join(User, User.id == RoleAssignment.user_id)
                    .where(RoleAssignment.org_id.in_(task_orgs), User.is_active.is_(True))
                    .order_by(User.username)
                ):
                    if (role, org_id) in pairs:
                        holders.setdefault((role, org_id), []).append(name)
        out = []
        for o in orgs:
            base: dict[str, Any] = dict(
                org_id=o.id,
                code=o.code,
                name=o.name,
                type=o.type,
                type_title=ORG_TYPES.get(o.type, o.type),
                depth=depth.get(o.id, 0),
                full_members=o.full_members,
                term_end=o.term_end,
            )
            running = active.get(o.id)
            if running is not None:
                out.append(
                    self._in_progress(
                        running,
                        tasks.get(running.id, []),
                        returns.get(running.id, 0),
                        holders,
                        names,
                        now,
                        base,
                    )
                )
                continue
            term_start = o.term_start or dt.date.min
            done = completed.get((o.id, "renews"))
            if done is not None and done.completed_at and china_date(done.completed_at) >= term_start:
                term = self.catalog.by_row(done.definition).term_watch
                out.append(
                    SupervisionRow(
                        **base,
                        status="completed",
                        instance_id=done.id,
                        workflow=done.workflow,
                        completed_label=term.completed if term else "",
                        completed_on=china_date(done.completed_at),
                    )
                )
                continue
            # A completed request that shifts the term was approved (a refusal ends as rejected).
            post = completed.get((o.id, "shifts"))
            if (
                post is not None
                and post.completed_at
                and china_date(post.completed_at) >= term_start
                and o.term_end
                and o.term_end >= today
            ):
                out.append(
                    SupervisionRow(
                        **base, status="postponed", instance_id=post.id, postponed_until=o.term_end
                    )
                )
                continue
            if o.term_end is not None and o.term_end < today:
                out.append(
                    SupervisionRow(
                        **base,
                        status="not_started",
                        due_on=o.term_end,
                        days_overdue=(today - o.term_end).days,
                        flags=("term_expired",),
                    )
                )
            else:
                out.append(SupervisionRow(**base, status="not_started"))
        return out

    def _in_progress(
        self,
        inst: Instance,
        tasks: list[Task],
        returns: int,
        holders: dict[tuple[str, int], list[str]],
        names: dict[int, str],
        now: dt.datetime,
        base: dict[str, Any],
    ) -> SupervisionRow:
        definition = self.catalog.by_row(inst.definition)
        try:
            step = definition.state(inst.state).title
        except KeyError:
            step = inst.state
        waiting = []
        for t in tasks:
            who = f"{names.get(t.org_id, '')}{ROLES.get(t.role, t.role)}"
            people = "、".join(holders.get((t.role, t.org_id), []))
            waiting.append(f"{people}（{who}）" if people else f"{who}（未配备人员）")
        due = [t.due_at for t in tasks if t.due_at is not None]
        flags = []
        due_on = None
        days = 0
        if due:
            first = min(due)
            due_on = china_date(first - dt.timedelta(microseconds=1))
            if now >= first:
                flags.append("step_overdue")
                days = max(1, (china_date(now) - due_on).days)
        if returns > RETURN_LIMIT:
            flags.append("returned_often")
        return SupervisionRow(
            **base,
            status="in_progress",
            instance_id=inst.id,
            workflow=inst.workflow,
            term_role=definition.term_watch.role if definition.term_watch else None,
            procedure_title=definition.title,
            step=step,
            waiting_on="；".join(waiting) or None,
            due_on=due_on,
            days_overdue=days,
            returns=returns,
            flags=tuple(flags),
        )

    def _step_times(self, s: Session, org_ids: list[int]) -> tuple[StepTime, ...]:
        """Average working days each re-election step took, over every finished task of the sub-tree."""
        if not org_ids:
            return ()
        spent: dict[str, list[int]] = {}
        for state, opened, closed in s.execute(
            select(Task.state, Task.opened_at, Task.closed_at)
            .join(Instance, Instance.id == Task.instance_id)
            .where(
                Instance.org_id.in_(org_ids),
                Instance.workflow.in_([d.name for d in self._term_definitions("renews")]),
                Task.closed_at.is_not(None),
            )
        ):
            if closed is None:
                raise RuntimeError(
                    f"step times: an open {state!r} task among the closed ones the query selects"
                )
            spent.setdefault(state, []).append(
                max(0, working_days_between(china_date(opened), china_date(closed)))
            )
        renewing = self._term_definitions("renews")
        d = renewing[0] if renewing else None
        order = [st.name for st in d.states] if d else sorted(spent)
        out = []
        for name in [*order, *sorted(set(spent) - set(order))]:
            if name in spent:
                try:
                    title = d.state(name).title if d else name
                except KeyError:
                    title = name
                days = spent[name]
                out.append(StepTime(name, title, round(sum(days) / len(days), 1), len(days)))
        return tuple(out)

    # ---- the procedures' metrics --------------------------------------------------------------------

    def metrics(self) -> list[Metric]:
        """The metrics of every procedure package whose definitions are loaded, in registry order."""
        loaded = set(self.catalog.current)
        return [m for _, m in self.catalog.registry.metrics() if loaded & set(m.workflows)]

    def metric(
        self, user_id: int, key: str, date_from: dt.date, date_to: dt.date, org_id: int | None = None
    ) -> MetricView:
        """One procedure's metric over the supervisor's scope (or a sub-tree of it) and a period."""
        now = self.clock()
        with self.db.read() as s:
            scope = self._scope(s, user_id)  # who may not supervise is refused before anything is looked up
            found = next((m for m in self.metrics() if m.key == key), None)
            if found is None:
                raise NotFound(f"没有名为“{key}”的督导视图。")
            if date_from > date_to:
                raise ValidationFailed({"date_to": "结束日期不能早于开始日期"})
            orgs = self._narrow(s, scope, org_id)
            records = self._records(s, orgs, found.workflows, now)
            choices = self._choices(s, scope)
            approving = {o.id: o.approver_id or o.parent_id for o in orgs}
            names = dict(
                s.execute(
                    select(Organization.id, Organization.name).where(
                        Organization.id.in_([i for i in approving.values() if i is not None])
                    )
                ).all()
            )
        inp = MetricInput(
            today=china_date(now),
            now=now,
            date_from=date_from,
            date_to=date_to,
            orgs=tuple(
                OrgRecord(
                    o.id,
                    o.code,
                    o.name,
                    o.type,
                    ORG_TYPES.get(o.type, o.type),
                    scope.depth.get(o.id, 0),
                    o.full_members,
                    o.probationary_members,
                    o.term_start,
                    o.term_end,
                    approving[o.id],
                    names.get(approving[o.id] or 0, ""),
                )
                for o in orgs
            ),
            requests=records,
            definitions={n: d for n, d in self.catalog.current.items() if n in found.workflows},
        )
        return MetricView(found, date_from, date_to, choices, org_id, found.compute(inp))

    def _records(
        self, s: Session, orgs: list[Organization], workflows: Sequence[str], now: dt.datetime
    ) -> tuple[RequestRecord, ...]:
        """The requests of ``workflows`` in ``orgs``, with what a metric may count (one query per kind)."""
        by_id = {o.id: o for o in orgs}
        if not by_id:
            return ()
        instances = list(
            s.scalars(
                select(Instance)
                .where(Instance.workflow.in_(tuple(workflows)), Instance.org_id.in_(list(by_id)))
                .order_by(Instance.id)
            )
        )
        ids = [i.id for i in instances]
        if not ids:
            return ()
        everyone = {o.id: o for o in s.scalars(select(Organization))}
        tasks: dict[int, list[Task]] = {}
        for task in s.scalars(
            select(Task).where(Task.instance_id.in_(ids), Task.closed_at.is_(None)).order_by(Task.id)
        ):
            tasks.setdefault(task.instance_id, []).append(task)
        returns = dict(
            s.execute(
                select(AuditEvent.instance_id, func.count())
                .where(AuditEvent.instance_id.in_(ids), AuditEvent.kind == AuditKind.RETURN)
                .group_by(AuditEvent.instance_id)
            ).all()
        )
        entered: dict[int, dict[str, dt.datetime]] = {}
        for iid, state, at in s.execute(
            select(AuditEvent.instance_id, AuditEvent.to_state, AuditEvent.at)
            .where(AuditEvent.instance_id.in_(ids), AuditEvent.kind.in_(tuple(STEP_KINDS)))
            .order_by(AuditEvent.id)
        ):
            if iid is not None and state:
                entered.setdefault(iid, {})[state] = at
        subjects = access.subject_names(s.connection(), ids)
        out = []
        for inst in instances:
            definition = self.catalog.by_row(inst.definition)
            org = by_id[inst.org_id]
            ancestors = [
                everyone[int(x)] for x in org.path.strip("/").split("/")[:-1] if x and int(x) in everyone
            ]
            out.append(
                RequestRecord(
                    id=inst.id,
                    org_id=inst.org_id,
                    workflow=inst.workflow,
                    version=definition.version,
                    title=inst.title,
                    state=inst.state,
                    state_title=_state_title(definition, inst.state),
                    status=inst.status,
                    data=dict(inst.data or {}),
                    created_at=inst.created_at,
                    completed_at=inst.completed_at,
                    settings=effective_settings(definition, org, ancestors),
                    open_tasks=tuple(
                        OpenTask(t.state, _state_title(definition, t.state), t.opened_at, t.due_at)
                        for t in tasks.get(inst.id, [])
                    ),
                    returns=int(returns.get(inst.id, 0)),
                    entered=entered.get(inst.id, {}),
                    subject=subjects.get(inst.id),
                )
            )
        return tuple(out)

    # ---- 督导通报 ----------------------------------------------------------------------------------------

    def bulletin_facts(
        self, user_id: int, date_from: dt.date, date_to: dt.date, org_id: int | None = None
    ) -> BulletinFacts:
        """What the bulletin reports for the period, counted as of today.

        Checked are the organizations whose re-election the period concerns: every one with a procedure
        running or postponed, every one that completed within the period, and every one whose term ends
        by the period's last day. Late are the checked ones with a lateness flag.
        """
        if date_from > date_to:
            raise ValidationFailed({"date_to": "结束日期不能早于开始日期"})
        ov = self.overview(user_id, Criteria(org_id=org_id))
        checked = [
            r
            for r in ov.rows
            if r.status in ("in_progress", "postponed")
            or (r.status == "completed" and r.completed_on and r.completed_on >= date_from)
            or (r.status == "not_started" and r.term_end is not None and r.term_end <= date_to)
        ]
        late = [r for r in checked if r.late]
        late.sort(
            key=lambda r: (TYPE_ORDER.index(r.type) if r.type in TYPE_ORDER else 99, -r.days_overdue, r.code)
        )
        issuer = self._issuer(user_id, org_id)
        return BulletinFacts(
            issuer=issuer[0],
            issuer_type=issuer[1],
            doc_prefix=issuer[2],
            date_from=date_from,
            date_to=date_to,
            today=ov.today,
            checked=len(checked),
            completed=sum(1 for r in checked if r.status == "completed"),
            in_progress=sum(1 for r in checked if r.status == "in_progress"),
            postponed=sum(1 for r in checked if r.status == "postponed"),
            not_started=sum(1 for r in checked if r.status == "not_started"),
            late=tuple(
                LateUnit(
                    r.name,
                    r.type_title,
                    r.step or ("任期届满未启动换届" if "term_expired" in r.flags else ""),
                    r.days_overdue,
                    r.waiting_on or "",
                )
                for r in late
            ),
        )

    def _issuer(self, user_id: int, org_id: int | None) -> tuple[str, str, str | None]:
        with self.db.read() as s:
            held = sorted(self._held(s, user_id), key=lambda o: (len(o.path), o.code))
            if not held:
                raise PermissionDenied("只有上级党组织的承办人、分管领导或纪检/巡察可以查看督导情况。")
            issuer = held[0]
            if org_id is not None:
                target = s.get(Organization, org_id)
                if target is not None:
                    for o in held:
                        if target.path.startswith(o.path):
                            issuer = o
            return issuer.name, issuer.type, issuer.doc_prefix

    def bulletin(
        self, user_id: int, date_from: dt.date, date_to: dt.date, number: str, org_id: int | None = None
    ) -> Bulletin:
        """The 督导通报 as a .docx in the GB/T 9704 layout (not stored: it is issued outside a request)."""
        number = number.strip()
        if not number:
            raise ValidationFailed({"number": "请填写通报的发文字号，例如 郑教工委〔2026〕3号"})
        if len(number) > 80:
            raise ValidationFailed({"number": "发文字号不能超过80个字"})
        facts = self.bulletin_facts(user_id, date_from, date_to, org_id)
        doc = compose_bulletin(facts, number)
        return Bulletin(
            facts, f"督导通报_{date_from.isoformat()}_{date_to.isoformat()}.docx", layout.render(doc)
        )
