"""The 三重一大 documents — the 会议纪要 and the 备案报告 — opened as Word would open them.

A cadre appointment of three candidates is decided at a meeting: one member is absent with a written
opinion, one withdraws (回避) from the candidate who is his relative, the third candidate fails. The minutes
and the report filed with the 市委教育工委 must carry every number of that meeting as the secretary
recorded it; an emergency decision by the 书记 is filed with its report to the next meeting. Expected
numbers and verdicts are computed from the submitted data, not typed a second time.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from flowengine.documents.prose import chinese_number
from tests.support import Clock
from tests.support.city import Org
from tests.support.documents import (
    APPOINTMENTS,
    DECISION_MEETING,
    GW,
    ISSUE_MINUTES,
    TOLD,
    URGENT,
    ZZ31,
    cn,
    decide_appointments,
    decide_urgently,
    docs_of,
    head,
    issued,
    text_of,
)

TITLE = "关于教务处、德育处、总务处中层干部任免的会议纪要"


def _vote_lines(meeting: dict[str, Any], proposal: dict[str, Any]) -> list[str]:
    """Each item's line as the minutes must write it, its verdict worked out from the rule (yes votes
    more than half of the members *entitled* to attend), the member who withdrew named on his item."""
    details = {i["item"]: i["detail"] for i in proposal["items"]}
    withdrawn = {w["item"]: w["name"] for w in meeting.get("withdrawn", [])}
    out = []
    for n, v in enumerate(meeting["votes"], 1):
        passed = Fraction(v["yes"]) > Fraction(meeting["entitled"], 2)
        aside = f"（{withdrawn[v['item']]}同志回避）" if v["item"] in withdrawn else ""
        verdict = "同意票超过应到会成员半数，通过。" if passed else "同意票未超过应到会成员半数，未通过。"
        out.append(
            f"（{chinese_number(n)}）{v['item']}（{details[v['item']]}）。同意{v['yes']}票，"
            f"不同意{v['against']}票，弃权{v['abstain']}票{aside}，{verdict}"
        )
    return out


def test_minutes_and_filing_report_of_a_cadre_appointment(city: Org, clock: Clock) -> None:
    w = decide_appointments(city.services, city, clock)
    docs = docs_of(city, w)
    assert [(d.name, d.kind, d.issuer_name) for d in docs] == [
        ("minutes", "纪要", ZZ31),
        ("filing", "报告", ZZ31),
    ]
    minutes, filing = docs
    # The minutes carry the number the office typed; the report takes the committee's next serial.
    assert (minutes.number, filing.number) == (ISSUE_MINUTES["minutes_number"], "三十一中党〔2026〕2号")
    meeting, votes = DECISION_MEETING, _vote_lines(DECISION_MEETING, APPOINTMENTS)
    assert sum("未通过" in line for line in votes) == 1  # the data has a failed candidate: the test sees both

    # ---- the 会议纪要: 纪要 mark, number and date in the masthead, no 主送, no signature.
    lines = text_of(city, minutes)
    assert lines[0] == f"{ZZ31}会议纪要"
    assert lines[1] == f"{minutes.number}\t{cn('2026-09-30')}"
    assert lines[2] == TITLE
    meeting_day = cn(meeting["meeting_date"])
    assert lines[3].startswith(
        f"{meeting_day}，{ZZ31}召开党委会议，专题研究教务处、德育处、总务处中层干部任免事项。"
        f"会议由{meeting['chair']}同志主持。"
    )  # the body follows the title: no 主送 line
    assert not any(line.endswith("：") and line.startswith("中共") for line in lines)
    opening = lines[3]
    assert (
        f"应到会成员{meeting['entitled']}名，实到会{meeting['present']}名，不少于应到会成员的三分之二，符合规定。"
        in opening
    )  # a cadre appointment needs two thirds: 6 of 7
    assert "周立群同志因公出缺席，会前提交书面意见“同意”，不计入表决票。" in opening
    assert "王志强同志因与人选系亲属关系，在研究刘建军同志任职事项时回避。" in opening
    assert f"会议听取了关于教务处、德育处、总务处中层干部任免的汇报。{APPOINTMENTS['content']}" in lines

    # Every member's view in the order spoken, the chair's last.
    [views] = [line for line in lines if line.startswith("与会成员按顺序逐一发表意见。")]
    said = [f"{o['name']}同志：{o['view'].rstrip('。')}" for o in meeting["opinions"][:-1]]
    assert views == (
        "与会成员按顺序逐一发表意见。"
        + "；".join(said)
        + "。"
        + f"主持人{meeting['chair']}同志最后表态：{meeting['opinions'][-1]['view']}"
    )
    assert views.index("主持人") > max(views.index(s) for s in said)

    # Item by item, in the order voted, with the verdict against the members entitled to attend.
    at = lines.index("会议逐项（逐人）进行表决，结果如下：")
    assert lines[at + 1 : at + 1 + len(votes)] == votes
    assert lines[at + 1 + len(votes)] == f"会议决定：{meeting['decision']}"
    assert (
        f"会议明确，由{ISSUE_MINUTES['responsible']}同志牵头负责落实，于{cn(ISSUE_MINUTES['due_date'])}前完成。"
        f"会议决定事项报{GW}备案。"
    ) in lines
    # Those present are exactly as many as the record says, the chair first; the absent member apart.
    [present] = [line for line in lines if line.startswith("出席：")]
    names = present.removeprefix("出席：").split("、")
    assert names[0] == meeting["chair"] and len(names) == meeting["present"] and "王志强" in names
    assert "缺席：周立群（公出）" in lines and "周立群" not in names
    assert any(line.endswith(f"{cn('2026-09-30')}印发") for line in lines)
    assert f"{ZZ31}\t{cn('2026-09-30')}印发" in lines

    # ---- the 备案报告: the committee's own 上行文, signed by its 书记 (not by the handler who filed it),
    # dated the day the minutes went out, to the 市委教育工委.
    lines = text_of(city, filing)
    assert lines[0] == f"{ZZ31}文件"
    assert lines[1] == f"{filing.number}\t签发人：杨帆"
    assert head(lines, "关于“三重一大”事项决策情况的备案报告")[1] == f"{GW}："
    body = "".join(lines)
    assert (
        f"现将我委{meeting_day}党委会议研究决定的教务处、德育处、总务处中层干部任免事项（重要干部任免）报告如下："
        in body
    )
    assert f"一、事项基本情况。{APPOINTMENTS['content']}" in lines
    assert (
        "二、决策程序。议题上会前进行了调研论证，经分管领导同意，由书记确定上会，会前书记与校长进行了沟通，无重大分歧，"
        f"会议材料于{cn('2026-09-28')}送达。{meeting_day}，我委召开党委会议，由杨帆同志主持。"
    ) in body
    assert "不少于应到会成员的三分之二，符合规定。" in body and "在研究刘建军同志任职事项时回避。" in body
    at = lines.index("三、表决结果和决定事项。")
    assert lines[at + 1 : at + 1 + len(votes)] == votes
    assert f"四、落实安排。由何晓丽同志牵头负责落实，于{cn(ISSUE_MINUTES['due_date'])}前完成。" in lines
    assert f"会议纪要（{minutes.number}）随文报送。" in lines
    end = lines.index("特此报告。")
    assert lines[end + 1 : end + 3] == [ZZ31, cn("2026-09-30")]
    issued(lines, "2026-09-30")
    assert "王建国" not in body  # the superior's handler acknowledged it; he did not sign it


def test_filing_report_of_an_emergency_decision(city: Org, clock: Clock) -> None:
    w = decide_urgently(city.services, city, clock)
    [filing] = docs_of(city, w)  # no meeting decided it: no minutes
    assert (filing.name, filing.number) == ("filing", "三十一中党〔2026〕1号")
    lines = text_of(city, filing)
    assert lines[1] == f"{filing.number}\t签发人：杨帆"
    assert head(lines, "关于“三重一大”事项决策情况的备案报告")[1] == f"{GW}："
    body = "".join(lines)
    assert "现将我委北侧围墙抢修加固事项（重大事项决策）的临机决定及向会议通报情况报告如下：" in body
    assert (
        f"二、临机决定情况。{URGENT['emergency']}，情况紧急，来不及召开会议。{cn(URGENT['decided_on'])}，"
        f"书记临机作出决定：{URGENT['decision']}"
    ) in lines
    assert (
        f"三、会议通报情况。{cn(TOLD['meeting_date'])}，我委召开党委会议，应到会成员{TOLD['entitled']}名，"
        f"实到会{TOLD['present']}名，超过应到会成员半数，符合规定。书记在会上通报了临机决定情况。{TOLD['summary']}"
    ) in lines
    end = lines.index("特此报告。")
    assert lines[end + 1 : end + 3] == [ZZ31, cn(TOLD["meeting_date"])]  # written when it was reported
    issued(lines, TOLD["meeting_date"])
