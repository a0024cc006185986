"""Small pieces of 公文 Chinese shared by the composers: dates, numbers, lists of names, how an organization
refers to itself and is addressed.

Conventions followed (《党政机关公文格式》GB/T 9704-2012 and common 公文 practice): dates in Arabic numerals
in full (2026年11月21日, never 2026.11.21); counts of people, seats and votes in Arabic numerals
(委员会由5名委员组成); ordinals and sequence headings in Chinese numerals (第一次全体会议, 一、（一）).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

from flowengine.chinese import chinese_date, chinese_fraction, chinese_month, chinese_number
from flowengine.documents.model import OrgRef
from flowengine.engine.ballot_order import order_by_surname_strokes

__all__ = [
    "body_of",
    "chinese_number",
    "chinese_fraction",
    "committee_of",
    "date_cn",
    "heading",
    "join_names",
    "month_cn",
    "percent",
    "sentence",
    "split_items",
    "stroke_ordered",
    "us",
    "you",
]

_END = "。！？；：…”」）)"


#: The one Chinese date formatter (:mod:`flowengine.chinese`), under the names the composers use.
date_cn = chinese_date
month_cn = chinese_month


def heading(n: int) -> str:
    """The n-th (from 1) first-level heading number: 一、二、…"""
    return f"{chinese_number(n)}、"


def sentence(text: Any) -> str:
    """Free text from a form as a sentence: trimmed, ending in a full stop unless it already ends."""
    t = re.sub(r"\s+", "", str(text or ""))
    if not t:
        return ""
    return t if t[-1] in _END else f"{t}。"


def clause(text: Any) -> str:
    """Free text as a clause inside a sentence: trimmed, without its final full stop."""
    return re.sub(r"\s+", "", str(text or "")).rstrip("。；;，,")


def split_items(text: Any) -> list[str]:
    """An agenda typed as one line (听取……；选举……) split into its items, without numbering or stops."""
    parts = re.split(r"[；;\n]+|(?:^|\s)[（(]?[一二三四五六七八九十\d]+[）)、.．]", str(text or ""))
    out = []
    for p in parts:
        p = re.sub(r"^[（(]?[一二三四五六七八九十\d]+[）)、.．]", "", p.strip()).strip(" 。，,")
        if p:
            out.append(p)
    return out


def enumerate_items(items: Sequence[str]) -> str:
    """Items as a run of （一）…；（二）…。, or one item as a plain clause."""
    if len(items) == 1:
        return f"{items[0]}。"
    return "；".join(f"（{chinese_number(i)}）{t}" for i, t in enumerate(items, 1)) + "。"


def join_names(names: Iterable[str]) -> str:
    return "、".join(names)


def stroke_ordered(names: Iterable[str]) -> list[str]:
    """Names in 姓氏笔画 order (the order the 条例 requires for lists of candidates and members)."""
    return order_by_surname_strokes(list(names))


def percent(part: int, whole: int) -> str:
    """A ratio as 公文 write it: 20%, 33.3%."""
    if whole <= 0:
        return "0%"
    value = Fraction(part * 100, whole)
    if value.denominator == 1:
        return f"{value.numerator}%"
    return f"{float(value):.1f}%"


#: How an organization refers to itself (我支部) and is addressed (你支部), and its elected body.
_SELF = {"branch": "支部", "general_branch": "总支", "committee": "委", "work_committee": "委"}
_COMMITTEE = {
    "branch": "支部委员会",
    "general_branch": "总支部委员会",
    "committee": "委员会",
    "work_committee": "委员会",
}


def us(org: OrgRef) -> str:
    return f"我{_SELF.get(org.type, '单位')}"


def you(org: OrgRef) -> str:
    return f"你{_SELF.get(org.type, '单位')}"


def committee_of(org: OrgRef) -> str:
    """支部委员会, 总支部委员会, 委员会."""
    return _COMMITTEE.get(org.type, "委员会")


def body_of(org: OrgRef) -> str:
    """The meeting an organization holds: 支部委员会会议, 党委会议."""
    return {
        "branch": "支部委员会会议",
        "general_branch": "总支委员会会议",
        "committee": "党委会议",
        "work_committee": "工委会议",
    }.get(org.type, "会议")


def rows(value: Any) -> list[Mapping[str, Any]]:
    """The rows of a list field (an absent or malformed list reads as none)."""
    return [r for r in (value or []) if isinstance(r, Mapping)]


def count(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def years_between(start: dt.date, end: dt.date) -> int:
    """Whole years of a term from its start to its end (2023-11-28 → 2026-11-27 is 3)."""
    return round((end - start).days / 365.25)


def months_between(start: dt.date, end: dt.date) -> int:
    """Calendar months from one date to another, rounded down (for 延长期限约X个月)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)
