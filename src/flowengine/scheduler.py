"""APScheduler wiring only: run the service's sweep on an interval and record a heartbeat.

Run it as its own process (``flowengine scheduler``) next to the web workers; the web application never
starts it, so N web workers do not mean N schedulers. ``flowengine serve --scheduler`` runs one inside the
development server for the embedded default.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger

from flowengine.persistence.models import SchedulerHeartbeat
from flowengine.service import Services, health

log = logging.getLogger(__name__)


def sweep_once(services: Services, name: str) -> dict[str, int]:
    counts = services.escalator.sweep()
    with services.db.write() as s:
        beat = s.get(SchedulerHeartbeat, name)
        now = services.flow.clock()
        if beat is None:
            s.add(SchedulerHeartbeat(name=name, beat_at=now, last_counts=counts.as_dict()))
        else:
            beat.beat_at, beat.last_counts = now, counts.as_dict()
    return counts.as_dict()


def heartbeat_age(services: Services) -> float | None:
    """Seconds since any scheduler last completed a sweep (None: never)."""
    return health.heartbeat_age(services.db)


def _add_job(scheduler: Any, services: Services, interval: int, name: str) -> None:
    def job() -> None:
        try:
            sweep_once(services, name)
        except Exception:  # keep the scheduler alive; the next run retries
            log.exception("scheduled sweep failed")

    scheduler.add_job(
        job,
        IntervalTrigger(seconds=interval),
        id="sweep",
        max_instances=1,
        coalesce=True,
        next_run_time=dt.datetime.now(dt.UTC),
    )


def run_forever(services: Services, interval: int = 60, name: str | None = None) -> None:
    scheduler = BlockingScheduler(timezone=dt.UTC)
    _add_job(scheduler, services, interval, name or f"{socket.gethostname()}:{os.getpid()}")
    log.info("scheduler started: sweep every %ss", interval)
    scheduler.start()


def start_background(services: Services, interval: int = 60) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone=dt.UTC, daemon=True)
    _add_job(scheduler, services, interval, f"dev-server:{os.getpid()}")
    scheduler.start()
    return scheduler
