"""Issue 16, API tokens and JSON bodies: tokens expire, may be read-only, die with a password change or
reset, are listed and revoked by an administrator; bad tokens are throttled per address; a body that is
too deep, too large or holds a string that is not text is refused with a message and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from flowengine.errors import ValidationFailed
from flowengine.persistence.models import AuditEvent, Instance
from flowengine.service import Services
from tests.support import PASSWORD, Clock, World
from tests.support.openapi import ApiClient
from tests.support.web import Browser


@pytest.fixture
def admin(services: Services, world: World) -> int:
    return services.directory.add_user("admin", "系统管理员", PASSWORD, [("admin", "gw")])


def _count(services: Services) -> tuple[int, int]:
    with services.db.read() as s:
        return (
            s.scalar(select(func.count()).select_from(Instance)) or 0,
            s.scalar(select(func.count()).select_from(AuditEvent)) or 0,
        )


def test_tokens_expire_after_their_days(
    api: Callable[..., ApiClient], services: Services, world: World, clock: Clock
) -> None:
    sec1 = world.users["sec1"]
    default = services.tokens.create(sec1, "默认有效期")
    short = services.tokens.create(sec1, "一天", days=1)
    assert (default.view.expires_at - default.view.created_at).days == 90  # FLOWENGINE_TOKEN_DAYS
    with pytest.raises(ValidationFailed) as refused:
        services.tokens.create(sec1, "太久", days=366)  # FLOWENGINE_TOKEN_MAX_DAYS
    assert refused.value.errors == {"days": "有效期应为 1–365 天"}
    assert api(token=short.token).get("/api/v1/me").status_code == 200
    clock.advance(days=1, seconds=1)
    expired = api(token=short.token).get("/api/v1/me")
    assert expired.status_code == 401 and "已过期" in expired.get_json()["message"]
    assert api(token=default.token).get("/api/v1/me").status_code == 200
    listed_short, listed_default = services.tokens.list_for(sec1)  # newest first
    assert (
        listed_default.active
        and not listed_short.active
        and listed_short.expired
        and listed_short.revoked_at is None
    )


def test_a_read_only_token_only_reads(
    api: Callable[..., ApiClient], services: Services, world: World
) -> None:
    token = services.tokens.create(world.users["sec1"], "只读脚本", scope="read").token
    reader = api(token=token)
    assert reader.get("/api/v1/me").status_code == 200
    before = _count(services)
    refused = reader.post(
        "/api/v1/instances", json={"workflow": "branch_election", "org_id": world.orgs["b1"]}
    )
    assert refused.status_code == 403 and refused.get_json()["code"] == "read_only_token"
    assert _count(services) == before


def test_password_change_and_reset_revoke_every_token(
    api: Callable[..., ApiClient], services: Services, world: World, admin: int
) -> None:
    sec1, sec2 = world.users["sec1"], world.users["sec2"]
    first, second = services.tokens.create(sec1, "一").token, services.tokens.create(sec1, "二").token
    services.accounts.change_password(sec1, PASSWORD, "new-password-1", "new-password-1")
    assert api(token=first).get("/api/v1/me").status_code == 401
    assert api(token=second).get("/api/v1/me").status_code == 401
    theirs = services.tokens.create(sec2, "三").token
    services.accounts.reset_password(admin, sec2, "reset-pass-22", "reset-pass-22")
    assert api(token=theirs).get("/api/v1/me").status_code == 401
    with services.db.read() as s:
        change = s.scalar(select(AuditEvent).where(AuditEvent.kind == "password_change"))
    assert change is not None and change.data["tokens_revoked"] == 2


def test_an_administrator_lists_and_revokes_anyones_tokens(
    api: Callable[..., ApiClient], api_app: Any, services: Services, world: World, admin: int
) -> None:
    leaked = services.tokens.create(world.users["sec1"], "泄露的脚本")
    admin_api = api(token=services.tokens.create(admin, "管理").token)
    listed = admin_api.get("/api/v1/admin/tokens")
    assert listed.status_code == 200
    assert {(t["username"], t["name"]) for t in listed.get_json()["items"]} >= {("sec1", "泄露的脚本")}
    assert api("sec2").get("/api/v1/admin/tokens").status_code == 403  # not an administrator
    assert api("sec2").post(f"/api/v1/admin/tokens/{leaked.view.id}/revoke").status_code == 403
    assert api(token=leaked.token).get("/api/v1/me").status_code == 200
    revoked = admin_api.post(f"/api/v1/admin/tokens/{leaked.view.id}/revoke")
    assert revoked.status_code == 200 and revoked.get_json()["active"] is False
    assert api(token=leaked.token).get("/api/v1/me").status_code == 401
    assert admin_api.post("/api/v1/admin/tokens/2147483647/revoke").status_code == 404
    # The page: 系统管理 → API 令牌.
    other = services.tokens.create(world.users["sec2"], "另一个脚本")
    page_admin = Browser(api_app.test_client())
    assert page_admin.login("admin").status_code == 302
    page = page_admin.get("/admin/tokens").get_data(as_text=True)
    assert "另一个脚本" in page and "李红" in page and "泄露的脚本" not in page  # active ones only
    assert "泄露的脚本" in page_admin.get("/admin/tokens?all=1").get_data(as_text=True)
    assert page_admin.post(f"/admin/tokens/{other.view.id}/revoke").status_code == 302
    assert api(token=other.token).get("/api/v1/me").status_code == 401
    secretary = Browser(api_app.test_client())
    assert secretary.login("sec1").status_code == 302
    assert secretary.get("/admin/tokens").status_code == 403


def test_bad_tokens_from_one_address_are_throttled(
    api_app: Any, services: Services, world: World, token_for: Callable[[str], str]
) -> None:
    client = api_app.test_client()
    bad = {"Authorization": "Bearer fe_00000000_" + "A" * 43}
    here, elsewhere = {"REMOTE_ADDR": "203.0.113.9"}, {"REMOTE_ADDR": "203.0.113.10"}
    answers = [client.get("/api/v1/me", headers=bad, environ_base=here).status_code for _ in range(32)]
    assert answers[:30] == [401] * 30 and answers[31] == 429
    throttled = client.get("/api/v1/me", headers=bad, environ_base=here)
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) >= 1
    assert throttled.get_json()["code"] == "too_many_attempts"
    assert client.get("/api/v1/me", headers=bad, environ_base=elsewhere).status_code == 401
    good = {"Authorization": f"Bearer {token_for('sec1')}"}
    assert client.get("/api/v1/me", headers=good, environ_base=elsewhere).status_code == 200


def test_json_that_is_too_deep_too_large_or_not_text_is_refused(
    api: Callable[..., ApiClient], services: Services, world: World
) -> None:
    sec1 = api("sec1")
    before = _count(services)
    start = {"workflow": "branch_election", "org_id": world.orgs["b1"]}
    deep = sec1.client.post(
        "/api/v1/instances",
        data="[" * 100_000 + "]" * 100_000,
        headers={**sec1.headers(), "Content-Type": "application/json"},
    )
    assert deep.status_code == 400 and "嵌套过深" in deep.get_json()["message"]
    nested = sec1.post(
        "/api/v1/instances", json={**start, "data": {"a": [[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]}}
    )
    assert nested.status_code == 400
    large = sec1.post("/api/v1/instances", json={**start, "comment": "党" * 100_000})
    assert large.status_code == 413
    for comment in ("\ud800", "说明\x00", "a\x1bb", "\udfff前"):
        refused = sec1.post("/api/v1/instances", json={**start, "comment": comment})
        assert refused.status_code == 422, comment
        assert "comment" in refused.get_json()["errors"], comment
    surrogate_key = sec1.post("/api/v1/instances", json={**start, "data": {"\ud800": "x"}})
    assert surrogate_key.status_code == 422
    assert _count(services) == before
    ok = sec1.post("/api/v1/instances", json={**start, "comment": "第一行\n第二行\t制表"})
    assert ok.status_code == 201
