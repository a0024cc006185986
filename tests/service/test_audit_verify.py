"""The audit trail is tamper-evident: every kind of tampering is found and the event named; exports
(CSV for Excel, JSON) carry the hashes and verify offline."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from flowengine.cli import main
from flowengine.persistence.models import AuditEvent
from flowengine.persistence.triggers import install_audit_triggers
from flowengine.service import Services
from flowengine.service.audit.ledger import read_export, verify_events
from flowengine.service.audit.trail import HASHED_FIELDS, event_hash
from tests.support import World
from tests.support.service import event_id, run_requests


def tamper(services: Services, *statements: str) -> None:
    """What someone able to bypass the append-only triggers (a database superuser) could do."""
    with services.db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_events_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_events_no_delete")
        for sql in statements:
            conn.execute(text(sql))
        if conn.dialect.name != "postgresql":
            install_audit_triggers(conn)


def test_untouched_database_verifies_clean(services: Services, world: World) -> None:
    iid = run_requests(services, world)
    report = services.ledger.verify()
    assert report.ok and report.events >= 8 and report.chains >= 3  # two requests + the system chain
    assert services.ledger.verify(iid).events == 5


def test_edited_field_is_found(services: Services, world: World) -> None:
    iid = run_requests(services, world)
    victim = event_id(services, iid, 3)
    tamper(services, f"UPDATE audit_events SET comment = '同意' WHERE id = {victim}")
    [brk] = services.ledger.verify().breaks
    assert (brk.event_id, brk.seq, brk.chain) == (victim, 3, f"instance:{iid}")
    assert "内容被修改" in brk.problem


def test_deleted_event_is_found(services: Services, world: World) -> None:
    iid = run_requests(services, world)
    after = event_id(services, iid, 3)
    tamper(services, f"DELETE FROM audit_events WHERE id = {event_id(services, iid, 2)}")
    [brk] = services.ledger.verify().breaks
    assert (brk.event_id, brk.seq) == (after, 3) and "缺少第 2 条" in brk.problem


def test_inserted_event_is_found(services: Services, world: World) -> None:
    iid = run_requests(services, world)
    chain = f"instance:{iid}"
    with services.db.read() as s:
        first = s.get(AuditEvent, event_id(services, iid, 1))
        assert first is not None
    # A forged approval slipped in as event 2 with a valid hash; later events renumbered to make room.
    forged = {k: getattr(first, k) for k in HASHED_FIELDS} | {
        "seq": 2,
        "kind": "approve",
        "action": "approve",
        "from_state": "drafting",
        "to_state": "approved",
        "comment": "同意",
        "data": None,
    }
    digest = event_hash(forged, first.hash)
    at_sql = forged["at"].astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    tamper(
        services,
        f"UPDATE audit_events SET seq = seq + 1000 WHERE chain = '{chain}' AND seq >= 2",
        f"UPDATE audit_events SET seq = seq - 999 WHERE chain = '{chain}' AND seq >= 1000",
        "INSERT INTO audit_events (chain, seq, instance_id, at, kind, actor_id, actor_name, role, org_id, action,"
        " from_state, to_state, comment, client_addr, prev_hash, hash) VALUES "
        f"('{chain}', 2, {iid}, '{at_sql}', 'approve', {first.actor_id}, '{first.actor_name}',"
        f" '{first.role}', {first.org_id}, 'approve', 'drafting', 'approved', '同意', NULL,"
        f" '{first.hash}', '{digest}')",
    )
    [brk] = services.ledger.verify().breaks
    assert brk.seq == 2 and "事件被插入" in brk.problem
    assert brk.event_id == max(event_id(services, iid, s) for s in range(1, 7))


def test_reordered_events_are_found(services: Services, world: World) -> None:
    iid = run_requests(services, world)
    chain = f"instance:{iid}"
    moved = event_id(services, iid, 3)
    tamper(
        services,
        f"UPDATE audit_events SET seq = 100 WHERE chain = '{chain}' AND seq = 3",
        f"UPDATE audit_events SET seq = 3 WHERE chain = '{chain}' AND seq = 4",
        f"UPDATE audit_events SET seq = 4 WHERE chain = '{chain}' AND seq = 100",
    )
    [brk] = services.ledger.verify().breaks
    assert brk.seq == 3 and "原为第 4 条" in brk.problem and brk.event_id != moved


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_round_trips_through_verify(
    make_services: Callable[..., Services], database_url: str, tmp_path: Path, fmt: str, world: World
) -> None:
    services = make_services()
    iid = run_requests(services, world)
    out = tmp_path / f"trail.{fmt}"
    runner = CliRunner()
    env = {
        "FLOWENGINE_DATABASE_URL": database_url,
        "FLOWENGINE_WORKFLOWS_DIR": str(services.settings.workflows_dir),
        "FLOWENGINE_RULE_MODULES": "tests.fixtures.rules",
    }
    result = runner.invoke(main, ["audit", "export", "--format", fmt, "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    if fmt == "csv":
        assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the UTF-8 Chinese correctly
        rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
        assert any(r["comment"] == "请补充代班人电话" and r["actor_name"] == "王建国" for r in rows)
        assert all(r["at_china"] for r in rows)
    ok = runner.invoke(main, ["audit", "verify", "--export", str(out)], env=env)
    assert ok.exit_code == 0 and "全部完好" in ok.output
    # Changing one cell of the file is found offline.
    text_ = raw.decode("utf-8-sig").replace("请补充代班人电话", "同意", 1)
    bad = tmp_path / f"bad.{fmt}"
    bad.write_text(("\ufeff" if fmt == "csv" else "") + text_, encoding="utf-8")
    failed = runner.invoke(main, ["audit", "verify", "--export", str(bad)], env=env)
    assert failed.exit_code == 1 and f"instance:{iid}" in failed.output and "内容被修改" in failed.output
    assert verify_events(read_export(out)).ok


def test_cli_verify_names_the_broken_event(services: Services, world: World, database_url: str) -> None:
    iid = run_requests(services, world)
    victim = event_id(services, iid, 2)
    tamper(services, f"UPDATE audit_events SET client_addr = '10.9.9.9' WHERE id = {victim}")
    env = {
        "FLOWENGINE_DATABASE_URL": database_url,
        "FLOWENGINE_WORKFLOWS_DIR": str(services.settings.workflows_dir),
        "FLOWENGINE_RULE_MODULES": "tests.fixtures.rules",
    }
    result = CliRunner().invoke(main, ["audit", "verify"], env=env)
    assert result.exit_code == 1 and f"事件 {victim}（instance:{iid} 第 2 条）" in result.output
    clean = CliRunner().invoke(main, ["audit", "verify", "--instance", str(iid + 1)], env=env)
    assert clean.exit_code == 0
