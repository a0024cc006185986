"""Deadlines in Chinese working days: public holidays and make-up working days count."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

import pytest

from flowengine.definitions.calendar_file import CalendarSupplement
from flowengine.definitions.model import Deadline
from flowengine.engine import calendar
from flowengine.engine.deadlines import due_at, reminder_times

D = dt.date


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (D(2026, 9, 30), 3, D(2026, 10, 10)),  # over National Day; Saturday 10-10 is a make-up working day
        (D(2026, 9, 25), 1, D(2026, 9, 28)),  # Friday before the Mid-autumn weekend
        (D(2026, 10, 9), 2, D(2026, 10, 12)),  # the make-up Saturday counts, Sunday does not
        (D(2026, 9, 21), 0, D(2026, 9, 21)),
    ],
)
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
    assert due_at(opened, Deadline(days=3, unit="calendar_days", days_setting="d"), {"d": 5}) == dt.datetime(
        2026, 10, 5, 16, 0, tzinfo=dt.UTC
    )


@pytest.fixture
def supplement_2031() -> Iterator[CalendarSupplement]:
    """A holiday file's year 2031, installed for one test only (the calendar is process-wide)."""
    supplement = CalendarSupplement(
        years=frozenset({2031}),
        holidays=frozenset(D(2031, 1, 22) + dt.timedelta(days=i) for i in range(8)),  # Wed 22 → Wed 29
        workdays=frozenset({D(2031, 1, 19), D(2031, 2, 8)}),  # Sunday before, Saturday after
    )
    calendar.install_supplement(supplement)
    try:
        yield supplement
    finally:
        calendar.install_supplement(None)


def test_a_holiday_file_describes_a_year_the_package_does_not_know(
    supplement_2031: CalendarSupplement, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="flowengine.engine.calendar"):
        assert calendar.is_working_day(D(2031, 1, 19))  # a make-up Sunday
        assert not calendar.is_working_day(D(2031, 1, 22))  # a Wednesday of the holiday
        assert not calendar.is_working_day(D(2031, 1, 25))  # an ordinary Saturday stays free
        assert calendar.is_working_day(D(2031, 2, 8))  # a make-up Saturday
        # Tuesday 21 → the holiday week is skipped → Thursday 30.
        assert calendar.add_working_days(D(2031, 1, 21), 1) == D(2031, 1, 30)
        assert (
            calendar.working_days_between(D(2031, 1, 16), D(2031, 2, 8)) == 1 + 1 + 2 + 2 + 5 + 1
        )  # Fri 17, Sun 19, 20–21, 30–31, Feb 3–7, Sat 8
    assert not [r for r in caplog.records if "2031" in r.getMessage()]  # no fallback for a described year
    assert calendar.last_known_year() == 2031
    calendar.install_supplement(None)
    assert calendar.last_known_year() == calendar.PACKAGE_LAST_YEAR
    assert calendar.is_working_day(D(2031, 1, 22))  # without the file: Monday to Friday again


def test_a_holiday_file_replaces_the_package_for_a_year_it_knows() -> None:
    assert not calendar.is_working_day(D(2026, 10, 5))  # National Day holiday per the package
    calendar.install_supplement(CalendarSupplement(years=frozenset({2026})))
    try:
        assert calendar.is_working_day(D(2026, 10, 5))
    finally:
        calendar.install_supplement(None)
    assert not calendar.is_working_day(D(2026, 10, 5))


@pytest.mark.parametrize(
    ("start", "days", "unit", "expected"),
    [
        (D(2026, 6, 5), 3, "months", D(2026, 9, 5)),
        (D(2025, 1, 31), 1, "months", D(2025, 2, 28)),  # clamped to the shorter month
        (D(2024, 2, 29), 1, "years", D(2025, 2, 28)),
        (D(2026, 6, 5), 1, "years", D(2027, 6, 5)),
        (D(2026, 6, 5), 2, "years", D(2028, 6, 5)),
    ],
)
def test_periods_in_months_and_years(start: dt.date, days: int, unit: str, expected: dt.date) -> None:
    assert calendar.add_days(start, days, unit) == expected
    assert calendar.subtract_days(expected, days, unit) <= start


def test_a_deadline_counts_from_a_date_given_instead_of_the_opening_day() -> None:
    """An approval within three months of the meeting of 5 June is on time until the end of 5 September, in
    China, whenever its step was opened."""
    opened = dt.datetime(2026, 7, 20, 1, 0, tzinfo=dt.UTC)
    deadline = Deadline(days=3, unit="months")
    assert due_at(opened, deadline, {}, D(2026, 6, 5)) == dt.datetime(2026, 9, 5, 16, 0, tzinfo=dt.UTC)
    assert due_at(opened, deadline, {}) == dt.datetime(2026, 10, 20, 16, 0, tzinfo=dt.UTC)
