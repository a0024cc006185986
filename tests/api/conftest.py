"""Fixtures for the JSON API tests: an app over the services, and clients holding a real token per user.

Tokens are created through the service exactly as the UI and CLI create them, and sent as
``Authorization: Bearer`` on every request; no API call relies on a session cookie.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher

from flowengine.service import Services
from flowengine.service.identity import passwords as directory_module
from flowengine.web import create_app
from tests.support import Clock, World
from tests.support.election import build_election_world
from tests.support.openapi import ApiClient, ResponseChecker
from tests.support.paths import SHIPPED_WORKFLOWS


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The API never checks passwords; argon2's production cost would only slow building the users."""
    monkeypatch.setattr(
        directory_module, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )


@pytest.fixture
def services(make_services: Callable[..., Services], clock: Clock) -> Services:
    """The shipped procedures, on today's date: the election data's dates are relative to today."""
    clock.now = dt.datetime.now(dt.UTC)
    return make_services(SHIPPED_WORKFLOWS)


@pytest.fixture
def world(services: Services) -> World:
    """Two branches of one school under the work committee; sec1 and sec2 are their secretaries."""
    return build_election_world(services)


@pytest.fixture
def api_app(services: Services, world: World) -> Any:
    return create_app(services, config={"SECRET_KEY": "test-secret", "TESTING": True})


@pytest.fixture
def checker() -> ResponseChecker:
    return ResponseChecker()


@pytest.fixture
def token_for(services: Services, world: World) -> Callable[[str], str]:
    def make(username: str) -> str:
        return services.tokens.create(world.users[username], f"tests {username}").token

    return make


@pytest.fixture
def api(
    api_app: Any, token_for: Callable[[str], str], checker: ResponseChecker
) -> Iterator[Callable[..., ApiClient]]:
    """``api("sec1")`` is a client with a fresh token of sec1; ``api(None)`` sends no token."""

    def make(username: str | None = None, *, token: str | None = None) -> ApiClient:
        return ApiClient(api_app.test_client(), token or (token_for(username) if username else None), checker)

    yield make
