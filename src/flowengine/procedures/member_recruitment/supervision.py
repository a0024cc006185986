"""The superior's view of 发展党员: the pipeline per organization (入党申请人, 入党积极分子, 发展对象, 预备党员), the
talks overdue, the approvals past three months, the 预备党员 whose 预备期 ended with no 转正 decision, and the
yearly plan (控制总量) against the people admitted.

Stages by state: a person is an 入党积极分子 from the 支部委员会's decision (细则第八条) until the superior has
filed them as a 发展对象 (the date of 备案 counts as the date of becoming a 发展对象), a 发展对象 until the
基层党委 approves the admission, and a 预备党员 until the 转正 is approved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from flowengine.chinese import as_date, china_date
from flowengine.engine.calendar import add_months
from flowengine.metrics import Board, Metric, MetricInput, RequestRecord, Table
from flowengine.procedures.member_recruitment.rules import (
    ADMISSION_MEETING,
    CONVERSION_MEETING,
    probation_end,
)
from flowengine.vocabulary import InstanceStatus

WORKFLOW = "member_recruitment"

STAGES: dict[str, tuple[str, ...]] = {
    "入党申请人": ("awaiting_talk", "awaiting_activist"),
    "入党积极分子": ("activist_filing", "activist", "prospect_filing"),
    "发展对象": (
        "prospect",
        "pre_review",
        "publicity",
        "admission_meeting",
        "organizer_talk",
        "admission_approval",
    ),
    "预备党员": ("probation", "extended_probation", "conversion_meeting", "conversion_approval"),
}
TALK = "awaiting_talk"
#: Steps awaiting the 基层党委's approval, with the meeting whose resolution it approves.
APPROVALS = {
    "organizer_talk": (ADMISSION_MEETING, "接收预备党员"),
    "admission_approval": (ADMISSION_MEETING, "接收预备党员"),
    "conversion_approval": (CONVERSION_MEETING, "预备党员转正"),
}
#: Steps of a 预备党员 still without a 转正 decision of the 基层党委.
UNDECIDED = ("probation", "extended_probation", "conversion_meeting", "conversion_approval")
ADMITTED = "approve_admission"


def stage_of(state: str) -> str | None:
    return next((stage for stage, states in STAGES.items() if state in states), None)


def _branch(inp: MetricInput, r: RequestRecord) -> str:
    return inp.org(r.org_id).name


def _person(r: RequestRecord) -> str:
    return r.subject or r.title


def quota(settings: Mapping[str, Any], year: int) -> int:
    """The yearly plan in force: a number for every year, or ``{year: number}``."""
    value = settings.get("annual_quota") or 0
    if isinstance(value, Mapping):
        value = value.get(str(year), value.get(year, 0))
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def recruitment(inp: MetricInput) -> Board:  # noqa: C901 — five tables, each from one pass over the requests, read top to bottom
    order = {o.id: i for i, o in enumerate(inp.orgs)}
    mine = sorted(
        (r for r in inp.requests if r.workflow == WORKFLOW and r.org_id in order),
        key=lambda r: (order[r.org_id], r.id),
    )
    active = [r for r in mine if r.status == InstanceStatus.ACTIVE]
    today = inp.today

    pipeline: list[tuple[Any, ...]] = []
    totals = [0] * len(STAGES)
    for org in inp.orgs:
        counts = [
            sum(1 for r in active if r.org_id == org.id and r.state in states) for states in STAGES.values()
        ]
        if any(counts):
            pipeline.append((org.name, *counts, sum(counts)))
            totals = [a + b for a, b in zip(totals, counts, strict=True)]

    talks = []
    for r in active:
        if r.state != TALK:
            continue
        due = min((t.due_at for t in r.open_tasks if t.state == TALK and t.due_at), default=None)
        if due is not None and due < inp.now:
            received = as_date((r.data.get("start") or {}).get("received_on"))
            last_day = china_date(due - dt.timedelta(seconds=1))
            talks.append((r, (_branch(inp, r), _person(r), received, last_day, (today - last_day).days)))

    approvals = []
    for r in active:
        if r.state not in APPROVALS:
            continue
        step, what = APPROVALS[r.state]
        meeting = as_date((r.data.get(step) or {}).get("meeting_date"))
        if meeting is None:
            continue
        limit = add_months(meeting, int(r.settings.get("approval_months") or 3))
        hard = add_months(meeting, int(r.settings.get("approval_max_months") or 6))
        if today > limit:
            over = "已超过六个月，须重新讨论" if today > hard else "超过三个月"
            approvals.append(
                (r, (_branch(inp, r), _person(r), what, meeting, limit, (today - limit).days, over))
            )

    ended = []
    for r in active:
        if r.state not in UNDECIDED:
            continue
        end = probation_end(r.data, r.settings)
        if end is not None and end <= today:
            last = end - dt.timedelta(days=1)
            ended.append((r, (_branch(inp, r), _person(r), last, (today - last).days, r.state_title)))

    # Plan vs actual per approving committee (the 基层党委 with the power of approval, from the tree).
    approver = {o.id: o.approver_name or o.name for o in inp.orgs}
    years = range(inp.date_from.year, inp.date_to.year + 1)
    plan_rows = []
    for committee in dict.fromkeys(approver[r.org_id] for r in mine):
        under = [r for r in mine if approver[r.org_id] == committee]
        for year in years:
            # The committee's plan reaches its branches as a setting; the highest in force among them counts.
            planned = max((quota(r.settings, year) for r in under), default=0)
            admitted = sum(
                1
                for r in under
                if (day := as_date((r.data.get(ADMITTED) or {}).get("decided_on"))) is not None
                and day.year == year
            )
            if planned or admitted:
                rest = planned - admitted if planned else ""
                plan_rows.append((committee, year, planned or "未下达", admitted, rest))

    def links(rows: list[tuple[RequestRecord, tuple[Any, ...]]]) -> tuple[int | None, ...]:
        return tuple(r.id for r, _ in rows)

    return Board(
        figures=tuple(zip(STAGES, totals, strict=True))
        + (("谈话超期", len(talks)), ("审批超过三个月", len(approvals)), ("预备期满未转正", len(ended))),
        tables=(
            Table(
                key="pipeline",
                title="发展党员队伍（按组织）",
                columns=("组织", *STAGES, "合计"),
                rows=tuple(pipeline),
                empty="没有正在发展的对象。",
                numeric=tuple(range(1, len(STAGES) + 2)),
            ),
            Table(
                key="talks_overdue",
                title="收到入党申请书一个月内未谈话",
                columns=("组织", "申请人", "收到申请书日期", "应谈话期限", "已超期（天）"),
                rows=tuple(row for _, row in talks),
                empty="没有超期未谈话的入党申请人。",
                counted=True,
                links=links(talks),
                link_column=1,
                highlight=True,
            ),
            Table(
                key="approvals_late",
                title="支部大会后超过三个月未审批",
                columns=("组织", "姓名", "事项", "支部大会日期", "应审批期限", "已超期（天）", "情况"),
                rows=tuple(row for _, row in approvals),
                empty="没有超过三个月未审批的事项。",
                counted=True,
                links=links(approvals),
                link_column=1,
                highlight=True,
            ),
            Table(
                key="probation_ended",
                title="预备期满未作出转正决定",
                columns=("组织", "预备党员", "预备期满日期", "已过（天）", "当前环节"),
                rows=tuple(row for _, row in ended),
                empty="没有预备期满未转正的预备党员。",
                counted=True,
                links=links(ended),
                link_column=1,
                highlight=True,
            ),
            Table(
                key="plan",
                title="年度发展计划与完成情况（按审批党委）",
                columns=("党委", "年度", "计划数", "已批准接收", "尚余"),
                rows=tuple(plan_rows),
                empty="期间内没有下达计划，也没有批准接收预备党员。",
                numeric=(2, 3, 4),
            ),
        ),
    )


RECRUITMENT = Metric(
    key="recruitment",
    title="发展党员",
    description="下级党组织发展党员的队伍情况（入党申请人、入党积极分子、发展对象、预备党员），谈话超期、审批超期、"
    "预备期满未转正的人员，以及年度发展计划（控制总量）与批准接收人数。",
    workflows=(WORKFLOW,),
    compute=recruitment,
)
