"""The sign-in throttle's counts live in the database: every worker sees them, and failures made at the
same moment by several workers all count (SQLite and PostgreSQL)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from flowengine.config import SecuritySettings
from flowengine.persistence.models import AuthThrottle
from flowengine.service import Services, TooManyAttempts
from flowengine.service.identity.throttle import Throttle
from tests.support import Clock


def test_parallel_failures_all_count_and_every_worker_sees_the_wait(services: Services, clock: Clock) -> None:
    # Two throttles over one database: two web workers.
    one, two = (Throttle(services.db, clock, SecuritySettings()) for _ in range(2))
    keys = one.keys("login", "10.0.0.5", "sec1")
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda i: (one if i % 2 else two).fail(keys), range(8)))
    with services.db.read() as s:
        counts = sorted(s.scalars(select(AuthThrottle.failures)))
    assert counts == [8, 8]  # the address key and the account-at-address key
    with pytest.raises(TooManyAttempts) as waiting:
        two.check(keys)
    assert waiting.value.retry_after == 2 * 2 ** (8 - 5)  # base × 2^(failures − free)
    two.check(two.keys("login", "10.0.0.6", "sec1"))  # another address: not slowed by this one


def test_delays_are_capped_and_keys_are_forgotten_after_a_day(services: Services, clock: Clock) -> None:
    throttle = Throttle(services.db, clock, SecuritySettings())
    assert [throttle.delay(n, 5) for n in (4, 5, 6, 13, 100)] == [0, 2, 4, 512, 900]
    throttle.fail(throttle.keys("login", "10.0.0.7", "someone"))
    clock.advance(days=1, seconds=1)
    throttle.fail(throttle.keys("login", "10.0.0.8"))  # a new key: yesterday's are dropped
    with services.db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuthThrottle)) == 1
