"""The sweep: remind before deadlines, escalate after them, and watch Party organizations' terms.

``sweep(now)`` is idempotent and safe to run from several processes at once:

* Due tasks are found through the partial index on ``tasks.next_alert_at`` (open tasks only), so a sweep
  costs what is due, not what is open.
* A sweeper first *claims* a batch of due tasks with a conditional UPDATE that sets a lease
  (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent sweepers take disjoint batches), then handles
  each task in its own transaction. A sweeper that dies leaves leases that expire; the next sweep takes
  the tasks over. Handling a task advances ``next_alert_at`` in the same transaction as its audit event
  and notifications, so nothing is ever recorded twice.
* The instance row is locked while an alert is recorded, which orders the alert in the instance's hash
  chain with any concurrent ``act()``.
* The term watch inserts a ``term_alerts`` row with a unique key before notifying: whoever inserts it
  first raises the alert, everyone else skips it.
* Last, the sweep seals the audit events older than the sealer's grace period
  (:mod:`flowengine.service.audit.seal`; concurrent sealers agree on one seal chain). It seals up to the
  clock's time, never a later ``now``: a sweep simulated in the future must not seal ahead of real writes.
  Nor does a sweep run at a ``now`` before the last seal's cutoff: the events it would write, dated inside a
  sealed period, would be reported by ``audit verify`` as written after the fact — for ever.
* The counts a sweep returns are what committed: a batch (or a term alert) whose transaction rolled back
  counts only as skipped.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Table, and_, insert, or_, select, update
from sqlalchemy.orm import Session, joinedload

from flowengine.chinese import china_date, chinese_date
from flowengine.clock import Clock
from flowengine.definitions.model import StateDef, WorkflowDefinition
from flowengine.engine.calendar import working_days_between
from flowengine.engine.deadlines import reminder_times
from flowengine.engine.roles import Assignment, resolve_role
from flowengine.persistence.db import Database
from flowengine.persistence.models import (
    Instance,
    Notification,
    RoleAssignment,
    Task,
    User,
)
from flowengine.service import audit
from flowengine.service.audit.seal import AuditSealer
from flowengine.service.catalog import Catalog
from flowengine.service.requests.flow import org_info
from flowengine.service.sweep.term_watch import TermWatch
from flowengine.service.sweep.timers import Timers
from flowengine.vocabulary import ROLES

log = logging.getLogger(__name__)

_T = Task.__table__.c


@dataclass(frozen=True)
class TermWatchConfig:
    """How early to remind a branch of its term's end, and whom of its superior to tell once it has passed.

    Which procedures answer the watch is said by the definitions (``term_watch``); the defaults follow
    ../shared/domain/procedures.md: the superior reminds a branch about six months (≈ 120 working days)
    before its term ends.
    """

    reminder_working_days: int = 120
    notify_superior_roles: tuple[str, ...] = ("handler", "leader")


@dataclass
class SweepCounts:
    reminders: int = 0
    escalations: int = 0
    reassignments: int = 0
    co_approvals: int = 0
    term_reminders: int = 0
    terms_expired: int = 0
    notifications: int = 0
    emails: int = 0
    skipped: int = 0
    sealed: int = 0  # audit events sealed
    timers: int = 0  # state timers fired (steps that ended by themselves, reminders that cannot be forgotten)

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)

    def add(self, other: SweepCounts) -> None:
        """Add what another (committed) piece of work did."""
        for name, value in other.__dict__.items():
            setattr(self, name, getattr(self, name) + value)

    @property
    def total(self) -> int:
        return self.reminders + self.escalations + self.term_reminders + self.terms_expired + self.timers


@dataclass(frozen=True)
class _Plan:
    """What the sweep will do for one due task: remind, escalate (notify/reassign/co_approve) or nothing."""

    task: Task
    definition: WorkflowDefinition
    state: StateDef
    mode: str
    target: Assignment | None


@dataclass
class Escalator:
    db: Database
    catalog: Catalog
    clock: Clock
    term_watch: TermWatchConfig = field(default_factory=TermWatchConfig)
    lease_seconds: int = 300
    batch_size: int = 200
    owner: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}")
    mailer: Callable[[dt.datetime], int] | None = None
    sealer: AuditSealer | None = None
    #: Fires the states' timers (set by the service wiring; it needs the flow service to take actions).
    timers: Timers | None = None
    # Bounds the sealing work of one sweep when a backlog (a database sealed for the first time) is split
    # into many seals; the following sweeps go on with the rest.
    max_seals_per_sweep: int = 10

    # ---- the sweep ---------------------------------------------------------------------------------

    def sweep(self, now: dt.datetime | None = None) -> SweepCounts:
        """Handle everything due at ``now`` (default: the clock); returns what was done (and committed).

        Raises :class:`~flowengine.service.audit.seal.SealedPast` when ``now`` is before the last seal's cutoff.
        """
        now = now or self.clock()
        if self.sealer is not None:
            self.sealer.refuse_sealed(now)
        counts = SweepCounts()
        while True:
            claimed = self.claim(now)
            if not claimed:
                break
            batch = SweepCounts()  # added to the sweep's counts only once the batch has committed
            try:
                self._handle_batch(claimed, now, batch)
            except Exception:  # the whole batch rolled back; its leases expire and another sweep retries
                log.exception("sweep: a batch of %d tasks failed and will be retried", len(claimed))
                counts.skipped += len(claimed)
                break
            counts.add(batch)
            if len(claimed) < self.batch_size:
                break
        if self.timers is not None:
            fired, skipped = self.timers.run(now)
            counts.timers += fired
            counts.skipped += skipped
        TermWatch(self.db, self.catalog, self.term_watch).run(now, counts)
        if self.mailer is not None:
            counts.emails += self.mailer(now)
        if self.sealer is not None:
            try:
                seals = self.sealer.seal(min(now, self.clock()), max_seals=self.max_seals_per_sweep)
                counts.sealed += sum(seal.event_count for seal in seals)
            except Exception:  # the alerts are recorded already; the next sweep seals what this one could not
                log.exception("sweep: sealing the audit trail failed; the next sweep retries")
        if counts.total:
            log.info("sweep at %s: %s", now.isoformat(), counts.as_dict())
        return counts

    def claim(self, now: dt.datetime) -> list[int]:
        """Lease up to ``batch_size`` due tasks to this sweeper (committed before they are handled)."""
        due = (
            select(_T.id)
            .where(
                _T.closed_at.is_(None),
                _T.next_alert_at <= now,
                or_(_T.lease_expires_at.is_(None), _T.lease_expires_at < now),
            )
            .order_by(_T.next_alert_at)
            .limit(self.batch_size)
        )
        with self.db.write() as s:
            if self.db.dialect == "postgresql":
                due = due.with_for_update(skip_locked=True)
            rows = (
                s.execute(
                    update(cast(Table, Task.__table__))
                    .where(_T.id.in_(due.scalar_subquery()))
                    .values(
                        lease_owner=self.owner,
                        lease_expires_at=now + dt.timedelta(seconds=self.lease_seconds),
                    )
                    .returning(_T.id)
                )
                .scalars()
                .all()
            )
        return sorted(rows)

    def _handle_batch(self, task_ids: list[int], now: dt.datetime, counts: SweepCounts) -> None:
        """Alerts for a claimed batch, in one transaction: all recorded, or none (and retried)."""
        with self.db.write() as s:
            conn = s.connection()
            instance_ids = sorted(
                set(conn.execute(select(_T.instance_id).where(_T.id.in_(task_ids))).scalars())
            )
            # Lock the instances (in id order, against deadlocks), as act() does by updating them, so alerts
            # and actions are ordered in each instance's hash chain.
            conn.execute(
                select(Instance.id)
                .where(Instance.id.in_(instance_ids))
                .order_by(Instance.id)
                .with_for_update()
            )
            tasks = list(
                s.scalars(
                    select(Task)
                    .where(Task.id.in_(task_ids), Task.lease_owner == self.owner)
                    .options(joinedload(Task.instance).joinedload(Instance.org))
                    .order_by(Task.id)
                )
            )
            plans = []
            pairs: set[tuple[str, int]] = set()
            for task in tasks:
                if task.closed_at is not None or task.next_alert_at is None or task.next_alert_at > now:
                    task.lease_owner, task.lease_expires_at = None, None
                    continue
                try:
                    plan = self._plan(s, task, now)
                except Exception:  # a broken definition or row must not hold up the rest of the batch
                    log.exception(
                        "sweep: task %s skipped; it will be retried when its lease expires", task.id
                    )
                    counts.skipped += 1
                    continue
                plans.append(plan)
                pairs.add((task.role, task.org_id) if task.assignee_id is None else ("", 0))
                if plan.target is not None:
                    pairs.add((plan.target.role, plan.target.org_id))
            holders = self._holders_of(s, pairs)
            notes: list[dict[str, object]] = []
            events: list[dict[str, object]] = []
            for plan in plans:
                self._apply(s, plan, holders, now, counts, notes, events)
            if notes:
                conn.execute(insert(cast(Table, Notification.__table__)), notes)
                counts.notifications += len(notes)
            audit.append_many(s, events)

    def _plan(self, s: Session, task: Task, now: dt.datetime) -> _Plan:
        inst = task.instance
        definition = self.catalog.by_id(s, inst.definition_id)
        state = definition.state(task.state)
        deadline = state.deadline
        if deadline is None or task.due_at is None:
            return _Plan(task, definition, state, "none", None)
        if task.due_at > now:
            return _Plan(task, definition, state, "reminder", None)
        target = (
            resolve_role(definition.roles[deadline.escalate_to], org_info(inst.org))
            if deadline.escalate_to
            else None
        )
        return _Plan(task, definition, state, deadline.escalation if target else "notify", target)

    def _holders_of(self, s: Session, pairs: set[tuple[str, int]]) -> dict[tuple[str, int], list[int]]:
        real = [p for p in pairs if p[0]]
        out: dict[tuple[str, int], list[int]] = {p: [] for p in real}
        if not real:
            return out
        rows = s.execute(
            select(RoleAssignment.role, RoleAssignment.org_id, RoleAssignment.user_id)
            .join(User, User.id == RoleAssignment.user_id)
            .where(
                User.is_active.is_(True),
                or_(*[and_(RoleAssignment.role == r, RoleAssignment.org_id == o) for r, o in real]),
            )
            .order_by(RoleAssignment.user_id)
        )
        for role, org_id, user_id in rows:
            out[(role, org_id)].append(user_id)
        return out

    def _apply(
        self,
        s: Session,
        plan: _Plan,
        holders: dict[tuple[str, int], list[int]],
        now: dt.datetime,
        counts: SweepCounts,
        notes: list[dict[str, object]],
        events: list[dict[str, object]],
    ) -> None:
        task, definition, state = plan.task, plan.definition, plan.state
        inst = task.instance
        mine = (
            [task.assignee_id] if task.assignee_id is not None else holders.get((task.role, task.org_id), [])
        )

        def notify(users: list[int], kind: str, title: str, body: str) -> None:
            notes.extend(
                dict(
                    user_id=u,
                    kind=kind,
                    title=title,
                    body=body,
                    instance_id=inst.id,
                    org_id=inst.org_id,
                    created_at=now,
                    read_at=None,
                    emailed_at=None,
                )
                for u in dict.fromkeys(users)
            )

        def record(kind: str, role: str, org_id: int, data: dict[str, object]) -> None:
            events.append(
                dict(
                    at=now,
                    kind=kind,
                    instance_id=inst.id,
                    role=role,
                    org_id=org_id,
                    from_state=task.state,
                    to_state=task.state,
                    data=data,
                )
            )

        task.alerts_sent += 1
        task.lease_owner, task.lease_expires_at = None, None
        if plan.mode == "none":
            task.next_alert_at = None
            return
        assert task.due_at is not None and state.deadline is not None
        due_text = _china_text(task.due_at)
        base: dict[str, object] = {"task_id": task.id, "due_at": _iso(task.due_at), "recipients": mine}
        # The request's title usually names its procedure already; say the procedure only when it does not.
        subject = inst.title if definition.title in inst.title else f"{inst.title}（{definition.title}）"
        if plan.mode == "reminder":
            notify(
                mine,
                "reminder",
                f"【催办】{inst.title}：“{state.title}”将于{due_text}到期",
                f"{subject}当前步骤“{state.title}”须在{due_text}前办理，"
                f"还剩{_time_left(task.due_at, now, state.deadline.unit)}。",
            )
            record("reminder", task.role, task.org_id, base | {"alert": task.alerts_sent})
            upcoming = [t for t in sorted(reminder_times(task.due_at, state.deadline)) if t > now]
            task.next_alert_at = upcoming[0] if upcoming else task.due_at
            counts.reminders += 1
            return
        title = f"【超期】{inst.title}：“{state.title}”已于{due_text}到期"
        body = f"{subject}的步骤“{state.title}”已超过办理时限（{due_text}）。"
        notify(mine, "overdue", title, body + "请尽快办理。")
        task.next_alert_at, task.escalated = None, True
        target = plan.target
        data: dict[str, object] = base | {"mode": plan.mode}
        kind, role, org_id = "escalation", task.role, task.org_id
        if target is not None:
            superiors = holders.get((target.role, target.org_id), [])
            who = ROLES.get(target.role, target.role)
            data |= {"to_role": target.role, "to_org_id": target.org_id, "superiors": superiors}
            role, org_id = target.role, target.org_id
            if plan.mode == "reassign":
                notify(superiors, "escalation", title, body + f"该事项已转由您（{who}）办理。")
                data |= {"from_role": task.role, "from_org_id": task.org_id}
                task.role, task.org_id, task.assignee_id = target.role, target.org_id, None
                kind = "reassignment"
                counts.reassignments += 1
            elif plan.mode == "co_approve":
                notify(superiors, "escalation", title, body + f"请您（{who}）共同督办，可直接办理。")
                s.add(
                    Task(
                        instance_id=inst.id,
                        state=task.state,
                        role=target.role,
                        org_id=target.org_id,
                        opened_at=now,
                        due_at=None,
                        next_alert_at=None,
                        alerts_sent=0,
                        escalated=True,
                    )
                )
                counts.co_approvals += 1
            else:
                notify(superiors, "escalation", title, body + f"请您（{who}）督促办理。")
        record(kind, role, org_id, data)
        counts.escalations += 1

    def _role_holders(self, s: Session, role: str, org_id: int) -> list[int]:
        return self._holders_of(s, {(role, org_id)})[(role, org_id)]

    def _notify(
        self,
        s: Session,
        users: Iterable[int],
        kind: str,
        title: str,
        body: str,
        now: dt.datetime,
        counts: SweepCounts,
        instance_id: int | None = None,
        org_id: int | None = None,
    ) -> None:
        rows = [
            dict(
                user_id=u,
                kind=kind,
                title=title,
                body=body,
                instance_id=instance_id,
                org_id=org_id,
                created_at=now,
                read_at=None,
                emailed_at=None,
            )
            for u in dict.fromkeys(users)
        ]
        if rows:
            s.execute(insert(cast(Table, Notification.__table__)), rows)
            counts.notifications += len(rows)

    # ---- heartbeat ---------------------------------------------------------------------------------

    def open_leases(self) -> int:
        with self.db.read() as s:
            return len(
                s.scalars(
                    select(_T.id).where(and_(_T.lease_owner.is_not(None), _T.closed_at.is_(None)))
                ).all()
            )


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.astimezone(dt.UTC).isoformat() if moment else None


def _china_text(moment: dt.datetime) -> str:
    """The last China day before ``moment`` (a due time is the end of its day), the Chinese way."""
    return chinese_date(china_date(moment - dt.timedelta(microseconds=1)))


def _time_left(due: dt.datetime, now: dt.datetime, unit: str) -> str:
    """Days left before ``due`` (the end of its China day), counted in the deadline's own unit."""
    last_day, today = china_date(due - dt.timedelta(microseconds=1)), china_date(now)
    if unit == "working_days":
        return f" {working_days_between(today, last_day)} 个工作日"
    return f" {(last_day - today).days} 天"
