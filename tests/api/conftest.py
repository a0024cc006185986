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
from tests.api.openapi_check import ResponseChecker
from tests.conftest import SHIPPED_WORKFLOWS
from tests.e2e.election_data import build_election_world
from tests.support import Clock, World


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The API never checks passwords; argon2's production cost would only slow building the users."""
    monkeypatch.setattr(
        directory_module, "_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )


class ApiClient:
    """A test client that sends one user's bearer token and checks every answer against the OpenAPI document."""

    def __init__(self, client: Any, token: str | None, checker: ResponseChecker) -> None:
        self.client = client
        self.token = token
        self.checker = checker

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        out = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**out, **(extra or {})}

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
        query: dict[str, Any] | None = None,
    ) -> Any:
        kwargs: dict[str, Any] = {"headers": self.headers(headers)}
        if json is not None:
            kwargs["json"] = json
        if data is not None:
            kwargs["data"] = data
        if query is not None:
            kwargs["query_string"] = query
        response = self.client.open(path, method=method, **kwargs)
        self.checker.check(method, path, response)
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)


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
