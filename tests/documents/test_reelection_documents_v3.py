"""Every document of the two paths version 3 adds, opened as Word would open it: a 基层委员会 that re-elects its
纪律检查委员会 at the same 党员大会, and a 党员代表大会 of 600 members' delegates.

Each document is checked for its title, number, 主送 line, the numbers it must carry and the names in
姓氏笔画 order (the order is computed from a shuffled list, never typed), all from the data the steps
submitted; 批复② cites the 纪检 integrity opinion and 批复③ is copied to the 纪检 side.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from flowengine.engine.ballot_order import order_by_surname_strokes
from flowengine.service import Services
from tests.support import Clock
from tests.support.city import Org, china_noon
from tests.support.documents import cn, docs_of, head, issued, text_of
from tests.support.paths import SHIPPED_WORKFLOWS
from tests.support.reelection_v3 import (
    COMMITTEE,
    CONGRESS_YES,
    CREDENTIALS,
    DISCIPLINE,
    DISCIPLINE_EXTRA,
    DISCIPLINE_YES,
    GW,
    UNITS,
    VOTE_CONGRESS,
    VOTE_DISCIPLINE,
    YES,
    ZZ1,
    ZZ9,
    build,
    reelect_by_congress,
    reelect_with_discipline_committee,
)


@pytest.fixture
def city(make_services: Callable[..., Services], clock: Clock) -> Org:
    clock.now = china_noon("2026-09-21")
    return build(make_services(SHIPPED_WORKFLOWS), clock.now)


def stroke_order(names: list[str]) -> list[str]:
    """The names in 姓氏笔画 order, computed from a shuffled copy."""
    return order_by_surname_strokes(random.sample(names, len(names)))


def joined(names: list[str]) -> str:
    return "、".join(names)


def test_every_document_with_the_discipline_commission(city: Org, clock: Clock) -> None:
    w = reelect_with_discipline_committee(city.services, city, clock)
    docs = docs_of(city, w)
    assert [(d.name, d.number) for d in docs] == [
        ("request1", "九中党委〔2026〕1号"),
        ("reply1", "郑教工委〔2026〕61号"),
        ("request2", "九中党委〔2026〕2号"),
        ("reply2", "郑教工委〔2026〕66号"),
        ("report", "九中党委〔2026〕3号"),
        ("reply3", "郑教工委〔2026〕80号"),
    ]
    request1, reply1, request2, reply2, report, reply3 = (text_of(city, d) for d in docs)
    committee = stroke_order([c["name"] for c in COMMITTEE])
    discipline = stroke_order([c["name"] for c in DISCIPLINE])

    # 请示①: both bodies' sizes and margins, to the 工委.
    title = "关于召开党员大会进行换届选举的请示"
    assert head(request1, title) == (title, f"{GW}：") and request1[1].startswith("九中党委〔2026〕1号")
    body = "".join(request1)
    assert "新一届委员会拟由7名委员组成，其中书记1名、副书记1名。" in body
    assert "委员候选人预备人选9名，多于应选人数2名，差额比例为28.6%" in body
    assert (
        "新一届纪律检查委员会拟由3名委员组成，其中书记1名，不设副书记；纪委委员候选人预备人选4名，多于应选人数1名"
        in body
    )
    issued(request1, "2026-09-21")

    # 批复①: approves both.
    title = f"关于同意{ZZ9}召开党员大会进行换届选举的批复"
    assert head(reply1, title) == (title, f"{ZZ9}：")
    body = "".join(reply1)
    assert "（九中党委〔2026〕1号）收悉" in body
    assert "同意新一届纪律检查委员会由3名委员组成" in body
    assert "委员会委员候选人预备人选和纪律检查委员会委员候选人预备人选及时报我委审批" in body

    # 请示②: both slates in 姓氏笔画 order, with the 纪委书记 candidate and each biography.
    title = "关于委员会委员和纪律检查委员会委员候选人预备人选的请示"
    assert head(request2, title) == (title, f"{GW}：")
    body = "".join(request2)
    assert f"委员候选人预备人选为{joined(committee)}，共9名" in body
    assert f"纪委委员候选人预备人选为{joined(discipline)}，共4名，多于应选人数1名，差额比例为33.3%" in body
    assert "丁宁同志为纪委书记候选人预备人选" in body
    bios = [line.split("，")[0] for line in request2 if "年出生" in line]
    assert bios == committee + discipline

    # 批复②: cites the 纪检 opinion; approves both slates in order.
    title = f"关于{ZZ9}委员和纪律检查委员会委员候选人预备人选的批复"
    assert head(reply2, title) == (title, f"{ZZ9}：")
    body = "".join(reply2)
    assert "（九中党委〔2026〕2号）收悉。经研究并征求纪检部门意见，批复如下：" in body
    assert f"同意{joined(committee)}9名同志为你委新一届委员会委员候选人预备人选（按姓氏笔画为序）" in body
    assert f"同意{joined(discipline)}4名同志为你委新一届纪律检查委员会委员候选人预备人选" in body
    assert "新一届纪律检查委员会第一次全体会议等额选举产生纪委书记、副书记" in body

    # 报告: who could not vote and why, both ballots, the 纪委's 另行选举 and first meeting.
    title = "关于选举结果的报告"
    assert head(report, title) == (title, f"{GW}：")
    body = "".join(report)
    assert "（郑教工委〔2026〕66号），我委于2026年11月10日召开党员大会" in body
    assert (
        f"大会应到会有选举权的党员{VOTE_DISCIPLINE['entitled']}名，实到会{VOTE_DISCIPLINE['present']}名"
        in body
    )
    assert "某甲同志受留党察看处分，在留党察看期间" in body
    tally = "，".join(f"{n}{YES[n]}票" for n in committee)
    assert tally in body
    elected = [n for n in committee if YES[n] > 50]
    assert f"新一届委员会由{joined(elected)}7名同志组成" in body
    assert "当选人数少于应选名额" not in body  # the committee filled its seats in the first round
    assert "其中有效票98张、无效票2张" in body
    assert "，".join(f"{n}{DISCIPLINE_YES[n]}票" for n in discipline) in body
    assert "，".join(f"{n}{y}票" for n, y in DISCIPLINE_EXTRA.items()) + "，杜娟同志当选" in body
    members = [n for n in discipline if n != "宋佳"]
    assert f"新一届纪律检查委员会由{joined(members)}3名同志组成（按姓氏笔画为序）" in body
    assert "等额选举丁宁同志为纪委书记（得3票）" in body
    issued(report, "2026-11-12")

    # 批复③: both bodies, the 纪委书记 approved, copied to the 工委's 纪检 side.
    title = f"关于{ZZ9}换届选举结果的批复"
    assert head(reply3, title) == (title, f"{ZZ9}：")
    body = "".join(reply3)
    assert f"同意周华同志任{ZZ9}书记，王刚同志任副书记" in body
    assert f"新一届委员会由{joined(elected)}7名同志组成（按姓氏笔画为序），予以备案" in body
    assert "同意丁宁同志任你委纪律检查委员会书记" in body
    assert f"新一届纪律检查委员会由{joined(members)}3名同志组成（按姓氏笔画为序），予以备案" in body
    assert f"抄送：{GW}纪检部门。" in reply3
    assert (
        f"新一届委员会和纪律检查委员会任期5年，自{cn('2026-11-10')}起计算，至{cn('2031-11-09')}届满" in body
    )


def test_every_document_of_a_congress_of_delegates(city: Org, clock: Clock) -> None:
    w = reelect_by_congress(city.services, city, clock)
    docs = docs_of(city, w)
    assert [(d.name, d.number) for d in docs] == [
        ("request1", "一中党委〔2026〕1号"),
        ("reply1", "郑教工委〔2026〕62号"),
        ("request2", "一中党委〔2026〕2号"),
        ("reply2", "郑教工委〔2026〕67号"),
        ("report", "一中党委〔2026〕3号"),
        ("reply3", "郑教工委〔2026〕81号"),
    ]
    request1, reply1, request2, reply2, report, reply3 = (text_of(city, d) for d in docs)
    committee = stroke_order([c["name"] for c in COMMITTEE])

    title = "关于召开党员代表大会进行换届选举的请示"
    assert head(request1, title) == (title, f"{GW}：")
    body = "".join(request1)
    assert "本届委员会于2021年12月21日经党员大会选举产生" in body  # how the outgoing one was elected stays
    assert "拟于2026年11月召开党员代表大会，进行换届选举" in body
    assert "我委现有正式党员600名，拟召开党员代表大会进行选举，代表名额120名" in body

    title = f"关于同意{ZZ1}召开党员代表大会进行换届选举的批复"
    assert head(reply1, title) == (title, f"{ZZ1}：")
    body = "".join(reply1)
    assert "同意你委于2026年11月召开党员代表大会" in body
    assert "代表名额120名，由各选举单位党员大会差额选举产生，并在大会召开前进行代表资格审查" in body

    title = "关于委员会委员候选人预备人选的请示"
    assert head(request2, title) == (title, f"{GW}：")
    body = "".join(request2)
    assert "我委拟于2026年11月召开党员代表大会" in body
    assert f"委员候选人预备人选为{joined(committee)}，共9名" in body
    assert [line.split("，")[0] for line in request2 if "年出生" in line] == committee

    title = f"关于{ZZ1}委员候选人预备人选的批复"
    assert head(reply2, title) == (title, f"{ZZ1}：")
    body = "".join(reply2)
    assert "经研究并征求纪检部门意见，批复如下" in body
    assert "请你委按照规定召开党员代表大会" in body

    title = "关于选举结果的报告"
    assert head(report, title) == (title, f"{GW}：")
    body = "".join(report)
    delegates = sum(u["delegates"] for u in UNITS)
    assert f"出席大会的代表由{len(UNITS)}个选举单位党员大会选举产生，共{delegates}名" in body
    assert f"{CREDENTIALS['confirmed']}名代表资格有效，1名代表资格未予确认：某乙（选举前已调离本单位" in body
    assert f"大会应到会代表{VOTE_CONGRESS['entitled']}名，实到会{VOTE_CONGRESS['present']}名" in body
    assert "，".join(f"{n}{CONGRESS_YES[n]}票" for n in committee) in body
    assert "按照得票超过实到会代表半数的规定" in body
    elected = [n for n in committee if CONGRESS_YES[n] > VOTE_CONGRESS["present"] // 2]
    assert f"新一届委员会由{joined(elected)}7名同志组成" in body
    assert "召开党员代表大会，进行换届选举" in body

    title = f"关于{ZZ1}换届选举结果的批复"
    assert head(reply3, title) == (title, f"{ZZ1}：")
    body = "".join(reply3)
    assert f"新一届委员会由{joined(elected)}7名同志组成（按姓氏笔画为序），予以备案" in body
    assert "纪律检查委员会书记" not in body  # no 纪委 on record for 一中
    issued(reply3, "2026-11-16")
