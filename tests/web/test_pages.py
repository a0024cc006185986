"""What the pages show: the inbox with waiting times and deadlines, the request page with its diagram,
timeline and documents, the auditor's search, the admin listings, and error pages in the app's style."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable
from typing import Any

import pytest

from flowengine.definitions.calendar_file import CalendarSupplement
from flowengine.engine import calendar
from flowengine.service import Services
from tests.support import Clock, World
from tests.support.web import GOOD_DATA, GOOD_FORM, Browser, postponement_submitted, snapshot, submitted

INBOX_ROW = re.compile(
    r'<tr class="([^"]*)" data-testid="inbox-row">\s*<td>\s*<a class="fw-semibold" href="/requests/(\d+)"'
)


def inbox_rows(html: str) -> list[tuple[int, bool]]:
    """(request id, overdue) of each inbox row, in the order shown."""
    return [(int(iid), "overdue-row" in cls) for cls, iid in INBOX_ROW.findall(html)]


def test_inbox_shows_org_step_waiting_time_due_date_and_overdue_mark(
    browser: Callable[[str | None], Browser], services: Services, world: World, clock: Clock
) -> None:
    iid = submitted(services, world)  # opened Monday 2026-09-21; 3 working days → due Thursday 09-24
    b = browser("handler")
    html = b.get("/").get_data(as_text=True)
    assert f'href="/requests/{iid}"' in html
    assert "郑州市第二十四中学第一党支部" in html and "上级审核" in html
    assert "2026年9月24日" in html and "剩余 3 个工作日" in html
    assert 'data-testid="overdue"' not in html
    clock.advance(days=8)  # Tuesday 09-29, after the Mid-Autumn holiday (Fri 09-25) and a weekend
    b = browser("handler")  # days later: a new sign-in (a session ends 12 hours after its own)
    html = b.get("/").get_data(as_text=True)
    assert "5 个工作日" in html  # waited 22, 23, 24, 28, 29
    assert 'data-testid="overdue"' in html and "已超期 2 个工作日" in html  # late on 28 and 29


def test_inbox_filters_and_pagination(
    browser: Callable[[str | None], Browser], services: Services, world: World, app
) -> None:  # type: ignore[no-untyped-def]
    submitted(services, world)
    other = services.flow.start("leave_request", world.orgs["b2"], world.users["sec2"]).id
    services.flow.act(other, "submit", world.users["sec2"], GOOD_DATA, expected_version=1)
    b = browser("handler")
    both = b.get("/").get_data(as_text=True)
    assert both.count('data-testid="inbox-row"') == 2
    only_b2 = b.get(f"/?org={world.orgs['b2']}").get_data(as_text=True)
    assert only_b2.count('data-testid="inbox-row"') == 1 and "第二党支部" in only_b2
    none = b.get("/?state=leader_review").get_data(as_text=True)
    assert 'data-testid="inbox-empty"' in none and "没有符合筛选条件的待办" in none
    partial = b.get("/?workflow=leave_request", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert partial.lstrip().startswith('<div id="inbox-results"') and "<nav" not in partial
    app.config["PER_PAGE"] = 1
    first = b.get("/?order=newest").get_data(as_text=True)
    assert first.count('data-testid="inbox-row"') == 1 and "共 2 条，第 1/2 页" in first
    assert "第二党支部" in first  # newest first
    second = b.get("/?order=newest&page=2").get_data(as_text=True)
    assert "第一党支部" in second


def test_beyond_the_limit_the_organization_filter_is_a_name_search(
    browser: Callable[[str | None], Browser], services: Services, world: World, app
) -> None:  # type: ignore[no-untyped-def]
    submitted(services, world)
    other = services.flow.start("leave_request", world.orgs["b2"], world.users["sec2"]).id
    services.flow.act(other, "submit", world.users["sec2"], GOOD_DATA, expected_version=1)
    handler, auditor = browser("handler"), browser("auditor")
    listed = handler.get("/").get_data(as_text=True)
    assert 'id="flt-org" name="org"' in listed and 'data-testid="org-name-filter"' not in listed

    app.config["ORG_OPTIONS_LIMIT"] = 1
    page = handler.get("/").get_data(as_text=True)
    assert (
        'data-testid="org-name-filter"' in page and '<option value="{}"'.format(world.orgs["b1"]) not in page
    )
    only_b2 = handler.get("/?org_name=第二党支部").get_data(as_text=True)
    assert only_b2.count('data-testid="inbox-row"') == 1 and "第二党支部" in only_b2
    assert 'value="第二党支部"' in only_b2  # what was typed stays in the field
    none = handler.get("/?org_name=第三党支部", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "没有符合筛选条件的待办" in none

    search = auditor.get("/audit/?org_name=第一党支部").get_data(as_text=True)
    assert 'name="org_name"' in search and 'placeholder="输入组织名称中的字词"' in search
    assert search.count("郑州市第二十四中学第一党支部") >= 1 and "郑州市第二十四中学第二党支部" not in search
    linked = auditor.get(f"/audit/?org={world.orgs['b2']}")  # an organization named by id still filters
    assert linked.status_code == 200 and "郑州市第二十四中学第一党支部" not in linked.get_data(as_text=True)


def test_inbox_puts_the_most_urgent_first_unless_asked_for_the_newest(
    browser: Callable[[str | None], Browser], services: Services, world: World, clock: Clock
) -> None:
    oldest = postponement_submitted(services, world)  # Mon 09-21: 延期 review, 10 working days
    clock.advance(days=1)
    urgent = submitted(services, world)  # Tue 09-22: leave review, 3 working days
    clock.advance(days=1)
    newest = services.flow.start("leave_request", world.orgs["b2"], world.users["sec2"]).id  # Wed 09-23
    services.flow.act(newest, "submit", world.users["sec2"], GOOD_DATA, expected_version=1)
    due = {t.instance_id: t.due_at for t in services.inbox.open(world.users["handler"]).items}
    assert due[urgent] < due[newest] < due[oldest]  # neither the oldest nor the newest is the most urgent
    clock.advance(days=6)  # Tue 09-29: the first leave request is overdue, the second due today
    b = browser("handler")

    default = b.get("/").get_data(as_text=True)
    assert inbox_rows(default) == [(urgent, True), (newest, False), (oldest, False)]
    assert re.search(r'<option value="urgent" selected>最紧急优先</option>', default)
    assert inbox_rows(b.get("/?order=urgent").get_data(as_text=True)) == inbox_rows(default)

    by_age = b.get("/?order=newest").get_data(as_text=True)
    assert inbox_rows(by_age) == [(newest, False), (urgent, True), (oldest, False)]
    assert re.search(r'<option value="newest" selected>最新优先</option>', by_age)
    assert inbox_rows(b.get("/?order=bogus").get_data(as_text=True)) == inbox_rows(
        default
    )  # unknown: default


def test_done_lists_what_i_acted_on(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    iid = submitted(services, world)
    services.flow.act(iid, "approve", world.users["handler"], comment="同意", expected_version=2)
    html = browser("handler").get("/done").get_data(as_text=True)
    assert f'href="/requests/{iid}"' in html and "批准" in html


def test_request_page_has_state_diagram_timeline_changes_and_documents(
    browser: Callable[[str | None], Browser], services: Services, world: World, clock: Clock
) -> None:
    iid = submitted(services, world)
    clock.advance(hours=1)
    services.flow.act(
        iid, "return_to_applicant", world.users["handler"], comment="请补充代班人电话", expected_version=2
    )
    clock.advance(hours=1)
    services.flow.act(
        iid,
        "submit",
        world.users["sec1"],
        {**GOOD_DATA, "reason": "参加专题培训（已补充）"},
        expected_version=3,
    )
    services.flow.act(iid, "approve", world.users["handler"], comment="同意", expected_version=4)
    b = browser("sec1")
    html = b.get(f"/requests/{iid}").get_data(as_text=True)
    assert 'data-testid="current-state">已批准' in html and "已办结" in html
    assert "class s_approved current" in html and "class s_review visited" in html
    assert html.count('data-testid="timeline-entry"') == 5
    assert "请补充代班人电话" in html and "王建国（承办人）" in html
    assert "修改了 1 项" in html and "参加专题培训（已补充）" in html
    assert 'data-testid="read-only"' in html and "/actions/" not in html


def test_auditor_search_by_org_procedure_state_dates_and_actor(
    browser: Callable[[str | None], Browser], services: Services, world: World, clock: Clock
) -> None:
    first = submitted(services, world)
    clock.advance(days=3)
    second = services.flow.start("leave_request", world.orgs["b2"], world.users["sec2"]).id
    b = browser("auditor")

    def found(query: str) -> set[int]:
        html = b.get(f"/audit/?{query}").get_data(as_text=True)
        return {i for i in (first, second) if f'href="/requests/{i}"' in html}

    assert found("") == {first, second}
    assert found(f"org={world.orgs['b1']}") == {first}
    assert found(f"org={world.orgs['school24']}") == {
        first,
        second,
    }  # an organization includes those below it
    assert found("workflow=leave_request&state=review") == {first}
    assert found("status=active") == {first, second}
    assert found("date_from=2026-09-22") == {second}
    assert found("date_to=2026-09-21") == {first}
    assert found("actor=李红") == {second}
    assert found("actor=sec1") == {first}
    bad = b.get("/audit/?date_from=2026-09-30&date_to=2026-09-01")
    assert bad.status_code == 422 and "结束日期不能早于开始日期" in bad.get_data(as_text=True)
    unreadable = b.get("/audit/?date_from=2026-99-99")
    assert unreadable.status_code == 422 and "不是有效的日期值" in unreadable.get_data(as_text=True)


def test_admin_pages_list_tree_users_and_definitions(browser: Callable[[str | None], Browser]) -> None:
    b = browser("admin")
    orgs = b.get("/admin/orgs").get_data(as_text=True)
    assert "中共郑州市委教育工作委员会" in orgs and "2023年10月10日 至 2026年10月9日" in orgs
    assert ">12</td>" in orgs and "党支部" in orgs
    users = b.get("/admin/users").get_data(as_text=True)
    assert "张明" in users and "书记 · 郑州市第二十四中学第一党支部" in users
    defs = b.get("/admin/definitions").get_data(as_text=True)
    assert "请假申请（测试）" in defs and "第 1 版" in defs and "当前版本" in defs
    detail = b.get("/admin/definitions/leave_request/1").get_data(as_text=True)
    assert "stateDiagram-v2" in detail and "上级审核" in detail and "review_days" in detail


def test_error_pages_are_in_the_apps_style(browser: Callable[[str | None], Browser]) -> None:
    b = browser("sec1")
    missing = b.get("/no/such/page")
    html = missing.get_data(as_text=True)
    assert (
        missing.status_code == 404
        and "页面不存在" in html
        and "党组织流程审批" in html
        and 'lang="zh-CN"' in html
    )
    forbidden = b.get("/admin/orgs")
    assert forbidden.status_code == 403 and "无权访问" in forbidden.get_data(as_text=True)


class _BrokenDocuments:
    """A document producer that fails half-way through an action, after the instance row was updated."""

    def produce(self, s: Any, **kwargs: Any) -> None:
        raise RuntimeError("document store unreachable: /srv/flowengine/secret-path")


def test_an_unexpected_error_shows_the_500_page_and_changes_nothing(
    browser: Callable[[str | None], Browser],
    services: Services,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    iid = submitted(services, world)
    b = browser("handler")
    b.get(f"/requests/{iid}")
    before = snapshot(services)
    working = services.flow.documents
    monkeypatch.setattr(services.flow, "documents", _BrokenDocuments())  # 批准 issues a 批复: it fails there
    with caplog.at_level(logging.ERROR, logger="flowengine.web.errors"):
        response = b.post(f"/requests/{iid}/actions/approve", {"version": "2", "comment": "同意"})
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert 'lang="zh-CN"' in html and "党组织流程审批" in html  # the app's layout, not Werkzeug's page
    assert "系统出错" in html and "系统出现意外错误，已记录" in html
    for leak in ("Traceback", "RuntimeError", "secret-path", 'File "', "werkzeug"):
        assert leak not in html, leak
    assert "document store unreachable" in caplog.text  # logged for the operator instead
    # The action's transaction was rolled back as a whole: state, version, tasks, trail and documents.
    assert snapshot(services) == before
    page = b.get(f"/requests/{iid}").get_data(as_text=True)
    assert "已办理" not in page and 'name="version" value="2"' in page
    # Nothing is left half-open: with the producer working again the same action (same version) succeeds.
    monkeypatch.setattr(services.flow, "documents", working)
    assert b.post(f"/requests/{iid}/actions/approve", {"version": "2", "comment": "同意"}).status_code == 302
    assert services.flow.get(iid, world.users["handler"]).state == "approved"


def test_start_twice_for_the_same_branch_says_where_the_running_one_is(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    iid = services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"]).id
    b = browser("sec1")
    choose = b.get("/requests/new").get_data(as_text=True)
    assert f'href="/requests/{iid}"' in choose and "已有进行中的申请" in choose
    b.get("/requests/new/leave_request")
    again = b.post("/requests/new/leave_request", {"org_id": str(world.orgs["b1"]), **GOOD_FORM})
    assert again.status_code == 409 and "已有进行中" in again.get_data(as_text=True)


def test_admin_sees_which_years_holidays_are_known(
    browser: Callable[[str | None], Browser], clock: Clock
) -> None:
    year = calendar.PACKAGE_LAST_YEAR
    clock.now = dt.datetime(year, 11, 30, 2, 0, tzinfo=dt.UTC)
    b = browser("admin")
    html = b.get("/admin/definitions").get_data(as_text=True)
    assert f"已知 {year} 年及以前的安排" in html
    assert 'data-testid="calendar-missing-year"' in html and f"尚无 {year + 1} 年的节假日安排" in html

    calendar.install_supplement(
        CalendarSupplement(years=frozenset({year + 1}), sources={year + 1: "国办发明电〔示例〕"})
    )
    try:
        html = b.get("/admin/definitions").get_data(as_text=True)
    finally:
        calendar.install_supplement(None)
    assert f"已知 {year + 1} 年及以前的安排" in html and f"{year + 1} 年（国办发明电〔示例〕）" in html
    assert 'data-testid="calendar-missing-year"' not in html
