"""延期换届 end to end: a shift over a year is refused; an approved postponement moves the term end that the
term watch and the re-election's 请示① read; a refusal changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from flowengine.errors import CheckFailed
from flowengine.service import Services
from tests.support import Clock
from tests.support.city import Org, Walk, build_city, china_noon
from tests.support.paths import SHIPPED_WORKFLOWS

REASONS = "学校2026年下半年整体搬迁至新校区，高二年级党员分散在两个校区，难以按期召开党员大会，拟待搬迁完成后进行换届。"


@pytest.fixture
def city(make_services: Callable[..., Services], clock: Clock) -> Org:
    clock.now = china_noon("2026-09-21")
    return build_city(make_services(SHIPPED_WORKFLOWS), clock.now)


def test_approved_postponement_moves_the_term_end(city: Org, clock: Clock) -> None:
    services = city.services
    w = Walk.start(services, city, clock, "election_postponement", "g2", "majun")
    [submit, _] = w.actions("majun")
    assert submit.prefill["current_term_end"] == "2026-11-27"
    request = {
        "document_number": "三十一中高二支〔2026〕6号",
        "kind": "postpone",
        "current_term_end": "2026-11-27",
        "new_term_end": "2027-12-20",
        "reasons": REASONS,
    }
    with pytest.raises(CheckFailed) as err:
        w.act("majun", "submit_request", request)
    [failure] = err.value.failures
    assert failure.field == "new_term_end"
    assert failure.reason == (
        "延长期限一般不超过1年（条例第三条）：本届任期应于2026年11月27日届满，延期后最晚为2027年11月27日。"
    )
    w.act("majun", "submit_request", {**request, "new_term_end": "2027-03-31"})
    w.on("2026-09-23").act("hexiaoli", "forward", {"opinion": "理由充分，建议同意延期至2027年3月底。"})
    w.on("2026-09-24").act("liweidong", "approve", {"reply_number": "三十一中党〔2026〕19号"}, "同意")
    assert w.instance.status == "completed"
    assert city.term("g2") == (dt.date(2023, 11, 28), dt.date(2027, 3, 31))
    [update] = [e for e in services.flow.trail(w.instance.id, city.users["sunli"]) if e.kind == "org_update"]
    assert update.data is not None and update.data["changes"] == {
        "term_end": {"from": "2026-11-27", "to": "2027-03-31"}
    }
    assert update.actor_name == "李卫东" and update.action == "approve"

    # The re-election now plans against the moved term end: February 2027 is within it.
    e = Walk.start(services, city, clock, "branch_election", "g2", "majun")
    e.act(
        "majun",
        "record_study",
        {
            "study_date": "2026-09-24",
            "meeting_kind": "委员会会议",
            "full_members": 11,
            "probationary_members": 2,
            "on_time": False,
            "summary": "经批准延期换届。",
        },
    )
    [submit1, _] = e.actions("majun")
    assert submit1.prefill["current_term_end"] == "2027-03-31"
    e.act(
        "majun",
        "submit_request1",
        {
            "current_term_start": "2023-11-28",
            "current_term_end": "2027-03-31",
            "planned_month": "2027-02",
            "agenda": "选举产生新一届支部委员会",
            "committee_size": 3,
            "secretary_count": 1,
            "deputy_count": 0,
            "candidate_count": 4,
            "election_method": "差额选举，无记名投票。",
        },
    )
    assert e.state == "review_request1"

    # A second postponement cannot stack another year on the first: the limit counts from the regular end.
    w2 = Walk.start(services, city, clock, "election_postponement", "g2", "majun")
    with pytest.raises(CheckFailed) as err:
        w2.act(
            "majun",
            "submit_request",
            {**request, "current_term_end": "2027-03-31", "new_term_end": "2028-03-31"},
        )
    assert "最晚为2027年11月27日" in err.value.failures[0].reason


def test_refused_postponement_keeps_the_term(city: Org, clock: Clock) -> None:
    w = Walk.start(city.services, city, clock, "election_postponement", "zyl", "caoxue")
    w.act(
        "caoxue",
        "submit_request",
        {
            "kind": "postpone",
            "current_term_end": "2026-12-11",
            "new_term_end": "2027-06-30",
            "reasons": REASONS,
        },
    )
    w.act("wangjianguo", "forward")
    w.act("zhaozhigang", "refuse", comment="支部党员集中，具备按期换届条件，应按期换届。")
    assert (w.state, w.instance.status) == ("refused", "rejected")
    assert city.term("zyl") == (dt.date(2023, 12, 12), dt.date(2026, 12, 11))
