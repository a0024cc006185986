"""Complete re-elections through the service API, with the city of ``tests/support/city.py``, for the documents.

The committee path includes a 请示① returned by the handler and submitted again, and a round of 另行选举;
the no-committee path includes a 书记 candidate who fails and a second nomination. Each step is taken on
its own day so that every document has a date of its own.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import docx

from flowengine.service import Services
from flowengine.service.requests.documents import DocumentView
from tests.support import Clock
from tests.support.city import CANDIDATES, REQUEST1, Org, Walk

G2 = "郑州市第三十一中学高二年级党支部"
ZZ31 = "中共郑州市第三十一中学委员会"
ZYL = "郑东新区众意路小学党支部"
GW = "中共郑州市委教育工作委员会"


def docs_of(city: Org, w: Walk, user: str = "sunli") -> list[DocumentView]:
    return city.services.documents.list_for(w.instance.id, city.users[user])


def text_of(city: Org, doc: DocumentView) -> list[str]:
    return paragraphs(city.services.documents.get(doc.id, city.users["sunli"]).content)


def head(lines: list[str], title: str) -> tuple[str, str]:
    """The title line and the line after it (the 主送 line) of a document's paragraphs."""
    i = lines.index(title)
    return lines[i], lines[i + 1]


def cn(day: str) -> str:
    d = dt.date.fromisoformat(day)
    return f"{d.year}年{d.month}月{d.day}日"


def issued(lines: list[str], day: str) -> None:
    """The 成文日期 under the signature, and the same day in the 印发 line."""
    assert cn(day) in lines
    assert any(line.endswith(f"{cn(day)}印发") for line in lines)


REQUEST2: dict[str, Any] = {
    "document_number": "三十一中高二支〔2026〕7号",
    "full_members": 11,
    "probationary_members": 2,
    "process": "经民主推荐、三次酝酿、征求党外群众意见和考察，确定委员候选人预备人选6名。",
    "candidates": CANDIDATES,
    "secretary_candidate": "马骏",
    "deputy_candidates": [{"name": "吴敏"}],
}
YES = {"马骏": 9, "王志强": 8, "刘建军": 5, "吴敏": 8, "张丽华": 6, "郑书华": 3}
VOTE: dict[str, Any] = {
    "meeting_date": "2026-11-10",
    "entitled": 11,
    "present": 10,
    "ballots_issued": 10,
    "ballots_returned": 10,
    "invalid_ballots": 0,
    "votes": [{"name": n, "yes": YES[n], "against": 10 - YES[n]} for n in YES],
    "elected": [{"name": n} for n in ("马骏", "王志强", "吴敏", "张丽华")],
}
EXTRA_VOTE: dict[str, Any] = {
    "present": 10,
    "ballots_issued": 10,
    "ballots_returned": 10,
    "invalid_ballots": 1,
    "votes": [{"name": "刘建军", "yes": 7}, {"name": "郑书华", "yes": 2}],
    "elected": [{"name": "刘建军"}],
}
FIRST_MEETING: dict[str, Any] = {
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


#: A first ballot with a tie at the cut-off: 张丽华, 刘建军 and 郑书华 (6 each, all above half of 10) for the
#: last 2 seats; the re-vote among them elects 张丽华 and 刘建军 (条例 第二十九条).
TIE_YES = {"马骏": 9, "王志强": 8, "刘建军": 6, "吴敏": 8, "张丽华": 6, "郑书华": 6}
TIE_VOTE: dict[str, Any] = {
    **VOTE,
    "votes": [{"name": n, "yes": TIE_YES[n], "against": 10 - TIE_YES[n]} for n in TIE_YES],
    "elected": [{"name": n} for n in ("马骏", "王志强", "吴敏")],
}
RE_VOTE: dict[str, Any] = {
    "present": 10,
    "ballots_issued": 10,
    "ballots_returned": 10,
    "invalid_ballots": 0,
    "votes": [{"name": "张丽华", "yes": 7}, {"name": "刘建军", "yes": 6}, {"name": "郑书华", "yes": 3}],
    "elected": [{"name": "张丽华"}, {"name": "刘建军"}],
}


def reelect_with_committee(
    services: Services,
    city: Org,
    clock: Clock,
    *,
    typed_numbers: bool = False,
    return_request1: bool = True,
    vote: dict[str, Any] = VOTE,
    rounds: tuple[dict[str, Any], ...] = (EXTRA_VOTE,),
    until_first_meeting: bool = False,
) -> Walk:
    """The grade-two branch of 三十一中 (11 full members) re-elects its committee, to 批复③.

    Without ``typed_numbers`` the branch leaves its 请示/报告 numbers blank (the system numbers them); the
    school committee always types its 批复 numbers (the form requires them).
    """
    w = Walk.start(services, city, clock, "branch_election", "g2", "majun")
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
    request1 = REQUEST1 if typed_numbers else {k: v for k, v in REQUEST1.items() if k != "document_number"}
    w.act("majun", "submit_request1", {**request1, "election_method": "差额选举。"}, "当否，请批示。")
    if return_request1:
        w.on("2026-09-22").act(
            "hexiaoli", "return_request1", comment="请在选举办法中写明实行无记名投票，并注明差额比例。"
        )
        w.act("majun", "submit_request1", request1, "已按要求修改。")
    w.on("2026-09-23").act("hexiaoli", "forward_request1", {"opinion": "换届时间、名额和选举办法符合规定。"})
    w.on("2026-09-24").act(
        "liweidong",
        "approve_request1",
        {"reply_number": "三十一中党〔2026〕18号", "opinion": "换届选举工作要严肃纪律、规范程序。"},
    )
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
    request2 = REQUEST2 if typed_numbers else {k: v for k, v in REQUEST2.items() if k != "document_number"}
    w.act("majun", "submit_request2", request2, "当否，请批示。")
    w.on("2026-10-13").integrity("wangqing")
    w.act("hexiaoli", "forward_request2", {"opinion": "人选符合条件。"})
    w.on("2026-10-14").act("liweidong", "approve_request2", {"reply_number": "三十一中党〔2026〕23号"})
    w.on("2026-11-10").act("majun", "record_vote", vote)
    for extra in rounds:
        w.act("majun", "record_additional_vote", extra)
    if until_first_meeting:
        return w
    w.act("majun", "record_first_meeting", FIRST_MEETING)
    report: dict[str, Any] = {
        "course": "2026年11月10日召开党员大会，选举产生新一届支部委员会。",
        "remarks": "大会邀请校党委组织委员到会指导。",
    }
    if typed_numbers:
        report["document_number"] = "三十一中高二支〔2026〕9号"
    w.on("2026-11-12").act("majun", "submit_report", report)
    w.on("2026-11-13").act("hexiaoli", "forward_report", {"opinion": "选举程序符合规定。"})
    w.on("2026-11-16").act("liweidong", "approve_report", {"reply_number": "三十一中党〔2026〕31号"})
    assert w.instance.status == "completed"
    return w


CAO: dict[str, Any] = {
    "post": "书记",
    "name": "曹雪",
    "gender": "女",
    "birth_year": 1983,
    "education": "大学本科",
    "post_held": "副校长",
    "joined_party": "2005-06-30",
}
DENG: dict[str, Any] = {
    **CAO,
    "name": "邓宇",
    "post_held": "教务主任",
    "birth_year": 1986,
    "joined_party": "2009-11-02",
}
BALLOT: dict[str, Any] = {
    "meeting_date": "2026-10-09",
    "entitled": 5,
    "present": 5,
    "ballots_issued": 5,
    "ballots_returned": 5,
    "invalid_ballots": 0,
}


def reelect_without_committee(services: Services, city: Org, clock: Clock) -> Walk:
    """众意路小学's branch (5 full members) elects its 书记 directly; the first candidate fails."""
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
    w.on("2026-09-22").act("wangjianguo", "forward_request1")
    w.on("2026-09-23").act("zhaozhigang", "approve_request1", {"reply_number": "郑教工委〔2026〕41号"})

    def nominate(candidate: dict[str, Any], reply: str) -> None:
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
        w.act("zhaozhigang", "approve_request2", {"reply_number": reply})

    w.on("2026-09-24")
    nominate(CAO, "郑教工委〔2026〕47号")
    w.on("2026-10-09").act(
        "caoxue",
        "record_secretary_vote",
        {**BALLOT, "votes": [{"post": "书记", "name": "曹雪", "yes": 2, "against": 3}]},
    )
    assert w.state == "nominating"
    w.on("2026-10-20")
    nominate(DENG, "郑教工委〔2026〕52号")
    w.on("2026-10-28").act(
        "caoxue",
        "record_secretary_vote",
        {
            **BALLOT,
            "meeting_date": "2026-10-28",
            "votes": [{"post": "书记", "name": "邓宇", "yes": 5, "against": 0, "abstain": 0}],
        },
    )
    w.on("2026-10-29").act(
        "caoxue", "submit_report", {"course": "党员大会应到5人，实到5人，邓宇以5票当选支部书记。"}
    )
    w.on("2026-10-30").act("wangjianguo", "forward_report")
    w.on("2026-11-02").act("zhaozhigang", "approve_report", {"reply_number": "郑教工委〔2026〕60号"})
    assert w.instance.status == "completed"
    return w


def paragraphs(content: bytes) -> list[str]:
    """The text of every non-empty paragraph of a .docx, body then tables, as Word would show it.

    A line break inside a paragraph (a long title set on two lines) is layout, not text: it is dropped.
    """
    d = docx.Document(io.BytesIO(content))
    lines = [p.text.replace("\n", "") for p in d.paragraphs if p.text.strip()]
    for table in d.tables:
        for row in table.rows:
            lines += [c.text for c in row.cells if c.text.strip()]
    return lines


# ---- 三重一大 ---------------------------------------------------------------------------------------------

#: Three appointments decided candidate by candidate: one member withdraws from the second, the third fails.
APPOINTMENTS: dict[str, Any] = {
    "category": "cadre_appointment",
    "subject": "关于教务处、德育处、总务处中层干部任免的议题",
    "content": "根据学校工作需要，经民主推荐、考察，拟任命张丽华同志为教务处主任，刘建军同志为德育处副主任，"
    "周明同志为总务处副主任。",
    "items": [
        {"item": "张丽华", "detail": "拟任教务处主任"},
        {"item": "刘建军", "detail": "拟任德育处副主任"},
        {"item": "周明", "detail": "拟任总务处副主任"},
    ],
    "investigation": "组织委员牵头，在教务处、德育处、总务处范围内民主推荐，对三名人选进行了考察谈话，征求了校纪委意见。",
}
DECISION_MEETING: dict[str, Any] = {
    "meeting_date": "2026-09-29",
    "chair": "杨帆",
    "entitled": 7,
    "present": 6,
    "absent": [{"name": "周立群", "reason": "公出", "written_opinion": "同意"}],
    "withdrawn": [{"name": "王志强", "item": "刘建军", "reason": "与人选系亲属关系"}],
    "opinions": [
        {"name": "何晓丽", "view": "同意张丽华、刘建军同志的任职安排，周明同志任职时间较短，建议暂缓。"},
        {"name": "李卫东", "view": "同意，建议加强对新任干部的培养。"},
        {"name": "吴建平", "view": "同意。"},
        {"name": "孙海燕", "view": "同意前两名同志任职，对周明同志任职持保留意见。"},
        {"name": "杨帆", "view": "同意张丽华、刘建军同志任职，按程序办理任职手续。"},
    ],
    "votes": [
        {"item": "张丽华", "yes": 6, "against": 0, "abstain": 0},
        {"item": "刘建军", "yes": 4, "against": 1, "abstain": 0},
        {"item": "周明", "yes": 3, "against": 2, "abstain": 1},
    ],
    "decision": "同意任命张丽华为教务处主任、刘建军为德育处副主任；周明同志任总务处副主任事项未获通过，暂缓研究。",
}
ISSUE_MINUTES: dict[str, Any] = {
    "minutes_number": "三十一中党委会纪要〔2026〕14号",
    "responsible": "何晓丽",
    "due_date": "2026-10-16",
}


def decide_appointments(services: Services, city: Org, clock: Clock) -> Walk:
    """三十一中's Party committee decides three appointments and files them with the 市委教育工委."""
    w = Walk.start(services, city, clock, "major_decision", "zz31", "hexiaoli")
    w.on("2026-09-22").act("hexiaoli", "submit_proposal", APPOINTMENTS)
    w.act("liweidong", "agree_topic", {"opinion": "同意提交党委会研究。"})
    w.on("2026-09-25").act(
        "yangfan",
        "fix_topic",
        {
            "meeting_date": "2026-09-29",
            "papers_sent_on": "2026-09-28",
            "principal_consulted": True,
            "major_disagreement": False,
        },
    )
    w.on("2026-09-29").act("yangfan", "record_meeting", DECISION_MEETING)
    w.on("2026-09-30").act("yangfan", "issue_minutes", ISSUE_MINUTES)
    assert w.state == "filing"
    w.on("2026-10-09").act("wangjianguo", "acknowledge_filing", {"opinion": "程序规范，予以备案。"})
    assert w.state == "implementing"
    return w


URGENT: dict[str, Any] = {
    "decided_on": "2026-09-23",
    "emergency": "受强降雨影响，学校北侧围墙出现裂缝并局部坍塌，危及住校学生安全",
    "decision": "立即动用年度预算内应急资金对北侧围墙进行抢修加固，抢修期间北门封闭，住校学生临时转移至综合楼住宿。",
}
TOLD: dict[str, Any] = {
    "meeting_date": "2026-09-28",
    "entitled": 7,
    "present": 5,
    "filing_required": True,
    "summary": "与会成员一致同意书记的临机决定，要求总务处做好抢修工程的质量监督和资金结算。",
}


def decide_urgently(services: Services, city: Org, clock: Clock) -> Walk:
    """An emergency: the 书记 decides alone, reports to the next meeting, and the matter is filed."""
    w = Walk.start(services, city, clock, "major_decision", "zz31", "hexiaoli")
    w.on("2026-09-22").act(
        "hexiaoli",
        "submit_proposal",
        {
            "category": "major_matter",
            "subject": "关于北侧围墙抢修加固的议题",
            "content": "北侧围墙因强降雨出现裂缝并局部坍塌，需立即抢修加固。",
            "items": [{"item": "北侧围墙抢修加固"}],
            "investigation": "总务处会同施工单位现场勘查，确定抢修方案。",
            "risk_assessment": "围墙随时可能进一步坍塌，必须立即处置。",
        },
    )
    w.act("liweidong", "agree_topic")
    w.on("2026-09-23").act("yangfan", "decide_urgently", URGENT)
    w.on("2026-09-28").act("yangfan", "report_to_meeting", TOLD)
    assert w.state == "filing"
    w.on("2026-09-30").act("wangjianguo", "acknowledge_filing")
    return w
