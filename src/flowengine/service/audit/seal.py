"""Seal the audit trail: chained heads per period, so that a sealed record can no longer shrink or grow.

The hash chains of :mod:`flowengine.service.audit.trail` prove that a chain is intact *up to its last event*;
they cannot tell that the last event was deleted, nor that a well-formed event was appended. A seal closes
that gap for everything older than a grace period. Seal ``n`` covers the events with ids in
``(after_event_id, last_event_id]`` — exactly where seal ``n - 1`` ended, so seals never overlap nor leave
a hole — and stores

* ``event_count`` and ``events_digest``: SHA-256 over ``id, chain, seq, hash`` of each covered event in id
  order (each event's own hash already covers its content), computed in one streaming pass;
* ``heads``: for every chain with events in the range, its last one there ``[seq, id, hash]`` (canonical
  JSON, hashed as stored), so that verification names the request whose tail went missing;
* ``cutoff``: when the seal was taken, every committed event written before ``cutoff`` had an id up to
  ``last_event_id`` — an event found later with an earlier time was written after the fact;
* ``prev_digest`` and ``digest``: SHA-256 over the previous seal's digest and all of the above, which
  chains the seals.

Sealing takes only events written more than ``grace`` (default 5 minutes) before now, so a transaction
still in flight is not passed over: the grace must exceed the longest write transaction plus the clock
skew between hosts. A seal covers at most ``max_events`` events; a larger backlog (the first seal of an
existing database) becomes several seals, the last of which carries the cutoff.

Each seal may be signed (:mod:`flowengine.service.audit.signing`): ``signature`` over ``digest`` with the
private key ``key_id`` names, which the database never holds, so that a chain rewritten with recomputed
hashes and digests by someone with full database access but without the key no longer verifies. Once a
seal is signed, or once the verifiers' public keys are configured, a sealer without the private key refuses
to add an unsigned seal (which ``audit verify`` would report for ever); and the first sealer with a key, when
no seal is signed yet, adds an empty seal at once, so that everything sealed so far is covered by a
signature without waiting for new events. (After a rotation the next seal with events is signed with the
new key: forcing one per key would make two hosts with keys of their own add empty seals in turn for ever.)

Several sealers may run at once (every scheduler process seals at the end of its sweep): each computes
its seal from committed data without any lock, then inserts it only if the latest seal is still the one it
built on; the primary key on ``seq`` refuses the second of two concurrent inserts. The loser retries from
the new head, so the seals form one chain and nothing is sealed twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from flowengine.chinese import CHINA
from flowengine.clock import Clock
from flowengine.errors import ConfigurationError, FlowEngineError
from flowengine.persistence.db import Database
from flowengine.persistence.models import AuditEvent, AuditSeal
from flowengine.service.audit.signing import SigningKey

log = logging.getLogger(__name__)

GENESIS_SEAL = "0" * 64
DEFAULT_GRACE = dt.timedelta(minutes=5)
DEFAULT_MAX_EVENTS = 20_000
# The cutoff of a partial first seal (one that makes no claim about time yet).
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
SEAL_FIELDS = (
    "seq",
    "sealed_at",
    "cutoff",
    "after_event_id",
    "last_event_id",
    "event_count",
    "events_digest",
)
SEAL_COLUMNS = (*SEAL_FIELDS, "heads", "prev_digest", "digest", "key_id", "signature")

Head = tuple[int, int, str]  # seq, event id, hash of a chain's last event in a sealed period

_E = AuditEvent.__table__.c
_S = AuditSeal.__table__.c
_INSERT = insert(AuditSeal)
_STREAM = 5000


def _utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class PeriodDigest:
    """One seal's events, fed in id order: their count, digest, and the last event of each chain."""

    __slots__ = ("_sha", "count", "heads")

    def __init__(self) -> None:
        self._sha = hashlib.sha256()
        self.count = 0
        self.heads: dict[str, Head] = {}

    def add(self, event_id: int, chain: str, seq: int, hash_: str) -> None:
        self._sha.update(f"{event_id}\t{chain}\t{seq}\t{hash_}\n".encode())
        self.count += 1
        head = self.heads.get(chain)
        if head is None or (seq, event_id) > (head[0], head[1]):
            self.heads[chain] = (seq, event_id, hash_)

    def hexdigest(self) -> str:
        return self._sha.hexdigest()

    def heads_text(self) -> str:
        return heads_text(self.heads)


def heads_text(heads: Mapping[str, Head]) -> str:
    return json.dumps(
        {chain: list(head) for chain, head in heads.items()}, sort_keys=True, separators=(",", ":")
    )


def parse_heads(text: str) -> dict[str, Head]:
    """The ``heads`` of a seal; raises ValueError if it is not what a sealer writes."""
    raw = json.loads(text)
    if not isinstance(raw, dict):
        raise ValueError("heads is not an object")
    out: dict[str, Head] = {}
    for chain, head in raw.items():
        seq, event_id, hash_ = head
        out[str(chain)] = (int(seq), int(event_id), str(hash_))
    return out


def seal_digest(fields: Mapping[str, Any], prev_digest: str, heads: str) -> str:
    """SHA-256 chaining a seal to the previous one: its header fields, then its heads as stored."""
    header = json.dumps(
        {k: _utc_text(fields[k]) if isinstance(fields[k], dt.datetime) else fields[k] for k in SEAL_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(f"{prev_digest}{header}\n{heads}".encode()).hexdigest()


@dataclass(frozen=True)
class SealSummary:
    seq: int
    sealed_at: dt.datetime
    cutoff: dt.datetime
    after_event_id: int
    last_event_id: int
    event_count: int
    digest: str
    key_id: str | None = None  # the key that signed it (None: unsigned)

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> SealSummary:
        return cls(
            row["seq"],
            row["sealed_at"],
            row["cutoff"],
            row["after_event_id"],
            row["last_event_id"],
            row["event_count"],
            row["digest"],
            row.get("key_id"),
        )


class SigningKeyMissing(ConfigurationError):
    """The seals are signed (or must be), and this sealer has no private key: it adds no unsigned seal."""


class SealedPast(FlowEngineError):
    """Something would be written dated inside a sealed period (``audit verify`` would call it back-dated)."""

    code = "sealed_past"


class _Raced(Exception):
    """Another sealer added the seal this one was about to add."""


@dataclass
class AuditSealer:
    """Adds seals over the events older than ``grace``; idempotent, and safe with concurrent sealers."""

    db: Database
    clock: Clock
    grace: dt.timedelta = DEFAULT_GRACE
    max_events: int = DEFAULT_MAX_EVENTS
    #: Signs each seal; the key is read from a file outside the database (FLOWENGINE_AUDIT_SIGNING_KEY).
    signer: SigningKey | None = None
    #: The verifiers trust public keys (FLOWENGINE_AUDIT_PUBLIC_KEYS): an unsigned seal would not verify.
    require_signature: bool = False

    def seal(self, at: dt.datetime | None = None, *, max_seals: int | None = None) -> list[SealSummary]:
        """Seal every event written before ``at - grace`` (default: the clock) not sealed yet.

        Returns the seals added (none when there is nothing new, e.g. on a second call). ``max_seals``
        bounds the work of one call when a large backlog is split into seals of ``max_events``.
        """
        now = at or self.clock()
        added: list[SealSummary] = []
        races = 0
        while max_seals is None or len(added) < max_seals:
            try:
                seal = self._seal_once(now)
            except _Raced:
                races += 1
                if races > 20:  # others keep winning: they are sealing, and will finish the job
                    break
                continue
            if seal is None:
                break
            races = 0
            added.append(seal)
        return added

    def latest(self) -> SealSummary | None:
        with self.db.read() as s:
            row = (
                s.execute(select(*[_S[c] for c in SEAL_COLUMNS]).order_by(_S.seq.desc()).limit(1))
                .mappings()
                .first()
            )
        return SealSummary.of(dict(row)) if row else None

    def refuse_sealed(self, moment: dt.datetime) -> None:
        """Raise :class:`SealedPast` if ``moment`` is before the last seal's cutoff: an event dated then, written
        now, would be reported by ``audit verify`` as written after the fact, for ever (the trail is
        append-only)."""
        latest = self.latest()
        if latest is not None and moment < latest.cutoff:
            fmt = "%Y-%m-%d %H:%M:%S"
            raise SealedPast(
                f"不能以 {moment.astimezone(CHINA):{fmt}} 作为当前时间：审计记录已封存至 "
                f"{latest.cutoff.astimezone(CHINA):{fmt}}（第 {latest.seq} 号封存），此前的时刻不能再写入记录，"
                "否则 audit verify 会将其报告为封存后补写。请使用晚于该时刻的时间。"
            )

    def _seal_once(self, now: dt.datetime) -> SealSummary | None:
        cutoff = now - self.grace
        with self.db.read() as s:
            conn = s.connection()
            prev = conn.execute(
                select(_S.seq, _S.cutoff, _S.last_event_id, _S.digest, _S.key_id)
                .order_by(_S.seq.desc())
                .limit(1)
            ).first()
            if prev is not None and cutoff <= prev.cutoff:
                return None  # the clock is behind the last seal (skew, or a sweep simulated in the past)
            after = prev.last_event_id if prev is not None else 0
            # The newest event old enough to seal: scanned backwards from the newest id, which stops within
            # the grace period's events (the `at` index would walk the whole history instead).
            last = conn.scalar(
                select(_E.id).where(_E.id > after, _E.at < cutoff).order_by(_E.id.desc()).limit(1)
            )
            if last is None:
                if not self._first_signed(prev):
                    return None
                last = after  # an empty seal: the first signature covers everything sealed so far
            cap = conn.scalar(
                select(_E.id).where(_E.id > after).order_by(_E.id).offset(self.max_events - 1).limit(1)
            )
            partial = cap is not None and cap < last
            self._check_signer(prev)
            if partial:
                assert cap is not None
                last = cap
            period = PeriodDigest()
            rows = conn.execute(
                select(_E.id, _E.chain, _E.seq, _E.hash)
                .where(_E.id > after, _E.id <= last)
                .order_by(_E.id)
                .execution_options(yield_per=_STREAM)
            )
            for event_id, chain, seq, hash_ in rows:
                period.add(event_id, chain, seq, hash_)
        fields: dict[str, Any] = {
            "seq": (prev.seq if prev is not None else 0) + 1,
            "sealed_at": now.astimezone(dt.UTC),
            # A partial seal claims nothing new about time: the next one, which ends the backlog, does.
            "cutoff": (prev.cutoff if prev is not None else EPOCH) if partial else cutoff.astimezone(dt.UTC),
            "after_event_id": after,
            "last_event_id": last,
            "event_count": period.count,
            "events_digest": period.hexdigest(),
        }
        heads = period.heads_text()
        prev_digest = prev.digest if prev is not None else GENESIS_SEAL
        digest = seal_digest(fields, prev_digest, heads)
        row = {
            **fields,
            "heads": heads,
            "prev_digest": prev_digest,
            "digest": digest,
            "key_id": self.signer.id if self.signer is not None else None,
            "signature": self.signer.sign(digest) if self.signer is not None else None,
        }
        try:
            with self.db.write() as s:
                top = s.scalar(select(func.max(_S.seq)))
                if (top or 0) != fields["seq"] - 1:
                    raise _Raced
                s.execute(_INSERT, row)
        except IntegrityError as exc:  # a concurrent sealer inserted this seq first (PostgreSQL)
            raise _Raced from exc
        log.info(
            "audit seal %d: events %d–%d (%d), digest %s, key %s",
            row["seq"],
            after + 1,
            last,
            period.count,
            row["digest"],
            row["key_id"] or "none (unsigned)",
        )
        return SealSummary.of(row)

    def _first_signed(self, prev: Any) -> bool:
        """Whether this sealer would add the first signed seal (none is signed yet, or none exists)."""
        return self.signer is not None and (prev is None or prev.key_id is None)

    def _check_signer(self, prev: Any) -> None:
        if self.signer is not None:
            return
        signed = prev is not None and prev.key_id is not None
        if signed or self.require_signature:
            why = (
                f"已有封存由密钥 {prev.key_id} 签名"
                if signed
                else "已配置审计公钥（FLOWENGINE_AUDIT_PUBLIC_KEYS）"
            )
            raise SigningKeyMissing(
                f"{why}，而本进程未配置签名私钥（FLOWENGINE_AUDIT_SIGNING_KEY）：不写入无法核对的未签名封存。"
                "请在运行调度进程的主机上配置私钥。"
            )
