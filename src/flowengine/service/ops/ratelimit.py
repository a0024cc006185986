"""A fixed-window rate limiter kept in the database, so that every worker of a deployment counts together.

A public page (the document verification page) must not let anyone try codes by the thousand. Counting in
each process's memory would give every gunicorn worker its own allowance; flask-limiter shares counts only
through a Redis or Memcached the deployment does not otherwise need. Here one ``INSERT … ON CONFLICT DO
UPDATE … RETURNING`` per hit advances the client's counter for the current window (atomic on PostgreSQL
and SQLite alike), and the windows before the previous one are deleted as new ones start.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Table, delete
from sqlalchemy.dialects import postgresql, sqlite

from flowengine.clock import Clock, utcnow
from flowengine.errors import FlowEngineError
from flowengine.persistence.db import Database
from flowengine.persistence.models import RateLimitHit


class RateLimited(FlowEngineError):
    """Too many requests from one client in the current window (HTTP 429)."""

    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    hits: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Limit:
        """``30/minute``, ``100/hour``, ``5/10s``."""
        count, _, per = text.strip().partition("/")
        units = {"second": 1, "s": 1, "minute": 60, "min": 60, "m": 60, "hour": 3600, "h": 3600, "day": 86400}
        per = per.strip().lower()
        digits = "".join(c for c in per if c.isdigit())
        unit = per[len(digits) :] or "s"
        if not count.strip().isdigit() or unit not in units or int(count) < 1:
            raise ValueError(text)
        return cls(int(count), (int(digits) if digits else 1) * units[unit])


class RateLimiter:
    def __init__(self, db: Database, limit: Limit, clock: Clock = utcnow) -> None:
        self.db = db
        self.limit = limit
        self.clock = clock

    def hit(self, scope: str, client: str) -> None:
        """Count one request of ``client`` on ``scope``; RateLimited when it is over the limit."""
        now = self.clock()
        epoch = int(now.replace(tzinfo=now.tzinfo or dt.UTC).timestamp())
        window = epoch // self.limit.seconds
        table = RateLimitHit.__table__
        assert isinstance(table, Table)
        with self.db.write() as s:
            insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
            stmt = (
                insert(table)
                .values(scope=scope, client=client[:64], window=window, hits=1)
                .on_conflict_do_update(
                    index_elements=[table.c.scope, table.c.client, table.c.window],
                    set_={"hits": table.c.hits + 1},
                )
                .returning(table.c.hits)
            )
            hits = int(s.execute(stmt).scalar_one())
            if hits == 1:  # the first hit of a window clears the client's older windows
                s.execute(
                    delete(table).where(
                        table.c.scope == scope, table.c.client == client[:64], table.c.window < window - 1
                    )
                )
        if hits > self.limit.hits:
            retry = self.limit.seconds - epoch % self.limit.seconds
            raise RateLimited(
                f"请求过于频繁：每 {self._per()} 最多 {self.limit.hits} 次，请 {retry} 秒后再试。", retry
            )

    def _per(self) -> str:
        s = self.limit.seconds
        if s % 3600 == 0:
            return f"{s // 3600} 小时" if s > 3600 else "小时"
        if s % 60 == 0:
            return f"{s // 60} 分钟" if s > 60 else "分钟"
        return f"{s} 秒"


__all__ = ["Limit", "RateLimited", "RateLimiter"]
