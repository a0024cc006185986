"""The shared helpers and checks: exact ratios, dates, Chinese wording."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest

from flowengine.engine.rules.common import add_months, chinese_fraction, chinese_number, ratio
from tests.support.rules import context, run


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("4/5", Fraction(4, 5)),
        (0.2, Fraction(1, 5)),
        ("20%", Fraction(1, 5)),
        ("0.5", Fraction(1, 2)),
        ([2, 3], Fraction(2, 3)),
        (1, Fraction(1)),
    ],
)
def test_ratio_is_exact(value: Any, expected: Fraction) -> None:
    assert ratio(value) == expected


@pytest.mark.parametrize("value", ["four fifths", "1/0", True])
def test_ratio_refuses_nonsense(value: Any) -> None:
    with pytest.raises(ValueError):
        ratio(value)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Fraction(4, 5), "五分之四"),
        (Fraction(2, 3), "三分之二"),
        (Fraction(1, 2), "半数"),
        (Fraction(3, 20), "15%"),
    ],
)
def test_chinese_fraction(value: Fraction, text: str) -> None:
    assert chinese_fraction(value) == text


def test_chinese_number() -> None:
    assert [chinese_number(n) for n in (5, 10, 12, 20, 99)] == ["五", "十", "十二", "二十", "九十九"]


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        ("2026-01-31", 1, "2026-02-28"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2026-11-27", 12, "2027-11-27"),
        ("2026-03-31", -1, "2026-02-28"),
        ("2026-12-15", 1, "2027-01-15"),
    ],
)
def test_add_months_clamps_to_the_month_end(day: str, months: int, expected: str) -> None:
    assert add_months(dt.date.fromisoformat(day), months) == dt.date.fromisoformat(expected)


@pytest.mark.parametrize(
    ("earlier", "later", "allow_equal", "ok"),
    [
        ("2026-11-10", "2026-11-10", False, False),
        ("2026-11-10", "2026-11-10", True, True),
        ("2026-11-10", "2026-11-09", True, False),
        ("2026-11-10", "2026-11-11", False, True),
    ],
)
def test_dates_in_order(earlier: str, later: str, allow_equal: bool, ok: bool) -> None:
    ctx = context(form={"meeting_date": later}, data={"record_vote": {"meeting_date": earlier}})
    failure = run(
        "dates_in_order",
        ctx,
        earlier="record_vote.meeting_date",
        later="meeting_date",
        allow_equal=allow_equal,
        message="第一次全体会议不能早于党员大会",
    )
    assert (failure is None) is ok
    if failure:
        assert (failure.field, failure.reason) == ("meeting_date", "第一次全体会议不能早于党员大会")


@pytest.mark.parametrize(("day", "ok"), [("2026-11-10", True), ("2026-11-11", False)])
def test_not_in_future(day: str, ok: bool) -> None:
    failure = run("not_in_future", context(form={"meeting_date": day}), field="meeting_date", what="大会日期")
    assert (failure is None) is ok
    if failure:
        assert failure.reason.startswith("大会日期为2026年11月11日，晚于今天（2026年11月10日）")
