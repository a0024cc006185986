"""Rules of 三重一大 collective decisions (重大事项决策、重要干部任免、重大项目安排、大额资金使用).

Sources: the 三重一大 rules as summarised in ``shared/domain/procedures.md`` §4 and the 2022 rules for
中小学校党组织领导的校长负责制 (quorum of two thirds for cadre appointments). What differs from place to
place — the 大额 threshold, which opinions a category needs, the quorum fractions, which decisions are
filed with the superior — is a setting of ``workflows/major_decision.yaml``, overridable per
organization.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from typing import Any

from flowengine.engine.checks import CheckContext, CheckResult, check, predicate
from flowengine.engine.rules.common import (
    chinese_date,
    date_of,
    int_of,
    names_in,
    quorum_failure,
    ratio,
)
from flowengine.errors import CheckFailure

#: The proposal step: category, amount, items, opinions.
PROPOSAL = "submit_proposal"

CATEGORIES = {
    "major_matter": "重大事项决策",
    "cadre_appointment": "重要干部任免",
    "major_project": "重大项目安排",
    "large_fund": "大额资金使用",
}

#: Opinion fields of the proposal and their names in messages.
OPINIONS = {
    "investigation": "调研论证情况",
    "expert_opinion": "专家论证意见",
    "legal_opinion": "法律审核意见",
    "risk_assessment": "风险评估意见",
    "public_input": "征求意见情况",
}

#: A flag of the proposal that makes an opinion necessary whatever the category.
CONDITIONAL_OPINIONS = {
    "technical": ("expert_opinion", "涉及专业技术问题"),
    "involves_contract": ("legal_opinion", "涉及合同或法律事务"),
    "affects_staff": ("public_input", "涉及教职工切身利益"),
}


def _category(ctx: CheckContext) -> str | None:
    value = ctx.form.get("category") if ctx.action == PROPOSAL else ctx.lookup(f"{PROPOSAL}.category")
    return value if isinstance(value, str) else None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _yuan(amount: float) -> str:
    if amount >= 10000 and amount % 100 == 0:
        return f"{amount / 10000:g}万元"
    return f"{amount:,.2f}元".replace(".00元", "元")


@check("opinions_required")
def opinions_required(ctx: CheckContext) -> CheckResult:
    """The opinions the category needs (setting ``required_opinions``), and those a flag makes necessary."""
    category = _category(ctx)
    if category is None:
        return None
    table = ctx.settings.get("required_opinions") or {}
    needed: dict[str, str] = {
        f: f"{CATEGORIES.get(category, category)}事项" for f in table.get(category) or ()
    }
    for flag, (field, why) in CONDITIONAL_OPINIONS.items():
        if ctx.form.get(flag):
            needed.setdefault(field, why)
    missing = [f for f in needed if _blank(ctx.form.get(f))]
    if not missing:
        return None
    parts = "；".join(f"{why}须附{OPINIONS.get(f, f)}" for f, why in ((f, needed[f]) for f in missing))
    return CheckFailure("opinions_required", f"议题材料不全：{parts}。", missing[0])


@check("large_fund_threshold")
def large_fund_threshold(ctx: CheckContext) -> CheckResult:
    """A 大额资金 item states its amount, and the amount reaches the organization's threshold."""
    category = _category(ctx)
    amount = ctx.form.get("amount")
    threshold = float(ctx.settings.get("large_amount_threshold") or 0)
    if category != "large_fund":
        return None
    if amount is None:
        return CheckFailure("large_fund_threshold", "大额资金使用事项须填写涉及金额。", "amount")
    if float(amount) < threshold:
        return CheckFailure(
            "large_fund_threshold",
            f"涉及金额 {_yuan(float(amount))}，低于本单位大额资金标准（{_yuan(threshold)}），不属于“三重一大”"
            "大额资金使用事项，请按日常经费审批程序办理，或改选其他类别。",
            "amount",
        )
    return None


@check("topic_ready")
def topic_ready(ctx: CheckContext) -> CheckResult:
    """Before the 书记 fixes the topic: talked through with the principal, and papers out in advance."""
    if ctx.settings.get("principal_consultation", True):
        if not ctx.form.get("principal_consulted"):
            return CheckFailure(
                "topic_ready",
                "议题上会前，书记应与校长（行政主要负责人）事先沟通，取得一致意见。",
                "principal_consulted",
            )
        if ctx.form.get("major_disagreement"):
            return CheckFailure(
                "topic_ready",
                "书记与校长（行政主要负责人）对议题仍有重大分歧，暂不上会，应进一步沟通、调研论证。",
                "major_disagreement",
            )
    meeting, papers = date_of(ctx.form.get("meeting_date")), date_of(ctx.form.get("papers_sent_on"))
    days = int(ctx.settings.get("papers_advance_days") or 0)
    if meeting is not None and papers is not None and papers > meeting - dt.timedelta(days=days):
        return CheckFailure(
            "topic_ready",
            f"会议材料应至少提前 {days} 天送达参会人员（会议定于{chinese_date(meeting)}），"
            f"{chinese_date(papers)}送达不够。",
            "papers_sent_on",
        )
    return None


def _needs_strict_quorum(ctx: CheckContext) -> bool:
    return _category(ctx) in (ctx.settings.get("strict_quorum_categories") or ())


@check("meeting_quorum")
def meeting_quorum(ctx: CheckContext) -> CheckResult:
    """More than half of the members (quorum_ratio); at least 2/3 for cadre appointments (cadre_quorum_ratio)."""
    entitled, present = int_of(ctx, "entitled"), int_of(ctx, "present")
    if entitled is None or present is None:
        return None
    if _needs_strict_quorum(ctx):
        return quorum_failure(
            "meeting_quorum",
            entitled,
            present,
            ratio(ctx.settings["cadre_quorum_ratio"]),
            True,
            f"{CATEGORIES.get(_category(ctx) or '', '该')}事项的讨论决定",
            "present",
        )
    return quorum_failure(
        "meeting_quorum", entitled, present, ratio(ctx.settings["quorum_ratio"]), False, "会议", "present"
    )


@check("attendance_consistent")
def attendance_consistent(ctx: CheckContext) -> CheckResult:
    """Absentees listed (with their written opinions) are those missing, no more."""
    entitled, present = int_of(ctx, "entitled"), int_of(ctx, "present")
    absent = names_in(ctx.form.get("absent"))
    if entitled is None or present is None:
        return None
    if len(absent) > entitled - present:
        return CheckFailure(
            "attendance_consistent",
            f"缺席 {len(absent)} 人，但应到 {entitled} 人、实到 {present} 人，缺席应为 {entitled - present} 人。",
            "absent",
        )
    return None


def _withdrawn_per_item(ctx: CheckContext) -> Counter[str]:
    counts: Counter[str] = Counter()
    for row in ctx.form.get("withdrawn") or []:
        if isinstance(row, Mapping) and row.get("item"):
            counts[str(row["item"]).strip()] += 1
    return counts


@check("each_item_voted")
def each_item_voted(ctx: CheckContext) -> CheckResult:
    """Every item of the proposal (every candidate of an appointment) is voted on separately, once."""
    items = names_in(ctx.lookup(f"{PROPOSAL}.items"), "item")
    voted = names_in(ctx.form.get("votes"), "item")
    for i, item in enumerate(voted):
        if item not in items:
            return CheckFailure("each_item_voted", f"“{item}”不是本议题的议项（人选）。", f"votes[{i}].item")
        if voted[:i].count(item):
            return CheckFailure("each_item_voted", f"“{item}”重复表决。", f"votes[{i}].item")
    missing = [i for i in items if i not in voted]
    if missing:
        return CheckFailure("each_item_voted", f"应逐项（逐人）表决，缺少：{'、'.join(missing)}。", "votes")
    for i, row in enumerate(ctx.form.get("withdrawn") or []):
        if isinstance(row, Mapping) and row.get("item") and row["item"] not in items:
            return CheckFailure(
                "each_item_voted", f"回避事项“{row['item']}”不是本议题的议项。", f"withdrawn[{i}].item"
            )
    return None


@check("votes_within_present")
def votes_within_present(ctx: CheckContext) -> CheckResult:
    """Only members present vote: absent members' written opinions are not votes, and those who withdrew
    (回避) from an item do not vote on it."""
    present = int_of(ctx, "present")
    if present is None:
        return None
    withdrawn = _withdrawn_per_item(ctx)
    for i, row in enumerate(ctx.form.get("votes") or []):
        item = str(row.get("item") or "").strip()
        voters = present - withdrawn[item]
        total = sum(int(row.get(k) or 0) for k in ("yes", "against", "abstain"))
        if total > voters:
            extra = f"（其中 {withdrawn[item]} 人回避）" if withdrawn[item] else ""
            return CheckFailure(
                "votes_within_present",
                f"“{item}”的表决票合计 {total} 票，多于可参加表决的 {voters} 人{extra}：缺席成员的书面意见不计入表决票。",
                f"votes[{i}]",
            )
    return None


@check("chair_speaks_last")
def chair_speaks_last(ctx: CheckContext) -> CheckResult:
    """The chair states his or her view last (末位表态), after every other member present."""
    chair = ctx.form.get("chair")
    opinions = names_in(ctx.form.get("opinions"))
    if not isinstance(chair, str) or not chair.strip() or not opinions:
        return None
    chair = chair.strip()
    if chair not in opinions:
        return CheckFailure(
            "chair_speaks_last", f"请记录主持人{chair}的表态意见（主持人最后表态）。", "opinions"
        )
    if opinions[-1] != chair or opinions.count(chair) > 1:
        return CheckFailure(
            "chair_speaks_last",
            f"主持人{chair}应在其他成员充分发表意见后最后表态（末位表态制），请按发言顺序记录。",
            "opinions",
        )
    return None


def _passes(ctx: CheckContext, row: Mapping[str, Any], entitled: int) -> bool:
    return int(row.get("yes") or 0) > ratio(ctx.settings.get("pass_ratio", "1/2")) * entitled


@predicate("no_item_passed")
def no_item_passed(ctx: CheckContext) -> bool:
    """No item got yes votes from more than half of the members *entitled* to attend: nothing adopted."""
    entitled = int(ctx.form.get("entitled") or 0)
    return not any(_passes(ctx, row, entitled) for row in ctx.form.get("votes") or [])


@predicate("filing_required")
def filing_required(ctx: CheckContext) -> bool:
    """Reported to the superior for the record: always for the categories set, else when the form says so."""
    return bool(ctx.form.get("filing_required")) or _category(ctx) in (
        ctx.settings.get("filing_categories") or ()
    )
