"""In a real browser: a read-only token with its own lifetime, an administrator revoking it on 系统管理 →
API 令牌, and the sign-in page slowing a guesser down — at desktop and phone widths."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page

from flowengine.service import Services
from tests.support import World
from tests.support.e2e import LiveServer, login, screenshot, world_of
from tests.support.paths import FIXTURE_WORKFLOWS


def _both_widths(page: Page, name: str) -> None:
    screenshot(page, f"{name}-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, f"{name}-390")
    page.set_viewport_size({"width": 1366, "height": 900})


def test_read_only_token_and_the_administrators_token_page(
    start_server: Callable[[Path, Callable[[Services], World]], LiveServer], new_page: Callable[[], Page]
) -> None:
    server = start_server(FIXTURE_WORKFLOWS, world_of)
    sec = new_page()
    login(sec, server, "sec1")
    sec.goto(f"{server.url}/account/tokens/")
    sec.get_by_label("令牌名称（用途）").fill("报表脚本")
    sec.get_by_label("权限").select_option("read")
    sec.get_by_label("有效期（天）").fill("30")
    sec.get_by_role("button", name="创建令牌").click()
    assert sec.get_by_test_id("token-value").input_value().startswith("fe_")
    row = sec.get_by_test_id("token-list").locator("tbody tr").first
    assert "只读" in row.inner_text() and "有效" in row.inner_text()
    _both_widths(sec, "security-own-tokens")

    admin = new_page()
    login(admin, server, "admin")
    admin.get_by_role("button", name="系统管理").or_(admin.get_by_role("link", name="系统管理")).first.click()
    admin.get_by_role("link", name="API 令牌").first.click()
    admin.wait_for_url(f"{server.url}/admin/tokens")
    table = admin.get_by_test_id("admin-tokens")
    assert "报表脚本" in table.inner_text() and "只读" in table.inner_text()
    _both_widths(admin, "security-admin-tokens")
    admin.get_by_role("button", name="吊销").click()
    assert "已吊销" in admin.content() and "报表脚本" in admin.content()
    assert admin.js_errors == [] and sec.js_errors == []  # type: ignore[attr-defined]


def test_a_guesser_is_slowed_down_with_one_message(
    start_server: Callable[[Path, Callable[[Services], World]], LiveServer], new_page: Callable[[], Page]
) -> None:
    server = start_server(FIXTURE_WORKFLOWS, world_of)
    page = new_page()
    page.goto(f"{server.url}/login")
    for _ in range(5):
        page.get_by_label("用户名").fill("admin")
        page.get_by_label("密码").fill("guess-guess")
        page.get_by_role("button", name="登录").click()
        assert page.get_by_test_id("login-error").inner_text() == "用户名或密码不正确。"
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill("guess-guess")
    page.get_by_role("button", name="登录").click()
    assert "尝试次数过多" in page.get_by_test_id("login-error").inner_text()
    _both_widths(page, "security-login-throttled")
