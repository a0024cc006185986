"""What a hostile database administrator does to the audit tables, for the tests of seals and signatures."""

from __future__ import annotations

from sqlalchemy import text

from flowengine.persistence.triggers import APPEND_ONLY_TABLES, install_append_only_triggers
from flowengine.service import Services


def tamper(services: Services, *statements: str) -> None:
    """What someone able to bypass the append-only triggers of both audit tables could do."""
    with services.db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            for table in APPEND_ONLY_TABLES:
                conn.exec_driver_sql(f"DROP TRIGGER {table}_no_update")
                conn.exec_driver_sql(f"DROP TRIGGER {table}_no_delete")
        for sql in statements:
            conn.execute(text(sql))
        if conn.dialect.name != "postgresql":
            for table in APPEND_ONLY_TABLES:
                install_append_only_triggers(conn, table)
