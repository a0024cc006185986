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
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == []
        tables = set(inspect(db.engine).get_table_names())
        assert tables == set(Base.metadata.tables) | {"alembic_version"}
    finally:
        db.dispose()


def test_audit_rows_cannot_be_updated_or_deleted_by_the_app_connection(database_url: str) -> None:
    db = Database(database_url)
    try:
        migrate.upgrade(db.engine)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO audit_events (chain, seq, at, kind, prev_hash, hash) "
                "VALUES ('system', 1, :at, 'definition_load', :z, :z)"), {"at": now, "z": "0" * 64})
        for sql in ("UPDATE audit_events SET kind = 'x'", "DELETE FROM audit_events"):
            with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
                conn.execute(text(sql))
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT kind FROM audit_events")).scalar_one() == "definition_load"
    finally:
        db.dispose()


def test_audit_seals_cannot_be_updated_or_deleted_by_the_app_connection(database_url: str) -> None:
    db = Database(database_url)
    try:
        migrate.upgrade(db.engine)
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO audit_seals (seq, sealed_at, cutoff, after_event_id, last_event_id, event_count,"
                " events_digest, heads, prev_digest, digest) VALUES (1, :at, :at, 0, 0, 0, :z, '{}', :z, :z)"),
                {"at": now, "z": "0" * 64})
        for sql in ("UPDATE audit_seals SET event_count = 1", "DELETE FROM audit_seals"):
            with pytest.raises(DBAPIError, match="audit_seals is append-only"), db.engine.begin() as conn:
                conn.execute(text(sql))
        if db.dialect == "postgresql":
            with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as conn:
                conn.execute(text("TRUNCATE audit_seals"))
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM audit_seals")).scalar_one() == 1
    finally:
        db.dispose()


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
