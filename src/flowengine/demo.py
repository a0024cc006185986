"""A realistic demo: Zhengzhou's 市委教育工委 with schools' Party organizations, branches and users.

Names come from the city's own 2022–2023 bulletins (../shared/domain/setting.md). Term dates are chosen so
that the demo shows every situation a supervisor cares about: terms ending soon, terms already expired
with no re-election started, branches too small to have a committee, and requests in progress.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from flowengine.engine.deadlines import CHINA
from flowengine.errors import FlowEngineError
from flowengine.persistence.models import Organization
from flowengine.service.app import Services
from flowengine.service.identity.directory import parse_org_tree

DEMO_PASSWORD = "demo-2026"

ORGS: list[dict[str, Any]] = [
    {"code": "zzjgw", "name": "中共郑州市委教育工作委员会", "type": "work_committee"},
    # A school Party committee whose own 5-year term has run out (超期未换届): a supervision finding.
    {
        "code": "zz24",
        "name": "中共郑州市第二十四中学委员会",
        "type": "committee",
        "parent": "zzjgw",
        "full_members": 86,
        "probationary_members": 3,
        "term_start": "2021-06-18",
        "term_end": "2026-06-17",
    },
    {
        "code": "zz24-b1",
        "name": "郑州市第二十四中学第一党支部",
        "type": "branch",
        "parent": "zz24",
        "approver": "zzjgw",
        "full_members": 12,
        "probationary_members": 1,
        "term_start": "2023-12-20",
        "term_end": "2026-12-19",
    },
    {
        "code": "zz24-b2",
        "name": "郑州市第二十四中学第二党支部",
        "type": "branch",
        "parent": "zz24",
        "approver": "zzjgw",
        "full_members": 6,
        "probationary_members": 1,
        "term_start": "2023-12-20",
        "term_end": "2026-12-19",
    },
    {
        "code": "zz24-retired",
        "name": "郑州市第二十四中学离退休党支部",
        "type": "branch",
        "parent": "zz24",
        "full_members": 15,
        "term_start": "2023-05-10",
        "term_end": "2026-05-09",
    },
    {
        "code": "zz31",
        "name": "中共郑州市第三十一中学委员会",
        "type": "committee",
        "parent": "zzjgw",
        "full_members": 104,
        "probationary_members": 2,
        "term_start": "2022-09-15",
        "term_end": "2027-09-14",
    },
    {
        "code": "zz31-high",
        "name": "郑州市第三十一中学高中部党总支",
        "type": "general_branch",
        "parent": "zz31",
        "full_members": 58,
        "term_start": "2024-03-01",
        "term_end": "2027-02-28",
    },
    {
        "code": "zz31-high-g1",
        "name": "郑州市第三十一中学高一年级党支部",
        "type": "branch",
        "parent": "zz31-high",
        "full_members": 9,
        "term_start": "2024-03-05",
        "term_end": "2027-03-04",
    },
    {
        "code": "zz31-high-g2",
        "name": "郑州市第三十一中学高二年级党支部",
        "type": "branch",
        "parent": "zz31-high",
        "full_members": 11,
        "probationary_members": 2,
        "term_start": "2023-11-28",
        "term_end": "2026-11-27",
    },
    {
        "code": "zz103",
        "name": "郑州市第一〇三中学党总支",
        "type": "general_branch",
        "parent": "zzjgw",
        "full_members": 52,
        "term_start": "2023-06-30",
        "term_end": "2026-06-29",
    },
    {
        "code": "zz103-b1",
        "name": "郑州市第一〇三中学第一党支部",
        "type": "branch",
        "parent": "zz103",
        "full_members": 27,
        "term_start": "2024-01-12",
        "term_end": "2027-01-11",
    },
    {
        "code": "zz103-b2",
        "name": "郑州市第一〇三中学第二党支部",
        "type": "branch",
        "parent": "zz103",
        "full_members": 25,
        "term_start": "2024-01-12",
        "term_end": "2027-01-11",
    },
    {
        "code": "zz18",
        "name": "郑州市第十八中学党支部",
        "type": "branch",
        "parent": "zzjgw",
        "full_members": 21,
        "probationary_members": 1,
        "term_start": "2023-12-28",
        "term_end": "2026-12-27",
    },
    {
        "code": "zzsy",
        "name": "郑州市实验小学党支部",
        "type": "branch",
        "parent": "zzjgw",
        "full_members": 23,
        "term_start": "2024-06-20",
        "term_end": "2027-06-19",
    },
    {
        "code": "zzsf-fx",
        "name": "郑州师范学院附属小学党支部",
        "type": "branch",
        "parent": "zzjgw",
        "full_members": 17,
        "term_start": "2023-09-08",
        "term_end": "2026-09-07",
    },
    {
        "code": "zdzyl",
        "name": "郑东新区众意路小学党支部",
        "type": "branch",
        "parent": "zzjgw",
        "full_members": 5,
        "probationary_members": 1,
        "term_start": "2024-04-16",
        "term_end": "2027-04-15",
    },
    {
        "code": "zzkj",
        "name": "中共郑州市科技工业学校委员会",
        "type": "committee",
        "parent": "zzjgw",
        "full_members": 131,
        "term_start": "2022-12-01",
        "term_end": "2027-11-30",
    },
    {
        "code": "zzkj-b1",
        "name": "郑州市科技工业学校机电专业党支部",
        "type": "branch",
        "parent": "zzkj",
        "full_members": 14,
        "term_start": "2024-02-26",
        "term_end": "2027-02-25",
    },
]

#: 发文字号代字 of each demo organization, so generated numbers read like 郑教工委〔2026〕3号.
DOC_PREFIXES: dict[str, str] = {
    "zzjgw": "郑教工委",
    "zz24": "二十四中党委",
    "zz24-b1": "二十四中一支",
    "zz24-b2": "二十四中二支",
    "zz24-retired": "二十四中离退休支",
    "zz31": "三十一中党委",
    "zz31-high": "三十一中高中总支",
    "zz31-high-g1": "三十一中高一支",
    "zz31-high-g2": "三十一中高二支",
    "zz103": "一〇三中总支",
    "zz103-b1": "一〇三中一支",
    "zz103-b2": "一〇三中二支",
    "zz18": "十八中支",
    "zzsy": "实验小学支",
    "zzsf-fx": "师院附小支",
    "zdzyl": "众意路小学支",
    "zzkj": "科技工业学校党委",
    "zzkj-b1": "科技工业学校机电支",
}

# (username, display name, [(role, org code)]); usernames are what people type at the login page.
USERS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("admin", "系统管理员", [("admin", "zzjgw")]),
    ("wangjianguo", "王建国", [("handler", "zzjgw")]),
    ("zhaozhigang", "赵志刚", [("leader", "zzjgw")]),
    ("sunli", "孙立", [("auditor", "zzjgw")]),
    ("liuhaiyan", "刘海燕", [("secretary", "zz24")]),
    ("chenjing", "陈静", [("handler", "zz24")]),
    ("zhangming", "张明", [("secretary", "zz24-b1")]),
    ("lihong", "李红", [("secretary", "zz24-b2")]),
    ("guowei", "郭伟", [("secretary", "zz24-retired")]),
    ("yangfan", "杨帆", [("secretary", "zz31")]),
    ("hexiaoli", "何晓丽", [("handler", "zz31"), ("committee_member", "zz31")]),
    ("liweidong", "李卫东", [("leader", "zz31")]),
    ("zhoupeng", "周鹏", [("secretary", "zz31-high")]),
    ("xuli", "徐丽", [("secretary", "zz31-high-g1")]),
    ("majun", "马骏", [("secretary", "zz31-high-g2")]),
    ("gaoyan", "高燕", [("secretary", "zz103")]),
    ("luoqiang", "罗强", [("secretary", "zz103-b1")]),
    ("songjia", "宋佳", [("secretary", "zz103-b2")]),
    ("hanlei", "韩磊", [("secretary", "zz18")]),
    ("fengli", "冯莉", [("secretary", "zzsy")]),
    ("dengyu", "邓宇", [("secretary", "zzsf-fx")]),
    ("caoxue", "曹雪", [("secretary", "zdzyl")]),
    ("pengbo", "彭博", [("secretary", "zzkj")]),
    ("zengqing", "曾庆", [("secretary", "zzkj-b1")]),
]


@dataclass(frozen=True)
class DemoSummary:
    organizations: int
    users: int
    instances: int
    password: str


class _DemoClock:
    """Lets the demo's requests carry the dates on which their steps would really have happened."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def on(self, day: str, hour: int = 10) -> None:
        self.now = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=CHINA).astimezone(
            dt.UTC
        )


def load_demo(services: Services, now: dt.datetime | None = None) -> DemoSummary:
    """Load the demo into an empty database (refuses to mix demo data into real data)."""
    now = now or services.flow.clock()
    with services.db.read() as s:
        if (s.scalar(select(func.count()).select_from(Organization)) or 0) > 0:
            raise FlowEngineError(
                "数据库中已有组织数据，演示数据只能载入空数据库（可换一个 FLOWENGINE_DATA_DIR）。"
            )
    services.directory.import_orgs(parse_org_tree(ORGS), now)
    with services.db.write() as s:
        for org in s.scalars(select(Organization).where(Organization.code.in_(list(DOC_PREFIXES)))):
            org.doc_prefix = DOC_PREFIXES[org.code]
    users = {
        u: services.directory.add_user(u, name, DEMO_PASSWORD, roles, now=now) for u, name, roles in USERS
    }
    instances = 0
    if "branch_election" in services.catalog.current:
        instances = _requests(services, users, now)
    return DemoSummary(len(ORGS), len(USERS), instances, DEMO_PASSWORD)


def _requests(services: Services, users: dict[str, int], now: dt.datetime) -> int:
    """Re-elections at several stages, each driven through the service exactly as people would."""
    flow = services.flow
    real_clock, clock = flow.clock, _DemoClock(now)
    flow.clock = clock
    orgs = {
        code: services.directory.org_id(code)
        for code in ("zz24-b1", "zz24-b2", "zdzyl", "zz18", "zz31-high-g2", "zz103", "zzsf-fx")
    }
    started = 0

    def act(
        inst: Any, user: str, action: str, data: dict[str, Any] | None = None, comment: str | None = None
    ) -> Any:
        return flow.act(inst.id, action, users[user], data, comment, expected_version=inst.version)

    def study(org: str, user: str, full: int, prob: int, summary: str, kind: str = "委员会会议") -> Any:
        nonlocal started
        inst = flow.start("branch_election", orgs[org], users[user])
        started += 1
        return act(
            inst,
            user,
            "record_study",
            {
                "study_date": clock.now.astimezone(CHINA).date().isoformat(),
                "meeting_kind": kind,
                "full_members": full,
                "probationary_members": prob,
                "on_time": True,
                "summary": summary,
            },
        )

    try:
        # 1. 二十四中第一党支部: 请示① submitted, waiting for the 工委's handler (王建国).
        clock.on("2026-11-16")
        inst = study(
            "zz24-b1",
            "zhangming",
            12,
            1,
            "支部委员会研究，拟于2026年12月按期换届，新一届支部委员会设委员5名，"
            "其中书记1名、副书记1名，委员候选人6名，差额选举。",
        )
        clock.on("2026-11-18")
        act(
            inst,
            "zhangming",
            "submit_request1",
            dict(
                current_term_start="2023-12-20",
                current_term_end="2026-12-19",
                planned_month="2026-12",
                agenda="听取和审查支部委员会工作报告；选举产生新一届支部委员会",
                committee_size=5,
                secretary_count=1,
                deputy_count=1,
                candidate_count=6,
                election_method="委员由党员大会以无记名投票方式差额选举产生，差额比例不少于20%；书记、副书记由新一届支部"
                "委员会第一次全体会议等额选举产生。",
            ),
            "当否，请批示。",
        )

        # 2. 众意路小学党支部 (5 full members, no committee): returned by the handler with reasons.
        clock.on("2026-11-09")
        inst = study(
            "zdzyl", "caoxue", 5, 1, "支部正式党员5人，不设支部委员会，由党员大会选举书记1名。", "党员大会"
        )
        clock.on("2026-11-10")
        inst = act(
            inst,
            "caoxue",
            "submit_request1_nc",
            dict(
                current_term_start="2024-04-16",
                current_term_end="2027-04-15",
                planned_month="2027-03",
                agenda="听取和审查支部书记工作报告；选举支部书记",
                deputy_count=0,
                election_method="由党员大会选举书记。",
            ),
            "当否，请批示。",
        )
        clock.on("2026-11-12")
        act(
            inst,
            "wangjianguo",
            "return_request1",
            comment="选举办法请写明：支部正式党员不足7人，不设支部委员会，由党员大会以无记名投票方式选举书记。",
        )

        # 3. 第十八中学党支部: 批复① given, now recommending and inspecting candidates.
        clock.on("2026-10-26")
        inst = study("zz18", "hanlei", 21, 1, "支部委员会研究，拟于2026年12月换届，委员名额5名，候选人6名。")
        clock.on("2026-10-27")
        inst = act(
            inst,
            "hanlei",
            "submit_request1",
            dict(
                current_term_start="2023-12-28",
                current_term_end="2026-12-27",
                planned_month="2026-12",
                agenda="听取和审查支部委员会工作报告；选举产生新一届支部委员会",
                committee_size=5,
                secretary_count=1,
                deputy_count=1,
                candidate_count=6,
                election_method="委员由党员大会以无记名投票方式差额选举产生；书记、副书记由第一次全体会议等额选举产生。",
            ),
            "当否，请批示。",
        )
        clock.on("2026-10-29")
        inst = act(inst, "wangjianguo", "forward_request1", {"opinion": "换届时间、名额和选举办法符合规定。"})
        clock.on("2026-11-02")
        act(
            inst,
            "zhaozhigang",
            "approve_request1",
            {"reply_number": "郑教工委〔2026〕87号", "opinion": "同意按期召开党员大会进行换届选举。"},
            "同意",
        )

        # 4. 三十一中高二年级党支部: the school committee (何晓丽) has not replied within its deadline.
        clock.on("2026-10-30")
        inst = study("zz31-high-g2", "majun", 11, 2, "支部委员会研究，拟于2026年11月按期换届，委员名额5名。")
        clock.on("2026-11-02")
        act(
            inst,
            "majun",
            "submit_request1",
            dict(
                current_term_start="2023-11-28",
                current_term_end="2026-11-27",
                planned_month="2026-11",
                agenda="听取和审查支部委员会工作报告；选举产生新一届支部委员会",
                committee_size=5,
                secretary_count=1,
                deputy_count=1,
                candidate_count=6,
                election_method="委员由党员大会以无记名投票方式差额选举产生；书记、副书记由第一次全体会议等额选举产生。",
            ),
            "当否，请批示。",
        )

        # 5. 二十四中第二党支部: 请示① returned three times (a supervision flag), being redrafted again.
        clock.on("2026-10-19")
        inst = study(
            "zz24-b2", "lihong", 6, 1, "支部正式党员6人，不设支部委员会，由党员大会选举书记1名。", "党员大会"
        )
        request1_nc = dict(
            current_term_start="2023-12-20",
            current_term_end="2026-12-19",
            planned_month="2026-12",
            agenda="听取和审查支部书记工作报告；选举支部书记",
            deputy_count=0,
            election_method="由党员大会以无记名投票方式选举书记。",
        )
        returns = [
            ("2026-10-20", "2026-10-22", "请写明换届时间的具体安排。"),
            ("2026-10-26", "2026-10-28", "议程中应包括审查支部书记工作报告，请核对。"),
            ("2026-11-02", "2026-11-04", "选举办法请写明候选人产生方式。"),
        ]
        for submitted, returned, reason in returns:
            clock.on(submitted)
            inst = act(inst, "lihong", "submit_request1_nc", request1_nc, "当否，请批示。")
            clock.on(returned)
            inst = act(inst, "wangjianguo", "return_request1", comment=reason)

        # 6. 一〇三中学党总支: its term ran out in June; the 工委 approved postponing the re-election.
        if "election_postponement" in services.catalog.current:
            clock.on("2026-06-08")
            inst = flow.start("election_postponement", orgs["zz103"], users["gaoyan"])
            inst = act(
                inst,
                "gaoyan",
                "submit_request",
                dict(
                    kind="postpone",
                    current_term_end="2026-06-29",
                    new_term_end="2026-12-31",
                    reasons="学校正在进行校区调整，党员组织关系尚未理顺，申请延期至2026年12月换届。",
                ),
                "当否，请批示。",
            )
            clock.on("2026-06-10")
            inst = act(inst, "wangjianguo", "forward", {"opinion": "理由充分，延期不超过一年，建议同意。"})
            clock.on("2026-06-12")
            act(
                inst,
                "zhaozhigang",
                "approve",
                {"reply_number": "郑教工委〔2026〕41号", "opinion": "同意延期至2026年12月31日前完成换届。"},
                "同意",
            )
            started += 1

        # 7. 师范学院附属小学党支部: re-elected on time, 批复③ given before the term ran out.
        _complete_reelection(clock, act, study)

        # 8. 三十一中党委's 三重一大 decisions: one filed, one not needing it, one awaiting the 工委's 备案.
        if "major_decision" in services.catalog.current:
            started += _decisions(flow, clock, act, services.directory.org_id("zz31"), users["hexiaoli"])
    finally:
        flow.clock = real_clock
    return started


_FX_CANDIDATES: list[dict[str, Any]] = [  # in 姓氏笔画 order, as the ballot prints them
    {
        "name": "方明",
        "gender": "男",
        "birth_year": 1987,
        "education": "大学本科",
        "post": "数学教师",
        "joined_party": "2011-07-01",
    },
    {
        "name": "孔令华",
        "gender": "女",
        "birth_year": 1985,
        "education": "大学本科",
        "post": "教务主任",
        "joined_party": "2008-05-20",
    },
    {
        "name": "邓宇",
        "gender": "男",
        "birth_year": 1980,
        "education": "研究生",
        "post": "副校长、党支部书记",
        "joined_party": "2003-06-18",
    },
    {
        "name": "田志远",
        "gender": "男",
        "birth_year": 1983,
        "education": "大学本科",
        "post": "德育主任",
        "joined_party": "2006-11-09",
    },
    {
        "name": "白雪梅",
        "gender": "女",
        "birth_year": 1992,
        "education": "大学本科",
        "post": "英语教师",
        "joined_party": "2016-12-12",
    },
    {
        "name": "沈佳",
        "gender": "女",
        "birth_year": 1990,
        "education": "研究生",
        "post": "语文教研组长",
        "joined_party": "2013-06-26",
    },
]


def _complete_reelection(clock: _DemoClock, act: Any, study: Any) -> None:
    """A whole committee re-election to 批复③ (the effect starts the branch's new term)."""
    clock.on("2026-07-06")
    inst = study(
        "zzsf-fx", "dengyu", 17, 0, "支部委员会研究，拟于2026年8月按期换届，委员名额5名，候选人6名。"
    )
    inst = act(
        inst,
        "dengyu",
        "submit_request1",
        dict(
            current_term_start="2023-09-08",
            current_term_end="2026-09-07",
            planned_month="2026-08",
            agenda="听取和审查支部委员会工作报告；选举产生新一届支部委员会",
            committee_size=5,
            secretary_count=1,
            deputy_count=1,
            candidate_count=6,
            election_method="委员由党员大会以无记名投票方式差额选举产生；书记、副书记由第一次全体会议等额选举产生。",
        ),
        "当否，请批示。",
    )
    clock.on("2026-07-08")
    inst = act(inst, "wangjianguo", "forward_request1", {"opinion": "换届时间、名额和选举办法符合规定。"})
    clock.on("2026-07-10")
    inst = act(inst, "zhaozhigang", "approve_request1", {"reply_number": "郑教工委〔2026〕52号"}, "同意")
    clock.on("2026-07-27")
    inst = act(
        inst,
        "dengyu",
        "record_nomination",
        {
            "recommendation_date": "2026-07-14",
            "recommenders": 17,
            "recommendation": "全体正式党员以无记名方式推荐，按得票多少提出初步人选7名。",
            "deliberation": "支部委员会三次酝酿，征求了党外教师意见，确定预备人选6名。",
            "inspection": "对6名人选进行了考察，均符合条件。",
            "publicity": True,
            "publicity_start": "2026-07-15",
            "publicity_end": "2026-07-24",
        },
    )
    inst = act(
        inst,
        "dengyu",
        "submit_request2",
        {
            "full_members": 17,
            "probationary_members": 0,
            "process": "经民主推荐、三次酝酿、征求党外群众意见和考察，确定委员候选人预备人选6名。",
            "candidates": _FX_CANDIDATES,
            "secretary_candidate": "邓宇",
            "deputy_candidates": [{"name": "孔令华"}],
        },
        "当否，请批示。",
    )
    clock.on("2026-07-29")
    inst = act(
        inst,
        "wangjianguo",
        "forward_request2",
        {"opinion": "人选符合条件。", "integrity_opinion": "6名人选无廉政问题。"},
    )
    clock.on("2026-07-31")
    inst = act(inst, "zhaozhigang", "approve_request2", {"reply_number": "郑教工委〔2026〕58号"}, "同意")
    clock.on("2026-08-28")
    yes = {"邓宇": 16, "孔令华": 15, "田志远": 14, "沈佳": 13, "方明": 12, "白雪梅": 5}
    inst = act(
        inst,
        "dengyu",
        "record_vote",
        {
            "meeting_date": "2026-08-28",
            "entitled": 17,
            "present": 16,
            "ballots_issued": 16,
            "ballots_returned": 16,
            "invalid_ballots": 0,
            "votes": [{"name": n, "yes": v, "against": 16 - v} for n, v in yes.items()],
            "elected": [{"name": n} for n in ("邓宇", "孔令华", "田志远", "沈佳", "方明")],
        },
    )
    inst = act(
        inst,
        "dengyu",
        "record_first_meeting",
        {
            "meeting_date": "2026-08-28",
            "chair": "孔令华",
            "present": 5,
            "secretary": "邓宇",
            "secretary_yes": 5,
            "deputies": [{"name": "孔令华", "yes": 5}],
            "duties": [
                {"name": "邓宇", "duty": "书记"},
                {"name": "孔令华", "duty": "副书记"},
                {"name": "田志远", "duty": "组织委员"},
                {"name": "沈佳", "duty": "宣传委员"},
                {"name": "方明", "duty": "纪检委员"},
            ],
        },
    )
    clock.on("2026-08-31")
    inst = act(
        inst, "dengyu", "submit_report", {"course": "2026年8月28日召开党员大会，选举产生新一届支部委员会。"}
    )
    clock.on("2026-09-02")
    inst = act(inst, "wangjianguo", "forward_report", {"opinion": "选举程序符合规定。"})
    clock.on("2026-09-04")
    act(inst, "zhaozhigang", "approve_report", {"reply_number": "郑教工委〔2026〕63号"}, "同意")


_MEMBERS = [{"name": n, "view": "同意。"} for n in ("何晓丽", "李卫东", "吴建平", "孙海燕", "周立群", "杨帆")]


def _decisions(flow: Any, clock: _DemoClock, act: Any, org_id: int, proposer: int) -> int:
    """Three 三重一大 items of a school committee, decided at meetings; only one still lacks its 备案."""

    def decide(day: str, proposal: dict[str, Any], votes: list[str], filing: bool) -> Any:
        before = (dt.date.fromisoformat(day) - dt.timedelta(days=2)).isoformat()
        papers = (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()
        clock.on(before)
        inst = flow.start("major_decision", org_id, proposer)
        inst = act(inst, "hexiaoli", "submit_proposal", proposal)
        inst = act(inst, "liweidong", "agree_topic", {"opinion": "同意提交党委会研究。"})
        inst = act(
            inst,
            "yangfan",
            "fix_topic",
            {
                "meeting_date": day,
                "papers_sent_on": papers,
                "principal_consulted": True,
                "major_disagreement": False,
            },
        )
        clock.on(day)
        inst = act(
            inst,
            "yangfan",
            "record_meeting",
            {
                "meeting_date": day,
                "chair": "杨帆",
                "entitled": 7,
                "present": 6,
                "absent": [{"name": "王志强", "reason": "外出培训", "written_opinion": "同意"}],
                "opinions": _MEMBERS,
                "votes": [{"item": v, "yes": 6} for v in votes],
                "decision": f"同意{proposal['subject'][2:-3]}。",
            },
        )
        return act(
            inst,
            "yangfan",
            "issue_minutes",
            {
                "minutes_number": f"三十一中党委会纪要〔{day[:4]}〕{int(day[5:7])}号",
                "responsible": "何晓丽",
                "due_date": "2026-12-31",
                "filing_required": filing,
            },
        )

    inst = decide(
        "2026-09-15",
        {
            "category": "large_fund",
            "subject": "关于采购高二物理实验室设备的议题",
            "content": "更新高二物理分组实验设备40套。",
            "amount": 380000,
            "items": [{"item": "采购高二物理实验室设备", "detail": "预算38万元，公开招标"}],
            "involves_contract": True,
            "investigation": "教务处、总务处实地调研，比较了三家供应商方案。",
            "risk_assessment": "资金来源为年度预算，风险可控。",
            "legal_opinion": "法律顾问审核了采购合同文本，无法律风险。",
        },
        ["采购高二物理实验室设备"],
        False,
    )
    clock.on("2026-09-22")
    inst = act(inst, "wangjianguo", "acknowledge_filing", {"opinion": "程序规范，予以备案。"})
    clock.on("2026-10-09")
    act(
        inst,
        "yangfan",
        "report_result",
        {"completed_on": "2026-10-09", "result": "设备已完成招标采购并安装使用。"},
    )
    inst = decide(
        "2026-10-13",
        {
            "category": "major_matter",
            "subject": "关于修订教职工绩效考核办法的议题",
            "content": "修订绩效考核办法，突出教书育人实绩。",
            "items": [{"item": "教职工绩效考核办法（修订稿）"}],
            "affects_staff": True,
            "investigation": "工会组织各年级组座谈，收集意见42条。",
            "risk_assessment": "经教代会讨论，风险可控。",
            "public_input": "征求全体教职工意见，采纳意见15条。",
        },
        ["教职工绩效考核办法（修订稿）"],
        False,
    )
    clock.on("2026-10-26")
    act(
        inst, "yangfan", "report_result", {"completed_on": "2026-10-26", "result": "修订后的办法已印发施行。"}
    )
    decide(
        "2026-10-29",
        {
            "category": "cadre_appointment",
            "subject": "关于教务处中层干部任免的议题",
            "content": "根据学校工作需要，经民主推荐、考察，拟任命张丽华同志为教务处主任。",
            "items": [{"item": "张丽华", "detail": "拟任教务处主任"}],
            "investigation": "组织委员牵头民主推荐，对人选进行了考察谈话，征求了校纪委意见。",
        },
        ["张丽华"],
        False,
    )
    return 3
