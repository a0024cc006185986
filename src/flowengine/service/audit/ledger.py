"""Verify the audit trail's hash chains and seals, and export it so that it can be verified offline.

Design (documented in the README): every event belongs to one chain — ``instance:<id>`` for a request,
``org:<id>`` for the term watch of an organization, ``system`` for the rest — and carries ``seq`` (1, 2, …
within its chain), the previous event's hash, and the SHA-256 of its own canonical content plus that
previous hash. Verification recomputes everything and names, per chain, the first event that does not
fit:

* an edited field → the event's hash no longer matches its content;
* a deleted event → a gap in ``seq`` and a ``prev_hash`` that points at nothing;
* an inserted event → a duplicate or out-of-place ``seq`` and a broken link after it;
* a reordering → ``seq`` and links out of order.

A chain alone cannot show that its last event was deleted, nor that a well-formed event was appended to
it. The seals (:mod:`flowengine.service.audit.seal`) can, for every sealed period: a full verification
streams the events once in id order, recomputes each seal's count, digest and chain heads on the way,
and names

* a deleted event — also the last of its chain — whose seal recorded it as its chain's head;
* an event inserted into a sealed period: a chain head the seal does not know, or an event whose time is
  before the previous seal's cutoff although that seal did not cover it (written after the fact);
* an edit, insertion, deletion or reordering hidden by recomputing the chain: a head or digest that no
  longer matches (the seal is named when no event can be);
* a seal edited, deleted or replaced: a break in the seal chain (``seq``, link, digest, range), and, when
  the operator kept a seal's digest elsewhere, a digest that differs from it (``anchors``).

``verify(instance_id)`` checks that request's chain against the last head the seals recorded for it, the
times of its events against the seals' cutoffs, and the seal chain — not the period digests, which need
every event. Exports carry each chain's last sealed head, so verifying an export offline also finds a
removed tail, as far as the file itself can be trusted.

With trusted public keys (:mod:`flowengine.service.audit.signing`), every signed seal's signature is checked
and its key named; a seal after a signed one, and the newest seal, must be signed. Someone with full
database access but without the private key can recompute every hash and digest, not a signature: a
rewritten chain is found through its seals' signatures. Unsigned seals before the first signed one (written
before a key was configured) are covered by it, since its digest chains theirs.

The database refuses UPDATE and DELETE on both tables (triggers); the chains and seals catch what someone
with the power to bypass the triggers changes afterwards, within the limits docs/security.md describes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import String, Text, cast, select, type_coerce

from flowengine.chinese import CHINA
from flowengine.persistence.db import Database
from flowengine.persistence.models import AuditEvent, AuditSeal
from flowengine.service.audit.seal import (
    GENESIS_SEAL,
    SEAL_COLUMNS,
    Head,
    PeriodDigest,
    SealSummary,
    parse_heads,
    seal_digest,
)
from flowengine.service.audit.signing import KeyRing
from flowengine.service.audit.trail import GENESIS, HASHED_FIELDS, chain_of, event_hash
from flowengine.spreadsheet import neutral, restore

EXPORT_FORMAT = "flowengine-audit-export"
EXPORT_VERSION = 2  # 2: adds each chain's last sealed head ("seal_heads"; CSV column "sealed_head")
COLUMNS = ("id", *HASHED_FIELDS, "prev_hash", "hash")
SEALED_HEAD = "sealed_head"
SEALS = "seals"  # the "chain" of a Break that concerns the seals themselves
_INT = {"id", "seq", "instance_id", "actor_id", "org_id"}


@dataclass(frozen=True)
class Break:
    chain: str
    event_id: int | None
    seq: int | None
    problem: str

    def __str__(self) -> str:
        if self.chain == SEALS:
            return (
                f"第 {self.seq} 号封存：{self.problem}" if self.seq is not None else f"封存：{self.problem}"
            )
        who = (
            f"事件 {self.event_id}（{self.chain} 第 {self.seq} 条）"
            if self.event_id is not None
            else self.chain
        )
        return f"{who}：{self.problem}"


@dataclass(frozen=True)
class SealedHead:
    """The last event of a chain that a seal recorded: the chain must still reach it, unchanged."""

    seal: int
    seq: int
    id: int
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return {"seal": self.seal, "seq": self.seq, "id": self.id, "hash": self.hash}

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> SealedHead:
        return cls(int(raw["seal"]), int(raw["seq"]), int(raw["id"]), str(raw["hash"]))


@dataclass
class Report:
    chains: int = 0
    events: int = 0
    breaks: list[Break] = field(default_factory=list)
    seals: int = 0  # seals checked
    unsealed: int = 0  # events after the last seal (not protected against deletion or back-dating yet)
    last_seal: SealSummary | None = None
    signed: dict[str, int] = field(default_factory=dict)  # key id -> seals it signed
    unsigned_seals: int = 0
    keys: KeyRing | None = None  # the public keys the signatures were checked with (None: not checked)

    @property
    def ok(self) -> bool:
        return not self.breaks


def verify_events(
    events: Iterable[Mapping[str, Any]],
    *,
    seals: Iterable[Mapping[str, Any]] | None = None,
    sealed_heads: Mapping[str, SealedHead] | None = None,
    anchors: Mapping[int, str] | None = None,
    keys: KeyRing | None = None,
    refetch: Callable[[str], list[Mapping[str, Any]]] | None = None,
) -> Report:
    """Check chains given as event dicts (from the database or an export).

    Without ``seals`` the events may come grouped by chain in any order. With ``seals`` (every seal, in
    ``seq`` order) they must be *all* events in id order: each seal is recomputed while they stream by.
    ``sealed_heads`` (an export's) are checked against the chains they name. ``keys``: the public keys the
    seals' signatures are checked with.

    With ``refetch`` (which reads one chain's events again) the events must come in id order, and are not
    kept: each chain is checked as it streams by — its next ``seq``, its link and its hash — which is all
    :func:`_first_break` finds for an intact chain; a chain that does not fit is read again whole and
    given the full diagnosis. Memory stays one entry per chain, however long the trail.
    """
    if refetch is not None and sealed_heads is None:
        return _verify_stream(events, seals, anchors, refetch, keys)
    by_chain: dict[str, list[Mapping[str, Any]]] = {}
    walker = _SealWalker(seals, anchors, keys) if seals is not None else None
    for e in events:
        by_chain.setdefault(str(e["chain"]), []).append(e)
        if walker is not None:
            walker.feed(e)
    report = Report(chains=len(by_chain))
    for chain, items in sorted(by_chain.items()):
        report.events += len(items)
        problem = _first_break(chain, items)
        if problem is not None:
            report.breaks.append(problem)
    if sealed_heads:
        report.breaks.extend(_head_breaks(by_chain, sealed_heads))
    if walker is not None:
        top = {chain: max(e["seq"] for e in items) for chain, items in by_chain.items()}
        report.breaks.extend(walker.finish(report.breaks, top))
        report.seals, report.unsealed, report.last_seal = (
            walker.seals.count,
            walker.unsealed,
            walker.seals.summary,
        )
        walker.seals.sign_report(report)
    return report


def _verify_stream(
    events: Iterable[Mapping[str, Any]],
    seals: Iterable[Mapping[str, Any]] | None,
    anchors: Mapping[int, str] | None,
    refetch: Callable[[str], list[Mapping[str, Any]]],
    keys: KeyRing | None = None,
) -> Report:
    """:func:`verify_events` over events in id order, one pass, one (seq, hash) per chain in memory."""
    walker = _SealWalker(seals, anchors, keys) if seals is not None else None
    heads: dict[str, tuple[int, str]] = {}
    suspect: set[str] = set()
    count = 0
    genesis = (0, GENESIS)
    for e in events:
        count += 1
        if walker is not None:
            walker.feed(e)
        chain = e["chain"]
        if chain in suspect:
            continue
        seq, prev = heads.get(chain, genesis)
        if e["seq"] == seq + 1 and e["prev_hash"] == prev and event_hash(e, prev) == e["hash"]:
            heads[chain] = (seq + 1, e["hash"])
        else:
            suspect.add(chain)
    report = Report(chains=len(heads.keys() | suspect), events=count)
    top = {chain: head[0] for chain, head in heads.items()}
    for chain in sorted(suspect):
        items = refetch(chain)
        problem = _first_break(chain, items)
        if problem is not None:
            report.breaks.append(problem)
        top[chain] = max((e["seq"] for e in items), default=0)
    if walker is not None:
        report.breaks.extend(walker.finish(report.breaks, top))
        report.seals, report.unsealed, report.last_seal = (
            walker.seals.count,
            walker.unsealed,
            walker.seals.summary,
        )
        walker.seals.sign_report(report)
    return report


def _first_break(chain: str, items: list[Mapping[str, Any]]) -> Break | None:
    """The first event of a chain that does not fit, with what most likely happened to it."""
    ordered = sorted(items, key=lambda e: (e["seq"], e.get("id") or 0))
    prev = GENESIS
    for i, e in enumerate(ordered):
        expected, eid, seq = i + 1, e.get("id"), e["seq"]
        if seq < expected:
            return Break(chain, eid, seq, f"第 {seq} 条出现了两次，此条为后来插入的事件")
        if seq > expected:
            return Break(chain, eid, seq, f"缺少第 {expected} 条（事件被删除）")
        fields = {k: e.get(k) for k in HASHED_FIELDS}
        if event_hash(fields, e["prev_hash"]) != e["hash"]:
            for other in range(1, len(ordered) + 2):
                if other != seq and event_hash({**fields, "seq": other}, e["prev_hash"]) == e["hash"]:
                    return Break(chain, eid, seq, f"该事件原为第 {other} 条，顺序被改动（事件被重排）")
            return Break(chain, eid, seq, "内容与其哈希不符（事件内容被修改）")
        if e["prev_hash"] != prev:
            return Break(chain, eid, seq, "与前一事件的链接不符（其前面的事件被删除、插入或重排）")
        nxt = ordered[i + 1] if i + 1 < len(ordered) else None
        if nxt is not None and eid is not None and nxt.get("id") is not None and eid > nxt["id"]:
            return Break(chain, eid, seq, "该事件的写入晚于其后的事件（事件被插入）")
        prev = e["hash"]
    return None


def _head_breaks(
    by_chain: Mapping[str, list[Mapping[str, Any]]], sealed_heads: Mapping[str, SealedHead]
) -> list[Break]:
    """Each chain must still reach, unchanged, the last event a seal recorded for it."""
    out = []
    for chain, head in sorted(sealed_heads.items()):
        items = by_chain.get(chain, [])
        same = [e for e in items if e["seq"] == head.seq]
        if not same:
            if max((e["seq"] for e in items), default=0) < head.seq:
                out.append(
                    Break(
                        chain,
                        head.id,
                        head.seq,
                        f"该事件已不存在，而第 {head.seal} 号封存记录它是该链已封存的最后一条（末尾事件被删除）",
                    )
                )
            continue  # a gap inside the chain: the chain's own check names it
        if not any(e.get("id") == head.id and e["hash"] == head.hash for e in same):
            out.append(
                Break(
                    chain,
                    same[0].get("id"),
                    head.seq,
                    f"与第 {head.seal} 号封存的记录不符：封存时此条为事件 {head.id}（事件被替换或改写）",
                )
            )
    return out


def _china(moment: dt.datetime) -> str:
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")


def _late(e: Mapping[str, Any], seal: int, cutoff: dt.datetime) -> Break:
    return Break(
        str(e["chain"]),
        e.get("id"),
        e["seq"],
        f"记录时间 {_china(e['at'])} 早于第 {seal} 号封存的截止时间 {_china(cutoff)}，却未被该封存收录"
        "（事件在封存后补写，或写入它的事务超过了封存宽限期）",
    )


def _uncovered(e: Mapping[str, Any]) -> Break:
    return Break(
        str(e["chain"]),
        e.get("id"),
        e["seq"],
        "不在任何封存的范围内，编号却早于已封存的事件（事件被插入已封存的时段）",
    )


class _SealChain:
    """Checks that each seal follows the one before: ``seq``, link, its own digest, range and cutoff; and,
    with ``keys``, its signature."""

    def __init__(self, anchors: Mapping[int, str] | None = None, keys: KeyRing | None = None) -> None:
        self.breaks: list[Break] = []
        self.count = 0
        self.last: Mapping[str, Any] | None = None
        self.intact = True  # whether the last seal checked matches its own digest
        self.contiguous = True  # and starts where the one before it ended
        self._anchors = {int(k): v.strip().lower() for k, v in (anchors or {}).items()}
        self._seen: dict[int, str] = {}
        self._keys = keys
        self.signed: dict[str, int] = {}
        self.unsigned = 0

    @property
    def summary(self) -> SealSummary | None:
        return SealSummary.of(self.last) if self.last is not None else None

    def check(self, seal: Mapping[str, Any]) -> dict[str, Head]:
        """Check ``seal``; returns its recorded heads (empty if they cannot be read)."""
        n, prev = seal["seq"], self.last
        expected = prev["seq"] + 1 if prev is not None else 1
        after = prev["last_event_id"] if prev is not None else 0
        # Whether this seal starts where the previous one ended: only then is an event below its range one
        # that no seal ever covered (rather than one whose seal is missing, reported as such).
        self.contiguous = n == expected and seal["after_event_id"] == after
        if n != expected:
            which = f"第 {expected} 号" if n == expected + 1 else f"第 {expected}–{n - 1} 号"
            self.breaks.append(Break(SEALS, None, expected, f"{which}封存缺失（封存被删除）"))
        else:
            if seal["prev_digest"] != (prev["digest"] if prev is not None else GENESIS_SEAL):
                self.breaks.append(Break(SEALS, None, n, "与前一号封存的链接不符（前一号封存被修改或替换）"))
            if seal["after_event_id"] != after:
                self.breaks.append(
                    Break(
                        SEALS,
                        None,
                        n,
                        f"应从事件 {after + 1} 起封存，记录的却是事件 "
                        f"{seal['after_event_id'] + 1} 起（封存被修改）",
                    )
                )
        self.intact = seal_digest(seal, seal["prev_digest"], seal["heads"]) == seal["digest"]
        if not self.intact:
            self.breaks.append(Break(SEALS, None, n, "内容与其摘要不符（封存被修改）"))
        elif seal["last_event_id"] < seal["after_event_id"] or (
            prev is not None and seal["cutoff"] < prev["cutoff"]
        ):
            self.breaks.append(Break(SEALS, None, n, "覆盖范围或截止时间与前一号封存矛盾（封存被改写）"))
        if n in self._anchors:
            self._seen[n] = seal["digest"]
        self._check_signature(seal)
        self.count += 1
        self.last = seal
        try:
            return parse_heads(seal["heads"])
        except (ValueError, TypeError, KeyError):
            self.breaks.append(Break(SEALS, None, n, "记录的各链末条事件无法读取（封存被修改）"))
            return {}

    def _check_signature(self, seal: Mapping[str, Any]) -> None:
        n, kid, signature = seal["seq"], seal.get("key_id"), seal.get("signature")
        if not kid and not signature:
            self.unsigned += 1
            if self._keys is not None and self.signed:
                self.breaks.append(Break(SEALS, None, n, "未签名，而此前的封存已签名（封存被伪造或改写）"))
            return
        self.signed[kid or "?"] = self.signed.get(kid or "?", 0) + 1
        if self._keys is None:
            return
        key = self._keys.get(kid) if kid else None
        if key is None:
            self.breaks.append(
                Break(
                    SEALS,
                    None,
                    n,
                    f"签名密钥 {kid or '（未注明）'} 不在受信任的审计公钥中（签名被伪造，或缺少该密钥的公钥）",
                )
            )
        elif not signature or not key.verify(seal["digest"], signature):
            self.breaks.append(
                Break(SEALS, None, n, f"密钥 {key} 的签名与封存摘要不符（封存被改写，或签名被伪造）")
            )

    def signature_breaks(self, events: int) -> list[Break]:
        """With trusted keys, the newest seal must be signed: otherwise the whole seal chain could have been
        rewritten by someone without the key. ``events``: how many events were checked."""
        if self._keys is None or self.signed:  # an unsigned seal after a signed one is reported already
            return []
        if self.last is None:
            if not events:
                return []
            return [
                Break(
                    SEALS,
                    None,
                    None,
                    "已配置审计公钥，却没有任何封存（封存被删除；若刚配置签名密钥，运行 flowengine audit seal 即可）",
                )
            ]
        return [
            Break(
                SEALS,
                None,
                self.last["seq"],
                "未签名：已配置审计公钥，最近的封存须有签名（封存链被伪造或改写；若刚配置签名密钥，"
                "运行 flowengine audit seal 即可补上）",
            )
        ]

    def sign_report(self, report: Report) -> None:
        report.breaks.extend(self.signature_breaks(report.events))
        report.signed, report.unsigned_seals, report.keys = dict(self.signed), self.unsigned, self._keys

    def anchor_breaks(self) -> list[Break]:
        """The seals whose digest was kept outside the database must still have it."""
        out = []
        for n, digest in sorted(self._anchors.items()):
            if n not in self._seen:
                out.append(Break(SEALS, None, n, f"不存在，而外部留存的摘要为 {digest[:16]}…（封存被删除）"))
            elif self._seen[n] != digest:
                out.append(
                    Break(
                        SEALS,
                        None,
                        n,
                        f"摘要为 {self._seen[n][:16]}…，与外部留存的 {digest[:16]}… 不符（封存链被改写）",
                    )
                )
        return out


_NO_END = float("inf")
_NO_CUTOFF = dt.datetime.min.replace(tzinfo=dt.UTC)


class _SealWalker:
    """Recomputes every seal from all events streamed in id order (one pass, next to the chain checks)."""

    def __init__(
        self,
        seals: Iterable[Mapping[str, Any]],
        anchors: Mapping[int, str] | None,
        keys: KeyRing | None = None,
    ) -> None:
        self._seals = iter(seals)
        self.seals = _SealChain(anchors, keys)
        self.unsealed = 0
        self._breaks: list[Break] = []
        self._digest_breaks: list[tuple[int, int, Break]] = []  # reported only if nothing else explains them
        self._missing: list[
            tuple[str, int, int, int]
        ] = []  # chain, event id, seq, seal of a recorded head gone
        self._late_chains: set[str] = set()
        self._uncovered_chains: set[str] = set()
        self._prev: Mapping[str, Any] | None = None  # the seal before the one being filled
        self._period = PeriodDigest()
        self._cur_intact = self._cur_contiguous = True
        # The current seal's range (after the last seal: everything above it) and the previous seal's cutoff.
        self._after: float = -_NO_END
        self._last: float = _NO_END
        self._cutoff = _NO_CUTOFF
        self._cur, self._recorded = self._take()

    def _take(self) -> tuple[Mapping[str, Any] | None, dict[str, Head]]:
        seal = next(self._seals, None)
        if seal is None:  # after the last seal: every event is unsealed
            self._after = self._prev["last_event_id"] if self._prev is not None else -_NO_END
            self._last = _NO_END
            return None, {}
        heads = self.seals.check(seal)
        self._cur_intact, self._cur_contiguous = self.seals.intact, self.seals.contiguous
        self._after, self._last = seal["after_event_id"], seal["last_event_id"]
        return seal, heads

    def feed(self, e: Mapping[str, Any]) -> None:
        eid = e["id"]
        if eid > self._last:  # past the current seal's range: close it (and any seal with no events left)
            while self._cur is not None and eid > self._cur["last_event_id"]:
                self._close()
        chain = e["chain"]
        if e["at"] < self._cutoff and chain not in self._late_chains:
            assert self._prev is not None
            self._late_chains.add(chain)
            self._breaks.append(_late(e, self._prev["seq"], self._cutoff))
        if eid > self._after:
            if self._cur is None:
                self.unsealed += 1
            else:
                self._period.add(eid, chain, e["seq"], e["hash"])
        elif (
            self._cur_contiguous and chain not in self._uncovered_chains
        ):  # e.g. an id below the first seal's
            self._uncovered_chains.add(chain)
            self._breaks.append(_uncovered(e))

    def _close(self) -> None:
        seal, recorded, actual = self._cur, self._recorded, self._period.heads
        assert seal is not None
        n = seal["seq"]
        heads_broken = not self._cur_intact  # a modified seal is reported as such; its figures prove nothing
        for chain in sorted(recorded.keys() | actual.keys()) if self._cur_intact else ():
            rec, got = recorded.get(chain), actual.get(chain)
            if rec is None:
                assert got is not None
                brk = Break(
                    chain,
                    got[1],
                    got[0],
                    f"不在第 {n} 号封存中：封存时该链在此时段内没有事件（事件被插入已封存的时段）",
                )
            elif got is None or got[0] < rec[0]:
                self._missing.append(
                    (chain, rec[1], rec[0], n)
                )  # worded in finish(), which knows the chain's end
                heads_broken = True
                continue
            elif got[0] > rec[0]:
                brk = Break(
                    chain,
                    got[1],
                    got[0],
                    f"不在第 {n} 号封存中：封存时该链在此时段内的最后一条为第 {rec[0]} 条"
                    f"（事件 {rec[1]}）（事件被插入已封存的时段）",
                )
            elif got[1] != rec[1]:
                brk = Break(
                    chain,
                    got[1],
                    got[0],
                    f"与第 {n} 号封存的记录不符：封存时此条为事件 {rec[1]}（事件被替换）",
                )
            elif got[2] != rec[2]:
                brk = Break(
                    chain,
                    got[1],
                    got[0],
                    f"哈希与第 {n} 号封存的记录不符（该链在此时段内的事件被改写并重新计算了哈希）",
                )
            else:
                continue
            self._breaks.append(brk)
            heads_broken = True
        count = self._period.count
        if not heads_broken and (
            count != seal["event_count"] or self._period.hexdigest() != seal["events_digest"]
        ):
            first, last = seal["after_event_id"] + 1, seal["last_event_id"]
            self._digest_breaks.append(
                (
                    first,
                    last,
                    Break(
                        SEALS,
                        None,
                        n,
                        f"所覆盖的事件（编号 {first}–{last}）与封存时不符：封存时 {seal['event_count']} 条，"
                        f"现有 {count} 条（事件被修改、插入、删除或重排）",
                    ),
                )
            )
        self._prev, self._cutoff = seal, seal["cutoff"]
        self._period = PeriodDigest()
        self._cur, self._recorded = self._take()

    def finish(self, chain_breaks: list[Break], top_seq: Mapping[str, int]) -> list[Break]:
        """Close the remaining seals; the breaks found, leaving out a digest mismatch already explained by
        a named event in its range. ``top_seq``: the highest ``seq`` left in each chain."""
        while self._cur is not None:
            self._close()
        for chain, event_id, seq, n in self._missing:
            what = "末尾事件被删除" if top_seq.get(chain, 0) < seq else "事件被删除"
            self._breaks.append(
                Break(
                    chain,
                    event_id,
                    seq,
                    f"该事件已不存在，而第 {n} 号封存记录它是该链在此时段内的最后一条（{what}）",
                )
            )
        named = [b.event_id for b in (*chain_breaks, *self._breaks) if b.event_id is not None]
        out = [*self.seals.breaks, *self._breaks]
        out += [b for first, last, b in self._digest_breaks if not any(first <= i <= last for i in named)]
        return out + self.seals.anchor_breaks()


class _SealIndex:
    """The seals read once for one request's checks or an export: the seal chain's own breaks, the last head
    recorded for each chain of interest, and each seal's last event id and cutoff."""

    def __init__(
        self,
        seals: Iterable[Mapping[str, Any]],
        chains: set[str] | None,
        anchors: Mapping[int, str] | None = None,
        keys: KeyRing | None = None,
    ) -> None:
        self.seals = _SealChain(anchors, keys)
        self.heads: dict[str, SealedHead] = {}
        self._lasts: list[int] = []
        self._afters: list[int] = []
        self._cutoffs: list[tuple[int, dt.datetime]] = []
        for seal in seals:
            for chain, (seq, event_id, hash_) in self.seals.check(seal).items():
                if chains is None or chain in chains:
                    self.heads[chain] = SealedHead(seal["seq"], seq, event_id, hash_)
            self._lasts.append(seal["last_event_id"])
            self._afters.append(seal["after_event_id"] if self.seals.contiguous else -(2**63))
            self._cutoffs.append((seal["seq"], seal["cutoff"]))

    def unsealed(self, items: Sequence[Mapping[str, Any]]) -> int:
        top = self._lasts[-1] if self._lasts else 0
        return sum(1 for e in items if e["id"] > top)

    def late_breaks(self, by_chain: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[Break]:
        """Per chain, the first event outside the seals' ranges though below them, or written before the
        cutoff of a seal that did not cover it."""
        out = []
        for items in by_chain.values():
            for e in sorted(items, key=lambda x: x["id"]):
                i = bisect_left(self._lasts, e["id"])  # the seal whose range should hold it (len: none yet)
                if i < len(self._lasts) and e["id"] <= self._afters[i]:
                    out.append(_uncovered(e))
                    break
                if i > 0 and e["at"] < self._cutoffs[i - 1][1]:
                    out.append(_late(e, *self._cutoffs[i - 1]))
                    break
        return out


_E = AuditEvent.__table__.c
# ``data`` as its stored text (JSONB cast to text on PostgreSQL), parsed below by orjson.
# ``at`` without the column type's processing (SQLite: its text, parsed by fromisoformat; PostgreSQL: the
# driver's naive UTC datetime): the generic processor was a fifth of the time per event.
_EVENT_COLUMNS = [
    cast(_E[c], Text) if c == "data" else type_coerce(_E[c], String) if c == "at" else _E[c] for c in COLUMNS
]


def _at(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _loads(text: str | bytes) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:  # e.g. an integer beyond 64 bits: the standard parser takes it
        return json.loads(text)


class AuditLedger:
    """Reads, verifies and exports the audit trail (for auditors and ``flowengine audit``)."""

    def __init__(self, db: Database, keys: KeyRing | None = None) -> None:
        self.db = db
        self.keys = keys  # the trusted public keys (FLOWENGINE_AUDIT_PUBLIC_KEYS)

    def events(
        self, *, instance_ids: Iterable[int] | None = None, chain: str | None = None, batch: int = 20_000
    ) -> Iterator[dict[str, Any]]:
        """Events in storage order, streamed in batches (keyset pagination: constant memory).

        Core rows, not ORM objects, and ``data`` parsed by orjson from its text (the same values as the
        JSON column's own parser gives): reading was most of what ``audit verify`` spent per event."""
        ids = list(instance_ids) if instance_ids is not None else None
        last: int | None = None  # no lower bound at first: a row forged with an id <= 0 must be seen too
        data_at, at_at = COLUMNS.index("data"), COLUMNS.index("at")
        while True:
            q = select(*_EVENT_COLUMNS).order_by(_E.id).limit(batch)
            if last is not None:
                q = q.where(_E.id > last)
            if ids is not None:
                q = q.where(_E.chain.in_([f"instance:{i}" for i in ids]))
            if chain is not None:
                q = q.where(_E.chain == chain)
            with self.db.read() as s:
                raw = s.connection().execute(q).all()
            if not raw:
                return
            for r in raw:
                row = dict(zip(COLUMNS, r, strict=True))
                text = r[data_at]
                row["data"] = _loads(text) if text is not None else None
                row["at"] = _at(r[at_at])
                yield row
            last = raw[-1][0]

    def seals(self, batch: int = 200) -> Iterator[dict[str, Any]]:
        """Every seal in ``seq`` order, streamed in batches."""
        t = AuditSeal.__table__.c
        last = 0
        while True:
            with self.db.read() as s:
                rows = [
                    dict(r)
                    for r in s.execute(
                        select(*[t[c] for c in SEAL_COLUMNS]).where(t.seq > last).order_by(t.seq).limit(batch)
                    ).mappings()
                ]
            if not rows:
                return
            yield from rows
            last = rows[-1]["seq"]

    def verify(
        self,
        instance_id: int | None = None,
        *,
        anchors: Mapping[int, str] | None = None,
        keys: KeyRing | None = None,
    ) -> Report:
        """Every chain and every seal; or one request's chain against what the seals recorded for it.

        ``anchors`` maps seal numbers to digests kept outside the database (printed by ``audit seal``);
        ``keys`` (default: the ledger's) are the public keys the seals' signatures are checked with.
        """
        keys = keys if keys is not None else self.keys
        if instance_id is None:
            return verify_events(
                self.events(),
                seals=self.seals(),
                anchors=anchors,
                keys=keys,
                refetch=lambda chain: list(self.events(chain=chain)),
            )
        chain = chain_of(instance_id)
        index = _SealIndex(self.seals(), {chain}, anchors, keys)
        items = list(self.events(instance_ids=[instance_id]))
        report = verify_events(items, sealed_heads=index.heads)
        report.breaks += index.late_breaks({chain: items}) + index.seals.breaks + index.seals.anchor_breaks()
        report.seals, report.last_seal, report.unsealed = (
            index.seals.count,
            index.seals.summary,
            index.unsealed(items),
        )
        index.seals.sign_report(report)
        return report

    def sealed_heads(self, instance_ids: Iterable[int] | None = None) -> dict[str, SealedHead]:
        """The last sealed head of each chain (of these requests'), as exports carry them."""
        chains = {chain_of(i) for i in instance_ids} if instance_ids is not None else None
        return _SealIndex(self.seals(), chains).heads

    def export(
        self,
        out: io.TextIOBase | Any,
        fmt: str,
        *,
        instance_ids: Iterable[int] | None = None,
        now: dt.datetime | None = None,
    ) -> int:
        ids = list(instance_ids) if instance_ids is not None else None
        heads = self.sealed_heads(ids)
        return write_export(
            out, fmt, self.events(instance_ids=ids), now or dt.datetime.now(dt.UTC), sealed_heads=heads
        )


def _cell(key: str, value: Any) -> str:
    if value is None:
        return ""
    if key == "at":
        return _utc_text(value)
    if key == "data":
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _utc_text(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def write_export(
    out: Any,
    fmt: str,
    rows: Iterable[Mapping[str, Any]],
    now: dt.datetime,
    sealed_heads: Mapping[str, SealedHead] | None = None,
) -> int:
    """CSV (UTF-8 with BOM, so Excel reads the Chinese; China time added for people; no cell a formula,
    see :mod:`flowengine.spreadsheet`) or JSON.

    Both carry every hashed field exactly, plus the hashes, so ``audit verify --export`` can recompute
    the chains from the file alone, and the last sealed head of each chain (JSON: ``seal_heads``; CSV:
    the ``sealed_head`` column, repeated on each row of the chain), so a removed tail shows too.
    """
    heads = sealed_heads or {}
    n = 0
    if fmt == "csv":
        out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([*COLUMNS, "at_china", SEALED_HEAD])
        for r in rows:
            head = heads.get(str(r["chain"]))
            # Every cell neutral (a comment "=HYPERLINK(…)" stays text in a spreadsheet); read_export
            # restores the exact text before the hashes are recomputed.
            writer.writerow(
                [neutral(_cell(k, r.get(k))) for k in COLUMNS]
                + [
                    r["at"].astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S"),
                    json.dumps(head.as_dict(), sort_keys=True) if head else "",
                ]
            )
            n += 1
        return n
    if fmt != "json":
        raise ValueError(f"unknown export format {fmt!r} (csv or json)")
    header = json.dumps(
        {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "hash": "sha256",
            "exported_at": _utc_text(now),
            "seal_heads": {c: h.as_dict() for c, h in sorted(heads.items())},
        }
    )
    out.write(header[:-1] + ', "events": [\n')  # stream the events instead of building one huge list
    for r in rows:
        record = {k: (_utc_text(r[k]) if k == "at" else r.get(k)) for k in COLUMNS}
        out.write(("" if n == 0 else ",\n") + json.dumps(record, ensure_ascii=False, sort_keys=True))
        n += 1
    out.write("\n]}\n")
    return n


def _parse_time(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=dt.UTC)


def read_export(path: Path) -> list[dict[str, Any]]:
    """Events of a CSV or JSON export, with values typed as they were hashed."""
    return load_export(path)[0]


def load_export(path: Path) -> tuple[list[dict[str, Any]], dict[str, SealedHead]]:
    """Events of a CSV or JSON export and the sealed chain heads it carries (none in version 1)."""
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    if text.lstrip().startswith("{"):
        doc = json.loads(text)
        if doc.get("format") != EXPORT_FORMAT:
            raise ValueError(f"{path} is not a flowengine audit export")
        heads = {str(c): SealedHead.from_dict(h) for c, h in (doc.get("seal_heads") or {}).items()}
        return [{**e, "at": _parse_time(e["at"])} for e in doc["events"]], heads
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"{path} lacks the columns {', '.join(missing)}")
    events = []
    sealed: dict[str, SealedHead] = {}
    for row in reader:
        e: dict[str, Any] = {}
        for k in COLUMNS:
            v = restore(row[k])
            if v == "":
                e[k] = None
            elif k in _INT:
                e[k] = int(v)
            elif k == "at":
                e[k] = _parse_time(v)
            elif k == "data":
                e[k] = json.loads(v)
            else:
                e[k] = v
        events.append(e)
        if row.get(SEALED_HEAD):
            head = SealedHead.from_dict(json.loads(row[SEALED_HEAD]))
            known = sealed.get(str(e["chain"]))
            if known is None or head.seal > known.seal:
                sealed[str(e["chain"])] = head
    return events, sealed
