"""PostgreSQL: migrations run as the tables' owner, the application as a role of its own that can insert into
and read the audit tables but cannot change them, disable their triggers or replace the trigger functions.
Roles are cluster-wide: each test names its two roles uniquely and drops them afterwards."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from flowengine.cli import main
from flowengine.config import Settings
from flowengine.persistence import migrate
from flowengine.persistence.db import Database
from flowengine.service import open_services
from tests.support import Clock, build_world
from tests.support.paths import FIXTURE_WORKFLOWS, PG_URL
from tests.support.service import run_requests


def _as(url: str, user: str) -> str:
    return make_url(url).set(username=user, password=None).render_as_string(hide_password=False)


@pytest.fixture
def roles() -> Iterator[tuple[str, str]]:
    """(owner URL, application URL) on a schema of the test's own; schema and roles dropped afterwards."""
    if not PG_URL:
        pytest.skip("FLOWENGINE_TEST_POSTGRES_URL is not set")
    tag = uuid.uuid4().hex[:10]
    schema, owner, app = f"t_{tag}", f"fe_owner_{tag}", f"fe_app_{tag}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    base = make_url(PG_URL)
    url = base.set(query={**base.query, "options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            conn.execute(text(f"CREATE ROLE {owner} LOGIN"))
            conn.execute(text(f"CREATE ROLE {app} LOGIN"))
            conn.execute(
                text(f'ALTER SCHEMA "{schema}" OWNER TO {owner}')
            )  # as the database owner owns public
        yield _as(url, owner), _as(url, app)
    finally:
        with admin.connect() as conn:
            for role in (app, owner):  # DROP OWNED BY drops the owner's tables and both roles' grants
                conn.execute(text(f"DROP OWNED BY {role} CASCADE"))
                conn.execute(text(f"DROP ROLE {role}"))
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


REFUSED = {
    "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only": "must be owner",
    "ALTER TABLE audit_events DISABLE TRIGGER ALL": "must be owner",
    "ALTER TABLE audit_seals DISABLE TRIGGER USER": "must be owner",
    "DROP TRIGGER audit_events_append_only ON audit_events": "must be owner",
    "CREATE OR REPLACE FUNCTION audit_events_refuse() RETURNS trigger AS $$ BEGIN RETURN NEW; END; $$ "
    "LANGUAGE plpgsql": "permission denied for schema|must be owner",
    "DROP FUNCTION audit_seals_refuse() CASCADE": "must be owner",
    "SET session_replication_role = replica": "permission denied",
    "TRUNCATE audit_events": "permission denied",
    "UPDATE audit_events SET comment = 'x'": "permission denied",
    "DELETE FROM audit_seals": "permission denied",
    "DROP TABLE audit_seals": "must be owner",
    "CREATE TABLE audit_shadow (id int)": "permission denied",
}


@pytest.mark.postgres
def test_the_application_role_cannot_disable_or_replace_the_audit_triggers(
    roles: tuple[str, str], tmp_path: Path, clock: Clock
) -> None:
    owner_url, app_url = roles
    app = make_url(app_url).username
    env = {"FLOWENGINE_DATABASE_URL": owner_url, "FLOWENGINE_WORKFLOWS_DIR": str(FIXTURE_WORKFLOWS)}
    runner = CliRunner()
    upgraded = runner.invoke(main, ["db", "upgrade"], env=env)
    assert upgraded.exit_code == 0, upgraded.output
    printed = runner.invoke(main, ["db", "grant", app, "--sql"], env=env)
    assert printed.exit_code == 0 and "GRANT SELECT, INSERT ON" in printed.output, printed.output
    granted = runner.invoke(main, ["db", "grant", app], env=env)
    assert granted.exit_code == 0, granted.output
    assert (
        ".audit_events: SELECT, INSERT" in granted.output
        and ".tasks: SELECT, INSERT, UPDATE, DELETE" in granted.output
    )
    # The application works as that role: requests, alerts, seals, verification.
    settings = Settings(database_url=app_url, data_dir=tmp_path, workflows_dir=FIXTURE_WORKFLOWS)
    services = open_services(settings, clock=clock, auto_upgrade=False)
    try:
        world = build_world(services, clock())
        run_requests(services, world)
        clock.advance(days=3)
        assert services.escalator.sweep().reminders > 0
        clock.advance(minutes=10)
        assert services.sealer.seal()
        assert services.ledger.verify().ok
    finally:
        services.close()
    db = Database(app_url)
    try:
        for sql, error in REFUSED.items():
            with pytest.raises(DBAPIError, match=error), db.engine.begin() as conn:
                conn.execute(text(sql))
        with db.engine.connect() as conn:
            assert (
                conn.execute(text("SELECT count(*) FROM audit_events WHERE comment = 'x'")).scalar_one() == 0
            )
            conn.execute(
                text("GRANT UPDATE ON audit_events TO PUBLIC")
            )  # a warning: no privileges were granted
            held = conn.execute(
                text(
                    "SELECT p, has_table_privilege(t, p) FROM unnest(ARRAY['audit_events', 'audit_seals']) t, "
                    "unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER', 'REFERENCES']) p"
                )
            ).all()
            triggers = conn.execute(
                text(
                    "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid IN ('audit_events'::regclass, "
                    "'audit_seals'::regclass) AND NOT tgisinternal ORDER BY tgname"
                )
            ).all()
        assert {p for p, has in held if has} == {"SELECT", "INSERT"}
        assert len(triggers) == 4 and all(enabled == "O" for _, enabled in triggers)
        assert migrate.is_up_to_date(db.engine)  # the application role reads the schema version
        # The grant is idempotent (re-run after each upgrade).
        assert runner.invoke(main, ["db", "grant", app], env=env).exit_code == 0
    finally:
        db.dispose()
    as_app = runner.invoke(main, ["db", "grant", app], env={**env, "FLOWENGINE_DATABASE_URL": app_url})
    assert as_app.exit_code == 2 and "不能是表的所有者" in as_app.output


@pytest.mark.postgres
def test_grant_refuses_a_role_that_could_disable_the_triggers(roles: tuple[str, str]) -> None:
    owner_url, app_url = roles
    owner = make_url(owner_url).username
    env = {"FLOWENGINE_DATABASE_URL": owner_url, "FLOWENGINE_WORKFLOWS_DIR": str(FIXTURE_WORKFLOWS)}
    runner = CliRunner()
    early = runner.invoke(main, ["db", "grant", make_url(app_url).username or ""], env=env)
    assert early.exit_code == 2 and "db upgrade" in early.output
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    for role, message in ((owner, "不能是表的所有者"), ("postgres", "超级用户"), ("fe_nobody_x", "不存在")):
        refused = runner.invoke(main, ["db", "grant", role or ""], env=env)
        assert refused.exit_code == 2 and message in refused.output, refused.output


def test_grant_on_sqlite_is_refused(tmp_path: Path) -> None:
    env = {"FLOWENGINE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    refused = CliRunner().invoke(main, ["db", "grant", "flowengine_app"], env=env)
    assert refused.exit_code == 2 and "SQLite 没有角色" in refused.output
