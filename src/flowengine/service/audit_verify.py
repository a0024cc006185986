"""Verify the audit trail's hash chains, and export it so that it can be verified offline.

Design (documented in the README): every event belongs to one chain — ``instance:<id>`` for a request,
``org:<id>`` for the term watch of an organization, ``system`` for the rest — and carries ``seq`` (1, 2, …
within its chain), the previous event's hash, and the SHA-256 of its own canonical content plus that
previous hash. Verification recomputes everything and names, per chain, the first event that does not
fit:

* an edited field → the event's hash no longer matches its content;
* a deleted event → a gap in ``seq`` and a ``prev_hash`` that points at nothing;
* an inserted event → a duplicate or out-of-place ``seq`` and a broken link after it;
* a reordering → ``seq`` and links out of order.

The database refuses UPDATE and DELETE on the table (triggers); the chains catch what someone with the
power to bypass the triggers changes afterwards.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from flowengine.engine.deadlines import CHINA
from flowengine.persistence.db import Database
from flowengine.persistence.models import AuditEvent
from flowengine.service.audit import GENESIS, HASHED_FIELDS, event_hash

EXPORT_FORMAT = "flowengine-audit-export"
COLUMNS = ("id", *HASHED_FIELDS, "prev_hash", "hash")
_INT = {"id", "seq", "instance_id", "actor_id", "org_id"}


@dataclass(frozen=True)
class Break:
    chain: str
    event_id: int | None
    seq: int | None
    problem: str

    def __str__(self) -> str:
        who = f"事件 {self.event_id}（{self.chain} 第 {self.seq} 条）" if self.event_id is not None else self.chain
        return f"{who}：{self.problem}"


@dataclass
class Report:
    chains: int = 0
    events: int = 0
    breaks: list[Break] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.breaks


def verify_events(events: Iterable[Mapping[str, Any]]) -> Report:
    """Check chains given as event dicts (from the database or an export), grouped by chain in any order."""
    by_chain: dict[str, list[Mapping[str, Any]]] = {}
    for e in events:
        by_chain.setdefault(str(e["chain"]), []).append(e)
    report = Report(chains=len(by_chain))
    for chain, items in sorted(by_chain.items()):
        report.events += len(items)
        problem = _first_break(chain, items)
        if problem is not None:
            report.breaks.append(problem)
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


def _row(e: AuditEvent) -> dict[str, Any]:
    return {k: getattr(e, k) for k in COLUMNS}


class AuditLedger:
    """Reads, verifies and exports the audit trail (for auditors and ``flowengine audit``)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def events(self, *, instance_ids: Iterable[int] | None = None, chain: str | None = None,
               batch: int = 5000) -> Iterator[dict[str, Any]]:
        """Events in storage order, streamed in batches (keyset pagination: constant memory)."""
        ids = list(instance_ids) if instance_ids is not None else None
        last = 0
        while True:
            with self.db.read() as s:
                q = select(AuditEvent).where(AuditEvent.id > last).order_by(AuditEvent.id).limit(batch)
                if ids is not None:
                    q = q.where(AuditEvent.chain.in_([f"instance:{i}" for i in ids]))
                if chain is not None:
                    q = q.where(AuditEvent.chain == chain)
                rows = [_row(e) for e in s.scalars(q)]
            if not rows:
                return
            yield from rows
            last = rows[-1]["id"]

    def verify(self, instance_id: int | None = None) -> Report:
        return verify_events(self.events(instance_ids=[instance_id] if instance_id is not None else None))

    def export(self, out: io.TextIOBase | Any, fmt: str, *, instance_ids: Iterable[int] | None = None,
               now: dt.datetime | None = None) -> int:
        rows = self.events(instance_ids=instance_ids)
        return write_export(out, fmt, rows, now or dt.datetime.now(dt.UTC))


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


def write_export(out: Any, fmt: str, rows: Iterable[Mapping[str, Any]], now: dt.datetime) -> int:
    """CSV (UTF-8 with BOM, so Excel reads the Chinese; China time added for people) or JSON.

    Both carry every hashed field exactly, plus the hashes, so ``audit verify --export`` can recompute
    the chains from the file alone.
    """
    n = 0
    if fmt == "csv":
        out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([*COLUMNS, "at_china"])
        for r in rows:
            writer.writerow([_cell(k, r.get(k)) for k in COLUMNS]
                            + [r["at"].astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S")])
            n += 1
        return n
    if fmt != "json":
        raise ValueError(f"unknown export format {fmt!r} (csv or json)")
    header = json.dumps({"format": EXPORT_FORMAT, "version": 1, "hash": "sha256", "exported_at": _utc_text(now)})
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
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    if text.lstrip().startswith("{"):
        doc = json.loads(text)
        if doc.get("format") != EXPORT_FORMAT:
            raise ValueError(f"{path} is not a flowengine audit export")
        return [{**e, "at": _parse_time(e["at"])} for e in doc["events"]]
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"{path} lacks the columns {', '.join(missing)}")
    events = []
    for row in reader:
        e: dict[str, Any] = {}
        for k in COLUMNS:
            v = row[k]
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
    return events
