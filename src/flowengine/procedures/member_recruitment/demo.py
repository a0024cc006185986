"""Demo people at every stage of 发展党员, some late: a talk overdue, an approval past three months, a 预备期
ended with no 转正 decision; one extension, one full member; a yearly plan for two committees."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

WORKFLOW = "member_recruitment"
#: The secretary of each demo branch and the handler of the committee that approves for it.
BRANCHES = {"zz24-b1": ("zhangming", "wangjianguo"), "zz18": ("hanlei", "wangjianguo")}
#: 控制总量: the yearly plan the work committee, which approves for both branches, set for itself.
PLANS = {"zzjgw": 10}


@dataclass(frozen=True)
class Demo:
    name: str
    gender: str
    born: str
    org: str
    received: str
    talk: str = ""
    activist: str = ""
    prospect: str = ""
    review: str = ""
    publicity: str = ""
    meeting: str = ""
    organizer: str = ""
    approve: str = ""
    #: (meeting day, decision, months of extension, approval day) of each 转正 meeting.
    conversions: tuple[tuple[str, str, int, str], ...] = field(default=())


PEOPLE = (
    Demo("陈思远", "男", "2001-08-12", "zz24-b1", "2026-11-10"),
    Demo("刘雨桐", "女", "1999-03-21", "zz24-b1", "2026-09-15"),  # talk overdue since 16 October
    Demo("赵一鸣", "男", "1995-11-02", "zz24-b1", "2026-03-02", talk="2026-03-20"),
    Demo("孙佳怡", "女", "1997-06-30", "zz24-b1", "2025-12-01", talk="2025-12-15", activist="2026-04-15"),
    Demo("周子航", "男", "1994-01-09", "zz24-b1", "2025-01-06", "2025-01-20", "2025-05-10", "2026-06-01"),
    Demo(
        "吴嘉欣",
        "女",
        "1996-09-18",
        "zz24-b1",
        "2024-11-04",
        "2024-11-20",
        "2025-03-10",
        "2026-03-20",
        review="2026-10-28",
        publicity="2026-11-18",
    ),
    Demo(  # approval past three months (支部大会 10 July)
        "郑浩然",
        "男",
        "1993-04-25",
        "zz24-b1",
        "2024-05-06",
        "2024-05-20",
        "2024-09-10",
        "2025-09-15",
        review="2026-05-20",
        publicity="2026-06-01",
        meeting="2026-07-10",
    ),
    Demo(
        "王诗涵",
        "女",
        "1995-12-12",
        "zz24-b1",
        "2024-03-04",
        "2024-03-18",
        "2024-06-20",
        "2025-06-25",
        review="2026-02-10",
        publicity="2026-02-24",
        meeting="2026-03-12",
        organizer="2026-03-25",
        approve="2026-04-10",
    ),
    Demo(  # 预备期 ended on 19 October 2026, no 转正 decision yet
        "黄俊杰",
        "男",
        "1992-07-07",
        "zz18",
        "2023-09-04",
        "2023-09-15",
        "2024-01-10",
        "2025-01-15",
        review="2025-09-10",
        publicity="2025-09-22",
        meeting="2025-10-20",
        organizer="2025-10-30",
        approve="2025-11-20",
    ),
    Demo(  # extended by eight months
        "林晓",
        "女",
        "1991-02-14",
        "zz18",
        "2023-03-06",
        "2023-03-20",
        "2023-06-12",
        "2024-06-20",
        review="2025-03-10",
        publicity="2025-03-24",
        meeting="2025-04-15",
        organizer="2025-04-25",
        approve="2025-05-15",
        conversions=(("2026-04-20", "extend", 8, "2026-05-10"),),
    ),
    Demo(  # a full member since January 2026
        "马文博",
        "男",
        "1990-10-01",
        "zz18",
        "2023-02-06",
        "2023-02-20",
        "2023-05-08",
        "2024-05-10",
        review="2024-12-10",
        publicity="2024-12-16",
        meeting="2025-01-08",
        organizer="2025-01-20",
        approve="2025-02-20",
        conversions=(("2026-01-12", "convert", 0, "2026-02-10"),),
    ),
    Demo("杨柳", "女", "2000-05-05", "zz18", "2026-06-01", talk="2026-06-10"),
    Demo(
        "何俊",
        "男",
        "1998-08-08",
        "zz18",
        "2024-08-01",
        "2024-08-15",
        "2024-11-20",
        "2025-11-25",
        review="2026-08-20",
        publicity="2026-09-01",
        meeting="2026-09-20",
        organizer="2026-10-08",
        approve="2026-10-20",
    ),
)


def seed(seeder: Any) -> None:
    for code, quota in PLANS.items():
        seeder.configure(code, WORKFLOW, {"annual_quota": quota})
    for person in PEOPLE:
        _walk(seeder, person)


def _walk(seeder: Any, p: Demo) -> None:  # noqa: C901 — one step per stage reached, in order
    sec, handler = BRANCHES[p.org]
    clock, act = seeder.clock, seeder.act
    clock.on(p.received)
    inst = seeder.start(
        WORKFLOW,
        p.org,
        sec,
        {
            "applicant_name": p.name,
            "gender": p.gender,
            "birth_date": p.born,
            "ethnicity": "汉族",
            "education": "大学本科",
            "post": "教师",
            "application_date": p.received,
            "received_on": p.received,
        },
    )
    if p.talk:
        clock.on(p.talk)
        inst = act(inst, sec, "record_first_talk", {"talked_on": p.talk, "talker": "支部组织委员"})
    if p.activist:
        clock.on(p.activist)
        contacts = [{"name": "李建华", "full_member": True}, {"name": "王芳", "full_member": True}]
        inst = act(
            inst,
            sec,
            "appoint_activist",
            {"decided_on": p.activist, "recommended_by": "党员推荐", "contacts": contacts},
        )
        inst = act(inst, handler, "file_activist", {"opinion": "同意备案。"})
    if p.prospect:
        clock.on(p.prospect)
        introducers = [{"name": "李建华", "full_member": True}, {"name": "张卫国", "full_member": True}]
        inst = act(
            inst,
            sec,
            "propose_prospect",
            {"decided_on": p.prospect, "views_heard": True, "introducers": introducers},
        )
        inst = act(inst, handler, "file_prospect", {"opinion": "同意备案。"})
    if p.review:
        clock.on(p.review)
        inst = act(
            inst,
            sec,
            "submit_pre_review",
            {
                "review_concluded_on": p.review,
                "review_result": "passed",
                "review_summary": "本人及主要社会关系政治历史清楚，政治审查合格。",
                "training_from": p.review,
                "training_to": p.review,
                "training_days": 3,
                "training_hours": 24,
                "examined_on": p.review,
            },
        )
    if p.publicity:
        clock.on(p.publicity)
        inst = act(inst, handler, "pass_pre_review", {"opinion": "预审合格。", "publicity_from": p.publicity})
    if p.meeting:
        clock.on(p.meeting)
        inst = act(inst, sec, "close_publicity", {"publicity_feedback": "公示期间未收到反映。"})
        inst = act(
            inst,
            sec,
            "hold_admission_meeting",
            {
                "meeting_date": p.meeting,
                "volunteer_form_filled": True,
                "voting_members": 12 if p.org == "zz24-b1" else 21,
                "attending": 10 if p.org == "zz24-b1" else 18,
                "admission_yes": 10 if p.org == "zz24-b1" else 17,
                "resolution_text": f"同意接收{p.name}同志为中共预备党员。",
            },
        )
    if p.organizer:
        clock.on(p.organizer)
        inst = act(inst, handler, "record_organizer_talk", {"talked_on": p.organizer, "talker": "组织员"})
    if p.approve:
        clock.on(p.approve)
        inst = act(inst, handler, "approve_admission", {"decided_on": p.approve})
    for i, (day, decision, months, approved) in enumerate(p.conversions):
        clock.on(day)
        inst = act(inst, sec, "reopen_conversion" if i else "open_conversion")
        data = {
            "application_received_on": day,
            "meeting_date": day,
            "voting_members": 21,
            "attending": 18,
            "conversion_decision": decision,
            "conversion_yes": 17,
            "resolution_text": "支部大会讨论了预备党员的转正问题。",
        }
        if months:
            data["extension_months"] = months
        inst = act(inst, sec, "hold_conversion_meeting", data)
        clock.on(approved)
        inst = act(inst, handler, "approve_conversion", {"decided_on": approved})
