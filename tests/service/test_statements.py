"""How many round trips ``act`` and ``start`` make, counted through SQLAlchemy's execution events.

On PostgreSQL an action is BEGIN, one read, one write and COMMIT (four round trips); SQLite, in process,
runs the writes as separate statements of the same transaction. The counts are of a plain step — a form,
a task closed and one opened, no rules reading the history, no documents or copies — which is most steps.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event

from flowengine.service import Services
from tests.support import World
from tests.support.service import GOOD


@dataclass
class Trips:
    statements: list[str] = field(default_factory=list)
    begins: int = 0
    commits: int = 0

    @property
    def round_trips(self) -> int:
        """Statements, plus BEGIN and COMMIT where the driver sends them by itself (psycopg)."""
        sent = {s.split()[0].upper() for s in self.statements if s}
        return (
            len(self.statements)
            + (0 if "BEGIN" in sent else self.begins)
            + (0 if "COMMIT" in sent else self.commits)
        )


@contextmanager
def counted(services: Services) -> Iterator[Trips]:
    """Every statement the engine sends: on PostgreSQL through SQLAlchemy's execution events; on SQLite
    through SQLite's own trace hook (the hot path runs its compiled statements on the DBAPI cursor there,
    which SQLAlchemy's events do not see), with BEGIN and COMMIT among them."""
    trips = Trips()
    engine = services.db.engine
    sqlite = services.db.dialect == "sqlite"

    def on_execute(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        trips.statements.append(statement.strip())

    def on_trace(statement: str) -> None:
        if statement.startswith("--"):  # a trigger's body is reported as "-- TRIGGER name" …
            return
        text = statement.strip()
        # … or, by CPython (which expands the running statement's SQL), as the statement again: a BEFORE
        # INSERT trigger (the audit tables' no-replace guard) is not a second round trip.
        if trips.statements and trips.statements[-1] == text and text.upper().startswith("INSERT"):
            return
        trips.statements.append(text)

    def on_checkout(dbapi_conn: Any, *args: Any) -> None:
        dbapi_conn.set_trace_callback(on_trace)

    def on_checkin(dbapi_conn: Any, *args: Any) -> None:
        dbapi_conn.set_trace_callback(None)

    def on_begin(conn: Any) -> None:
        trips.begins += 1

    def on_commit(conn: Any) -> None:
        trips.commits += 1

    listeners = (
        [(engine.pool, "checkout", on_checkout), (engine.pool, "checkin", on_checkin)]
        if sqlite
        else [(engine, "before_cursor_execute", on_execute)]
    )
    listeners += [(engine, "begin", on_begin), (engine, "commit", on_commit)]
    for target, name, fn in listeners:
        event.listen(target, name, fn)
    try:
        yield trips
    finally:
        for target, name, fn in listeners:
            event.remove(target, name, fn)


def _limit(services: Services) -> int:
    # PostgreSQL: BEGIN, the read, the write, COMMIT. SQLite: BEGIN IMMEDIATE, the read, the UPDATE, the
    # task closed, the task opened, the event, COMMIT.
    return 4 if services.db.dialect == "postgresql" else 7


def test_act_round_trips(services: Services, world: World) -> None:
    sec, handler = world.users["sec1"], world.users["handler"]
    iid = services.flow.start("leave_request", world.orgs["b1"], sec).id
    services.flow.act(iid, "submit", sec, GOOD, expected_version=1)  # warms the definition cache
    with counted(services) as trips:
        view = services.flow.act(iid, "return_to_applicant", handler, comment="请补充", expected_version=2)
    assert view.state == "drafting" and view.version == 3
    assert [t.state for t in view.open_tasks] == ["drafting"]
    assert trips.commits == 1
    # A return tells the one waiting (the initiator): that notice is the one statement more.
    told = [t for t in trips.statements if t.upper().startswith("INSERT INTO NOTIFICATIONS")]
    assert len(told) == 1
    assert trips.round_trips - len(told) <= _limit(services), trips.statements
    # The step really happened in those statements: the task and the event are there.
    again = services.flow.get(iid, sec)
    assert again.version == 3 and [t.id for t in again.open_tasks] == [t.id for t in view.open_tasks]
    assert [e.action for e in services.flow.trail(iid, sec)][-1] == "return_to_applicant"
    # A step whose rules read the request's history (a check here) reads it in one more statement.
    with counted(services) as trips:
        view = services.flow.act(iid, "submit", sec, GOOD, expected_version=3)
    assert view.state == "review" and trips.round_trips <= _limit(services) + 1, trips.statements


def test_start_round_trips(services: Services, world: World) -> None:
    sec = world.users["sec1"]
    services.flow.start("leave_request", world.orgs["b2"], world.users["sec2"])  # warms the caches
    with counted(services) as trips:
        view = services.flow.start("leave_request", world.orgs["b1"], sec)
    assert view.version == 1 and len(view.open_tasks) == 1
    limit = 4 if services.db.dialect == "postgresql" else 6
    assert trips.commits == 1
    assert trips.round_trips <= limit, trips.statements
    assert services.flow.get(view.id, sec).open_tasks[0].id == view.open_tasks[0].id
    assert [e.action for e in services.flow.trail(view.id, sec)] == ["start"]


def test_counting_sees_the_statements(services: Services, world: World) -> None:
    """The counter itself: an act() is seen whole (BEGIN … COMMIT), so a count of 0 cannot pass for few."""
    sec = world.users["sec1"]
    iid = services.flow.start("leave_request", world.orgs["b1"], sec).id
    with counted(services) as trips:
        services.flow.act(iid, "submit", sec, GOOD, expected_version=1)
    verbs = [s.split()[0].upper() for s in trips.statements]
    assert "SELECT" in verbs and "UPDATE" in verbs and verbs.count("INSERT") >= 1 or "WITH" in verbs
    assert trips.round_trips >= 4
