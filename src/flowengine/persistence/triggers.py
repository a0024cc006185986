"""Database triggers that make the audit trail append-only for every client, not just for our code.

Two tables are append-only: ``audit_events`` (the hash-chained events) and ``audit_seals`` (the periodic
seals over them). Used by the migrations (the schema's only source in a real database) and kept here so
that the test of "the app's connection cannot UPDATE or DELETE an audit row" and the migrations share one
definition. The functions taking a table name are what the migrations call; ``install_audit_triggers``
and ``drop_audit_triggers`` are the first migration's, for ``audit_events`` only, and must stay so.

On SQLite, ``INSERT OR REPLACE`` (and ``REPLACE INTO``) resolves a key conflict by deleting the existing row
without firing its DELETE triggers (unless ``recursive_triggers`` is on), so refusing UPDATE and DELETE is
not enough: a third trigger, ``<table>_no_replace`` (migration 0008), refuses any insert whose key is
taken. PostgreSQL has no REPLACE, and ``INSERT … ON CONFLICT DO UPDATE`` fires the UPDATE trigger.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

APPEND_ONLY_TABLES = ("audit_events", "audit_seals")
APPEND_ONLY_MESSAGE = "audit_events is append-only"


def append_only_message(table: str) -> str:
    return f"{table} is append-only"


def _sqlite(table: str) -> list[str]:
    message = append_only_message(table)
    return [
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table}
        BEGIN SELECT RAISE(ABORT, '{message}'); END""",
        f"""CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table}
        BEGIN SELECT RAISE(ABORT, '{message}'); END""",
    ]


def _postgresql(table: str) -> list[str]:
    message = append_only_message(table)
    return [
        f"""CREATE OR REPLACE FUNCTION {table}_refuse() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{message}' USING ERRCODE = 'insufficient_privilege'; END;
        $$ LANGUAGE plpgsql""",
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
        f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION {table}_refuse()""",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION {table}_refuse()""",
    ]


# The statements for audit_events, as the first migration has always installed them.
SQLITE = _sqlite("audit_events")
POSTGRESQL = _postgresql("audit_events")


def install_append_only_triggers(conn: Connection, table: str) -> None:
    """Refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) on ``table``; idempotent."""
    if table not in APPEND_ONLY_TABLES:
        raise ValueError(f"{table} is not an append-only table")
    for sql in _postgresql(table) if conn.dialect.name == "postgresql" else _sqlite(table):
        conn.exec_driver_sql(sql)


def drop_append_only_triggers(conn: Connection, table: str) -> None:
    if table not in APPEND_ONLY_TABLES:
        raise ValueError(f"{table} is not an append-only table")
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {table}_refuse()")
    else:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_update")
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_delete")


# The keys an insert could collide with, per table: an insert that would take one is refused (SQLite).
_KEYS = {
    "audit_events": ("id = NEW.id", "chain = NEW.chain AND seq = NEW.seq"),
    "audit_seals": ("seq = NEW.seq",),
}


def _sqlite_no_replace(table: str) -> str:
    taken = " OR ".join(f"EXISTS (SELECT 1 FROM {table} WHERE {key})" for key in _KEYS[table])
    return f"""CREATE TRIGGER IF NOT EXISTS {table}_no_replace BEFORE INSERT ON {table}
        WHEN {taken}
        BEGIN SELECT RAISE(ABORT, '{append_only_message(table)}'); END"""


def install_no_replace_trigger(conn: Connection, table: str) -> None:
    """SQLite: refuse an insert whose key is already taken, so INSERT OR REPLACE cannot replace a row."""
    if table not in APPEND_ONLY_TABLES:
        raise ValueError(f"{table} is not an append-only table")
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(_sqlite_no_replace(table))


def drop_no_replace_trigger(conn: Connection, table: str) -> None:
    if table not in APPEND_ONLY_TABLES:
        raise ValueError(f"{table} is not an append-only table")
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_no_replace")


def install_audit_triggers(conn: Connection) -> None:
    install_append_only_triggers(conn, "audit_events")


def drop_audit_triggers(conn: Connection) -> None:
    drop_append_only_triggers(conn, "audit_events")
