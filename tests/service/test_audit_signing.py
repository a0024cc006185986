"""Keyed seals: each seal signed with a private key the database does not hold, so that someone with full
database access but without the key cannot rewrite the trail and recompute hashes and seals unnoticed; key
generation and rotation (old public keys keep old seals verifiable); a sealer without the key writes no
unsigned seal after a signed one."""

from __future__ import annotations

import datetime as dt
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from flowengine.cli import main
from flowengine.config import Settings
from flowengine.errors import ConfigurationError
from flowengine.persistence.models import AuditEvent, AuditSeal
from flowengine.service import KeyRing, Services, audit, generate_audit_key, open_services
from flowengine.service.audit.ledger import SEALS, AuditLedger
from flowengine.service.audit.seal import AuditSealer, SigningKeyMissing
from flowengine.service.audit.signing import ALGORITHMS, SigningKey
from tests.support import Clock, World, build_world
from tests.support.audit import tamper
from tests.support.paths import FIXTURE_WORKFLOWS
from tests.support.service import run_requests

Opener = Callable[..., Services]


@pytest.fixture
def keyed(database_url: str, tmp_path: Path, clock: Clock) -> Opener:
    """Services whose sealer signs with a key in ``tmp_path/keys`` and whose ledger trusts ``public.keys``."""
    opened: list[Services] = []

    def open_(signing: bool = True, public: bool = True) -> Services:
        keys = tmp_path / "keys"
        settings = Settings(
            database_url=database_url,
            data_dir=tmp_path,
            workflows_dir=FIXTURE_WORKFLOWS,
            audit_signing_key=keys / "audit-signing.pem" if signing else None,
            audit_public_keys=keys / "audit-public.keys" if public else None,
        )
        services = open_services(settings, clock=clock, auto_upgrade=True)
        opened.append(services)
        return services

    yield open_  # type: ignore[misc]
    for s in opened:
        s.close()


def keygen(tmp_path: Path, rotate: bool = False) -> str:
    keys = tmp_path / "keys"
    return generate_audit_key(keys / "audit-signing.pem", keys / "audit-public.keys", rotate=rotate).key.id


def sealed(services: Services, world: World, clock: Clock) -> int:
    iid = run_requests(services, world)
    clock.advance(minutes=10)
    assert services.sealer.seal()
    return iid


def rewrite_chain(services: Services, iid: int) -> None:
    """Full database access without the key: change the handler's comment, recompute the chain's hashes."""
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


def reseal(services: Services, clock: Clock, signer: SigningKey | None = None) -> None:
    """…and recompute every seal, as the (public) sealer code does, at the times of the original seals."""
    with services.db.read() as s:
        times = list(s.scalars(select(AuditSeal.sealed_at).order_by(AuditSeal.seq)))
    tamper(services, "DELETE FROM audit_seals")
    forger = AuditSealer(services.db, clock, signer=signer)
    for at in times:
        forger.seal(at)


def test_signed_seals_verify_and_name_their_key(keyed: Opener, tmp_path: Path, clock: Clock) -> None:
    kid = keygen(tmp_path)
    services = keyed()
    world = build_world(services, clock())
    sealed(services, world, clock)
    with services.db.read() as s:
        [(key_id, signature)] = s.execute(select(AuditSeal.key_id, AuditSeal.signature)).all()
    assert key_id == kid and signature
    report = services.ledger.verify()
    assert report.ok and report.signed == {kid: 1} and report.unsigned_seals == 0
    assert report.last_seal is not None and report.last_seal.key_id == kid


@pytest.mark.parametrize("forgery", ["unsigned", "old_signatures", "own_key"])
def test_rewritten_chain_with_recomputed_hashes_and_seals_is_found_through_the_signature(
    keyed: Opener, tmp_path: Path, clock: Clock, forgery: str
) -> None:
    kid = keygen(tmp_path)
    services = keyed()
    world = build_world(services, clock())
    iid = sealed(services, world, clock)
    with services.db.write() as s:
        audit.append(s, at=clock(), kind="login_failure")
    clock.advance(minutes=10)
    assert services.sealer.seal()
    with services.db.read() as s:
        original = {
            seq: (k, sig)
            for seq, k, sig in s.execute(select(AuditSeal.seq, AuditSeal.key_id, AuditSeal.signature))
        }
    rewrite_chain(services, iid)
    if forgery == "own_key":
        reseal(services, clock, SigningKey.from_pem(ALGORITHMS["ed25519"].generate()))  # the forger's key
    else:
        reseal(services, clock)
    if forgery == "old_signatures":  # the signatures the seals had, copied onto the recomputed seals
        tamper(
            services,
            *[
                f"UPDATE audit_seals SET key_id = '{k}', signature = '{sig}' WHERE seq = {seq}"
                for seq, (k, sig) in original.items()
            ],
        )
    # Without the public keys the forgery is perfect: every hash, digest and head is consistent.
    assert AuditLedger(services.db).verify().ok
    breaks = services.ledger.verify().breaks
    assert breaks and all(b.chain == SEALS for b in breaks)
    if forgery == "unsigned":
        [brk] = breaks
        assert brk.seq == 2 and "未签名" in brk.problem and "最近的封存须有签名" in brk.problem
    elif forgery == "old_signatures":
        assert [b.seq for b in breaks] == [1, 2]
        assert all(f"密钥 {kid}" in b.problem and "签名与封存摘要不符" in b.problem for b in breaks)
    else:
        assert [b.seq for b in breaks] == [1, 2] and all(
            "不在受信任的审计公钥中" in b.problem for b in breaks
        )
    # Checking one request reads the seal chain too.
    assert services.ledger.verify(iid).breaks


def test_rotation_keeps_the_old_seals_verifiable(keyed: Opener, tmp_path: Path, clock: Clock) -> None:
    old = keygen(tmp_path)
    services = keyed()
    world = build_world(services, clock())
    sealed(services, world, clock)
    new = keygen(tmp_path, rotate=True)
    assert new != old
    ring = KeyRing.load(tmp_path / "keys" / "audit-public.keys")
    assert set(ring) == {old, new}
    rotated = keyed()  # the scheduler restarted with the new key
    clock.advance(minutes=1)
    assert rotated.sealer.seal() == []  # nothing new to seal: no empty seal per key (two hosts, two keys)
    with rotated.db.write() as s:
        audit.append(s, at=clock(), kind="login_failure")
    clock.advance(minutes=10)
    [second] = rotated.sealer.seal()
    assert (second.seq, second.key_id, second.event_count) == (2, new, 1)
    report = rotated.ledger.verify()
    assert report.ok and report.signed == {old: 1, new: 1}
    # A verifier that forgot the retired key cannot vouch for the seal it signed.
    only_new = KeyRing([ring[new]])
    [brk] = rotated.ledger.verify(keys=only_new).breaks
    assert brk.seq == 1 and old in brk.problem


def test_a_sealer_without_the_key_adds_no_unsigned_seal(
    keyed: Opener, tmp_path: Path, clock: Clock, database_url: str
) -> None:
    keygen(tmp_path)
    services = keyed()
    world = build_world(services, clock())
    sealed(services, world, clock)
    with services.db.write() as s:
        audit.append(s, at=clock(), kind="login_failure")
    clock.advance(minutes=10)
    keyless = keyed(signing=False, public=False)  # e.g. a second scheduler host whose key was not installed
    with pytest.raises(SigningKeyMissing, match="已有封存由密钥"):
        keyless.sealer.seal()
    assert keyless.escalator.sweep().sealed == 0  # logged; the sweep goes on, and nothing is written
    env = {"FLOWENGINE_DATABASE_URL": database_url, "FLOWENGINE_WORKFLOWS_DIR": str(FIXTURE_WORKFLOWS)}
    refused = CliRunner().invoke(main, ["audit", "seal"], env=env)
    assert refused.exit_code == 1 and "FLOWENGINE_AUDIT_SIGNING_KEY" in refused.output
    assert services.ledger.verify().ok and services.ledger.verify().seals == 1


def test_seals_written_before_the_key_are_covered_by_the_first_signed_seal(
    services: Services, world: World, keyed: Opener, tmp_path: Path, clock: Clock
) -> None:
    iid = run_requests(services, world)
    clock.advance(minutes=10)
    with pytest.raises(SigningKeyMissing, match="已配置审计公钥"):  # public keys, but no private key here
        AuditSealer(services.db, clock, require_signature=True).seal()
    assert services.sealer.seal()  # no key yet: an unsigned seal
    kid = keygen(tmp_path)
    signing = keyed()
    clock.advance(minutes=1)
    [first_signed] = signing.sealer.seal()  # at once, covering nothing new: it signs the chain so far
    assert (first_signed.seq, first_signed.key_id, first_signed.event_count) == (2, kid, 0)
    report = signing.ledger.verify()
    assert report.ok and report.unsigned_seals == 1 and report.signed == {kid: 1}
    rewrite_chain(signing, iid)  # rewriting the unsigned period means recomputing the signed seal too
    reseal(signing, clock)
    assert AuditLedger(signing.db).verify().ok
    [brk] = signing.ledger.verify().breaks
    assert brk.chain == SEALS and "未签名：已配置审计公钥" in brk.problem


def test_a_signing_key_the_verifiers_do_not_trust_stops_the_services(keyed: Opener, tmp_path: Path) -> None:
    keygen(tmp_path)
    (tmp_path / "keys" / "audit-public.keys").write_text("# emptied\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="不在审计公钥文件"):
        keyed()
    (tmp_path / "keys" / "audit-public.keys").write_text("ed25519 not-base64!\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"audit-public.keys:1：公钥不是有效的 base64"):
        keyed()


def test_keygen_and_verify_on_the_command_line(services: Services, world: World, tmp_path: Path) -> None:
    run_requests(services, world)
    keys = tmp_path / "cli-keys"
    env = {
        "FLOWENGINE_DATABASE_URL": services.settings.database_url,
        "FLOWENGINE_WORKFLOWS_DIR": str(services.settings.workflows_dir),
        "FLOWENGINE_AUDIT_SIGNING_KEY": str(keys / "signing.pem"),
        "FLOWENGINE_AUDIT_PUBLIC_KEYS": str(keys / "public.keys"),
    }
    runner = CliRunner()
    made = runner.invoke(main, ["audit", "keygen", "--comment", "市委教育工委 2026"], env=env)
    assert made.exit_code == 0, made.output
    assert stat.S_IMODE((keys / "signing.pem").stat().st_mode) == 0o600
    kid = SigningKey.load(keys / "signing.pem").id
    line = (keys / "public.keys").read_text(encoding="utf-8").strip()
    assert line.startswith("ed25519 ") and line.endswith("市委教育工委 2026") and line in made.output
    again = runner.invoke(main, ["audit", "keygen"], env=env)
    assert again.exit_code == 2 and "--rotate" in again.output and kid in again.output
    assert SigningKey.load(keys / "signing.pem").id == kid  # untouched
    seal = runner.invoke(main, ["audit", "seal"], env=env)
    assert seal.exit_code == 0 and f"由密钥 {kid} 签名" in seal.output
    ok = runner.invoke(main, ["audit", "verify"], env=env)
    assert ok.exit_code == 0 and f"密钥 {kid}（市委教育工委 2026）：签名 1 个封存，签名有效" in ok.output
    rotated = runner.invoke(main, ["audit", "keygen", "--rotate"], env=env)
    assert rotated.exit_code == 0 and f"旧密钥 {kid}" in rotated.output
    assert len(KeyRing.load(keys / "public.keys")) == 2
    with services.db.write() as s:  # something new, at the real time the CLI seals at
        audit.append(s, at=dt.datetime.now(dt.UTC), kind="login_failure")
    resealed = runner.invoke(main, ["audit", "seal"], env={**env, "FLOWENGINE_AUDIT_SEAL_GRACE_SECONDS": "0"})
    assert resealed.exit_code == 0 and "第 2 号封存" in resealed.output and kid not in resealed.output
    both = runner.invoke(main, ["audit", "verify"], env=env)
    assert both.exit_code == 0 and both.output.count("签名有效") == 2
    # A forged seal chain (the signatures removed), checked by an auditor with their own copy of the keys.
    with services.db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            conn.exec_driver_sql("DROP TRIGGER audit_seals_no_update")
        conn.execute(text("UPDATE audit_seals SET key_id = NULL, signature = NULL"))
    auditor = {k: v for k, v in env.items() if not k.startswith("FLOWENGINE_AUDIT")}
    unchecked = runner.invoke(main, ["audit", "verify"], env=auditor)
    assert unchecked.exit_code == 0 and "封存均未签名" in unchecked.output
    found = runner.invoke(main, ["audit", "verify", "--public-keys", str(keys / "public.keys")], env=auditor)
    assert found.exit_code == 1 and "未签名：已配置审计公钥" in found.output
