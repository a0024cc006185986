"""In a real browser: 账户 → API 令牌 creates a token shown once; a script uses it; revoking stops it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page

from flowengine.service import Services
from tests.support import World
from tests.support.e2e import LiveServer, login, screenshot
from tests.support.election import build_election_world
from tests.support.paths import SHIPPED_WORKFLOWS


def _call(server: LiveServer, token: str, path: str) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(f"{server.url}{path}", headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_a_person_creates_uses_and_revokes_a_token(
    start_server: Callable[[Path, Callable[[Services], World]], LiveServer], new_page: Callable[[], Page]
) -> None:
    server = start_server(SHIPPED_WORKFLOWS, build_election_world)
    page = new_page()
    login(page, server, "sec1")
    page.get_by_test_id("user-menu").click()
    page.get_by_role("link", name="API 令牌").click()
    page.get_by_label("令牌名称（用途）").fill("报表脚本")
    page.get_by_role("button", name="创建令牌").click()
    token = page.get_by_test_id("token-value").input_value()
    assert token.startswith("fe_")
    screenshot(page, "api-token-created")

    status, me = _call(server, token, "/api/v1/me")
    assert (status, me["username"]) == (200, "sec1")
    status, tasks = _call(server, token, "/api/v1/tasks")
    assert status == 200 and tasks["total"] == 0

    page.goto(f"{server.url}/account/tokens/")  # shown once: the page read again no longer has it
    assert page.get_by_test_id("token-value").count() == 0
    assert token not in page.content()
    page.get_by_role("button", name="吊销").click()
    assert "已吊销令牌“报表脚本”" in page.content()
    screenshot(page, "api-token-revoked")
    status, error = _call(server, token, "/api/v1/me")
    assert (status, error["code"]) == (401, "unauthorized")
    assert page.js_errors == []  # type: ignore[attr-defined]
