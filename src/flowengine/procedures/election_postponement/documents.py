"""延期（提前）换届: the 请示 and its 批复 (条例第三条: the shift needs the superior's approval and is
generally no more than a year), written as 延期 or 提前 according to what was asked."""

from __future__ import annotations

from flowengine.documents.common import as_date, cited, frame, reply_copies
from flowengine.documents.model import DocumentContext, OfficialDocument, Paragraph
from flowengine.documents.prose import (
    committee_of,
    count,
    date_cn,
    months_between,
    sentence,
    us,
    you,
)

_KIND = {"postpone": "延期", "advance": "提前"}


def _holders(ctx: DocumentContext) -> str:
    """本届支部委员会, or 现任支部书记 for a branch too small to have a committee."""
    threshold = count(ctx.settings.get("committee_threshold", 7)) or 7
    if ctx.org.type == "branch" and 0 < ctx.org.full_members < threshold:
        return "现任支部书记"
    return f"本届{committee_of(ctx.org)}"


def request(ctx: DocumentContext) -> OfficialDocument:
    data = ctx.step("submit_request")
    kind = _KIND.get(str(data.get("kind")), "延期")
    current, new = as_date(data.get("current_term_end")), as_date(data.get("new_term_end"))
    title = f"关于{kind}进行换届选举的请示"
    holders = _holders(ctx)
    intro = ""
    if ctx.org.term_start:
        intro = f"{us(ctx.org)}{holders}于{date_cn(ctx.org.term_start)}选举产生，"
    else:
        intro = f"{us(ctx.org)}{holders}"
    intro += f"任期将于{date_cn(current)}届满。" if current else "任期即将届满。"
    body = [Paragraph.of(intro), Paragraph.of(sentence(data.get("reasons")))]
    if current and new:
        months = months_between(current, new) if kind == "延期" else months_between(new, current)
        span = f"{kind}约{months}个月" if months else f"{kind}不足1个月"
        plan = (
            f"拟延期进行换届选举，本届任期届满日期调整为{date_cn(new)}，{span}"
            if kind == "延期"
            else f"拟提前进行换届选举，于{date_cn(new)}前完成换届，{span}"
        )
    else:
        plan = f"拟{kind}进行换届选举"
    body.append(
        Paragraph.of(f"根据《中国共产党基层组织选举工作条例》第三条规定，经研究，{us(ctx.org)}{plan}。")
    )
    body.append(Paragraph.of("当否，请批示。"))
    return frame(ctx, title, body, contact=True)


def reply(ctx: DocumentContext) -> OfficialDocument:
    data = ctx.step("submit_request")
    kind = _KIND.get(str(data.get("kind")), "延期")
    new = as_date(data.get("new_term_end"))
    org = ctx.org
    title = f"关于同意{org.name}{kind}进行换届选举的批复"
    asked = cited(ctx.earlier.get("request"), f"《关于{kind}进行换届选举的请示》")
    decided = f"同意{you(org)}{kind}进行换届选举"
    if new:
        decided += (
            f"，{_holders(ctx)}任期届满日期调整为{date_cn(new)}"
            if kind == "延期"
            else f"，于{date_cn(new)}前完成换届"
        )
    body = [Paragraph.of(f"{you(org)}{asked}收悉。经研究，{decided}。")]
    opinion = ctx.step(ctx.action).get("opinion")
    if opinion:
        body.append(Paragraph.of(sentence(opinion)))
    deadline = f"在{date_cn(new)}前" if new else "按期"
    body.append(
        Paragraph.of(
            f"请{you(org)}抓紧做好换届选举各项准备工作，{deadline}完成换届选举，"
            f"并严格按照“两请示一报告三批复”程序报{us(ctx.issuer)}审批。"
        )
    )
    body.append(Paragraph.of("此复。"))
    return frame(ctx, title, body, copies_to=reply_copies(ctx))


COMPOSERS = {"request": request, "reply": reply}
