"""Every rule of 三重一大, table-driven, at its boundaries (no database)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from flowengine.definitions.loader import load_file
from flowengine.registry import vocabulary
from tests.support.paths import ROOT
from tests.support.rules import context, holds, run


def proposal(category: str, **form: Any) -> Any:
    return context("major_decision", form={"category": category, **form}, action="submit_proposal")


def at_meeting(category: str, **form: Any) -> Any:
    items = [{"item": "张丽华"}, {"item": "刘建军"}]
    return context(
        "major_decision",
        form=form,
        action="record_meeting",
        data={"submit_proposal": {"category": category, "items": items}},
    )


# ---- the proposal -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "form", "field"),
    [
        ("cadre_appointment", {"investigation": "已考察"}, None),
        ("cadre_appointment", {}, "investigation"),
        ("major_project", {"investigation": "已调研"}, "risk_assessment"),
        ("major_project", {"investigation": "已调研", "risk_assessment": "可控"}, None),
        (
            "major_project",
            {"investigation": "已调研", "risk_assessment": "可控", "technical": True},
            "expert_opinion",
        ),
        (
            "major_matter",
            {"investigation": "已调研", "risk_assessment": "可控", "involves_contract": True},
            "legal_opinion",
        ),
        (
            "major_matter",
            {"investigation": "已调研", "risk_assessment": "可控", "affects_staff": True},
            "public_input",
        ),
        (
            "major_matter",
            {
                "investigation": "已调研",
                "risk_assessment": "可控",
                "affects_staff": True,
                "public_input": "召开教代会征求意见",
            },
            None,
        ),
        ("large_fund", {"investigation": "  ", "risk_assessment": "可控"}, "investigation"),
    ],
)
def test_opinions_required_by_category_and_by_what_the_matter_touches(
    category: str, form: dict[str, Any], field: str | None
) -> None:
    failure = run("opinions_required", proposal(category, **form))
    assert (failure.field if failure else None) == field


def test_required_opinions_are_a_setting() -> None:
    ctx = context(
        "major_decision",
        form={"category": "cadre_appointment", "investigation": "已考察"},
        action="submit_proposal",
        settings={"required_opinions": {"cadre_appointment": ["investigation", "public_input"]}},
    )
    failure = run("opinions_required", ctx)
    assert failure is not None and failure.field == "public_input"


@pytest.mark.parametrize(
    ("amount", "threshold", "ok"),
    [
        (49999, None, False),
        (50000, None, True),
        (80000, 100000, False),
        (100000, 100000, True),
        (None, None, False),
    ],
)
def test_large_fund_threshold_is_configurable(
    amount: float | None, threshold: float | None, ok: bool
) -> None:
    settings = {"large_amount_threshold": threshold} if threshold else {}
    ctx = context(
        "major_decision",
        form={"category": "large_fund", "amount": amount},
        action="submit_proposal",
        settings=settings,
    )
    failure = run("large_fund_threshold", ctx)
    assert (failure is None) is ok
    if failure:
        assert failure.field == "amount"


def test_threshold_only_concerns_large_funds() -> None:
    assert run("large_fund_threshold", proposal("major_project", amount=1000)) is None


@pytest.mark.parametrize(
    ("form", "settings", "field"),
    [
        (
            {"principal_consulted": True, "meeting_date": "2026-11-12", "papers_sent_on": "2026-11-11"},
            {},
            None,
        ),
        ({"principal_consulted": False}, {}, "principal_consulted"),
        ({"principal_consulted": True, "major_disagreement": True}, {}, "major_disagreement"),
        ({"principal_consulted": False}, {"principal_consultation": False}, None),
        (
            {"principal_consulted": True, "meeting_date": "2026-11-12", "papers_sent_on": "2026-11-12"},
            {},
            "papers_sent_on",
        ),
        (
            {"principal_consulted": True, "meeting_date": "2026-11-12", "papers_sent_on": "2026-11-10"},
            {"papers_advance_days": 3},
            "papers_sent_on",
        ),
    ],
)
def test_topic_ready(form: dict[str, Any], settings: dict[str, Any], field: str | None) -> None:
    failure = run("topic_ready", context("major_decision", form=form, action="fix_topic", settings=settings))
    assert (failure.field if failure else None) == field


# ---- the meeting ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "entitled", "present", "ok"),
    [
        ("major_project", 7, 3, False),
        ("major_project", 7, 4, True),
        ("major_project", 8, 4, False),
        ("major_project", 8, 5, True),  # exactly half is not more than half
        ("cadre_appointment", 9, 5, False),
        ("cadre_appointment", 9, 6, True),  # exactly two thirds is enough
        ("cadre_appointment", 7, 4, False),
        ("cadre_appointment", 7, 5, True),
    ],
)
def test_meeting_quorum_by_category(category: str, entitled: int, present: int, ok: bool) -> None:
    failure = run("meeting_quorum", at_meeting(category, entitled=entitled, present=present))
    assert (failure is None) is ok
    if failure:
        assert failure.field == "present"
        assert ("三分之二" if category == "cadre_appointment" else "超过应到会") in failure.reason


def test_strict_quorum_categories_are_a_setting() -> None:
    ctx = context(
        "major_decision",
        form={"entitled": 9, "present": 5},
        action="record_meeting",
        data={"submit_proposal": {"category": "large_fund"}},
        settings={"strict_quorum_categories": ["cadre_appointment", "large_fund"]},
    )
    assert run("meeting_quorum", ctx) is not None


@pytest.mark.parametrize(("absent", "ok"), [(1, True), (2, True), (3, False)])
def test_absentees_are_those_missing(absent: int, ok: bool) -> None:
    ctx = at_meeting(
        "major_project", entitled=7, present=5, absent=[{"name": f"缺席{i}"} for i in range(absent)]
    )
    assert (run("attendance_consistent", ctx) is None) is ok


@pytest.mark.parametrize(
    ("votes", "field"),
    [
        ([{"item": "张丽华"}, {"item": "刘建军"}], None),
        ([{"item": "张丽华"}], "votes"),
        ([{"item": "张丽华"}, {"item": "刘建军"}, {"item": "张丽华"}], "votes[2].item"),
        ([{"item": "张丽华"}, {"item": "王五"}], "votes[1].item"),
    ],
)
def test_each_item_voted_once(votes: list[dict[str, Any]], field: str | None) -> None:
    failure = run("each_item_voted", at_meeting("cadre_appointment", votes=votes))
    assert (failure.field if failure else None) == field


@pytest.mark.parametrize(
    ("yes", "against", "withdrawn", "field"),
    [
        (6, 0, 0, None),
        (5, 1, 0, None),
        (6, 1, 0, "votes[1]"),
        (5, 0, 1, None),
        (5, 1, 1, "votes[1]"),  # one member withdrew (回避) from this item
    ],
)
def test_only_members_present_and_not_withdrawn_vote(
    yes: int, against: int, withdrawn: int, field: str | None
) -> None:
    ctx = at_meeting(
        "cadre_appointment",
        present=6,
        withdrawn=[{"name": "王志强", "item": "刘建军", "reason": "亲属关系"}][:withdrawn],
        votes=[{"item": "张丽华", "yes": 6}, {"item": "刘建军", "yes": yes, "against": against}],
    )
    failure = run("votes_within_present", ctx)
    assert (failure.field if failure else None) == field


@pytest.mark.parametrize(
    ("speakers", "ok"),
    [
        (["何晓丽", "李卫东", "杨帆"], True),
        (["杨帆", "何晓丽", "李卫东"], False),
        (["何晓丽", "杨帆", "李卫东", "杨帆"], False),
        (["何晓丽", "李卫东"], False),
    ],
)
def test_the_chair_speaks_last(speakers: list[str], ok: bool) -> None:
    ctx = at_meeting("major_project", chair="杨帆", opinions=[{"name": n, "view": "同意"} for n in speakers])
    assert (run("chair_speaks_last", ctx) is None) is ok


@pytest.mark.parametrize(
    ("entitled", "yes", "passed"), [(7, 3, False), (7, 4, True), (8, 4, False), (8, 5, True)]
)
def test_an_item_passes_with_more_than_half_of_those_entitled(entitled: int, yes: int, passed: bool) -> None:
    ctx = at_meeting(
        "major_project", entitled=entitled, present=entitled, votes=[{"item": "张丽华", "yes": yes}]
    )
    assert holds("no_item_passed", ctx) is not passed


def test_one_passing_item_is_enough_to_go_on() -> None:
    ctx = at_meeting(
        "cadre_appointment", entitled=7, votes=[{"item": "张丽华", "yes": 2}, {"item": "刘建军", "yes": 5}]
    )
    assert not holds("no_item_passed", ctx)


@pytest.mark.parametrize(
    ("category", "flag", "filed"),
    [
        ("cadre_appointment", False, True),
        ("large_fund", False, True),
        ("major_project", False, False),
        ("major_project", True, True),
    ],
)
def test_filing_with_the_superior(category: str, flag: bool, filed: bool) -> None:
    ctx = context(
        "major_decision",
        form={"filing_required": flag},
        action="issue_minutes",
        data={"submit_proposal": {"category": category}},
    )
    assert holds("filing_required", ctx) is filed


# ---- settings where practice varies (version 4) ----------------------------------------------------


@pytest.mark.parametrize(
    ("entitled", "present", "inclusive", "ok"),
    [(8, 4, False, False), (8, 4, True, True), (8, 3, True, False), (7, 4, False, True)],
)
def test_half_inclusive_reads_half_as_enough(entitled: int, present: int, inclusive: bool, ok: bool) -> None:
    ctx = at_meeting("major_project", entitled=entitled, present=present)
    ctx = dataclasses.replace(ctx, settings={**ctx.settings, "half_inclusive": inclusive})
    failure = run("meeting_quorum", ctx)
    assert (failure is None) is ok
    if failure:
        assert ("不少于" if inclusive else "超过") in failure.reason


@pytest.mark.parametrize(
    ("entitled", "yes", "withdrawn", "in_denominator", "inclusive", "passed"),
    [
        (7, 3, 1, True, False, False),  # 3 of 7: not more than half
        (7, 3, 1, False, False, False),  # 3 of the 6 who may vote: exactly half
        (7, 3, 1, False, True, True),  # … and “半数以上” includes exactly half
        (7, 4, 1, True, False, True),
        (8, 4, 0, True, True, True),
        (8, 4, 0, True, False, False),
    ],
)
def test_withdrawn_members_and_half_are_settings(
    entitled: int, yes: int, withdrawn: int, in_denominator: bool, inclusive: bool, passed: bool
) -> None:
    names = ["王志强", "吴建平"][:withdrawn]
    ctx = at_meeting(
        "cadre_appointment",
        entitled=entitled,
        present=entitled,
        votes=[{"item": "张丽华", "yes": yes}],
        withdrawn=[{"name": n, "item": "张丽华", "reason": "亲属"} for n in names],
    )
    settings = {**ctx.settings, "withdrawn_in_denominator": in_denominator, "half_inclusive": inclusive}
    ctx = dataclasses.replace(ctx, settings=settings)
    assert holds("no_item_passed", ctx, withdrawn="withdrawn") is not passed


def test_a_version_3_definition_keeps_its_fixed_readings() -> None:
    legacy = ROOT / "tests" / "fixtures" / "legacy" / "major_decision_v3.yaml"
    defaults = load_file(legacy, vocabulary()).setting_defaults()
    assert (defaults["withdrawn_in_denominator"], defaults["half_inclusive"]) == (True, False)
