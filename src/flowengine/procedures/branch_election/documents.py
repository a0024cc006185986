"""两请示一报告三批复: the six documents of a re-election, written from the steps' data.

Each composer follows what procedures.md §1 says the document must contain, in the order practice
writes it: 请示① (term, month, agenda, seats with 书记/副书记, candidates and margin, method, 当否，请批示),
批复①, 请示② (members, seats, margin, how the list was reached, the candidates in 姓氏笔画 order with a short
biography each, the 书记/副书记 candidates), 批复②, the 报告 (attendance, ballots, each candidate's votes,
every round of 另行选举, the elected, the first meeting and the division of duties) and 批复③ (approves
the 书记/副书记, files the members, states the new term). A branch without a committee (fewer full members
than the threshold) elects its 书记 directly: each composer writes that variant from the ``_nc`` steps.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping, Sequence
from typing import Any

from flowengine.documents.common import as_date, cited, frame, last_step, reply_copies, since
from flowengine.documents.model import DocumentContext, OfficialDocument, OrgRef, Paragraph
from flowengine.documents.prose import (
    clause,
    committee_of,
    count,
    date_cn,
    enumerate_items,
    heading,
    join_names,
    month_cn,
    percent,
    rows,
    sentence,
    split_items,
    stroke_ordered,
    us,
    years_between,
    you,
)
from flowengine.engine.rules.common import chinese_fraction, more_than, ratio, regular_term_end
from flowengine.procedures.branch_election.rules import Ledger

_REQUEST1 = ("submit_request1", "submit_request1_nc")
_REQUEST2 = ("submit_request2", "submit_request2_nc")
_LAW = "根据《中国共产党章程》和《中国共产党基层组织选举工作条例》有关规定"
_EDUCATION = {"初中及以下": "初中及以下学历"}


def numbered(items: Sequence[str]) -> list[Paragraph]:
    """Items headed 一、二、…; a single item is not numbered (a list of one is no list)."""
    if len(items) == 1:
        return [Paragraph.of(items[0])]
    return [Paragraph.item(heading(i), t) for i, t in enumerate(items, 1)]


def _no_committee(ctx: DocumentContext) -> bool:
    """Whether the request runs the no-committee variant (the latest 请示① says which)."""
    action, _ = last_step(ctx, *_REQUEST1)
    return action.endswith("_nc")


def _superior_name(ctx: DocumentContext) -> str:
    return ctx.superior.name if ctx.superior else "上级党组织"


def _members(study: Mapping[str, Any], request2: Mapping[str, Any] | None = None) -> tuple[int, int]:
    src = request2 if request2 and request2.get("full_members") is not None else study
    return count(src.get("full_members")), count(src.get("probationary_members"))


def _membership(ctx: DocumentContext, full: int, probationary: int) -> str:
    total = full + probationary
    if probationary:
        return f"{us(ctx.org)}现有党员{total}名，其中正式党员{full}名、预备党员{probationary}名。"
    return f"{us(ctx.org)}现有党员{total}名，均为正式党员。"


def _leaders(secretaries: int, deputies: int) -> str:
    if deputies:
        return f"其中书记{secretaries}名、副书记{deputies}名"
    return f"其中书记{secretaries}名，不设副书记"


def _margin(candidates: int, seats: int) -> str:
    extra = candidates - seats
    return f"委员候选人预备人选{candidates}名，多于应选人数{extra}名，差额比例为{percent(extra, seats)}"


def _bio(person: Mapping[str, Any], post_key: str = "post") -> str:
    """马骏，男，1979年出生，大学本科学历，2002年6月入党，现任高二年级主任、党支部书记。"""
    parts = [str(person.get("name") or "")]
    if person.get("gender"):
        parts.append(str(person["gender"]))
    if person.get("birth_year"):
        parts.append(f"{person['birth_year']}年出生")
    education = person.get("education")
    if education:
        parts.append(_EDUCATION.get(str(education), f"{education}学历"))
    joined = as_date(person.get("joined_party"))
    if joined:
        parts.append(f"{joined.year}年{joined.month}月入党")
    if person.get(post_key):
        parts.append(f"现任{clause(person[post_key])}")
    return "，".join(parts) + "。"


def _agenda(text: Any) -> str:
    items = split_items(text)
    return f"大会议程为：{enumerate_items(items)}" if items else ""


def _term_intro(ctx: DocumentContext, r1: Mapping[str, Any], nc: bool) -> str:
    start, end = as_date(r1.get("current_term_start")), as_date(r1.get("current_term_end"))
    who = "现任支部书记" if nc else f"本届{committee_of(ctx.org)}"
    if start and end:
        years = years_between(start, end + dt.timedelta(days=1))
        return f"{who}于{date_cn(start)}经党员大会选举产生，任期{years}年，将于{date_cn(end)}届满。"
    if end:
        return f"{who}任期将于{date_cn(end)}届满。"
    return ""


def _title_of_committee(org: OrgRef) -> str:
    """The org's committee as a title reads it: …党支部委员会, but 中共…委员会 (already a committee)."""
    return org.name if org.name.endswith("委员会") else f"{org.name}委员会"


def _nc_posts(candidates: Sequence[Mapping[str, Any]]) -> str:
    return "书记、副书记" if any(c.get("post") == "副书记" for c in candidates) else "书记"


# ---- version 3: the 纪委 elected at the same meeting, and the 党员代表大会 ------------------------------------

_DISCIPLINE = "纪律检查委员会"


def _congress(ctx: DocumentContext) -> bool:
    """Whether the superior approved a 党员代表大会 (批复①); before 批复①, whether 请示① asks for one."""
    approve = ctx.data.get("approve_request1")
    if approve is not None and ctx.action != "approve_request1":
        return bool(approve.get("congress_approved"))
    if ctx.action == "approve_request1":
        return bool(ctx.step("approve_request1").get("congress_approved"))
    _, r1 = last_step(ctx, *_REQUEST1)
    return bool(r1.get("congress"))


def _meeting(ctx: DocumentContext) -> str:
    return "党员代表大会" if _congress(ctx) else "党员大会"


# The electing_units' 党员大会 elect the delegates, and the outgoing committee was elected by whichever it was.
_MEETING = re.compile(r"(?<!单位)(?<!代表)(?<!经)党员大会")
_VOTERS = re.compile(r"有选举权的?党员")


def _for_congress(ctx: DocumentContext, title: str, body: Sequence[Paragraph]) -> tuple[str, list[Paragraph]]:
    """At a 党员代表大会 the meeting is that, and its voters are the delegates (the electing_units' 党员大会 stay)."""
    if not _congress(ctx):
        return title, list(body)

    def words(text: str) -> str:
        return _VOTERS.sub("代表", _MEETING.sub("党员代表大会", text))

    out = [
        dataclasses.replace(p, spans=tuple(dataclasses.replace(sp, text=words(sp.text)) for sp in p.spans))
        for p in body
    ]
    return words(title), out


def _discipline_size(ctx: DocumentContext) -> int:
    _, r1 = last_step(ctx, *_REQUEST1)
    return count(r1.get("discipline_size"))


def _discipline_plan(r1: Mapping[str, Any], planned: str = "拟由") -> str:
    """新一届纪律检查委员会拟由3名委员组成，其中书记1名，不设副书记；纪委委员候选人预备人选4名，多于…"""
    seats, candidates = count(r1.get("discipline_size")), count(r1.get("discipline_candidate_count"))
    extra = candidates - seats
    return (
        f"新一届{_DISCIPLINE}{planned}{seats}名委员组成，{_leaders(1, count(r1.get('discipline_deputy_count')))}；"
        f"纪委委员候选人预备人选{candidates}名，多于应选人数{extra}名，差额比例为{percent(extra, seats)}，"
        f"与新一届委员会在同一次大会上选举产生"
    )


def _discipline_members(ctx: DocumentContext) -> list[str]:
    """The 纪委 members elected over every round, in 姓氏笔画 order."""
    elected: list[str] = []
    for action, data in since(ctx, "record_vote"):
        if action in ("record_vote", "record_additional_vote"):
            names = [str(e.get("name")) for e in rows(data.get("discipline_elected")) if e.get("name")]
            elected += [n for n in names if n not in elected]
    return stroke_ordered(elected)


def _integrity_opinions(ctx: DocumentContext) -> list[str]:
    """The 纪检 side's opinions that are not 无意见, as a 批复 may have to mention them."""
    out: list[str] = []
    for signed in ctx.signed_on("review_request2"):
        for key in ("opinions", "discipline_opinions"):
            for row in rows(signed.data.get(key)):
                if row.get("view") == "有意见":
                    out.append(f"{row.get('name')}（{clause(row.get('reasons') or '有意见')}）")
    return out


# ---- 请示① and 批复① ---------------------------------------------------------------------------------------


def request1(ctx: DocumentContext) -> OfficialDocument:
    action, r1 = last_step(ctx, *_REQUEST1)
    nc = action.endswith("_nc")
    study = ctx.step("record_study")
    full, probationary = _members(study)
    intro = _membership(ctx, full, probationary)
    if nc:
        threshold = count(ctx.settings.get("committee_threshold", 7)) or 7
        intro += f"因正式党员不足{threshold}名，{us(ctx.org)}不设支部委员会。"
    intro += _term_intro(ctx, r1, nc)
    studied = as_date(study.get("study_date"))
    kind = str(study.get("meeting_kind") or "会议")
    kind = f"{committee_of(ctx.org)}会议" if kind == "委员会会议" else kind
    how = f"经{date_cn(studied)}{kind}研究，" if studied else "经研究，"
    plan = "拟按期进行换届选举" if study.get("on_time", True) else "拟进行换届选举"
    body = [Paragraph.of(intro), Paragraph.of(f"{_LAW}，{how}{us(ctx.org)}{plan}。现将有关事项请示如下：")]
    items: list[tuple[str, str]] = [
        ("召开时间", f"拟于{month_cn(r1.get('planned_month'))}召开党员大会，进行换届选举。"),
        ("大会议程", _agenda(r1.get("agenda"))),
    ]
    deputies = count(r1.get("deputy_count"))
    if nc:
        posts = f"支部书记1名、副书记{deputies}名" if deputies else "支部书记1名，不设副书记"
        items.append(("选举职务", f"由党员大会直接选举产生{posts}。"))
    else:
        seats, candidates = count(r1.get("committee_size")), count(r1.get("candidate_count"))
        items.append(
            (
                "委员会组成",
                f"新一届{committee_of(ctx.org)}拟由{seats}名委员组成，"
                f"{_leaders(count(r1.get('secretary_count')) or 1, deputies)}。",
            )
        )
        items.append(("候选人数", f"{_margin(candidates, seats)}。"))
        if count(r1.get("discipline_size")):
            items.append(("纪律检查委员会", f"{_discipline_plan(r1)}。"))
        if r1.get("congress"):
            items.append(
                (
                    "代表名额",
                    f"{us(ctx.org)}现有正式党员{full}名，拟召开党员代表大会进行选举，代表名额{count(r1.get('delegate_count'))}名，"
                    "按各选举单位党员人数分配，由各选举单位党员大会选举产生。",
                )
            )
    items.append(("选举办法", sentence(r1.get("election_method"))))
    body += [Paragraph.item(f"{heading(i)}{name}。", text) for i, (name, text) in enumerate(items, 1) if text]
    body.append(Paragraph.of("当否，请批示。"))
    title, body = _for_congress(ctx, ctx.declared_title, body)
    return frame(ctx, title, body, contact=True)


def reply1(ctx: DocumentContext) -> OfficialDocument:
    action, r1 = last_step(ctx, *_REQUEST1)
    nc = action.endswith("_nc")
    org, approve = ctx.org, ctx.step(ctx.action)
    title = f"关于同意{org.name}召开党员大会进行换届选举的批复"
    body = [
        Paragraph.of(
            f"{you(org)}{cited(ctx.earlier.get('request1'), '关于召开党员大会进行换届选举的请示')}"
            f"收悉。经研究，批复如下："
        )
    ]
    items = [f"同意{you(org)}于{month_cn(r1.get('planned_month'))}召开党员大会，进行换届选举。"]
    deputies = count(r1.get("deputy_count"))
    if nc:
        posts = f"支部书记1名、副书记{deputies}名" if deputies else "支部书记1名"
        items.append(f"同意{you(org)}不设支部委员会，由党员大会直接选举产生{posts}。")
        next_step = "书记候选人预备人选"
    else:
        seats, candidates = count(r1.get("committee_size")), count(r1.get("candidate_count"))
        items.append(
            f"同意新一届{committee_of(org)}由{seats}名委员组成，"
            f"{_leaders(count(r1.get('secretary_count')) or 1, deputies)}；{_margin(candidates, seats)}，"
            f"实行差额选举。"
        )
        next_step = "委员会委员候选人预备人选"
        if count(r1.get("discipline_size")):
            items.append(f"同意{_discipline_plan(r1, '由')}，实行差额选举。")
            next_step += "和纪律检查委员会委员候选人预备人选"
        if approve.get("congress_approved"):
            items.append(
                f"同意{you(org)}召开党员代表大会进行选举，代表名额{count(r1.get('delegate_count'))}名，由各选举单位"
                "党员大会差额选举产生，并在大会召开前进行代表资格审查。"
            )
    if approve.get("opinion"):
        items.append(sentence(approve["opinion"]))
    body += numbered(items)
    body.append(
        Paragraph.of(
            f"请{you(org)}严格按照《中国共产党基层组织选举工作条例》规定的程序，认真做好候选人预备人选的"
            f"推荐、酝酿和考察工作，并将{next_step}及时报{us(ctx.issuer)}审批。"
        )
    )
    body.append(Paragraph.of("此复。"))
    title, body = _for_congress(ctx, title, body)
    return frame(ctx, title, body, copies_to=reply_copies(ctx))


# ---- 请示② and 批复② ---------------------------------------------------------------------------------------


def _process(ctx: DocumentContext, r2: Mapping[str, Any]) -> list[Paragraph]:
    nomination = ctx.step("record_nomination")
    out = [sentence(r2.get("process"))]
    detail = ""
    when = as_date(nomination.get("recommendation_date"))
    if when and nomination.get("recommenders"):
        detail += (
            f"{date_cn(when)}，{us(ctx.org)}组织{count(nomination['recommenders'])}名党员进行了民主推荐。"
        )
    detail += sentence(nomination.get("recommendation")) + sentence(nomination.get("deliberation"))
    detail += sentence(nomination.get("inspection"))
    start, end = as_date(nomination.get("publicity_start")), as_date(nomination.get("publicity_end"))
    if nomination.get("publicity") and start and end:
        detail += f"{date_cn(start)}至{date_cn(end)}，对预备人选进行了公示。"
    return [Paragraph.item(f"{heading(3)}预备人选产生过程。", out[0])] + (
        [Paragraph.of(detail)] if detail else []
    )


def request2(ctx: DocumentContext) -> OfficialDocument:
    action, r2 = last_step(ctx, *_REQUEST2)
    nc = action.endswith("_nc")
    _, r1 = last_step(ctx, *_REQUEST1)
    full, probationary = _members(ctx.step("record_study"), r2)
    basis = cited(ctx.earlier.get("reply1"), "")
    basis = f"根据{_superior_name(ctx)}{basis}，" if basis else "经上级党组织批复同意，"
    month = month_cn(r1.get("planned_month")) if r1.get("planned_month") else ""
    candidates = rows(r2.get("candidates"))
    if nc:
        posts = _nc_posts(candidates)
        title = f"关于支部{posts}候选人预备人选的请示"
        body = [
            Paragraph.of(
                f"{basis}{us(ctx.org)}拟于{month}召开党员大会，选举产生支部{posts}。"
                f"现将候选人预备人选有关情况请示如下："
            )
        ]
        body.append(Paragraph.item(f"{heading(1)}党员基本情况。", _membership(ctx, full, probationary)))
        body += [
            Paragraph.item(f"{heading(2)}候选人预备人选产生过程。", sentence(r2.get("process"))),
            *_process(ctx, r2)[1:],
        ]
        named = "，".join(f"{c.get('name')}同志为支部{c.get('post')}候选人预备人选" for c in candidates)
        body.append(Paragraph.item(f"{heading(3)}候选人预备人选。", f"经研究，拟推荐{named}。"))
        body.append(Paragraph.item(f"{heading(4)}候选人预备人选简要情况。", ""))
        body += [Paragraph.of(_bio(c, "post_held")) for c in candidates]
        body.append(Paragraph.of("当否，请批示。"))
        return frame(ctx, title, body, contact=True)
    seats = count(r1.get("committee_size"))
    secretaries, deputies = count(r1.get("secretary_count")) or 1, count(r1.get("deputy_count"))
    names = stroke_ordered(str(c.get("name")) for c in candidates)
    by_name = {str(c.get("name")): c for c in candidates}
    body = [
        Paragraph.of(
            f"{basis}{us(ctx.org)}拟于{month}召开党员大会，选举产生新一届{committee_of(ctx.org)}。"
            f"现将新一届{committee_of(ctx.org)}委员候选人预备人选有关情况请示如下："
        )
    ]
    body.append(Paragraph.item(f"{heading(1)}党员基本情况。", _membership(ctx, full, probationary)))
    body.append(
        Paragraph.item(
            f"{heading(2)}委员职数和候选人数。",
            f"新一届{committee_of(ctx.org)}拟由{seats}名委员组成，{_leaders(secretaries, deputies)}。"
            f"{_margin(len(names), seats)}。",
        )
    )
    body += _process(ctx, r2)
    leaders = f"其中，{r2.get('secretary_candidate')}同志为书记候选人预备人选"
    deputy_names = [str(d.get("name")) for d in rows(r2.get("deputy_candidates")) if d.get("name")]
    if deputy_names:
        leaders += f"，{join_names(deputy_names)}同志为副书记候选人预备人选"
    body.append(
        Paragraph.item(
            f"{heading(4)}委员候选人预备人选。",
            f"按姓氏笔画为序，新一届{committee_of(ctx.org)}委员候选人预备人选为{join_names(names)}，"
            f"共{len(names)}名。{leaders}。",
        )
    )
    body.append(Paragraph.item(f"{heading(5)}预备人选简要情况。", ""))
    body += [Paragraph.of(_bio(by_name[n])) for n in names]
    body += _request2_discipline(ctx, r1, r2)
    body.append(Paragraph.of("当否，请批示。"))
    title = ctx.declared_title
    if _discipline_size(ctx):
        title = "关于委员会委员和纪律检查委员会委员候选人预备人选的请示"
    title, body = _for_congress(ctx, title, body)
    return frame(ctx, title, body, contact=True)


def _request2_discipline(
    ctx: DocumentContext, r1: Mapping[str, Any], r2: Mapping[str, Any]
) -> list[Paragraph]:
    """请示②'s part on the 纪委: its seats and margin, its candidates in 姓氏笔画 order, 书记/副书记, biographies."""
    seats = count(r1.get("discipline_size"))
    candidates = rows(r2.get("discipline_candidates"))
    if not seats or not candidates:
        return []
    names = stroke_ordered(str(c.get("name")) for c in candidates)
    by_name = {str(c.get("name")): c for c in candidates}
    extra = len(names) - seats
    leaders = f"{r2.get('discipline_secretary_candidate')}同志为纪委书记候选人预备人选"
    deputies = [str(d.get("name")) for d in rows(r2.get("discipline_deputy_candidates")) if d.get("name")]
    if deputies:
        leaders += f"，{join_names(deputies)}同志为纪委副书记候选人预备人选"
    out = [
        Paragraph.item(
            f"{heading(6)}纪律检查委员会委员候选人预备人选。",
            f"新一届{_DISCIPLINE}拟由{seats}名委员组成。按姓氏笔画为序，纪委委员候选人预备人选为{join_names(names)}，"
            f"共{len(names)}名，多于应选人数{extra}名，差额比例为{percent(extra, seats)}。{leaders}。",
        ),
        Paragraph.item(f"{heading(7)}纪委委员候选人预备人选简要情况。", ""),
    ]
    return out + [Paragraph.of(_bio(by_name[n])) for n in names]


def reply2(ctx: DocumentContext) -> OfficialDocument:
    action, r2 = last_step(ctx, *_REQUEST2)
    nc = action.endswith("_nc")
    org, approve = ctx.org, ctx.step(ctx.action)
    candidates = rows(r2.get("candidates"))
    consulted = ctx.step("forward_request2").get("integrity_opinion") or ctx.signed_on("review_request2")
    checked = "经研究并征求纪检部门意见" if consulted else "经研究"
    request = ctx.earlier.get("request2")
    fallback = (
        f"关于支部{_nc_posts(candidates)}候选人预备人选的请示" if nc else "关于委员会委员候选人预备人选的请示"
    )
    opening = Paragraph.of(f"{you(org)}{cited(request, '《' + fallback + '》')}收悉。{checked}，批复如下：")
    items: list[str] = []
    if nc:
        posts = _nc_posts(candidates)
        title = f"关于{org.name}{posts}候选人预备人选的批复"
        items += [f"同意{c.get('name')}同志为{you(org)}{c.get('post')}候选人预备人选。" for c in candidates]
        closing = f"请{you(org)}召开党员大会，以无记名投票方式选举产生支部{posts}，选举结果及时报{us(ctx.issuer)}审批。"
    else:
        title = f"关于{_title_of_committee(org)}委员候选人预备人选的批复"
        names = stroke_ordered(str(c.get("name")) for c in candidates)
        items.append(
            f"同意{join_names(names)}{len(names)}名同志为{you(org)}新一届{committee_of(org)}委员候选人预备人选"
            f"（按姓氏笔画为序）。"
        )
        leaders = f"同意{r2.get('secretary_candidate')}同志为书记候选人预备人选"
        deputy_names = [str(d.get("name")) for d in rows(r2.get("deputy_candidates")) if d.get("name")]
        if deputy_names:
            leaders += f"，{join_names(deputy_names)}同志为副书记候选人预备人选"
        items.append(f"{leaders}。")
        items += _reply2_discipline(ctx, r2)
        closing = (
            f"请{you(org)}按照规定召开党员大会，以无记名投票方式差额选举产生新一届{committee_of(org)}委员，"
            f"由新一届{committee_of(org)}第一次全体会议等额选举产生书记、副书记。选举结果及时报{us(ctx.issuer)}审批。"
        )
    raised = _integrity_opinions(ctx)
    if raised:
        items.append(f"纪检部门对{join_names(raised)}提出了意见，请{you(org)}认真核实，按规定处理。")
    if approve.get("opinion"):
        items.append(sentence(approve["opinion"]))
    if not nc and _discipline_size(ctx):
        title = f"关于{_title_of_committee(org)}委员和纪律检查委员会委员候选人预备人选的批复"
        closing = closing.replace(
            f"差额选举产生新一届{committee_of(org)}委员",
            f"差额选举产生新一届{committee_of(org)}委员和{_DISCIPLINE}委员",
            1,
        )
        closing = closing.replace(
            "选举结果及时报",
            f"新一届{_DISCIPLINE}第一次全体会议等额选举产生纪委书记、副书记。选举结果及时报",
            1,
        )
    body = [opening, *numbered(items), Paragraph.of(closing), Paragraph.of("此复。")]
    title, body = _for_congress(ctx, title, body)
    return frame(ctx, title, body, copies_to=reply_copies(ctx))


def _reply2_discipline(ctx: DocumentContext, r2: Mapping[str, Any]) -> list[str]:
    candidates = rows(r2.get("discipline_candidates"))
    if not _discipline_size(ctx) or not candidates:
        return []
    names = stroke_ordered(str(c.get("name")) for c in candidates)
    out = [
        f"同意{join_names(names)}{len(names)}名同志为{you(ctx.org)}新一届{_DISCIPLINE}委员候选人预备人选（按姓氏笔画为序）。"
    ]
    leaders = f"同意{r2.get('discipline_secretary_candidate')}同志为纪委书记候选人预备人选"
    deputies = [str(d.get("name")) for d in rows(r2.get("discipline_deputy_candidates")) if d.get("name")]
    if deputies:
        leaders += f"，{join_names(deputies)}同志为纪委副书记候选人预备人选"
    return [*out, f"{leaders}。"]


# ---- the 报告 and 批复③ --------------------------------------------------------------------------------------


def _tally(votes: Sequence[Mapping[str, Any]], *, ordered: bool = True) -> str:
    """马骏9票，王志强8票 (in 姓氏笔画 order unless the ballot's own order is wanted)."""
    by_name = {str(v.get("name")): v for v in votes}
    names = stroke_ordered(by_name) if ordered else list(by_name)
    return "，".join(f"{n}{count(by_name[n].get('yes'))}票" for n in names)


def _ballots(step: Mapping[str, Any], what: str = "大会") -> str:
    issued, returned, invalid = (
        count(step.get(k)) for k in ("ballots_issued", "ballots_returned", "invalid_ballots")
    )
    valid = f"其中有效票{returned - invalid}张、无效票{invalid}张" if invalid else "均为有效票"
    return f"{what}共发出选票{issued}张，收回{returned}张，{valid}。"


def _elected_names(step: Mapping[str, Any]) -> list[str]:
    return [str(e.get("name")) for e in rows(step.get("elected")) if e.get("name")]


def committee_members(ctx: DocumentContext) -> list[str]:
    """The members elected: the first round plus every later round of 另行选举, in 姓氏笔画 order."""
    elected: list[str] = []
    for action, data in since(ctx, "record_vote"):
        if action in ("record_vote", "record_additional_vote"):
            elected += [n for n in _elected_names(data) if n not in elected]
    if not elected:
        elected = _elected_names(ctx.step("record_vote"))
    return stroke_ordered(elected)


def _quorum(ctx: DocumentContext, entitled: int, present: int) -> str:
    try:
        fraction = ratio(ctx.settings.get("quorum_ratio", "4/5"))
    except ValueError:
        return ""
    if more_than(present, entitled, fraction):
        return f"超过应到会人数的{chinese_fraction(fraction)}，符合规定"
    return ""


def _standing(state: Ledger, seats: int) -> str:
    """What a round left open, as the 条例 第二十九条 words it: a tie at the cut-off, or seats unfilled."""
    if state.kind == "tie":
        names = stroke_ordered(state.eligible)
        return (
            f"{join_names(names)}{len(names)}名同志得票相等且均超过实到会有选举权党员的半数，"
            f"应选名额尚余{state.open_seats}名，不能确定当选人。"
        )
    if state.kind == "additional":
        return f"当选人数少于应选名额（应选{seats}名，当选{len(state.elected)}名）。"
    return ""


def _first_round(ctx: DocumentContext, seats: int) -> tuple[str, Ledger]:
    """The first ballot's result and what it left open, with the replayed count after it."""
    vote = ctx.step("record_vote")
    votes = rows(vote.get("votes"))
    state = Ledger.start(seats, [str(v.get("name")) for v in votes]).after(vote)
    elected = stroke_ordered(_elected_names(vote))
    text = f"{_ballots(vote)}各候选人得票情况（按姓氏笔画为序）：{_tally(votes)}。"
    if elected:
        text += f"按照得票超过实到会有选举权党员半数的规定，{join_names(elected)}{len(elected)}名同志当选。"
    else:
        text += "无人得票超过实到会有选举权党员的半数。"
    return text + _standing(state, seats), state


def _rounds(ctx: DocumentContext, seats: int, state: Ledger) -> list[str]:
    """Each round after the first, told as what it was (条例 第二十九条): a re-vote among candidates tied at
    the cut-off (对得票相等的…再次投票，得票多的当选), a 另行选举 for the seats left unfilled, or the
    decision to reduce the seats and hold no further vote."""
    out: list[str] = []
    for action, data in since(ctx, "record_vote")[1:]:
        if action == "record_additional_vote" and not rows(data.get("votes")):
            continue  # a round for the 纪委 only: told with the 纪委's election
        if action == "record_additional_vote":
            votes = rows(data.get("votes"))
            names = [str(v.get("name")) for v in votes]
            elected = stroke_ordered(_elected_names(data))
            tally = f"{_ballots(data, '本轮')}得票情况：{_tally(votes, ordered=False)}。"
            if state.kind == "tie":
                text = f"大会对得票相等的{join_names(stroke_ordered(names))}同志再次投票。{tally}"
                if elected:
                    text += f"{join_names(elected)}同志得票多，当选。"
                else:
                    text += "再次投票得票仍然相等，未能确定当选人。"
            else:
                text = (
                    f"对不足的{state.open_seats}个名额，大会在未当选的候选人中另行选举，"
                    f"候选人为{join_names(stroke_ordered(names))}同志。{tally}"
                )
                if elected:
                    text += f"{join_names(elected)}同志得票超过实到会有选举权党员的半数，当选。"
                else:
                    text += "无人得票超过实到会有选举权党员的半数，未能当选。"
            state = state.after(data)
            out.append(text + _standing(state, seats))
        elif action == "reduce_seats":
            filled = len(state.elected)
            out.append(
                f"经实到会选举人{count(data.get('present'))}名中的{count(data.get('consent'))}名同意，"
                f"减少名额，不再进行选举，新一届{committee_of(ctx.org)}委员名额确定为{filled}名。"
            )
    return out


def _course(ctx: DocumentContext) -> list[Paragraph]:
    """The 大会进行情况 the secretary wrote with the report (a required field), one paragraph per line."""
    text = str(ctx.step(ctx.action).get("course") or "")
    return [Paragraph.of(sentence(line)) for line in text.splitlines() if line.strip()]


def _duties(first: Mapping[str, Any]) -> str:
    parts = []
    for d in rows(first.get("duties")):
        duty = str(d.get("duty") or "")
        parts.append(f"{d.get('name')}同志为委员" if duty == "其他委员" else f"{d.get('name')}同志任{duty}")
    return "，".join(parts)


def report(ctx: DocumentContext) -> OfficialDocument:
    if _no_committee(ctx):
        return _report_nc(ctx)
    org = ctx.org
    vote, first = ctx.step("record_vote"), ctx.step("record_first_meeting")
    _, r1 = last_step(ctx, *_REQUEST1)
    seats = count(r1.get("committee_size"))
    basis = cited(ctx.earlier.get("reply2"), "")
    basis = f"根据{_superior_name(ctx)}{basis}，" if basis else "经上级党组织批复同意，"
    meeting = as_date(vote.get("meeting_date"))
    body = [
        Paragraph.of(
            f"{basis}{us(org)}于{date_cn(meeting) if meeting else ''}召开党员大会，进行换届选举。"
            f"现将选举结果报告如下："
        )
    ]
    entitled, present = count(vote.get("entitled")), count(vote.get("present"))
    quorum = _quorum(ctx, entitled, present)
    elects = f"新一届{committee_of(org)}委员" + (f"和{_DISCIPLINE}委员" if _discipline_size(ctx) else "")
    text = (
        f"{_delegates_text(ctx)}大会应到会有选举权的党员{entitled}名，实到会{present}名{'，' + quorum if quorum else ''}。"
        f"{_without_rights_text(vote)}{_agenda(r1.get('agenda'))}大会以无记名投票方式差额选举{elects}。"
    )
    body.append(Paragraph.item(f"{heading(1)}大会基本情况。", text))
    body += _course(ctx)
    first_text, state = _first_round(ctx, seats)
    body.append(Paragraph.item(f"{heading(2)}选举情况。", first_text))
    body += [Paragraph.of(r) for r in _rounds(ctx, seats, state)]
    members = committee_members(ctx)
    body.append(
        Paragraph.of(
            f"新一届{committee_of(org)}由{join_names(members)}{len(members)}名同志组成（按姓氏笔画为序）。"
        )
    )
    fm_date = as_date(first.get("meeting_date"))
    leaders = f"{first.get('secretary')}同志为书记（得{count(first.get('secretary_yes'))}票）"
    for d in rows(first.get("deputies")):
        leaders += f"、{d.get('name')}同志为副书记（得{count(d.get('yes'))}票）"
    text = (
        f"{date_cn(fm_date) if fm_date else ''}，新一届{committee_of(org)}召开第一次全体会议，由{first.get('chair')}同志主持，"
        f"到会委员{count(first.get('present'))}名。会议以无记名投票方式等额选举{leaders}。"
        f"经会议研究，委员分工如下：{_duties(first)}。"
    )
    body.append(Paragraph.item(f"{heading(3)}书记、副书记选举和委员分工。", text))
    n = 4
    discipline = _report_discipline(ctx, vote)
    if discipline:
        body.append(Paragraph.item(f"{heading(n)}纪律检查委员会选举情况。", discipline))
        n += 1
    remarks = ctx.step(ctx.action).get("remarks")
    if remarks:
        body.append(Paragraph.item(f"{heading(n)}其他事项。", sentence(remarks)))
    body.append(Paragraph.of("特此报告。"))
    title, body = _for_congress(ctx, ctx.declared_title, body)
    return frame(ctx, title, body)


def _delegates_text(ctx: DocumentContext) -> str:
    """At a 党员代表大会: how the delegates were elected and what the 代表资格审查 found."""
    if not _congress(ctx):
        return ""
    electing_units = rows(ctx.step("record_delegates").get("electing_units"))
    elected = sum(count(u.get("delegates")) for u in electing_units)
    credentials = ctx.step("record_credentials")
    text = f"出席大会的代表由{len(electing_units)}个选举单位党员大会选举产生，共{elected}名。"
    if credentials:
        not_confirmed = rows(credentials.get("not_confirmed"))
        text += f"经代表资格审查委员会审查，{count(credentials.get('confirmed'))}名代表资格有效"
        if not_confirmed:
            shown = "；".join(f"{r.get('name')}（{clause(r.get('reason'))}）" for r in not_confirmed)
            text += f"，{len(not_confirmed)}名代表资格未予确认：{shown}"
        text += "。"
    return text


def _without_rights_text(vote: Mapping[str, Any]) -> str:
    """Full members on record without a vote, each with the reason (条例第五条)."""
    named = [r for r in rows(vote.get("without_rights")) if r.get("name")]
    if not named:
        return ""
    shown = "；".join(f"{r.get('name')}同志{clause(r.get('reason'))}" for r in named)
    return f"另有{len(named)}名正式党员没有表决权、选举权，未计入应到会人数：{shown}。"


def _report_discipline(ctx: DocumentContext, vote: Mapping[str, Any]) -> str:
    """The 纪委's ballot, every later round for it, its members and its first meeting."""
    if not _discipline_size(ctx):
        return ""
    seats = _discipline_size(ctx)
    issued, returned, invalid = (
        count(vote.get(k))
        for k in ("discipline_ballots_issued", "discipline_ballots_returned", "discipline_invalid_ballots")
    )
    valid = f"其中有效票{returned - invalid}张、无效票{invalid}张" if invalid else "均为有效票"
    text = (
        f"应选纪委委员{seats}名。纪委委员选举共发出选票{issued}张，收回{returned}张，{valid}。"
        f"各候选人得票情况（按姓氏笔画为序）：{_tally(rows(vote.get('discipline_votes')))}。"
    )
    for action, data in since(ctx, "record_vote")[1:]:
        if action == "record_additional_vote" and rows(data.get("discipline_votes")):
            won = [str(e.get("name")) for e in rows(data.get("discipline_elected")) if e.get("name")]
            outcome = f"{join_names(stroke_ordered(won))}同志当选" if won else "无人当选"
            text += f"纪委委员另行选举（再次投票）得票情况：{_tally(rows(data.get('discipline_votes')), ordered=False)}，{outcome}。"
    members = _discipline_members(ctx)
    text += f"新一届{_DISCIPLINE}由{join_names(members)}{len(members)}名同志组成（按姓氏笔画为序）。"
    first = ctx.step("record_discipline_first_meeting")
    if first:
        day = as_date(first.get("meeting_date"))
        leaders = f"{first.get('secretary')}同志为纪委书记（得{count(first.get('secretary_yes'))}票）"
        for d in rows(first.get("deputies")):
            leaders += f"、{d.get('name')}同志为纪委副书记（得{count(d.get('yes'))}票）"
        text += (
            f"{date_cn(day) if day else ''}，新一届{_DISCIPLINE}召开第一次全体会议，到会委员{count(first.get('present'))}名，"
            f"以无记名投票方式等额选举{leaders}。"
        )
    return text


def _secretary_rounds(ctx: DocumentContext) -> list[Mapping[str, Any]]:
    return [data for action, data in ctx.history if action == "record_secretary_vote"]


def _won(vote: Mapping[str, Any], present: int) -> bool:
    return count(vote.get("yes")) * 2 > present


def _report_nc(ctx: DocumentContext) -> OfficialDocument:
    org = ctx.org
    rounds = _secretary_rounds(ctx) or [ctx.step("record_secretary_vote")]
    final = rounds[-1]
    basis = cited(ctx.earlier.get("reply2"), "")
    basis = f"根据{_superior_name(ctx)}{basis}，" if basis else "经上级党组织批复同意，"
    meeting = as_date(final.get("meeting_date"))
    votes = rows(final.get("votes"))
    posts = _nc_posts(votes)
    body = [
        Paragraph.of(
            f"{basis}{us(org)}于{date_cn(meeting) if meeting else ''}召开党员大会，选举支部{posts}。"
            f"现将选举结果报告如下："
        )
    ]
    n = 1
    if len(rounds) > 1:
        told = []
        for r in rounds[:-1]:
            day, present = as_date(r.get("meeting_date")), count(r.get("present"))
            lost = [v for v in rows(r.get("votes")) if v.get("post") == "书记" and not _won(v, present)]
            for v in lost:
                told.append(
                    f"{date_cn(day) if day else ''}，{us(org)}召开党员大会选举支部书记，书记候选人{v.get('name')}同志"
                    f"得赞成票{count(v.get('yes'))}票，未超过实到会有选举权党员（{present}名）的半数，未能当选。"
                )
        told.append(f"经重新推荐、酝酿，并报{_superior_name(ctx)}同意，{us(org)}再次召开党员大会进行选举。")
        body.append(Paragraph.item(f"{heading(n)}前次选举情况。", "".join(told)))
        n += 1
    entitled, present = count(final.get("entitled")), count(final.get("present"))
    quorum = _quorum(ctx, entitled, present)
    text = (
        f"大会应到会有选举权的党员{entitled}名，实到会{present}名{'，' + quorum if quorum else ''}。"
        f"大会以无记名投票方式选举支部{posts}。{_ballots(final)}"
    )
    body.append(Paragraph.item(f"{heading(n)}大会基本情况。", text))
    body += _course(ctx)
    n += 1
    results = []
    for v in votes:
        tally = f"得赞成票{count(v.get('yes'))}票"
        if v.get("against") is not None:
            tally += f"、不赞成票{count(v.get('against'))}票"
        if v.get("abstain") is not None:
            tally += f"、弃权票{count(v.get('abstain'))}票"
        outcome = (
            f"超过实到会有选举权党员的半数，当选为支部{v.get('post')}"
            if _won(v, present)
            else f"未超过实到会有选举权党员的半数，未能当选{v.get('post')}"
        )
        results.append(f"{v.get('post')}候选人{v.get('name')}同志{tally}，{outcome}。")
    body.append(Paragraph.item(f"{heading(n)}选举结果。", "".join(results)))
    n += 1
    remarks = ctx.step(ctx.action).get("remarks")
    if remarks:
        body.append(Paragraph.item(f"{heading(n)}其他事项。", sentence(remarks)))
    body.append(Paragraph.of("特此报告。"))
    return frame(ctx, ctx.declared_title, body)


def _term_years(ctx: DocumentContext) -> int:
    years = ctx.settings.get("term_years")
    if isinstance(years, Mapping):
        years = years.get(ctx.org.type)
    return count(years) or 3


def reply3(ctx: DocumentContext) -> OfficialDocument:
    org, approve = ctx.org, ctx.step(ctx.action)
    nc = _no_committee(ctx)
    title = f"关于{org.name}换届选举结果的批复"
    body = [
        Paragraph.of(
            f"{you(org)}{cited(ctx.earlier.get('report'), '《关于选举结果的报告》')}收悉。经研究，批复如下："
        )
    ]
    items: list[str] = []
    if nc:
        final = (_secretary_rounds(ctx) or [ctx.step("record_secretary_vote")])[-1]
        present = count(final.get("present"))
        won = [v for v in rows(final.get("votes")) if _won(v, present)]
        secretary = [str(v.get("name")) for v in won if v.get("post") == "书记"]
        deputies = [str(v.get("name")) for v in won if v.get("post") == "副书记"]
        start = as_date(final.get("meeting_date"))
    else:
        first = ctx.step("record_first_meeting")
        secretary = [str(first.get("secretary"))] if first.get("secretary") else []
        deputies = [str(d.get("name")) for d in rows(first.get("deputies")) if d.get("name")]
        start = as_date(ctx.step("record_vote").get("meeting_date"))
    approved = f"同意{join_names(secretary)}同志任{org.name}书记"
    if deputies:
        approved += f"，{join_names(deputies)}同志任副书记"
    items.append(f"{approved}。")
    if not nc:
        members = committee_members(ctx)
        items.append(
            f"{you(org)}新一届{committee_of(org)}由{join_names(members)}{len(members)}名同志组成"
            f"（按姓氏笔画为序），予以备案。"
        )
        items += _reply3_discipline(ctx)
    if start:
        years = _term_years(ctx)
        end = regular_term_end(start, years)
        who = "支部书记" if nc else f"新一届{committee_of(org)}"
        if not nc and _discipline_members(ctx):
            who += f"和{_DISCIPLINE}"  # elected by the same meeting: the same term
        items.append(f"{who}任期{years}年，自{date_cn(start)}起计算，至{date_cn(end)}届满。")
    if approve.get("opinion"):
        items.append(sentence(approve["opinion"]))
    body += numbered(items)
    leaders = "新当选的支部书记" if nc else f"{you(org)}新一届{committee_of(org)}"
    body.append(Paragraph.of(f"希望{leaders}团结带领全体党员，认真履行职责，充分发挥党组织战斗堡垒作用。"))
    body.append(Paragraph.of("此复。"))
    title, body = _for_congress(ctx, title, body)
    copies = reply_copies(ctx)
    if ctx.signed_on("review_request2"):
        # version 3: the 纪检 side gave its opinion on 请示②, and 批复③ is copied to it (copy_to)
        copies = (*copies, f"{_superior_name(ctx)}纪检部门")
    return frame(ctx, title, body, copies_to=copies)


def _reply3_discipline(ctx: DocumentContext) -> list[str]:
    first = ctx.step("record_discipline_first_meeting")
    members = _discipline_members(ctx)
    if not _discipline_size(ctx) or not members:
        return []
    out = []
    if first.get("secretary"):
        approved = f"同意{first.get('secretary')}同志任{you(ctx.org)}{_DISCIPLINE}书记"
        deputies = [str(d.get("name")) for d in rows(first.get("deputies")) if d.get("name")]
        if deputies:
            approved += f"，{join_names(deputies)}同志任{_DISCIPLINE}副书记"
        out.append(f"{approved}。")
    out.append(
        f"{you(ctx.org)}新一届{_DISCIPLINE}由{join_names(members)}{len(members)}名同志组成（按姓氏笔画为序），予以备案。"
    )
    return out


COMPOSERS = {
    "request1": request1,
    "reply1": reply1,
    "request2": request2,
    "reply2": reply2,
    "report": report,
    "reply3": reply3,
}

__all__ = ["COMPOSERS", "committee_members"]
