"""Copy a whole flowengine database into another, empty one: how a SQLite user moves to PostgreSQL.

Why not ``pg_dump``/``sqlite3 .dump``: the two dialects differ in types (JSON vs JSONB, text timestamps
vs ``timestamp``) and the target's schema must be the one our migrations build (indexes, triggers), so
the copy goes through the models: the target is migrated to the current revision, then every table is
copied in foreign-key order with its ids as they were (audit events name instances and users by id, and
the hash chains cover those ids), and PostgreSQL's id sequences are moved past the copied ids so that
the next request gets a fresh one. Everything is written in one transaction on the target: a failed copy
leaves it empty. Afterwards the audit chains are verified *on the target* and the row counts of both
sides compared, so the operator knows the copy is complete before pointing the application at it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, inspect, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from flowengine.errors import ConfigurationError
from flowengine.persistence import migrate
from flowengine.persistence.db import Database
from flowengine.persistence.models import Base
from flowengine.service.audit.ledger import AuditLedger, Report

BATCH = 2000
Progress = Callable[[str, int], None]


@dataclass
class CopyResult:
    """What was copied (rows per table, source and target) and what verifying the target found."""

    source_counts: dict[str, int] = field(default_factory=dict)
    target_counts: dict[str, int] = field(default_factory=dict)
    audit: Report | None = None

    @property
    def counts_match(self) -> bool:
        return self.source_counts == self.target_counts

    @property
    def ok(self) -> bool:
        return self.counts_match and self.audit is not None and self.audit.ok


def _tables() -> list[Table]:
    """Every table of the schema, parents before children (foreign-key order)."""
    return list(Base.metadata.sorted_tables)


def _label(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def count_rows(conn: Connection) -> dict[str, int]:
    """Rows per table of the schema (tables not created yet count as empty)."""
    present = set(inspect(conn).get_table_names())
    return {
        t.name: int(conn.scalar(select(func.count()).select_from(t)) or 0) if t.name in present else 0
        for t in _tables()
    }


def _refuse_unless_empty(conn: Connection, url: str) -> None:
    occupied = {name: n for name, n in count_rows(conn).items() if n}
    if occupied:
        listed = "、".join(f"{name} {n} 行" for name, n in occupied.items())
        raise ConfigurationError(
            f"目标数据库（{_label(url)}）不是空的（{listed}），未复制任何数据，也未作任何改动："
            "请指定一个新建的空数据库。"
        )


def _self_references(table: Table) -> list[str]:
    """Columns that point at the same table (an organization's parent and approver).

    Those are inserted empty and filled in once every row exists, so the order of rows does not matter.
    """
    return [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]


def _copy_table(src: Connection, dst: Connection, table: Table, progress: Progress | None) -> int:
    deferred = _self_references(table)
    pk = list(table.primary_key.columns)
    links: list[dict[str, Any]] = []
    copied = 0
    result = src.execution_options(yield_per=BATCH).execute(select(table).order_by(*pk))
    for chunk in result.mappings().partitions(BATCH):
        rows = [dict(r) for r in chunk]
        if deferred:
            for r in rows:
                if any(r[c] is not None for c in deferred):
                    links.append(
                        {**{f"k_{c.name}": r[c.name] for c in pk}, **{f"v_{c}": r[c] for c in deferred}}
                    )
                    for c in deferred:
                        r[c] = None
        dst.execute(table.insert(), rows)
        copied += len(rows)
        if progress:
            progress(table.name, copied)
    if links:
        stmt = (
            update(table)
            .where(*[c == bindparam(f"k_{c.name}") for c in pk])
            .values({c: bindparam(f"v_{c}") for c in deferred})
        )
        dst.execute(stmt, links)
    return copied


def reset_sequences(dst: Connection) -> None:
    """Move each PostgreSQL id sequence past the largest copied id (explicit ids do not advance it)."""
    if dst.dialect.name != "postgresql":
        return
    for table in _tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or not pk[0].autoincrement or pk[0].type.python_type is not int:
            continue
        seq = dst.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": pk[0].name})
        if seq is None:
            continue
        top = dst.scalar(select(func.max(pk[0])))
        dst.execute(
            text("SELECT setval(:s, :v, :called)"), {"s": seq, "v": top or 1, "called": top is not None}
        )


def copy_database(source_url: str, target_url: str, *, progress: Progress | None = None) -> CopyResult:
    """Copy ``source_url`` into ``target_url`` (migrated here if needed, and required to be empty).

    Raises :class:`ConfigurationError`, changing nothing, when the two are the same database, the source
    schema is not current, or the target already holds data.
    """
    if make_url(source_url) == make_url(target_url):
        raise ConfigurationError(
            f"目标数据库与当前数据库相同（{_label(target_url)}）：请用 --to 指定另一个空数据库。"
        )
    source, target = Database(source_url), Database(target_url)
    try:
        if not migrate.is_up_to_date(source.engine):
            raise ConfigurationError(
                f"当前数据库（{_label(source_url)}）的结构不是最新版本（{migrate.current_revision(source.engine) or '空'}，"
                f"需要 {migrate.head_revision()}）：请先对它运行 flowengine db upgrade。"
            )
        try:
            with target.engine.connect() as conn:
                _refuse_unless_empty(conn, target_url)  # before migrating: a database in use is left alone
        except OperationalError as exc:
            raise ConfigurationError(f"无法连接目标数据库（{_label(target_url)}）：{exc.orig}") from exc
        try:
            migrate.upgrade(target.engine)
        except Exception as exc:
            raise ConfigurationError(f"无法在目标数据库（{_label(target_url)}）上建立表结构：{exc}") from exc
        result = CopyResult()
        with source.engine.connect() as src, target.engine.begin() as dst:
            _refuse_unless_empty(dst, target_url)  # again, inside the copy's transaction
            with src.begin():
                result.source_counts = count_rows(src)
                for table in _tables():
                    _copy_table(src, dst, table, progress)
            reset_sequences(dst)
            result.target_counts = count_rows(dst)
        result.audit = AuditLedger(target).verify()
        return result
    finally:
        source.dispose()
        target.dispose()
