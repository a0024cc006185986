"""The rules version 3 of the re-election adds, table-driven at their boundaries (no database).

Voters (条例第五条: only full members, not those under 留党察看 or suspended), yes marks within valid
ballots × seats, the 公示 over before 请示②, the required duties, the 总支's one 副书记, the 纪委's sizes and
slate, the 党员代表大会's conditions, the delegates and their credentials, and the 纪检 integrity opinion.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from tests.support.rules import TODAY, context, holds, run

# ---- voters --------------------------------------------------------------------------------------------

SUSPENDED = [{"name": "赵某", "reason": "受留党察看处分，在留党察看期间"}]


@pytest.mark.parametrize(
    ("entitled", "without_rights", "ok"),
    [
        (25, [], False),  # 20 full + 5 probationary: the probationary members do not vote
        (21, [], False),
        (20, [], True),
        (19, [], True),
        (20, SUSPENDED, False),
        (19, SUSPENDED, True),
    ],
)
def test_entitled_voters_are_the_full_members_with_rights(
    entitled: int, without_rights: list[dict[str, str]], ok: bool
) -> None:
    ctx = context(
        form={"entitled": entitled, "without_rights": without_rights},
        data={"submit_request2": {"full_members": 20, "probationary_members": 5}},
        full_members=20,
    )
    failure = run(
        "voters_within_membership",
        ctx,
        entitled="entitled",
        members="submit_request2.full_members",
        without_rights="without_rights",
    )
    assert (failure is None) is ok
    if failure:
        assert failure.field == "entitled"
        assert f"应到会有选举权的党员 {entitled} 名" in failure.reason and "正式党员 20 名" in failure.reason
        if without_rights:
            assert "赵某：受留党察看处分，在留党察看期间" in failure.reason and "后的 19 名" in failure.reason


@pytest.mark.parametrize(("entitled", "ok"), [(121, False), (120, True)])
def test_at_a_congress_the_voters_are_the_confirmed_delegates(entitled: int, ok: bool) -> None:
    ctx = context(
        form={"entitled": entitled},
        data={"record_credentials": {"confirmed": 120}},
        org_type="committee",
        full_members=600,
    )
    failure = run(
        "voters_within_membership", ctx, entitled="entitled", delegates="record_credentials.confirmed"
    )
    assert (failure is None) is ok
    if failure:
        assert "资格审查确认有效的代表 120 名" in failure.reason


# ---- ballots -------------------------------------------------------------------------------------------

CANDIDATES = [{"name": n} for n in ("丁一", "王二", "田三", "刘四")]


def _split(total: int) -> list[dict[str, Any]]:
    """``total`` yes marks spread over the four candidates, no one above the 10 ballots."""
    out = []
    for c in CANDIDATES:
        take = min(10, total)
        out.append({"name": c["name"], "yes": take})
        total -= take
    return out


@pytest.mark.parametrize(
    ("marks", "returned", "invalid", "ok"),
    [(30, 10, 0, True), (31, 10, 0, False), (27, 10, 1, True), (28, 10, 1, False), (0, 10, 0, True)],
)
def test_yes_marks_at_most_valid_ballots_times_seats(
    marks: int, returned: int, invalid: int, ok: bool
) -> None:
    ctx = context(
        form={
            "votes": _split(marks),
            "ballots_returned": returned,
            "invalid_ballots": invalid,
            "present": 10,
        },
        data={"submit_request1": {"committee_size": 3}, "submit_request2": {"candidates": CANDIDATES}},
        action="record_vote",
    )
    failure = run("marks_within_ballots", ctx)
    assert (failure is None) is ok
    if failure:
        valid = returned - invalid
        assert failure.field == "votes"
        assert f"有效选票 {valid} 张" in failure.reason and f"至多 {valid * 3} 张" in failure.reason
        assert f"合计 {marks} 张" in failure.reason


def test_yes_marks_of_a_revote_count_the_seats_left() -> None:
    """After a first round electing two of three, the 另行选举 has one seat: 10 ballots carry 10 marks."""
    first = {
        "present": 10,
        "votes": [
            {"name": "丁一", "yes": 9},
            {"name": "王二", "yes": 8},
            {"name": "田三", "yes": 5},
            {"name": "刘四", "yes": 4},
        ],
    }
    data = {"submit_request1": {"committee_size": 3}, "submit_request2": {"candidates": CANDIDATES}}
    history = (("record_vote", first),)

    def ctx(a: int, b: int) -> Any:
        votes = [{"name": "田三", "yes": a}, {"name": "刘四", "yes": b}]
        return context(
            form={"votes": votes, "ballots_returned": 10, "invalid_ballots": 0, "present": 10},
            data={**data, "record_vote": first},
            history=history,
            action="record_additional_vote",
        )

    assert run("marks_within_ballots", ctx(6, 4)) is None
    failure = run("marks_within_ballots", ctx(6, 5))
    assert failure is not None and "应选 1 名" in failure.reason and "合计 11 张" in failure.reason


# ---- 公示 ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [
        (TODAY - dt.timedelta(days=10), TODAY + dt.timedelta(days=1), False),  # ends tomorrow
        (TODAY - dt.timedelta(days=10), TODAY, False),  # its last day is today
        (TODAY - dt.timedelta(days=10), TODAY - dt.timedelta(days=1), True),
        # Declared to end yesterday but five working days from its start end only today (TODAY is a Tuesday).
        (TODAY - dt.timedelta(days=6), TODAY - dt.timedelta(days=1), False),
        (TODAY - dt.timedelta(days=7), TODAY - dt.timedelta(days=1), True),
    ],
)
def test_publicity_must_be_over_before_request2(start: dt.date, end: dt.date, ok: bool) -> None:
    assert TODAY.weekday() == 1
    ctx = context(
        data={
            "record_nomination": {
                "publicity": True,
                "publicity_start": start.isoformat(),
                "publicity_end": end.isoformat(),
            }
        }
    )
    params = {
        "flag": "record_nomination.publicity",
        "start": "record_nomination.publicity_start",
        "end": "record_nomination.publicity_end",
    }
    failure = run("publicity_ended", ctx, **params)
    assert (failure is None) is ok
    if failure:
        assert "公示期满后方可报送请示" in failure.reason
    no_publicity = context(data={"record_nomination": {"publicity": False}})
    assert run("publicity_ended", no_publicity, **params) is None


# ---- settings where practice varies ------------------------------------------------------------------


BASE_DUTIES = [
    {"name": "甲", "duty": "书记"},
    {"name": "乙", "duty": "组织委员"},
    {"name": "丙", "duty": "宣传委员"},
]


@pytest.mark.parametrize(
    ("org_type", "duties", "settings", "missing"),
    [
        ("branch", BASE_DUTIES, {}, "纪检委员"),
        ("branch", [*BASE_DUTIES, {"name": "甲", "duty": "纪检委员"}], {}, None),  # the 书记 holds it too
        ("general_branch", BASE_DUTIES, {}, "纪检委员"),
        ("committee", BASE_DUTIES, {}, None),  # a 基层委员会 with its 纪委: not required by default
        ("branch", BASE_DUTIES, {"required_duties": []}, None),  # the setting turns it off
        ("branch", BASE_DUTIES[:1], {"required_duties": {"branch": ["组织委员"]}}, "组织委员"),
    ],
)
def test_required_duties_are_a_setting(
    org_type: str, duties: list[dict[str, str]], settings: dict[str, Any], missing: str | None
) -> None:
    failure = run("duties_required", context(form={"duties": duties}, org_type=org_type, settings=settings))
    assert (failure is None) is (missing is None)
    if failure and missing:
        assert f"缺少：{missing}" in failure.reason and failure.field == "duties"


@pytest.mark.parametrize(
    ("org_type", "deputies", "ok"),
    [("general_branch", 1, True), ("general_branch", 2, False), ("committee", 2, True)],
)
def test_a_general_branch_has_one_deputy_by_default(org_type: str, deputies: int, ok: bool) -> None:
    ctx = context(form={"deputy_count": deputies, "committee_size": 7}, org_type=org_type, full_members=60)
    assert (run("deputies_allowed", ctx, deputies="deputy_count", size="committee_size") is None) is ok


# ---- the 纪委 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("has", "size", "candidates", "field"),
    [
        (True, 3, 4, None),
        (True, 3, 3, "discipline_candidate_count"),  # the same margin as the committee
        (True, 0, 0, "discipline_size"),  # a committee with a 纪委 must ask for its seats
        (True, 9, 11, "discipline_size"),  # above the setting's 3 to 7
        (False, 3, 4, "discipline_size"),  # no 纪委 on record: none to elect
        (False, 0, 0, None),
    ],
)
def test_discipline_committee_sizes(has: bool, size: int, candidates: int, field: str | None) -> None:
    ctx = context(
        form={"discipline_size": size, "discipline_candidate_count": candidates},
        org_type="committee",
        full_members=112,
        settings={"discipline_committee": has},
    )
    failure = run("discipline_committee_sizes", ctx)
    assert (failure.field if failure else None) == field


def test_discipline_slate_is_complete_when_a_commission_is_elected() -> None:
    data = {"submit_request1": {"discipline_size": 3}}
    params = {"size": "submit_request1.discipline_size"}
    failure = run("discipline_slate_complete", context(form={}, data=data), **params)
    assert failure is not None and failure.field == "discipline_candidates"
    slate = {"discipline_candidates": CANDIDATES}
    failure = run("discipline_slate_complete", context(form=slate, data=data), **params)
    assert failure is not None and failure.field == "discipline_secretary_candidate"
    full = {**slate, "discipline_secretary_candidate": "丁一"}
    assert run("discipline_slate_complete", context(form=full, data=data), **params) is None
    none = {"submit_request1": {"discipline_size": 0}}
    assert run("discipline_slate_complete", context(form=slate, data=none), **params) is not None


# ---- the 党员代表大会 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("org_type", "full", "delegates", "settings", "ok"),
    [
        ("committee", 499, 120, {}, False),
        ("committee", 500, 120, {}, True),
        ("committee", 600, 99, {}, False),
        ("committee", 600, 301, {}, False),
        ("committee", 600, 0, {}, False),
        ("general_branch", 600, 120, {}, False),
        ("committee", 400, 120, {"congress_threshold": 300}, True),
    ],
)
def test_congress_allowed(
    org_type: str, full: int, delegates: int, settings: dict[str, Any], ok: bool
) -> None:
    ctx = context(
        form={"congress": True, "delegate_count": delegates},
        org_type=org_type,
        full_members=full,
        settings=settings,
    )
    assert (run("congress_allowed", ctx) is None) is ok
    assert run("congress_allowed", context(form={"congress": False}, full_members=10)) is None


UNITS = [
    {"electing_unit": "高中部", "members": 320, "delegates": 64, "election_date": "2026-10-20"},
    {"electing_unit": "初中部", "members": 280, "delegates": 56, "election_date": "2026-10-21"},
]


@pytest.mark.parametrize(
    ("electing_units", "approved", "ok"),
    [
        (UNITS, 120, True),
        (UNITS, 121, False),
        ([{**UNITS[0], "members": 60, "delegates": 64}, UNITS[1]], 120, False),
        ([{**UNITS[0], "members": 400}, UNITS[1]], 120, False),  # more members than the organization has
    ],
)
def test_delegates_as_approved(electing_units: list[dict[str, Any]], approved: int, ok: bool) -> None:
    ctx = context(
        form={"electing_units": electing_units},
        data={"submit_request1": {"delegate_count": approved}},
        org_type="committee",
        full_members=600,
    )
    assert (run("delegates_as_approved", ctx, approved="submit_request1.delegate_count") is None) is ok


@pytest.mark.parametrize(
    ("confirmed", "not_confirmed", "ok"),
    [(120, [], True), (119, [{"name": "某", "reason": "预备党员"}], True), (119, [], False)],
)
def test_credentials_account_for_every_delegate(
    confirmed: int, not_confirmed: list[dict[str, str]], ok: bool
) -> None:
    ctx = context(
        form={"confirmed": confirmed, "not_confirmed": not_confirmed},
        data={"record_delegates": {"electing_units": UNITS}},
    )
    assert (run("credentials_consistent", ctx, elected="record_delegates.electing_units") is None) is ok


# ---- the 纪检 integrity opinion -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("opinions", "field"),
    [
        ([{"name": c["name"], "view": "无意见"} for c in CANDIDATES], None),
        ([{"name": c["name"], "view": "无意见"} for c in CANDIDATES[:3]], "opinions"),
        (
            [
                *({"name": c["name"], "view": "无意见"} for c in CANDIDATES[:3]),
                {"name": "刘四", "view": "有意见"},
            ],
            "opinions[3].reasons",
        ),
        (
            [
                *({"name": c["name"], "view": "无意见"} for c in CANDIDATES[:3]),
                {"name": "刘四", "view": "有意见", "reasons": "有信访举报待核"},
            ],
            None,
        ),
        (
            [
                *({"name": c["name"], "view": "无意见"} for c in CANDIDATES),
                {"name": "外人", "view": "无意见"},
            ],
            "opinions[4].name",
        ),
    ],
)
def test_integrity_opinion_names_each_candidate(opinions: list[dict[str, str]], field: str | None) -> None:
    ctx = context(form={"opinions": opinions}, data={"submit_request2": {"candidates": CANDIDATES}})
    failure = run(
        "integrity_opinions_cover",
        ctx,
        opinions="opinions",
        candidates=["submit_request2.candidates", "submit_request2_nc.candidates"],
    )
    assert (failure.field if failure else None) == field


# ---- the 纪委 counted beside the committee ----------------------------------------------------------------

BODY = {
    "body_seats": "submit_request1.discipline_size",
    "body_candidates": "submit_request2.discipline_candidates",
    "body_votes": "discipline_votes",
}
SLATES = {
    "submit_request1": {"committee_size": 3, "discipline_size": 3},
    "submit_request2": {"candidates": CANDIDATES, "discipline_candidates": [{"name": n} for n in "甲乙丙丁"]},
}


def _first_round(discipline_yes: dict[str, int]) -> dict[str, Any]:
    return {
        "present": 10,
        "votes": [
            {"name": "丁一", "yes": 9},
            {"name": "王二", "yes": 8},
            {"name": "田三", "yes": 7},
            {"name": "刘四", "yes": 2},
        ],
        "discipline_votes": [{"name": n, "yes": y} for n, y in discipline_yes.items()],
    }


def test_a_tie_in_the_commission_needs_a_revote_while_the_committee_is_complete() -> None:
    first = _first_round({"甲": 9, "乙": 8, "丙": 6, "丁": 6})
    ctx = context(form=first, data=SLATES, action="record_vote")
    assert not holds("additional_vote_needed", ctx)  # the committee: three elected
    assert holds("additional_vote_needed", ctx, votes="discipline_votes", **BODY)
    # The re-vote among 丙 and 丁 is for the 纪委 only; the committee's tally stays empty.
    revote = {
        "present": 10,
        "votes": [],
        "discipline_votes": [{"name": "丙", "yes": 7}, {"name": "丁", "yes": 3}],
    }
    later = context(
        form=revote,
        data={**SLATES, "record_vote": first},
        history=(("record_vote", first),),
        action="record_additional_vote",
    )
    assert run("votes_for_candidates", later) is None
    assert run("votes_for_candidates", later, votes="discipline_votes", **BODY) is None
    wrong = {**revote, "discipline_votes": [{"name": "乙", "yes": 7}, {"name": "丁", "yes": 3}]}
    failure = run(
        "votes_for_candidates",
        dataclasses.replace(later, form=wrong),
        votes="discipline_votes",
        **BODY,
    )
    assert failure is not None and "只对得票相等的丙、丁再次投票" in failure.reason
    done = dataclasses.replace(later, form=revote)
    assert not holds("additional_vote_needed", done, votes="discipline_votes", **BODY)


def test_reducing_the_seats_does_not_end_the_commission_s_election() -> None:
    first = _first_round({"甲": 9, "乙": 4, "丙": 3, "丁": 2})
    ctx = context(
        form={},
        data={**SLATES, "record_vote": first},
        history=(("record_vote", first),),
        action="reduce_seats",
    )
    failure = run("election_complete", ctx, what="纪律检查委员会委员", **BODY)
    assert failure is not None and "纪律检查委员会委员尚有 2 个名额未选出" in failure.reason
    no_commission = {**SLATES, "submit_request1": {"committee_size": 3}, "record_vote": first}
    assert (
        run("election_complete", context(form={}, data=no_commission, action="reduce_seats"), **BODY) is None
    )
