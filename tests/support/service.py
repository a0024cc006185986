"""Requests of the engine's test procedure (leave_request) through the service: a form that passes every
check, requests in known states, and audit events by their place in a chain."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from flowengine.service import Services
from tests.support import Clock, World

GOOD = {
    "reason": "参加市委教育工委组织的专题培训",
    "first_day": "2026-09-23",
    "last_day": "2026-09-25",
    "days": 3,
    "substitutes": [{"name": "刘洋", "phone": "13800138000"}],
}


def run_requests(services: Services, world: World) -> int:
    """One request with a return and a resubmission (6 events), and the CLI-visible system events."""
    sec, handler = world.users["sec1"], world.users["handler"]
    iid = services.flow.start("leave_request", world.orgs["b1"], sec).id
    services.flow.act(iid, "submit", sec, GOOD, expected_version=1)
    services.flow.act(iid, "return_to_applicant", handler, comment="请补充代班人电话", expected_version=2)
    services.flow.act(iid, "submit", sec, GOOD, expected_version=3)
    services.flow.act(iid, "approve", handler, comment="同意", expected_version=4)
    other = services.flow.start("leave_request", world.orgs["b2"], world.users["sec2"]).id
    services.flow.act(other, "submit", world.users["sec2"], GOOD, expected_version=1)
    return iid


def event_id(services: Services, iid: int, seq: int) -> int:
    with services.db.engine.connect() as conn:
        return conn.execute(
            text("SELECT id FROM audit_events WHERE chain = :c AND seq = :s"),
            {"c": f"instance:{iid}", "s": seq},
        ).scalar_one()


CHINA = dt.timezone(dt.timedelta(hours=8))


def china(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHINA)


def submitted(services: Services, world: World, clock: Clock, at: dt.datetime) -> int:
    clock.now = at.astimezone(dt.UTC)
    iid = services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"]).id
    services.flow.act(iid, "submit", world.users["sec1"], GOOD, expected_version=1)
    return iid
