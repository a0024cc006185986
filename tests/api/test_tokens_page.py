"""账户 → API 令牌: a person creates a token (shown once), uses it, and revokes it, in the web UI."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flowengine.service import Services
from tests.support import PASSWORD, World
from tests.support.openapi import ApiClient

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Person:
    """A signed-in browser: posts each form with the CSRF token of the last page it read."""

    def __init__(self, app: Any, username: str) -> None:
        self.client = app.test_client()
        self.csrf = ""
        self.get("/login")
        assert self.post("/login", {"username": username, "password": PASSWORD}).status_code == 302

    def get(self, url: str) -> Any:
        response = self.client.get(url)
        found = _CSRF.search(response.get_data(as_text=True))
        self.csrf = found.group(1) if found else self.csrf
        return response

    def post(self, url: str, data: dict[str, str] | None = None) -> Any:
        response = self.client.post(url, data={**(data or {}), "csrf_token": self.csrf})
        found = _CSRF.search(response.get_data(as_text=True))
        self.csrf = found.group(1) if found else self.csrf
        return response


def _tokens_on(html: str) -> list[str]:
    return re.findall(r'value="(fe_[0-9a-f]{8}_[A-Za-z0-9_-]{43})"', html)


def test_create_use_and_revoke_a_token_in_the_web_ui(
    api_app: Any, api: Callable[..., ApiClient], services: Services, world: World
) -> None:
    person = Person(api_app, "sec1")
    menu = person.get("/").get_data(as_text=True)
    assert 'href="/account/tokens/"' in menu and "API 令牌" in menu
    page = person.get("/account/tokens/")
    assert page.status_code == 200 and "您还没有 API 令牌" in page.get_data(as_text=True)

    empty = person.post("/account/tokens/", {"name": "  "})
    assert empty.status_code == 422 and "请填写令牌名称" in empty.get_data(as_text=True)
    assert services.tokens.list_for(world.users["sec1"]) == []

    created = person.post("/account/tokens/", {"name": "报表脚本"})
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    [token] = _tokens_on(created.get_data(as_text=True))
    assert "令牌只显示这一次" in created.get_data(as_text=True)
    me = api(token=token).get("/api/v1/me").get_json()
    assert me["username"] == "sec1"

    # Shown once: the list shows only the prefix from now on.
    listing = person.get("/account/tokens/").get_data(as_text=True)
    assert _tokens_on(listing) == [] and token not in listing
    [view] = services.tokens.list_for(world.users["sec1"])
    assert f"fe_{view.prefix}_…" in listing and "报表脚本" in listing

    # Nobody revokes another person's token: sec2 posting sec1's token id gets 404, the token still works.
    other = Person(api_app, "sec2")
    other.get("/account/tokens/")
    assert other.post(f"/account/tokens/{view.id}/revoke").status_code == 404
    assert api(token=token).get("/api/v1/me").status_code == 200

    revoked = person.post(f"/account/tokens/{view.id}/revoke")
    assert revoked.status_code == 302
    assert api(token=token).get("/api/v1/me").status_code == 401
    after = person.get("/account/tokens/").get_data(as_text=True)
    assert "已吊销" in after and "已吊销令牌“报表脚本”" in after


def test_revoking_needs_the_pages_csrf_token(
    api_app: Any, api: Callable[..., ApiClient], services: Services, world: World
) -> None:
    created = services.tokens.create(world.users["sec1"], "市平台对接")
    person = Person(api_app, "sec1")
    forged = person.client.post(f"/account/tokens/{created.view.id}/revoke")  # no csrf_token
    assert forged.status_code == 400
    assert api(token=created.token).get("/api/v1/me").status_code == 200
