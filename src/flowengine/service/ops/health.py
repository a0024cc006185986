"""What a health check asks: is the database reachable and current, are definitions loaded, is a
scheduler sweeping. Shared by ``/healthz`` and :mod:`flowengine.scheduler` (the web layer may not import
the scheduler process module, and neither should have to know the heartbeat table).

Nothing here reveals a secret: no URL, password or host name, only yes/no, versions and ages.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, text

from flowengine.config import Settings
from flowengine.persistence import migrate
from flowengine.persistence.db import Database
from flowengine.persistence.models import SchedulerHeartbeat
from flowengine.service.catalog import Catalog

log = logging.getLogger(__name__)

#: Default for FLOWENGINE_HEALTH_MAX_HEARTBEAT_AGE: five sweeps of the default 60-second interval.
DEFAULT_MAX_HEARTBEAT_AGE = 300

#: The newest migration shipped with this code (reading the scripts once per process, not per check).
_head_revision = functools.cache(migrate.head_revision)


def heartbeat_age(db: Database, now: dt.datetime | None = None) -> float | None:
    """Seconds since any scheduler last completed a sweep (None: never)."""
    with db.read() as s:
        last = s.scalar(
            select(SchedulerHeartbeat.beat_at).order_by(SchedulerHeartbeat.beat_at.desc()).limit(1)
        )
    return None if last is None else ((now or dt.datetime.now(dt.UTC)) - last).total_seconds()


def max_heartbeat_age() -> int:
    """Seconds after which a silent scheduler makes the health check fail; 0 turns that check off."""
    return Settings.from_env().health_max_heartbeat_age


@dataclass
class Health:
    database: dict[str, Any] = field(default_factory=dict)
    definitions: dict[str, Any] = field(default_factory=dict)
    scheduler: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(part.get("ok") for part in (self.database, self.definitions, self.scheduler))

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": "ok" if self.ok else "fail",
            "database": self.database,
            "definitions": self.definitions,
            "scheduler": self.scheduler,
        }


def check(
    db: Database,
    catalog: Catalog,
    *,
    max_age: int | None = None,
    include_scheduler: bool = True,
    now: dt.datetime | None = None,
) -> Health:
    """Run every check; a failing part is reported, never raised."""
    max_age = max_heartbeat_age() if max_age is None else max_age
    health = Health()
    try:
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        current, head = migrate.current_revision(db.engine), _head_revision()
        health.database = {
            "ok": current == head,
            "dialect": db.dialect,
            "schema": current,
            "expected_schema": head,
        }
        if current != head:
            health.database["error"] = "schema is not at the expected revision: run flowengine db upgrade"
    except Exception as exc:  # unreachable, refused, timed out: say which kind, not the URL
        log.warning("health check: database unreachable: %s", type(exc).__name__)
        health.database = {
            "ok": False,
            "dialect": db.dialect,
            "error": f"database unreachable ({type(exc).__name__})",
        }
    loaded = [{"name": d.name, "version": d.version, "title": d.title} for d in catalog.current.values()]
    health.definitions = {"ok": bool(loaded), "loaded": sorted(loaded, key=lambda d: d["name"])}
    age: float | None = None
    if health.database["ok"]:
        try:
            age = heartbeat_age(db, now)
        except Exception as exc:
            log.warning("health check: heartbeat unreadable: %s", type(exc).__name__)
    checked = include_scheduler and max_age > 0
    fresh = age is not None and age <= max_age
    health.scheduler = {
        "ok": fresh or not checked,
        "checked": checked,
        "max_age_seconds": max_age,
        "heartbeat_age_seconds": None if age is None else round(age, 1),
    }
    if checked and not fresh:
        health.scheduler["error"] = (
            "no scheduler has ever completed a sweep"
            if age is None
            else f"last sweep {round(age)} s ago (more than {max_age} s)"
        )
    return health
