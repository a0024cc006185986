"""发展党员's documents in the 公文 layout: the 公示 of a 发展对象, the 支部大会's 接收预备党员的决议, and the
基层党委's 批复 of the admission and of the 转正 (or of an extension of the 预备期, or of its cancellation).

The person's details come from the request's subject (read by the service through the access policy for
the action being taken); dates are worked out as the rules work them out (``rules.probation_end``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from flowengine.documents.common import as_date, cited, frame, reply_copies
from flowengine.documents.model import DocumentContext, OfficialDocument, Paragraph
from flowengine.documents.prose import count, date_cn, join_names, rows, sentence, you
from flowengine.procedures.member_recruitment.rules import (
    ADMISSION_MEETING,
    CONVERSION_MEETING,
    DECISIONS,
    probation_end,
    publicity_end,
    resolution_passes,
)


def _name(ctx: DocumentContext) -> str:
    return ctx.subject_name or str(ctx.subject.get("applicant_name") or "")


def _born(ctx: DocumentContext) -> str:
    born = as_date(ctx.subject.get("birth_date"))
    return f"{born.year}年{born.month}月生" if born else ""


def _signed(ctx: DocumentContext, doc: OfficialDocument) -> OfficialDocument:
    """A notice (of the committee) or a resolution (of the branch): under the issuer's name, signed and dated
    under the text, addressed to no one in particular (no 主送)."""
    return dataclasses.replace(
        doc, mark=ctx.issuer.name, signature=ctx.issuer.name, direction="down", recipient=None, copies_to=()
    )


def publicity_notice(ctx: DocumentContext) -> OfficialDocument:
    """The 公示 of a 发展对象 about to be admitted: who, since when in training, the introducers, the period
    of ``publicity_days`` working days and where to report."""
    name = _name(ctx)
    s = ctx.subject
    start = as_date(ctx.step("pass_pre_review").get("publicity_from")) or ctx.issued_on
    days = count(ctx.settings.get("publicity_days", 5)) or 5
    end = publicity_end(start, days)
    applied = as_date(ctx.step("start").get("application_date"))
    activist = as_date(ctx.step("appoint_activist").get("decided_on"))
    prospect = ctx.step("propose_prospect")
    introducers = join_names(str(r.get("name")) for r in rows(prospect.get("introducers")))
    facts = "，".join(
        x
        for x in (
            name,
            str(s.get("gender") or ""),
            str(s.get("ethnicity") or ""),
            _born(ctx),
            str(s.get("education") or ""),
            str(s.get("post") or ""),
        )
        if x
    )
    body = [
        Paragraph.of(
            f"经党支部委员会审查、上级党委预审，拟接收{name}同志为中共预备党员，现将有关情况公示如下："
        ),
        Paragraph.of(f"{facts}。"),
    ]
    history = []
    if applied:
        history.append(f"{date_cn(applied)}递交入党申请书")
    if activist:
        history.append(f"{date_cn(activist)}被确定为入党积极分子")
    became = as_date(prospect.get("decided_on"))
    if became:
        history.append(f"{date_cn(became)}被确定为发展对象")
    if history:
        body.append(Paragraph.of(f"该同志{'，'.join(history)}。"))
    if introducers:
        body.append(Paragraph.of(f"入党介绍人：{introducers}。"))
    body.append(
        Paragraph.of(
            f"公示时间：{date_cn(start)}至{date_cn(end)}（{days}个工作日）。公示期间，党员和群众可通过来信、来电、"
            f"来访等方式，向{ctx.org.name}或{ctx.issuer.name}组织部门反映该同志的情况和问题。反映情况应实事求是，以个人名义"
            "反映的请写明真实姓名。"
        )
    )
    return _signed(ctx, frame(ctx, f"关于拟接收{name}同志为中共预备党员的公示", body))


def _votes(data: dict[str, Any], prefix: str) -> tuple[int, int, int]:
    return (
        count(data.get(f"{prefix}_yes")),
        count(data.get(f"{prefix}_no")),
        count(data.get(f"{prefix}_abstain")),
    )


def admission_resolution(ctx: DocumentContext) -> OfficialDocument:
    """细则第二十、二十一条: the 支部大会's resolution, with those entitled, present, and the votes counted
    against the full members entitled (passed only with more than half of them)."""
    name = _name(ctx)
    data = dict(ctx.step(ADMISSION_MEETING))
    day = as_date(data.get("meeting_date")) or ctx.issued_on
    entitled, present = count(data.get("voting_members")), count(data.get("attending"))
    yes, no, abstain = _votes(data, "admission")
    passed = resolution_passes(yes, entitled)
    prospect = ctx.step("propose_prospect")
    introducers = join_names(str(r.get("name")) for r in rows(prospect.get("introducers")))
    body = [
        Paragraph.of(
            f"{date_cn(day)}，{ctx.org.name}召开支部党员大会，讨论{name}同志的入党问题。支部应到会有表决权的正式党员"
            f"{entitled}名，实到{present}名，超过应到会有表决权人数的半数，会议有效。"
        ),
        Paragraph.of(
            f"会上，{name}同志汇报了对党的认识、入党动机、本人履历和现实表现；入党介绍人{introducers}介绍了该同志的"
            "有关情况；支部委员会报告了对该同志的培养教育和审查情况；与会党员进行了充分讨论。"
            if introducers
            else f"会上，{name}同志汇报了对党的认识和入党动机，支部委员会报告了培养教育和审查情况，与会党员进行了充分讨论。"
        ),
        Paragraph.of(
            f"经表决，赞成{yes}票，反对{no}票，弃权{abstain}票。"
            + (
                f"赞成票超过应到会有表决权的正式党员的半数，同意接收{name}同志为中共预备党员，报上级党委审批。"
                if passed
                else "赞成票未超过应到会有表决权的正式党员的半数，决议未获通过。"
            )
        ),
    ]
    text = sentence(data.get("resolution_text"))
    if text:
        body.append(Paragraph.of(text))
    title = f"关于接收{name}同志为中共预备党员的决议"
    return _signed(ctx, frame(ctx, title, body))


def admission_reply(ctx: DocumentContext) -> OfficialDocument:
    """The 基层党委's approval: the 预备期 runs one year from the 支部大会 (党章第七条), stated from–to."""
    name = _name(ctx)
    meeting = as_date(ctx.step(ADMISSION_MEETING).get("meeting_date"))
    decided = as_date(ctx.step(ctx.action).get("decided_on")) or ctx.issued_on
    end = probation_end(ctx.data, ctx.settings, ctx.history)
    asked = cited(ctx.earlier.get("admission_resolution"), f"《关于接收{name}同志为中共预备党员的决议》")
    period = (
        f"预备期自{date_cn(meeting)}至{date_cn(end - dt.timedelta(days=1))}。"
        if meeting and end
        else "预备期一年。"
    )
    body = [
        Paragraph.of(
            f"{you(ctx.org)}{asked}收悉。经{date_cn(decided)}党委会议研究，同意接收{name}同志为中共预备党员，{period}"
        ),
    ]
    reason = ctx.step(ctx.action).get("late_reason")
    if reason:
        body.append(Paragraph.of(f"因{sentence(reason).rstrip('。')}，审批时间超过三个月。"))
    body.append(
        Paragraph.of(
            f"请{you(ctx.org)}及时组织{name}同志进行入党宣誓，认真做好预备期的教育、考察工作，预备期满时及时讨论其能否转为正式党员。"
        )
    )
    body.append(Paragraph.of("此复。"))
    return frame(ctx, f"关于同意接收{name}同志为中共预备党员的批复", body, copies_to=reply_copies(ctx))


def conversion_reply(ctx: DocumentContext) -> OfficialDocument:
    """The 基层党委's answer on the 转正: 按期转正 (党龄 from the end of the 预备期), an extension (6–12 months,
    once), or the cancellation of the 预备党员 status, as the 支部大会 decided."""
    name = _name(ctx)
    data = ctx.step(CONVERSION_MEETING)
    decision = str(data.get("conversion_decision") or "convert")
    meeting = as_date(data.get("meeting_date"))
    decided = as_date(ctx.step(ctx.action).get("decided_on")) or ctx.issued_on
    end = probation_end(ctx.data, ctx.settings, ctx.history)
    asked = (
        f"{date_cn(meeting)}支部大会关于{name}同志{DECISIONS.get(decision, '转正')}的决议"
        if meeting
        else "转正的决议"
    )
    if decision == "extend":
        months = count(data.get("extension_months"))
        until = f"，延长至{date_cn(end - dt.timedelta(days=1))}" if end else ""
        title = f"关于延长{name}同志预备期的批复"
        decided_text = f"同意延长{name}同志的预备期{months}个月{until}。请{you(ctx.org)}加强对该同志的教育和考察，延长期满时及时讨论其能否转为正式党员。"
    elif decision == "cancel":
        title = f"关于取消{name}同志预备党员资格的批复"
        decided_text = f"同意取消{name}同志的预备党员资格。请{you(ctx.org)}做好该同志的思想工作。"
    else:
        title = f"关于同意{name}同志转为中共正式党员的批复"
        since = f"，党龄自{date_cn(end)}算起" if end else ""
        decided_text = f"同意{name}同志按期转为中共正式党员{since}。"
    body = [
        Paragraph.of(f"{you(ctx.org)}报来的{asked}收悉。经{date_cn(decided)}党委会议研究，{decided_text}"),
        Paragraph.of("此复。"),
    ]
    return frame(ctx, title, body, copies_to=reply_copies(ctx))


COMPOSERS = {
    "publicity_notice": publicity_notice,
    "admission_resolution": admission_resolution,
    "admission_reply": admission_reply,
    "conversion_reply": conversion_reply,
}
