"""What the browser tests share besides their fixtures: the running server they get, signing in through
the login page, and screenshots for a person to look at (in ``test-artifacts/``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Page

from flowengine.service import Services
from tests.support import PASSWORD, World, build_world
from tests.support.paths import ROOT

ARTIFACTS = ROOT / "test-artifacts"


@dataclass
class LiveServer:
    url: str
    services: Services
    world: World


def login(page: Page, server: LiveServer, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{server.url}/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{server.url}/")


def screenshot(page: Page, name: str, *, full_page: bool = True, element: str | None = None) -> Path:
    """Save a picture for a person to look at: the whole page, the window, or one element (a test id)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if element:
        page.get_by_test_id(element).screenshot(path=str(path))
    else:
        page.screenshot(path=str(path), full_page=full_page)
    return path


def world_of(services: Services) -> World:
    return build_world(services, services.flow.clock())
