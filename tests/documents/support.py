"""Complete re-elections through the service API, with the data of ``tests/workflows``, for the documents.

The committee path includes a 请示① returned by the handler and submitted again, and a round of 另行选举;
the no-committee path includes a 书记 candidate who fails and a second nomination. Each step is taken on
its own day so that every document has a date of its own.
"""

from __future__ import annotations

import io
from typing import Any

import docx

from flowengine.service import Services
from tests.support import Clock
from tests.workflows.support import Org, Walk
from tests.workflows.test_branch_election import CANDIDATES, REQUEST1

REQUEST2: dict[str, Any] = {
    "document_number": "三十一中高二支〔2026〕7号", "full_members": 11, "probationary_members": 2,
    "process": "经民主推荐、三次酝酿、征求党外群众意见和考察，确定委员候选人预备人选6名。",
    "candidates": CANDIDATES, "secretary_candidate": "马骏", "deputy_candidates": [{"name": "吴敏"}],
}
YES = {"马骏": 9, "王志强": 8, "刘建军": 5, "吴敏": 8, "张丽华": 6, "郑书华": 3}
VOTE: dict[str, Any] = {
    "meeting_date": "2026-11-10", "entitled": 11, "present": 10, "ballots_issued": 10, "ballots_returned": 10,
    "invalid_ballots": 0, "votes": [{"name": n, "yes": YES[n], "against": 10 - YES[n]} for n in YES],
    "elected": [{"name": n} for n in ("马骏", "王志强", "吴敏", "张丽华")],
}
EXTRA_VOTE: dict[str, Any] = {
    "present": 10, "ballots_issued": 10, "ballots_returned": 10, "invalid_ballots": 1,
    "votes": [{"name": "刘建军", "yes": 7}, {"name": "郑书华", "yes": 2}], "elected": [{"name": "刘建军"}],
}
FIRST_MEETING: dict[str, Any] = {
    "meeting_date": "2026-11-10", "chair": "王志强", "present": 5, "secretary": "马骏", "secretary_yes": 5,
    "deputies": [{"name": "吴敏", "yes": 4}],
    "duties": [{"name": "马骏", "duty": "书记"}, {"name": "吴敏", "duty": "副书记"}, {"name": "王志强", "duty": "组织委员"},
               {"name": "张丽华", "duty": "宣传委员"}, {"name": "刘建军", "duty": "纪检委员"}],
}


def reelect_with_committee(services: Services, city: Org, clock: Clock, *, typed_numbers: bool = False,
                           return_request1: bool = True) -> Walk:
    """The grade-two branch of 三十一中 (11 full members) re-elects its committee, to 批复③.

    Without ``typed_numbers`` the branch leaves its 请示/报告 numbers blank (the system numbers them); the
    school committee always types its 批复 numbers (the form requires them).
    """
    w = Walk.start(services, city, clock, "branch_election", "g2", "majun")
    w.on("2026-09-21").act("majun", "record_study", {
        "study_date": "2026-09-21", "meeting_kind": "委员会会议", "full_members": 11, "probationary_members": 2,
        "on_time": True, "summary": "支部委员会研究，拟于2026年11月按期换届，新一届支部委员会设委员5名，其中书记1名、副书记1名。"})
    request1 = REQUEST1 if typed_numbers else {k: v for k, v in REQUEST1.items() if k != "document_number"}
    w.act("majun", "submit_request1", {**request1, "election_method": "差额选举。"}, "当否，请批示。")
    if return_request1:
        w.on("2026-09-22").act("hexiaoli", "return_request1",
                               comment="请在选举办法中写明实行无记名投票，并注明差额比例。")
        w.act("majun", "submit_request1", request1, "已按要求修改。")
    w.on("2026-09-23").act("hexiaoli", "forward_request1", {"opinion": "换届时间、名额和选举办法符合规定。"})
    w.on("2026-09-24").act("liweidong", "approve_request1", {"reply_number": "三十一中党〔2026〕18号",
                                                            "opinion": "换届选举工作要严肃纪律、规范程序。"})
    w.on("2026-10-12").act("majun", "record_nomination", {
        "recommendation_date": "2026-09-28", "recommenders": 11,
        "recommendation": "全体正式党员以无记名方式推荐，按得票多少提出初步人选7名。",
        "deliberation": "支部委员会三次酝酿，征求了年级组党外教师意见，确定预备人选6名。",
        "inspection": "校党委组织委员会同支部对6名人选进行了考察，均符合条件。",
        "publicity": True, "publicity_start": "2026-09-29", "publicity_end": "2026-10-10"})
    request2 = REQUEST2 if typed_numbers else {k: v for k, v in REQUEST2.items() if k != "document_number"}
    w.act("majun", "submit_request2", request2, "当否，请批示。")
    w.on("2026-10-13").act("hexiaoli", "forward_request2", {"opinion": "人选符合条件。",
                                                           "integrity_opinion": "经征求校纪委意见，6名人选无廉政问题。"})
    w.on("2026-10-14").act("liweidong", "approve_request2", {"reply_number": "三十一中党〔2026〕23号"})
    w.on("2026-11-10").act("majun", "record_vote", VOTE)
    w.act("majun", "record_additional_vote", EXTRA_VOTE)
    w.act("majun", "record_first_meeting", FIRST_MEETING)
    report: dict[str, Any] = {"course": "2026年11月10日召开党员大会，选举产生新一届支部委员会。",
                              "remarks": "大会邀请校党委组织委员到会指导。"}
    if typed_numbers:
        report["document_number"] = "三十一中高二支〔2026〕9号"
    w.on("2026-11-12").act("majun", "submit_report", report)
    w.on("2026-11-13").act("hexiaoli", "forward_report", {"opinion": "选举程序符合规定。"})
    w.on("2026-11-16").act("liweidong", "approve_report", {"reply_number": "三十一中党〔2026〕31号"})
    assert w.instance.status == "completed"
    return w


CAO: dict[str, Any] = {"post": "书记", "name": "曹雪", "gender": "女", "birth_year": 1983, "education": "大学本科",
                       "post_held": "副校长", "joined_party": "2005-06-30"}
DENG: dict[str, Any] = {**CAO, "name": "邓宇", "post_held": "教务主任", "birth_year": 1986, "joined_party": "2009-11-02"}
BALLOT: dict[str, Any] = {"meeting_date": "2026-10-09", "entitled": 5, "present": 5, "ballots_issued": 5,
                          "ballots_returned": 5, "invalid_ballots": 0}


def reelect_without_committee(services: Services, city: Org, clock: Clock) -> Walk:
    """众意路小学's branch (5 full members) elects its 书记 directly; the first candidate fails."""
    w = Walk.start(services, city, clock, "branch_election", "zyl", "caoxue")
    w.on("2026-09-21").act("caoxue", "record_study", {
        "study_date": "2026-09-18", "meeting_kind": "党员大会", "full_members": 5, "probationary_members": 1,
        "on_time": True, "summary": "支部正式党员5人，不设支部委员会，由党员大会选举书记1名，不设副书记。"})
    w.act("caoxue", "submit_request1_nc", {
        "current_term_start": "2023-12-12", "current_term_end": "2026-12-11", "planned_month": "2026-12",
        "agenda": "听取和审查支部书记工作报告；选举支部书记", "deputy_count": 0,
        "election_method": "支部正式党员不足7人，不设支部委员会，由党员大会以无记名投票方式选举书记。"})
    w.on("2026-09-22").act("wangjianguo", "forward_request1")
    w.on("2026-09-23").act("zhaozhigang", "approve_request1", {"reply_number": "郑教工委〔2026〕41号"})

    def nominate(candidate: dict[str, Any], reply: str) -> None:
        w.act("caoxue", "record_nomination", {
            "recommendation_date": "2026-09-24", "recommenders": 5, "recommendation": "全体正式党员推荐。",
            "deliberation": "征求了党外教师意见。", "inspection": "经考察符合条件。", "publicity": False})
        w.act("caoxue", "submit_request2_nc", {
            "full_members": 5, "probationary_members": 1, "process": "经民主推荐、酝酿和考察提出书记候选人。",
            "candidates": [candidate]})
        w.act("wangjianguo", "forward_request2")
        w.act("zhaozhigang", "approve_request2", {"reply_number": reply})

    w.on("2026-09-24")
    nominate(CAO, "郑教工委〔2026〕47号")
    w.on("2026-10-09").act("caoxue", "record_secretary_vote", {
        **BALLOT, "votes": [{"post": "书记", "name": "曹雪", "yes": 2, "against": 3}]})
    assert w.state == "nominating"
    w.on("2026-10-20")
    nominate(DENG, "郑教工委〔2026〕52号")
    w.on("2026-10-28").act("caoxue", "record_secretary_vote", {
        **BALLOT, "meeting_date": "2026-10-28", "votes": [{"post": "书记", "name": "邓宇", "yes": 5, "against": 0,
                                                          "abstain": 0}]})
    w.on("2026-10-29").act("caoxue", "submit_report", {"course": "党员大会应到5人，实到5人，邓宇以5票当选支部书记。"})
    w.on("2026-10-30").act("wangjianguo", "forward_report")
    w.on("2026-11-02").act("zhaozhigang", "approve_report", {"reply_number": "郑教工委〔2026〕60号"})
    assert w.instance.status == "completed"
    return w


def paragraphs(content: bytes) -> list[str]:
    """The text of every non-empty paragraph of a .docx, body then tables, as Word would show it."""
    d = docx.Document(io.BytesIO(content))
    lines = [p.text for p in d.paragraphs if p.text.strip()]
    for table in d.tables:
        for row in table.rows:
            lines += [c.text for c in row.cells if c.text.strip()]
    return lines
