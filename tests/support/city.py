"""A realistic organization tree for the shipped procedures, and a helper that walks a request through them.

The tree follows the city education system of ``shared/domain/setting.md``: the 市委教育工委 approves
for the schools' Party committees and for small schools' branches; a school committee approves for its
own grade branches. At the end, the grade-two branch's 委员候选人预备人选 and its 请示①, which the
workflow and document tests of its re-election both use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from flowengine.chinese import CHINA
from flowengine.persistence.models import Organization
from flowengine.service import Services
from flowengine.service.identity.directory import parse_org_tree
from flowengine.service.views import ActionView, InstanceView
from tests.support import PASSWORD, Clock

TREE: list[dict[str, Any]] = [
    {"code": "gw", "name": "中共郑州市委教育工作委员会", "type": "work_committee"},
    {
        "code": "zz31",
        "name": "中共郑州市第三十一中学委员会",
        "type": "committee",
        "parent": "gw",
        "full_members": 104,
        "probationary_members": 2,
        "term_start": "2022-09-15",
        "term_end": "2027-09-14",
    },
    # 11 full members: a branch with a committee (支部委员会), approved by the school's Party committee.
    {
        "code": "g2",
        "name": "郑州市第三十一中学高二年级党支部",
        "type": "branch",
        "parent": "zz31",
        "full_members": 11,
        "probationary_members": 2,
        "term_start": "2023-11-28",
        "term_end": "2026-11-27",
    },
    # 5 full members: no committee; the 党员大会 elects the 书记 directly.
    {
        "code": "zyl",
        "name": "郑东新区众意路小学党支部",
        "type": "branch",
        "parent": "gw",
        "full_members": 5,
        "probationary_members": 1,
        "term_start": "2023-12-12",
        "term_end": "2026-12-11",
    },
    # Its own 三重一大 rules set a lower 大额 threshold than the definition's default.
    {
        "code": "zz103",
        "name": "郑州市第一〇三中学党总支",
        "type": "general_branch",
        "parent": "gw",
        "full_members": 52,
        "term_start": "2023-06-30",
        "term_end": "2026-06-29",
        "settings": {"major_decision": {"large_amount_threshold": 20000}},
    },
]

USERS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("wangjianguo", "王建国", [("handler", "gw")]),
    ("zhaozhigang", "赵志刚", [("leader", "gw")]),
    ("sunli", "孙立", [("auditor", "gw")]),
    ("lijian", "李健", [("discipline", "gw")]),
    ("wangqing", "王青", [("discipline", "zz31")]),
    ("yangfan", "杨帆", [("secretary", "zz31"), ("committee_member", "zz31")]),
    ("liweidong", "李卫东", [("leader", "zz31"), ("committee_member", "zz31")]),
    ("hexiaoli", "何晓丽", [("handler", "zz31"), ("committee_member", "zz31")]),
    ("majun", "马骏", [("secretary", "g2")]),
    ("caoxue", "曹雪", [("secretary", "zyl")]),
    ("gaoyan", "高燕", [("secretary", "zz103"), ("committee_member", "zz103")]),
]


def china_noon(day: str) -> dt.datetime:
    """Noon of a China date as the aware UTC instant the clock holds."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(12), tzinfo=CHINA).astimezone(dt.UTC)


@dataclass
class Org:
    """Ids of the tree and its users, and a way to read an organization's term as stored."""

    services: Services
    orgs: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)

    def term(self, code: str) -> tuple[dt.date | None, dt.date | None]:
        with self.services.db.read() as s:
            org = s.get(Organization, self.orgs[code])
            assert org is not None
            return org.term_start, org.term_end


def build_city(services: Services, now: dt.datetime) -> Org:
    services.directory.import_orgs(parse_org_tree(TREE), now)
    city = Org(services)
    for spec in TREE:
        city.orgs[spec["code"]] = services.directory.org_id(spec["code"])
    for username, name, roles in USERS:
        city.users[username] = services.directory.add_user(username, name, PASSWORD, roles, now=now)
    return city


class Walk:
    """One request walked through its procedure by the people who hold each step, as the UI would."""

    def __init__(self, services: Services, city: Org, clock: Clock, instance: InstanceView) -> None:
        self.services, self.city, self.clock = services, city, clock
        self.instance = instance

    @classmethod
    def start(cls, services: Services, city: Org, clock: Clock, workflow: str, org: str, user: str) -> Walk:
        inst = services.flow.start(workflow, city.orgs[org], city.users[user])
        return cls(services, city, clock, inst)

    @property
    def state(self) -> str:
        return self.instance.state

    def on(self, day: str) -> Walk:
        """Move the clock to noon of ``day`` (China time)."""
        self.clock.now = china_noon(day)
        return self

    def sign(
        self,
        user: str,
        data: dict[str, Any] | None = None,
        decision: str = "approve",
        comment: str | None = None,
    ) -> str:
        """Answer the step's countersign (会签) as ``user``: the 纪检 side's 党风廉政意见 on 请示②, say."""
        self.instance = self.services.verbs.sign(
            self.instance.id, decision, self.city.users[user], data, comment
        )
        return self.instance.state

    def integrity(self, user: str, names: list[str] | None = None) -> str:
        """The 纪检 side finds nothing against any candidate of the latest 请示② (无意见 for each)."""
        data = self.instance.data
        r2 = data.get("submit_request2") or data.get("submit_request2_nc") or {}
        rows = names if names is not None else [c["name"] for c in r2.get("candidates") or []]
        opinions: dict[str, Any] = {"opinions": [{"name": n, "view": "无意见"} for n in rows]}
        discipline = [c["name"] for c in r2.get("discipline_candidates") or []]
        if discipline:
            opinions["discipline_opinions"] = [{"name": n, "view": "无意见"} for n in discipline]
        return self.sign(user, opinions)

    def actions(self, user: str) -> list[ActionView]:
        return self.services.flow.available_actions(self.instance.id, self.city.users[user])

    def act(
        self, user: str, action: str, data: dict[str, Any] | None = None, comment: str | None = None
    ) -> str:
        """Perform ``action`` as ``user`` on the version last seen; returns the new state."""
        self.instance = self.services.flow.act(
            self.instance.id,
            action,
            self.city.users[user],
            data,
            comment,
            expected_version=self.instance.version,
        )
        return self.instance.state


# 委员候选人预备人选 of the grade-two branch, in 姓氏笔画 order (马 3, 王 4, 刘 6, 吴 7, 张 7, 郑 8).
CANDIDATES: list[dict[str, Any]] = [
    {
        "name": "马骏",
        "gender": "男",
        "birth_year": 1979,
        "education": "大学本科",
        "post": "高二年级主任、党支部书记",
        "joined_party": "2002-06-20",
    },
    {
        "name": "王志强",
        "gender": "男",
        "birth_year": 1984,
        "education": "研究生",
        "post": "高二年级副主任",
        "joined_party": "2007-05-12",
    },
    {
        "name": "刘建军",
        "gender": "男",
        "birth_year": 1976,
        "education": "大学本科",
        "post": "物理教研组长",
        "joined_party": "1999-07-01",
    },
    {
        "name": "吴敏",
        "gender": "女",
        "birth_year": 1988,
        "education": "研究生",
        "post": "英语教师、班主任",
        "joined_party": "2012-11-16",
    },
    {
        "name": "张丽华",
        "gender": "女",
        "birth_year": 1982,
        "education": "大学本科",
        "post": "语文教研组长",
        "joined_party": "2006-12-25",
    },
    {
        "name": "郑书华",
        "gender": "女",
        "birth_year": 1991,
        "education": "大学本科",
        "post": "数学教师",
        "joined_party": "2016-06-28",
    },
]


REQUEST1 = {
    "document_number": "三十一中高二支〔2026〕5号",
    "current_term_start": "2023-11-28",
    "current_term_end": "2026-11-27",
    "planned_month": "2026-11",
    "agenda": "听取和审查支部委员会工作报告；选举产生新一届支部委员会",
    "committee_size": 5,
    "secretary_count": 1,
    "deputy_count": 1,
    "candidate_count": 6,
    "election_method": "委员由党员大会以无记名投票方式差额选举产生，差额比例不少于20%；书记、副书记由新一届支部委员会"
    "第一次全体会议等额选举产生。",
}
