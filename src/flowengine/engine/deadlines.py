"""When a task is due and when its reminders fall, from a state's deadline and the Chinese calendar.

A deadline of N working days means: the task is on time until the end of the N-th working day after the
day it was opened, in China time. Times are stored in UTC; the day boundaries are China's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flowengine.chinese import CHINA, china_date
from flowengine.definitions.model import Deadline
from flowengine.engine.calendar import add_days, subtract_days


def end_of_china_day(day: dt.date) -> dt.datetime:
    """The UTC instant at which ``day`` ends in China (the next day's midnight)."""
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=CHINA)
    return midnight.astimezone(dt.UTC)


def start_of_china_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=CHINA).astimezone(dt.UTC)


def deadline_days(deadline: Deadline, settings: Mapping[str, Any]) -> int:
    if deadline.days_setting and settings.get(deadline.days_setting) is not None:
        return int(settings[deadline.days_setting])
    return deadline.days


def due_at(
    opened: dt.datetime, deadline: Deadline, settings: Mapping[str, Any], start: dt.date | None = None
) -> dt.datetime:
    """The end of the due day: ``days`` units after the day the task was opened, or after ``start`` (the
    date the deadline counts from, when it says: a decision's date for its approval within three months)."""
    due_day = add_days(start or china_date(opened), deadline_days(deadline, settings), deadline.unit)
    return end_of_china_day(due_day)


def reminder_times(due: dt.datetime, deadline: Deadline) -> list[dt.datetime]:
    """Start of the China day that lies ``r`` units before the due day, for each reminder point."""
    due_day = china_date(due - dt.timedelta(microseconds=1))
    return [start_of_china_day(subtract_days(due_day, r, deadline.unit)) for r in deadline.reminders]
