"""三重一大 end to end: a cadre appointment whose first meeting lacks the two-thirds quorum and is
rescheduled, then decided candidate by candidate with a member withdrawing, filed with the superior,
implemented; and a 大额资金 item voted down."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from flowengine.errors import CheckFailed
from flowengine.service import Services
from tests.support import Clock
from tests.support.city import Org, Walk, build_city, china_noon
from tests.support.paths import SHIPPED_WORKFLOWS

APPOINTMENT: dict[str, Any] = {
    "category": "cadre_appointment",
    "subject": "关于教务处、德育处中层干部任免的议题",
    "content": "根据学校工作需要，经民主推荐、考察，拟任命张丽华同志为教务处主任，刘建军同志为德育处副主任。",
    "items": [
        {"item": "张丽华", "detail": "拟任教务处主任"},
        {"item": "刘建军", "detail": "拟任德育处副主任"},
    ],
    "investigation": "组织委员牵头，在教务处、德育处范围内民主推荐，对两名人选进行了考察谈话，征求了校纪委意见。",
}

OPINIONS = [
    {"name": "何晓丽", "view": "同意两名同志的任职安排。"},
    {"name": "李卫东", "view": "同意，建议加强对新任干部的培养。"},
    {"name": "吴建平", "view": "同意。"},
    {"name": "孙海燕", "view": "同意。"},
    {"name": "杨帆", "view": "同意，按程序办理任职手续。"},
]


@pytest.fixture
def city(make_services: Callable[..., Services], clock: Clock) -> Org:
    clock.now = china_noon("2026-09-21")
    return build_city(make_services(SHIPPED_WORKFLOWS), clock.now)


def test_cadre_appointment_with_failed_quorum_then_decided_and_filed(city: Org, clock: Clock) -> None:
    services = city.services
    w = Walk.start(services, city, clock, "major_decision", "zz31", "hexiaoli")
    with pytest.raises(CheckFailed) as err:
        w.act("hexiaoli", "submit_proposal", {**APPOINTMENT, "investigation": ""})
    assert err.value.failures[0].field == "investigation"
    w.act("hexiaoli", "submit_proposal", APPOINTMENT)
    assert w.state == "leader_agreement"
    w.act("liweidong", "agree_topic", {"opinion": "同意提交党委会研究。"})

    # The 书记 fixes the topic after talking it through with the principal, papers out the day before.
    w.act(
        "yangfan",
        "fix_topic",
        {
            "meeting_date": "2026-09-24",
            "papers_sent_on": "2026-09-23",
            "principal_consulted": True,
            "major_disagreement": False,
            "notes": "会前与校长沟通，意见一致。",
        },
    )
    assert w.state == "meeting"

    # Four of seven members present: not two thirds, so no appointment can be decided. Reschedule.
    [record, _postpone] = w.actions("yangfan")
    assert record.prefill["votes"] == [{"item": "张丽华"}, {"item": "刘建军"}]
    meeting = {
        "meeting_date": "2026-09-24",
        "chair": "杨帆",
        "entitled": 7,
        "present": 4,
        "absent": [
            {"name": "吴建平", "reason": "外出培训", "written_opinion": "同意"},
            {"name": "孙海燕", "reason": "病假"},
            {"name": "周立群", "reason": "公出"},
        ],
        "opinions": OPINIONS[:2] + OPINIONS[4:],
        "votes": [{"item": "张丽华", "yes": 4}, {"item": "刘建军", "yes": 4}],
        "decision": "同意任命张丽华为教务处主任、刘建军为德育处副主任。",
    }
    w.on("2026-09-24")
    with pytest.raises(CheckFailed) as err:
        w.act("yangfan", "record_meeting", meeting)
    [failure] = err.value.failures
    assert (failure.check, failure.field) == ("meeting_quorum", "present")
    assert "不少于应到会 7 人的三分之二，即至少 5 人" in failure.reason
    w.act("yangfan", "postpone_meeting", comment="到会人数不足三分之二，会议改期。")
    assert w.state == "topic_setting"
    w.act(
        "yangfan",
        "fix_topic",
        {
            "meeting_date": "2026-09-29",
            "papers_sent_on": "2026-09-28",
            "principal_consulted": True,
            "major_disagreement": False,
        },
    )

    # Six present; 王志强 withdraws from the item concerning his relative, so 5 vote on it.
    held = {
        **meeting,
        "meeting_date": "2026-09-29",
        "present": 6,
        "absent": [{"name": "周立群", "reason": "公出", "written_opinion": "同意"}],
        "withdrawn": [{"name": "王志强", "item": "刘建军", "reason": "与人选系亲属关系"}],
        "opinions": OPINIONS,
        "votes": [{"item": "张丽华", "yes": 6}, {"item": "刘建军", "yes": 5, "against": 1}],
    }
    w.on("2026-09-29")
    with pytest.raises(CheckFailed) as err:  # the withdrawn member's vote cannot be counted
        w.act("yangfan", "record_meeting", held)
    assert [(f.check, f.field) for f in err.value.failures] == [("votes_within_present", "votes[1]")]
    with pytest.raises(CheckFailed) as err:  # the chair speaks last
        w.act(
            "yangfan",
            "record_meeting",
            {
                **held,
                "votes": [{"item": "张丽华", "yes": 6}, {"item": "刘建军", "yes": 5}],
                "opinions": [OPINIONS[4], *OPINIONS[:4]],
            },
        )
    assert [f.check for f in err.value.failures] == ["chair_speaks_last"]
    w.act(
        "yangfan",
        "record_meeting",
        {**held, "votes": [{"item": "张丽华", "yes": 6}, {"item": "刘建军", "yes": 5}]},
    )
    assert w.state == "minutes"

    # Cadre appointments are filed with the superior (configurable categories).
    w.act(
        "yangfan",
        "issue_minutes",
        {
            "minutes_number": "三十一中党委会纪要〔2026〕14号",
            "responsible": "何晓丽",
            "due_date": "2026-10-16",
        },
    )
    assert w.state == "filing"
    [task] = w.instance.open_tasks
    assert task.assigned_org_name == "中共郑州市委教育工作委员会" and task.role == "handler"
    w.act("wangjianguo", "acknowledge_filing", {"opinion": "程序规范，予以备案。"})
    w.on("2026-10-15").act(
        "yangfan",
        "report_result",
        {"completed_on": "2026-10-15", "result": "已印发任职通知，两名同志到岗履职。"},
    )
    assert (w.state, w.instance.status) == ("completed", "completed")


def test_large_fund_below_threshold_refused_and_vote_down_ends_it(city: Org, clock: Clock) -> None:
    purchase = {
        "category": "large_fund",
        "subject": "关于采购高二物理实验室设备的议题",
        "content": "更新高二物理分组实验设备40套。",
        "amount": 38000,
        "items": [{"item": "采购高二物理实验室设备", "detail": "预算38万元，公开招标"}],
        "involves_contract": True,
        "investigation": "教务处、总务处实地调研，比较了三家供应商方案。",
        "risk_assessment": "资金来源为年度预算，风险可控。",
    }
    w = Walk.start(city.services, city, clock, "major_decision", "zz31", "hexiaoli")
    with pytest.raises(CheckFailed) as err:
        w.act("hexiaoli", "submit_proposal", purchase)
    assert {f.check: f.field for f in err.value.failures} == {
        "opinions_required": "legal_opinion",
        "large_fund_threshold": "amount",
    }
    assert "低于本单位大额资金标准（5万元）" in err.value.failures[1].reason
    w.act(
        "hexiaoli",
        "submit_proposal",
        {**purchase, "amount": 380000, "legal_opinion": "法律顾问审核了采购合同文本，无法律风险。"},
    )
    w.act("liweidong", "agree_topic")
    w.act(
        "yangfan",
        "fix_topic",
        {"meeting_date": "2026-09-23", "papers_sent_on": "2026-09-22", "principal_consulted": True},
    )
    w.on("2026-09-23").act(
        "yangfan",
        "record_meeting",
        {
            "meeting_date": "2026-09-23",
            "chair": "杨帆",
            "entitled": 7,
            "present": 7,
            "opinions": [
                {"name": "李卫东", "view": "建议缓议，先论证设备选型。"},
                {"name": "杨帆", "view": "同意缓议。"},
            ],
            "votes": [{"item": "采购高二物理实验室设备", "yes": 3, "against": 4}],
            "decision": "采购高二物理实验室设备事项赞成票未过半数，未获通过，待进一步论证后再议。",
        },
    )
    assert (w.state, w.instance.status) == ("not_adopted", "rejected")


def test_the_large_fund_threshold_is_set_per_organization(city: Org, clock: Clock) -> None:
    """The 一〇三中 general branch counts 2万元 as 大额; the same 3.8万元 item is refused at 三十一中."""
    purchase = {
        "category": "large_fund",
        "subject": "关于更新图书馆借阅系统的议题",
        "content": "更新借阅系统软件。",
        "amount": 38000,
        "items": [{"item": "更新图书馆借阅系统"}],
        "investigation": "信息中心调研了三家产品。",
        "risk_assessment": "资金来源为年度预算，风险可控。",
    }
    w = Walk.start(city.services, city, clock, "major_decision", "zz103", "gaoyan")
    w.act("gaoyan", "submit_proposal", purchase)
    assert w.state == "leader_agreement"
    other = Walk.start(city.services, city, clock, "major_decision", "zz31", "hexiaoli")
    with pytest.raises(CheckFailed) as err:
        other.act("hexiaoli", "submit_proposal", purchase)
    assert [f.check for f in err.value.failures] == ["large_fund_threshold"]
