"""Every rule of 发展党员, table-driven, at its boundaries (no database). Each rule's docstring names the
article of the 2014 细则 (or the 党章) it enforces."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.support.rules import context, holds, run

W = "member_recruitment"


def ctx(form: dict[str, Any] | None = None, **kw: Any) -> Any:
    return context(W, form=form, **kw)


# ---- 细则第五条: 年满十八岁 -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "applied", "ok"),
    [
        ("2007-03-03", "2025-03-02", False),  # the day before the 18th birthday
        ("2007-03-03", "2025-03-03", True),  # the birthday itself
        ("2007-03-03", "2026-01-01", True),
        ("2004-02-29", "2022-02-28", False),  # born on 29 February: 18 on 1 March in a common year
        ("2004-02-29", "2022-03-01", True),
    ],
)
def test_applicant_of_age(birth: str, applied: str, ok: bool) -> None:
    failure = run("applicant_of_age", ctx({"birth_date": birth, "application_date": applied}))
    assert (failure is None) is ok
    if failure:
        assert "未满18周岁" in failure.reason and "细则第五条" in failure.reason
        assert failure.field == "birth_date"


# ---- 细则第九条, 第十四条: 培养联系人, 入党介绍人 ----------------------------------------------------------


def people(*full: bool, names: tuple[str, ...] = ("张丽华", "吴敏", "刘建军")) -> list[dict[str, Any]]:
    return [{"name": names[i], "full_member": f} for i, f in enumerate(full)]


@pytest.mark.parametrize(
    ("rows", "ok", "says"),
    [
        ([], False, "应为1至2名正式党员"),
        (people(True), True, ""),
        (people(True, True), True, ""),
        (people(True, True, True), False, "现填写 3 名"),
        (people(True, False), False, "吴敏不是正式党员"),
        ([{"name": "张丽华", "full_member": True}, {"name": "张丽华", "full_member": True}], False, "重复"),
    ],
)
def test_contacts_are_one_or_two_full_members(rows: list[dict[str, Any]], ok: bool, says: str) -> None:
    failure = run("contacts_are_full_members", ctx({"contacts": rows}))
    assert (failure is None) is ok
    if failure:
        assert says in failure.reason


@pytest.mark.parametrize(
    ("rows", "ok", "says"),
    [
        (people(True), False, "应为2名正式党员"),
        (people(True, True), True, ""),
        (people(True, True, True), False, "现填写 3 名"),
        (people(False, True), False, "张丽华不是正式党员"),
    ],
)
def test_two_introducers_who_are_full_members(rows: list[dict[str, Any]], ok: bool, says: str) -> None:
    failure = run("introducers_are_full_members", ctx({"introducers": rows}))
    assert (failure is None) is ok
    if failure:
        assert says in failure.reason and "细则第十四条" in failure.reason


# ---- 细则第十三条: 一年以上 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("since", "decided", "reading", "ok"),
    [
        # Reading "at least" (default): "以上" includes the number; the anniversary is the first day.
        ("2024-03-01", "2025-02-28", "at_least", False),
        ("2024-03-01", "2025-03-01", "at_least", True),
        # Reading "more than": exactly one year is refused, one day more accepted.
        ("2024-03-01", "2025-03-01", "more_than", False),
        ("2024-03-01", "2025-03-02", "more_than", True),
        # A 29 February decision: its anniversary in a common year is 28 February.
        ("2024-02-29", "2025-02-27", "at_least", False),
        ("2024-02-29", "2025-02-28", "at_least", True),
    ],
)
def test_activist_for_a_year_before_prospect(since: str, decided: str, reading: str, ok: bool) -> None:
    c = ctx(
        {"decided_on": decided},
        data={"appoint_activist": {"decided_on": since}},
        settings={"activist_period_reading": reading},
    )
    failure = run("activist_period_served", c)
    assert (failure is None) is ok
    if failure:
        first = dt.date.fromisoformat(decided) + dt.timedelta(days=1)
        assert f"最早可于{first.year}年{first.month}月{first.day}日确定为发展对象" in failure.reason
        assert "细则第十三条" in failure.reason


@pytest.mark.parametrize(("flag", "ok"), [(True, True), (False, False), (None, False)])
def test_views_heard_before_prospect(flag: bool | None, ok: bool) -> None:
    assert (run("views_heard", ctx({"views_heard": flag})) is None) is ok


# ---- 细则第十五至十七条: 政治审查, 集中培训 --------------------------------------------------------------


@pytest.mark.parametrize(
    ("result", "summary", "ok"),
    [
        ("passed", "政治历史清楚", True),
        ("failed", "有问题", False),
        ("passed", "", False),
        (None, "x", False),
    ],
)
def test_political_review_passed(result: str | None, summary: str, ok: bool) -> None:
    failure = run("political_review_passed", ctx({"review_result": result, "review_summary": summary}))
    assert (failure is None) is ok


@pytest.mark.parametrize(
    ("days", "hours", "ok"),
    [(3, 0, True), (2, 23, False), (2, 24, True), (0, 24, True), (None, None, False), (3, None, True)],
)
def test_training_three_days_or_24_hours(days: int | None, hours: int | None, ok: bool) -> None:
    failure = run("training_sufficient", ctx({"training_days": days, "training_hours": hours}))
    assert (failure is None) is ok
    if failure:
        assert "不少于3天或不少于24个学时" in failure.reason


# ---- 公示 (local rules: 5 working days) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "ok"),
    [("2026-05-29", False), ("2026-05-30", True), ("2026-06-01", True)],
)
def test_publicity_of_five_working_days(today: str, ok: bool) -> None:
    c = ctx(data={"pass_pre_review": {"publicity_from": "2026-05-25"}}, today=dt.date.fromisoformat(today))
    assert (run("publicity_over", c) is None) is ok


def test_publicity_over_a_holiday_counts_working_days() -> None:
    """A 公示 from 29 September 2025 spans National Day: 29, 30 September, 9, 10, 11 October (11 October 2025 is a
    make-up working day), so it cannot end before 12 October."""
    c = ctx(data={"pass_pre_review": {"publicity_from": "2025-09-29"}}, today=dt.date(2025, 10, 11))
    failure = run("publicity_over", c)
    assert failure is not None and "2025年10月12日起方可结束公示" in failure.reason
    c = ctx(data={"pass_pre_review": {"publicity_from": "2025-09-29"}}, today=dt.date(2025, 10, 12))
    assert run("publicity_over", c) is None


# ---- 细则第二十、二十一条: the 支部大会 --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entitled", "present", "yes", "ok", "says"),
    [
        (25, 13, 13, True, ""),
        (25, 12, 12, False, "至少须 13 人"),  # not more than half present: no meeting
        (24, 12, 12, False, "至少须 13 人"),
        (24, 13, 13, True, ""),
        (25, 26, 13, False, "多于应到会"),
        (25, 20, 26, False, "合计 26 票"),  # written opinions count, but not beyond those entitled
        (25, 20, 25, True, ""),
    ],
)
def test_meeting_quorum_against_those_entitled(
    entitled: int, present: int, yes: int, ok: bool, says: str
) -> None:
    form = {"voting_members": entitled, "attending": present, "admission_yes": yes}
    failure = run(
        "meeting_valid", ctx(form), yes="admission_yes", no="admission_no", abstain="admission_abstain"
    )
    assert (failure is None) is ok
    if failure:
        assert says in failure.reason


@pytest.mark.parametrize(
    ("entitled", "yes", "passes"),
    [
        (25, 13, True),
        (25, 12, False),
        (24, 13, True),
        (24, 12, False),
        (11, 6, True),
        (11, 5, False),
        (3, 2, True),
    ],
)
def test_majority_of_full_members_entitled(entitled: int, yes: int, passes: bool) -> None:
    """A 支部 of 25 full members: 13 yes votes pass, 12 do not — whatever the number present."""
    form = {"voting_members": entitled, "admission_yes": yes, "conversion_yes": yes}
    assert holds("resolution_failed", ctx(form), yes="admission_yes") is not passes
    failure = run("resolution_passed", ctx(form), yes="conversion_yes")
    assert (failure is None) is passes
    if failure:
        assert f"至少须 {entitled // 2 + 1} 票" in failure.reason


@pytest.mark.parametrize(("flag", "ok"), [(True, True), (False, False)])
def test_volunteer_form_filled_before_the_meeting(flag: bool, ok: bool) -> None:
    assert (run("volunteer_form_filled", ctx({"volunteer_form_filled": flag})) is None) is ok


# ---- 基层党委审批: three months, six at most -------------------------------------------------------------


@pytest.mark.parametrize(
    ("decided", "reason", "ok", "says"),
    [
        ("2026-09-05", "", True, ""),  # three months after 5 June: still in time
        ("2026-09-06", "", False, "须说明特殊情况"),  # 3 months + 1 day
        ("2026-09-06", "党委书记外出学习", True, ""),
        ("2026-12-05", "党委书记外出学习", True, ""),  # six months
        ("2026-12-06", "党委书记外出学习", False, "不得超过六个月"),  # six months + 1 day: never
        ("2026-06-04", "", False, "不能早于支部大会日期"),
        ("2026-12-20", "x", False, "晚于今天"),
    ],
)
def test_approval_within_three_months_six_at_most(decided: str, reason: str, ok: bool, says: str) -> None:
    c = ctx(
        {"decided_on": decided, "late_reason": reason},
        data={"hold_admission_meeting": {"meeting_date": "2026-06-05"}},
        today=dt.date(2026, 12, 10),
    )
    failure = run("approval_in_time", c, meeting="hold_admission_meeting.meeting_date")
    assert (failure is None) is ok
    if failure:
        assert says in failure.reason


# ---- 党章第七条: 预备期一年, one extension of 6–12 months ----------------------------------------------------


@pytest.mark.parametrize(
    ("today", "extension", "ok"),
    [
        ("2027-06-04", None, False),
        ("2027-06-05", None, True),  # one year from the 支部大会 of 5 June 2026
        ("2027-12-04", 6, False),
        ("2027-12-05", 6, True),
        ("2028-06-04", 12, False),
        ("2028-06-05", 12, True),
    ],
)
def test_probation_of_a_year_from_the_meeting(today: str, extension: int | None, ok: bool) -> None:
    data: dict[str, Any] = {"hold_admission_meeting": {"meeting_date": "2026-06-05"}}
    if extension:
        data["hold_conversion_meeting"] = {"conversion_decision": "extend", "extension_months": extension}
    failure = run("probation_over", ctx(data=data, today=dt.date.fromisoformat(today)))
    assert (failure is None) is ok


@pytest.mark.parametrize(
    ("decision", "months", "before", "ok", "says"),
    [
        ("extend", 5, False, False, "须为6至12个月"),
        ("extend", 6, False, True, ""),
        ("extend", 12, False, True, ""),
        ("extend", 13, False, False, "须为6至12个月"),
        ("extend", None, False, False, "未填写"),
        ("extend", 6, True, False, "已延长过一次"),  # a second extension
        ("convert", None, True, True, ""),
        ("cancel", None, False, True, ""),
    ],
)
def test_one_extension_of_six_to_twelve_months(
    decision: str, months: int | None, before: bool, ok: bool, says: str
) -> None:
    history = (
        (("hold_conversion_meeting", {"conversion_decision": "extend", "extension_months": 6}),)
        if before
        else ()
    )
    c = ctx(
        {"conversion_decision": decision, "extension_months": months},
        action="hold_conversion_meeting",
        history=history,
    )
    failure = run("extension_allowed", c)
    assert (failure is None) is ok
    if failure:
        assert says in failure.reason


@pytest.mark.parametrize(("value", "expected"), [("extend", True), ("convert", False)])
def test_decision_is(value: str, expected: bool) -> None:
    c = ctx(data={"hold_conversion_meeting": {"conversion_decision": "extend"}})
    assert (
        holds("decision_is", c, field="hold_conversion_meeting.conversion_decision", value=value) is expected
    )
