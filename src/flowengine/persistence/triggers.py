"""Database triggers that make the audit trail append-only for every client, not just for our code.

Used by the migrations (the schema's only source in a real database) and kept here so that the test of
"the app's connection cannot UPDATE or DELETE an audit row" and the migration share one definition.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection

APPEND_ONLY_MESSAGE = "audit_events is append-only"

SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS audit_events_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_events_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END""",
]

POSTGRESQL = [
    f"""CREATE OR REPLACE FUNCTION audit_events_refuse() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END;
        $$ LANGUAGE plpgsql""",
    "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
    """CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION audit_events_refuse()""",
    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
    """CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse()""",
]


def install_audit_triggers(conn: Connection) -> None:
    statements = POSTGRESQL if conn.dialect.name == "postgresql" else SQLITE
    for sql in statements:
        conn.exec_driver_sql(sql)


def drop_audit_triggers(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events")
        conn.exec_driver_sql("DROP FUNCTION IF EXISTS audit_events_refuse()")
    else:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_update")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_delete")
