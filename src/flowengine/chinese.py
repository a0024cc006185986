"""How flowengine writes dates, times and small numbers in Chinese: one formatter for every layer.

Times are stored in UTC; every day boundary and every date shown is China's (Asia/Shanghai), because a
deadline "by the end of the 3rd working day" ends at a China midnight whatever the server's zone. A date is
written in full Chinese form (2026年9月23日), as Party documents and office practice write it.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")

_DIGITS = "零一二三四五六七八九"


def china_date(moment: dt.datetime) -> dt.date:
    """The China calendar day of an instant."""
    return moment.astimezone(CHINA).date()


def as_date(value: Any) -> dt.date | None:
    """A date from a date, an instant (its China day) or ISO text; ``None`` for anything else."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return china_date(value) if value.tzinfo else value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def chinese_date(value: dt.date | dt.datetime | str) -> str:
    """2026-11-21 (a date, an instant or ISO text) → 2026年11月21日; text that is no date comes back as is."""
    day = as_date(value)
    if day is None:
        return str(value)
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_month(value: Any) -> str:
    """2026-11 (or a date) → 2026年11月; other text comes back as is."""
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月"
    text = str(value or "")
    if len(text) >= 7 and text[4] == "-" and text[:4].isdigit() and text[5:7].isdigit():
        return f"{int(text[:4])}年{int(text[5:7])}月"
    return text


def chinese_time(moment: dt.datetime, *, year: bool = True) -> str:
    """An instant in China time: 2026年9月23日 10:00 (``year=False``: 9月23日 10:00)."""
    local = moment.astimezone(CHINA)
    day = f"{local.year}年{local.month}月{local.day}日" if year else f"{local.month}月{local.day}日"
    return f"{day} {local:%H:%M}"


def chinese_number(n: int) -> str:
    """Small numbers as written in Party documents (0–99): 五、十二、二十; others in digits."""
    if not 0 <= n < 100:
        return str(n)
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")


def chinese_fraction(f: Fraction) -> str:
    """``4/5`` → 五分之四, ``1/2`` → 半数; ratios with large denominators as percentages."""
    if f == Fraction(1, 2):
        return "半数"
    if f.denominator <= 10:
        return f"{chinese_number(f.denominator)}分之{chinese_number(f.numerator)}"
    return f"{float(f) * 100:g}%"
