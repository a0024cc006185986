"""In-app notifications per user, and their delivery by e-mail when SMTP is configured.

E-mail is sent after the notification is committed (an outbox): a notification is marked sent by a
conditional UPDATE before sending, so two sweepers never both send it; a failed send clears the mark and
the next sweep tries again.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, Table, func, insert, select, update
from sqlalchemy.orm import Session

from flowengine.config import SmtpSettings
from flowengine.persistence.db import Database
from flowengine.persistence.models import Notification, RoleAssignment, User
from flowengine.service.views import Page
from flowengine.vocabulary import NotificationKind, title_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: str
    title: str
    body: str
    instance_id: int | None
    created_at: dt.datetime
    read_at: dt.datetime | None

    @property
    def kind_title(self) -> str:
        return title_of(NotificationKind, self.kind, "通知")

    @property
    def unread(self) -> bool:
        return self.read_at is None


def holders(conn: Connection, role: str, org_id: int) -> list[int]:
    """Active users holding ``role`` in ``org_id``, in id order (whom a task of that role concerns)."""
    return list(
        conn.execute(
            select(RoleAssignment.user_id)
            .join(User, User.id == RoleAssignment.user_id)
            .where(RoleAssignment.role == role, RoleAssignment.org_id == org_id, User.is_active.is_(True))
            .order_by(RoleAssignment.user_id)
        ).scalars()
    )


def send(
    conn: Connection,
    users: Iterable[int | None],
    kind: str,
    title: str,
    body: str,
    now: dt.datetime,
    *,
    instance_id: int | None = None,
    org_id: int | None = None,
) -> int:
    """Notify each of ``users`` once (in the app; the sweep's mailer e-mails those with an address)."""
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
        if u is not None
    ]
    if rows:
        conn.execute(insert(cast(Table, Notification.__table__)), rows)
    return len(rows)


class Notifications:
    def __init__(self, db: Database) -> None:
        self.db = db

    def unread_count(self, user_id: int) -> int:
        with self.db.read() as s:
            return (
                s.scalar(
                    select(func.count())
                    .select_from(Notification)
                    .where(Notification.user_id == user_id, Notification.read_at.is_(None))
                )
                or 0
            )

    def list(
        self, user_id: int, *, page: int = 1, per_page: int = 20, unread_only: bool = False
    ) -> Page[NotificationView]:
        with self.db.read() as s:
            q = select(Notification).where(Notification.user_id == user_id)
            if unread_only:
                q = q.where(Notification.read_at.is_(None))
            total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
            rows = s.scalars(
                q.order_by(Notification.created_at.desc(), Notification.id.desc())
                .limit(per_page)
                .offset((max(page, 1) - 1) * per_page)
            )
            items = tuple(
                NotificationView(n.id, n.kind, n.title, n.body, n.instance_id, n.created_at, n.read_at)
                for n in rows
            )
            return Page(items, total, page, per_page)

    def mark_read(self, user_id: int, ids: Sequence[int] | None, now: dt.datetime) -> int:
        """Mark the user's own notifications read (all of them when ``ids`` is None)."""
        with self.db.write() as s:
            q = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
            if ids is not None:
                q = q.where(Notification.id.in_(ids))
            # Session.execute is typed as returning Result; for a DML statement it is a CursorResult.
            done = cast(
                "CursorResult[Any]",
                s.execute(q.values(read_at=now).execution_options(synchronize_session=False)),
            )
            return done.rowcount


#: The SMTP server notifications are mailed through (from :class:`flowengine.config.Settings`).
SmtpConfig = SmtpSettings


class Mailer:
    """Sends unsent notifications of users with an e-mail address; called by the sweep."""

    def __init__(self, db: Database, config: SmtpConfig, batch: int = 100) -> None:
        self.db = db
        self.config = config
        self.batch = batch

    def __call__(self, now: dt.datetime) -> int:
        with self.db.write() as s:
            claimed = self._claim(s, now)
        if not claimed:
            return 0
        sent = 0
        try:
            with smtplib.SMTP(self.config.host, self.config.port, timeout=30) as smtp:
                if self.config.starttls:
                    smtp.starttls()
                if self.config.username:
                    smtp.login(self.config.username, self.config.password or "")
                for row in claimed:
                    msg = EmailMessage()
                    msg["From"], msg["To"], msg["Subject"] = self.config.sender, row.email, row.title
                    msg.set_content(f"{row.display_name}：\n\n{row.body}\n\n—— flowengine")
                    smtp.send_message(msg)
                    sent += 1
        except (OSError, smtplib.SMTPException):
            log.exception(
                "e-mail delivery failed after %d of %d; the rest will be retried", sent, len(claimed)
            )
            with self.db.write() as s:
                s.execute(
                    update(Notification)
                    .where(Notification.id.in_([r.id for r in claimed[sent:]]))
                    .values(emailed_at=None)
                    .execution_options(synchronize_session=False)
                )
        return sent

    def _claim(self, s: Session, now: dt.datetime) -> list[Any]:
        """Mark a batch as sent before sending, so that no other sweeper sends it too."""
        rows = s.execute(
            select(Notification.id, Notification.title, Notification.body, User.email, User.display_name)
            .join(User, User.id == Notification.user_id)
            .where(Notification.emailed_at.is_(None), User.email.is_not(None), User.email != "")
            .order_by(Notification.id)
            .limit(self.batch)
        ).all()
        claimed = []
        for row in rows:
            done = cast(
                "CursorResult[Any]",
                s.execute(
                    update(Notification)
                    .where(Notification.id == row.id, Notification.emailed_at.is_(None))
                    .values(emailed_at=now)
                    .execution_options(synchronize_session=False)
                ),
            )
            if done.rowcount == 1:
                claimed.append(row)
        return claimed
