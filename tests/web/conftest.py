"""Fixtures for the web tests: an app over the fixture services, and clients signed in as each user.

CSRF protection stays on (as in production): the helpers read the token from the page they post from,
the way a browser does, so a test that forgets it fails like a forged request would.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from flowengine.service import Services
from flowengine.web import create_app
from tests.conftest import FIXTURE_WORKFLOWS, SHIPPED_WORKFLOWS
from tests.support import PASSWORD, World

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "page has no CSRF token"
    return found.group(1)


class Browser:
    """A test client that posts forms with the token of the page it came from."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token = ""

    def get(self, url: str, **kwargs: Any) -> Any:
        response = self.client.get(url, **kwargs)
        if response.mimetype != "text/html":
            return response  # a download: no form on it
        found = _TOKEN.search(response.get_data(as_text=True))
        if found:
            self.token = found.group(1)
        return response

    def post(self, url: str, data: dict[str, Any] | None = None, *, token: bool = True, **kwargs: Any) -> Any:
        data = dict(data or {})
        if token:
            if not self.token:
                self.get("/login")
            data.setdefault("csrf_token", self.token)
        return self.client.post(url, data=data, **kwargs)

    def login(self, username: str, password: str = PASSWORD) -> Any:
        self.get("/login")
        return self.post("/login", {"username": username, "password": password})


@pytest.fixture
def services(make_services: Callable[..., Services], tmp_path: Path) -> Services:
    """The engine's test procedure plus the shipped 延期换届, whose steps issue real .docx documents."""
    workflows = tmp_path / "web-workflows"
    workflows.mkdir()
    shutil.copy(FIXTURE_WORKFLOWS / "leave_request.yaml", workflows)
    shutil.copy(SHIPPED_WORKFLOWS / "election_postponement.yaml", workflows)
    return make_services(workflows)


@pytest.fixture
def app(services: Services, world: World) -> Flask:
    return create_app(services, config={"SECRET_KEY": "test-secret", "TESTING": True})


@pytest.fixture
def browser(app: Flask) -> Callable[[str | None], Browser]:
    """``browser("sec1")`` is a client signed in as sec1; ``browser(None)`` is anonymous."""

    def make(username: str | None = None) -> Browser:
        b = Browser(app.test_client())
        if username:
            response = b.login(username)
            assert response.status_code == 302, response.get_data(as_text=True)
        return b

    return make
