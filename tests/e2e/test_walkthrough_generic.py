"""A whole request in a real browser, on the engine's fixture procedure: start, a refused form, submit,
return with a comment, correct and resubmit, approve; then an auditor finds it and reads the trail."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.support import PASSWORD
from tests.support.e2e import LiveServer, login, screenshot, world_of

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "workflows"


def login_auditor(page: Page, server: LiveServer) -> None:
    """An auditor's home is the audit search: signing in lands there, not on an empty inbox."""
    page.goto(f"{server.url}/login")
    page.get_by_label("用户名").fill("auditor")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{server.url}/audit/")
    expect(page.get_by_test_id("audit-search")).to_be_visible()


def test_leave_request_from_start_to_approval_and_audit(
    start_server: Callable[..., LiveServer], new_page: Callable[[], Page]
) -> None:
    server = start_server(FIXTURES, world_of)
    branch = "郑州市第二十四中学第一党支部"

    # The secretary starts a request and submits it, after one refused attempt.
    sec = new_page()
    login(sec, server, "sec1")
    expect(sec.get_by_test_id("inbox-empty")).to_be_visible()
    sec.get_by_role("link", name="发起申请", exact=True).first.click()
    sec.get_by_test_id(re.compile(r"start-leave_request-\d+")).click()
    sec.get_by_role("button", name="发起").click()
    expect(sec.get_by_test_id("current-state")).to_have_text("填写申请")

    form = sec.get_by_test_id("action-submit")
    form.get_by_label("事由").fill("参加市委教育工委组织的专题培训")
    form.get_by_label("开始日期").fill("2026-10-12")
    form.get_by_label("结束日期").fill("2026-10-14")
    form.get_by_label("天数").fill("三天")
    form.locator('[name="substitutes-0-name"]').fill("刘洋")
    form.locator('[name="substitutes-0-phone"]').fill("13800138000")
    form.get_by_role("button", name="＋ 添加一行").click()
    form.get_by_role("button", name="＋ 添加一行").click()
    expect(form.locator("tbody tr[data-row]")).to_have_count(3)
    form.locator('[name="substitutes-1-name"]').fill("王芳")
    form.locator("tbody tr[data-row]").nth(2).get_by_role("button", name="删除").click()
    expect(form.locator("tbody tr[data-row]")).to_have_count(2)
    form.get_by_test_id("submit-submit").click()

    form = sec.get_by_test_id("action-submit")
    expect(form.locator('[data-error-for="days"]')).to_have_text("请输入整数")
    expect(form.get_by_label("天数")).to_have_value("三天")
    expect(form.get_by_label("事由")).to_have_value("参加市委教育工委组织的专题培训")
    expect(form.locator('[name="substitutes-1-name"]')).to_have_value("王芳")
    form.get_by_label("天数").fill("3")
    form.get_by_test_id("submit-submit").click()
    expect(sec.get_by_test_id("current-state")).to_have_text("上级审核")
    expect(sec.get_by_test_id("action-submit")).to_have_count(0)

    # The superior's handler finds it in the inbox and returns it; a return needs a comment.
    handler = new_page()
    login(handler, server, "handler")
    row = handler.get_by_test_id("inbox-row").filter(has_text=branch)
    expect(row).to_contain_text("上级审核")
    expect(row).to_contain_text("剩余")
    screenshot(handler, "generic-inbox")
    row.get_by_role("link").first.click()
    ret = handler.get_by_test_id("action-return_to_applicant")
    ret.get_by_test_id("submit-return_to_applicant").click()
    expect(
        handler.get_by_test_id("action-return_to_applicant").locator('[data-error-for="comment"]')
    ).to_contain_text("请填写意见")
    handler.get_by_test_id("action-return_to_applicant").get_by_label("意见").fill(
        "请补充第二位代班人的联系电话"
    )
    handler.get_by_test_id("submit-return_to_applicant").click()
    expect(handler.get_by_test_id("current-state")).to_have_text("填写申请")

    # The secretary sees the comment, corrects and resubmits: what was entered before is still there.
    sec.goto(sec.url)
    expect(sec.get_by_test_id("timeline")).to_contain_text("请补充第二位代班人的联系电话")
    form = sec.get_by_test_id("action-submit")
    expect(form.get_by_label("事由")).to_have_value("参加市委教育工委组织的专题培训")
    form.locator('[name="substitutes-1-phone"]').fill("13900139000")
    form.get_by_label("意见").fill("已补充联系电话")
    form.get_by_test_id("submit-submit").click()
    expect(sec.get_by_test_id("current-state")).to_have_text("上级审核")

    # The handler approves; the request is completed with its whole timeline.
    handler.goto(handler.url)
    handler.get_by_test_id("action-approve").get_by_label("意见").fill("同意。")
    handler.get_by_test_id("submit-approve").click()
    expect(handler.get_by_test_id("current-state")).to_have_text("已批准")
    expect(handler.get_by_test_id("status")).to_have_text("已办结")
    expect(handler.get_by_test_id("timeline-entry")).to_have_count(5)
    expect(handler.get_by_test_id("timeline")).to_contain_text("修改了 1 项")
    # The test procedure declares a 批复 but no text for it: no document is pretended.
    expect(handler.get_by_test_id("documents")).to_contain_text("尚未产生文书")
    handler.get_by_test_id("diagram-toggle").click()  # the whole procedure is drawn only when asked for
    expect(handler.locator(".diagram-box[data-rendered=true] svg")).to_have_count(1, timeout=30_000)
    screenshot(handler, "generic-request")

    # An auditor finds it by search and reads the trail, with no action anywhere.
    auditor = new_page()
    login_auditor(auditor, server)
    auditor.get_by_label("组织").select_option(value=str(server.world.orgs["b1"]))
    auditor.get_by_label("办理状态").select_option(label="已办结")
    auditor.get_by_role("button", name="查询").click()
    results = auditor.get_by_test_id("audit-results")
    expect(results.locator("tbody tr")).to_have_count(1)
    screenshot(auditor, "generic-audit-search")
    results.get_by_role("link").first.click()
    expect(auditor.get_by_test_id("read-only")).to_contain_text("审计只读视图")
    expect(auditor.get_by_test_id("timeline-entry")).to_have_count(5)
    expect(auditor.get_by_test_id("timeline")).to_contain_text("请补充第二位代班人的联系电话")
    expect(auditor.locator("form[action*='/actions/']")).to_have_count(0)
    expect(auditor.locator("[data-testid^=submit-]")).to_have_count(0)
    auditor.get_by_test_id("diagram-toggle").click()
    expect(auditor.locator(".diagram-box[data-rendered=true] svg")).to_have_count(1, timeout=30_000)
    screenshot(auditor, "generic-audit-request")

    for page in (sec, handler, auditor):
        assert page.js_errors == []  # type: ignore[attr-defined]
