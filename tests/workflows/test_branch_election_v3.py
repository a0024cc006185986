"""Version 3 of the re-election end to end through the service: a 基层委员会 re-elects its committee and its
纪律检查委员会 at one 党员大会 (with the 纪检 integrity opinion as a countersign and 批复③ copied to 纪检), and
a committee of 600 full members holds a 党员代表大会 approved in 批复①. Both on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from flowengine.errors import CheckFailed, InvalidAction
from flowengine.service import Services
from tests.support import Clock
from tests.support.city import CANDIDATES, REQUEST1, Org, Walk, build_city, china_noon
from tests.support.documents import docs_of, text_of
from tests.support.paths import ROOT, SHIPPED_WORKFLOWS
from tests.support.reelection_v3 import (
    CREDENTIALS,
    NOMINATION,
    REQUEST1_BASE,
    REQUEST2_CONGRESS,
    REQUEST2_DISCIPLINE,
    UNITS,
    VOTE_CONGRESS,
    VOTE_DISCIPLINE,
    build,
    reelect_by_congress,
    reelect_with_discipline_committee,
)

V2_NOMINATION: dict[str, Any] = {
    "recommendation_date": "2026-09-28",
    "recommenders": 11,
    "recommendation": "全体正式党员推荐。",
    "deliberation": "支部委员会酝酿。",
    "inspection": "经考察符合条件。",
    "publicity": True,
    "publicity_start": "2026-09-29",
    "publicity_end": "2026-10-12",
}
V2_REQUEST2: dict[str, Any] = {
    "full_members": 11,
    "probationary_members": 2,
    "process": "经民主推荐、酝酿和考察确定。",
    "candidates": CANDIDATES,
    "secretary_candidate": "马骏",
    "deputy_candidates": [{"name": "吴敏"}],
}


@pytest.fixture
def city(make_services: Callable[..., Services], clock: Clock) -> Org:
    clock.now = china_noon("2026-09-21")
    return build(make_services(SHIPPED_WORKFLOWS), clock.now)


def test_committee_reelects_itself_and_its_discipline_commission(city: Org, clock: Clock) -> None:
    services = city.services
    tried: list[str] = []

    def slips(action: str, w: Walk) -> None:
        if action == "submit_request2":
            # The 公示 (2026-10-12 to 10-16) ends tomorrow: 请示② waits for it.
            w.on("2026-10-15")
            with pytest.raises(CheckFailed) as err:
                w.act("zhouhua", "submit_request2", REQUEST2_DISCIPLINE)
            assert [f.check for f in err.value.failures] == ["publicity_ended"]
            assert "2026年10月16日" in err.value.failures[0].reason
            # The 纪委 slate keeps the margin too: three candidates for three seats are refused.
            w.on("2026-10-19")
            short = {
                **REQUEST2_DISCIPLINE,
                "discipline_candidates": REQUEST2_DISCIPLINE["discipline_candidates"][:3],
            }
            with pytest.raises(CheckFailed) as err:
                w.act("zhouhua", "submit_request2", short)
            assert {f.check for f in err.value.failures} >= {"candidate_margin", "candidates_as_approved"}
            tried.append(action)
        if action == "record_vote":
            # The probationary members counted as voters; then a 纪委 tally with more marks than ballots allow.
            with pytest.raises(CheckFailed) as err:
                w.act("zhouhua", "record_vote", {**VOTE_DISCIPLINE, "entitled": 115, "without_rights": []})
            assert [f.check for f in err.value.failures] == ["voters_within_membership"]
            assert "应到会有选举权的党员 115 名，多于正式党员 112 名" in err.value.failures[0].reason
            over = [dict(v) for v in VOTE_DISCIPLINE["discipline_votes"]]
            over[3]["yes"] = 95
            with pytest.raises(CheckFailed) as err:
                w.act("zhouhua", "record_vote", {**VOTE_DISCIPLINE, "discipline_votes": over})
            failure = next(f for f in err.value.failures if f.check == "marks_within_ballots")
            assert failure.field == "discipline_votes" and "至多 294 张" in failure.reason
            tried.append(action)

    w = reelect_with_discipline_committee(services, city, clock, slips)
    assert tried == ["submit_request2", "record_vote"]
    trail = services.flow.trail(w.instance.id, city.users["sunli"])
    steps = [e.action for e in trail if e.action and e.action.startswith("record_")]
    assert steps == [
        "record_study",
        "record_nomination",
        "record_vote",
        "record_additional_vote",
        "record_first_meeting",
        "record_discipline_first_meeting",
    ]
    assert any(e.kind == "sign" and e.actor_name == "李健" for e in trail)
    # 批复③ is copied to the superior's 纪检 side: it reads the request, and cannot act on it.
    seen = services.flow.get(w.instance.id, city.users["lijian"])
    assert seen.state == "completed"
    assert city.term("zz9") == (dt.date(2026, 11, 10), dt.date(2031, 11, 9))


def test_the_review_of_request2_waits_for_the_integrity_opinion(city: Org, clock: Clock) -> None:
    services = city.services
    w = Walk.start(services, city, clock, "branch_election", "zz1", "fangyuan")
    # The 600-member committee up to the review of 请示②, this time at a 党员大会 (no 代表大会 asked for).
    w.on("2026-09-21").act(
        "fangyuan",
        "record_study",
        {
            "study_date": "2026-09-21",
            "meeting_kind": "委员会会议",
            "full_members": 600,
            "probationary_members": 12,
            "on_time": True,
            "summary": "按期换届。",
        },
    )
    w.act("fangyuan", "submit_request1", {**REQUEST1_BASE, "congress": False})
    w.act("wangjianguo", "forward_request1")
    w.act("zhaozhigang", "approve_request1", {"reply_number": "郑教工委〔2026〕70号"})
    assert w.state == "nominating"  # no 党员代表大会 asked for: the 党员大会 path
    w.on("2026-10-12").act("fangyuan", "record_nomination", NOMINATION)
    w.on("2026-10-19").act("fangyuan", "submit_request2", REQUEST2_CONGRESS)
    assert w.state == "review_request2"
    with pytest.raises(InvalidAction):
        w.act("wangjianguo", "forward_request2")
    # An opinion naming one candidate with 有意见 must give the reasons.
    opinions = [{"name": c["name"], "view": "无意见"} for c in REQUEST2_CONGRESS["candidates"]]
    opinions[8] = {"name": opinions[8]["name"], "view": "有意见"}
    with pytest.raises(CheckFailed) as err:
        w.sign("lijian", {"opinions": opinions})
    assert err.value.failures[0].field == "opinions[8].reasons"
    opinions[8]["reasons"] = "有群众反映的问题尚在核实"
    w.sign("lijian", {"opinions": opinions})
    w.act("wangjianguo", "forward_request2", {"opinion": "人选符合条件。"})
    assert w.state == "decide_request2"


def test_a_congress_of_delegates_for_six_hundred_members(city: Org, clock: Clock) -> None:
    services = city.services

    def slips(action: str, w: Walk) -> None:
        # The delegates are the voters: 120 were elected, 119 confirmed by the 代表资格审查.
        with pytest.raises(CheckFailed) as err:
            w.act("fangyuan", "record_vote", {**VOTE_CONGRESS, "entitled": 120})
        assert [f.check for f in err.value.failures] == ["voters_within_membership"]
        assert "经资格审查确认有效的代表 119 名" in err.value.failures[0].reason

    w = reelect_by_congress(services, city, clock, slips)
    data = w.instance.data
    assert sum(u["delegates"] for u in data["record_delegates"]["electing_units"]) == 120
    assert data["record_credentials"]["confirmed"] == CREDENTIALS["confirmed"]
    assert data["record_vote"]["entitled"] == VOTE_CONGRESS["entitled"]
    assert city.term("zz1") == (dt.date(2026, 11, 10), dt.date(2031, 11, 9))


def test_congress_refusals(city: Org, clock: Clock) -> None:
    """Delegates as voters: 应到会 above the confirmed delegates is refused; a congress for a small
    organization is refused; the electing_units' delegates must add up to the approved number."""
    services = city.services
    w = Walk.start(services, city, clock, "branch_election", "zz9", "zhouhua")
    w.on("2026-09-21").act(
        "zhouhua",
        "record_study",
        {
            "study_date": "2026-09-21",
            "meeting_kind": "委员会会议",
            "full_members": 112,
            "probationary_members": 3,
            "on_time": True,
            "summary": "按期换届。",
        },
    )
    with pytest.raises(CheckFailed) as err:
        w.act(
            "zhouhua",
            "submit_request1",
            {
                **REQUEST1_BASE,
                "discipline_size": 3,
                "discipline_candidate_count": 4,
                "congress": True,
                "delegate_count": 100,
            },
        )
    assert [f.check for f in err.value.failures] == ["congress_allowed"]
    assert "本组织正式党员 112 名" in err.value.failures[0].reason
    with pytest.raises(CheckFailed) as err:
        w.act("zhouhua", "submit_request1", REQUEST1_BASE)
    assert [(f.check, f.field) for f in err.value.failures] == [
        ("discipline_committee_sizes", "discipline_size")
    ]

    big = Walk.start(services, city, clock, "branch_election", "zz1", "fangyuan")
    big.act(
        "fangyuan",
        "record_study",
        {
            "study_date": "2026-09-21",
            "meeting_kind": "委员会会议",
            "full_members": 600,
            "probationary_members": 12,
            "on_time": True,
            "summary": "按期换届。",
        },
    )
    big.act("fangyuan", "submit_request1", {**REQUEST1_BASE, "congress": True, "delegate_count": 120})
    big.act("wangjianguo", "forward_request1")
    big.act(
        "zhaozhigang", "approve_request1", {"reply_number": "郑教工委〔2026〕71号", "congress_approved": True}
    )
    assert big.state == "electing_delegates"
    with pytest.raises(CheckFailed) as err:
        big.act("fangyuan", "record_delegates", {"electing_units": UNITS[:2]})
    assert "上级批准代表名额 120 名，各选举单位共选出 96 名" in err.value.failures[0].reason


def test_a_request_on_version_2_goes_on_after_version_3_is_deployed(
    make_services: Callable[..., Services], clock: Clock, tmp_path: Path
) -> None:
    """Started under version 2, a request keeps it: the handler's own 党风廉政意见 field, no countersign to
    wait for, and 批复② cites the opinion all the same."""
    old = tmp_path / "v2"
    old.mkdir()
    (old / "branch_election.yaml").write_text(
        (ROOT / "tests" / "fixtures" / "legacy" / "branch_election_v2.yaml").read_text(encoding="utf-8")
    )
    clock.now = china_noon("2026-09-21")
    first = make_services(old)
    city = build_city(first, clock.now)
    w = Walk.start(first, city, clock, "branch_election", "g2", "majun")
    w.act(
        "majun",
        "record_study",
        {
            "study_date": "2026-09-21",
            "meeting_kind": "委员会会议",
            "full_members": 11,
            "probationary_members": 2,
            "on_time": True,
            "summary": "按期换届。",
        },
    )
    first.close()

    second = make_services(SHIPPED_WORKFLOWS)
    assert second.catalog.latest("branch_election").version == 3
    city.services = second
    w = Walk(second, city, clock, second.flow.get(w.instance.id, city.users["majun"]))
    assert w.instance.definition_version == 2
    w.act("majun", "submit_request1", REQUEST1)
    w.act("hexiaoli", "forward_request1")
    w.act("liweidong", "approve_request1", {"reply_number": "三十一中党〔2026〕18号"})
    w.on("2026-10-12").act("majun", "record_nomination", {**V2_NOMINATION})
    w.act("majun", "submit_request2", V2_REQUEST2)  # version 2 has no 公示 rule: sent the same day
    w.act("hexiaoli", "forward_request2", {"integrity_opinion": "经征求校纪委意见，6名人选无廉政问题。"})
    w.act("liweidong", "approve_request2", {"reply_number": "三十一中党〔2026〕23号"})
    assert (w.instance.definition_version, w.state) == (2, "election_meeting")
    [reply2] = [d for d in docs_of(city, w) if d.name == "reply2"]
    assert "收悉。经研究并征求纪检部门意见，批复如下：" in "".join(text_of(city, reply2))
