"""Alembic environment: run with a connection handed in by :mod:`flowengine.persistence.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, create_engine

from flowengine.persistence.models import Base

config = context.config
target_metadata = Base.metadata

# Our revision ids carry the issue that added them (``0008_issue17b_numbering_verification``): longer than
# the 32 characters of Alembic's own ``alembic_version`` column, which PostgreSQL enforces. The table is
# created (or widened) here first, so Alembic uses it as it is.
VERSION_LENGTH = 64


def _wide_version_table(conn: Connection) -> None:
    if conn.dialect.name != "postgresql":
        return  # SQLite does not enforce a VARCHAR's length
    conn.exec_driver_sql(
        f"CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR({VERSION_LENGTH}) NOT NULL, "
        "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
    )
    length = conn.exec_driver_sql(
        "SELECT character_maximum_length FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = 'alembic_version' AND column_name = 'version_num'"
    ).scalar()
    if length is not None and length < VERSION_LENGTH:  # a database created before: widen it once
        conn.exec_driver_sql(
            f"ALTER TABLE alembic_version ALTER COLUMN version_num TYPE VARCHAR({VERSION_LENGTH})"
        )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        url = config.get_main_option("sqlalchemy.url")
        if url is None:
            raise RuntimeError("alembic: no connection handed in and no sqlalchemy.url configured")
        engine = create_engine(url)
        with engine.begin() as conn:
            _wide_version_table(conn)
            context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
            context.run_migrations()
        return
    _wide_version_table(connection)
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
