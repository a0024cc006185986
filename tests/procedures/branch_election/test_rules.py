"""Every rule of the re-election, table-driven, at its boundaries (no database)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from flowengine.procedures.branch_election.rules import Count, Ledger, count_round, ledger, start_new_term
from tests.support.rules import context, holds, run

# ---- 请示①: numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seats", "candidates", "ok"),
    [
        (1, 1, False),
        (1, 2, True),
        (3, 3, False),
        (3, 4, True),
        (5, 5, False),
        (5, 6, True),
        (7, 8, False),
        (7, 9, True),
        (9, 10, False),
        (9, 11, True),
    ],
)
def test_candidate_margin_is_twenty_percent_rounded_up(seats: int, candidates: int, ok: bool) -> None:
    failure = run(
        "candidate_margin",
        context(form={"committee_size": seats, "candidate_count": candidates}),
        seats="committee_size",
        candidates="candidate_count",
    )
    assert (failure is None) is ok
    if failure:
        assert failure.field == "candidate_count"
        assert f"应选委员 {seats} 名" in failure.reason and f"现为 {candidates} 名" in failure.reason


@pytest.mark.parametrize(
    ("ratio", "seats", "need"), [("25%", 4, 5), ("1/4", 5, 7), (0.3, 5, 7), ("0.2", 5, 6)]
)
def test_candidate_margin_ratio_is_a_setting(ratio: Any, seats: int, need: int) -> None:
    def ctx(n: int) -> Any:
        return context(form={"committee_size": seats, "candidate_count": n}, settings={"margin_ratio": ratio})

    assert (
        run("candidate_margin", ctx(need - 1), seats="committee_size", candidates="candidate_count")
        is not None
    )
    assert run("candidate_margin", ctx(need), seats="committee_size", candidates="candidate_count") is None


def test_candidate_margin_counts_a_list_from_another_step() -> None:
    ctx = context(
        form={"candidates": [{"name": n} for n in "甲乙丙丁"]},
        data={"submit_request1": {"committee_size": 3}},
    )
    assert (
        run("candidate_margin", ctx, seats="submit_request1.committee_size", candidates="candidates") is None
    )
    ctx = context(
        form={"candidates": [{"name": n} for n in "甲乙丙"]}, data={"submit_request1": {"committee_size": 3}}
    )
    failure = run("candidate_margin", ctx, seats="submit_request1.committee_size", candidates="candidates")
    assert failure is not None and failure.field == "candidates"


@pytest.mark.parametrize(
    ("org_type", "size", "ok"),
    [
        ("branch", 2, False),
        ("branch", 3, True),
        ("branch", 5, True),
        ("branch", 7, True),
        ("branch", 8, False),
        ("general_branch", 4, False),
        ("general_branch", 5, True),
        ("general_branch", 9, True),
        ("general_branch", 10, False),
        ("committee", 4, False),
        ("committee", 9, True),
        ("committee", 11, False),
    ],
)
def test_committee_size_by_organization_type(org_type: str, size: int, ok: bool) -> None:
    ctx = context(form={"committee_size": size}, org_type=org_type, full_members=60)
    assert (run("committee_size_allowed", ctx, size="committee_size") is None) is ok


def test_committee_size_range_configurable_per_organization() -> None:
    ctx = context(
        form={"committee_size": 9},
        org_type="branch",
        full_members=40,
        settings={"committee_size": {"branch": [3, 9]}},
    )
    assert run("committee_size_allowed", ctx, size="committee_size") is None


@pytest.mark.parametrize(("full", "ok"), [(6, False), (7, True)])
def test_a_branch_below_seven_full_members_has_no_committee(full: int, ok: bool) -> None:
    ctx = context(form={"committee_size": 3}, data={"record_study": {"full_members": full}}, full_members=20)
    failure = run("committee_size_allowed", ctx, size="committee_size")
    assert (failure is None) is ok
    if failure:
        assert "不足 7 人，不设支部委员会" in failure.reason


@pytest.mark.parametrize(
    ("org_type", "recorded", "tree", "expected"),
    [
        ("branch", 6, 12, True),  # the study's count wins over an outdated tree
        ("branch", 7, 3, False),
        ("branch", None, 6, True),  # before the study: the tree's count
        ("general_branch", None, 6, False),  # only a 支部 goes without a committee
    ],
)
def test_no_committee_predicate(org_type: str, recorded: int | None, tree: int, expected: bool) -> None:
    data = {"record_study": {"full_members": recorded}} if recorded is not None else {}
    assert holds("no_committee", context(data=data, org_type=org_type, full_members=tree)) is expected


@pytest.mark.parametrize(
    ("org_type", "deputies", "size", "ok"),
    [
        ("branch", 1, 5, True),
        ("branch", 2, 5, False),
        ("committee", 2, 7, True),
        ("committee", 3, 7, False),
        ("general_branch", 2, 2, False),  # 书记 + 2 副书记 do not fit in two seats
        ("branch", 0, None, True),
        ("branch", 1, None, True),
    ],
)
def test_deputies_allowed(org_type: str, deputies: int, size: int | None, ok: bool) -> None:
    form = {"deputy_count": deputies, "secretary_count": 1, **({"committee_size": size} if size else {})}
    params = {
        "deputies": "deputy_count",
        "secretaries": "secretary_count",
        **({"size": "committee_size"} if size else {}),
    }
    assert (
        run("deputies_allowed", context(form=form, org_type=org_type, full_members=30), **params) is None
    ) is ok


@pytest.mark.parametrize(("count", "full", "ok"), [(6, 6, True), (7, 6, False)])
def test_candidates_within_membership(count: int, full: int, ok: bool) -> None:
    ctx = context(form={"candidate_count": count}, data={"record_study": {"full_members": full}})
    assert (run("candidates_within_membership", ctx, candidates="candidate_count") is None) is ok


@pytest.mark.parametrize(
    ("month", "ok"), [("2026-11", True), ("2027-01", True), ("2027-02", False), ("2026-10", False)]
)
def test_planned_month_within_term(month: str, ok: bool) -> None:
    ctx = context(form={"planned_month": month}, term_end=dt.date(2027, 1, 31))  # today is 2026-11-10
    failure = run("planned_month_within_term", ctx, month="planned_month")
    assert (failure is None) is ok
    if failure and month == "2027-02":
        assert "先报上级党组织批准延期换届" in failure.reason


# ---- nomination and 请示② ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [
        ("2026-09-29", "2026-10-09", False),  # 9-29, 9-30, 10-08, 10-09: National Day is not counted
        ("2026-09-29", "2026-10-10", True),  # 10-10 is a make-up working Saturday
        ("2026-11-02", "2026-11-06", True),  # Monday to Friday
        ("2026-11-02", "2026-11-05", False),
    ],
)
def test_publicity_counts_working_days(start: str, end: str, ok: bool) -> None:
    ctx = context(form={"publicity": True, "publicity_start": start, "publicity_end": end})
    assert (
        run("publicity_period", ctx, flag="publicity", start="publicity_start", end="publicity_end") is None
    ) is ok


def test_publicity_is_optional_but_needs_dates_when_chosen() -> None:
    assert run("publicity_period", context(form={"publicity": False})) is None
    failure = run("publicity_period", context(form={"publicity": True, "publicity_start": "2026-11-02"}))
    assert failure is not None and failure.field == "publicity_end"


def people(*names: str, joined: str = "2010-07-01") -> list[dict[str, Any]]:
    return [{"name": n, "joined_party": joined} for n in names]


@pytest.mark.parametrize(
    ("names", "ok"),
    [
        (("马骏", "王志强", "刘建军", "吴敏", "张丽华", "郑书华"), True),
        (("王志强", "马骏", "刘建军"), False),
        (("张丽华", "吴敏"), False),  # both 7 strokes: 吴 (丨) before 张 (乛)
        (("欧阳明", "欧文"), False),  # a single 欧 comes before the compound 欧阳
    ],
)
def test_candidates_in_ballot_order(names: tuple[str, ...], ok: bool) -> None:
    failure = run(
        "candidates_in_ballot_order", context(form={"candidates": people(*names)}), list="candidates"
    )
    assert (failure is None) is ok
    if failure:
        assert failure.field == "candidates"


def test_ballot_order_message_gives_the_order_to_copy() -> None:
    failure = run(
        "candidates_in_ballot_order", context(form={"candidates": people("王志强", "马骏", "刘建军")})
    )
    assert failure is not None and failure.reason.endswith("请调整为：马骏、王志强、刘建军。")


@pytest.mark.parametrize(("joined", "ok"), [("2025-11-10", True), ("2025-11-11", False)])
def test_candidates_must_have_been_members_for_a_year(joined: str, ok: bool) -> None:
    ctx = context(form={"candidates": people("马骏", "王志强", joined=joined)})  # today 2026-11-10
    failure = run("candidates_are_full_members", ctx, list="candidates", joined="joined_party")
    assert (failure is None) is ok
    if failure:
        assert failure.field == "candidates[0].joined_party" and "预备党员" in failure.reason


def test_candidate_names_unique_and_as_approved() -> None:
    dup = context(form={"candidates": people("马骏", "王志强", "马骏")})
    failure = run("candidate_names_unique", dup, list="candidates")
    assert failure is not None and failure.field == "candidates[2].name"
    approved = {"submit_request1": {"candidate_count": 4}}
    assert (
        run(
            "candidates_as_approved",
            context(form={"candidates": people(*"甲乙丙丁")}, data=approved),
            approved="submit_request1.candidate_count",
        )
        is None
    )
    assert (
        run(
            "candidates_as_approved",
            context(form={"candidates": people(*"甲乙丙丁戊")}, data=approved),
            approved="submit_request1.candidate_count",
        )
        is not None
    )


@pytest.mark.parametrize(
    ("secretary", "deputies", "field"),
    [
        ("马骏", ["王志强"], None),
        ("赵刚", ["王志强"], "secretary_candidate"),
        ("马骏", ["赵刚"], "deputy_candidates[0].name"),
        ("马骏", ["马骏"], "deputy_candidates[0].name"),
    ],
)
def test_leaders_among_candidates(secretary: str, deputies: list[str], field: str | None) -> None:
    ctx = context(
        form={
            "candidates": people("马骏", "王志强", "刘建军", "吴敏"),
            "secretary_candidate": secretary,
            "deputy_candidates": [{"name": d} for d in deputies],
        }
    )
    failure = run("leaders_among_candidates", ctx)
    assert (failure.field if failure else None) == field


@pytest.mark.parametrize(
    ("posts", "approved", "ok"),
    [
        (["书记"], 0, True),
        (["书记", "副书记"], 1, True),
        (["书记", "副书记"], 0, False),
        (["副书记"], 1, False),
        (["书记", "书记"], 0, False),
    ],
)
def test_leader_candidates_without_committee(posts: list[str], approved: int, ok: bool) -> None:
    rows = [{"post": p, "name": f"候选人{i}"} for i, p in enumerate(posts)]
    ctx = context(form={"candidates": rows}, data={"submit_request1_nc": {"deputy_count": approved}})
    failure = run(
        "leader_candidates_as_approved",
        ctx,
        list="candidates",
        post="post",
        approved="submit_request1_nc.deputy_count",
    )
    assert (failure is None) is ok


@pytest.mark.parametrize(("deputies", "approved", "ok"), [(1, 1, True), (0, 1, False), (2, 1, False)])
def test_leader_candidates_with_committee(deputies: int, approved: int, ok: bool) -> None:
    ctx = context(
        form={"deputy_candidates": [{"name": f"副{i}"} for i in range(deputies)]},
        data={"submit_request1": {"deputy_count": approved}},
    )
    failure = run(
        "leader_candidates_as_approved",
        ctx,
        deputies="deputy_candidates",
        approved="submit_request1.deputy_count",
    )
    assert (failure is None) is ok


# ---- the vote ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("entitled", "present", "ok"),
    [
        (10, 8, False),
        (10, 9, True),  # exactly 4/5 is not enough
        (5, 4, False),
        (5, 5, True),
        (11, 8, False),
        (11, 9, True),  # 4/5 of 11 is 8.8
        (10, 11, False),  # more present than entitled
    ],
)
def test_election_quorum_is_strictly_more_than_four_fifths(entitled: int, present: int, ok: bool) -> None:
    failure = run(
        "quorum",
        context(form={"entitled": entitled, "present": present}),
        entitled="entitled",
        present="present",
        ratio_setting="quorum_ratio",
    )
    assert (failure is None) is ok
    if failure and present <= entitled:
        assert failure.field == "present" and "超过应到会" in failure.reason and "五分之四" in failure.reason


@pytest.mark.parametrize(
    ("issued", "returned", "invalid", "field"),
    [
        (10, 10, 0, None),  # returned = issued: valid
        (10, 9, 0, None),  # fewer returned: valid
        (10, 11, 0, "ballots_returned"),  # more returned than issued: void, vote again
        (11, 11, 0, "ballots_issued"),  # more issued than voters present
        (10, 9, 10, "invalid_ballots"),
    ],
)
def test_ballots(issued: int, returned: int, invalid: int, field: str | None) -> None:
    ctx = context(
        form={
            "present": 10,
            "ballots_issued": issued,
            "ballots_returned": returned,
            "invalid_ballots": invalid,
        }
    )
    failure = run("ballots_valid", ctx)
    assert (failure.field if failure else None) == field
    if field == "ballots_returned":
        assert "本次选举无效，应当重新进行选举" in failure.reason  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("yes", "against", "field"), [(9, 0, None), (10, 0, "votes[0].yes"), (5, 5, "votes[0]")]
)
def test_votes_within_valid_ballots(yes: int, against: int, field: str | None) -> None:
    ctx = context(
        form={
            "ballots_returned": 10,
            "invalid_ballots": 1,
            "votes": [{"name": "马骏", "yes": yes, "against": against}],
        }
    )
    failure = run("votes_within_ballots", ctx)
    assert (failure.field if failure else None) == field


CANDIDATES = ["王伟", "李强", "张敏", "赵丽"]
APPROVED = {
    "submit_request1": {"committee_size": 3, "candidate_count": 4, "deputy_count": 1},
    "submit_request2": {
        "candidates": [{"name": n} for n in CANDIDATES],
        "secretary_candidate": "王伟",
        "deputy_candidates": [{"name": "李强"}],
    },
}


def round_form(yes: dict[str, int], elected: list[str], present: int = 10) -> dict[str, Any]:
    return {
        "present": present,
        "ballots_issued": present,
        "ballots_returned": present,
        "invalid_ballots": 0,
        "votes": [{"name": n, "yes": y} for n, y in yes.items()],
        "elected": [{"name": n} for n in elected],
    }


def first_round(yes: dict[str, int], elected: list[str], present: int = 10) -> Any:
    return context(form=round_form(yes, elected, present), data=APPROVED, action="record_vote")


def later_round(
    rounds: list[dict[str, Any]],
    yes: dict[str, int],
    elected: list[str],
    present: int = 10,
    action: str = "record_additional_vote",
) -> Any:
    history = tuple(("record_vote" if i == 0 else "record_additional_vote", r) for i, r in enumerate(rounds))
    return context(
        form=round_form(yes, elected, present) if action == "record_additional_vote" else {},
        data=APPROVED,
        action=action,
        history=(("submit_request2", {}), *history),
    )


ELECTION_CHECKS = (
    "votes_for_candidates",
    "elected_among_candidates",
    "elected_within_seats",
    "elected_have_majority",
    "elected_match_votes",
)


def failures(ctx: Any) -> dict[str, str | None]:
    return {name: f.field for name in ELECTION_CHECKS if (f := run(name, ctx)) is not None}


@pytest.mark.parametrize(
    ("present", "yes", "ok"), [(10, 5, False), (10, 6, True), (9, 5, True), (9, 4, False)]
)
def test_winning_needs_more_than_half_of_those_present(present: int, yes: int, ok: bool) -> None:
    votes = {"王伟": 9, "李强": 8, "张敏": yes, "赵丽": 1}
    ctx = first_round(votes, ["王伟", "李强", "张敏"], present)
    assert failures(ctx) == ({} if ok else {"elected_have_majority": "elected[2].name"})


def test_a_clean_first_round_completes_the_election() -> None:
    ctx = first_round({"王伟": 9, "李强": 8, "张敏": 7, "赵丽": 3}, ["王伟", "李强", "张敏"])
    assert failures(ctx) == {} and not holds("additional_vote_needed", ctx)
    assert ledger(ctx).elected == ("王伟", "李强", "张敏")


def test_elected_must_be_approved_within_seats_and_as_counted() -> None:
    votes = {"王伟": 9, "李强": 8, "张敏": 7, "赵丽": 6}
    assert failures(first_round(votes, ["王伟", "李强", "张敏", "赵丽"])) == {
        "elected_within_seats": "elected",
        "elected_match_votes": "elected",
    }
    assert failures(first_round(votes, ["王伟", "李强", "钱多"])) == {
        "elected_among_candidates": "elected[2].name",
        "elected_match_votes": "elected",
    }
    beaten = run("elected_match_votes", first_round(votes, ["王伟", "李强", "赵丽"]))
    assert beaten is not None and "赵丽得票少于其他候选人" in beaten.reason
    missing = run("elected_match_votes", first_round(votes, ["王伟", "李强"]))
    assert missing is not None and "张敏已当选" in missing.reason


def test_the_tally_must_list_exactly_the_approved_candidates() -> None:
    assert run("votes_for_candidates", first_round({"王伟": 9, "李强": 8, "张敏": 7}, [])) is not None
    extra = run("votes_for_candidates", first_round({**dict.fromkeys(CANDIDATES, 6), "钱多": 1}, []))
    assert extra is not None and extra.field == "votes[4].name"


def test_a_tie_at_the_cut_off_is_revoted_among_the_tied() -> None:
    votes = {"王伟": 9, "李强": 8, "张敏": 7, "赵丽": 7}
    assert count_round(list(votes.items()), 10, 3) == Count(("王伟", "李强"), ("张敏", "赵丽"), 1)
    listing_a_tied = run("elected_match_votes", first_round(votes, ["王伟", "李强", "张敏"]))
    assert (
        listing_a_tied is not None
        and "张敏、赵丽得票相等（各 7 票），争最后 1 个名额" in listing_a_tied.reason
    )
    first = first_round(votes, ["王伟", "李强"])
    assert failures(first) == {} and holds("additional_vote_needed", first)
    # The re-vote: only the tied stand, the most votes wins (no new majority needed), and it completes.
    r1 = round_form(votes, ["王伟", "李强"])
    assert ledger(later_round([r1], {}, [], action="record_first_meeting")).kind == "tie"
    wrong = later_round([r1], {"张敏": 5, "王伟": 4}, ["张敏"])
    assert run("votes_for_candidates", wrong) is not None
    revote = later_round([r1], {"张敏": 5, "赵丽": 4}, ["张敏"])
    assert failures(revote) == {} and not holds("additional_vote_needed", revote)
    # Tied again: nobody is elected, another re-vote.
    again = later_round([r1], {"张敏": 5, "赵丽": 5}, [])
    assert failures(again) == {} and holds("additional_vote_needed", again)


def test_too_few_winners_leads_to_another_election_among_the_unelected() -> None:
    votes = {"王伟": 9, "李强": 5, "张敏": 4, "赵丽": 2}  # only 王伟 has a majority of 10
    first = first_round(votes, ["王伟"])
    assert failures(first) == {} and holds("additional_vote_needed", first)
    r1 = round_form(votes, ["王伟"])
    state = ledger(later_round([r1], {}, [], action="record_first_meeting"))
    assert (state.kind, state.eligible, state.open_seats) == ("additional", ("李强", "张敏", "赵丽"), 2)
    # Two seats need three candidates (margin); 王伟 is already elected.
    assert run("votes_for_candidates", later_round([r1], {"李强": 8, "张敏": 7}, [])) is not None
    assert run("votes_for_candidates", later_round([r1], {"王伟": 8, "李强": 8, "张敏": 7}, [])) is not None
    second = later_round([r1], {"李强": 8, "张敏": 6, "赵丽": 3}, ["李强", "张敏"])
    assert failures(second) == {} and not holds("additional_vote_needed", second)
    assert ledger(second).elected == ("王伟", "李强", "张敏")


@pytest.mark.parametrize(
    ("present", "consent", "elected", "ok"),
    [
        (10, 5, ["王伟", "李强", "张敏"], False),  # exactly half consent
        (10, 6, ["王伟", "李强", "张敏"], True),
        (10, 9, ["王伟", "李强"], False),  # below the smallest branch committee (3)
    ],
)
def test_seats_may_be_reduced_instead_of_another_vote(
    present: int, consent: int, elected: list[str], ok: bool
) -> None:
    approved = {**APPROVED, "submit_request1": {**APPROVED["submit_request1"], "committee_size": 4}}
    yes = {n: (8 if n in elected else 2) for n in CANDIDATES}
    ctx = context(
        form={"present": present, "consent": consent},
        data=approved,
        action="reduce_seats",
        history=(("record_vote", round_form(yes, elected)),),
    )
    assert (run("seats_reduction_allowed", ctx) is None) is ok


def test_seats_cannot_be_reduced_to_escape_a_tie() -> None:
    ctx = context(
        form={"present": 10, "consent": 9},
        data=APPROVED,
        action="reduce_seats",
        history=(
            ("record_vote", round_form({"王伟": 9, "李强": 8, "张敏": 7, "赵丽": 7}, ["王伟", "李强"])),
        ),
    )
    failure = run("seats_reduction_allowed", ctx)
    assert failure is not None and "再次投票" in failure.reason


def test_a_new_first_round_starts_the_count_afresh() -> None:
    old = round_form({"王伟": 9, "李强": 2, "张敏": 2, "赵丽": 2}, ["王伟"])
    ctx = context(
        form=round_form({"王伟": 9, "李强": 8, "张敏": 7, "赵丽": 3}, ["王伟", "李强", "张敏"]),
        data=APPROVED,
        action="record_vote",
        history=(("record_vote", old),),
    )
    assert failures(ctx) == {} and not holds("additional_vote_needed", ctx)


def test_ledger_replays_rounds() -> None:
    state = Ledger.start(3, CANDIDATES).after(round_form({"王伟": 9, "李强": 8, "张敏": 7, "赵丽": 7}, []))
    assert (state.elected, state.kind, state.eligible, state.open_seats) == (
        ("王伟", "李强"),
        "tie",
        ("张敏", "赵丽"),
        1,
    )
    state = state.after(round_form({"张敏": 3, "赵丽": 6}, []))
    assert (state.elected, state.kind) == (("王伟", "李强", "赵丽"), None)


# ---- the first meeting --------------------------------------------------------------------------------


def meeting(**form: Any) -> Any:
    elected = round_form({"王伟": 9, "李强": 8, "张敏": 7, "赵丽": 3}, ["王伟", "李强", "张敏"])
    base = {
        "present": 3,
        "chair": "张敏",
        "secretary": "王伟",
        "secretary_yes": 3,
        "deputies": [{"name": "李强", "yes": 2}],
        "duties": [
            {"name": "王伟", "duty": "书记"},
            {"name": "李强", "duty": "副书记"},
            {"name": "张敏", "duty": "组织委员"},
        ],
    }
    return context(
        form={**base, **form},
        data=APPROVED,
        action="record_first_meeting",
        history=(("record_vote", elected),),
    )


@pytest.mark.parametrize(
    ("form", "check", "field"),
    [
        ({}, None, None),
        ({"secretary": "赵丽"}, "leaders_among_elected", "secretary"),
        ({"chair": "赵丽"}, "leaders_among_elected", "chair"),
        ({"deputies": [{"name": "张敏", "yes": 3}]}, "leaders_among_approved", "deputies[0].name"),
        ({"secretary": "李强", "deputies": []}, "leaders_among_approved", "secretary"),
        ({"secretary_yes": 1}, "leaders_have_majority", "secretary_yes"),
        ({"deputies": [{"name": "李强", "yes": 1}]}, "leaders_have_majority", "deputies[0].yes"),
        ({"present": 2}, "first_meeting_quorum", "present"),
        (
            {"duties": [{"name": "王伟", "duty": "书记"}, {"name": "李强", "duty": "副书记"}]},
            "duties_cover_elected",
            "duties",
        ),
        ({"duties": [{"name": "赵丽", "duty": "组织委员"}]}, "duties_cover_elected", "duties[0].name"),
    ],
)
def test_first_meeting(form: dict[str, Any], check: str | None, field: str | None) -> None:
    ctx = meeting(**form)
    names = (
        "leaders_among_elected",
        "leaders_among_approved",
        "leaders_have_majority",
        "first_meeting_quorum",
        "duties_cover_elected",
    )
    approved = {
        "approved_secretary": "submit_request2.secretary_candidate",
        "approved_deputies": "submit_request2.deputy_candidates",
    }
    got = {
        n: f.field
        for n in names
        if (f := run(n, ctx, **(approved if n == "leaders_among_approved" else {}))) is not None
    }
    assert got.get(check) == field if check else got == {}
    if check:
        assert check in got


# ---- no committee ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("present", "yes", "failed"), [(5, 2, True), (5, 3, False), (4, 2, True), (4, 3, False)]
)
def test_secretary_elected_directly_needs_more_than_half(present: int, yes: int, failed: bool) -> None:
    ctx = context(
        form={"present": present, "votes": [{"post": "书记", "name": "曹雪", "yes": yes}]},
        action="record_secretary_vote",
        full_members=5,
    )
    assert holds("secretary_not_elected", ctx) is failed


def test_no_committee_tally_lists_the_agreed_candidates() -> None:
    data = {"submit_request2_nc": {"candidates": [{"post": "书记", "name": "曹雪"}]}}
    ctx = context(
        form={"votes": [{"post": "书记", "name": "邓宇", "yes": 5}]},
        data=data,
        action="record_secretary_vote",
    )
    failure = run("votes_for_candidates", ctx, candidates="submit_request2_nc.candidates")
    assert failure is not None and failure.field == "votes[0].name"


# ---- terms ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("org_type", "end"), [("branch", dt.date(2029, 11, 9)), ("committee", dt.date(2031, 11, 9))]
)
def test_the_new_term_starts_on_the_day_of_the_election(org_type: str, end: dt.date) -> None:
    ctx = context(data={"record_vote": {"meeting_date": "2026-11-10"}}, org_type=org_type)
    [change] = start_new_term(
        dataclasses.replace(
            ctx, params={"dates": ["record_secretary_vote.meeting_date", "record_vote.meeting_date"]}
        )
    )
    assert dict(change.changes) == {"term_start": dt.date(2026, 11, 10), "term_end": end}
