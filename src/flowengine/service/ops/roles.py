"""PostgreSQL roles: the owner migrates, the application runs as a role that cannot disable the audit triggers.

The append-only triggers bind every role except the tables' owner (and superusers): the owner may
``ALTER TABLE … DISABLE TRIGGER``, drop a trigger or replace its function. So a deployment has two roles —
the owner (``flowengine db upgrade`` and ``flowengine db grant`` connect as it, once per release) and the
application's role (the web workers and the scheduler), which gets only what it needs:

* ``USAGE`` on the schema — not ``CREATE``;
* ``SELECT, INSERT`` on the audit tables (every table named ``audit_…``, partitions included): no
  ``UPDATE``, ``DELETE``, ``TRUNCATE``, ``TRIGGER`` or ``REFERENCES``;
* ``SELECT`` on ``alembic_version`` (the schema check at start-up);
* ``SELECT, INSERT, UPDATE, DELETE`` on the other tables, ``USAGE, SELECT`` on the sequences (new ids).

:func:`grant_app_role` revokes whatever the role held on the schema's tables before and grants exactly that;
it is idempotent, and run again after each ``db upgrade`` so that new tables are covered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, text

from flowengine.errors import ConfigurationError
from flowengine.persistence.db import Database

APPEND_ONLY_PREFIX = "audit_"
READ_ONLY = ("alembic_version",)
AUDIT_PRIVILEGES = "SELECT, INSERT"
TABLE_PRIVILEGES = "SELECT, INSERT, UPDATE, DELETE"


@dataclass
class Grants:
    schema: str
    owner: str
    role: str
    statements: list[str] = field(default_factory=list)
    tables: dict[str, str] = field(default_factory=dict)  # table -> privileges granted
    warnings: list[str] = field(default_factory=list)


def _privileges(table: str) -> str:
    if table.startswith(APPEND_ONLY_PREFIX):
        return AUDIT_PRIVILEGES
    if table in READ_ONLY:
        return "SELECT"
    return TABLE_PRIVILEGES


def plan_grants(conn: Connection, role: str) -> Grants:
    """The statements that give ``role`` exactly the application's privileges on the current schema."""
    if conn.dialect.name != "postgresql":
        raise ConfigurationError(
            "只有 PostgreSQL 需要分设数据库角色：SQLite 没有角色，请以文件权限保护数据库文件。"
        )
    q = conn.dialect.identifier_preparer.quote
    schema, owner = conn.execute(text("SELECT current_schema(), current_user")).one()
    found = conn.execute(
        text(
            "SELECT rolsuper, pg_has_role(:role, current_user, 'MEMBER') FROM pg_roles WHERE rolname = :role"
        ),
        {"role": role},
    ).first()
    if found is None:
        raise ConfigurationError(
            f"数据库角色 {role} 不存在：请先以管理员身份创建（CREATE ROLE {q(role)} LOGIN PASSWORD '…'），"
            "再运行本命令。"
        )
    superuser, member_of_owner = found
    if superuser:
        raise ConfigurationError(f"应用角色 {role} 是超级用户，可绕过任何触发器与权限：请另建一个普通角色。")
    if role == owner or member_of_owner:
        raise ConfigurationError(
            f"应用角色 {role} 不能是表的所有者 {owner}（或其成员）：所有者可以停用审计触发器。请另建一个角色。"
        )
    tables = list(
        conn.execute(
            text(
                "SELECT c.relname, pg_get_userbyid(c.relowner) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = :schema AND c.relkind IN ('r', 'p') ORDER BY c.relname"
            ),
            {"schema": schema},
        )
    )
    if not any(name == "alembic_version" for name, _ in tables):
        raise ConfigurationError(
            f"模式 {schema} 中没有 flowengine 的表：请先以所有者角色运行 flowengine db upgrade。"
        )
    others = sorted({table_owner for _, table_owner in tables if table_owner != owner})
    if others:
        raise ConfigurationError(
            f"请以表的所有者角色运行本命令（当前为 {owner}，表属于 {', '.join(others)}）。"
        )
    usable = conn.execute(
        text(
            "SELECT has_schema_privilege(:role, :schema, 'USAGE') "
            "OR has_schema_privilege(current_user, :schema, 'USAGE WITH GRANT OPTION')"
        ),
        {"role": role, "schema": schema},
    ).scalar()
    if not usable:
        raise ConfigurationError(
            f"所有者角色 {owner} 不能把模式 {schema} 的使用权授予 {role}：请让 {owner} 拥有该模式"
            f"（ALTER SCHEMA {q(schema)} OWNER TO {q(owner)}；PostgreSQL 15 起 public 模式归数据库所有者），"
            f"或由管理员执行 GRANT USAGE ON SCHEMA {q(schema)} TO {q(role)}。"
        )
    grants = Grants(schema, owner, role)
    s, r = q(schema), q(role)
    grants.statements += [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {r}",
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
    ]
    for name, _ in tables:
        grants.tables[name] = _privileges(name)
        grants.statements.append(f"GRANT {grants.tables[name]} ON {s}.{q(name)} TO {r}")
    grants.statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}")
    if conn.execute(
        text("SELECT has_schema_privilege(:role, :schema, 'CREATE')"), {"role": role, "schema": schema}
    ).scalar():
        grants.warnings.append(
            f"角色 {role} 可以在模式 {schema} 中建立对象（PostgreSQL 14 及以前的 public 模式默认如此）："
            f"建议以所有者执行 REVOKE CREATE ON SCHEMA {s} FROM PUBLIC。"
        )
    return grants


def grant_app_role(url: str, role: str, *, execute: bool = True) -> Grants:
    """Give ``role`` the application's privileges on the schema of ``url`` (connected as the tables' owner),
    in one transaction; with ``execute=False`` only plan them (to print the SQL)."""
    db = Database(url)
    try:
        with db.engine.begin() as conn:
            grants = plan_grants(conn, role)
            if execute:
                for sql in grants.statements:
                    conn.exec_driver_sql(sql)
        return grants
    finally:
        db.dispose()
