"""The 发展党员 supervision page over the demo data, against numbers computed here straight from the tables
(instances, subjects, open tasks, organizations) with the rules written out again: the pipeline per
organization, talks overdue, approvals past three months, 预备期 ended with no 转正 decision, plan vs actual."""

from __future__ import annotations

import calendar
import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from flowengine.demo import DEMO_PASSWORD, load_demo
from flowengine.service import Services
from flowengine.web import create_app
from tests.support import Clock
from tests.support.paths import SHIPPED_WORKFLOWS
from tests.support.supervision import NOW
from tests.support.web import Browser

TODAY = dt.date(2026, 11, 23)
STAGES = {
    "入党申请人": {"awaiting_talk", "awaiting_activist"},
    "入党积极分子": {"activist_filing", "activist", "prospect_filing"},
    "发展对象": {
        "prospect",
        "pre_review",
        "publicity",
        "admission_meeting",
        "organizer_talk",
        "admission_approval",
    },
    "预备党员": {"probation", "extended_probation", "conversion_meeting", "conversion_approval"},
}


class Tables(HTMLParser):
    """The text of each cell of each ``<table data-testid=…>`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self._table = dict(attrs).get("data-testid") or ""
            self.tables[self._table] = []
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag == "td" and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._table is not None and self._row:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _add_months(day: dt.date, months: int) -> dt.date:
    y, m = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(y, m + 1, min(day.day, calendar.monthrange(y, m + 1)[1]))


def _cn(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _requests(services: Services) -> list[dict[str, Any]]:
    with services.db.read() as s:
        rows = s.execute(
            text(
                "SELECT i.id, i.state, i.status, i.data, o.name AS org, o.code, p.name AS person "
                "FROM instances i JOIN organizations o ON o.id = i.org_id JOIN subjects p ON p.id = i.subject_id "
                "WHERE i.workflow = 'member_recruitment' ORDER BY i.id"
            )
        ).mappings()
        out = [dict(r) for r in rows]
        due = {
            iid: at
            for iid, at in s.execute(
                text(
                    "SELECT instance_id, due_at FROM tasks WHERE closed_at IS NULL AND state = 'awaiting_talk'"
                )
            )
        }
    for r in out:
        r["data"] = json.loads(r["data"]) if isinstance(r["data"], str) else r["data"]
        r["talk_due"] = due.get(r["id"])
    return out


@pytest.fixture
def demo(make_services: Callable[..., Services], clock: Clock) -> tuple[Flask, Services]:
    clock.now = NOW
    services = make_services(SHIPPED_WORKFLOWS)
    load_demo(services, clock())
    return create_app(services, config={"SECRET_KEY": "test-secret", "TESTING": True}), services


def test_recruitment_board_matches_the_tables(demo: tuple[Flask, Services]) -> None:
    app, services = demo
    b = Browser(app.test_client())
    assert b.login("wangjianguo", DEMO_PASSWORD).status_code == 302
    page = b.get("/supervision/recruitment?from=2025-01-01&to=2026-12-31")
    assert page.status_code == 200
    parser = Tables()
    parser.feed(page.get_data(as_text=True))
    shown = parser.tables
    rows = _requests(services)
    active = [r for r in rows if r["status"] == "active"]

    # The pipeline per organization.
    pipeline: dict[str, Counter[str]] = {}
    for r in active:
        stage = next(k for k, states in STAGES.items() if r["state"] in states)
        pipeline.setdefault(r["org"], Counter())[stage] += 1
    expected = [[org, *(str(c[s]) for s in STAGES), str(sum(c.values()))] for org, c in pipeline.items()]
    assert sorted(shown["recruitment-pipeline"]) == sorted(expected)
    assert sum(int(row[-1]) for row in expected) == 12  # every stage has somebody in the demo

    # Talks overdue: the talk's deadline (one month from receiving the application) has passed.
    overdue = set()
    for r in active:
        received = dt.date.fromisoformat(r["data"]["start"]["received_on"])
        if r["state"] == "awaiting_talk" and _add_months(received, 1) < TODAY:
            overdue.add(r["person"])
    assert {row[1] for row in shown["recruitment-talks_overdue"]} == overdue == {"刘雨桐"}

    # Approvals past three months of the 支部大会.
    late = set()
    for r in active:
        step = {
            "organizer_talk": "hold_admission_meeting",
            "admission_approval": "hold_admission_meeting",
        }.get(r["state"], "hold_conversion_meeting" if r["state"] == "conversion_approval" else None)
        if step and _add_months(dt.date.fromisoformat(r["data"][step]["meeting_date"]), 3) < TODAY:
            late.add(r["person"])
    assert {row[1] for row in shown["recruitment-approvals_late"]} == late == {"郑浩然"}

    # 预备期 (one year from the 支部大会, plus an extension) over, no 转正 decision.
    ended = {}
    for r in active:
        if r["state"] not in STAGES["预备党员"]:
            continue
        end = _add_months(dt.date.fromisoformat(r["data"]["hold_admission_meeting"]["meeting_date"]), 12)
        conversion = r["data"].get("hold_conversion_meeting") or {}
        if conversion.get("conversion_decision") == "extend":
            end = _add_months(end, conversion["extension_months"])
        if end <= TODAY:
            ended[r["person"]] = _cn(end - dt.timedelta(days=1))
    assert (
        {row[1]: row[2] for row in shown["recruitment-probation_ended"]}
        == ended
        == {"黄俊杰": "2026年10月19日"}
    )

    # Plan vs actual: admissions approved per year under each committee, against its plan.
    # Both demo branches are approved by the work committee (zz24-b1's approving body, zz18's parent).
    committee = {"zz24-b1": "中共郑州市委教育工作委员会", "zz18": "中共郑州市委教育工作委员会"}
    plan = {"中共郑州市委教育工作委员会": 10}
    admitted: Counter[tuple[str, int]] = Counter()
    for r in rows:
        day = (r["data"].get("approve_admission") or {}).get("decided_on")
        if day:
            admitted[(committee[r["code"]], int(day[:4]))] += 1
    expected_plan = [
        [c, str(y), str(plan[c]), str(admitted[(c, y)]), str(plan[c] - admitted[(c, y)])]
        for c in plan
        for y in (2025, 2026)
    ]
    assert sorted(shown["recruitment-plan"]) == sorted(expected_plan), shown["recruitment-plan"]
    assert admitted[("中共郑州市委教育工作委员会", 2025)] == 3
