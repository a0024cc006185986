"""Working-day arithmetic on the Chinese calendar (public holidays and make-up working days).

Deadlines of the procedures are counted in working days; counting weekends only would be wrong around
Spring Festival and National Day by up to a week. The ``chinesecalendar`` package knows the State
Council's published schedule. A holiday file (``FLOWENGINE_CALENDAR_FILE``, see
:mod:`flowengine.definitions.calendar_file`) describes years the package does not know yet, or corrects
one, without waiting for a release. For a year neither knows, we fall back to Monday–Friday and log it
once per year, so an administrator can add the schedule when it is published.

The calendar is a fact of the country, not of a request, so it is process-wide: every entry point
installs the configured file once at start-up (:func:`install_supplement`).
"""

from __future__ import annotations

import calendar as calendar_module
import datetime as dt
import logging
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar

from flowengine.definitions.calendar_file import CalendarSupplement

log = logging.getLogger(__name__)
_warned_years: set[int] = set()
_supplement = CalendarSupplement()
#: The last year whose schedule the ``chinesecalendar`` package knows.
PACKAGE_LAST_YEAR: int = max(day.year for day in chinese_calendar.holidays)


def install_supplement(supplement: CalendarSupplement | None) -> None:
    """Use ``supplement`` for the years it describes (``None`` goes back to the package alone)."""
    global _supplement
    _supplement = supplement or CalendarSupplement()
    is_working_day.cache_clear()
    _warned_years.clear()


def last_known_year() -> int:
    """The last year whose holidays are known, from the package or the holiday file."""
    return max([PACKAGE_LAST_YEAR, *_supplement.years])


@dataclass(frozen=True)
class Coverage:
    """Which years' schedules are known, and from where: for an administrator to see what to add."""

    package_last_year: int
    file_years: dict[int, str]  # year → the notice it was copied from ("" when the file does not say)

    @property
    def last_known_year(self) -> int:
        return max([self.package_last_year, *self.file_years])

    def knows(self, year: int) -> bool:
        return year <= self.package_last_year or year in self.file_years


def coverage() -> Coverage:
    return Coverage(PACKAGE_LAST_YEAR, {y: _supplement.sources.get(y, "") for y in sorted(_supplement.years)})


@lru_cache(maxsize=4096)
def is_working_day(day: dt.date) -> bool:
    if day.year in _supplement.years:
        return _supplement.is_working_day(day)
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        if day.year not in _warned_years:
            _warned_years.add(day.year)
            log.warning(
                "chinesecalendar has no holiday schedule for %s: counting Monday to Friday as working days "
                "for that year (add the published schedule to FLOWENGINE_CALENDAR_FILE, or upgrade the "
                "chinesecalendar package)",
                day.year,
            )
        return day.weekday() < 5


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    if days < 0:
        raise ValueError("days must be non-negative")
    day = start
    left = days
    while left:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def next_working_day(day: dt.date) -> dt.date:
    """The first working day after ``day``."""
    return add_working_days(day, 1)


def subtract_working_days(end: dt.date, days: int) -> dt.date:
    """The date ``days`` working days before ``end`` (for reminders before a deadline)."""
    day = end
    left = days
    while left:
        day -= dt.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when ``end`` is before ``start``."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole months, clamped to the last day of a shorter month (Jan 31 + 1 → Feb 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar_module.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add_days(start: dt.date, days: int, unit: str) -> dt.date:
    """``start`` moved by ``days`` of ``unit``: working days, calendar days, months or years (a 预备期 of one
    year, an approval within three months; 29 February + 1 year is 28 February)."""
    if unit == "working_days":
        return add_working_days(start, days)
    if unit == "months":
        return add_months(start, days)
    if unit == "years":
        return add_months(start, 12 * days)
    return start + dt.timedelta(days=days)


def subtract_days(end: dt.date, days: int, unit: str) -> dt.date:
    if unit == "working_days":
        return subtract_working_days(end, days)
    if unit == "months":
        return add_months(end, -days)
    if unit == "years":
        return add_months(end, -12 * days)
    return end - dt.timedelta(days=days)
