"""A definition's settings for people: their title, their values in words, and the form that edits them.

A setting is declared with a default and a description (``settings:`` in the YAML); its *shape* is the
shape of its default — a whole number, a decimal, a fraction such as ``"4/5"``, a yes/no, a text, a pair
of bounds ``[3, 7]``, or a table per organization type ``{branch: [3, 7], committee: [5, 9]}`` — and a
value an administrator sets for an organization must have the same shape (:func:`parse`), so that a rule
reading it never meets a value of another kind. Settings a deadline or a timer counts in are whole
numbers of at least one day.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from flowengine.definitions.model import SettingDef, WorkflowDefinition
from flowengine.vocabulary import ORG_TYPES

_FRACTION = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_TITLE_END = re.compile(r"[（(；;，,：:。]")


def setting_title(s: SettingDef) -> str:
    """What a setting is called: the first phrase of its description (its name when it has none)."""
    head = _TITLE_END.split(s.description or "", maxsplit=1)[0].strip()
    return head or s.name


def day_settings(definition: WorkflowDefinition) -> set[str]:
    """The settings a deadline or a timer counts its days in."""
    out = set()
    for st in definition.states:
        if st.deadline and st.deadline.days_setting:
            out.add(st.deadline.days_setting)
        if st.timer and st.timer.days_setting:
            out.add(st.timer.days_setting)
    return out


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "decimal"
    if isinstance(value, str):
        return "fraction" if _FRACTION.match(value) else "text"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, Mapping):
        return "table"
    return "text"


def _key_title(key: str) -> str:
    return ORG_TYPES.get(key, key)


def in_words(value: Any) -> str:
    """A setting's value as a sentence fragment: 支部：3至7；总支：5至9 — never a Python literal."""
    kind = _kind(value)
    if value is None:
        return "（未设置）"
    if kind == "boolean":
        return "是" if value else "否"
    if kind == "fraction":
        num, den = _FRACTION.match(value).groups()  # type: ignore[union-attr]
        return f"{value}（{_chinese_fraction(int(num), int(den))}）"
    if kind == "list":
        items = list(value)
        if len(items) == 2 and all(isinstance(v, int | float) for v in items):
            return f"{items[0]}至{items[1]}"
        return "、".join(in_words(v) for v in items)
    if kind == "table":
        return "；".join(f"{_key_title(str(k))}：{in_words(v)}" for k, v in value.items())
    return str(value)


_DIGITS = "零一二三四五六七八九十"


def _chinese_fraction(num: int, den: int) -> str:
    if 0 < num <= 10 and 0 < den <= 10:
        return f"{_DIGITS[den]}分之{_DIGITS[num]}"
    return f"{den}分之{num}"


@dataclass(frozen=True)
class Input:
    """One input of a setting's form: its field name, its label, its kind, and the default shown beside it."""

    field: str
    label: str
    kind: str  # integer | decimal | fraction | boolean | text
    default: Any


def inputs(s: SettingDef) -> list[Input]:
    """The inputs that edit ``s``: one for a plain value, one per item of a pair, one per organization type."""
    return list(_inputs(f"s-{s.name}", "", s.default))


def _inputs(field: str, label: str, default: Any) -> Iterator[Input]:
    kind = _kind(default)
    if kind == "table":
        for key, value in default.items():
            yield from _inputs(f"{field}-{key}", f"{label}{_key_title(str(key))}", value)
    elif kind == "list":
        items = list(default)
        bounds = len(items) == 2 and all(isinstance(v, int | float) for v in items)
        for i, value in enumerate(items):
            part = ("最少", "最多")[i] if bounds else f"第{i + 1}项"
            yield from _inputs(f"{field}-{i}", f"{label}{part}" if label else part, value)
    else:
        yield Input(field, label, kind, default)


def form_values(s: SettingDef, value: Any) -> dict[str, str]:
    """The inputs' texts for a stored value (empty when the organization does not set it)."""
    if value is None:
        return {}
    out: dict[str, str] = {}
    _fill(out, f"s-{s.name}", s.default, value)
    return out


def _fill(out: dict[str, str], field: str, default: Any, value: Any) -> None:
    kind = _kind(default)
    if kind == "table" and isinstance(value, Mapping):
        for key, sub in default.items():
            _fill(out, f"{field}-{key}", sub, value.get(key))
    elif kind == "list" and isinstance(value, list | tuple):
        for i, sub in enumerate(default):
            _fill(out, f"{field}-{i}", sub, value[i] if i < len(value) else None)
    elif value is not None:
        out[field] = ("1" if value else "0") if isinstance(value, bool) else str(value)


def parse(s: SettingDef, form: Mapping[str, str], *, days: bool = False) -> tuple[Any, dict[str, str]]:
    """The value an organization sets for ``s`` from the form, or ``None`` when every input is empty (the
    organization keeps the inherited value); and the message of each input that is wrong."""
    errors: dict[str, str] = {}
    fields = inputs(s)
    if all(not (form.get(i.field) or "").strip() for i in fields):
        return None, {}
    value = _parse(f"s-{s.name}", s.default, form, errors, days=days)
    if not errors:
        _check_bounds(f"s-{s.name}", s.default, value, errors)
    return (None if errors else value), errors


def _parse(field: str, default: Any, form: Mapping[str, str], errors: dict[str, str], *, days: bool) -> Any:
    kind = _kind(default)
    if kind == "table":
        return {k: _parse(f"{field}-{k}", v, form, errors, days=days) for k, v in default.items()}
    if kind == "list":
        return [_parse(f"{field}-{i}", v, form, errors, days=days) for i, v in enumerate(default)]
    raw = (form.get(field) or "").strip()
    if not raw:
        errors[field] = "请填写（或清空本项的全部输入以沿用上级或默认值）"
        return None
    if kind == "boolean":
        if raw not in ("0", "1"):
            errors[field] = "请选择“是”或“否”"
        return raw == "1"
    if kind == "integer":
        if not re.fullmatch(r"\d{1,6}", raw):
            errors[field] = f"应为不小于 {1 if days else 0} 的整数，而不是“{raw}”"
            return None
        number = int(raw)
        if days and number < 1:
            errors[field] = "期限至少为 1 天"
        return number
    if kind == "decimal":
        try:
            decimal = float(raw)
        except ValueError:
            errors[field] = f"应为数字（如 0.2），而不是“{raw}”"
            return None
        if not 0 <= decimal <= (1 if 0 <= default <= 1 else 1e6):
            errors[field] = "应在 0 与 1 之间" if 0 <= default <= 1 else "不能为负数"
        return decimal
    if kind == "fraction":
        m = _FRACTION.match(raw)
        if not m or int(m.group(2)) == 0 or not 0 < int(m.group(1)) <= int(m.group(2)):
            errors[field] = f"应为不大于 1 的分数（如 4/5），而不是“{raw}”"
            return None
        return f"{int(m.group(1))}/{int(m.group(2))}"
    if len(raw) > 200:
        errors[field] = "不能超过 200 个字"
    return raw


def _check_bounds(field: str, default: Any, value: Any, errors: dict[str, str]) -> None:
    """A pair of bounds must not be the wrong way round (最少 ≤ 最多)."""
    kind = _kind(default)
    if kind == "table":
        for k, v in default.items():
            _check_bounds(f"{field}-{k}", v, value[k], errors)
    elif (
        kind == "list"
        and len(default) == 2
        and all(isinstance(v, int | float) for v in default)
        and value[0] > value[1]
    ):
        errors[f"{field}-1"] = f"最多（{value[1]}）不能小于最少（{value[0]}）"


__all__ = [
    "Input",
    "day_settings",
    "form_values",
    "in_words",
    "inputs",
    "parse",
    "setting_title",
]
