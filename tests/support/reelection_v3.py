"""The two paths version 3 of the re-election adds, walked through the service API for the workflow and
document tests: a school Party committee that re-elects its 纪律检查委员会 at the same 党员大会, and a
committee of 600 full members that holds a 党员代表大会 after the superior approved it.

The candidates' order is computed with the ballot-order function (姓氏笔画为序), never typed by hand.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import update

from flowengine.engine.ballot_order import order_by_surname_strokes
from flowengine.persistence.models import Organization
from flowengine.service import Services
from flowengine.service.identity.directory import parse_org_tree
from tests.support import PASSWORD, Clock
from tests.support.city import Org, Walk

GW = "中共郑州市委教育工作委员会"
ZZ9 = "中共郑州市第九中学委员会"  # 112 full members, with a 纪委
ZZ1 = "中共郑州市第一中学委员会"  # 600 full members: a 党员代表大会

TREE: list[dict[str, Any]] = [
    {"code": "gw", "name": GW, "type": "work_committee"},
    {
        "code": "zz9",
        "name": ZZ9,
        "type": "committee",
        "parent": "gw",
        "full_members": 112,
        "probationary_members": 3,
        "term_start": "2021-12-21",
        "term_end": "2026-12-20",
        "settings": {"branch_election": {"discipline_committee": True}},
    },
    {
        "code": "zz1",
        "name": ZZ1,
        "type": "committee",
        "parent": "gw",
        "full_members": 600,
        "probationary_members": 12,
        "term_start": "2021-12-21",
        "term_end": "2026-12-20",
    },
]
USERS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("wangjianguo", "王建国", [("handler", "gw")]),
    ("zhaozhigang", "赵志刚", [("leader", "gw")]),
    ("lijian", "李健", [("discipline", "gw")]),
    ("sunli", "孙立", [("auditor", "gw")]),
    ("zhouhua", "周华", [("secretary", "zz9")]),
    ("fangyuan", "方圆", [("secretary", "zz1")]),
]
PREFIXES = {"gw": "郑教工委", "zz9": "九中党委", "zz1": "一中党委"}


def build(services: Services, now: dt.datetime) -> Org:
    services.directory.import_orgs(parse_org_tree(TREE), now)
    city = Org(services)
    for spec in TREE:
        city.orgs[spec["code"]] = services.directory.org_id(spec["code"])
    for username, name, roles in USERS:
        city.users[username] = services.directory.add_user(username, name, PASSWORD, roles, now=now)
    with services.db.write() as s:
        for code, prefix in PREFIXES.items():
            s.execute(
                update(Organization).where(Organization.id == city.orgs[code]).values(doc_prefix=prefix)
            )
    return city


def person(name: str, post: str, born: int = 1980, joined: str = "2005-06-01") -> dict[str, Any]:
    return {
        "name": name,
        "gender": "男" if born % 2 else "女",
        "birth_year": born,
        "education": "大学本科",
        "post": post,
        "joined_party": joined,
    }


def ballot_order(people: list[dict[str, Any]]) -> list[dict[str, Any]]:
    by_name = {p["name"]: p for p in people}
    return [by_name[n] for n in order_by_surname_strokes(by_name)]


COMMITTEE = ballot_order(
    [
        person("周华", "党委书记", 1972),
        person("于洋", "校长", 1975),
        person("马丽", "副校长", 1978),
        person("王刚", "党委副书记", 1976),
        person("石磊", "教务处主任", 1981),
        person("李静", "德育处主任", 1983),
        person("张伟", "总务处主任", 1979),
        person("陈晨", "团委书记", 1990, "2013-05-04"),
        person("郭敏", "工会主席", 1977),
    ]
)
DISCIPLINE = ballot_order(
    [
        person("丁宁", "纪委副书记", 1980),
        person("孔亮", "审计科长", 1985),
        person("杜娟", "教师", 1988),
        person("宋佳", "教师", 1989),
    ]
)
# The committee: seven of nine with more than half of 100 present.
YES = {
    "周华": 96,
    "于洋": 94,
    "马丽": 88,
    "王刚": 90,
    "石磊": 77,
    "李静": 80,
    "张伟": 71,
    "陈晨": 35,
    "郭敏": 44,
}
# The 纪委: two of three seats in the first round, the third in a 另行选举 between the two left.
DISCIPLINE_YES = {"丁宁": 85, "孔亮": 70, "杜娟": 45, "宋佳": 40}
DISCIPLINE_EXTRA = {"杜娟": 60, "宋佳": 38}


def _study(w: Walk, user: str, full: int, probationary: int, summary: str) -> None:
    w.on("2026-09-21").act(
        user,
        "record_study",
        {
            "study_date": "2026-09-21",
            "meeting_kind": "委员会会议",
            "full_members": full,
            "probationary_members": probationary,
            "on_time": True,
            "summary": summary,
        },
    )


REQUEST1_BASE: dict[str, Any] = {
    "current_term_start": "2021-12-21",
    "current_term_end": "2026-12-20",
    "planned_month": "2026-11",
    "agenda": "听取和审查党委工作报告；听取和审查纪委工作报告；选举产生新一届党委和纪委",
    "committee_size": 7,
    "secretary_count": 1,
    "deputy_count": 1,
    "candidate_count": 9,
    "election_method": "党委委员、纪委委员由大会以无记名投票方式差额选举产生；书记、副书记分别由新一届党委、纪委第一次全体会议等额选举产生。",
}
NOMINATION: dict[str, Any] = {
    "recommendation_date": "2026-09-30",
    "recommenders": 105,
    "recommendation": "各支部组织正式党员以无记名方式推荐，按得票多少提出初步人选。",
    "deliberation": "党委三次酝酿，征求了党外教职工代表意见。",
    "inspection": "对初步人选进行了考察，均符合条件。",
    "publicity": True,
    "publicity_start": "2026-10-12",
    "publicity_end": "2026-10-16",
}


def reelect_with_discipline_committee(
    services: Services, city: Org, clock: Clock, before: Callable[[str, Walk], None] | None = None
) -> Walk:
    """九中党委 (112 full members, a 纪委 on record) re-elects both bodies at one 党员大会, to 批复③.

    ``before(action, walk)`` is called before 请示② and before the vote, for a test to try a slip there."""
    before = before or (lambda action, walk: None)
    w = Walk.start(services, city, clock, "branch_election", "zz9", "zhouhua")
    _study(w, "zhouhua", 112, 3, "党委研究，拟于2026年11月召开党员大会，选举新一届党委和纪委。")
    w.act(
        "zhouhua",
        "submit_request1",
        {
            **REQUEST1_BASE,
            "discipline_size": 3,
            "discipline_candidate_count": 4,
            "discipline_deputy_count": 0,
        },
        "当否，请批示。",
    )
    w.on("2026-09-22").act("wangjianguo", "forward_request1", {"opinion": "名额和选举办法符合规定。"})
    w.on("2026-09-23").act(
        "zhaozhigang", "approve_request1", {"reply_number": "郑教工委〔2026〕61号"}, "同意"
    )
    w.on("2026-10-12").act("zhouhua", "record_nomination", NOMINATION)
    before("submit_request2", w)
    w.on("2026-10-19").act("zhouhua", "submit_request2", REQUEST2_DISCIPLINE, "当否，请批示。")
    w.on("2026-10-20").sign(
        "lijian",
        {
            "opinions": [{"name": c["name"], "view": "无意见"} for c in COMMITTEE],
            "discipline_opinions": [{"name": c["name"], "view": "无意见"} for c in DISCIPLINE],
        },
    )
    w.act("wangjianguo", "forward_request2", {"opinion": "人选符合条件。"})
    w.on("2026-10-21").act(
        "zhaozhigang", "approve_request2", {"reply_number": "郑教工委〔2026〕66号"}, "同意"
    )
    w.on("2026-11-10")
    before("record_vote", w)
    w.act("zhouhua", "record_vote", VOTE_DISCIPLINE)
    w.act("zhouhua", "record_additional_vote", EXTRA_DISCIPLINE)
    w.act("zhouhua", "record_first_meeting", FIRST_MEETING_ZZ9)
    w.act("zhouhua", "record_discipline_first_meeting", DISCIPLINE_MEETING)
    w.on("2026-11-12").act(
        "zhouhua", "submit_report", {"course": "大会听取审查了党委、纪委工作报告，选举产生新一届党委和纪委。"}
    )
    w.on("2026-11-13").act("wangjianguo", "forward_report", {"opinion": "选举程序符合规定。"})
    w.on("2026-11-16").act("zhaozhigang", "approve_report", {"reply_number": "郑教工委〔2026〕80号"}, "同意")
    assert w.instance.status == "completed"
    return w


REQUEST2_DISCIPLINE: dict[str, Any] = {
    "full_members": 112,
    "probationary_members": 3,
    "process": "经民主推荐、三次酝酿、征求党外群众意见和考察，确定党委委员候选人预备人选9名、纪委委员候选人预备人选4名。",
    "candidates": COMMITTEE,
    "secretary_candidate": "周华",
    "deputy_candidates": [{"name": "王刚"}],
    "discipline_candidates": DISCIPLINE,
    "discipline_secretary_candidate": "丁宁",
}
VOTE_DISCIPLINE: dict[str, Any] = {
    "meeting_date": "2026-11-10",
    "entitled": 111,
    "without_rights": [{"name": "某甲", "reason": "受留党察看处分，在留党察看期间"}],
    "present": 100,
    "ballots_issued": 100,
    "ballots_returned": 100,
    "invalid_ballots": 0,
    "votes": [{"name": c["name"], "yes": YES[c["name"]]} for c in COMMITTEE],
    "elected": [{"name": n} for n in YES if YES[n] > 50],
    "discipline_ballots_issued": 100,
    "discipline_ballots_returned": 100,
    "discipline_invalid_ballots": 2,
    "discipline_votes": [{"name": c["name"], "yes": DISCIPLINE_YES[c["name"]]} for c in DISCIPLINE],
    "discipline_elected": [{"name": "丁宁"}, {"name": "孔亮"}],
}
EXTRA_DISCIPLINE: dict[str, Any] = {
    "present": 100,
    "ballots_issued": 100,
    "ballots_returned": 100,
    "invalid_ballots": 0,
    "votes": [],
    "elected": [],
    "discipline_ballots_issued": 100,
    "discipline_ballots_returned": 100,
    "discipline_invalid_ballots": 0,
    "discipline_votes": [{"name": n, "yes": y} for n, y in DISCIPLINE_EXTRA.items()],
    "discipline_elected": [{"name": "杜娟"}],
}
FIRST_MEETING_ZZ9: dict[str, Any] = {
    "meeting_date": "2026-11-10",
    "chair": "于洋",
    "present": 7,
    "secretary": "周华",
    "secretary_yes": 7,
    "deputies": [{"name": "王刚", "yes": 7}],
    "duties": [
        {"name": "周华", "duty": "书记"},
        {"name": "王刚", "duty": "副书记"},
        {"name": "于洋", "duty": "其他委员"},
        {"name": "马丽", "duty": "宣传委员"},
        {"name": "石磊", "duty": "组织委员"},
        {"name": "李静", "duty": "统战委员"},
        {"name": "张伟", "duty": "其他委员"},
    ],
}
DISCIPLINE_MEETING: dict[str, Any] = {
    "meeting_date": "2026-11-10",
    "chair": "孔亮",
    "present": 3,
    "secretary": "丁宁",
    "secretary_yes": 3,
}

# ---- the 党员代表大会 ------------------------------------------------------------------------------------

UNITS: list[dict[str, Any]] = [
    {"electing_unit": "高中部党总支", "members": 260, "delegates": 52, "election_date": "2026-10-08"},
    {"electing_unit": "初中部党总支", "members": 220, "delegates": 44, "election_date": "2026-10-09"},
    {"electing_unit": "机关党支部", "members": 120, "delegates": 24, "election_date": "2026-10-09"},
]
CREDENTIALS: dict[str, Any] = {
    "review_date": "2026-11-09",
    "reviewers": "由5名代表组成代表资格审查委员会，纪委书记任主任。",
    "confirmed": 119,
    "not_confirmed": [
        {"name": "某乙", "electing_unit": "初中部党总支", "reason": "选举前已调离本单位，代表资格终止"}
    ],
}
CONGRESS_YES = {
    "周华": 110,
    "于洋": 108,
    "马丽": 100,
    "王刚": 105,
    "石磊": 90,
    "李静": 95,
    "张伟": 80,
    "陈晨": 30,
    "郭敏": 50,
}
VOTE_CONGRESS: dict[str, Any] = {
    "meeting_date": "2026-11-10",
    "entitled": 119,
    "present": 112,
    "ballots_issued": 112,
    "ballots_returned": 112,
    "invalid_ballots": 1,
    "votes": [{"name": c["name"], "yes": CONGRESS_YES[c["name"]]} for c in COMMITTEE],
    "elected": [{"name": n} for n in CONGRESS_YES if CONGRESS_YES[n] > 56],
}
CONGRESS_REQUEST1: dict[str, Any] = {
    "agenda": "听取和审查党委工作报告；选举产生新一届党委",
    "election_method": "党委委员由党员代表大会以无记名投票方式差额选举产生；书记、副书记由新一届党委第一次全体会议等额选举产生。",
    "congress": True,
    "delegate_count": 120,
}
REQUEST2_CONGRESS: dict[str, Any] = {
    **{k: v for k, v in REQUEST2_DISCIPLINE.items() if not k.startswith("discipline")},
    "process": "经各选举单位民主推荐、党委三次酝酿、征求党外群众意见和考察，确定委员候选人预备人选9名。",
    "full_members": 600,
    "probationary_members": 12,
}


def reelect_by_congress(
    services: Services, city: Org, clock: Clock, before: Callable[[str, Walk], None] | None = None
) -> Walk:
    """一中党委 (600 full members) holds a 党员代表大会 of 120 delegates, approved in 批复①."""
    w = Walk.start(services, city, clock, "branch_election", "zz1", "fangyuan")
    _study(w, "fangyuan", 600, 12, "党委研究，拟于2026年11月召开党员代表大会进行换届选举，代表名额120名。")
    w.act(
        "fangyuan",
        "submit_request1",
        {**REQUEST1_BASE, **CONGRESS_REQUEST1},
        "当否，请批示。",
    )
    w.on("2026-09-22").act("wangjianguo", "forward_request1", {"opinion": "同意召开党员代表大会。"})
    w.on("2026-09-23").act(
        "zhaozhigang", "approve_request1", {"reply_number": "郑教工委〔2026〕62号", "congress_approved": True}
    )
    assert w.state == "electing_delegates"
    w.on("2026-10-10").act("fangyuan", "record_delegates", {"electing_units": UNITS})
    assert w.state == "nominating"
    w.on("2026-10-12").act("fangyuan", "record_nomination", {**NOMINATION, "recommenders": 560})
    w.on("2026-10-19").act("fangyuan", "submit_request2", REQUEST2_CONGRESS, "当否，请批示。")
    w.on("2026-10-20").integrity("lijian")
    w.act("wangjianguo", "forward_request2", {"opinion": "人选符合条件。"})
    w.on("2026-10-21").act(
        "zhaozhigang", "approve_request2", {"reply_number": "郑教工委〔2026〕67号"}, "同意"
    )
    assert w.state == "credential_review"
    w.on("2026-11-09").act("fangyuan", "record_credentials", CREDENTIALS)
    assert w.state == "election_meeting"
    w.on("2026-11-10")
    if before is not None:
        before("record_vote", w)
    w.act("fangyuan", "record_vote", VOTE_CONGRESS)
    w.act(
        "fangyuan",
        "record_first_meeting",
        {**FIRST_MEETING_ZZ9, "chair": "于洋"},
    )
    assert w.state == "reporting"
    w.on("2026-11-12").act("fangyuan", "submit_report", {"course": "党员代表大会选举产生新一届党委。"})
    w.on("2026-11-13").act("wangjianguo", "forward_report", {"opinion": "选举程序符合规定。"})
    w.on("2026-11-16").act("zhaozhigang", "approve_report", {"reply_number": "郑教工委〔2026〕81号"}, "同意")
    assert w.instance.status == "completed"
    return w
