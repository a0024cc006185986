"""``flowengine db copy --to URL``: the demo database moved from its SQLite file into another database.

The target is a fresh database of each kind (a PostgreSQL schema, or a second SQLite file): the copy must
keep every row and id, leave hash chains that verify on the target, leave PostgreSQL's sequences past the
copied ids (so the first new event does not collide), and refuse a target that already holds data.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, func, select

from flowengine.cli import main
from flowengine.config import Settings
from flowengine.persistence.models import AuditEvent, Base, User
from flowengine.service import open_services
from tests.support.paths import SHIPPED_WORKFLOWS


def invoke(database_url: str, data_dir: Path, *args: str, **extra_env: str) -> Result:
    env = {
        "FLOWENGINE_DATABASE_URL": database_url,
        "FLOWENGINE_DATA_DIR": str(data_dir),
        "FLOWENGINE_WORKFLOWS_DIR": str(SHIPPED_WORKFLOWS),
        "FLOWENGINE_RULE_MODULES": "",
        **extra_env,
    }
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def table_counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t.name: conn.scalar(select(func.count()).select_from(t)) or 0
                for t in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


@pytest.fixture
def demo_source(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'source.sqlite3'}"
    result = invoke(url, tmp_path, "demo")
    assert result.exit_code == 0, result.output
    # Seal the demo's trail (just written, hence no grace period), so that the copy must carry seals too.
    sealed = invoke(url, tmp_path, "audit", "seal", FLOWENGINE_AUDIT_SEAL_GRACE_SECONDS="0")
    assert sealed.exit_code == 0 and "第 1 号封存" in sealed.output, sealed.output
    return url


def test_copy_keeps_every_row_verifies_and_the_app_works_on_the_copy(
    demo_source: str, database_url: str, tmp_path: Path
) -> None:
    before = table_counts(demo_source)
    result = invoke(demo_source, tmp_path, "db", "copy", "--to", database_url)
    assert result.exit_code == 0, result.output
    assert f"audit_events: {before['audit_events']} → {before['audit_events']}" in result.output
    assert "全部完好" in result.output
    assert table_counts(database_url) == before
    assert before["audit_events"] > 0 and before["instances"] > 0 and before["audit_seals"] > 0

    # The copy is a working database: its own verify passes, and a secretary's request can move on.
    verified = invoke(database_url, tmp_path, "audit", "verify")
    assert verified.exit_code == 0 and f"已核对 {before['audit_seals']} 个封存" in verified.output, (
        verified.output
    )
    services = open_services(Settings(database_url, tmp_path, SHIPPED_WORKFLOWS))
    try:
        with services.db.read() as s:
            handler = s.scalar(select(User.id).where(User.username == "wangjianguo"))
            last_event = s.scalar(select(func.max(AuditEvent.id)))
        assert handler is not None
        # The handler's first task whose forwarding needs no form (the inbox order is by urgency).
        task, action = next(
            (t, a)
            for t in services.inbox.open(handler).items
            for a in services.flow.available_actions(t.instance_id, handler)
            if a.kind == "submit" and not any(f.required for f in a.form)
        )
        view = services.flow.get(task.instance_id, handler)
        after = services.flow.act(task.instance_id, action.name, handler, {}, expected_version=view.version)
        assert after.version == view.version + 1 and after.state != view.state
        with services.db.read() as s:
            new_ids = list(s.scalars(select(AuditEvent.id).where(AuditEvent.id > (last_event or 0))))
        assert new_ids  # the sequence was moved past the copied ids, so the new event got a fresh one
        assert services.ledger.verify().ok
    finally:
        services.close()


def test_copy_refuses_a_target_that_holds_data(demo_source: str, database_url: str, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    assert invoke(database_url, other, "db", "upgrade").exit_code == 0
    loaded = invoke(database_url, other, "demo")
    assert loaded.exit_code == 0, loaded.output
    before = table_counts(database_url)

    result = invoke(demo_source, tmp_path, "db", "copy", "--to", database_url)

    assert result.exit_code == 1
    assert (
        "不是空的" in result.output and "organizations" in result.output and "未复制任何数据" in result.output
    )
    assert table_counts(database_url) == before


def test_copy_refuses_the_database_itself(demo_source: str, tmp_path: Path) -> None:
    before = table_counts(demo_source)
    result = invoke(demo_source, tmp_path, "db", "copy", "--to", demo_source)
    assert result.exit_code == 1
    assert "目标数据库与当前数据库相同" in result.output
    assert table_counts(demo_source) == before
