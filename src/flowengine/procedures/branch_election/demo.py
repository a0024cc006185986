"""Demo re-elections at every stage, driven through the service exactly as people would (see
:mod:`flowengine.demo` for the organizations, the people and the seeder)."""

from __future__ import annotations

from typing import Any

from flowengine.chinese import CHINA

WORKFLOW = "branch_election"


def seed(seeder: Any) -> None:
    """Re-elections at several stages: submitted, returned, approved, overdue, returned often, completed."""
    clock = seeder.clock
    act = seeder.act

    def study(org: str, user: str, full: int, prob: int, summary: str, kind: str = "委员会会议") -> Any:
        inst = seeder.start(WORKFLOW, org, user)
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

    # 7. 师范学院附属小学党支部: re-elected on time, 批复③ given before the term ran out.
    def sign(inst: Any, user: str, data: dict[str, Any]) -> Any:
        return seeder.services.verbs.sign(inst.id, "approve", seeder.users[user], data)

    _complete_reelection(clock, act, study, sign)


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


def _complete_reelection(clock: Any, act: Any, study: Any, sign: Any) -> None:
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
    clock.on("2026-07-28")
    # The 工委's 纪检 side gives its 党风廉政意见 on each candidate, in parallel with the handler's review.
    inst = sign(
        inst,
        "lijian",
        {"opinions": [{"name": c["name"], "view": "无意见"} for c in _FX_CANDIDATES]},
    )
    clock.on("2026-07-29")
    inst = act(inst, "wangjianguo", "forward_request2", {"opinion": "人选符合条件。"})
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
