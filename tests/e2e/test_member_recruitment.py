"""发展党员 in a real browser: the branch secretary records the 支部大会 (a meeting without a quorum refused
with its reason, then a valid one), the school committee's handler finds the person in the inbox, records
the talk and approves; the 批复 is listed. Earlier steps are taken through the service, dated in the past."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from playwright.sync_api import Page, expect

from flowengine.chinese import china_date
from flowengine.demo import DEMO_PASSWORD, USERS, load_demo
from flowengine.service import Services
from tests.support import World
from tests.support.city import build_city
from tests.support.e2e import LiveServer, login, screenshot
from tests.support.paths import SHIPPED_WORKFLOWS
from tests.support.recruitment import (
    WORKFLOW,
    activist,
    applicant,
    pre_review,
    prospect,
    publicity_data,
    talk,
)


def _city(services: Services) -> World:
    city = build_city(services, services.flow.clock())
    return World(orgs=city.orgs, users=city.users)


def _to_meeting(server: LiveServer, today: dt.date) -> int:
    """A 发展对象 whose 公示 ended a fortnight ago, waiting for the 支部大会 (earlier steps through the service)."""
    s, users = server.services, server.world.users

    def day(n: int) -> str:
        return (today - dt.timedelta(days=n)).isoformat()

    start = applicant(applied=day(640), received=day(636))
    iid = s.flow.start(WORKFLOW, server.world.orgs["g2"], users["majun"], start).id

    def act(user: str, action: str, data: dict[str, object] | None = None) -> None:
        version = s.flow.get(iid, users[user]).version
        s.flow.act(iid, action, users[user], data, expected_version=version)

    act("majun", "record_first_talk", talk(day(630)))
    act("majun", "appoint_activist", activist(day(600)))
    act("hexiaoli", "file_activist", {"opinion": "同意备案。"})
    act("majun", "propose_prospect", prospect(day(200)))
    act("hexiaoli", "file_prospect", {"opinion": "同意备案。"})
    act("majun", "submit_pre_review", pre_review(day(40)))
    act("hexiaoli", "pass_pre_review", publicity_data(day(30)))
    s.escalator.sweep()  # the 公示 ended by itself
    assert s.flow.get(iid, users["majun"]).state == "admission_meeting"
    return iid


def test_branch_meeting_and_committee_approval(
    start_server: Callable[..., LiveServer], new_page: Callable[[], Page]
) -> None:
    server = start_server(SHIPPED_WORKFLOWS, _city)
    today = china_date(server.services.flow.clock())
    iid = _to_meeting(server, today)
    yesterday = (today - dt.timedelta(days=1)).isoformat()

    sec = new_page()
    sec.set_default_timeout(60_000)  # long request pages, full-page screenshots, a shared 2-core machine
    login(sec, server, "majun")
    sec.goto(f"{server.url}/requests/{iid}", wait_until="domcontentloaded", timeout=60_000)
    expect(sec.get_by_test_id("request-title")).to_have_text(
        "李晓雨（郑州市第三十一中学高二年级党支部）发展党员"
    )
    expect(sec.get_by_test_id("subject")).to_contain_text("1996年5月14日")
    form = sec.get_by_test_id("action-hold_admission_meeting")
    expect(form.get_by_label("应到会有表决权的正式党员")).to_have_value("11")
    form.get_by_label("支部大会日期").fill(yesterday)
    form.locator("#f-volunteer_form_filled-yes").check()
    form.get_by_label("有表决权的实到人数").fill("5")
    form.get_by_label("赞成票（含书面意见）").fill("5")
    form.get_by_label("支部大会决议").fill("同意接收李晓雨同志为中共预备党员。")
    form.get_by_test_id("submit-hold_admission_meeting").click()
    form = sec.get_by_test_id("action-hold_admission_meeting")
    expect(form).to_contain_text("未超过应到会有表决权人数（11 人）的半数，至少须 6 人")
    expect(form.get_by_label("赞成票（含书面意见）")).to_have_value("5")
    form.get_by_label("有表决权的实到人数").fill("9")
    form.get_by_label("赞成票（含书面意见）").fill("8")
    form.get_by_label("反对票").fill("1")
    screenshot(sec, "recruitment-meeting-1366")
    form.get_by_test_id("submit-hold_admission_meeting").click()
    expect(sec.get_by_test_id("current-state")).to_have_text("基层党委派人谈话")
    expect(sec.get_by_test_id("documents")).to_contain_text("关于接收李晓雨同志为中共预备党员的决议")
    sec.set_viewport_size({"width": 390, "height": 844})
    screenshot(sec, "recruitment-meeting-390")

    handler = new_page()
    handler.set_default_timeout(60_000)
    login(handler, server, "hexiaoli")
    row = handler.get_by_test_id("inbox-row").filter(has_text="李晓雨")
    expect(row).to_contain_text("基层党委派人谈话")
    row.get_by_role("link").first.click()
    form = handler.get_by_test_id("action-record_organizer_talk")
    form.get_by_label("谈话日期").fill(today.isoformat())
    form.get_by_label("谈话人").fill("何晓丽")
    form.get_by_test_id("submit-record_organizer_talk").click()
    expect(handler.get_by_test_id("current-state")).to_have_text("基层党委审批接收预备党员")
    form = handler.get_by_test_id("action-approve_admission")
    form.get_by_label("党委会审批日期").fill(today.isoformat())
    form.get_by_label("批复文号").fill("三十一中党〔2026〕30号")
    screenshot(handler, "recruitment-approval-1366")
    form.get_by_test_id("submit-approve_admission").click()
    expect(handler.get_by_test_id("current-state")).to_have_text("预备党员教育考察（预备期）")
    expect(handler.get_by_test_id("documents")).to_contain_text("关于同意接收李晓雨同志为中共预备党员的批复")
    handler.set_viewport_size({"width": 390, "height": 844})
    screenshot(handler, "recruitment-approval-390")
    assert not sec.js_errors and not handler.js_errors  # type: ignore[attr-defined]


def _demo(services: Services) -> World:
    load_demo(services)
    return World(users={u: 0 for u, _, _ in USERS})


def test_recruitment_board_over_the_demo(
    start_server: Callable[..., LiveServer], new_page: Callable[[], Page]
) -> None:
    server = start_server(SHIPPED_WORKFLOWS, _demo)
    page = new_page()
    page.set_default_timeout(60_000)
    login(page, server, "wangjianguo", DEMO_PASSWORD)
    page.goto(f"{server.url}/supervision/recruitment")
    expect(page.get_by_test_id("recruitment-pipeline")).to_contain_text("郑州市第二十四中学第一党支部")
    expect(page.get_by_test_id("recruitment-talks_overdue")).to_contain_text("刘雨桐")
    expect(page.get_by_test_id("recruitment-approvals_late")).to_contain_text("郑浩然")
    expect(page.get_by_test_id("recruitment-probation_ended")).to_contain_text("黄俊杰")
    screenshot(page, "recruitment-board-1366")
    page.get_by_test_id("recruitment-talks_overdue").get_by_role("link", name="刘雨桐").click()
    expect(page.get_by_test_id("subject")).to_contain_text("1999年3月21日")
    page.goto(f"{server.url}/supervision/recruitment")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "recruitment-board-390")
    assert not page.js_errors  # type: ignore[attr-defined]
