"""Append audit events to per-chain hash chains.

Each event's ``hash`` is SHA-256 over a canonical JSON of its content and the previous event's hash in the
same chain (``instance:<id>``, ``org:<id>`` or ``system``), so editing, deleting, inserting or reordering an
event breaks every later link. Appends to an instance chain are serialized by the instance's versioned
UPDATE, which happens first in the same transaction. A chain cannot show that its last event was deleted or
that a well-formed one was appended: the periodic seals of :mod:`flowengine.service.audit.seal` do, once an
event is older than their grace period.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any, Literal, cast

import orjson
from sqlalchemy import Connection, Table, and_, bindparam, func, insert, select, text
from sqlalchemy.orm import Session

from flowengine.persistence.models import AuditEvent

GENESIS = "0" * 64
HASHED_FIELDS = (
    "chain",
    "seq",
    "instance_id",
    "at",
    "kind",
    "actor_id",
    "actor_name",
    "role",
    "org_id",
    "action",
    "from_state",
    "to_state",
    "comment",
    "data",
    "client_addr",
)


def _utc(v: dt.datetime) -> str:
    """``%Y-%m-%dT%H:%M:%S.%fZ`` of the UTC time, without strftime's cost."""
    if v.tzinfo is not dt.UTC:
        v = v.astimezone(dt.UTC)
    if v.year < 1000:
        return v.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}.{v.microsecond:06d}Z"


def canonical_json(value: dict[str, Any]) -> str:
    """The reference serialization: sorted keys, no spaces, UTF-8 text as is (the hash is over its bytes)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


_I64 = 2**63
_SCALARS = frozenset({str, bool, type(None)})


def _orjson_safe(v: Any) -> bool:
    """Whether orjson writes exactly the bytes :func:`canonical_json` does for ``v``: strings, integers of 64
    bits, booleans, null, and lists and objects (string keys) of those. Not floats (``1e16`` is ``1e+16``
    in Python's JSON) nor anything else — those take the reference path. ``tests/service/
    test_audit_canonical.py`` checks the equality on generated values."""
    t = type(v)
    if t in _SCALARS:
        return True
    if t is int:
        return -_I64 <= v < _I64
    # Plain loops, not all(): a generator per object was a third of verify's time per event.
    if t is dict:
        for k, x in v.items():  # noqa: SIM110
            if type(k) is not str or not _orjson_safe(x):
                return False
        return True
    if t is list:
        for x in v:  # noqa: SIM110
            if not _orjson_safe(x):
                return False
        return True
    return False


def _hashed(fields: Mapping[str, Any]) -> dict[str, Any]:
    value = {k: fields.get(k) for k in HASHED_FIELDS}
    at = value["at"]
    if isinstance(at, dt.datetime):
        value["at"] = _utc(at)
    return value


def canonical(fields: dict[str, Any]) -> str:
    """The canonical JSON of an event's hashed fields (times as UTC text with microseconds)."""
    return canonical_bytes(_hashed(fields)).decode("utf-8")


def canonical_bytes(value: dict[str, Any]) -> bytes:
    """UTF-8 of :func:`canonical_json`, by orjson where it writes the same bytes (about ten times faster)."""
    safe = True
    for v in value.values():  # the columns: text, 64-bit integers, null; then the data, walked
        t = type(v)
        if t is str or v is None or (t is int and -_I64 <= v < _I64):
            continue
        if not _orjson_safe(v):
            safe = False
            break
    if safe:
        try:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except (TypeError, orjson.JSONEncodeError):  # e.g. a lone surrogate: let the reference decide
            pass
    return canonical_json(value).encode("utf-8")


def event_hash(fields: Mapping[str, Any], prev_hash: str) -> str:
    """SHA-256 over the previous hash and the canonical JSON of the event's hashed fields."""
    sha = hashlib.sha256(prev_hash.encode("utf-8"))
    sha.update(canonical_bytes(_hashed(fields)))
    return sha.hexdigest()


# A plain Core statement executed with parameters: compiled once, no ORM bulk-insert machinery per event.
_INSERT = insert(cast(Table, AuditEvent.__table__))
_T = AuditEvent.__table__.c
_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:chain, 0))")
_LAST = select(_T.seq, _T.hash).where(_T.chain == bindparam("chain")).order_by(_T.seq.desc()).limit(1)


def chain_of(instance_id: int | None) -> str:
    return f"instance:{instance_id}" if instance_id is not None else "system"


def append(
    session: Session,
    *,
    at: dt.datetime,
    kind: str,
    instance_id: int | None = None,
    actor_id: int | None = None,
    actor_name: str | None = None,
    role: str | None = None,
    org_id: int | None = None,
    action: str | None = None,
    from_state: str | None = None,
    to_state: str | None = None,
    comment: str | None = None,
    data: dict[str, Any] | None = None,
    client_addr: str | None = None,
    chain: str | None = None,
    head: tuple[int, str] | None | Literal[False] = False,
    store: Callable[[Connection, dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Insert one event at the end of its chain; returns the stored fields with ``prev_hash`` and ``hash``.

    ``chain`` defaults to the instance's chain (or ``system``); the term watch uses ``org:<id>``. A caller
    that already read the chain's head (``(seq, hash)``, or ``None`` for an empty chain) passes it as
    ``head``; ``store`` then writes the event instead of a plain INSERT — the engine's hot path writes it
    in the same statement as the step's other changes (the unique ``(chain, seq)`` key still refuses an
    event whose head was taken meanwhile).
    """
    event = dict(
        at=at,
        kind=kind,
        instance_id=instance_id,
        actor_id=actor_id,
        actor_name=actor_name,
        role=role,
        org_id=org_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        data=data,
        client_addr=client_addr,
    )
    c = chain or chain_of(instance_id)
    if head is not False or store is not None:
        conn = session.connection()
        if head is False:
            last = conn.execute(_LAST, {"chain": c}).first()
            head = (last.seq, last.hash) if last else None
        row = _row(event, c, head or (0, GENESIS))
        if store is not None:
            store(conn, row)
        else:
            conn.execute(_INSERT, [row])
        return row
    return append_many(session, [{**event, "chain": c}])[0]


def append_many(session: Session, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Append several events (possibly to several chains) with one read of the chain heads and one insert.

    The caller must hold whatever serializes appends to these chains (the instance row lock, or the
    unique (chain, seq) key for the rare concurrent system event).
    """
    if not events:
        return []
    conn = session.connection()
    chains = sorted({e.get("chain") or chain_of(e.get("instance_id")) for e in events})
    if conn.dialect.name == "postgresql":
        # Instance chains are serialized by the instance row lock their callers hold; the shared chains
        # (system, org:<id>) get a transaction-scoped advisory lock so concurrent appends queue up.
        for chain in chains:
            if not chain.startswith("instance:"):
                conn.execute(_ADVISORY_LOCK, {"chain": chain})
    if len(chains) == 1:
        last = conn.execute(_LAST, {"chain": chains[0]}).first()
        heads = {chains[0]: (last.seq, last.hash)} if last else {}
    else:
        top = (
            select(_T.chain, func.max(_T.seq).label("seq"))
            .where(_T.chain.in_(chains))
            .group_by(_T.chain)
            .subquery()
        )
        heads = {
            r.chain: (r.seq, r.hash)
            for r in conn.execute(
                select(_T.chain, _T.seq, _T.hash).join(
                    top, and_(top.c.chain == _T.chain, top.c.seq == _T.seq)
                )
            )
        }
    rows = []
    for e in events:
        chain = e.get("chain") or chain_of(e.get("instance_id"))
        fields = _row(e, chain, heads.get(chain, (0, GENESIS)))
        heads[chain] = (fields["seq"], fields["hash"])
        rows.append(fields)
    conn.execute(_INSERT, rows)
    return rows


def _row(e: dict[str, Any], chain: str, head: tuple[int, str]) -> dict[str, Any]:
    """The stored fields of an event that follows ``head`` in ``chain``, with its ``prev_hash`` and ``hash``."""
    seq, prev = head
    # Empty text is stored as NULL so that exports (where both are an empty cell) verify exactly.
    fields: dict[str, Any] = {k: (None if e.get(k) == "" else e.get(k)) for k in HASHED_FIELDS}
    fields.update(chain=chain, seq=seq + 1, at=e["at"].astimezone(dt.UTC))
    fields["prev_hash"] = prev
    fields["hash"] = event_hash(fields, prev)
    return fields
