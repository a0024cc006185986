"""Rules of the re-election of a Party organization (两请示一报告三批复) and of 延期/提前换届.

Sources: 《中国共产党基层组织选举工作条例》(2020, “条例”), 《中国共产党支部工作条例（试行）》(2018),
the Party Constitution, and the practice guides summarised in ``shared/domain/procedures.md``. Every
number practice varies on is a setting of the definition (overridable per organization), read here from
``ctx.settings``; the defaults live in the YAML, next to the steps that use them.

The election is counted from the votes, never from what the secretary says the result was: the rules
recount every round (:func:`count_round`) and replay the rounds held so far (:class:`Ledger`) to know who
is elected, whether a tie at the cut-off needs a re-vote among the tied, and how many seats a 另行选举
still has to fill. The secretary's list of the elected is then *checked* against that count, so a slip in
a long tally sheet is caught before the report reaches the superior.

No step of ``workflows/branch_election.yaml`` is named here: which step holds the seats, the candidates and
the rounds is said once in the definition's ``params`` (:data:`PARAMS`), and every field a rule reads is a
typed parameter that the loader resolves against the YAML.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from flowengine.chinese import chinese_date
from flowengine.definitions.params import Param, ParamType, optional
from flowengine.engine.ballot_order import order_records_by_surname_strokes
from flowengine.engine.calendar import add_working_days, working_days_between
from flowengine.engine.checks import CheckContext, CheckResult, OrgUpdate, RuleSet
from flowengine.engine.rules.common import (
    add_months,
    date_of,
    int_of,
    names_in,
    quorum_failure,
    ratio,
    regular_term_end,
    setting_for_type,
    value_of,
)
from flowengine.errors import CheckFailure
from flowengine.vocabulary import ORG_TYPES

V, F, C, A, T, B = (
    ParamType.VALUE,
    ParamType.FIELD,
    ParamType.COLUMN,
    ParamType.ACTION,
    ParamType.TEXT,
    ParamType.BOOLEAN,
)

RULES = RuleSet("branch_election")

#: What the definition says once, at its top, for every rule that counts the election: where the full
#: members on record are, the approved seats and candidates, and which steps record the rounds of voting.
PARAMS: dict[str, Param] = {
    "members": Param(
        V, "the full members recorded when the re-election was studied (the tree may lag behind)"
    ),
    "seats": Param(V, "the committee seats 批复① approved"),
    "candidates": Param(V, "the candidate list 批复② approved (rows with a name)"),
    "first_round": Param(A, "the step recording the 党员大会's first ballot for the committee"),
    "additional_round": Param(A, "the step recording each further round (再次投票 or 另行选举)"),
}

SECRETARY = "书记"
DEPUTY = "副书记"


# ---- reading the request ---------------------------------------------------------------------------


def _field(ref: str) -> str | None:
    """A ``params`` reference as a field path of the current form (``None`` for an earlier step's)."""
    return None if "." in ref else ref


def _setting_for_type(ctx: CheckContext, name: str) -> Any:
    return setting_for_type(ctx.settings, name, ctx.org.type)


def recorded_full_members(ctx: CheckContext) -> int:
    """Full members as the study step recorded them (the tree may lag behind transfers), else the tree's."""
    recorded = value_of(ctx, ctx.procedure["members"])
    return (
        int(recorded)
        if isinstance(recorded, int) and not isinstance(recorded, bool)
        else ctx.org.full_members
    )


def type_title(ctx: CheckContext) -> str:
    return ORG_TYPES.get(ctx.org.type, "党组织")


def size_range(ctx: CheckContext) -> tuple[int, int] | None:
    value = _setting_for_type(ctx, "committee_size")
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2:
        return int(value[0]), int(value[1])
    return None


def margin_needed(seats: int, fraction: Fraction) -> int:
    """Fewest candidates for ``seats`` at a margin of at least ``fraction`` (条例第十三条: 20%, ceil)."""
    return seats + math.ceil(fraction * seats)


def _votes(rows: Any) -> list[tuple[str, int]]:
    out = []
    for row in rows or []:
        if isinstance(row, Mapping) and isinstance(row.get("name"), str) and row["name"].strip():
            yes = row.get("yes")
            out.append(
                (row["name"].strip(), int(yes) if isinstance(yes, int) and not isinstance(yes, bool) else 0)
            )
    return out


# ---- counting --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """The result of one round: who is elected, and who tie at the cut-off for how many seats."""

    winners: tuple[str, ...]
    tied: tuple[str, ...] = ()
    tie_seats: int = 0


def count_round(votes: Sequence[tuple[str, int]], present: int, seats: int, majority: bool = True) -> Count:
    """Count a round for ``seats`` seats.

    With ``majority`` (a normal ballot or a 另行选举) only candidates with more yes votes than half of
    those present can win; if more of them than seats, they are taken by votes, and candidates tied at the
    cut-off go to a re-vote among themselves. A re-vote among the tied (``majority=False``) is decided by
    the most votes alone: each of them already had a majority.
    """
    if seats <= 0:
        return Count(())
    eligible = sorted(((n, y) for n, y in votes if not majority or 2 * y > present), key=lambda v: -v[1])
    if len(eligible) <= seats:
        return Count(tuple(n for n, _ in eligible))
    cutoff = eligible[seats - 1][1]
    if eligible[seats][1] < cutoff:
        return Count(tuple(n for n, _ in eligible[:seats]))
    above = tuple(n for n, y in eligible if y > cutoff)
    tied = tuple(n for n, y in eligible if y == cutoff)
    return Count(above, tied, seats - len(above))


@dataclass(frozen=True)
class Ledger:
    """Where the election of the committee stands after the rounds held so far.

    ``kind`` is what the next round must be: ``regular`` (none held yet), ``tie`` (a re-vote among
    ``eligible`` for ``open_seats``), ``additional`` (另行选举 among the unelected candidates for
    ``open_seats``), or ``None`` when every seat is filled.
    """

    seats: int
    candidates: tuple[str, ...]
    elected: tuple[str, ...] = ()
    kind: str | None = "regular"
    eligible: tuple[str, ...] = ()
    open_seats: int = 0

    @classmethod
    def start(cls, seats: int, candidates: Iterable[str]) -> Ledger:
        names = tuple(candidates)
        return cls(seats, names, (), "regular", names, seats)

    def after(self, round_data: Mapping[str, Any], votes_key: str = "votes") -> Ledger:
        present = int(round_data.get("present") or 0)
        count = count_round(_votes(round_data.get(votes_key)), present, self.open_seats, self.kind != "tie")
        elected = self.elected + tuple(n for n in count.winners if n not in self.elected)
        if count.tied:
            return dataclasses.replace(
                self, elected=elected, kind="tie", eligible=count.tied, open_seats=count.tie_seats
            )
        left = self.seats - len(elected)
        if left > 0:
            unelected = tuple(n for n in self.candidates if n not in elected)
            return dataclasses.replace(
                self, elected=elected, kind="additional", eligible=unelected, open_seats=left
            )
        return dataclasses.replace(self, elected=elected, kind=None, eligible=(), open_seats=0)


@dataclass(frozen=True)
class Body:
    """A second body elected at the same 党员大会 (the 纪律检查委员会): where its approved seats and
    candidates are, and the field of each round's form that holds its tally."""

    seats: str
    candidates: str
    votes: str


#: The optional parameters a counting rule takes to count the second body instead of the committee.
BODY_PARAMS: dict[str, Param] = {
    "body_seats": optional(
        V, "the second body's approved seats (e.g. the 纪委's); leave out for the committee"
    ),
    "body_candidates": optional(V, "the second body's approved candidates"),
    "body_votes": optional(T, "the field of each round holding the second body's tally"),
}


def body_of(ctx: CheckContext) -> Body | None:
    """The body a rule counts: the committee (``None``) unless ``body_seats`` names another one."""
    p = ctx.params
    if not p.get("body_seats"):
        return None
    votes = p.get("body_votes") or _field(p.get("votes", "votes")) or "votes"
    return Body(p["body_seats"], p.get("body_candidates") or "", votes)


def _rounds(ctx: CheckContext, include_current: bool, votes_key: str = "votes") -> list[Mapping[str, Any]]:
    """The rounds of the current election, oldest first: the last first ballot and what followed it.

    A round in which this body was not voted on (its tally empty: only the other body had seats left)
    is left out, so it neither elects nor turns a pending re-vote into a 另行选举."""
    first, additional = ctx.procedure["first_round"], ctx.procedure["additional_round"]
    rounds: list[Mapping[str, Any]] = []
    for action, data in ctx.history:
        if action == first:
            rounds = [data]
        elif action == additional and rounds:
            rounds.append(data)
    if ctx.action == first:
        rounds = []  # a first ballot starts the count afresh
    if include_current:
        if ctx.action == first:
            rounds = [ctx.form]
        elif ctx.action == additional:
            rounds.append(ctx.form)
    return [r for i, r in enumerate(rounds) if i == 0 and votes_key == "votes" or _votes(r.get(votes_key))]


def ledger(ctx: CheckContext, include_current: bool = True) -> Ledger:
    """Replay the rounds (with or without the one being recorded) from the approved seats and candidates.

    With ``body_seats`` (and ``body_candidates``, ``body_votes``) among the rule's parameters, the second
    body's election is replayed instead; a request that elects no such body has nothing left to elect."""
    body = body_of(ctx)
    if body is None:
        seats_ref, candidates_ref, votes_key = ctx.procedure["seats"], ctx.procedure["candidates"], "votes"
    else:
        seats_ref, candidates_ref, votes_key = body.seats, body.candidates, body.votes
    seats = int_of(ctx, seats_ref) or 0
    if body is not None and seats <= 0:
        return Ledger(0, (), kind=None)
    state = Ledger.start(seats, names_in(value_of(ctx, candidates_ref)))
    for r in _rounds(ctx, include_current, votes_key):
        state = state.after(r, votes_key)
    return state


def this_round(ctx: CheckContext) -> Ledger:
    """The state *before* the round being recorded: what it is for, who may stand, how many seats."""
    return ledger(ctx, include_current=False)


def _round_title(kind: str | None) -> str:
    return {"tie": "再次投票", "additional": "另行选举"}.get(kind or "", "选举")


# ---- the organization and 请示① -------------------------------------------------------------------


@RULES.predicate(
    "no_committee", title="不设委员会（正式党员不足规定人数的党支部）", settings=("committee_threshold",)
)
def no_committee(ctx: CheckContext) -> bool:
    """A branch with fewer full members than the threshold (7) has no committee: the no-committee path."""
    threshold = int(ctx.settings.get("committee_threshold") or 7)
    return ctx.org.type == "branch" and recorded_full_members(ctx) < threshold


@RULES.check(
    "committee_size_allowed",
    title="委员名额符合规定",
    params={"size": Param(V, "the committee size asked for", default="committee_size")},
    settings=("committee_threshold", "committee_size"),
)
def committee_size_allowed(ctx: CheckContext) -> CheckResult:
    """``params: {size}``: committee size within the range for the organization type, and a committee at all."""
    ref = ctx.params.get("size", "committee_size")
    size = int_of(ctx, ref)
    if size is None:
        return None
    threshold = int(ctx.settings.get("committee_threshold") or 7)
    full = recorded_full_members(ctx)
    if ctx.org.type == "branch" and full < threshold:
        return CheckFailure(
            "committee_size_allowed",
            f"本支部正式党员 {full} 人，不足 {threshold} 人，不设支部委员会，由党员大会直接选举书记"
            "（《中国共产党支部工作条例（试行）》）。",
            _field(ref),
        )
    bounds = size_range(ctx)
    if bounds and not bounds[0] <= size <= bounds[1]:
        return CheckFailure(
            "committee_size_allowed",
            f"{type_title(ctx)}委员会一般由 {bounds[0]} 至 {bounds[1]} 人组成，本次拟设 {size} 人，"
            "请调整委员名额。",
            _field(ref),
        )
    return None


@RULES.check(
    "deputies_allowed",
    title="副书记名额符合规定",
    params={
        "deputies": Param(V, "the number of 副书记", default="deputy_count"),
        "secretaries": optional(V, "the number of 书记 (1 when not given)"),
        "size": optional(V, "the committee size (without one: the full members)"),
    },
    settings=("max_deputy_secretaries",),
)
def deputies_allowed(ctx: CheckContext) -> CheckResult:
    """``params: {deputies, secretaries, size}``: 副书记 within the limit; 书记+副书记 not above the seats."""
    ref = ctx.params.get("deputies", "deputy_count")
    deputies = int_of(ctx, ref)
    if deputies is None:
        return None
    limit = _setting_for_type(ctx, "max_deputy_secretaries")
    if limit is not None and deputies > int(limit):
        return CheckFailure(
            "deputies_allowed",
            f"{type_title(ctx)}一般设副书记不超过 {int(limit)} 名，本次拟设 {deputies} 名。",
            _field(ref),
        )
    secretaries_ref = ctx.params.get("secretaries")
    secretaries = (int_of(ctx, secretaries_ref) if secretaries_ref else None) or 1
    size_ref = ctx.params.get("size")
    size = int_of(ctx, size_ref) if size_ref else None
    if size is not None and secretaries + deputies > size:
        return CheckFailure(
            "deputies_allowed",
            f"书记、副书记共 {secretaries + deputies} 名，多于委员会的 {size} 个名额。",
            _field(ref),
        )
    if size is None and secretaries + deputies > recorded_full_members(ctx):
        return CheckFailure(
            "deputies_allowed", f"书记、副书记共 {secretaries + deputies} 名，多于正式党员人数。", _field(ref)
        )
    return None


@RULES.check(
    "candidate_margin",
    title="委员候选人差额不少于20%",
    params={
        "seats": Param(V, "seats to fill", default="committee_size"),
        "candidates": Param(V, "candidates (a number or a list)", default="candidate_count"),
    },
    settings=("margin_ratio",),
)
def candidate_margin(ctx: CheckContext) -> CheckResult:
    """``params: {seats, candidates}``: at least ``seats + ceil(margin × seats)`` candidates (差额选举)."""
    seats = int_of(ctx, ctx.params.get("seats", "committee_size"))
    ref = ctx.params.get("candidates", "candidate_count")
    count = int_of(ctx, ref)
    if seats is None or count is None:
        return None
    fraction = ratio(ctx.settings.get("margin_ratio", "1/5"))
    need = margin_needed(seats, fraction)
    if count < need:
        return CheckFailure(
            "candidate_margin",
            f"应选委员 {seats} 名，委员候选人应多于应选人数的 {float(fraction) * 100:g}%（差额选举，条例第十三条），"
            f"即至少 {need} 名；现为 {count} 名。",
            _field(ref),
        )
    return None


@RULES.check(
    "candidates_within_membership",
    title="候选人数不多于正式党员人数",
    params={
        "candidates": Param(V, "candidates (a number or a list)", default="candidate_count"),
        "full_members": optional(V, "full members (default: those on record)"),
    },
)
def candidates_within_membership(ctx: CheckContext) -> CheckResult:
    """``params: {candidates, full_members}``: candidates must be full members, so no more than there are."""
    ref = ctx.params.get("candidates", "candidate_count")
    count = int_of(ctx, ref)
    members_ref = ctx.params.get("full_members")
    full = int_of(ctx, members_ref) if members_ref else recorded_full_members(ctx)
    if count is None or full is None:
        return None
    if count > full:
        return CheckFailure(
            "candidates_within_membership",
            f"候选人须为正式党员：候选人数（{count} 名）不能多于正式党员人数（{full} 名）。",
            _field(ref),
        )
    return None


@RULES.check(
    "planned_month_within_term",
    title="党员大会在任期届满前召开",
    params={
        "month": Param(V, "the planned month", default="planned_month"),
        "term_end": Param(V, "the term end given in the form", default="current_term_end"),
    },
)
def planned_month_within_term(ctx: CheckContext) -> CheckResult:
    """``params: {month, term_end}``: the 党员大会 is planned by the end of the term, and not in the past.

    The term end is the organization's (an approved 延期换届 has already moved it), else the form's.
    """
    ref = ctx.params.get("month", "planned_month")
    month = value_of(ctx, ref)
    if not isinstance(month, str) or len(month) != 7:
        return None
    end = ctx.org.term_end or date_of(value_of(ctx, ctx.params.get("term_end", "current_term_end")))
    year, mon = int(month[:4]), int(month[5:])
    if (year, mon) < (ctx.today.year, ctx.today.month):
        return CheckFailure(
            "planned_month_within_term",
            f"计划召开党员大会的时间（{year}年{mon}月）已经过去，请重新确定。",
            _field(ref),
        )
    if end is not None and (year, mon) > (end.year, end.month):
        return CheckFailure(
            "planned_month_within_term",
            f"本届任期于{chinese_date(end)}届满，计划召开党员大会的时间（{year}年{mon}月）晚于届满时间。"
            "应按期换届；确需延期的，请先报上级党组织批准延期换届（条例第三条），批准后届满日期随之调整。",
            _field(ref),
        )
    return None


# ---- nomination and 请示② -------------------------------------------------------------------------


@RULES.check(
    "publicity_period",
    title="公示期不少于规定工作日",
    params={
        "flag": Param(V, "whether there was a 公示", default="publicity"),
        "start": Param(V, "its first day", default="publicity_start"),
        "end": Param(V, "its last day", default="publicity_end"),
    },
    settings=("publicity_days",),
)
def publicity_period(ctx: CheckContext) -> CheckResult:
    """``params: {flag, start, end}``: when the candidates are publicised, for enough working days."""
    if not value_of(ctx, ctx.params.get("flag", "publicity")):
        return None
    start_ref, end_ref = ctx.params.get("start", "publicity_start"), ctx.params.get("end", "publicity_end")
    start, end = date_of(value_of(ctx, start_ref)), date_of(value_of(ctx, end_ref))
    if start is None:
        return CheckFailure("publicity_period", "已选择进行公示，请填写公示开始日期。", _field(start_ref))
    if end is None:
        return CheckFailure("publicity_period", "已选择进行公示，请填写公示结束日期。", _field(end_ref))
    if end < start:
        return CheckFailure("publicity_period", "公示结束日期早于开始日期。", _field(end_ref))
    need = int(ctx.settings.get("publicity_days") or 0)
    days = working_days_between(start - dt.timedelta(days=1), end)
    if days < need:
        return CheckFailure(
            "publicity_period",
            f"公示期（{chinese_date(start)}至{chinese_date(end)}）只有 {days} 个工作日，少于规定的 {need} 个工作日"
            "（节假日不计入）。",
            _field(end_ref),
        )
    return None


@RULES.check(
    "candidate_names_unique",
    title="候选人不重复",
    params={"list": Param(V, "the candidate list", default="candidates")},
)
def candidate_names_unique(ctx: CheckContext) -> CheckResult:
    """``params: {list}``: each candidate once (a name listed twice is a slip, and would split the votes)."""
    ref = ctx.params.get("list", "candidates")
    seen: set[str] = set()
    for i, name in enumerate(names_in(value_of(ctx, ref))):
        if name in seen:
            return CheckFailure("candidate_names_unique", f"“{name}”重复填写。", f"{ref}[{i}].name")
        seen.add(name)
    return None


@RULES.check(
    "candidates_in_ballot_order",
    title="候选人按姓氏笔画排列",
    params={"list": Param(V, "the candidate list", default="candidates")},
)
def candidates_in_ballot_order(ctx: CheckContext) -> CheckResult:
    """``params: {list}``: the list in 姓氏笔画 order, as the 请示 and the ballot print it (条例第二十四条)."""
    ref = ctx.params.get("list", "candidates")
    rows = [r for r in value_of(ctx, ref) or [] if isinstance(r, Mapping) and isinstance(r.get("name"), str)]
    if len(rows) < 2:
        return None
    expected = [r["name"].strip() for r in order_records_by_surname_strokes(rows, "name")]
    if [r["name"].strip() for r in rows] != expected:
        return CheckFailure(
            "candidates_in_ballot_order",
            f"预备人选名单应按姓氏笔画为序排列（选票亦按此顺序印制），请调整为：{'、'.join(expected)}。",
            ref,
        )
    return None


@RULES.check(
    "candidates_are_full_members",
    title="候选人均为正式党员",
    params={
        "list": Param(V, "the candidate list", default="candidates"),
        "joined": Param(C, "the column with the date each joined", default="joined_party", column_of="list"),
    },
)
def candidates_are_full_members(ctx: CheckContext) -> CheckResult:
    """``params: {list, joined}``: nobody who joined less than a year ago (still 预备党员: no right to stand)."""
    ref = ctx.params.get("list", "candidates")
    column = ctx.params.get("joined", "joined_party")
    for i, row in enumerate(value_of(ctx, ref) or []):
        joined = date_of(row.get(column)) if isinstance(row, Mapping) else None
        if joined is not None and add_months(joined, 12) > ctx.today:
            return CheckFailure(
                "candidates_are_full_members",
                f"{row.get('name') or '该候选人'}于{chinese_date(joined)}入党，预备期未满一年，尚为预备党员，"
                "没有被选举权（条例第五条）。",
                f"{ref}[{i}].{column}",
            )
    return None


@RULES.check(
    "candidates_as_approved",
    title="候选人数与批复一致",
    params={
        "list": Param(V, "the candidate list", default="candidates"),
        "approved": Param(V, "the number of candidates approved"),
    },
)
def candidates_as_approved(ctx: CheckContext) -> CheckResult:
    """``params: {list, approved}``: as many candidates as 批复① approved."""
    ref = ctx.params.get("list", "candidates")
    count = int_of(ctx, ref)
    approved = int_of(ctx, ctx.params["approved"])
    if count is None or approved is None or count == approved:
        return None
    return CheckFailure(
        "candidates_as_approved",
        f"上级批复同意委员候选人 {approved} 名，预备人选名单现为 {count} 名，应与批复一致。",
        ref,
    )


@RULES.check(
    "leaders_among_candidates",
    title="书记、副书记候选人在委员候选人之中",
    params={
        "list": Param(V, "the committee candidate list", default="candidates"),
        "secretary": Param(V, "the 书记 candidate", default="secretary_candidate"),
        "deputies": Param(V, "the 副书记 candidates (rows with a name)", default="deputy_candidates"),
    },
)
def leaders_among_candidates(ctx: CheckContext) -> CheckResult:
    """``params: {list, secretary, deputies}``: 书记/副书记 candidates are committee candidates, each once."""
    names = set(names_in(value_of(ctx, ctx.params.get("list", "candidates"))))
    sec_ref = ctx.params.get("secretary", "secretary_candidate")
    secretary = value_of(ctx, sec_ref)
    if isinstance(secretary, str) and secretary.strip() and secretary.strip() not in names:
        return CheckFailure(
            "leaders_among_candidates",
            f"书记候选人预备人选“{secretary.strip()}”不在委员候选人预备人选名单中。",
            _field(sec_ref),
        )
    dep_ref = ctx.params.get("deputies", "deputy_candidates")
    for i, name in enumerate(names_in(value_of(ctx, dep_ref))):
        if name not in names:
            return CheckFailure(
                "leaders_among_candidates",
                f"副书记候选人预备人选“{name}”不在委员候选人预备人选名单中。",
                f"{dep_ref}[{i}].name",
            )
        if isinstance(secretary, str) and name == secretary.strip():
            return CheckFailure(
                "leaders_among_candidates",
                f"“{name}”已是书记候选人预备人选，不能同时为副书记候选人预备人选。",
                f"{dep_ref}[{i}].name",
            )
    return None


@RULES.check(
    "leader_candidates_as_approved",
    title="书记、副书记候选人等额且与批复一致",
    params={
        "approved": Param(V, "the number of 副书记 approved"),
        "deputies": optional(V, "the 副书记 candidates (with a committee)"),
        "list": optional(V, "the candidate rows naming the post (without a committee)"),
        "post": optional(C, "the column naming the post", column_of="list"),
    },
)
def leader_candidates_as_approved(ctx: CheckContext) -> CheckResult:
    """One 书记 candidate and as many 副书记 candidates as approved (书记、副书记等额).

    ``params: {deputies, approved}`` for a committee (the 副书记 candidates are a list of names), or
    ``params: {list, post, approved}`` without one (each candidate row names the post).
    """
    approved = int_of(ctx, ctx.params["approved"]) or 0
    if ctx.params.get("post"):
        ref = ctx.params.get("list", "candidates")
        posts = Counter(r.get(ctx.params["post"]) for r in value_of(ctx, ref) or [] if isinstance(r, Mapping))
        if posts[SECRETARY] != 1:
            return CheckFailure(
                "leader_candidates_as_approved",
                f"书记候选人应为 1 名（等额），现为 {posts[SECRETARY]} 名。",
                ref,
            )
        deputies, field = posts[DEPUTY], ref
    else:
        field = ctx.params.get("deputies", "deputy_candidates")
        deputies = int_of(ctx, field) or 0
    if deputies != approved:
        return CheckFailure(
            "leader_candidates_as_approved",
            f"上级批复同意设副书记 {approved} 名，副书记候选人应为 {approved} 名（等额），现为 {deputies} 名。",
            _field(field),
        )
    return None


# ---- the vote ---------------------------------------------------------------------------------------


@RULES.check(
    "ballots_valid",
    title="选票有效（收回不多于发出）",
    params={
        "issued": Param(V, "ballots issued", default="ballots_issued"),
        "returned": Param(V, "ballots returned", default="ballots_returned"),
        "invalid": Param(V, "invalid ballots", default="invalid_ballots"),
        "present": Param(V, "voters present", default="present"),
    },
)
def ballots_valid(ctx: CheckContext) -> CheckResult:
    """More ballots returned than issued voids the vote (it is held again); fewer or equal is valid."""
    p = ctx.params
    issued_ref, returned_ref = p.get("issued", "ballots_issued"), p.get("returned", "ballots_returned")
    invalid_ref, present_ref = p.get("invalid", "invalid_ballots"), p.get("present", "present")
    issued, returned = int_of(ctx, issued_ref), int_of(ctx, returned_ref)
    invalid, present = int_of(ctx, invalid_ref) or 0, int_of(ctx, present_ref)
    if issued is None or returned is None:
        return None
    if returned > issued:
        return CheckFailure(
            "ballots_valid",
            f"收回选票 {returned} 张，多于发出的 {issued} 张：本次选举无效，应当重新进行选举。"
            "请登记重新投票的结果。",
            _field(returned_ref),
        )
    if present is not None and issued > present:
        return CheckFailure(
            "ballots_valid",
            f"发出选票 {issued} 张，多于实到会有选举权的 {present} 人，请核对。",
            _field(issued_ref),
        )
    if invalid > returned:
        return CheckFailure(
            "ballots_valid", f"无效票 {invalid} 张，多于收回的 {returned} 张，请核对。", _field(invalid_ref)
        )
    return None


@RULES.check(
    "votes_within_ballots",
    title="得票不多于有效选票",
    params={
        "votes": Param(V, "the tally (rows with yes, against, abstain)", default="votes"),
        "returned": Param(V, "ballots returned", default="ballots_returned"),
        "invalid": Param(V, "invalid ballots", default="invalid_ballots"),
    },
)
def votes_within_ballots(ctx: CheckContext) -> CheckResult:
    """``params: {votes, returned, invalid}``: no candidate has more votes than there are valid ballots."""
    ref = ctx.params.get("votes", "votes")
    returned = int_of(ctx, ctx.params.get("returned", "ballots_returned"))
    invalid = int_of(ctx, ctx.params.get("invalid", "invalid_ballots")) or 0
    if returned is None:
        return None
    valid = returned - invalid
    for i, row in enumerate(value_of(ctx, ref) or []):
        counts = [row.get(k) or 0 for k in ("yes", "against", "abstain")]
        name = row.get("name") or f"第 {i + 1} 行"
        if counts[0] > valid:
            return CheckFailure(
                "votes_within_ballots",
                f"{name}的赞成票（{counts[0]}）多于有效选票（{valid} 张）。",
                f"{ref}[{i}].yes",
            )
        if sum(counts) > valid:
            return CheckFailure(
                "votes_within_ballots",
                f"{name}的赞成、不赞成、弃权票合计 {sum(counts)} 张，多于有效选票（{valid} 张）。",
                f"{ref}[{i}]",
            )
    return None


def _listed_once(names: list[str], ref: str) -> CheckFailure | None:
    seen: set[str] = set()
    for i, name in enumerate(names):
        if name in seen:
            return CheckFailure("votes_for_candidates", f"计票表中“{name}”重复填写。", f"{ref}[{i}].name")
        seen.add(name)
    return None


@RULES.check(
    "votes_for_candidates",
    title="计票表与本轮候选人一致",
    params={
        **BODY_PARAMS,
        "votes": Param(V, "the tally", default="votes"),
        "candidates": optional(V, "a fixed candidate list (the no-committee vote); else the count decides"),
    },
    settings=("margin_ratio",),
)
def votes_for_candidates(ctx: CheckContext) -> CheckResult:
    """The tally lists exactly the candidates this round is for.

    The first ballot: every approved candidate. A re-vote: exactly those tied at the cut-off. A 另行选举:
    unelected approved candidates only, still with the margin for the seats left. ``params: {votes,
    candidates}``; ``candidates`` (a list of rows) fixes the list outright, for the no-committee vote.
    """
    ref = ctx.params.get("votes", "votes")
    names = names_in(value_of(ctx, ref))
    dup = _listed_once(names, ref)
    if dup:
        return dup
    kind: str | None
    if ctx.params.get("candidates"):
        kind, eligible, open_seats = "regular", tuple(names_in(value_of(ctx, ctx.params["candidates"]))), 0
    else:
        state = this_round(ctx)
        kind, eligible, open_seats = state.kind, state.eligible, state.open_seats
    if kind is None:
        if not names:
            return None  # this body has nothing left to elect; the round is for the other one
        return CheckFailure("votes_for_candidates", "应选名额已全部选出，不需要再投票。", ref)
    for i, name in enumerate(names):
        if name not in eligible:
            why = {
                "tie": f"本轮只对得票相等的{'、'.join(eligible)}再次投票",
                "additional": f"另行选举只能在未当选的候选人（{'、'.join(eligible)}）中进行",
            }.get(kind, "不是上级批复同意的候选人")
            return CheckFailure("votes_for_candidates", f"“{name}”{why}。", f"{ref}[{i}].name")
    if kind == "additional":
        need = margin_needed(open_seats, ratio(ctx.settings.get("margin_ratio", "1/5")))
        if len(names) < need:
            return CheckFailure(
                "votes_for_candidates",
                f"另行选举 {open_seats} 名委员，仍应实行差额选举，候选人至少 {need} 名"
                f"（从未当选的{'、'.join(eligible)}中确定），现为 {len(names)} 名。",
                ref,
            )
        return None
    missing = [n for n in eligible if n not in names]
    if missing:
        return CheckFailure("votes_for_candidates", f"计票表缺少候选人：{'、'.join(missing)}。", ref)
    return None


def _elected(ctx: CheckContext) -> tuple[str, list[str]]:
    ref = ctx.params.get("elected", "elected")
    return ref, names_in(value_of(ctx, ref))


@RULES.check(
    "elected_among_candidates",
    title="当选人为本轮候选人",
    params={
        **BODY_PARAMS,
        "elected": Param(V, "the elected", default="elected"),
        "votes": Param(V, "the tally", default="votes"),
    },
)
def elected_among_candidates(ctx: CheckContext) -> CheckResult:
    """Everyone declared elected stood in this round (so is among the approved candidates)."""
    ref, elected = _elected(ctx)
    state = this_round(ctx)
    voted = {n for n, _ in _votes(value_of(ctx, ctx.params.get("votes", "votes")))}
    for i, name in enumerate(elected):
        if name not in state.candidates:
            return CheckFailure(
                "elected_among_candidates",
                f"“{name}”不是上级批复同意的候选人，不能当选。",
                f"{ref}[{i}].name",
            )
        if name not in state.eligible or name not in voted:
            return CheckFailure(
                "elected_among_candidates",
                f"“{name}”不是本轮{_round_title(state.kind)}的候选人。",
                f"{ref}[{i}].name",
            )
    return None


@RULES.check(
    "elected_within_seats",
    title="当选人数不超过应选名额",
    params={**BODY_PARAMS, "elected": Param(V, "the elected", default="elected")},
)
def elected_within_seats(ctx: CheckContext) -> CheckResult:
    """No more elected than the seats this round fills."""
    ref, elected = _elected(ctx)
    state = this_round(ctx)
    if len(elected) > state.open_seats:
        return CheckFailure(
            "elected_within_seats",
            f"本轮{_round_title(state.kind)}应选 {state.open_seats} 名，登记当选 {len(elected)} 名，超过应选名额。",
            ref,
        )
    if len(set(elected)) != len(elected):
        return CheckFailure("elected_within_seats", "当选名单中有重复的姓名。", ref)
    return None


@RULES.check(
    "elected_have_majority",
    title="当选人得票超过半数",
    params={
        **BODY_PARAMS,
        "elected": Param(V, "the elected", default="elected"),
        "votes": Param(V, "the tally", default="votes"),
        "present": Param(V, "voters present", default="present"),
    },
)
def elected_have_majority(ctx: CheckContext) -> CheckResult:
    """Each elected has more yes votes than half of those present (exactly half is not enough)."""
    ref, elected = _elected(ctx)
    state = this_round(ctx)
    if state.kind == "tie":
        return None  # a re-vote among the tied is decided by the most votes; each already had a majority
    present = int_of(ctx, ctx.params.get("present", "present"))
    if present is None:
        return None
    votes = dict(_votes(value_of(ctx, ctx.params.get("votes", "votes"))))
    for i, name in enumerate(elected):
        if name in votes and 2 * votes[name] <= present:
            return CheckFailure(
                "elected_have_majority",
                f"{name}获得赞成票 {votes[name]} 张，未超过实到会有选举权人数（{present} 人）的半数，不能当选。",
                f"{ref}[{i}].name",
            )
    return None


@RULES.check(
    "elected_match_votes",
    title="当选名单与计票结果一致",
    params={
        **BODY_PARAMS,
        "elected": Param(V, "the elected", default="elected"),
        "votes": Param(V, "the tally", default="votes"),
        "present": Param(V, "voters present", default="present"),
    },
)
def elected_match_votes(ctx: CheckContext) -> CheckResult:
    """The declared elected are exactly those the count elects (a tie at the cut-off elects nobody yet).

    Names that other checks already refuse (not a candidate, no majority) are left to those checks so that
    one slip is reported once.
    """
    ref, elected = _elected(ctx)
    state = this_round(ctx)
    present = int_of(ctx, ctx.params.get("present", "present"))
    if present is None or state.kind is None:
        return None
    votes = _votes(value_of(ctx, ctx.params.get("votes", "votes")))
    yes = dict(votes)
    count = count_round(votes, present, state.open_seats, state.kind != "tie")
    plurality = state.kind == "tie"
    listed = [n for n in elected if n in yes and (plurality or 2 * yes[n] > present)]
    tied = [n for n in listed if n in count.tied]
    if tied:
        return CheckFailure(
            "elected_match_votes",
            f"{'、'.join(count.tied)}得票相等（各 {yes[count.tied[0]]} 票），争最后 {count.tie_seats} 个名额，"
            "不能确定当选人：请不要将他们登记为当选，提交后对他们再次投票，得票多的当选。",
            ref,
        )
    beaten = [n for n in listed if n not in count.winners]
    if beaten:
        return CheckFailure(
            "elected_match_votes",
            f"{'、'.join(beaten)}得票少于其他候选人，应选名额已满，不能当选（按得票多少取足应选名额）。",
            ref,
        )
    missing = [n for n in count.winners if n not in elected]
    if missing:
        return CheckFailure(
            "elected_match_votes", f"按计票结果，{'、'.join(missing)}已当选，请登记在当选名单中。", ref
        )
    return None


@RULES.predicate(
    "additional_vote_needed",
    title="尚有名额未选出或得票相等（须另行选举或再次投票）",
    params={**BODY_PARAMS, "votes": optional(T, "the field of the round holding the tally")},
)
def additional_vote_needed(ctx: CheckContext) -> bool:
    """Seats left after this round (too few with a majority, or a tie at the cut-off): another round."""
    return ledger(ctx).kind is not None


@RULES.check(
    "seats_reduction_allowed",
    title="减少名额符合规定",
    params={
        "present": Param(V, "voters present", default="present"),
        "consent": Param(V, "voters consenting to fewer seats", default="consent"),
    },
    settings=("committee_size",),
)
def seats_reduction_allowed(ctx: CheckContext) -> CheckResult:
    """Reducing the seats instead of 另行选举: only for too few winners, with more than half the voters'
    consent, and never below the smallest committee the organization type may have."""
    state = ledger(ctx)
    if state.kind == "tie":
        return CheckFailure(
            "seats_reduction_allowed",
            "上一轮有得票相等的候选人，应对他们再次投票确定当选人，不能以减少名额代替。",
            None,
        )
    if state.kind is None:
        return CheckFailure("seats_reduction_allowed", "应选名额已全部选出，不需要减少名额。", None)
    present_ref, consent_ref = ctx.params.get("present", "present"), ctx.params.get("consent", "consent")
    present, consent = int_of(ctx, present_ref), int_of(ctx, consent_ref)
    if present is not None and consent is not None and 2 * consent <= present:
        return CheckFailure(
            "seats_reduction_allowed",
            f"同意减少名额的 {consent} 人，未超过实到会选举人（{present} 人）的半数，不能减少名额，应另行选举。",
            _field(consent_ref),
        )
    bounds = size_range(ctx)
    if bounds and len(state.elected) < bounds[0]:
        return CheckFailure(
            "seats_reduction_allowed",
            f"已当选 {len(state.elected)} 名，少于{type_title(ctx)}委员会最少 {bounds[0]} 人，不能减少名额，"
            "应对不足的名额另行选举。",
            None,
        )
    return None


# ---- the new committee's first meeting -------------------------------------------------------------


@RULES.check(
    "first_meeting_quorum",
    title="第一次全体会议到会委员达到法定人数",
    params={**BODY_PARAMS, "present": Param(V, "members present", default="present")},
    settings=("quorum_ratio",),
)
def first_meeting_quorum(ctx: CheckContext) -> CheckResult:
    """``params: {present}``: the new committee meets with the same quorum, counted on its members."""
    ref = ctx.params.get("present", "present")
    present = int_of(ctx, ref)
    if present is None:
        return None
    members = len(ledger(ctx).elected)
    return quorum_failure(
        "first_meeting_quorum",
        members,
        present,
        ratio(ctx.settings.get("quorum_ratio", "4/5")),
        False,
        "选举书记、副书记",
        _field(ref) or ref,
    )


def _leaders(ctx: CheckContext) -> list[tuple[str, str, str]]:
    """``(post, name, field path)`` of the 书记 and 副书记 the first meeting elected."""
    out = []
    sec_ref = ctx.params.get("secretary", "secretary")
    secretary = value_of(ctx, sec_ref)
    if isinstance(secretary, str) and secretary.strip():
        out.append((SECRETARY, secretary.strip(), sec_ref))
    dep_ref = ctx.params.get("deputies", "deputies")
    for i, row in enumerate(value_of(ctx, dep_ref) or []):
        if isinstance(row, Mapping) and isinstance(row.get("name"), str) and row["name"].strip():
            out.append((DEPUTY, row["name"].strip(), f"{dep_ref}[{i}].name"))
    return out


@RULES.check(
    "leaders_among_elected",
    title="书记、副书记和主持人为新当选委员",
    params={
        **BODY_PARAMS,
        "secretary": Param(V, "the elected 书记", default="secretary"),
        "deputies": Param(V, "the elected 副书记 (rows with a name)", default="deputies"),
        "chair": Param(V, "who chaired", default="chair"),
    },
)
def leaders_among_elected(ctx: CheckContext) -> CheckResult:
    """书记/副书记 are among the committee members just elected, the chair too."""
    elected = ledger(ctx).elected
    for post, name, field in _leaders(ctx):
        if name not in elected:
            return CheckFailure(
                "leaders_among_elected", f"{post}“{name}”不是新当选的委员，不能当选{post}。", field
            )
    chair_ref = ctx.params.get("chair", "chair")
    chair = value_of(ctx, chair_ref)
    if isinstance(chair, str) and chair.strip() and chair.strip() not in elected:
        return CheckFailure(
            "leaders_among_elected",
            f"第一次全体会议应由新当选的委员主持（条例第二十条），“{chair.strip()}”不是新当选的委员。",
            _field(chair_ref),
        )
    return None


@RULES.check(
    "leaders_among_approved",
    title="书记、副书记为上级批复同意的人选",
    params={
        "secretary": Param(V, "the elected 书记", default="secretary"),
        "deputies": Param(V, "the elected 副书记", default="deputies"),
        "approved_secretary": Param(V, "the 书记 candidate approved"),
        "approved_deputies": Param(V, "the 副书记 candidates approved"),
    },
)
def leaders_among_approved(ctx: CheckContext) -> CheckResult:
    """``params: {approved_secretary, approved_deputies}``: 书记/副书记 as the superior approved them."""
    approved_sec = value_of(ctx, ctx.params["approved_secretary"])
    approved_deps = names_in(value_of(ctx, ctx.params["approved_deputies"]))
    for post, name, field in _leaders(ctx):
        allowed = [approved_sec] if post == SECRETARY else approved_deps
        if name not in allowed:
            shown = "、".join(a for a in allowed if a) or "无"
            return CheckFailure(
                "leaders_among_approved",
                f"{post}应从上级批复同意的{post}候选人（{shown}）中等额选举产生，“{name}”不在其中。",
                field,
            )
    return None


@RULES.check(
    "leaders_have_majority",
    title="书记、副书记得票超过到会委员半数",
    params={
        "present": Param(V, "members present", default="present"),
        "secretary": Param(V, "the elected 书记", default="secretary"),
        "secretary_yes": Param(V, "the 书记's yes votes", default="secretary_yes"),
        "deputies": Param(V, "the elected 副书记 with their yes votes", default="deputies"),
    },
)
def leaders_have_majority(ctx: CheckContext) -> CheckResult:
    """``params: {present, secretary_yes, deputies}``: each more yes votes than half the members present."""
    present = int_of(ctx, ctx.params.get("present", "present"))
    if present is None:
        return None
    sec_yes_ref = ctx.params.get("secretary_yes", "secretary_yes")
    checks: list[tuple[str, Any, str]] = []
    secretary = value_of(ctx, ctx.params.get("secretary", "secretary"))
    if secretary:
        checks.append((f"书记“{secretary}”", value_of(ctx, sec_yes_ref), sec_yes_ref))
    dep_ref = ctx.params.get("deputies", "deputies")
    for i, row in enumerate(value_of(ctx, dep_ref) or []):
        checks.append((f"副书记“{row.get('name')}”", row.get("yes"), f"{dep_ref}[{i}].yes"))
    for who, yes, field in checks:
        if isinstance(yes, int) and 2 * yes <= present:
            return CheckFailure(
                "leaders_have_majority",
                f"{who}获得赞成票 {yes} 张，未超过到会委员（{present} 人）的半数，不能当选。",
                field,
            )
    return None


@RULES.check(
    "duties_cover_elected",
    title="每名委员均有分工",
    params={"duties": Param(V, "the duties", default="duties")},
)
def duties_cover_elected(ctx: CheckContext) -> CheckResult:
    """``params: {duties}``: every new member has a duty, and only new members have one."""
    ref = ctx.params.get("duties", "duties")
    elected = ledger(ctx).elected
    rows = value_of(ctx, ref) or []
    for i, row in enumerate(rows):
        name = (row.get("name") or "").strip() if isinstance(row, Mapping) else ""
        if name and name not in elected:
            return CheckFailure("duties_cover_elected", f"“{name}”不是新当选的委员。", f"{ref}[{i}].name")
    assigned = set(names_in(rows))
    missing = [n for n in elected if n not in assigned]
    if missing:
        return CheckFailure("duties_cover_elected", f"请明确{'、'.join(missing)}的分工。", ref)
    return None


# ---- a branch without a committee -------------------------------------------------------------------


@RULES.predicate(
    "secretary_not_elected",
    title="书记候选人未获过半数赞成票",
    params={
        "present": Param(F, "voters present", default="present"),
        "votes": Param(F, "the tally (rows with a post and yes votes)", default="votes"),
        "post": Param(C, "the column naming the post", default="post", column_of="votes"),
    },
)
def secretary_not_elected(ctx: CheckContext) -> bool:
    """The 党员大会 did not give the 书记 candidate a majority: nominate again, with the superior's consent."""
    present = int_of(ctx, ctx.params["present"]) or 0
    for row in value_of(ctx, ctx.params["votes"]) or []:
        if isinstance(row, Mapping) and row.get(ctx.params["post"]) == SECRETARY:
            return 2 * int(row.get("yes") or 0) <= present
    return True


# ---- voters and ballots (version 3) -------------------------------------------------------------------

#: Why a full member on record has no vote (条例第五条), as the form offers it and the report prints it.
NO_VOTE_REASONS = ("受留党察看处分，在留党察看期间", "被依法留置、逮捕，中止党员权利")


@RULES.check(
    "voters_within_membership",
    title="应到会人数不多于有选举权的正式党员（代表）",
    params={
        "entitled": Param(V, "voters entitled to attend", default="entitled"),
        "members": optional(V, "full members on record (default: the procedure's members)"),
        "without_rights": optional(V, "full members without a vote (rows with a name and a reason)"),
        "delegates": optional(V, "delegates whose credentials were confirmed (a 党员代表大会)"),
    },
)
def voters_within_membership(ctx: CheckContext) -> CheckResult:
    """``应到会`` ≤ the full members on record minus those without voting rights, or ≤ the delegates.

    Only full members vote: not probationary members, not members under 留党察看, and members detained
    (留置、逮捕) have their rights suspended (《中国共产党基层组织选举工作条例》2020 第五条). At a
    党员代表大会 the voters are the delegates whose credentials were confirmed (条例第四条).
    """
    ref = ctx.params.get("entitled", "entitled")
    entitled = int_of(ctx, ref)
    if entitled is None:
        return None
    delegates_ref = ctx.params.get("delegates")
    delegates = int_of(ctx, delegates_ref) if delegates_ref else None
    if delegates is not None:
        if entitled > delegates:
            return CheckFailure(
                "voters_within_membership",
                f"应到会代表 {entitled} 名，多于经资格审查确认有效的代表 {delegates} 名（党员代表大会由代表进行选举）。",
                _field(ref),
            )
        return None
    members_ref = ctx.params.get("members")
    full = int_of(ctx, members_ref) if members_ref else recorded_full_members(ctx)
    if full is None:
        return None
    rows_ref = ctx.params.get("without_rights")
    rows = [r for r in (value_of(ctx, rows_ref) if rows_ref else None) or [] if isinstance(r, Mapping)]
    named = [r for r in rows if isinstance(r.get("name"), str) and r["name"].strip()]
    limit = full - len(named)
    if entitled <= limit:
        return None
    why = "（预备党员没有表决权、选举权，条例第五条）"
    if named:
        shown = "；".join(f"{r['name'].strip()}：{r.get('reason') or '没有选举权'}" for r in named)
        text = (
            f"应到会有选举权的党员 {entitled} 名，多于正式党员 {full} 名减去没有选举权的 {len(named)} 名"
            f"（{shown}）后的 {limit} 名{why}。"
        )
    else:
        text = f"应到会有选举权的党员 {entitled} 名，多于正式党员 {full} 名{why}。"
    return CheckFailure("voters_within_membership", text, _field(ref))


@RULES.check(
    "marks_within_ballots",
    title="赞成票总数不多于有效选票数乘以应选名额",
    params={
        **BODY_PARAMS,
        "votes": Param(V, "the tally (rows with yes votes)", default="votes"),
        "returned": Param(V, "ballots returned", default="ballots_returned"),
        "invalid": Param(V, "invalid ballots", default="invalid_ballots"),
    },
)
def marks_within_ballots(ctx: CheckContext) -> CheckResult:
    """The yes marks of a round, summed over its candidates, are at most valid ballots × seats of the round.

    A ballot marking more names than seats is invalid (条例: 所选人数多于应选人数的为无效票), so each valid ballot carries at
    most as many yes marks as the round has seats; a tally above that is a counting slip.
    """
    ref = ctx.params.get("votes", "votes")
    returned = int_of(ctx, ctx.params.get("returned", "ballots_returned"))
    invalid = int_of(ctx, ctx.params.get("invalid", "invalid_ballots")) or 0
    votes = _votes(value_of(ctx, ref))
    if returned is None or not votes:
        return None
    state = this_round(ctx)
    seats = state.open_seats
    valid = max(returned - invalid, 0)
    marks = sum(y for _, y in votes)
    if marks > valid * seats:
        return CheckFailure(
            "marks_within_ballots",
            f"本轮{_round_title(state.kind)}应选 {seats} 名，有效选票 {valid} 张，每张至多 {seats} 个赞成标记，"
            f"赞成票合计至多 {valid * seats} 张；登记的赞成票合计 {marks} 张，超出 {marks - valid * seats} 张，请核对计票。",
            ref,
        )
    return None


@RULES.check(
    "publicity_ended",
    title="公示期已结束",
    params={
        "flag": Param(V, "whether there was a 公示"),
        "start": Param(V, "its first day"),
        "end": Param(V, "its last day"),
    },
    settings=("publicity_days",),
)
def publicity_ended(ctx: CheckContext) -> CheckResult:
    """A 公示 of the candidates must be over before 请示② is sent: its last day (and at least
    ``publicity_days`` working days from its first) before today."""
    if not value_of(ctx, ctx.params["flag"]):
        return None
    start, end = date_of(value_of(ctx, ctx.params["start"])), date_of(value_of(ctx, ctx.params["end"]))
    if end is None:
        return None
    need = int(ctx.settings.get("publicity_days") or 0)
    last = end
    if start is not None and need:
        last = max(end, add_working_days(start - dt.timedelta(days=1), need))
    if ctx.today <= last:
        return CheckFailure(
            "publicity_ended",
            f"候选人预备人选公示至{chinese_date(last)}结束（不少于 {need} 个工作日），公示期满后方可报送请示。",
            None,
        )
    return None


@RULES.check(
    "duties_required",
    title="委员分工设组织、宣传、纪检委员",
    params={"duties": Param(V, "the duties (rows with a duty)", default="duties")},
    settings=("required_duties",),
)
def duties_required(ctx: CheckContext) -> CheckResult:
    """The duties the setting ``required_duties`` names for the organization type are each held by someone.

    《中国共产党支部工作条例（试行）》第六章: 党支部委员会设书记和组织委员、宣传委员、纪检委员等; a member may
    hold two duties in a small committee (a second row with the same name).
    """
    required = _setting_for_type(ctx, "required_duties") or ()
    if isinstance(required, str):
        required = (required,)
    ref = ctx.params.get("duties", "duties")
    held = {str(r.get("duty") or "") for r in value_of(ctx, ref) or [] if isinstance(r, Mapping)}
    missing = [d for d in required if d not in held]
    if missing:
        return CheckFailure(
            "duties_required",
            f"{type_title(ctx)}委员会应设{'、'.join(required)}（《中国共产党支部工作条例（试行）》第六章），"
            f"委员分工中缺少：{'、'.join(missing)}。委员较少的，可由一名委员兼任（增加一行同一姓名）。",
            ref,
        )
    return None


# ---- the 纪律检查委员会 elected at the same 党员大会 (version 3) --------------------------------------------


def has_discipline_committee(ctx: CheckContext) -> bool:
    """The organization is a 基层委员会 that has a 纪律检查委员会 (setting ``discipline_committee``, per org)."""
    return ctx.org.type == "committee" and bool(ctx.settings.get("discipline_committee"))


@RULES.predicate(
    "discipline_committee_elected",
    title="同时选举纪律检查委员会",
    params={"size": Param(V, "the 纪委 seats 请示① asked for")},
)
def discipline_committee_elected(ctx: CheckContext) -> bool:
    """The request elects a 纪委 (请示① asked for its seats)."""
    return (int_of(ctx, ctx.params["size"]) or 0) > 0


@RULES.check(
    "discipline_committee_sizes",
    title="纪委委员名额和候选人数符合规定",
    params={
        "size": Param(V, "the 纪委 seats", default="discipline_size"),
        "candidates": Param(
            V, "the 纪委 candidates (a number or a list)", default="discipline_candidate_count"
        ),
        "deputies": optional(V, "the number of 纪委副书记"),
    },
    settings=("discipline_committee", "discipline_committee_size", "margin_ratio"),
)
def discipline_committee_sizes(ctx: CheckContext) -> CheckResult:
    """A 基层委员会 with a 纪委 asks for both bodies' sizes in 请示①; an organization without one asks for none.

    The 纪委 of a 基层委员会 is elected by the same 党员大会 (《中国共产党基层组织选举工作条例》2020 第二条;
    《中国共产党普通高等学校基层组织工作条例》: 纪律检查委员会由党员大会或党员代表大会选举产生); its
    members are elected with the same margin (差额, 条例第十三条)."""
    size_ref, cand_ref = (
        ctx.params.get("size", "discipline_size"),
        ctx.params.get("candidates", "discipline_candidate_count"),
    )
    size, count = int_of(ctx, size_ref) or 0, int_of(ctx, cand_ref) or 0
    if not has_discipline_committee(ctx):
        if size or count:
            return CheckFailure(
                "discipline_committee_sizes",
                "本组织未设纪律检查委员会（组织设置中未标明），不能选举纪委委员；如已设立，请管理员在组织设置中标明。",
                _field(size_ref),
            )
        return None
    if not size:
        return CheckFailure(
            "discipline_committee_sizes",
            "本组织设有纪律检查委员会，与党的委员会在同一次大会上选举，请填写新一届纪委委员名额。",
            _field(size_ref),
        )
    bounds = ctx.settings.get("discipline_committee_size")
    if isinstance(bounds, Sequence) and not isinstance(bounds, str) and len(bounds) == 2:
        low, high = int(bounds[0]), int(bounds[1])
        if not low <= size <= high:
            return CheckFailure(
                "discipline_committee_sizes",
                f"纪律检查委员会委员一般为 {low} 至 {high} 名，本次拟设 {size} 名。",
                _field(size_ref),
            )
    fraction = ratio(ctx.settings.get("margin_ratio", "1/5"))
    need = margin_needed(size, fraction)
    if count < need:
        return CheckFailure(
            "discipline_committee_sizes",
            f"应选纪委委员 {size} 名，候选人应多于应选人数的 {float(fraction) * 100:g}%（差额选举，条例第十三条），"
            f"即至少 {need} 名；现为 {count} 名。",
            _field(cand_ref),
        )
    deputies_ref = ctx.params.get("deputies")
    deputies = (int_of(ctx, deputies_ref) or 0) if deputies_ref else 0
    if deputies and 1 + deputies > size:
        return CheckFailure(
            "discipline_committee_sizes",
            f"纪委书记、副书记共 {1 + deputies} 名，多于纪委的 {size} 个名额。",
            _field(deputies_ref) if deputies_ref else None,
        )
    return None


@RULES.check(
    "discipline_slate_complete",
    title="纪委委员候选人预备人选齐全",
    params={
        "size": Param(V, "the 纪委 seats approved"),
        "candidates": Param(V, "the 纪委 candidates", default="discipline_candidates"),
        "secretary": Param(V, "the 纪委书记 candidate", default="discipline_secretary_candidate"),
    },
)
def discipline_slate_complete(ctx: CheckContext) -> CheckResult:
    """With a 纪委 approved, 请示② lists its candidates and its 书记 candidate; without one, none."""
    size = int_of(ctx, ctx.params["size"]) or 0
    cand_ref, sec_ref = (
        ctx.params.get("candidates", "discipline_candidates"),
        ctx.params.get("secretary", "discipline_secretary_candidate"),
    )
    names = names_in(value_of(ctx, cand_ref))
    secretary = value_of(ctx, sec_ref)
    if not size:
        if names:
            return CheckFailure(
                "discipline_slate_complete",
                "批复同意的换届事项中没有纪律检查委员会，请删去纪委委员候选人。",
                _field(cand_ref),
            )
        return None
    if not names:
        return CheckFailure(
            "discipline_slate_complete",
            f"请填写纪委委员候选人预备人选（应选 {size} 名，差额选举）。",
            _field(cand_ref),
        )
    if not (isinstance(secretary, str) and secretary.strip()):
        return CheckFailure("discipline_slate_complete", "请填写纪委书记候选人预备人选。", _field(sec_ref))
    return None


@RULES.check(
    "election_complete",
    title="另一机构的名额已选出",
    params={**BODY_PARAMS, "what": Param(T, "what the body's members are called", default="委员")},
)
def election_complete(ctx: CheckContext) -> CheckResult:
    """The body named by ``body_*`` has every seat filled (reducing the committee's seats does not end the
    纪委's election: its seats left are elected first)."""
    state = ledger(ctx)
    if state.kind is None:
        return None
    what = ctx.params.get("what") or "委员"
    return CheckFailure(
        "election_complete",
        f"{what}尚有 {state.open_seats} 个名额未选出，应先对其{_round_title(state.kind)}，不能以减少名额结束选举。",
        None,
    )


@RULES.check(
    "integrity_opinions_cover",
    title="党风廉政意见逐人出具",
    params={
        "opinions": Param(F, "the opinions (rows with name, view, reasons)", default="opinions"),
        "candidates": Param(V, "the candidate lists; the first the request holds is used", many=True),
    },
)
def integrity_opinions_cover(ctx: CheckContext) -> CheckResult:
    """The 纪检 side's 党风廉政意见 names each candidate once (无意见, or 有意见 with the reasons), and only them."""
    ref = ctx.params.get("opinions", "opinions")
    rows = [r for r in value_of(ctx, ref) or [] if isinstance(r, Mapping)]
    candidates: list[str] = []
    for cref in ctx.params.get("candidates") or ():
        candidates = names_in(value_of(ctx, cref))
        if candidates:
            break
    seen: set[str] = set()
    for i, row in enumerate(rows):
        name = str(row.get("name") or "").strip()
        if name and candidates and name not in candidates:
            return CheckFailure(
                "integrity_opinions_cover", f"“{name}”不是请示②所报的候选人预备人选。", f"{ref}[{i}].name"
            )
        if name in seen:
            return CheckFailure("integrity_opinions_cover", f"“{name}”重复填写。", f"{ref}[{i}].name")
        seen.add(name)
        if row.get("view") == "有意见" and not str(row.get("reasons") or "").strip():
            return CheckFailure(
                "integrity_opinions_cover", f"对{name}有意见的，请写明理由。", f"{ref}[{i}].reasons"
            )
    missing = [n for n in candidates if n not in seen]
    if missing:
        return CheckFailure(
            "integrity_opinions_cover", f"请对每名候选人预备人选出具意见，缺少：{'、'.join(missing)}。", ref
        )
    return None


# ---- the 党员代表大会 (version 3) ---------------------------------------------------------------------


@RULES.check(
    "congress_allowed",
    title="召开党员代表大会符合条件",
    params={
        "congress": Param(V, "whether a 党员代表大会 is asked for", default="congress"),
        "delegates": Param(V, "the number of delegates", default="delegate_count"),
    },
    settings=("congress_threshold", "delegate_range"),
)
def congress_allowed(ctx: CheckContext) -> CheckResult:
    """A 党员代表大会 only for a 基层委员会 of ``congress_threshold`` (500) members or more, with a number of
    delegates in ``delegate_range`` (一般100至200名，最多不超过300名).

    《中国共产党基层组织选举工作条例》2020 第四条: 党员人数在500名以上或者所辖党组织驻地分散的，经上级党组织
    批准，可以召开党员代表大会进行选举 (the superior's approval is 批复①).
    """
    congress_ref, delegates_ref = (
        ctx.params.get("congress", "congress"),
        ctx.params.get("delegates", "delegate_count"),
    )
    if not value_of(ctx, congress_ref):
        return None
    threshold = int(ctx.settings.get("congress_threshold") or 500)
    full = recorded_full_members(ctx)
    if ctx.org.type != "committee" or full < threshold:
        return CheckFailure(
            "congress_allowed",
            f"党员人数在 {threshold} 名以上的基层委员会，经上级党组织批准，方可召开党员代表大会进行选举"
            f"（条例第四条）；本组织正式党员 {full} 名，应召开党员大会。",
            _field(congress_ref),
        )
    delegates = int_of(ctx, delegates_ref)
    if not delegates:
        return CheckFailure("congress_allowed", "请填写党员代表大会的代表名额。", _field(delegates_ref))
    bounds = ctx.settings.get("delegate_range")
    if isinstance(bounds, Sequence) and not isinstance(bounds, str) and len(bounds) == 2:
        low, high = int(bounds[0]), int(bounds[1])
        if not low <= delegates <= high:
            return CheckFailure(
                "congress_allowed",
                f"代表名额一般为 {low} 至 {high} 名（最多不超过 300 名），本次拟定 {delegates} 名。",
                _field(delegates_ref),
            )
    if delegates > full:
        return CheckFailure(
            "congress_allowed",
            f"代表名额（{delegates} 名）不能多于正式党员人数（{full} 名）。",
            _field(delegates_ref),
        )
    return None


@RULES.predicate(
    "congress_approved",
    title="上级批准召开党员代表大会",
    params={
        "approved": Param(V, "the superior's approval of a 党员代表大会 (批复①)"),
        "asked": optional(V, "whether 请示① asked for one"),
    },
)
def congress_approved(ctx: CheckContext) -> bool:
    """The superior approved a 党员代表大会 in 批复① (and 请示① asked for it)."""
    asked_ref = ctx.params.get("asked")
    if asked_ref and not value_of(ctx, asked_ref):
        return False
    return bool(value_of(ctx, ctx.params["approved"]))


@RULES.check(
    "delegates_as_approved",
    title="各选举单位选出的代表与批准的名额一致",
    params={
        "electing_units": Param(
            V, "the electing_units (rows with members and delegates elected)", default="electing_units"
        ),
        "approved": Param(V, "the number of delegates approved"),
    },
)
def delegates_as_approved(ctx: CheckContext) -> CheckResult:
    """The electing_units' delegates add up to the approved number, and no unit elects more delegates than members."""
    ref = ctx.params.get("electing_units", "electing_units")
    rows = [r for r in value_of(ctx, ref) or [] if isinstance(r, Mapping)]
    approved = int_of(ctx, ctx.params["approved"])
    total = 0
    for i, row in enumerate(rows):
        members, elected = int(row.get("members") or 0), int(row.get("delegates") or 0)
        if elected > members:
            return CheckFailure(
                "delegates_as_approved",
                f"{row.get('electing_unit') or f'第 {i + 1} 个选举单位'}选出代表 {elected} 名，多于该单位的 {members} 名党员。",
                f"{ref}[{i}].delegates",
            )
        total += elected
    members_total = sum(int(r.get("members") or 0) for r in rows)
    full = recorded_full_members(ctx)
    if members_total > full:
        return CheckFailure(
            "delegates_as_approved",
            f"各选举单位党员合计 {members_total} 名，多于本组织正式党员 {full} 名，请核对。",
            ref,
        )
    if approved is not None and total != approved:
        return CheckFailure(
            "delegates_as_approved",
            f"上级批准代表名额 {approved} 名，各选举单位共选出 {total} 名，应与批准的名额一致。",
            ref,
        )
    return None


@RULES.check(
    "credentials_consistent",
    title="代表资格审查结果与选出的代表一致",
    params={
        "confirmed": Param(V, "delegates whose credentials were confirmed", default="confirmed"),
        "not_confirmed": Param(
            V, "delegates not confirmed (rows with a name and a reason)", default="not_confirmed"
        ),
        "elected": Param(V, "the electing_units' delegates (rows with delegates)"),
    },
)
def credentials_consistent(ctx: CheckContext) -> CheckResult:
    """The credentials review accounts for every delegate the electing_units elected: confirmed plus not confirmed."""
    confirmed_ref = ctx.params.get("confirmed", "confirmed")
    confirmed = int_of(ctx, confirmed_ref)
    not_confirmed = names_in(value_of(ctx, ctx.params.get("not_confirmed", "not_confirmed")))
    elected = sum(
        int(r.get("delegates") or 0)
        for r in value_of(ctx, ctx.params["elected"]) or []
        if isinstance(r, Mapping)
    )
    if confirmed is None:
        return None
    if confirmed + len(not_confirmed) != elected:
        return CheckFailure(
            "credentials_consistent",
            f"各选举单位共选出代表 {elected} 名，资格审查确认有效 {confirmed} 名、未确认 {len(not_confirmed)} 名，"
            f"合计 {confirmed + len(not_confirmed)} 名，与选出的代表人数不一致。",
            _field(confirmed_ref),
        )
    return None


# ---- the new term, and moving it ---------------------------------------------------------------------


def term_years(ctx: CheckContext) -> int:
    """The length of a term for the organization's type (setting ``term_years``), 3 when not set."""
    years = _setting_for_type(ctx, "term_years")
    return int(years) if years else 3


@RULES.effect(
    "start_new_term",
    title="批复后开始新一届任期",
    params={"dates": Param(V, "the steps' dates of the election, the first one held counts", many=True)},
    settings=("term_years",),
)
def start_new_term(ctx: CheckContext) -> list[OrgUpdate]:
    """``params: {dates: [step.field, ...]}``: the new term starts on the day of the election.

    The first of the listed dates that the request holds is used (the committee and the no-committee path
    record the 党员大会 in different steps), and the term lasts ``term_years`` of the organization type.
    """
    for ref in ctx.params.get("dates") or ():
        day = date_of(value_of(ctx, ref))
        if day is not None:
            years = term_years(ctx)
            end = regular_term_end(day, years)
            return [
                OrgUpdate(
                    {"term_start": day, "term_end": end},
                    f"换届选举结果已批复，新一届任期自{chinese_date(day)}起，{years}年，至{chinese_date(end)}届满",
                )
            ]
    return []
