"""Migrations are the schema's only source in a real database: they must build exactly the models."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

from flowengine.persistence import migrate
from flowengine.persistence.db import Database
from flowengine.persistence.models import Base


def test_upgrade_of_empty_database_gives_exactly_the_models(database_url: str) -> None:
    db = Database(database_url)
    try:
        assert migrate.current_revision(db.engine) is None
        migrate.upgrade(db.engine)
        assert migrate.is_up_to_date(db.engine)
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
            )
        assert diff == []
        tables = set(inspect(db.engine).get_table_names())
        assert tables == set(Base.metadata.tables) | {"alembic_version"}
    finally:
        db.dispose()


APPEND_ONLY = {
    "audit_events": (
        "INSERT INTO audit_events (chain, seq, at, kind, prev_hash, hash) "
        "VALUES ('system', 1, :at, 'definition_load', :z, :z)",
        "kind = 'x'",
    ),
    "audit_seals": (
        "INSERT INTO audit_seals (seq, sealed_at, cutoff, after_event_id, last_event_id, event_count,"
        " events_digest, heads, prev_digest, digest) VALUES (1, :at, :at, 0, 0, 0, :z, '{}', :z, :z)",
        "event_count = 1",
    ),
}


@pytest.mark.parametrize("table", sorted(APPEND_ONLY))
def test_audit_tables_cannot_be_updated_or_deleted_by_the_app_connection(
    database_url: str, table: str
) -> None:
    insert, assignment = APPEND_ONLY[table]
    db = Database(database_url)
    try:
        migrate.upgrade(db.engine)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with db.engine.begin() as conn:
            conn.execute(text(insert), {"at": now, "z": "0" * 64})
        refused = [f"UPDATE {table} SET {assignment}", f"DELETE FROM {table}"]
        if db.dialect == "postgresql":
            refused.append(f"TRUNCATE {table}")
        for sql in refused:
            with pytest.raises(DBAPIError, match=f"{table} is append-only"), db.engine.begin() as conn:
                conn.execute(text(sql))
        with db.engine.connect() as conn:
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 1
    finally:
        db.dispose()


# A second row that takes the first one's key: SQLite's INSERT OR REPLACE would delete the first without firing
# its DELETE trigger; PostgreSQL's upsert goes through the UPDATE trigger.
REPLACE = {
    ("audit_events", "sqlite"): (
        "INSERT OR REPLACE INTO audit_events (id, chain, seq, at, kind, prev_hash, hash) "
        "VALUES (:id, 'system', 1, :at, 'forged', :z, :z)",
        "REPLACE INTO audit_events (chain, seq, at, kind, prev_hash, hash) "
        "VALUES ('system', 1, :at, 'forged', :z, :z)",
        "INSERT INTO audit_events (chain, seq, at, kind, prev_hash, hash) VALUES ('system', 1, :at, 'forged', :z, :z) "
        "ON CONFLICT (chain, seq) DO UPDATE SET kind = 'forged'",
    ),
    ("audit_seals", "sqlite"): (
        "INSERT OR REPLACE INTO audit_seals (seq, sealed_at, cutoff, after_event_id, last_event_id, event_count,"
        " events_digest, heads, prev_digest, digest) VALUES (1, :at, :at, 0, 0, 9, :z, '{}', :z, :z)",
        "REPLACE INTO audit_seals (seq, sealed_at, cutoff, after_event_id, last_event_id, event_count,"
        " events_digest, heads, prev_digest, digest) VALUES (1, :at, :at, 0, 0, 9, :z, '{}', :z, :z)",
    ),
    ("audit_events", "postgresql"): (
        "INSERT INTO audit_events (chain, seq, at, kind, prev_hash, hash) VALUES ('system', 1, :at, 'forged', :z, :z) "
        "ON CONFLICT (chain, seq) DO UPDATE SET kind = 'forged'",
    ),
    ("audit_seals", "postgresql"): (
        "INSERT INTO audit_seals (seq, sealed_at, cutoff, after_event_id, last_event_id, event_count,"
        " events_digest, heads, prev_digest, digest) VALUES (1, :at, :at, 0, 0, 9, :z, '{}', :z, :z) "
        "ON CONFLICT (seq) DO UPDATE SET event_count = 9",
    ),
}


@pytest.mark.parametrize("table", sorted(APPEND_ONLY))
def test_an_insert_cannot_replace_an_audit_row(database_url: str, table: str) -> None:
    insert, _ = APPEND_ONLY[table]
    db = Database(database_url)
    try:
        migrate.upgrade(db.engine)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with db.engine.begin() as conn:
            conn.execute(text(insert), {"at": now, "z": "0" * 64})
        original = _rows(db, table)
        key = original[0][0]
        for sql in REPLACE[(table, db.dialect)]:
            with pytest.raises(DBAPIError, match=f"{table} is append-only"), db.engine.begin() as conn:
                conn.execute(text(sql), {"at": now, "z": "1" * 64, "id": key})
            assert _rows(db, table) == original
        # A plain insert with a key of its own is what the application does: still allowed.
        with db.engine.begin() as conn:
            if table == "audit_events":
                conn.execute(text(insert.replace("1, :at", "2, :at")), {"at": now, "z": "0" * 64})
            else:
                conn.execute(text(insert.replace("VALUES (1,", "VALUES (2,")), {"at": now, "z": "0" * 64})
        assert len(_rows(db, table)) == 2
    finally:
        db.dispose()


def _rows(db: Database, table: str) -> list[tuple[object, ...]]:
    order = "id" if table == "audit_events" else "seq"
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table} ORDER BY {order}"))]


def test_downgrade_to_base_and_up_again(database_url: str) -> None:
    from alembic import command

    engine = create_engine(database_url)
    try:
        migrate.upgrade(engine)
        cfg = migrate.alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate.upgrade(engine)
        assert migrate.is_up_to_date(engine)
    finally:
        engine.dispose()
