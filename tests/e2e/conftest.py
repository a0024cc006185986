"""Browser tests: a real server on 127.0.0.1 over a fresh SQLite database, driven by Debian's Chromium.

Playwright's own browser downloads are never used (there is no network at run time): the tests launch
``/usr/bin/chromium``. When it is missing they fail with the command that installs it, rather than skip,
so CI cannot pass without having run them. Screenshots go to ``test-artifacts/`` for a person to look at.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, sync_playwright
from werkzeug.serving import make_server

from flowengine.config import Settings
from flowengine.service import Services, open_services
from flowengine.web import create_app
from tests.support import World
from tests.support.e2e import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--lang=zh-CN",
]


def serve(services: Services, world: World) -> Iterator[LiveServer]:
    app = create_app(services, config={"SECRET_KEY": "e2e-secret"})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", services, world)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        services.close()


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator[Callable[[Path, Callable[[Services], World]], LiveServer]]:
    """Start a server over ``workflows`` with the organizations and users ``populate`` creates."""
    running: list[Iterator[LiveServer]] = []

    def start(workflows: Path, populate: Callable[[Services], World]) -> LiveServer:
        settings = Settings(
            database_url=f"sqlite:///{tmp_path / 'e2e.sqlite3'}", data_dir=tmp_path, workflows_dir=workflows
        )
        services = open_services(settings, auto_upgrade=True)
        gen = serve(services, populate(services))
        running.append(gen)
        return next(gen)

    yield start
    for gen in running:
        next(gen, None)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    assert CHROMIUM.exists(), (
        "browser tests need Debian's Chromium at /usr/bin/chromium and a CJK font: "
        "apt-get install -y chromium fonts-noto-cjk"
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(chromium: Browser) -> Iterator[Callable[[], Page]]:
    """Each call is a separate browser context: its own cookies, like a different person's computer."""
    contexts = []

    def make() -> Page:
        context = chromium.new_context(
            locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": 1366, "height": 900}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.js_errors = errors  # type: ignore[attr-defined]
        # A confirmation (批复, 撤回, 拿回) is accepted as a person who means it would; what it asked is kept.
        dialogs: list[str] = []

        def accept(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            dialog.accept()

        page.on("dialog", accept)
        page.dialogs = dialogs  # type: ignore[attr-defined]
        return page

    yield make
    for c in contexts:
        c.close()
