"""The superior's view of 三重一大 decisions: what its units decided in a period, by category, and which
decisions that had to be filed (备案) have not been.

A decision counts on the day it was taken: the meeting's date, or the 书记's emergency decision. It should
be filed when its category is one the settings name (``filing_categories``, per organization) or when the
minutes (or the report to the meeting) ticked the box; it is filed once the superior acknowledged it.
"""

from __future__ import annotations

import datetime as dt

from flowengine.chinese import as_date
from flowengine.metrics import Board, Metric, MetricInput, RequestRecord, Table
from flowengine.procedures.major_decision.rules import CATEGORIES
from flowengine.vocabulary import InstanceStatus

#: Steps whose data tell when the matter was decided, in the order looked at.
_DECIDED = (("record_meeting", "meeting_date"), ("decide_urgently", "decided_on"))
#: Steps with the box that files a matter its category would not.
_MARKED = ("issue_minutes", "report_to_meeting")
_FILED = "acknowledge_filing"


def decided_on(r: RequestRecord) -> dt.date | None:
    for step, field in _DECIDED:
        day = as_date((r.data.get(step) or {}).get(field))
        if day is not None:
            return day
    return None


def should_file(r: RequestRecord) -> bool:
    category = (r.data.get("submit_proposal") or {}).get("category")
    marked = any(bool((r.data.get(step) or {}).get("filing_required")) for step in _MARKED)
    return category in (r.settings.get("filing_categories") or ()) or marked


def decisions(inp: MetricInput) -> Board:
    order = {o.id: i for i, o in enumerate(inp.orgs)}
    rows = []
    for r in inp.requests:
        if r.status not in (InstanceStatus.ACTIVE, InstanceStatus.COMPLETED) or r.org_id not in order:
            continue
        day = decided_on(r)
        if day is None or not inp.date_from <= day <= inp.date_to:
            continue  # not decided yet, or outside the period
        rows.append((r, day))
    rows.sort(key=lambda x: (order[x[0].org_id], x[1], x[0].id))
    categories = tuple(CATEGORIES)
    matrix = []
    for org in inp.orgs:
        mine = [r for r, _ in rows if r.org_id == org.id]
        if mine:
            counts = [
                sum(1 for r in mine if (r.data.get("submit_proposal") or {}).get("category") == c)
                for c in categories
            ]
            matrix.append((org.name, *[n or "" for n in counts], len(mine)))
    unfiled = [(r, day) for r, day in rows if should_file(r) and _FILED not in r.data]

    def described(r: RequestRecord, day: dt.date) -> tuple[str, str, str, dt.date, str]:
        proposal = r.data.get("submit_proposal") or {}
        return (
            inp.org(r.org_id).name,
            CATEGORIES.get(str(proposal.get("category")), ""),
            str(proposal.get("subject") or r.title),
            day,
            r.state_title,
        )

    return Board(
        tables=(
            Table(
                key="matrix",
                title="按组织和事项类别统计",
                columns=("组织", *CATEGORIES.values(), "合计"),
                rows=tuple(matrix),
                empty="期间内没有作出决策的记录。",
                numeric=tuple(range(1, len(categories) + 2)),
            ),
            Table(
                key="decided",
                title="期间内的决策",
                columns=("组织", "事项类别", "议题", "决策日期", "当前环节", "应报备案", "备案情况"),
                rows=tuple(
                    (
                        *described(r, day),
                        "是" if should_file(r) else "否",
                        "已备案" if _FILED in r.data else ("未备案" if should_file(r) else ""),
                    )
                    for r, day in rows
                ),
                empty="期间内没有作出决策的记录。",
                links=tuple(r.id for r, _ in rows),
                link_column=2,
            ),
            Table(
                key="unfiled",
                title="应备案未备案",
                columns=("组织", "事项类别", "议题", "决策日期", "当前环节"),
                rows=tuple(described(r, day) for r, day in unfiled),
                empty="期间内应报备案的决策均已备案。",
                counted=True,
                links=tuple(r.id for r, _ in unfiled),
                link_column=2,
                highlight=True,
            ),
        ),
    )


DECISIONS = Metric(
    key="decisions",
    title="“三重一大”决策",
    description="下级党组织在期间内作出的“三重一大”决策（按会议或临机决定日期），以及应报上级备案而尚未备案的事项。",
    workflows=("major_decision",),
    compute=decisions,
)
