"""The term watch: remind an organization before its term ends, and tell its superior once it has ended
with no re-election started.

Which procedures answer the watch is declared by the definitions (``term_watch: {role: renews}``): an
organization that started one of them during its current term is not chased. Each alert is raised once per
organization, kind and term end: whoever inserts the ``term_alerts`` row first (a unique key) raises it, so
several sweepers never double an alert, and a new term (a new end date) gets alerts of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from sqlalchemy import ColumnElement, Table, and_, case, exists, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from flowengine.chinese import china_date, chinese_date
from flowengine.engine.calendar import add_working_days
from flowengine.persistence.db import Database
from flowengine.persistence.models import (
    Instance,
    Notification,
    Organization,
    RoleAssignment,
    TermAlert,
    User,
)
from flowengine.service import audit
from flowengine.service.catalog import Catalog
from flowengine.vocabulary import AuditKind, InstanceStatus

if TYPE_CHECKING:
    from flowengine.service.sweep.escalation import SweepCounts, TermWatchConfig


def renewing_workflows(catalog: Catalog) -> tuple[str, ...]:
    """The procedures whose start answers the term watch (``term_watch: {role: renews}``)."""
    return tuple(n for n, d in catalog.current.items() if d.term_watch and d.term_watch.role == "renews")


def started_this_term(workflows: Iterable[str]) -> ColumnElement[bool]:
    """A request of ``workflows`` for the organization in scope, started during its current term."""
    return and_(
        Instance.org_id == Organization.id,
        Instance.workflow.in_(tuple(workflows)),
        Instance.status.in_((InstanceStatus.ACTIVE, InstanceStatus.COMPLETED)),
        or_(Organization.term_start.is_(None), Instance.created_at >= Organization.term_start),
    )


class TermWatch:
    def __init__(self, db: Database, catalog: Catalog, config: TermWatchConfig) -> None:
        self.db = db
        self.config = config
        self.workflows = renewing_workflows(catalog)

    def run(self, now: dt.datetime, counts: SweepCounts) -> None:
        today = china_date(now)
        horizon = add_working_days(today, self.config.reminder_working_days)
        # Only organizations with an alert still to raise: in the window or expired, without the alert of the
        # kind that applies now, and with no re-election started for this term.
        applicable = case(
            (Organization.term_end < today, AuditKind.TERM_EXPIRED.value), else_=AuditKind.TERM_REMINDER.value
        )
        with self.db.read() as s:
            due = s.execute(
                select(Organization.id, Organization.term_end)
                .where(
                    Organization.term_end.is_not(None),
                    Organization.term_end <= horizon,
                    ~exists().where(
                        TermAlert.org_id == Organization.id,
                        TermAlert.term_end == Organization.term_end,
                        TermAlert.kind == applicable,
                    ),
                    ~exists().where(started_this_term(self.workflows)),
                )
                .order_by(Organization.term_end)
            ).all()
        for org_id, term_end in due:
            if term_end is None:
                raise RuntimeError(
                    f"term watch: organization {org_id} has no term end, which the query excludes"
                )
            kind = AuditKind.TERM_EXPIRED if term_end < today else AuditKind.TERM_REMINDER
            alert = type(counts)()  # counted only once its transaction has committed
            try:
                with self.db.write() as s:
                    self._alert(s, org_id, term_end, kind, today, now, alert)
            except IntegrityError:
                continue  # another sweeper raised this alert first
            counts.add(alert)

    def _alert(
        self,
        s: Session,
        org_id: int,
        term_end: dt.date,
        kind: AuditKind,
        today: dt.date,
        now: dt.datetime,
        counts: SweepCounts,
    ) -> None:
        org = s.get(Organization, org_id)
        if org is None or org.term_end != term_end:
            return
        raised = s.scalar(
            select(TermAlert.id).where(
                TermAlert.org_id == org_id, TermAlert.kind == kind, TermAlert.term_end == term_end
            )
        )
        if raised is not None:
            return
        if s.scalar(
            select(Instance.id).where(Organization.id == org_id, started_this_term(self.workflows)).limit(1)
        ):
            return  # the re-election is under way (or done) for this term: nothing to chase
        s.execute(
            insert(cast(Table, TermAlert.__table__)).values(
                org_id=org_id, kind=kind, term_end=term_end, created_at=now
            )
        )
        s.flush()
        end_text = chinese_date(term_end)
        if kind is AuditKind.TERM_REMINDER:
            users = _holders(s, "secretary", org_id)
            left = (term_end - today).days
            _notify(
                s,
                users,
                kind,
                f"【换届提醒】{org.name}任期将于{end_text}届满",
                f"{org.name}本届任期将于{end_text}届满（还有 {left} 天），请及时研究换届工作，"
                "按程序向上级党组织报送换届请示。",
                now,
                org_id,
                counts,
            )
            counts.term_reminders += 1
        else:
            superior = org.approver_id or org.parent_id
            users = [
                u
                for role in self.config.notify_superior_roles
                if superior
                for u in _holders(s, role, superior)
            ]
            overdue = (today - term_end).days
            _notify(
                s,
                users,
                kind,
                f"【超期未换届】{org.name}任期已于{end_text}届满",
                f"{org.name}任期已于{end_text}届满，已超期 {overdue} 天，尚未启动换届程序，请督促其按期换届"
                "或按程序申请延期换届。",
                now,
                org_id,
                counts,
            )
            counts.terms_expired += 1
        audit.append(
            s,
            at=now,
            kind=kind,
            chain=f"org:{org_id}",
            org_id=org_id,
            data={"term_end": term_end.isoformat(), "recipients": users},
        )


def _holders(s: Session, role: str, org_id: int) -> list[int]:
    return list(
        s.scalars(
            select(RoleAssignment.user_id)
            .join(User, User.id == RoleAssignment.user_id)
            .where(RoleAssignment.role == role, RoleAssignment.org_id == org_id, User.is_active.is_(True))
            .order_by(RoleAssignment.user_id)
        )
    )


def _notify(
    s: Session,
    users: Iterable[int],
    kind: str,
    title: str,
    body: str,
    now: dt.datetime,
    org_id: int,
    counts: SweepCounts,
) -> None:
    rows = [
        dict(
            user_id=u,
            kind=kind,
            title=title,
            body=body,
            instance_id=None,
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
