"""Every state-changing request needs the session's CSRF token; without it nothing changes."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from flowengine.service import Services
from tests.support import PASSWORD, World
from tests.support.web import GOOD_FORM, Browser, snapshot, submitted


@pytest.mark.parametrize("token", [None, "forged-token", "other-session"])
def test_posts_without_a_valid_token_are_refused_and_change_nothing(
    browser: Callable[[str | None], Browser], services: Services, world: World, token: str | None
) -> None:
    iid = submitted(services, world)
    handler, sec1, admin = browser("handler"), browser("sec1"), browser("admin")
    handler.get(f"/requests/{iid}")
    if token == "other-session":
        other = browser("sec2")
        other.get("/")
        value: str | None = other.token
    else:
        value = token
    before = snapshot(services)
    attempts = [
        (handler, f"/requests/{iid}/actions/approve", {"version": "2", "comment": "同意"}),
        (handler, f"/requests/{iid}/actions/return_to_applicant", {"version": "2", "comment": "请补充"}),
        (sec1, f"/requests/{iid}/actions/withdraw", {"version": "2"}),
        (browser("sec2"), "/requests/new/leave_request", {"org_id": str(world.orgs["b2"]), **GOOD_FORM}),
        (
            sec1,
            "/account/password",
            {
                "current_password": PASSWORD,
                "new_password": "new-password-2",
                "confirm_password": "new-password-2",
            },
        ),
        (sec1, "/logout", {}),
        (sec1, "/notifications/read-all", {}),
        (
            admin,
            "/admin/orgs/new",
            {"code": "b9", "name": "新支部", "type": "branch", "parent_id": str(world.orgs["school24"])},
        ),
        (admin, f"/admin/users/{world.users['sec1']}/active", {"active": "0"}),
        (
            admin,
            f"/admin/users/{world.users['sec1']}/password",
            {"new_password": "taken-over-1", "confirm_password": "taken-over-1"},
        ),
        (
            admin,
            f"/admin/users/{world.users['sec2']}/roles",
            {"role": "leader", "org_id": str(world.orgs["gw"])},
        ),
    ]
    for b, path, data in attempts:
        if value is not None:
            data = {**data, "csrf_token": value}
        response = b.post(path, data, token=False)
        assert response.status_code == 400, path
        assert "安全令牌" in response.get_data(as_text=True)
    assert snapshot(services) == before
    assert sec1.get("/").status_code == 200  # logout without a token did not sign out


def test_login_form_needs_the_token_too(browser: Callable[[str | None], Browser]) -> None:
    b = browser(None)
    assert b.post("/login", {"username": "sec1", "password": PASSWORD}, token=False).status_code == 400


def test_the_same_post_with_the_token_goes_through(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    iid = submitted(services, world)
    b = browser("handler")
    b.get(f"/requests/{iid}")
    assert b.post(f"/requests/{iid}/actions/approve", {"version": "2"}).status_code == 302
    assert services.flow.get(iid, world.users["handler"]).state == "approved"
