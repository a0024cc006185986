"""In a real browser: the document preview before submitting ("预览请示") and after issue, and the
administrator's procedure settings and definition upload — at 1366 and 390 px, with screenshots."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from flowengine.service import Services
from tests.support import World
from tests.support.e2e import LiveServer, login, screenshot, world_of
from tests.support.gongwen import docx_paragraphs, html_paragraphs
from tests.support.paths import FIXTURE_WORKFLOWS, SHIPPED_WORKFLOWS

REASONS = "学校2026年下半年整体搬迁至新校区，党员分散在两个校区，难以按期召开党员大会，拟待搬迁完成后换届。"
NO_SIDEWAYS = "() => document.documentElement.scrollWidth <= window.innerWidth"
AXE = (Path(__file__).resolve().parent.parent / "support" / "vendor" / "axe-core" / "axe.min.js").read_text()


def no_serious_violations(page: Page) -> None:
    """axe-core over the page (evaluated through the DevTools protocol: the page's CSP allows no inline
    script): no violation of impact serious or critical."""
    page.evaluate(AXE)
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact))"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    assert found == [], found


def _workflows(tmp_path: Path) -> Path:
    folder = tmp_path / "workflows"
    folder.mkdir()
    shutil.copy(FIXTURE_WORKFLOWS / "leave_request.yaml", folder)
    shutil.copy(SHIPPED_WORKFLOWS / "election_postponement.yaml", folder)
    return folder


def _started(services: Services) -> World:
    world = world_of(services)
    services.flow.start("election_postponement", world.orgs["b1"], world.users["sec1"])
    return world


def test_preview_before_submitting_and_after_issue(
    start_server: Callable[..., LiveServer], new_page: Callable[[], Page], tmp_path: Path
) -> None:
    server = start_server(_workflows(tmp_path), _started)
    page = new_page()
    login(page, server, "sec1")
    page.goto(f"{server.url}/requests/1")
    form = page.get_by_test_id("action-submit_request")
    form.get_by_label("申请事项").select_option(label="延期换届")
    form.get_by_label("拟换届日期（调整后的届满日期）").fill("2027-03-31")
    form.get_by_label("理由").fill(REASONS)
    screenshot(page, "request-preview-button-1366", element="action-submit_request")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(NO_SIDEWAYS), "the request page scrolls sideways at 390 px"
    screenshot(page, "request-preview-button-390", element="action-submit_request")
    screenshot(page, "request-trail-exports-390", element="trail-exports")
    page.set_viewport_size({"width": 1366, "height": 900})
    with page.context.expect_page() as opened:
        form.get_by_test_id("preview-submit_request").click()
    preview = opened.value
    preview.wait_for_load_state()
    expect(preview.get_by_test_id("preview-notice")).to_contain_text("尚未提交")
    article = preview.get_by_test_id("gongwen")
    expect(article).to_be_visible()
    # The 公文 look: the red mark and rule, the title in the middle.
    mark = preview.locator(".gw-mark")
    assert mark.evaluate("e => getComputedStyle(e).color") == "rgb(255, 0, 0)"
    assert preview.locator(".gw-title").evaluate("e => getComputedStyle(e).textAlign") == "center"
    screenshot(preview, "preview-before-submit-1366")
    no_serious_violations(preview)
    preview.set_viewport_size({"width": 390, "height": 844})
    assert preview.evaluate(NO_SIDEWAYS), "the preview scrolls sideways at 390 px"
    screenshot(preview, "preview-before-submit-390")
    shown = html_paragraphs(preview.content())
    preview.close()
    assert server.services.documents.list_for(1, server.world.users["sec1"]) == []  # nothing saved

    form.get_by_test_id("submit-submit_request").click()
    page.wait_for_url(f"{server.url}/requests/1")
    [doc] = server.services.documents.list_for(1, server.world.users["sec1"])
    issued = docx_paragraphs(server.services.documents.get(doc.id, server.world.users["sec1"]).content)
    # The preview was the document, paragraph by paragraph, but for the verification code (drawn on issue).
    code = {i for i, p in enumerate(issued) if p.startswith("扫码")}
    assert [p for i, p in enumerate(shown) if i not in code] == [
        p for i, p in enumerate(issued) if i not in code
    ]
    assert all("提交后生成" in shown[i] for i in code)

    page.get_by_test_id("document-preview").first.click()
    expect(page.get_by_test_id("document-integrity")).to_contain_text("与存档文件一致")
    assert html_paragraphs(page.content()) == issued
    screenshot(page, "document-issued-1366")
    no_serious_violations(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(NO_SIDEWAYS)
    screenshot(page, "document-issued-390")
    assert page.js_errors == []  # type: ignore[attr-defined]


def test_admin_sets_an_org_setting_and_uploads_a_definition(
    start_server: Callable[..., LiveServer], new_page: Callable[[], Page], tmp_path: Path
) -> None:
    server = start_server(_workflows(tmp_path), world_of)
    world = server.world
    page = new_page()
    login(page, server, "admin")
    page.goto(f"{server.url}/admin/orgs")
    page.get_by_test_id("settings-org-b1").click()
    card = page.get_by_test_id("settings-leave_request")
    card.get_by_label("本组织的值").first.fill("0")
    card.get_by_test_id("save-leave_request").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("期限至少为 1 天")
    assert page.evaluate("document.activeElement.id") == "f-leave_request-s-review_days"  # focus on the error
    screenshot(page, "admin-settings-error-1366")
    card = page.get_by_test_id("settings-leave_request")
    card.get_by_label("本组织的值").first.fill("7")
    card.get_by_test_id("save-leave_request").click()
    expect(page.locator(".alert-success")).to_contain_text("已保存")
    expect(page.get_by_test_id("settings-leave_request")).to_contain_text("本组织设为：7")
    screenshot(page, "admin-settings-1366")
    no_serious_violations(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(NO_SIDEWAYS)
    screenshot(page, "admin-settings-390")
    page.set_viewport_size({"width": 1366, "height": 900})

    # The next request of b1 uses it: 7 working days for the review instead of the default 3.
    services = server.services
    iid = services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"]).id
    data = {"reason": "参加培训", "first_day": "2026-09-23", "last_day": "2026-09-25", "days": 3}
    services.flow.act(iid, "submit", world.users["sec1"], data, expected_version=1)
    [task] = services.flow.get(iid, world.users["sec1"]).open_tasks
    assert task.due_at is not None and (task.due_at - services.flow.clock()).days >= 7

    # A broken upload is refused with file:line; a valid one is shown, then activated.
    source = (FIXTURE_WORKFLOWS / "leave_request.yaml").read_text(encoding="utf-8")
    broken = source.replace("version: 1", "version: 2").replace("assignee: reviewer", "assignee: nobody_here")
    line = next(i for i, t in enumerate(broken.splitlines(), 1) if "nobody_here" in t)
    page.goto(f"{server.url}/admin/definitions")
    page.get_by_test_id("upload-definition").click()
    page.locator("#f-file").set_input_files(
        files=[{"name": "leave_request.yaml", "mimeType": "text/yaml", "buffer": broken.encode()}]
    )
    page.get_by_test_id("upload-check").click()
    expect(page.get_by_test_id("definition-problems")).to_contain_text(f"leave_request.yaml:{line}")
    screenshot(page, "admin-upload-refused-1366")
    no_serious_violations(page)

    valid = source.replace("version: 1", "version: 2").replace("title: 领导审批", "title: 分管领导审批")
    page.locator("#f-file").set_input_files(
        files=[{"name": "leave_request.yaml", "mimeType": "text/yaml", "buffer": valid.encode()}]
    )
    page.get_by_test_id("upload-check").click()
    expect(page.get_by_test_id("definition-changes")).to_contain_text("步骤改名：“领导审批” → “分管领导审批”")
    expect(page.get_by_test_id("definition-diff")).to_contain_text("分管领导审批")
    expect(page.locator(".diagram-box[data-rendered=true] svg")).to_have_count(1, timeout=60_000)
    screenshot(page, "admin-upload-check-1366")
    no_serious_violations(page)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(NO_SIDEWAYS)
    screenshot(page, "admin-upload-check-390")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.once("dialog", lambda d: d.accept())
    page.get_by_test_id("activate").click()
    expect(page.locator(".alert-success")).to_contain_text("已启用“请假申请（测试）”第 2 版")
    screenshot(page, "admin-definition-v2-1366")
    no_serious_violations(page)
    assert services.catalog.current["leave_request"].version == 2
    assert services.flow.get(iid, world.users["sec1"]).definition_version == 1  # running: keeps version 1
    assert page.js_errors == []  # type: ignore[attr-defined]
