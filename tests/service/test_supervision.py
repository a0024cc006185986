"""The supervision overview over the demo data, checked against counts taken straight from the tables.

The expected sets are computed with plain SQL over the rows (organizations, instances, open tasks, audit
events), not through the supervision module, so a wrong join or a wrong precedence there shows up here.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import text

from flowengine.chinese import china_date
from flowengine.demo import load_demo
from flowengine.errors import NotFound, PermissionDenied, ValidationFailed
from flowengine.procedures.major_decision.rules import CATEGORIES
from flowengine.service import Services
from flowengine.service.reads.supervision import Criteria, Supervision
from tests.support import Clock
from tests.support.paths import SHIPPED_WORKFLOWS
from tests.support.supervision import NOW, expected_states


@dataclass
class Demo:
    services: Services
    supervision: Supervision
    users: dict[str, int]


@pytest.fixture
def demo(make_services: Callable[..., Services], clock: Clock) -> Demo:
    clock.now = NOW
    services = make_services(SHIPPED_WORKFLOWS)
    load_demo(services, clock())
    with services.db.read() as s:
        users = {name: uid for uid, name in s.execute(text("SELECT id, username FROM users"))}
    return Demo(services, Supervision(services.db, services.catalog, services.flow.clock), users)


def _overview_counts_and_names_match_the_tables(demo: Demo) -> None:
    expected = expected_states(demo.services, "zzjgw")
    ov = demo.supervision.overview(demo.users["wangjianguo"])
    by_status = {k: {r.name for r in ov.rows if r.status == k} for k in ov.status_counts}
    for status, names in by_status.items():
        assert names == expected[status], status
        assert ov.status_counts[status] == len(expected[status])
    for flag in ("term_expired", "step_overdue", "returned_often"):
        assert {r.name for r in ov.rows if flag in r.flags} == expected[flag], flag
        assert ov.flag_counts[flag] == len(expected[flag])
        assert expected[flag], f"the demo must include an organization flagged {flag}"
    assert expected["completed"] and expected["postponed"]
    assert ov.total == sum(len(expected[k]) for k in ("in_progress", "completed", "postponed", "not_started"))
    assert ov.late == len(expected["term_expired"] | expected["step_overdue"])
    # The demo's story: the school committee and the retired staff's branch are long overdue, the grade
    # branch waits on a 总支 handler nobody holds, and the second branch of 二十四中 was returned three times.
    assert "中共郑州市第二十四中学委员会" in expected["term_expired"]
    assert "郑州市第三十一中学高二年级党支部" in expected["step_overdue"]
    assert "郑州市第二十四中学第二党支部" in expected["returned_often"]


def _rows_say_who_must_act_and_how_late(demo: Demo) -> None:
    rows = {r.code: r for r in demo.supervision.overview(demo.users["wangjianguo"]).rows}
    today = china_date(NOW)
    assert rows["zz24"].days_overdue == (today - dt.date(2026, 6, 17)).days
    assert rows["zz24-b1"].waiting_on == "王建国（中共郑州市委教育工作委员会承办人）"
    assert rows["zz24-b1"].step == "上级审核请示①" and not rows["zz24-b1"].flags
    late = rows["zz31-high-g2"]
    assert late.due_on is not None and late.days_overdue == (today - late.due_on).days > 0
    assert "未配备人员" in (late.waiting_on or "")
    assert rows["zz24-b2"].returns == 3
    assert rows["zzsf-fx"].completed_on == dt.date(2026, 9, 4)
    assert rows["zzsf-fx"].state_text == "已完成（批复③ 2026年9月4日）"  # dates the Chinese way, as shown
    assert rows["zz103"].postponed_until == dt.date(2026, 12, 31)
    assert rows["zz103"].state_text == "已批准延期至2026年12月31日"


def _a_handler_sees_only_their_subtree(demo: Demo) -> None:
    expected = expected_states(demo.services, "zz24")
    ov = demo.supervision.overview(demo.users["chenjing"])
    names = {r.name for r in ov.rows}
    assert names == set().union(
        *(expected[k] for k in ("in_progress", "completed", "postponed", "not_started"))
    )
    assert names == {
        "郑州市第二十四中学第一党支部",
        "郑州市第二十四中学第二党支部",
        "郑州市第二十四中学离退休党支部",
    }
    with pytest.raises(NotFound):
        demo.supervision.overview(
            demo.users["chenjing"], Criteria(org_id=demo.services.directory.org_id("zz31"))
        )


def _secretaries_and_administrators_are_refused(demo: Demo) -> None:
    for username in ("zhangming", "liuhaiyan", "admin"):
        with pytest.raises(PermissionDenied):
            demo.supervision.overview(demo.users[username])
        assert not demo.supervision.may_supervise(demo.users[username])
    assert demo.supervision.may_supervise(demo.users["sunli"])


def _filters_and_sorting(demo: Demo) -> None:
    sup, uid = demo.supervision, demo.users["zhaozhigang"]
    expected = expected_states(demo.services, "zzjgw")
    late = sup.overview(uid, Criteria(status="late"))
    assert {r.name for r in late.rows} == expected["term_expired"] | expected["step_overdue"]
    assert late.total == sup.overview(uid).total  # counts stay those of the whole sub-tree
    zz31 = sup.overview(uid, Criteria(org_id=demo.services.directory.org_id("zz31")))
    assert {r.code for r in zz31.rows} == {"zz31", "zz31-high", "zz31-high-g1", "zz31-high-g2"}
    by_overdue = sup.overview(uid, Criteria(sort="overdue", descending=True)).rows
    assert [r.days_overdue for r in by_overdue] == sorted((r.days_overdue for r in by_overdue), reverse=True)
    by_term = [r.term_end for r in sup.overview(uid, Criteria(sort="term_end")).rows]
    assert by_term == sorted(by_term, key=lambda d: d or dt.date.max)
    with pytest.raises(ValidationFailed):
        sup.overview(uid, Criteria(sort="password"))
    with pytest.raises(ValidationFailed):
        sup.overview(uid, Criteria(status="nonsense"))


def _charts_data(demo: Demo) -> None:
    ov = demo.supervision.overview(demo.users["sunli"])
    assert len(ov.due_by_month) == 12 and ov.due_by_month[0][0] == "2026年11月"
    with demo.services.db.read() as s:
        december = s.execute(
            text(
                "SELECT count(*) FROM organizations WHERE term_end >= '2026-12-01' AND term_end <= '2026-12-31' "
                "AND type <> 'work_committee'"
            )
        ).scalar_one()
    assert dict(ov.due_by_month)["2026年12月"] == december
    steps = {t.state: t for t in ov.step_times}
    # 师院附小's election meeting came 20 working days after 批复② (2026-07-31 → 2026-08-28).
    assert steps["election_meeting"].average_working_days == 20.0 and steps["election_meeting"].tasks == 1


def _bulletin_facts_name_the_late_units(demo: Demo) -> None:
    expected = expected_states(demo.services, "zzjgw")
    facts = demo.supervision.bulletin_facts(
        demo.users["wangjianguo"], dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    )
    assert {u.name for u in facts.late} == expected["term_expired"] | expected["step_overdue"]
    assert facts.issuer == "中共郑州市委教育工作委员会" and facts.doc_prefix == "郑教工委"
    assert facts.completed == len(expected["completed"])
    assert facts.in_progress == len(expected["in_progress"])
    assert facts.checked == facts.completed + facts.in_progress + facts.postponed + facts.not_started
    types = [u.type_title for u in facts.late]
    assert types == sorted(types, key=["基层党委", "党总支", "党支部"].index)  # grouped, committees first
    with pytest.raises(ValidationFailed):
        demo.supervision.bulletin(demo.users["wangjianguo"], dt.date(2026, 1, 1), dt.date(2026, 12, 31), "  ")


def _decisions_and_their_filing(demo: Demo) -> None:
    with demo.services.db.read() as s:
        rows = s.execute(
            text(
                "SELECT i.id, i.data, o.name FROM instances i JOIN organizations o ON o.id = i.org_id "
                "WHERE i.workflow = 'major_decision' AND i.status IN ('active', 'completed')"
            )
        ).all()
    decided, unfiled = {}, set()
    for iid, data, org in rows:
        data = json.loads(data) if isinstance(data, str) else data
        if "record_meeting" not in data:
            continue
        category = data["submit_proposal"]["category"]
        decided[iid] = (org, category)
        required = category in ("cadre_appointment", "large_fund") or data.get("issue_minutes", {}).get(
            "filing_required"
        )
        if required and "acknowledge_filing" not in data:
            unfiled.add(iid)
    view = demo.supervision.metric(
        demo.users["sunli"], "decisions", dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    )
    matrix, listed, unfiled_table = view.board.tables
    categories = list(CATEGORIES)
    assert {
        iid: (row[0], categories[list(CATEGORIES.values()).index(row[1])])
        for iid, row in zip(listed.links, listed.rows, strict=True)
    } == decided
    assert set(unfiled_table.links) == unfiled and unfiled, "the demo has an unfiled decision"
    for org, *counts, total in matrix.rows:
        numbers = [n or 0 for n in counts]
        assert total == sum(numbers) == sum(1 for o, _ in decided.values() if o == org)
        for category, n in zip(categories, numbers, strict=True):
            assert n == sum(1 for o, c in decided.values() if (o, c) == (org, category))
    october = demo.supervision.metric(
        demo.users["sunli"], "decisions", dt.date(2026, 10, 1), dt.date(2026, 10, 31)
    )
    assert len(october.board.tables[1].rows) == len(listed.rows) - 1  # the September purchase is outside
    with pytest.raises(ValidationFailed):
        demo.supervision.metric(demo.users["sunli"], "decisions", dt.date(2026, 10, 31), dt.date(2026, 10, 1))
    with pytest.raises(PermissionDenied):
        demo.supervision.metric(
            demo.users["yangfan"], "decisions", dt.date(2026, 1, 1), dt.date(2026, 12, 31)
        )


# One demo load per test and database (loading drives a dozen requests through the service).


def test_overview_of_the_demo(demo: Demo) -> None:
    _overview_counts_and_names_match_the_tables(demo)
    _rows_say_who_must_act_and_how_late(demo)
    _filters_and_sorting(demo)
    _charts_data(demo)
    _bulletin_facts_name_the_late_units(demo)
    _decisions_and_their_filing(demo)


def test_who_may_supervise_what(demo: Demo) -> None:
    _a_handler_sees_only_their_subtree(demo)
    _secretaries_and_administrators_are_refused(demo)
