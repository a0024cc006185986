"""Validate and normalize submitted form data against a definition's fields.

The same function serves the browser (where everything arrives as text) and the JSON API (typed values),
so both get identical rules and identical messages. Errors are collected for every field at once and
keyed by a path such as ``people[2].phone``, which the UI uses to put each message beside its
field. Unknown fields are refused rather than silently stored: a script that misspells a field must hear
about it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from flowengine.definitions.model import FieldDef
from flowengine.errors import ValidationFailed

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_TRUE = {"1", "true", "on", "yes", "是"}
_FALSE = {"0", "false", "off", "no", "否", ""}


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def _coerce(f: FieldDef, value: Any, path: str, errors: dict[str, str]) -> Any:  # noqa: C901 — one branch per field type of the language, side by side so a new type is added in one place
    t = f.type
    if t in ("string", "text"):
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            errors[path] = "请输入文字"
            return None
        text = str(value).strip()
        if f.min_length is not None and len(text) < f.min_length:
            errors[path] = f"至少 {f.min_length} 个字"
        elif f.max_length is not None and len(text) > f.max_length:
            errors[path] = f"不能超过 {f.max_length} 个字（现为 {len(text)} 个字）"
        elif f.pattern and not re.fullmatch(f.pattern, text):
            errors[path] = "格式不正确"
        return text
    if t in ("integer", "number"):
        try:
            if isinstance(value, bool):
                raise ValueError
            if t == "integer":
                if isinstance(value, float) and not value.is_integer():
                    raise ValueError
                num: int | float = int(value) if not isinstance(value, str) else int(value.strip())
            else:
                num = float(value)
        except (TypeError, ValueError):
            errors[path] = "请输入整数" if t == "integer" else "请输入数字"
            return None
        if f.min is not None and num < f.min:
            errors[path] = f"不能小于 {f.min}"
        elif f.max is not None and num > f.max:
            errors[path] = f"不能大于 {f.max}"
        return num
    if t == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        errors[path] = "请选择是或否"
        return None
    if t == "date":
        try:
            day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value).strip())
        except ValueError:
            errors[path] = "请输入日期，格式如 2026-03-15"
            return None
        if f.min is not None and day < dt.date.fromisoformat(str(f.min)):
            errors[path] = f"不能早于 {f.min}"
        elif f.max is not None and day > dt.date.fromisoformat(str(f.max)):
            errors[path] = f"不能晚于 {f.max}"
        return day.isoformat()
    if t == "month":
        m = _MONTH.match(str(value).strip())
        if not m or not 1 <= int(m.group(2)) <= 12:
            errors[path] = "请输入年月，格式如 2026-03"
            return None
        return m.group(0)
    if t == "choice":
        allowed = [o.value for o in f.options]
        if str(value) not in allowed:
            errors[path] = f"请从以下选项中选择：{'、'.join(o.label for o in f.options)}"
            return None
        return str(value)
    if t == "multichoice":
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, Sequence):
            errors[path] = "请选择选项"
            return None
        allowed = [o.value for o in f.options]
        bad = [str(v) for v in values if str(v) not in allowed]
        if bad:
            errors[path] = f"无效选项：{'、'.join(bad)}"
            return None
        return [str(v) for v in values]
    if t == "list":
        if not isinstance(value, Sequence) or isinstance(value, str):
            errors[path] = "请逐行填写"
            return None
        rows = []
        for i, row in enumerate(value):
            if not isinstance(row, Mapping):
                errors[f"{path}[{i}]"] = "每一行应为一条记录"
                continue
            rows.append(_clean(f.fields, row, f"{path}[{i}].", errors))
        if f.min_items is not None and len(rows) < f.min_items:
            errors.setdefault(path, f"至少填写 {f.min_items} 行（现为 {len(rows)} 行）")
        elif f.max_items is not None and len(rows) > f.max_items:
            errors.setdefault(path, f"最多填写 {f.max_items} 行（现为 {len(rows)} 行）")
        return rows
    raise AssertionError(f"unhandled field type {t}")  # the schema admits no other type


def _clean(
    fields: Sequence[FieldDef], data: Mapping[str, Any], prefix: str, errors: dict[str, str]
) -> dict[str, Any]:
    known = {f.name for f in fields}
    for key in data:
        if key not in known:
            errors[f"{prefix}{key}"] = "未知字段（该步骤的表单中没有此项）"
    out: dict[str, Any] = {}
    for f in fields:
        path = f"{prefix}{f.name}"
        value = data.get(f.name)
        if _blank(value):
            if f.required:
                errors[path] = f"请填写“{f.label}”"
            out[f.name] = [] if f.type in ("list", "multichoice") else None
            continue
        out[f.name] = _coerce(f, value, path, errors)
    return out


def validate_form(fields: Sequence[FieldDef], data: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return the cleaned data (JSON-ready: dates as ISO text) or raise with every field's message."""
    errors: dict[str, str] = {}
    cleaned = _clean(fields, data or {}, "", errors)
    if errors:
        raise ValidationFailed(errors)
    return cleaned
