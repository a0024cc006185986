"""Deadlines in Chinese working days: public holidays and make-up working days count."""

from __future__ import annotations

import datetime as dt
import logging

import pytest

from flowengine.definitions.model import Deadline
from flowengine.engine import calendar
from flowengine.engine.deadlines import due_at, reminder_times

D = dt.date


@pytest.mark.parametrize(("start", "days", "expected"), [
    (D(2026, 9, 30), 3, D(2026, 10, 10)),   # over National Day; Saturday 10-10 is a make-up working day
    (D(2026, 9, 25), 1, D(2026, 9, 28)),    # Friday before the Mid-autumn weekend
    (D(2026, 10, 9), 2, D(2026, 10, 12)),   # the make-up Saturday counts, Sunday does not
    (D(2026, 9, 21), 0, D(2026, 9, 21)),
])
def test_add_working_days(start: dt.date, days: int, expected: dt.date) -> None:
    assert calendar.add_working_days(start, days) == expected


def test_working_days_between_and_back() -> None:
    assert calendar.working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert calendar.working_days_between(D(2026, 10, 10), D(2026, 9, 30)) == -3
    assert calendar.subtract_working_days(D(2026, 10, 10), 3) == D(2026, 9, 30)


def test_unknown_year_falls_back_to_weekdays_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    calendar._warned_years.discard(2031)
    calendar.is_working_day.cache_clear()
    with caplog.at_level(logging.WARNING, logger="flowengine.engine.calendar"):
        assert calendar.add_working_days(D(2031, 1, 3), 1) == D(2031, 1, 6)  # Friday → Monday
        assert calendar.is_working_day(D(2031, 1, 7))
    warnings = [r for r in caplog.records if "2031" in r.getMessage()]
    assert len(warnings) == 1 and "Monday to Friday" in warnings[0].getMessage()


def test_due_at_ends_with_the_china_day_and_reminders_start_china_days() -> None:
    deadline = Deadline(days=3, unit="working_days", reminders=(1,))
    # 2026-09-30 09:00 in China is 01:00 UTC.
    opened = dt.datetime(2026, 9, 30, 1, 0, tzinfo=dt.UTC)
    due = due_at(opened, deadline, {})
    assert due == dt.datetime(2026, 10, 10, 16, 0, tzinfo=dt.UTC)  # end of 10-10 in China
    assert reminder_times(due, deadline) == [dt.datetime(2026, 10, 8, 16, 0, tzinfo=dt.UTC)]  # start of 10-09
    # A setting overrides the definition's number of days.
    assert due_at(opened, Deadline(days=3, unit="calendar_days", days_setting="d"), {"d": 5}) == \
        dt.datetime(2026, 10, 5, 16, 0, tzinfo=dt.UTC)
