"""Steps that end by themselves: the sweep fires each due state timer exactly once.

A sweeper first leases a batch of due timers (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so concurrent
sweepers take disjoint batches), then fires each in a transaction of its own: the request row is locked,
the timer is marked fired by a conditional UPDATE (only one sweeper's succeeds, whatever happens), and the
action is taken for the system in the same transaction — so a timer fires once or not at all. A timer whose
request has meanwhile left its state is cancelled instead.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import cast

from sqlalchemy import Table, or_, select, update

from flowengine.clock import Clock
from flowengine.engine.roles import resolve_role
from flowengine.persistence.db import Database
from flowengine.persistence.models import Instance, Task, Timer
from flowengine.service import audit
from flowengine.service.notify.notifications import holders, send
from flowengine.service.requests.flow import FlowService
from flowengine.service.requests.states import SYSTEM_NAME, Performer
from flowengine.vocabulary import AuditKind, InstanceStatus, NotificationKind, TaskKind

log = logging.getLogger(__name__)

_TM, _I, _T = cast(Table, Timer.__table__).c, cast(Table, Instance.__table__).c, cast(Table, Task.__table__).c


class Timers:
    def __init__(
        self,
        db: Database,
        flow: FlowService,
        clock: Clock,
        owner: str,
        *,
        lease_seconds: int = 300,
        batch: int = 200,
    ) -> None:
        self.db = db
        self.flow = flow
        self.clock = clock
        self.owner = owner
        self.lease_seconds = lease_seconds
        self.batch = batch

    def claim(self, now: dt.datetime) -> list[int]:
        due = (
            select(_TM.id)
            .where(
                _TM.fired_at.is_(None),
                _TM.cancelled_at.is_(None),
                _TM.due_at <= now,
                or_(_TM.lease_expires_at.is_(None), _TM.lease_expires_at < now),
            )
            .order_by(_TM.due_at)
            .limit(self.batch)
        )
        with self.db.write() as s:
            if self.db.dialect == "postgresql":
                due = due.with_for_update(skip_locked=True)
            ids = (
                s.execute(
                    update(cast(Table, Timer.__table__))
                    .where(_TM.id.in_(due.scalar_subquery()))
                    .values(
                        lease_owner=self.owner,
                        lease_expires_at=now + dt.timedelta(seconds=self.lease_seconds),
                    )
                    .returning(_TM.id)
                )
                .scalars()
                .all()
            )
        return sorted(ids)

    def run(self, now: dt.datetime) -> tuple[int, int]:
        """Fire every due timer; returns (fired, skipped) counting only what committed."""
        fired = skipped = 0
        while True:
            claimed = self.claim(now)
            for timer_id in claimed:
                try:
                    if self._fire(timer_id, now):
                        fired += 1
                except Exception:  # one broken request must not hold up the others; its lease expires
                    log.exception(
                        "sweep: timer %s failed and will be retried when its lease expires", timer_id
                    )
                    skipped += 1
            if len(claimed) < self.batch:
                return fired, skipped

    def _fire(self, timer_id: int, now: dt.datetime) -> bool:
        with self.db.write() as s:
            conn = s.connection()
            timer = conn.execute(select(Timer.__table__).where(_TM.id == timer_id)).first()
            if timer is None or timer.lease_owner != self.owner:
                return False
            conn.execute(select(_I.id).where(_I.id == timer.instance_id).with_for_update())
            won = conn.execute(
                update(cast(Table, Timer.__table__))
                .where(_TM.id == timer_id, _TM.fired_at.is_(None), _TM.cancelled_at.is_(None))
                .values(fired_at=now, lease_owner=None, lease_expires_at=None)
            )
            if won.rowcount != 1:
                return False  # another sweeper fired it, or the state was left meanwhile
            row, org, definition = self.flow._locate(s, timer.instance_id, None, now)
            if row.status != InstanceStatus.ACTIVE or row.state != timer.state:
                conn.execute(
                    update(cast(Table, Timer.__table__))
                    .where(_TM.id == timer_id)
                    .values(fired_at=None, cancelled_at=now)
                )
                return False
            state = definition.state(row.state)
            spec = state.timers[timer.position] if timer.position < len(state.timers) else state.timer
            reason = f"“{state.title}”期限已到"
            if timer.action:
                act = definition.action(timer.action)
                target = resolve_role(definition.roles[act.role], org.info)
                self.flow.perform(
                    s,
                    row,
                    org,
                    definition,
                    act,
                    Performer(None, SYSTEM_NAME, target.role, target.org_id, None, None, reason),
                    None,
                    f"{reason}，系统自动办理“{act.title}”。",
                    now,
                )
                return True
            text = spec.remind if spec and spec.remind else reason
            tasks = conn.execute(
                select(_T.role, _T.org_id, _T.assignee_id).where(
                    _T.instance_id == row.id,
                    _T.state == row.state,
                    _T.kind == TaskKind.STEP,
                    _T.closed_at.is_(None),
                )
            ).all()
            users: list[int] = []
            for t in tasks:
                users.extend([t.assignee_id] if t.assignee_id else holders(conn, t.role, t.org_id))
            send(
                conn,
                users,
                NotificationKind.TIMER,
                f"【到期提醒】{row.title}",
                f"{row.title}：{text}",
                now,
                instance_id=row.id,
                org_id=org.id,
            )
            audit.append(
                s,
                at=now,
                kind=AuditKind.TIMER,
                instance_id=row.id,
                actor_name=SYSTEM_NAME,
                from_state=row.state,
                to_state=row.state,
                comment=text,
                data={"timer_id": timer_id, "recipients": list(dict.fromkeys(users))},
            )
            return True
