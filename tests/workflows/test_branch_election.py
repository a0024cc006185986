"""两请示一报告三批复 end to end through the service API, with a return, a refused slip and a 另行选举 loop;
and the no-committee variant, where a 书记 candidate who fails sends the branch back to nomination."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from flowengine.errors import CheckFailed, InvalidAction
from flowengine.persistence.models import AuditEvent, Task
from flowengine.service import Services, audit
from tests.support import Clock
from tests.support.city import CANDIDATES, REQUEST1, Org, Walk, build_city, china_noon
from tests.support.paths import SHIPPED_WORKFLOWS


@pytest.fixture
def city(make_services: Callable[..., Services], clock: Clock) -> Org:
    clock.now = china_noon("2026-09-21")
    return build_city(make_services(SHIPPED_WORKFLOWS), clock.now)


def test_branch_with_committee_through_return_and_another_vote(city: Org, clock: Clock) -> None:
    services = city.services
    w = Walk.start(services, city, clock, "branch_election", "g2", "majun")
    assert w.state == "study"

    # 1. The committee studies the re-election (11 full members: a committee is required).
    w.on("2026-09-21").act(
        "majun",
        "record_study",
        {
            "study_date": "2026-09-21",
            "meeting_kind": "委员会会议",
            "full_members": 11,
            "probationary_members": 2,
            "on_time": True,
            "summary": "支部委员会研究，拟于2026年11月按期换届，新一届支部委员会设委员5名，其中书记1名、副书记1名。",
        },
    )
    assert w.state == "drafting_request1"
    [submit] = w.actions("majun")[:1]
    assert submit.name == "submit_request1"
    assert submit.prefill["current_term_end"] == "2026-11-27"

    # 2. 请示①: four candidates for five seats is refused before it reaches the superior, with the reason.
    with pytest.raises(CheckFailed) as err:
        w.act("majun", "submit_request1", {**REQUEST1, "candidate_count": 5}, "当否，请批示。")
    [failure] = err.value.failures
    assert failure.field == "candidate_count" and "至少 6 名" in failure.reason
    w.act("majun", "submit_request1", REQUEST1, "当否，请批示。")
    assert w.state == "review_request1"
    [task] = w.instance.open_tasks
    assert task.assigned_org_name == "中共郑州市第三十一中学委员会" and task.role == "handler"
    # Opened Monday 2026-09-21: 10 working days, skipping 中秋 (09-25) and National Day (10-01..07).
    assert task.due_at is not None and task.due_at.date() == dt.date(2026, 10, 12)

    # 3. The handler returns it; the secretary sees the reasons where the request is redone.
    w.on("2026-09-22").act(
        "hexiaoli", "return_request1", comment="请在选举办法中写明实行无记名投票，并注明差额比例。"
    )
    assert w.state == "drafting_request1"
    [again, _withdraw] = w.actions("majun")
    assert again.name == "submit_request1" and again.prefill["candidate_count"] == 6
    assert again.returned is not None and again.returned.actor_name == "何晓丽"
    assert "无记名投票" in (again.returned.comment or "")
    w.act("majun", "submit_request1", REQUEST1, "已按要求修改，当否，请批示。")
    assert [a.name for a in w.actions("majun")] == ["withdraw"]  # still possible before the review acts
    w.on("2026-09-23").act("hexiaoli", "forward_request1", {"opinion": "换届时间、名额和选举办法符合规定。"})
    with pytest.raises(InvalidAction):
        w.act("majun", "withdraw")
    w.on("2026-09-24").act(
        "liweidong",
        "approve_request1",
        {"reply_number": "三十一中党〔2026〕18号", "opinion": "同意按期召开党员大会进行换届选举。"},
        "同意",
    )
    assert w.state == "nominating"

    # 4. Nomination, with 公示 over five working days around National Day (10-10 is a make-up Saturday).
    w.on("2026-10-12").act(
        "majun",
        "record_nomination",
        {
            "recommendation_date": "2026-09-28",
            "recommenders": 11,
            "recommendation": "全体正式党员以无记名方式推荐，按得票多少提出初步人选7名。",
            "deliberation": "支部委员会三次酝酿，征求了年级组党外教师意见，确定预备人选6名。",
            "inspection": "校党委组织委员会同支部对6名人选进行了考察，均符合条件。",
            "publicity": True,
            "publicity_start": "2026-09-29",
            "publicity_end": "2026-10-10",
        },
    )
    assert w.state == "drafting_request2"

    # 5. 请示②: the tally sheet later starts from this list, in ballot order.
    request2 = {
        "document_number": "三十一中高二支〔2026〕7号",
        "full_members": 11,
        "probationary_members": 2,
        "process": "经民主推荐、三次酝酿、征求党外群众意见和考察，确定委员候选人预备人选6名。",
        "candidates": CANDIDATES,
        "secretary_candidate": "马骏",
        "deputy_candidates": [{"name": "吴敏"}],
    }
    with pytest.raises(CheckFailed) as err:
        w.act(
            "majun",
            "submit_request2",
            {**request2, "candidates": [CANDIDATES[1], CANDIDATES[0], *CANDIDATES[2:]]},
        )
    assert "马骏、王志强、刘建军、吴敏、张丽华、郑书华" in err.value.failures[0].reason
    w.act("majun", "submit_request2", request2, "当否，请批示。")
    w.on("2026-10-13").integrity("wangqing")
    w.act("hexiaoli", "forward_request2", {"opinion": "人选符合条件。"})
    w.on("2026-10-14").act(
        "liweidong", "approve_request2", {"reply_number": "三十一中党〔2026〕23号"}, "同意"
    )
    assert w.state == "election_meeting"

    # 6. The 党员大会: 10 of 11 present. 刘建军 has exactly half the votes, so only four are elected.
    [record] = w.actions("majun")
    assert record.prefill["votes"] == [{"name": c["name"]} for c in CANDIDATES]
    assert record.prefill["entitled"] == 11
    yes = {"马骏": 9, "王志强": 8, "刘建军": 5, "吴敏": 8, "张丽华": 6, "郑书华": 3}
    vote = {
        "meeting_date": "2026-11-10",
        "entitled": 11,
        "present": 10,
        "ballots_issued": 10,
        "ballots_returned": 10,
        "invalid_ballots": 0,
        "votes": [{"name": n, "yes": yes[n], "against": 10 - yes[n]} for n in yes],
        "elected": [{"name": n} for n in ("马骏", "王志强", "吴敏", "张丽华", "刘建军")],
    }
    w.on("2026-11-10")
    with pytest.raises(CheckFailed) as err:
        w.act("majun", "record_vote", vote)
    assert [(f.check, f.field) for f in err.value.failures] == [("elected_have_majority", "elected[4].name")]
    assert "未超过实到会有选举权人数（10 人）的半数" in err.value.failures[0].reason
    with pytest.raises(CheckFailed) as err:
        w.act("majun", "record_vote", {**vote, "present": 8, "ballots_issued": 8, "ballots_returned": 8})
    assert err.value.failures[0].check == "quorum" and "至少 9 人" in err.value.failures[0].reason
    w.act("majun", "record_vote", {**vote, "elected": vote["elected"][:4]})
    assert w.state == "additional_vote"

    # 7. 另行选举 for the fifth seat between the two unelected candidates; the loop then leaves.
    extra = {
        "present": 10,
        "ballots_issued": 10,
        "ballots_returned": 10,
        "invalid_ballots": 0,
        "votes": [{"name": "刘建军", "yes": 7}, {"name": "郑书华", "yes": 3}],
        "elected": [{"name": "刘建军"}],
    }
    with pytest.raises(CheckFailed) as err:
        w.act("majun", "record_additional_vote", {**extra, "votes": [{"name": "刘建军", "yes": 7}]})
    assert "至少 2 名" in err.value.failures[0].reason
    w.act("majun", "record_additional_vote", extra)
    assert w.state == "first_meeting"

    # 8. The new committee's first meeting elects the 书记 and 副书记 the superior approved.
    first = {
        "meeting_date": "2026-11-10",
        "chair": "王志强",
        "present": 5,
        "secretary": "马骏",
        "secretary_yes": 5,
        "deputies": [{"name": "吴敏", "yes": 4}],
        "duties": [
            {"name": "马骏", "duty": "书记"},
            {"name": "吴敏", "duty": "副书记"},
            {"name": "王志强", "duty": "组织委员"},
            {"name": "张丽华", "duty": "宣传委员"},
            {"name": "刘建军", "duty": "纪检委员"},
        ],
    }
    with pytest.raises(CheckFailed) as err:
        w.act("majun", "record_first_meeting", {**first, "deputies": [{"name": "郑书华", "yes": 4}]})
    assert {f.check for f in err.value.failures} >= {"leaders_among_elected", "leaders_among_approved"}
    w.act("majun", "record_first_meeting", first)
    assert w.state == "reporting"
    [task] = w.instance.open_tasks
    assert task.due_at is not None and task.due_at.date() == dt.date(2026, 11, 17)  # 5 working days

    # 9. 报告 and 批复③: the new term starts on the day of the 党员大会.
    w.on("2026-11-12").act(
        "majun",
        "submit_report",
        {
            "document_number": "三十一中高二支〔2026〕9号",
            "course": "2026年11月10日召开党员大会，应到11人，实到10人；发出选票10张，收回10张，均有效。第一轮选举马骏、王志强、"
            "吴敏、张丽华当选，对不足的1个名额另行选举，刘建军当选。新一届支部委员会第一次全体会议选举马骏为书记、吴敏为副书记。",
        },
    )
    w.on("2026-11-13").act("hexiaoli", "forward_report", {"opinion": "选举程序符合规定。"})
    w.on("2026-11-16").act(
        "liweidong",
        "approve_report",
        {"reply_number": "三十一中党〔2026〕31号", "opinion": "同意马骏任书记、吴敏任副书记；委员名单备案。"},
        "同意",
    )
    assert (w.state, w.instance.status) == ("completed", "completed")
    assert city.term("g2") == (dt.date(2026, 11, 10), dt.date(2029, 11, 9))

    trail = services.flow.trail(w.instance.id, city.users["sunli"])
    assert [e.action for e in trail if e.action and e.action.startswith("record_")] == [
        "record_study",
        "record_nomination",
        "record_vote",
        "record_additional_vote",
        "record_first_meeting",
    ]
    [update] = [e for e in trail if e.kind == "org_update"]
    assert update.data == {
        "effect": "start_new_term",
        "org_id": city.orgs["g2"],
        "changes": {
            "term_start": {"from": "2023-11-28", "to": "2026-11-10"},
            "term_end": {"from": "2026-11-27", "to": "2029-11-09"},
        },
    }
    assert "2029年11月9日" in (update.comment or "")
    prev = audit.GENESIS
    for e in trail:  # the organization update is chained like every other event
        assert e.hash != prev
        prev = e.hash


def test_branch_without_committee_elects_its_secretary_directly(city: Org, clock: Clock) -> None:
    services = city.services
    w = Walk.start(services, city, clock, "branch_election", "zyl", "caoxue")
    w.on("2026-09-21").act(
        "caoxue",
        "record_study",
        {
            "study_date": "2026-09-18",
            "meeting_kind": "党员大会",
            "full_members": 5,
            "probationary_members": 1,
            "on_time": True,
            "summary": "支部正式党员5人，不设支部委员会，由党员大会选举书记1名，不设副书记。",
        },
    )
    assert w.state == "drafting_request1_nc"
    assert [a.name for a in w.actions("caoxue")] == ["submit_request1_nc", "withdraw"]
    w.act(
        "caoxue",
        "submit_request1_nc",
        {
            "current_term_start": "2023-12-12",
            "current_term_end": "2026-12-11",
            "planned_month": "2026-12",
            "agenda": "听取和审查支部书记工作报告；选举支部书记",
            "deputy_count": 0,
            "election_method": "支部正式党员不足7人，不设支部委员会，由党员大会以无记名投票方式选举书记。",
        },
    )
    [task] = w.instance.open_tasks
    assert task.assigned_org_name == "中共郑州市委教育工作委员会"
    w.on("2026-09-22").act("wangjianguo", "forward_request1")
    w.on("2026-09-23").act(
        "zhaozhigang", "approve_request1", {"reply_number": "郑教工委〔2026〕41号"}, "同意"
    )

    def nominate_and_approve(candidate: dict[str, Any], reply: str) -> None:
        w.act(
            "caoxue",
            "record_nomination",
            {
                "recommendation_date": "2026-09-24",
                "recommenders": 5,
                "recommendation": "全体正式党员推荐。",
                "deliberation": "征求了党外教师意见。",
                "inspection": "经考察符合条件。",
                "publicity": False,
            },
        )
        assert w.state == "drafting_request2_nc"
        w.act(
            "caoxue",
            "submit_request2_nc",
            {
                "full_members": 5,
                "probationary_members": 1,
                "process": "经民主推荐、酝酿和考察提出书记候选人。",
                "candidates": [candidate],
            },
        )
        w.integrity("lijian")
        w.act("wangjianguo", "forward_request2")
        w.act("zhaozhigang", "approve_request2", {"reply_number": reply}, "同意")
        assert w.state == "election_meeting_nc"

    cao = {
        "post": "书记",
        "name": "曹雪",
        "gender": "女",
        "birth_year": 1983,
        "education": "大学本科",
        "post_held": "副校长",
        "joined_party": "2005-06-30",
    }
    w.on("2026-09-24")
    nominate_and_approve(cao, "郑教工委〔2026〕47号")
    [record] = w.actions("caoxue")
    assert record.prefill["votes"] == [{"post": "书记", "name": "曹雪"}]
    ballot = {
        "meeting_date": "2026-10-09",
        "entitled": 5,
        "present": 5,
        "ballots_issued": 5,
        "ballots_returned": 5,
        "invalid_ballots": 0,
    }
    # Returned ballots above those issued void the vote: it must be held again.
    w.on("2026-10-09")
    with pytest.raises(CheckFailed) as err:
        w.act(
            "caoxue",
            "record_secretary_vote",
            {**ballot, "ballots_returned": 6, "votes": [{"post": "书记", "name": "曹雪", "yes": 4}]},
        )
    assert "应当重新进行选举" in err.value.failures[0].reason
    # The candidate gets only half the votes of those present: nominate again, with the superior's consent.
    w.act(
        "caoxue",
        "record_secretary_vote",
        {**ballot, "present": 5, "votes": [{"post": "书记", "name": "曹雪", "yes": 2, "against": 3}]},
    )
    assert w.state == "nominating"
    deng = {**cao, "name": "邓宇", "post_held": "教务主任", "birth_year": 1986, "joined_party": "2009-11-02"}
    w.on("2026-10-20")
    nominate_and_approve(deng, "郑教工委〔2026〕52号")
    w.on("2026-10-28").act(
        "caoxue",
        "record_secretary_vote",
        {**ballot, "meeting_date": "2026-10-28", "votes": [{"post": "书记", "name": "邓宇", "yes": 5}]},
    )
    assert w.state == "reporting"
    w.act("caoxue", "submit_report", {"course": "党员大会应到5人，实到5人，邓宇以5票当选支部书记。"})
    w.act("wangjianguo", "forward_report")
    w.act("zhaozhigang", "approve_report", {"reply_number": "郑教工委〔2026〕60号"}, "同意")
    assert w.instance.status == "completed"
    assert city.term("zyl") == (dt.date(2026, 10, 28), dt.date(2029, 10, 27))


def test_secretary_can_withdraw_only_before_the_first_review(city: Org, clock: Clock) -> None:
    services = city.services
    w = Walk.start(services, city, clock, "branch_election", "zz103", "gaoyan")
    w.act(
        "gaoyan",
        "record_study",
        {
            "study_date": "2026-09-21",
            "meeting_kind": "委员会会议",
            "full_members": 52,
            "probationary_members": 0,
            "on_time": False,
            "summary": "总支委员会任期已届满，尽快换届。",
        },
    )
    # The term ended in June: a meeting planned after it needs a 延期 approved first.
    with pytest.raises(CheckFailed) as err:
        w.act(
            "gaoyan",
            "submit_request1",
            {
                **REQUEST1,
                "current_term_start": "2023-06-30",
                "current_term_end": "2026-06-29",
                "committee_size": 7,
                "candidate_count": 9,
            },
        )
    assert [f.check for f in err.value.failures] == ["planned_month_within_term"]
    w.act("gaoyan", "withdraw")
    assert w.instance.status == "withdrawn"
    with services.db.read() as s:
        assert (
            s.scalars(select(Task).where(Task.instance_id == w.instance.id, Task.closed_at.is_(None))).all()
            == []
        )
        kinds = s.scalars(
            select(AuditEvent.kind).where(AuditEvent.instance_id == w.instance.id).order_by(AuditEvent.seq)
        ).all()
    assert kinds == ["start", "action", "withdraw"]
