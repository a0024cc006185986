"""延期（提前）换届: the shift is at most a year (a setting), from the regular end of the term (条例第三条)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support.rules import context, run


@pytest.mark.parametrize(
    ("kind", "new", "field_ok"),
    [
        ("postpone", "2027-11-27", True),  # exactly one year after the regular end
        ("postpone", "2027-11-28", False),
        ("postpone", "2026-11-27", False),  # not later than the current end
        ("advance", "2026-11-20", True),
        ("advance", "2026-11-09", False),  # before today (2026-11-10)
        ("advance", "2026-11-28", False),  # not earlier
    ],
)
def test_term_shift_at_most_a_year(kind: str, new: str, field_ok: bool) -> None:
    ctx = context(
        "election_postponement",
        form={"kind": kind, "current_term_end": "2026-11-27", "new_term_end": new},
        term_start=dt.date(2023, 11, 28),
        term_end=dt.date(2026, 11, 27),
    )
    failure = run("term_shift_allowed", ctx)
    assert (failure is None) is field_ok
    if failure:
        assert failure.field == "new_term_end"


def test_term_shift_counts_from_the_regular_end_and_checks_the_current_end() -> None:
    moved = context(
        "election_postponement",
        form={"kind": "postpone", "current_term_end": "2027-05-31", "new_term_end": "2028-05-31"},
        term_start=dt.date(2023, 11, 28),
        term_end=dt.date(2027, 5, 31),
    )
    failure = run("term_shift_allowed", moved)
    assert failure is not None and "最晚为2027年11月27日" in failure.reason
    mismatch = context(
        "election_postponement",
        form={"kind": "postpone", "current_term_end": "2026-12-31", "new_term_end": "2027-03-31"},
        term_end=dt.date(2026, 11, 27),
    )
    failure = run("term_shift_allowed", mismatch)
    assert failure is not None and failure.field == "current_term_end"
    six = context(
        "election_postponement",
        form={"kind": "postpone", "current_term_end": "2026-11-27", "new_term_end": "2027-06-30"},
        settings={"max_shift_months": 6},
        term_start=dt.date(2023, 11, 28),
        term_end=dt.date(2026, 11, 27),
    )
    failure = run("term_shift_allowed", six)
    assert failure is not None and "一般不超过6个月" in failure.reason
