"""Signed-in browsers, kept on the server: what a session cookie names, and when it stops naming anyone.

The cookie carries a random key (256 bits); the table ``web_sessions`` keeps its SHA-256, who it belongs
to, when it was opened and last used, and when it ended. A session ends when its person signs out, changes
their password, has it reset by an administrator or is disabled; when it was not used for
``idle`` (FLOWENGINE_SESSION_IDLE_MINUTES); and ``lifetime`` after its sign-in
(FLOWENGINE_SESSION_MAX_HOURS), used or not. An ended session's cookie signs nobody in, so a cookie copied
before the sign-out is worth nothing after it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from flowengine.clock import Clock
from flowengine.persistence.db import Database
from flowengine.persistence.models import User, WebSession

#: ``last_seen_at`` is written at most this often per session, so reading a page is not always a write.
TOUCH_RESOLUTION = dt.timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def end_sessions(s: Session, user_id: int, now: dt.datetime, reason: str) -> int:
    """End every open session of ``user_id`` in the caller's transaction; how many were open."""
    result = s.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=now, end_reason=reason)
    )
    return int(getattr(result, "rowcount", 0) or 0)


class WebSessions:
    def __init__(self, db: Database, clock: Clock, *, idle: dt.timedelta, lifetime: dt.timedelta) -> None:
        self.db = db
        self.clock = clock
        self.idle = idle
        self.lifetime = lifetime

    def open(self, user_id: int) -> str:
        """A new session of ``user_id``; the key goes into the cookie and nowhere else."""
        key = secrets.token_urlsafe(32)
        now = self.clock()
        with self.db.write() as s:
            s.add(WebSession(key_hash=_hash(key), user_id=user_id, created_at=now, last_seen_at=now))
        return key

    def user_of(self, key: str) -> int | None:
        """The active user whose open session ``key`` names, or None (ended, idle, too old, disabled)."""
        if not key or len(key) > 100:
            return None
        now = self.clock()
        with self.db.read() as s:
            row = s.execute(
                select(WebSession.id, WebSession.user_id, WebSession.created_at, WebSession.last_seen_at)
                .join(User, User.id == WebSession.user_id)
                .where(WebSession.key_hash == _hash(key), WebSession.ended_at.is_(None), User.is_active)
            ).one_or_none()
        if row is None:
            return None
        reason = (
            "expired"
            if now - row.created_at >= self.lifetime
            else ("idle" if now - row.last_seen_at >= self.idle else None)
        )
        if reason is not None:
            self._end(row.id, now, reason)
            return None
        if now - row.last_seen_at >= TOUCH_RESOLUTION:
            with self.db.write() as s:
                s.execute(update(WebSession).where(WebSession.id == row.id).values(last_seen_at=now))
        return int(row.user_id)

    def end(self, key: str, reason: str = "logout") -> None:
        """Sign this session out (logging out); an unknown or ended key changes nothing."""
        now = self.clock()
        with self.db.write() as s:
            s.execute(
                update(WebSession)
                .where(WebSession.key_hash == _hash(key), WebSession.ended_at.is_(None))
                .values(ended_at=now, end_reason=reason)
            )

    def _end(self, session_id: int, now: dt.datetime, reason: str) -> None:
        with self.db.write() as s:
            s.execute(
                update(WebSession)
                .where(WebSession.id == session_id, WebSession.ended_at.is_(None))
                .values(ended_at=now, end_reason=reason)
            )


__all__ = ["WebSessions", "end_sessions"]
