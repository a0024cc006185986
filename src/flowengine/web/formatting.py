"""Jinja filters that print dates, times and form values the way a Chinese office writes them.

Dates are shown in full Chinese form (2026年9月23日) and times in China time whatever the server's zone,
because a deadline "by the end of the 3rd working day" is a China-day boundary.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from markupsafe import Markup, escape

from flowengine.chinese import as_date, chinese_date, chinese_month, chinese_time
from flowengine.definitions.model import FieldDef
from flowengine.service import TaskTiming


def date_cn(value: Any) -> str:
    day = as_date(value)
    if day is None:
        return "" if value in (None, "") else str(value)
    return chinese_date(day)


def month_cn(value: Any) -> str:
    return chinese_month(value)


def datetime_cn(value: dt.datetime | None) -> str:
    return "" if value is None else chinese_time(value)


def cell_cn(value: Any) -> str:
    """A cell of a supervision table: dates the Chinese way, nothing for None, the rest as text."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return date_cn(value)
    return str(value)


def field_value(value: Any, f: FieldDef | None) -> Markup | str:
    """A stored form value for reading: option labels, 是/否, Chinese dates, lists as small tables."""
    if value is None or value == "" or value == []:
        return Markup('<span class="text-body-tertiary">（未填）</span>')
    if f is None:
        return str(value)
    if f.type == "boolean":
        return "是" if value else "否"
    if f.type == "date":
        return date_cn(value)
    if f.type == "month":
        return month_cn(value)
    if f.type == "choice":
        return f.option_label(str(value))
    if f.type == "multichoice":
        return "、".join(f.option_label(str(v)) for v in value)
    if f.type == "list" and isinstance(value, list):
        head = "".join(f"<th>{escape(c.label)}</th>" for c in f.fields)
        body = "".join(
            '<tr><td class="text-body-secondary">'
            + str(i)
            + "</td>"
            + "".join(f"<td>{escape(field_value(row.get(c.name), c))}</td>" for c in f.fields)
            + "</tr>"
            for i, row in enumerate(value, 1)
            if isinstance(row, dict)
        )
        return Markup(
            f'<table class="table table-sm table-bordered mb-0 value-list"><thead><tr><th>#</th>{head}</tr>'
            f"</thead><tbody>{body}</tbody></table>"
        )
    if f.type == "text":
        return Markup("<br>".join(escape(line) for line in str(value).splitlines()))
    return str(value)


def waited(t: TaskTiming) -> str:
    if t.waited_working_days >= 1:
        return f"{t.waited_working_days} 个工作日"
    if t.waited_hours >= 1:
        return f"{t.waited_hours} 小时"
    return "不到 1 小时"


def left(t: TaskTiming) -> str:
    if t.working_days_left is None:
        return "无时限"
    if t.overdue:
        late = -t.working_days_left
        return "已超期" if late <= 0 else f"已超期 {late} 个工作日"
    if t.working_days_left == 0:
        return "今日到期"
    return f"剩余 {t.working_days_left} 个工作日"


def register(app: Flask) -> None:
    app.add_template_filter(date_cn)
    app.add_template_filter(month_cn)
    app.add_template_filter(datetime_cn)
    app.add_template_filter(cell_cn)
    app.add_template_filter(field_value)
    app.add_template_filter(waited)
    app.add_template_filter(left)
