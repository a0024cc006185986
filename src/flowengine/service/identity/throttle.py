"""Slowing down guessing: failed authentications counted per key, each further failure waiting longer.

A *key* is what is counted: a client address (``login:addr:10.0.0.7``), or an account at an address
(``login:acct:sec1@10.0.0.7``). A key may fail ``free`` times at no cost; from then on each failure makes
the next attempt wait ``base × 2^(failures − free)`` seconds, at most ``max_delay``. A key with no failure
for a day starts again from zero; a success clears the account key.

Nothing here locks an account: the account key includes the address, so a stranger guessing someone's
password slows down only their own attempts, never the owner's from the owner's own address. The counts
live in the database (table ``auth_throttle``), so every web worker and host sees the same ones. Keys are
stored as SHA-256 digests: no name a stranger typed is kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from flowengine.clock import Clock
from flowengine.config import SecuritySettings
from flowengine.errors import FlowEngineError
from flowengine.persistence.db import Database
from flowengine.persistence.models import AuthThrottle

#: A key without a failure for this long starts again from zero.
FORGET_AFTER = dt.timedelta(days=1)


class TooManyAttempts(FlowEngineError):
    """Refused without looking at the credentials: this address (or account at it) must wait."""

    code = "too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"尝试次数过多，请 {_wait_text(retry_after)}后再试。")
        self.retry_after = retry_after


def _wait_text(seconds: int) -> str:
    if seconds < 60:
        return f"{seconds} 秒"
    return f"{math.ceil(seconds / 60)} 分钟"


@dataclass(frozen=True)
class Key:
    """One thing counted, and how many failures it may have before waiting."""

    name: str
    free: int

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.name.encode("utf-8", "surrogatepass")).hexdigest()


class Throttle:
    def __init__(self, db: Database, clock: Clock, settings: SecuritySettings) -> None:
        self.db = db
        self.clock = clock
        self.base = settings.throttle_base_delay_seconds
        self.max_delay = settings.throttle_max_delay_seconds
        self.free = settings.throttle_free_failures
        self.free_address = settings.throttle_free_address_failures

    def keys(self, purpose: str, client_addr: str | None, account: str | None = None) -> list[Key]:
        """The address key, and the account-at-address key when an account is named."""
        addr = client_addr or "-"
        keys = [Key(f"{purpose}:addr:{addr}", self.free_address)]
        if account is not None:
            keys.append(Key(f"{purpose}:acct:{account.strip().lower()}@{addr}", self.free))
        return keys

    def check(self, keys: Sequence[Key]) -> None:
        """Raise :class:`TooManyAttempts` while any of ``keys`` must still wait."""
        now = self.clock()
        with self.db.read() as s:
            untils = s.scalars(
                select(AuthThrottle.blocked_until).where(
                    AuthThrottle.key.in_([k.digest for k in keys]), AuthThrottle.blocked_until > now
                )
            ).all()
        latest = max((u for u in untils if u is not None), default=None)
        if latest is not None:
            raise TooManyAttempts(max(1, math.ceil((latest - now).total_seconds())))

    def delay(self, failures: int, free: int) -> int:
        """Seconds the next attempt waits after ``failures`` failures (0 while within ``free``)."""
        if failures < free:
            return 0
        return min(self.max_delay, self.base * 2 ** min(failures - free, 30))

    def fail(self, keys: Sequence[Key]) -> None:
        """Count one failure on each key (several workers at once: each failure counts once)."""
        now = self.clock()
        for key in keys:
            for attempt in range(5):
                try:
                    with self.db.write() as s:
                        row = s.get(AuthThrottle, key.digest, with_for_update=True)
                        if row is None:
                            row = AuthThrottle(key=key.digest, failures=0, last_failure_at=now)
                            s.add(row)
                        elif now - row.last_failure_at > FORGET_AFTER:
                            row.failures = 0
                        row.failures += 1
                        row.last_failure_at = now
                        wait = self.delay(row.failures, key.free)
                        row.blocked_until = now + dt.timedelta(seconds=wait) if wait else None
                    break
                except IntegrityError:  # another worker inserted the same key first: count on its row
                    if attempt == 4:
                        raise

    def clear(self, key: Key) -> None:
        with self.db.write() as s:
            s.execute(delete(AuthThrottle).where(AuthThrottle.key == key.digest))


__all__ = ["Key", "Throttle", "TooManyAttempts"]
