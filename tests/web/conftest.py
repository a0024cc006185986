"""Fixtures for the web tests: an app over the fixture services, and clients signed in as each user.

CSRF protection stays on (as in production): the clients are ``tests.support.web.Browser``s, which read
the token from the page they post from, the way a browser does.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from flowengine.service import Services
from flowengine.web import create_app
from tests.support import World
from tests.support.paths import FIXTURE_WORKFLOWS, SHIPPED_WORKFLOWS
from tests.support.web import Browser


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
