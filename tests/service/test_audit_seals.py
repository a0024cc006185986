"""Audit seals: once a period is sealed, its events can no longer disappear (even the last of a chain) nor be
added to it unnoticed; events after the last seal are in the open window until the next seal covers them;
sealing is idempotent, and concurrent sealers build one seal chain."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from flowengine.cli import main
from flowengine.persistence.models import AuditEvent, AuditSeal
from flowengine.service import Services, audit
from flowengine.service.audit.ledger import SEALS, load_export, verify_events
from flowengine.service.audit.seal import AuditSealer
from tests.support import Clock, World
from tests.support.audit import tamper
from tests.support.service import event_id, run_requests

PAST_GRACE = dt.timedelta(minutes=10)


def forge_append(services: Services, iid: int, at: dt.datetime) -> int:
    """A forged approval appended to a request's chain with a correct hash: what INSERT alone allows."""
    with services.db.write() as s:
        row = audit.append(
            s,
            at=at,
            kind="approve",
            instance_id=iid,
            actor_name="王建国",
            role="handler",
            action="approve",
            from_state="review",
            to_state="approved",
            comment="同意",
        )
    return event_id(services, iid, row["seq"])


def last_seq(services: Services, iid: int) -> int:
    with services.db.read() as s:
        return s.scalar(select(func.max(AuditEvent.seq)).where(AuditEvent.chain == f"instance:{iid}")) or 0


def test_sealing_twice_adds_nothing(services: Services, world: World, clock: Clock) -> None:
    run_requests(services, world)
    assert services.sealer.seal() == []  # everything is younger than the grace period
    clock.advance(minutes=10)
    [seal] = services.sealer.seal()
    with services.db.read() as s:
        total = s.scalar(select(func.count()).select_from(AuditEvent))
    assert (seal.seq, seal.after_event_id, seal.event_count) == (1, 0, total)
    assert seal.cutoff == clock() - dt.timedelta(minutes=5)
    assert services.sealer.seal() == [] and services.sealer.seal(clock() + dt.timedelta(seconds=1)) == []
    report = services.ledger.verify()
    assert report.ok and (report.seals, report.unsealed, report.last_seal) == (1, 0, seal)


def test_deleted_last_event_of_a_chain_is_named(services: Services, world: World, clock: Clock) -> None:
    iid = run_requests(services, world)
    approval = event_id(services, iid, 5)
    # Before any seal this is the open window: the chain is still consistent without its last event.
    clock.advance(minutes=10)
    services.sealer.seal()
    tamper(services, f"DELETE FROM audit_events WHERE id = {approval}")
    report = services.ledger.verify()
    [brk] = report.breaks
    assert (brk.chain, brk.event_id, brk.seq) == (f"instance:{iid}", approval, 5)
    assert "已不存在" in brk.problem and "末尾事件被删除" in brk.problem
    # One request's verification sees it too, from the last head the seals recorded for it.
    [one] = services.ledger.verify(iid).breaks
    assert (one.event_id, one.seq) == (approval, 5) and "末尾事件被删除" in one.problem


def test_deleted_event_inside_a_sealed_chain_is_named_once(
    services: Services, world: World, clock: Clock
) -> None:
    """The chain names it; the seal's digest, which no longer matches either, adds nothing to say."""
    iid = run_requests(services, world)
    clock.advance(minutes=10)
    services.sealer.seal()
    after = event_id(services, iid, 3)
    tamper(services, f"DELETE FROM audit_events WHERE id = {event_id(services, iid, 2)}")
    [brk] = services.ledger.verify().breaks
    assert (brk.event_id, brk.seq) == (after, 3) and "缺少第 2 条" in brk.problem


def test_without_a_seal_the_deleted_tail_goes_unnoticed(services: Services, world: World) -> None:
    """The documented window: a chain's last event before it is sealed."""
    iid = run_requests(services, world)
    tamper(services, f"DELETE FROM audit_events WHERE id = {event_id(services, iid, 5)}")
    assert services.ledger.verify().ok


def test_event_inserted_into_a_sealed_period_is_named(services: Services, world: World, clock: Clock) -> None:
    iid = run_requests(services, world)
    clock.advance(minutes=10)
    assert [seal.seq for seal in services.sealer.seal()] == [1]
    # A forged approval, dated back into the sealed period, appended with a valid hash.
    forged = forge_append(services, iid, clock() - dt.timedelta(minutes=9))
    report = services.ledger.verify()
    [brk] = report.breaks
    assert (brk.chain, brk.event_id, brk.seq) == (f"instance:{iid}", forged, 6)
    assert "第 1 号封存的截止时间" in brk.problem and "封存后补写" in brk.problem
    assert not services.ledger.verify(iid).ok
    # The next seal takes it in, but it stays named: it was written after the period it claims.
    clock.advance(minutes=10)
    services.sealer.seal()
    assert [b.event_id for b in services.ledger.verify().breaks] == [forged]


def test_event_inserted_with_an_id_inside_a_sealed_range_is_named(
    services: Services, world: World, clock: Clock
) -> None:
    iid = run_requests(services, world)
    last = event_id(services, iid, 5)
    clock.advance(minutes=10)
    services.sealer.seal()
    # Make room inside the sealed range (move the approval to a fresh id), then slip a forged event in there.
    tamper(services, f"UPDATE audit_events SET id = id + 100000 WHERE id = {last}")
    forged = forge_append(services, iid, clock() - dt.timedelta(minutes=9, seconds=30))
    tamper(
        services,
        f"UPDATE audit_events SET id = {last} WHERE id = {forged}",
        f"UPDATE audit_events SET id = {forged} WHERE id = {last + 100000}",
    )
    breaks = services.ledger.verify().breaks
    assert any(b.event_id == last and b.seq == 6 and "不在第 1 号封存中" in b.problem for b in breaks), breaks


@pytest.mark.parametrize("chain", ["system", "instance"])
def test_event_with_an_id_below_every_seal_is_named(
    services: Services, world: World, clock: Clock, chain: str
) -> None:
    iid = run_requests(services, world)
    clock.advance(minutes=10)
    services.sealer.seal()
    forged = (
        forge_append(services, iid, clock() - dt.timedelta(minutes=9, seconds=30))
        if chain == "instance"
        else 0
    )
    if chain == "instance":
        tamper(services, f"UPDATE audit_events SET id = 0 WHERE id = {forged}")
    else:
        with services.db.write() as s:
            row = audit.append(s, at=clock() - dt.timedelta(minutes=9, seconds=30), kind="login_failure")
        tamper(services, f"UPDATE audit_events SET id = 0 WHERE chain = 'system' AND seq = {row['seq']}")
    name = f"instance:{iid}" if chain == "instance" else "system"
    breaks = services.ledger.verify().breaks
    assert any(b.chain == name and b.event_id == 0 and "不在任何封存的范围内" in b.problem for b in breaks), (
        breaks
    )
    if chain == "instance":
        assert any(
            b.event_id == 0 and "不在任何封存的范围内" in b.problem
            for b in services.ledger.verify(iid).breaks
        )


def test_rewritten_chain_with_recomputed_hashes_is_found(
    services: Services, world: World, clock: Clock
) -> None:
    """An attacker who edits an event and recomputes the rest of its chain passes the chain check, not the seal."""
    iid = run_requests(services, world)
    clock.advance(minutes=10)
    services.sealer.seal()
    with services.db.read() as s:
        events = list(
            s.scalars(
                select(AuditEvent).where(AuditEvent.chain == f"instance:{iid}").order_by(AuditEvent.seq)
            )
        )
    prev, updates = events[1].hash, []
    for e in events[2:]:
        fields = {k: getattr(e, k) for k in audit.HASHED_FIELDS}
        if e.seq == 3:
            fields["comment"] = "同意"
            updates.append(f"UPDATE audit_events SET comment = '同意' WHERE id = {e.id}")
        digest = audit.event_hash(fields, prev)
        updates.append(f"UPDATE audit_events SET prev_hash = '{prev}', hash = '{digest}' WHERE id = {e.id}")
        prev = digest
    tamper(services, *updates)
    [brk] = services.ledger.verify().breaks
    assert (brk.chain, brk.seq) == (f"instance:{iid}", 5) and "重新计算了哈希" in brk.problem


def test_forged_append_after_the_last_seal_is_accepted_then_sealed(
    services: Services, world: World, clock: Clock
) -> None:
    """The window: an event appended after the last seal's cutoff cannot be told from a real one. Nothing is
    lost either way: the next seal covers it, and from then on it can no longer be removed unnoticed."""
    iid = run_requests(services, world)
    clock.advance(minutes=10)
    services.sealer.seal()
    forged = forge_append(services, iid, clock())
    report = services.ledger.verify()
    assert report.ok and report.unsealed == 1
    clock.advance(minutes=10)
    [seal] = services.sealer.seal()
    assert (seal.seq, seal.event_count, seal.last_event_id) == (2, 1, forged)
    with services.db.read() as s:
        heads = json.loads(s.scalar(select(AuditSeal.heads).where(AuditSeal.seq == 2)) or "{}")
    assert heads == {f"instance:{iid}": [6, forged, heads[f"instance:{iid}"][2]]}
    assert services.ledger.verify().ok
    tamper(services, f"DELETE FROM audit_events WHERE id = {forged}")
    [brk] = services.ledger.verify().breaks
    assert (brk.event_id, brk.seq) == (forged, 6) and "第 2 号封存" in brk.problem


@pytest.mark.parametrize("attack", ["edit", "delete_first", "delete_last"])
def test_broken_seal_chain_is_found(services: Services, world: World, clock: Clock, attack: str) -> None:
    iid = run_requests(services, world)
    clock.advance(minutes=10)
    [first] = services.sealer.seal()
    with services.db.write() as s:
        audit.append(s, at=clock(), kind="login_failure")
    clock.advance(minutes=10)
    [second] = services.sealer.seal()
    assert services.ledger.verify(anchors={2: second.digest}).ok
    if attack == "edit":
        tamper(services, "UPDATE audit_seals SET event_count = event_count - 1 WHERE seq = 1")
        breaks = services.ledger.verify().breaks
        [brk] = breaks
        assert (brk.chain, brk.seq) == (SEALS, 1) and "内容与其摘要不符" in brk.problem
        assert str(brk).startswith("第 1 号封存：")
    elif attack == "delete_first":
        tamper(services, "DELETE FROM audit_seals WHERE seq = 1")
        breaks = services.ledger.verify().breaks
        assert breaks[0].seq == 1 and "第 1 号封存缺失" in breaks[0].problem
        assert "第 1 号封存缺失" in str(services.ledger.verify(iid).breaks[0])
    else:
        # Deleting the newest seal leaves a consistent, shorter seal chain: only a digest kept outside the
        # database shows it (the newest seal is to the seals what the last event is to a chain).
        tamper(services, "DELETE FROM audit_seals WHERE seq = 2")
        assert services.ledger.verify().ok
        [brk] = services.ledger.verify(anchors={1: first.digest, 2: second.digest}).breaks
        assert brk.seq == 2 and "不存在" in brk.problem


def test_concurrent_sealers_build_one_seal_chain(services: Services, world: World, clock: Clock) -> None:
    run_requests(services, world)
    with services.db.write() as s:
        audit.append_many(
            s,
            [dict(at=clock(), kind="login_failure", chain=f"org:{i % 7}", data={"n": i}) for i in range(120)],
        )
    with services.db.read() as s:
        total = s.scalar(select(func.count()).select_from(AuditEvent)) or 0
    clock.advance(minutes=10)
    sealers = [AuditSealer(services.db, clock, max_events=4) for _ in range(4)]
    barrier = threading.Barrier(len(sealers))
    results: list[list[int]] = [[] for _ in sealers]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = [seal.seq for seal in sealers[i].seal()]
        except BaseException as exc:  # reported below: a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(sealers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    with services.db.read() as s:
        seals = list(s.scalars(select(AuditSeal).order_by(AuditSeal.seq)))
    made = sorted(seq for r in results for seq in r)
    assert made == [seal.seq for seal in seals] == list(range(1, len(seals) + 1))  # each seal added once
    assert sum(seal.event_count for seal in seals) == total
    assert all(b.after_event_id == a.last_event_id for a, b in zip(seals, seals[1:], strict=False))
    report = services.ledger.verify()
    assert report.ok and report.unsealed == 0 and report.seals == len(seals) >= total // 4
    assert sealers[0].seal() == []


def test_the_sweep_seals_up_to_the_clock_only(services: Services, world: World, clock: Clock) -> None:
    run_requests(services, world)
    with services.db.read() as s:
        total = s.scalar(select(func.count()).select_from(AuditEvent)) or 0
    # A sweep simulated days ahead seals nothing ahead of the clock: these events are younger than the grace.
    ahead = services.escalator.sweep(clock() + dt.timedelta(days=3))
    assert ahead.sealed == 0 and ahead.total > 0  # a reminder and term alerts, dated 3 days ahead
    clock.advance(minutes=10)
    assert services.escalator.sweep().sealed == total  # not the alerts of the sweep simulated ahead
    assert services.escalator.sweep().sealed == 0
    assert services.ledger.verify().ok


def test_cli_seal_prints_the_digest_that_verify_can_expect(
    services: Services, world: World, database_url: str
) -> None:
    run_requests(services, world)  # dated by the test clock, long before the real time the CLI runs at
    env = {
        "FLOWENGINE_DATABASE_URL": database_url,
        "FLOWENGINE_WORKFLOWS_DIR": str(services.settings.workflows_dir),
        "FLOWENGINE_RULE_MODULES": "tests.fixtures.rules",
    }
    runner = CliRunner()
    sealed = runner.invoke(main, ["audit", "seal"], env=env)
    assert sealed.exit_code == 0, sealed.output
    seal = services.sealer.latest()
    assert seal is not None and "第 1 号封存" in sealed.output and seal.digest in sealed.output
    assert runner.invoke(main, ["audit", "seal"], env=env).output.strip() == "没有需要封存的新记录。"
    ok = runner.invoke(main, ["audit", "verify", "--expect-seal", f"1={seal.digest}"], env=env)
    assert ok.exit_code == 0 and "已核对 1 个封存" in ok.output and seal.digest in ok.output
    wrong = runner.invoke(main, ["audit", "verify", "--expect-seal", f"1={'0' * 64}"], env=env)
    assert wrong.exit_code == 1 and "第 1 号封存：摘要为" in wrong.output
    future = runner.invoke(main, ["audit", "seal", "--at", "2099-01-01T00:00+08:00"], env=env)
    assert future.exit_code == 2 and "不得晚于当前时间" in future.output


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_of_one_request_shows_a_removed_tail(
    services: Services, world: World, clock: Clock, tmp_path: Path, fmt: str
) -> None:
    iid = run_requests(services, world)
    clock.advance(minutes=10)
    services.sealer.seal()
    approval = event_id(services, iid, 5)

    def export(name: str) -> Path:
        path = tmp_path / f"{name}.{fmt}"
        with path.open("w", encoding="utf-8", newline="") as fh:
            services.ledger.export(fh, fmt, instance_ids=[iid])
        return path

    good = export("good")
    events, heads = load_export(good)
    assert heads[f"instance:{iid}"].id == approval and verify_events(events, sealed_heads=heads).ok
    # The file with its last record cut off: the sealed head it carries still names the approval.
    [brk] = verify_events([e for e in events if e["id"] != approval], sealed_heads=heads).breaks
    assert (brk.event_id, brk.seq) == (approval, 5) and "末尾事件被删除" in brk.problem
    # The database with its last record deleted, exported afterwards: the same.
    tamper(services, f"DELETE FROM audit_events WHERE id = {approval}")
    events, heads = load_export(export("after"))
    [brk] = verify_events(events, sealed_heads=heads).breaks
    assert (brk.event_id, brk.seq) == (approval, 5)
    assert last_seq(services, iid) == 4
