"""Rules of 延期或提前换届 (条例第三条): the shift of a term needs the superior's approval and is generally no more
than one year, measured from the term's regular end so that successive postponements cannot add up.

An approved request moves the organization's term end through the common ``set_org_date`` effect, which is
what the term watch and the re-election's 请示① then read.
"""

from __future__ import annotations

from flowengine.chinese import chinese_date
from flowengine.definitions.params import Param, ParamType
from flowengine.engine.checks import CheckContext, CheckResult, RuleSet
from flowengine.engine.rules.common import add_months, date_of, regular_term_end, setting_for_type, value_of
from flowengine.errors import CheckFailure

V = ParamType.VALUE

RULES = RuleSet("election_postponement")


def _field(ref: str) -> str | None:
    """A ``params`` reference as a field path of the current form (``None`` for an earlier step's)."""
    return None if "." in ref else ref


def _term_years(ctx: CheckContext) -> int:
    years = setting_for_type(ctx.settings, "term_years", ctx.org.type)
    return int(years) if years else 3


@RULES.check(
    "term_shift_allowed",
    title="延期（提前）不超过规定期限",
    params={
        "kind": Param(V, "延期 (postpone) or 提前 (advance)", default="kind"),
        "current_end": Param(V, "the current term end as given", default="current_term_end"),
        "new_date": Param(V, "the new date asked for", default="new_term_end"),
    },
    settings=("term_years", "max_shift_months"),
)
def term_shift_allowed(ctx: CheckContext) -> CheckResult:
    """``params: {kind, current_end, new_date}``: 延期 later, 提前 earlier, by at most ``max_shift_months``.

    The shift is measured from the regular end of the term (its start plus the term length), so two
    successive postponements cannot add up to more than the limit (条例第三条: 一般不超过1年).
    """
    p = ctx.params
    kind = value_of(ctx, p["kind"])
    current_ref, new_ref = p["current_end"], p["new_date"]
    current, new = date_of(value_of(ctx, current_ref)), date_of(value_of(ctx, new_ref))
    if current is None or new is None:
        return None
    if ctx.org.term_end is not None and current != ctx.org.term_end:
        return CheckFailure(
            "term_shift_allowed",
            f"填写的本届任期届满日期与组织架构中登记的（{chinese_date(ctx.org.term_end)}）不一致，请核对。",
            _field(current_ref),
        )
    regular = regular_term_end(ctx.org.term_start, _term_years(ctx)) if ctx.org.term_start else current
    months = int(ctx.settings.get("max_shift_months") or 12)
    limit = f"{months // 12}年" if months % 12 == 0 else f"{months}个月"
    if kind == "postpone":
        latest = add_months(regular, months)
        if new <= current:
            return CheckFailure(
                "term_shift_allowed",
                f"延期换届的日期应晚于本届任期届满日期（{chinese_date(current)}）。",
                _field(new_ref),
            )
        if new > latest:
            return CheckFailure(
                "term_shift_allowed",
                f"延长期限一般不超过{limit}（条例第三条）：本届任期应于{chinese_date(regular)}届满，"
                f"延期后最晚为{chinese_date(latest)}。",
                _field(new_ref),
            )
    elif kind == "advance":
        earliest = add_months(regular, -months)
        if new >= current:
            return CheckFailure(
                "term_shift_allowed",
                f"提前换届的日期应早于本届任期届满日期（{chinese_date(current)}）。",
                _field(new_ref),
            )
        if new < ctx.today:
            return CheckFailure("term_shift_allowed", "提前换届的日期不能早于今天。", _field(new_ref))
        if new < earliest:
            return CheckFailure(
                "term_shift_allowed",
                f"提前期限一般不超过{limit}（条例第三条）：本届任期应于{chinese_date(regular)}届满，"
                f"最早可提前至{chinese_date(earliest)}。",
                _field(new_ref),
            )
    return None
