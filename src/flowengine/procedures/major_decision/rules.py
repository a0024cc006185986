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

from flowengine.chinese import chinese_date
from flowengine.definitions.params import Param, ParamType, optional
from flowengine.engine.checks import CheckContext, CheckResult, RuleSet
from flowengine.engine.rules.common import date_of, int_of, names_in, quorum_failure, ratio, value_of
from flowengine.errors import CheckFailure

V, F = ParamType.VALUE, ParamType.FIELD

RULES = RuleSet("major_decision")

#: Said once at the top of the definition: where the proposal's category and its items (the 议项, or the
#: candidates of an appointment, voted one by one) are.
PARAMS: dict[str, Param] = {
    "category": Param(
        V, "the category of the matter (重大事项决策, 重要干部任免 …), chosen with the proposal"
    ),
    "items": Param(V, "the items to vote on one by one (rows with an item)"),
}

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
    value = value_of(ctx, ctx.procedure["category"])
    return value if isinstance(value, str) else None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _yuan(amount: float) -> str:
    if amount >= 10000 and amount % 100 == 0:
        return f"{amount / 10000:g}万元"
    return f"{amount:,.2f}元".replace(".00元", "元")


@RULES.check(
    "opinions_required",
    title="议题附具必要的论证意见",
    description="按事项类别和议题情形（专业技术、合同法律、教职工利益）要求附具调研论证、专家论证、法律审核、风险评估、征求意见等材料。",
    settings=("required_opinions",),
)
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


@RULES.check(
    "large_fund_threshold",
    title="大额资金达到本单位标准",
    params={"amount": Param(F, "the amount in yuan", default="amount")},
    settings=("large_amount_threshold",),
)
def large_fund_threshold(ctx: CheckContext) -> CheckResult:
    """A 大额资金 item states its amount, and the amount reaches the organization's threshold."""
    category = _category(ctx)
    amount = value_of(ctx, ctx.params["amount"])
    threshold = float(ctx.settings.get("large_amount_threshold") or 0)
    if category != "large_fund":
        return None
    if amount is None:
        return CheckFailure("large_fund_threshold", "大额资金使用事项须填写涉及金额。", ctx.params["amount"])
    if float(amount) < threshold:
        return CheckFailure(
            "large_fund_threshold",
            f"涉及金额 {_yuan(float(amount))}，低于本单位大额资金标准（{_yuan(threshold)}），不属于“三重一大”"
            "大额资金使用事项，请按日常经费审批程序办理，或改选其他类别。",
            ctx.params["amount"],
        )
    return None


@RULES.check(
    "topic_ready",
    title="议题上会前已沟通、材料已提前送达",
    params={
        "consulted": Param(F, "talked through with the principal", default="principal_consulted"),
        "disagreement": Param(F, "a major disagreement remains", default="major_disagreement"),
        "meeting": Param(F, "the meeting date", default="meeting_date"),
        "papers": Param(F, "the day the papers went out", default="papers_sent_on"),
    },
    settings=("principal_consultation", "papers_advance_days"),
)
def topic_ready(ctx: CheckContext) -> CheckResult:
    """Before the 书记 fixes the topic: talked through with the principal, and papers out in advance."""
    p = ctx.params
    if ctx.settings.get("principal_consultation", True):
        if not value_of(ctx, p["consulted"]):
            return CheckFailure(
                "topic_ready",
                "议题上会前，书记应与校长（行政主要负责人）事先沟通，取得一致意见。",
                p["consulted"],
            )
        if value_of(ctx, p["disagreement"]):
            return CheckFailure(
                "topic_ready",
                "书记与校长（行政主要负责人）对议题仍有重大分歧，暂不上会，应进一步沟通、调研论证。",
                p["disagreement"],
            )
    meeting, papers = date_of(value_of(ctx, p["meeting"])), date_of(value_of(ctx, p["papers"]))
    days = int(ctx.settings.get("papers_advance_days") or 0)
    if meeting is not None and papers is not None and papers > meeting - dt.timedelta(days=days):
        return CheckFailure(
            "topic_ready",
            f"会议材料应至少提前 {days} 天送达参会人员（会议定于{chinese_date(meeting)}），"
            f"{chinese_date(papers)}送达不够。",
            p["papers"],
        )
    return None


def _needs_strict_quorum(ctx: CheckContext) -> bool:
    return _category(ctx) in (ctx.settings.get("strict_quorum_categories") or ())


@RULES.check(
    "meeting_quorum",
    title="会议到会人数达到规定比例",
    params={
        "entitled": Param(F, "members entitled to attend", default="entitled"),
        "present": Param(F, "members present", default="present"),
    },
    settings=("quorum_ratio", "cadre_quorum_ratio", "strict_quorum_categories", "half_inclusive"),
)
def meeting_quorum(ctx: CheckContext) -> CheckResult:
    """More than half of the members (quorum_ratio); at least 2/3 for cadre appointments (cadre_quorum_ratio).

    Whether “半数以上” admits exactly half is the setting ``half_inclusive`` (off: more than half)."""
    entitled, present = int_of(ctx, ctx.params["entitled"]), int_of(ctx, ctx.params["present"])
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
            ctx.params["present"],
        )
    return quorum_failure(
        "meeting_quorum",
        entitled,
        present,
        ratio(ctx.settings["quorum_ratio"]),
        bool(ctx.settings.get("half_inclusive")),
        "会议",
        ctx.params["present"],
    )


@RULES.check(
    "attendance_consistent",
    title="缺席人数与应到、实到一致",
    params={
        "entitled": Param(F, "members entitled to attend", default="entitled"),
        "present": Param(F, "members present", default="present"),
        "absent": Param(F, "the absentees (rows with a name)", default="absent"),
    },
)
def attendance_consistent(ctx: CheckContext) -> CheckResult:
    """Absentees listed (with their written opinions) are those missing, no more."""
    entitled, present = int_of(ctx, ctx.params["entitled"]), int_of(ctx, ctx.params["present"])
    absent = names_in(value_of(ctx, ctx.params["absent"]))
    if entitled is None or present is None:
        return None
    if len(absent) > entitled - present:
        return CheckFailure(
            "attendance_consistent",
            f"缺席 {len(absent)} 人，但应到 {entitled} 人、实到 {present} 人，缺席应为 {entitled - present} 人。",
            ctx.params["absent"],
        )
    return None


def _withdrawn_per_item(ctx: CheckContext) -> Counter[str]:
    counts: Counter[str] = Counter()
    for row in value_of(ctx, ctx.params["withdrawn"]) or []:
        if isinstance(row, Mapping) and row.get("item"):
            counts[str(row["item"]).strip()] += 1
    return counts


@RULES.check(
    "each_item_voted",
    title="逐项（逐人）表决",
    params={
        "votes": Param(F, "the votes per item", default="votes"),
        "withdrawn": Param(F, "who withdrew from which item (回避)", default="withdrawn"),
    },
)
def each_item_voted(ctx: CheckContext) -> CheckResult:
    """Every item of the proposal (every candidate of an appointment) is voted on separately, once."""
    items = names_in(value_of(ctx, ctx.procedure["items"]), "item")
    voted = names_in(value_of(ctx, ctx.params["votes"]), "item")
    for i, item in enumerate(voted):
        if item not in items:
            return CheckFailure(
                "each_item_voted", f"“{item}”不是本议题的议项（人选）。", f"{ctx.params['votes']}[{i}].item"
            )
        if voted[:i].count(item):
            return CheckFailure("each_item_voted", f"“{item}”重复表决。", f"{ctx.params['votes']}[{i}].item")
    missing = [i for i in items if i not in voted]
    if missing:
        return CheckFailure("each_item_voted", f"应逐项（逐人）表决，缺少：{'、'.join(missing)}。", "votes")
    for i, row in enumerate(value_of(ctx, ctx.params["withdrawn"]) or []):
        if isinstance(row, Mapping) and row.get("item") and row["item"] not in items:
            return CheckFailure(
                "each_item_voted",
                f"回避事项“{row['item']}”不是本议题的议项。",
                f"{ctx.params['withdrawn']}[{i}].item",
            )
    return None


@RULES.check(
    "votes_within_present",
    title="表决票不多于可参加表决人数",
    params={
        "present": Param(F, "members present", default="present"),
        "votes": Param(F, "the votes per item", default="votes"),
        "withdrawn": Param(F, "who withdrew from which item (回避)", default="withdrawn"),
    },
)
def votes_within_present(ctx: CheckContext) -> CheckResult:
    """Only members present vote: absent members' written opinions are not votes, and those who withdrew
    (回避) from an item do not vote on it."""
    present = int_of(ctx, ctx.params["present"])
    if present is None:
        return None
    withdrawn = _withdrawn_per_item(ctx)
    for i, row in enumerate(value_of(ctx, ctx.params["votes"]) or []):
        item = str(row.get("item") or "").strip()
        voters = present - withdrawn[item]
        total = sum(int(row.get(k) or 0) for k in ("yes", "against", "abstain"))
        if total > voters:
            extra = f"（其中 {withdrawn[item]} 人回避）" if withdrawn[item] else ""
            return CheckFailure(
                "votes_within_present",
                f"“{item}”的表决票合计 {total} 票，多于可参加表决的 {voters} 人{extra}：缺席成员的书面意见不计入表决票。",
                f"{ctx.params['votes']}[{i}]",
            )
    return None


@RULES.check(
    "chair_speaks_last",
    title="主持人末位表态",
    params={
        "chair": Param(F, "who chaired", default="chair"),
        "opinions": Param(F, "the views in the order given (rows with a name)", default="opinions"),
    },
)
def chair_speaks_last(ctx: CheckContext) -> CheckResult:
    """The chair states his or her view last (末位表态), after every other member present."""
    chair = value_of(ctx, ctx.params["chair"])
    opinions = names_in(value_of(ctx, ctx.params["opinions"]))
    if not isinstance(chair, str) or not chair.strip() or not opinions:
        return None
    chair = chair.strip()
    if chair not in opinions:
        return CheckFailure(
            "chair_speaks_last", f"请记录主持人{chair}的表态意见（主持人最后表态）。", ctx.params["opinions"]
        )
    if opinions[-1] != chair or opinions.count(chair) > 1:
        return CheckFailure(
            "chair_speaks_last",
            f"主持人{chair}应在其他成员充分发表意见后最后表态（末位表态制），请按发言顺序记录。",
            ctx.params["opinions"],
        )
    return None


def passes(settings: Mapping[str, Any], yes: int, entitled: int, withdrawn: int) -> bool:
    """An item passes with yes votes above ``pass_ratio`` of the members entitled to attend.

    ``withdrawn_in_denominator`` (on: the members who withdrew, 回避, still count among those entitled)
    and ``half_inclusive`` (on: exactly the ratio suffices, “半数以上” read as 以上包括本数) are settings."""
    if not settings.get("withdrawn_in_denominator", True):
        entitled -= withdrawn
    need = ratio(settings.get("pass_ratio", "1/2")) * max(entitled, 0)
    return yes >= need if settings.get("half_inclusive") else yes > need


def _passes(ctx: CheckContext, row: Mapping[str, Any], entitled: int) -> bool:
    item = str(row.get("item") or "").strip()
    withdrawn = _withdrawn_per_item(ctx)[item] if ctx.params.get("withdrawn") else 0
    return passes(ctx.settings, int(row.get("yes") or 0), entitled, withdrawn)


@RULES.predicate(
    "no_item_passed",
    title="无一议项获得通过",
    params={
        "entitled": Param(F, "members entitled to attend", default="entitled"),
        "votes": Param(F, "the votes per item", default="votes"),
        "withdrawn": optional(F, "who withdrew from which item (回避)"),
    },
    settings=("pass_ratio", "withdrawn_in_denominator", "half_inclusive"),
)
def no_item_passed(ctx: CheckContext) -> bool:
    """No item got yes votes from more than half of the members *entitled* to attend: nothing adopted."""
    entitled = int_of(ctx, ctx.params["entitled"]) or 0
    return not any(_passes(ctx, row, entitled) for row in value_of(ctx, ctx.params["votes"]) or [])


@RULES.predicate(
    "filing_required",
    title="须报上级党组织备案",
    params={
        "flag": Param(
            F, "the box ticked to file a matter not filed by its category", default="filing_required"
        )
    },
    settings=("filing_categories",),
)
def filing_required(ctx: CheckContext) -> bool:
    """Reported to the superior for the record: always for the categories set, else when the form says so."""
    return bool(value_of(ctx, ctx.params["flag"])) or _category(ctx) in (
        ctx.settings.get("filing_categories") or ()
    )
