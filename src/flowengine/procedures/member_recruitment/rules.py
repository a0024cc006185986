"""Rules of 发展党员, each with the article it enforces.

Source: 《中国共产党发展党员工作细则》 (中办发〔2014〕33号, "细则") and the Party Constitution (党章), as
summarised in ``shared/domain/member_recruitment.md``; articles checked against copies of the 细则's text
(第五、七、八、九、十一、十三、十四、十五至十七、十九、二十、三十二条 quoted verbatim in those copies; the
article numbers of the 支部大会's majority and of the approval's time limit are from the facts file, their
wording from the copies). What varies with
practice — the reading of "一年以上", the 公示 days, the training minimum, the yearly plan — is a setting of
``workflows/member_recruitment.yaml``, overridable per organization.

Time rules count in calendar months (``add_months``: 31 January + 1 month is 28/29 February).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flowengine.chinese import chinese_date
from flowengine.definitions.params import Param, ParamType, optional
from flowengine.engine.calendar import add_months, add_working_days
from flowengine.engine.checks import CheckContext, CheckResult, RuleSet
from flowengine.engine.rules.common import date_of, int_of, value_of
from flowengine.errors import CheckFailure

V, F, T = ParamType.VALUE, ParamType.FIELD, ParamType.TEXT

RULES = RuleSet("member_recruitment")
PARAMS: dict[str, Param] = {}

#: Where the request's dates are, for the rules, documents and the supervision view.
ADMISSION_MEETING = "hold_admission_meeting"
CONVERSION_MEETING = "hold_conversion_meeting"
ACTIVIST_DECISION = "appoint_activist"
EXTENSION_FIELD = "extension_months"
DECISIONS = {"convert": "按期转为正式党员", "extend": "延长预备期", "cancel": "取消预备党员资格"}


def age_on(birth: dt.date, day: dt.date) -> int:
    """Whole years of age on ``day`` (a birthday on 29 February is reached on 1 March in other years)."""
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def probation_end(
    data: Mapping[str, Mapping[str, Any]],
    settings: Mapping[str, Any],
    history: tuple[tuple[str, Mapping[str, Any]], ...] = (),
) -> dt.date | None:
    """The first day after the 预备期: one year (``probation_months``) from the 支部大会 that admitted the
    person (细则第三十二条、党章第七条：预备期从支部大会通过其为预备党员之日算起), plus the extension when one was decided (at
    the latest 转正 meeting, or at an earlier one of ``history``)."""
    meeting = date_of((data.get(ADMISSION_MEETING) or {}).get("meeting_date"))
    if meeting is None:
        return None
    end = add_months(meeting, int(settings.get("probation_months") or 12))
    meetings = [f for a, f in history if a == CONVERSION_MEETING] + [data.get(CONVERSION_MEETING) or {}]
    extended = next(
        (f for f in meetings if f.get("conversion_decision") == "extend" and f.get(EXTENSION_FIELD)), None
    )
    if extended is not None:
        end = add_months(end, int(extended[EXTENSION_FIELD]))
    return end


def earliest_candidate_day(decided: dt.date, settings: Mapping[str, Any]) -> dt.date:
    """The first day an 入党积极分子 decided on ``decided`` may be made a 发展对象 (细则第十三条, "经过一年以上
    培养教育和考察").

    Reading ``at_least`` (default): in Party rules as in law "以上" includes the number itself (cf. 刑法第九十九条),
    so one full year is enough: the anniversary of the decision is the first day. Reading ``more_than``: the
    year must be exceeded, the day after the anniversary is the first day.
    """
    anniversary = add_months(decided, int(settings.get("activist_months") or 12))
    if settings.get("activist_period_reading") == "more_than":
        return anniversary + dt.timedelta(days=1)
    return anniversary


def _full_members(
    ctx: CheckContext, ref: str, low: int, high: int, what: str, article: str, name: str
) -> CheckResult:
    rows = [
        r for r in value_of(ctx, ref) or [] if isinstance(r, Mapping) and str(r.get("name") or "").strip()
    ]
    if not low <= len(rows) <= high:
        need = f"{low}名" if low == high else f"{low}至{high}名"
        return CheckFailure(name, f"{what}应为{need}正式党员（{article}），现填写 {len(rows)} 名。", ref)
    for i, row in enumerate(rows):
        if not row.get("full_member"):
            return CheckFailure(
                name,
                f"{what}{row['name']}不是正式党员：{what}须由正式党员担任，预备党员不能担任（{article}）。",
                f"{ref}[{i}].full_member",
            )
    names = [str(r["name"]).strip() for r in rows]
    if len(set(names)) < len(names):
        return CheckFailure(name, f"{what}不能重复填写同一人。", ref)
    return None


@RULES.check(
    "applicant_of_age",
    title="申请人年满十八周岁",
    params={
        "birth": Param(F, "the applicant's date of birth", default="birth_date"),
        "applied": Param(F, "the date of the written application", default="application_date"),
    },
    settings=("minimum_age",),
)
def applicant_of_age(ctx: CheckContext) -> CheckResult:
    """细则第五条：年满十八岁 … 可以申请加入中国共产党. Counted on the date of the written application; the
    eighteenth birthday itself is enough."""
    birth, applied = (
        date_of(value_of(ctx, ctx.params["birth"])),
        date_of(value_of(ctx, ctx.params["applied"])),
    )
    if birth is None or applied is None:
        return None
    minimum = int(ctx.settings.get("minimum_age") or 18)
    if age_on(birth, applied) < minimum:
        return CheckFailure(
            "applicant_of_age",
            f"申请人出生于{chinese_date(birth)}，提出入党申请时（{chinese_date(applied)}）未满{minimum}周岁："
            f"年满{minimum}岁方可申请入党（细则第五条）。",
            ctx.params["birth"],
        )
    return None


@RULES.check(
    "contacts_are_full_members",
    title="培养联系人为一至两名正式党员",
    params={"contacts": Param(F, "the 培养联系人 (rows with a name and full_member)", default="contacts")},
    settings=("contacts_min", "contacts_max"),
)
def contacts_are_full_members(ctx: CheckContext) -> CheckResult:
    """细则第九条：党组织应当指定一至两名正式党员作入党积极分子的培养联系人."""
    low, high = int(ctx.settings.get("contacts_min") or 1), int(ctx.settings.get("contacts_max") or 2)
    return _full_members(
        ctx, ctx.params["contacts"], low, high, "培养联系人", "细则第九条", "contacts_are_full_members"
    )


@RULES.check(
    "introducers_are_full_members",
    title="两名正式党员作入党介绍人",
    params={
        "introducers": Param(F, "the 入党介绍人 (rows with a name and full_member)", default="introducers")
    },
    settings=("introducers_required",),
)
def introducers_are_full_members(ctx: CheckContext) -> CheckResult:
    """细则第十四条（党章第五条）：发展党员，必须有两名正式党员作入党介绍人."""
    n = int(ctx.settings.get("introducers_required") or 2)
    return _full_members(
        ctx, ctx.params["introducers"], n, n, "入党介绍人", "细则第十四条", "introducers_are_full_members"
    )


@RULES.check(
    "activist_period_served",
    title="入党积极分子培养考察一年以上",
    params={
        "decided": Param(F, "the day the 发展对象 is decided", default="decided_on"),
        "since": Param(
            V, "the day the person became an 入党积极分子", default=f"{ACTIVIST_DECISION}.decided_on"
        ),
    },
    settings=("activist_months", "activist_period_reading"),
)
def activist_period_served(ctx: CheckContext) -> CheckResult:
    """细则第十三条：对经过一年以上培养教育和考察、基本具备党员条件的入党积极分子 … 可列为发展对象.
    The reading of "一年以上" is the setting ``activist_period_reading`` (see :func:`earliest_candidate_day`)."""
    since, decided = (
        date_of(value_of(ctx, ctx.params["since"])),
        date_of(value_of(ctx, ctx.params["decided"])),
    )
    if since is None or decided is None:
        return None
    first = earliest_candidate_day(since, ctx.settings)
    if decided < first:
        reading = "须超过一年" if ctx.settings.get("activist_period_reading") == "more_than" else "须满一年"
        return CheckFailure(
            "activist_period_served",
            f"确定为入党积极分子的日期是{chinese_date(since)}，到{chinese_date(decided)}培养教育考察不足一年以上"
            f"（{reading}，细则第十三条）：最早可于{chinese_date(first)}确定为发展对象。",
            ctx.params["decided"],
        )
    return None


@RULES.check(
    "views_heard",
    title="已听取党小组、培养联系人、党员和群众意见",
    params={"flag": Param(F, "the box saying the views were heard", default="views_heard")},
)
def views_heard(ctx: CheckContext) -> CheckResult:
    """细则第十三条：在听取党小组、培养联系人、党员和群众意见的基础上，支部委员会讨论同意."""
    if not value_of(ctx, ctx.params["flag"]):
        return CheckFailure(
            "views_heard",
            "确定发展对象前，须听取党小组、培养联系人、党员和群众的意见（细则第十三条）。",
            ctx.params["flag"],
        )
    return None


@RULES.check(
    "political_review_passed",
    title="政治审查合格",
    params={
        "result": Param(F, "the conclusion of the political review", default="review_result"),
        "summary": Param(F, "the written conclusion", default="review_summary"),
    },
)
def political_review_passed(ctx: CheckContext) -> CheckResult:
    """细则第十五、十六条：对发展对象进行政治审查，审查情况应当形成结论性材料；凡是未经政治审查或者政治审查
    不合格的，不能发展入党."""
    result = value_of(ctx, ctx.params["result"])
    if result != "passed":
        return CheckFailure(
            "political_review_passed",
            "政治审查结论为不合格：未经政治审查或政治审查不合格的，不能发展入党（细则第十六条）。",
            ctx.params["result"],
        )
    if not str(value_of(ctx, ctx.params["summary"]) or "").strip():
        return CheckFailure(
            "political_review_passed",
            "政治审查应当形成结论性材料（细则第十六条），请填写结论摘要。",
            ctx.params["summary"],
        )
    return None


@RULES.check(
    "training_sufficient",
    title="集中培训不少于三天或二十四学时",
    params={
        "days": Param(F, "days of training", default="training_days"),
        "hours": Param(F, "学时 of training", default="training_hours"),
    },
    settings=("training_min_days", "training_min_hours"),
)
def training_sufficient(ctx: CheckContext) -> CheckResult:
    """细则第十七条：对发展对象进行短期集中培训，培训时间一般不少于三天（或不少于二十四个学时）；未经培训的，
    除个别特殊情况外，不能发展入党."""
    days, hours = int_of(ctx, ctx.params["days"]) or 0, int_of(ctx, ctx.params["hours"]) or 0
    min_days = int(ctx.settings.get("training_min_days") or 3)
    min_hours = int(ctx.settings.get("training_min_hours") or 24)
    if days >= min_days or hours >= min_hours:
        return None
    return CheckFailure(
        "training_sufficient",
        f"集中培训 {days} 天、{hours} 学时，不足：培训时间一般不少于{min_days}天或不少于{min_hours}个学时"
        "（细则第十七条）。",
        ctx.params["days"],
    )


@RULES.check(
    "publicity_over",
    title="公示期已满",
    params={"start": Param(V, "the first day of the 公示", default="pass_pre_review.publicity_from")},
    settings=("publicity_days",),
)
def publicity_over(ctx: CheckContext) -> CheckResult:
    """The 公示 lasts ``publicity_days`` working days from its first day (not in the 细则; local rules, 5 working
    days by default); it cannot be closed before they are over (the system closes it when they are)."""
    start = date_of(value_of(ctx, ctx.params["start"]))
    if start is None:
        return None
    days = int(ctx.settings.get("publicity_days") or 5)
    over = publicity_end(start, days) + dt.timedelta(days=1)
    if ctx.today < over:
        return CheckFailure(
            "publicity_over",
            f"公示期为{days}个工作日（{chinese_date(start)}至{chinese_date(publicity_end(start, days))}），"
            f"尚未期满，{chinese_date(over)}起方可结束公示。",
            ctx.params["start"],
        )
    return None


def publicity_end(start: dt.date, days: int) -> dt.date:
    """The last day of a 公示 of ``days`` working days starting on ``start`` (``start`` counted when it is a
    working day)."""
    return add_working_days(start - dt.timedelta(days=1), days)


@RULES.check(
    "volunteer_form_filled",
    title="已填写入党志愿书",
    params={"flag": Param(F, "the box saying the 入党志愿书 was filled in", default="volunteer_form_filled")},
)
def volunteer_form_filled(ctx: CheckContext) -> CheckResult:
    """细则第十九条：基层党委 … 向审查合格的发展对象发放《中国共产党入党志愿书》; the 支部大会 discusses the
    filled-in form (第二十条)."""
    if not value_of(ctx, ctx.params["flag"]):
        return CheckFailure(
            "volunteer_form_filled",
            "发展对象须在支部大会前填写《中国共产党入党志愿书》。",
            ctx.params["flag"],
        )
    return None


def _more_than_half(count: int, total: int) -> bool:
    return 2 * count > total


@RULES.check(
    "meeting_valid",
    title="支部大会到会人数和票数有效",
    params={
        "entitled": Param(F, "full members entitled to vote (应到会有表决权)", default="voting_members"),
        "present": Param(F, "those entitled who attended", default="attending"),
        "yes": Param(F, "yes votes (written opinions included)"),
        "no": optional(F, "votes against"),
        "abstain": optional(F, "abstentions"),
    },
)
def meeting_valid(ctx: CheckContext) -> CheckResult:
    """细则第二十条：召开讨论接收预备党员的支部大会，有表决权的到会人数必须超过应到会有表决权人数的半数.
    Votes: yes, against and abstentions together cannot exceed those entitled (written opinions of members
    unable to attend count, 细则第二十一条, so the total is bounded by those entitled, not those present)."""
    p = ctx.params
    entitled, present = int_of(ctx, p["entitled"]), int_of(ctx, p["present"])
    if entitled is None or present is None:
        return None
    if present > entitled:
        return CheckFailure(
            "meeting_valid",
            f"实到 {present} 人，多于应到会有表决权的 {entitled} 人，请核对人数。",
            p["present"],
        )
    if not _more_than_half(present, entitled):
        need = entitled // 2 + 1
        return CheckFailure(
            "meeting_valid",
            f"有表决权的到会人数 {present} 人，未超过应到会有表决权人数（{entitled} 人）的半数，至少须 {need} 人"
            "到会，支部大会不能举行（细则第二十条）。请改期召开。",
            p["present"],
        )
    votes = sum(int_of(ctx, p[k]) or 0 for k in ("yes", "no", "abstain") if p.get(k))
    if votes > entitled:
        return CheckFailure(
            "meeting_valid",
            f"赞成、反对、弃权票合计 {votes} 票，多于应到会有表决权的 {entitled} 人，请核对票数。",
            p["yes"],
        )
    return None


def resolution_passes(yes: int, entitled: int) -> bool:
    """细则第二十一条：赞成人数超过应到会有表决权的正式党员的半数，才能通过 … 决议 (25 entitled: 13 pass, 12 not)."""
    return _more_than_half(yes, entitled)


@RULES.predicate(
    "resolution_failed",
    title="支部大会决议未获通过",
    params={
        "entitled": Param(F, "full members entitled to vote", default="voting_members"),
        "yes": Param(F, "yes votes (written opinions included)"),
    },
)
def resolution_failed(ctx: CheckContext) -> bool:
    """Yes votes not more than half of the full members entitled to vote: the person is not admitted now
    and stays a 发展对象 (细则第二十一条)."""
    entitled, yes = int_of(ctx, ctx.params["entitled"]) or 0, int_of(ctx, ctx.params["yes"]) or 0
    return not resolution_passes(yes, entitled)


@RULES.check(
    "resolution_passed",
    title="支部大会决议获得通过",
    params={
        "entitled": Param(F, "full members entitled to vote", default="voting_members"),
        "yes": Param(F, "yes votes for the decision proposed"),
    },
)
def resolution_passed(ctx: CheckContext) -> CheckResult:
    """The 转正 meeting decides one of 转正 / 延长预备期 / 取消资格 (细则第三十二条), each to be 经支部大会讨论
    通过和上级党组织批准 (党章第七条), with the majority of the admission (细则第二十一条): the decision
    recorded must have passed."""
    entitled, yes = int_of(ctx, ctx.params["entitled"]), int_of(ctx, ctx.params["yes"])
    if entitled is None or yes is None or resolution_passes(yes, entitled):
        return None
    return CheckFailure(
        "resolution_passed",
        f"赞成 {yes} 票，未超过应到会有表决权的正式党员（{entitled} 人）的半数（至少须 {entitled // 2 + 1} 票），"
        "决议未获通过：请重新讨论，表决通过后再登记。",
        ctx.params["yes"],
    )


@RULES.check(
    "extension_allowed",
    title="延长预备期一次，半年至一年",
    params={
        "decision": Param(F, "the decision voted", default="conversion_decision"),
        "months": Param(F, "months of extension", default=EXTENSION_FIELD),
    },
    settings=("extension_min_months", "extension_max_months"),
)
def extension_allowed(ctx: CheckContext) -> CheckResult:
    """细则第三十二条：需要继续考察和教育的，可以延长一次预备期，延长时间不能少于半年，最长不超过一年 (党章第七条);
    an extension is decided once: a second one is refused."""
    if value_of(ctx, ctx.params["decision"]) != "extend":
        return None
    low = int(ctx.settings.get("extension_min_months") or 6)
    high = int(ctx.settings.get("extension_max_months") or 12)
    if any(a == ctx.action and f.get(ctx.params["decision"]) == "extend" for a, f in ctx.history):
        return CheckFailure(
            "extension_allowed",
            "预备期已延长过一次，不能再次延长：延长期满应讨论能否转为正式党员，不具备条件的取消预备党员资格。",
            ctx.params["decision"],
        )
    months = int_of(ctx, ctx.params["months"])
    if months is None or not low <= months <= high:
        got = "未填写" if months is None else f"填写了 {months} 个月"
        return CheckFailure(
            "extension_allowed",
            f"延长预备期须为{low}至{high}个月（不能少于半年，最长不超过一年），{got}。",
            ctx.params["months"],
        )
    return None


@RULES.predicate(
    "decision_is",
    title="支部大会的决定是",
    params={"field": Param(V, "the decision field"), "value": Param(T, "the decision")},
)
def decision_is(ctx: CheckContext) -> bool:
    return value_of(ctx, ctx.params["field"]) == ctx.params["value"]


@RULES.check(
    "approval_in_time",
    title="基层党委在三个月内审批（至多六个月）",
    params={
        "meeting": Param(V, "the date of the 支部大会 whose resolution is approved"),
        "decided": Param(F, "the day the 党委 decided", default="decided_on"),
        "reason": Param(F, "the special circumstances, when past three months", default="late_reason"),
    },
    settings=("approval_months", "approval_max_months"),
)
def approval_in_time(ctx: CheckContext) -> CheckResult:
    """细则第四章（预备党员的接收）, the 基层党委's approval：应当在三个月内审批 … 因特殊情况可以适当延长审批时间，但不得超过六个月.
    Within three months: fine. After: only with the special circumstances stated, and never after six months
    (the branch must then go through the admission again). Not before the meeting, not in the future."""
    meeting = date_of(value_of(ctx, ctx.params["meeting"]))
    decided = date_of(value_of(ctx, ctx.params["decided"]))
    if meeting is None or decided is None:
        return None
    if decided > ctx.today:
        return CheckFailure(
            "approval_in_time",
            f"审批日期{chinese_date(decided)}晚于今天，请在党委会审批后再登记。",
            ctx.params["decided"],
        )
    if decided < meeting:
        return CheckFailure("approval_in_time", "审批日期不能早于支部大会日期。", ctx.params["decided"])
    normal = add_months(meeting, int(ctx.settings.get("approval_months") or 3))
    limit = add_months(meeting, int(ctx.settings.get("approval_max_months") or 6))
    if decided > limit:
        return CheckFailure(
            "approval_in_time",
            f"支部大会于{chinese_date(meeting)}召开，审批期限最迟到{chinese_date(limit)}（不得超过六个月），"
            f"{chinese_date(decided)}已超过：须由党支部重新召开支部大会讨论。",
            ctx.params["decided"],
        )
    if decided > normal and not str(value_of(ctx, ctx.params["reason"]) or "").strip():
        return CheckFailure(
            "approval_in_time",
            f"支部大会于{chinese_date(meeting)}召开，应在{chinese_date(normal)}前审批；超过三个月审批的，"
            "须说明特殊情况（最长不超过六个月）。",
            ctx.params["reason"],
        )
    return None


@RULES.check("probation_over", title="预备期已满", settings=("probation_months",))
def probation_over(ctx: CheckContext) -> CheckResult:
    """细则第三十二条：预备党员的预备期为一年，从支部大会通过其为预备党员之日算起；预备期满，党支部应当及时讨论
    其能否转为正式党员 — so the 转正 discussion opens when the year (and an extension) is over, not before."""
    end = probation_end(ctx.data, ctx.settings, ctx.history)
    if end is None or ctx.today >= end:
        return None
    return CheckFailure(
        "probation_over",
        f"预备期到{chinese_date(end - dt.timedelta(days=1))}期满，{chinese_date(end)}起方可讨论转正"
        "（到期时系统自动转入转正讨论）。",
    )
