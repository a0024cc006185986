"""The holiday file: a year's official schedule, for when the ``chinesecalendar`` package lags behind.

The State Council publishes the next year's holidays and make-up working days each November; a release of
``chinesecalendar`` follows weeks or months later. Deadlines reaching into that year would meanwhile be
counted Monday to Friday, which is a week wrong around Spring Festival. An administrator can copy the
published notice into this file (``FLOWENGINE_CALENDAR_FILE``) on the day it appears::

    2027:
      source: 国务院办公厅关于2027年部分节假日安排的通知
      holidays:
        - 2027-01-01
        - 2027-02-06..2027-02-12   # a range, both ends included
      workdays:                    # make-up working days (调休上班): weekend days only
        - 2027-02-14

A year in the file is described by it completely (it replaces the package's data for that year):
Monday to Friday are working days except the listed holidays, and the listed weekend days are working days.
Every problem of the file is reported at once, with its line, like a workflow definition's.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from flowengine.definitions.loader import line_of
from flowengine.errors import DefinitionError, DefinitionProblem

_RANGE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*(?:\.\.\s*(\d{4}-\d{2}-\d{2}))?\s*$")
_KEYS = {"source", "holidays", "workdays"}


@dataclass(frozen=True)
class CalendarSupplement:
    """Official schedules of whole years: their holidays and their make-up working days."""

    years: frozenset[int] = frozenset()
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    sources: dict[int, str] = field(default_factory=dict)

    def is_working_day(self, day: dt.date) -> bool:
        """Only meaningful for a day of one of :attr:`years`."""
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


def _dates(text: Any) -> list[dt.date] | str:
    """The dates a list item names (one date or an inclusive range), or the reason it names none."""
    if isinstance(text, dt.date) and not isinstance(text, dt.datetime):
        return [text]
    match = _RANGE.match(str(text))
    if not match:
        return f"“{text}”不是日期（写作 2027-01-01，或区间 2027-02-06..2027-02-12）"
    try:
        first = dt.date.fromisoformat(match.group(1))
        last = dt.date.fromisoformat(match.group(2) or match.group(1))
    except ValueError as exc:
        return f"“{text}”不是有效日期：{exc}"
    if last < first:
        return f"区间“{text}”的结束日期早于开始日期"
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def load_calendar_file(path: Path) -> CalendarSupplement:  # noqa: C901 — one flat pass that reports every problem of the file with its line; split, the lines would travel through helpers
    """Read and check a holiday file; raise :class:`DefinitionError` listing every problem with its line."""
    name = str(path)
    yaml = YAML(typ="rt")
    # Dates stay text so that an impossible one (2027-02-30) is reported with its line, not raised by the parser.
    yaml.constructor.add_constructor(
        "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
    )
    try:
        root = yaml.load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise DefinitionError(
            [DefinitionProblem(name, None, "", f"无法读取节假日文件：{exc.strerror}")]
        ) from exc
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise DefinitionError([DefinitionProblem(name, line, "", f"YAML 语法错误：{exc}")]) from exc

    problems: list[DefinitionProblem] = []

    def problem(at: list[str | int], message: str) -> None:
        problems.append(DefinitionProblem(name, line_of(root, at), ".".join(str(p) for p in at), message))

    if not isinstance(root, CommentedMap):
        raise DefinitionError(
            [
                DefinitionProblem(
                    name, 1, "", "节假日文件应按年份列出：2027: {holidays: [...], workdays: [...]}"
                )
            ]
        )

    years: set[int] = set()
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    sources: dict[int, str] = {}
    for key, body in root.items():
        year = key if isinstance(key, int) else int(key) if str(key).isdigit() else None
        if year is None or not 1900 < year < 2200:
            problem([key], f"“{key}”不是年份")
            continue
        if not isinstance(body, CommentedMap):
            problem([key], "每一年应写明 holidays（放假日期）和 workdays（调休上班日期）")
            continue
        for unknown in sorted(set(map(str, body)) - _KEYS):
            problem([key, unknown], f"未知的项“{unknown}”（可用：holidays、workdays、source）")
        if "holidays" not in body:
            problem([key], f"{year} 年缺少 holidays（放假日期）")
        years.add(year)
        if body.get("source"):
            sources[year] = str(body["source"])
        seen: dict[str, set[dt.date]] = {"holidays": set(), "workdays": set()}
        for kind in ("holidays", "workdays"):
            items = body.get(kind) or []
            if not isinstance(items, CommentedSeq | list):
                problem([key, kind], f"{kind} 应是日期列表")
                continue
            for i, item in enumerate(items):
                dates = _dates(item)
                if isinstance(dates, str):
                    problem([key, kind, i], dates)
                    continue
                for day in dates:
                    if day.year != year:
                        problem([key, kind, i], f"{day.isoformat()} 不属于 {year} 年")
                        break
                    if kind == "workdays" and day.weekday() < 5:
                        problem(
                            [key, kind, i],
                            f"{day.isoformat()} 是工作日（周一至周五），调休上班日只能是周六或周日",
                        )
                        break
                else:
                    seen[kind].update(dates)
        for day in sorted(seen["holidays"] & seen["workdays"]):
            problem([key], f"{day.isoformat()} 同时列为放假日和调休上班日")
        holidays |= seen["holidays"]
        workdays |= seen["workdays"]

    if problems:
        raise DefinitionError(problems)
    return CalendarSupplement(frozenset(years), frozenset(holidays), frozenset(workdays), sources)
