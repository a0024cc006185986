"""Demo 三重一大 decisions of a school Party committee: one filed, one not needing it, one awaiting 备案."""

from __future__ import annotations

import datetime as dt
from typing import Any


def seed(seeder: Any) -> None:
    _decisions(seeder, seeder.clock, seeder.act)


_MEMBERS = [{"name": n, "view": "同意。"} for n in ("何晓丽", "李卫东", "吴建平", "孙海燕", "周立群", "杨帆")]


def _decisions(seeder: Any, clock: Any, act: Any) -> None:
    """Three 三重一大 items of a school committee, decided at meetings; only one still lacks its 备案."""

    def decide(day: str, proposal: dict[str, Any], votes: list[str], filing: bool) -> Any:
        before = (dt.date.fromisoformat(day) - dt.timedelta(days=2)).isoformat()
        papers = (dt.date.fromisoformat(day) - dt.timedelta(days=1)).isoformat()
        clock.on(before)
        inst = seeder.start("major_decision", "zz31", "hexiaoli")
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
