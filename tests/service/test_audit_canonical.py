"""The canonical JSON an event's hash is taken over: orjson's bytes where it is used, Python's otherwise.

Every hash ever stored was computed over ``json.dumps(..., ensure_ascii=False, sort_keys=True,
separators=(",", ":"))``. The fast path must give the very same bytes for every value it takes, and leave
the rest (floats, huge integers, odd keys) to the reference — or old chains would no longer verify.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from flowengine.service.audit import trail

# Text with everything JSON escapes or must not: controls, quotes, backslashes, U+2028, astral planes.
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",))
    | st.sampled_from('\x00\x1f\x7f"\\/\u2028\u2029😀中'),
    max_size=30,
)
SCALARS = st.none() | st.booleans() | st.integers() | TEXT | st.floats(allow_nan=True, allow_infinity=True)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(TEXT, inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(VALUES)
def test_canonical_bytes_are_the_reference_bytes(value: Any) -> None:
    doc = {"data": value, "chain": "instance:1", "seq": 1}
    assert trail.canonical_bytes(doc) == trail.canonical_json(doc).encode("utf-8")


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(TEXT, st.integers(min_value=-(2**63), max_value=2**63 - 1) | TEXT, max_size=8))
def test_the_fast_path_is_taken_for_plain_values(value: dict[str, Any]) -> None:
    """Form data (text, integers, lists and objects of them) goes through orjson, not the fallback."""
    assert trail._orjson_safe(value)
    assert trail.canonical_bytes(value) == trail.canonical_json(value).encode("utf-8")


def test_floats_and_huge_integers_take_the_reference_path() -> None:
    for value in (1e16, 0.1, float("nan"), 2**64, {"x": [1, 2.5]}):
        assert not trail._orjson_safe(value)
        doc = {"v": value}
        assert trail.canonical_bytes(doc) == trail.canonical_json(doc).encode("utf-8")


def test_event_hash_is_unchanged() -> None:
    """A hash computed the old way (strftime, json.dumps over the whole string) is the one computed now."""
    import hashlib
    import json

    at = dt.datetime(2026, 12, 1, 9, 30, 5, 12, tzinfo=dt.UTC)
    fields = {k: None for k in trail.HASHED_FIELDS} | {
        "chain": "instance:7",
        "seq": 3,
        "instance_id": 7,
        "at": at,
        "kind": "action",
        "actor_name": "王建国（代李红）",
        "data": {"人数": 12, "名单": [{"姓名": "张明", "票数": 9}], "note": 'a\nb\t"c"\u2028'},
    }
    old = json.dumps(
        {k: (at.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if k == "at" else fields[k]) for k in trail.HASHED_FIELDS},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    prev = "ab" * 32
    assert trail.event_hash(fields, prev) == hashlib.sha256((prev + old).encode("utf-8")).hexdigest()
    # A time in another zone is hashed as its UTC time, as before.
    east = at.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert trail.event_hash({**fields, "at": east}, prev) == trail.event_hash(fields, prev)
