"""Checks, helpers and effects any procedure may use.

The helpers here are shared by the election and 三重一大 rules: reading a value named in a check's
``params`` (``field`` of the current form or ``step.field`` of an earlier one), exact fractions for the
ratios practice varies on (a quorum of "4/5" must not become 0.8000001), and the Chinese wording of
numbers and dates that secretaries read in the reasons.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from flowengine.chinese import as_date, chinese_date, chinese_fraction, chinese_number
from flowengine.definitions.params import Param as P
from flowengine.definitions.params import ParamType, optional
from flowengine.engine.calendar import add_months
from flowengine.engine.checks import COMMON, CheckContext, CheckResult, OrgUpdate
from flowengine.errors import CheckFailure

__all__ = [
    "add_months",
    "chinese_date",
    "chinese_fraction",
    "chinese_number",
    "date_of",
    "int_of",
    "least_at_least",
    "least_more_than",
    "more_than",
    "names_in",
    "quorum_failure",
    "ratio",
    "value_of",
]

# ---- helpers ---------------------------------------------------------------------------------------


def value_of(ctx: CheckContext, ref: str, default: Any = None) -> Any:
    """``field`` of the current form, or ``step.field`` of an earlier step (the current form wins)."""
    if "." in ref:
        return ctx.lookup(ref, default)
    return ctx.form.get(ref, default)


def int_of(ctx: CheckContext, ref: str) -> int | None:
    """An integer named by ``ref``; a list counts its rows (e.g. the number of people listed)."""
    value = value_of(ctx, ref)
    if isinstance(value, list | tuple):
        return len(value)
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def date_of(value: Any) -> dt.date | None:
    """A date from form data (ISO text or a date); ``None`` when blank or not a date."""
    return as_date(value)


def ratio(value: Any) -> Fraction:
    """A ratio setting as an exact fraction: ``"4/5"``, ``"20%"``, ``0.2`` or ``[4, 5]``.

    Floats go through their decimal text, so ``0.2`` is exactly one fifth and 20% of 5 is exactly 1,
    not a hair more that a rounding up would turn into 2.
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, bool):
        raise ValueError(f"not a ratio: {value!r}")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(str(value))
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2:
        return Fraction(int(value[0]), int(value[1]))
    text = str(value).strip()
    try:
        if text.endswith("%"):
            return Fraction(Decimal(text[:-1])) / 100
        if "/" in text:
            num, den = text.split("/", 1)
            return Fraction(int(num), int(den))
        return Fraction(Decimal(text))
    except (ValueError, InvalidOperation, ZeroDivisionError):
        raise ValueError(f"not a ratio: {value!r}") from None


def more_than(count: int, total: int, fraction: Fraction) -> bool:
    """``count > fraction × total``, exactly."""
    return count > fraction * total


def least_more_than(total: int, fraction: Fraction) -> int:
    """The smallest whole number strictly greater than ``fraction × total``."""
    return math.floor(fraction * total) + 1


def least_at_least(total: int, fraction: Fraction) -> int:
    """The smallest whole number not less than ``fraction × total``."""
    return math.ceil(fraction * total)


def names_in(rows: Any, column: str = "name") -> list[str]:
    """The non-blank ``column`` of each row of a list field, trimmed, in order."""
    out: list[str] = []
    for row in rows or []:
        if isinstance(row, Mapping):
            value = row.get(column)
            if isinstance(value, str) and value.strip():
                out.append(value.strip())
    return out


def regular_term_end(start: dt.date, years: int) -> dt.date:
    """The last day of a term of ``years`` starting on ``start`` (2023-10-10 + 3 years → 2026-10-09)."""
    return add_months(start, 12 * years) - dt.timedelta(days=1)


def setting_for_type(settings: Mapping[str, Any], name: str, org_type: str) -> Any:
    """A setting that may be given per organization type (``{branch: 3, committee: 5}``) or as one value."""
    table = settings.get(name)
    return table.get(org_type) if isinstance(table, Mapping) else table


# ---- checks ----------------------------------------------------------------------------------------


@COMMON.check(
    "dates_in_order",
    title="日期先后",
    params={
        "earlier": P(ParamType.VALUE, "the date that must come first"),
        "later": P(ParamType.VALUE, "the date that must come after it"),
        "message": optional(ParamType.TEXT, "the reason shown when the order is wrong"),
        "allow_equal": optional(ParamType.BOOLEAN, "the same day is allowed", default=False),
    },
)
def dates_in_order(ctx: CheckContext) -> CheckResult:
    """``params: {earlier, later, message, allow_equal}``; fields of the current form or ``step.field``.

    ``allow_equal`` admits the same day (the new committee's first meeting is often held right after the
    党员大会 that elected it).
    """
    earlier_name, later_name = ctx.params["earlier"], ctx.params["later"]
    earlier = date_of(value_of(ctx, earlier_name))
    later = date_of(value_of(ctx, later_name))
    if earlier is None or later is None:
        return None
    wrong = later < earlier if ctx.params.get("allow_equal") else later <= earlier
    if wrong:
        default = f"{later_name} 应{'不早于' if ctx.params.get('allow_equal') else '晚于'} {earlier_name}"
        return CheckFailure("dates_in_order", ctx.params.get("message") or default, later_name)
    return None


@COMMON.check(
    "not_in_future",
    title="日期不晚于今天",
    params={
        "field": P(ParamType.VALUE, "the date of something that has happened"),
        "what": optional(ParamType.TEXT, "what the date is, in the reason (e.g. 大会日期)"),
    },
)
def not_in_future(ctx: CheckContext) -> CheckResult:
    """``params: {field, what}``: a record of something that happened cannot be dated after today."""
    name = ctx.params["field"]
    day = date_of(value_of(ctx, name))
    if day is not None and day > ctx.today:
        what = ctx.params.get("what") or "日期"
        return CheckFailure(
            "not_in_future",
            f"{what}为{chinese_date(day)}，晚于今天（{chinese_date(ctx.today)}）：请在事项实际发生后再登记。",
            name,
        )
    return None


@COMMON.check(
    "quorum",
    title="到会人数达到法定人数",
    params={
        "entitled": P(ParamType.VALUE, "members entitled to attend (应到会)"),
        "present": P(ParamType.VALUE, "members present (实到会)"),
        "ratio_setting": P(ParamType.SETTING, "the setting holding the quorum fraction"),
        "at_least": optional(
            ParamType.BOOLEAN, "equality is enough (不少于) instead of more than (超过)", default=False
        ),
        "what": optional(ParamType.TEXT, "what cannot go ahead without a quorum (选举, 会议)"),
    },
)
def quorum(ctx: CheckContext) -> CheckResult:
    """Enough members present for the meeting to decide or elect.

    ``params: {entitled, present, ratio_setting, at_least, what}``. By default the count present must be
    strictly *more* than ``ratio × entitled`` (选举：超过应到会人数的五分之四); ``at_least: true`` admits
    equality (干部任免：不少于三分之二).
    """
    entitled = int_of(ctx, ctx.params["entitled"])
    present_ref = ctx.params["present"]
    present = int_of(ctx, present_ref)
    if entitled is None or present is None:
        return None
    fraction = ratio(ctx.settings[ctx.params["ratio_setting"]])
    return quorum_failure(
        "quorum",
        entitled,
        present,
        fraction,
        bool(ctx.params.get("at_least")),
        ctx.params.get("what") or "会议",
        present_ref,
    )


def quorum_failure(
    check_name: str, entitled: int, present: int, fraction: Fraction, at_least: bool, what: str, field: str
) -> CheckFailure | None:
    """The reason a meeting of ``present`` out of ``entitled`` lacks a quorum, or ``None``."""
    if present > entitled:
        return CheckFailure(
            check_name, f"实到会 {present} 人，多于应到会的 {entitled} 人，请核对人数。", field
        )
    if at_least:
        need = least_at_least(entitled, fraction)
        ok = present >= need
        rule = f"不少于应到会 {entitled} 人的{chinese_fraction(fraction)}"
    else:
        need = least_more_than(entitled, fraction)
        ok = present >= need
        rule = f"超过应到会 {entitled} 人的{chinese_fraction(fraction)}"
    if ok:
        return None
    return CheckFailure(
        check_name,
        f"实到会 {present} 人，未达到法定人数：到会人数须{rule}，即至少 {need} 人，{what}不能进行。"
        "请改期召开，到会人数够了再登记。",
        field,
    )


# ---- effects ---------------------------------------------------------------------------------------


@COMMON.effect(
    "set_org_date",
    title="调整组织任期日期",
    params={
        "field": P(ParamType.ORG_FIELD, "the organization field to set"),
        "value": P(ParamType.VALUE, "the date from the request"),
        "reason": optional(ParamType.TEXT, "why, for the audit trail"),
    },
)
def set_org_date(ctx: CheckContext) -> list[OrgUpdate]:
    """``params: {field: term_end, value: step.field, reason}``: put a date from the request on the
    organization (an approved 延期换届 moves the term end the term watch reads)."""
    day = date_of(value_of(ctx, ctx.params["value"]))
    if day is None:
        return []
    return [OrgUpdate({ctx.params["field"]: day}, ctx.params.get("reason", ""))]
