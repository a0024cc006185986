"""三重一大: the 会议纪要 of the deciding meeting and the 备案报告 to the superior.

The minutes record what procedures.md §4 asks a collective decision to show: who attended and whether the
quorum held (two thirds for cadre appointments), who was absent and whose written opinion is not a vote,
who withdrew (回避) from which item, each member's view in the order spoken with the chair last, the vote
item by item (candidate by candidate) against the members entitled to attend, the decision and who
carries it out by when. The 备案报告 tells the superior the matter, the procedure followed and the result;
after an emergency decision by the 书记 it tells that decision and its report to the next meeting.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from flowengine.documents.common import as_date, frame, last_step
from flowengine.documents.model import DocumentContext, OfficialDocument, Paragraph, Span
from flowengine.documents.prose import (
    body_of,
    chinese_fraction,
    clause,
    count,
    date_cn,
    heading,
    join_names,
    rows,
    sentence,
    us,
)
from flowengine.engine.rules.common import least_at_least, more_than, ratio
from flowengine.procedures.major_decision.rules import CATEGORIES, OPINIONS, passes

PROPOSAL = "submit_proposal"


def topic(subject: Any) -> str:
    """关于教务处、德育处中层干部任免的议题 → 教务处、德育处中层干部任免."""
    text = clause(subject)
    text = re.sub(r"^关于", "", text)
    text = re.sub(r"(的)?议题$", "", text)
    return re.sub(r"的$", "", text) or clause(subject)


def _yuan(amount: Any) -> str:
    try:
        value = float(amount)
    except (TypeError, ValueError):
        return ""
    if value >= 10000 and value % 100 == 0:
        return f"{value / 10000:g}万元"
    return f"{value:,.2f}元".replace(".00元", "元")


def _fraction(ctx: DocumentContext, key: str, default: str) -> Fraction:
    try:
        return ratio(ctx.settings.get(key, default))
    except ValueError:
        return ratio(default)


def _quorum(ctx: DocumentContext, category: str | None, entitled: int, present: int) -> str:
    """超过应到会成员半数 / 不少于应到会成员的三分之二, said only when it holds."""
    if category in (ctx.settings.get("strict_quorum_categories") or ()):
        f = _fraction(ctx, "cadre_quorum_ratio", "2/3")
        if present >= least_at_least(entitled, f):
            return f"不少于应到会成员的{chinese_fraction(f)}，符合规定"
        return ""
    f = _fraction(ctx, "quorum_ratio", "1/2")
    if ctx.settings.get("half_inclusive") and not more_than(present, entitled, f):
        if present >= least_at_least(entitled, f):
            return f"达到应到会成员{'' if f == Fraction(1, 2) else '的'}{chinese_fraction(f)}，符合规定"
        return ""
    if more_than(present, entitled, f):
        return f"超过应到会成员{'' if f == Fraction(1, 2) else '的'}{chinese_fraction(f)}，符合规定"
    return ""


def _passes(ctx: DocumentContext, row: Mapping[str, Any], entitled: int, withdrawn: int = 0) -> bool:
    return passes(ctx.settings, count(row.get("yes")), entitled, withdrawn)


def _attendance(meeting: Mapping[str, Any], category: str | None, ctx: DocumentContext) -> str:
    entitled, present = count(meeting.get("entitled")), count(meeting.get("present"))
    quorum = _quorum(ctx, category, entitled, present)
    text = f"应到会成员{entitled}名，实到会{present}名{'，' + quorum if quorum else ''}。"
    for a in rows(meeting.get("absent")):
        reason = f"因{clause(a.get('reason'))}" if a.get("reason") else ""
        text += f"{a.get('name')}同志{reason}缺席"
        if a.get("written_opinion"):
            text += f"，会前提交书面意见“{clause(a['written_opinion'])}”，不计入表决票"
        text += "。"
    for w in rows(meeting.get("withdrawn")):
        text += f"{w.get('name')}同志因{clause(w.get('reason'))}，在研究{_matter(category, w.get('item'))}时回避。"
    return text


def _matter(category: str | None, item: Any) -> str:
    """The item a member withdrew from, as the minutes name it: 刘建军同志任职事项, or “采购……”事项."""
    if category == "cadre_appointment":
        return f"{clause(item)}同志任职事项"
    return f"“{clause(item)}”事项"


def _item_label(ctx: DocumentContext, item: str) -> str:
    """张丽华（拟任教务处主任）: an item with its detail from the proposal."""
    for row in rows(ctx.step(PROPOSAL).get("items")):
        if row.get("item") == item and row.get("detail"):
            return f"{item}（{clause(row['detail'])}）"
    return item


def _votes(ctx: DocumentContext, meeting: Mapping[str, Any]) -> list[Paragraph]:
    entitled = count(meeting.get("entitled"))
    withdrawn: dict[str, list[str]] = {}
    for w in rows(meeting.get("withdrawn")):
        withdrawn.setdefault(str(w.get("item")), []).append(str(w.get("name")))
    pass_ratio = _fraction(ctx, "pass_ratio", "1/2")
    share = "半数" if pass_ratio == Fraction(1, 2) else f"的{chinese_fraction(pass_ratio)}"
    out = []
    for i, v in enumerate(rows(meeting.get("votes")), 1):
        item = str(v.get("item"))
        text = (
            f"同意{count(v.get('yes'))}票，不同意{count(v.get('against'))}票，弃权{count(v.get('abstain'))}票"
        )
        if withdrawn.get(item):
            text += f"（{join_names(withdrawn[item])}同志回避）"
        base = "应到会成员"
        if withdrawn.get(item) and not ctx.settings.get("withdrawn_in_denominator", True):
            base = f"应到会成员（除去回避的{len(withdrawn[item])}名）"
        reached = "达到" if ctx.settings.get("half_inclusive") else "超过"
        text += (
            f"，同意票{reached}{base}{share}，通过。"
            if _passes(ctx, v, entitled, len(withdrawn.get(item, [])))
            else f"，同意票未{reached}{base}{share}，未通过。"
        )
        out.append(Paragraph.item(f"（{heading(i)[:-1]}）{_item_label(ctx, item)}。", text))
    return out


def _opinions(meeting: Mapping[str, Any]) -> str:
    ops = rows(meeting.get("opinions"))
    chair = str(meeting.get("chair") or "")
    said = [f"{o.get('name')}同志：{clause(o.get('view'))}" for o in ops if o.get("name") != chair]
    last = [o for o in ops if o.get("name") == chair]
    text = "与会成员按顺序逐一发表意见。" + ("；".join(said) + "。" if said else "")
    if last:
        text += f"主持人{chair}同志最后表态：{sentence(last[-1].get('view'))}"
    return text


def _filed(ctx: DocumentContext, category: str | None, minutes: Mapping[str, Any]) -> bool:
    return bool(minutes.get("filing_required")) or category in (ctx.settings.get("filing_categories") or ())


def minutes(ctx: DocumentContext) -> OfficialDocument:
    proposal, meeting, issue = ctx.step(PROPOSAL), ctx.step("record_meeting"), ctx.step(ctx.action)
    category = proposal.get("category")
    org = ctx.org
    subject = topic(proposal.get("subject"))
    title = f"关于{subject}的会议纪要"
    day = as_date(meeting.get("meeting_date"))
    body = [
        Paragraph.of(
            f"{date_cn(day) if day else ''}，{org.name}召开{body_of(org)}，专题研究{subject}事项。"
            f"会议由{meeting.get('chair')}同志主持。{_attendance(meeting, category, ctx)}"
        )
    ]
    body.append(
        Paragraph.of(
            f"会议听取了关于{subject}的汇报。{sentence(proposal.get('content'))}"
            + (f"涉及金额{_yuan(proposal['amount'])}。" if proposal.get("amount") else "")
        )
    )
    body.append(Paragraph.of(_opinions(meeting)))
    body.append(Paragraph.of("会议逐项（逐人）进行表决，结果如下："))
    body += _votes(ctx, meeting)
    body.append(Paragraph.item("会议决定：", sentence(meeting.get("decision"))))
    due = as_date(issue.get("due_date"))
    follow = f"会议明确，由{issue.get('responsible')}同志牵头负责落实"
    follow += f"，于{date_cn(due)}前完成。" if due else "。"
    if _filed(ctx, category, issue) and ctx.superior is not None:
        follow += f"会议决定事项报{ctx.superior.name}备案。"
    body.append(Paragraph.of(follow))
    present = _attendees(meeting)
    attendance = (
        [Paragraph((Span("出席：", "heading"), Span(join_names(present))), indent=True)] if present else []
    )
    absent = [
        f"{a.get('name')}（{clause(a.get('reason'))}）" if a.get("reason") else str(a.get("name"))
        for a in rows(meeting.get("absent"))
    ]
    if absent:
        attendance.append(Paragraph((Span("缺席：", "heading"), Span(join_names(absent))), indent=True))
    return frame(ctx, title, body, attendance=attendance)


def _attendees(meeting: Mapping[str, Any]) -> list[str]:
    """Members present: those who spoke, in order, and any who only withdrew; the chair first."""
    names: list[str] = []
    chair = str(meeting.get("chair") or "")
    if chair:
        names.append(chair)
    for row in [*rows(meeting.get("opinions")), *rows(meeting.get("withdrawn"))]:
        n = str(row.get("name") or "")
        if n and n not in names:
            names.append(n)
    return names


#: The preparatory work behind each opinion field of the proposal, as the report names it.
_PREPARED = {
    "investigation": "调研论证",
    "expert_opinion": "专家论证",
    "legal_opinion": "法律审核",
    "risk_assessment": "风险评估",
    "public_input": "征求意见",
}


def _procedure(ctx: DocumentContext, proposal: Mapping[str, Any]) -> str:
    done = [_PREPARED[k] for k in OPINIONS if proposal.get(k) and k in _PREPARED]
    text = (
        f"议题上会前进行了{'、'.join(done)}，经分管领导同意，由书记确定上会"
        if done
        else "议题经分管领导同意，由书记确定上会"
    )
    fix = ctx.step("fix_topic")
    if fix.get("principal_consulted"):
        text += "，会前书记与校长进行了沟通" + ("，无重大分歧" if not fix.get("major_disagreement") else "")
    sent = as_date(fix.get("papers_sent_on"))
    if sent:
        text += f"，会议材料于{date_cn(sent)}送达"
    return text + "。"


def filing(ctx: DocumentContext) -> OfficialDocument:
    proposal = ctx.step(PROPOSAL)
    category = proposal.get("category")
    org = ctx.org
    label = CATEGORIES.get(str(category), "“三重一大”")
    subject = topic(proposal.get("subject"))
    via, _ = last_step(ctx, "issue_minutes", "report_to_meeting")
    body: list[Paragraph] = []
    matter = sentence(proposal.get("content"))
    if proposal.get("amount"):
        matter += f"涉及金额{_yuan(proposal['amount'])}。"
    if via == "report_to_meeting":
        urgent, told = ctx.step("decide_urgently"), ctx.step("report_to_meeting")
        day = as_date(urgent.get("decided_on"))
        body.append(
            Paragraph.of(
                f"根据“三重一大”事项集体决策制度有关规定，现将{us(org)}{subject}事项"
                f"（{label}）的临机决定及向会议通报情况报告如下："
            )
        )
        body.append(Paragraph.item(f"{heading(1)}事项基本情况。", matter))
        body.append(
            Paragraph.item(
                f"{heading(2)}临机决定情况。",
                f"{clause(urgent.get('emergency'))}，情况紧急，来不及召开会议。"
                f"{date_cn(day) + '，' if day else ''}书记临机作出决定：{sentence(urgent.get('decision'))}",
            )
        )
        met = as_date(told.get("meeting_date"))
        entitled, present = count(told.get("entitled")), count(told.get("present"))
        quorum = _quorum(ctx, category, entitled, present)
        body.append(
            Paragraph.item(
                f"{heading(3)}会议通报情况。",
                f"{date_cn(met) if met else ''}，{us(org)}召开{body_of(org)}，应到会成员{entitled}名，"
                f"实到会{present}名{'，' + quorum if quorum else ''}。书记在会上通报了临机决定情况。"
                f"{sentence(told.get('summary'))}",
            )
        )
    else:
        meeting, issue = ctx.step("record_meeting"), ctx.step("issue_minutes")
        day = as_date(meeting.get("meeting_date"))
        body.append(
            Paragraph.of(
                f"根据“三重一大”事项集体决策制度有关规定，现将{us(org)}{date_cn(day) if day else ''}"
                f"{body_of(org)}研究决定的{subject}事项（{label}）报告如下："
            )
        )
        body.append(Paragraph.item(f"{heading(1)}事项基本情况。", matter))
        body.append(
            Paragraph.item(
                f"{heading(2)}决策程序。",
                f"{_procedure(ctx, proposal)}{date_cn(day) if day else ''}，{us(org)}召开{body_of(org)}，"
                f"由{meeting.get('chair')}同志主持。{_attendance(meeting, category, ctx)}"
                f"与会成员逐一发表意见，主持人最后表态，会议逐项（逐人）进行了表决。",
            )
        )
        body.append(Paragraph.item(f"{heading(3)}表决结果和决定事项。", ""))
        body += _votes(ctx, meeting)
        body.append(Paragraph.of(f"会议决定：{sentence(meeting.get('decision'))}"))
        due = as_date(issue.get("due_date"))
        body.append(
            Paragraph.item(
                f"{heading(4)}落实安排。",
                f"由{issue.get('responsible')}同志牵头负责落实"
                + (f"，于{date_cn(due)}前完成。" if due else "。"),
            )
        )
        minutes_doc = ctx.earlier.get("minutes")
        if minutes_doc is not None:
            body.append(Paragraph.of(f"会议纪要（{minutes_doc.number}）随文报送。"))
    body.append(Paragraph.of("特此报告。"))
    return frame(ctx, ctx.declared_title, body)


COMPOSERS = {"minutes": minutes, "filing": filing}
