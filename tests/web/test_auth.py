"""Signing in and out: hashed passwords, cookie flags, password change (throttling and sessions:
test_security_auth.py)."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import select

from flowengine.persistence.models import AuditEvent, User
from flowengine.service import Services
from tests.support import PASSWORD, World
from tests.support.web import Browser


def test_login_sets_httponly_samesite_cookie_and_lands_on_inbox(
    browser: Callable[[str | None], Browser],
) -> None:
    b = browser(None)
    b.get("/login")
    response = b.post("/login", {"username": "sec1", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("flowengine_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "我的待办" in b.get("/").get_data(as_text=True)


def test_passwords_are_stored_as_argon2_hashes(services: Services, world: World) -> None:
    with services.db.read() as s:
        stored = s.scalar(select(User.password_hash).where(User.id == world.users["sec1"]))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_wrong_password_gives_one_message_and_records_the_failure(
    browser: Callable[[str | None], Browser], services: Services
) -> None:
    b = browser(None)
    b.get("/login")
    wrong = b.post("/login", {"username": "sec1", "password": "guess"})
    unknown = b.post("/login", {"username": "no-such-user", "password": "guess"})
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码不正确" in wrong.get_data(as_text=True)
    assert "用户名或密码不正确" in unknown.get_data(as_text=True)
    with services.db.read() as s:
        reasons = [
            e.data["reason"]
            for e in s.scalars(
                select(AuditEvent).where(AuditEvent.kind == "login_failure").order_by(AuditEvent.seq)
            )
        ]
    assert reasons == ["bad_password", "unknown_user"]


def test_empty_fields_are_named_beside_them(browser: Callable[[str | None], Browser]) -> None:
    b = browser(None)
    b.get("/login")
    page = b.post("/login", {"username": "", "password": ""})
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert 'data-error-for="username">请输入用户名' in html and 'data-error-for="password">请输入密码' in html


def test_next_only_redirects_within_the_site(browser: Callable[[str | None], Browser]) -> None:
    b = browser(None)
    b.get("/login?next=/done")
    assert (
        b.post("/login", {"username": "sec1", "password": PASSWORD, "next": "/done"}).headers["Location"]
        == "/done"
    )
    b = browser(None)
    b.get("/login")
    evil = b.post("/login", {"username": "sec1", "password": PASSWORD, "next": "//evil.example/x"})
    assert evil.headers["Location"] == "/"


def test_logout_is_a_post_and_ends_the_session(browser: Callable[[str | None], Browser]) -> None:
    b = browser("sec1")
    assert b.client.get("/logout").status_code == 405
    b.get("/")
    assert b.post("/logout").status_code == 302
    assert b.get("/").status_code == 302


def test_change_password_errors_beside_fields_then_success_ends_other_sessions(
    browser: Callable[[str | None], Browser], app: Flask
) -> None:
    other_device = browser("sec1")
    b = browser("sec1")
    b.get("/account/password")
    bad = b.post(
        "/account/password",
        {"current_password": "wrong", "new_password": "short", "confirm_password": "short"},
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'data-error-for="current_password">当前密码不正确' in html
    assert 'data-error-for="new_password">新密码至少 8 位' in html
    mismatch = b.post(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "new-password-2",
            "confirm_password": "new-password-3",
        },
    )
    assert 'data-error-for="confirm_password">两次输入的新密码不一致' in mismatch.get_data(as_text=True)
    ok = b.post(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "new-password-2",
            "confirm_password": "new-password-2",
        },
    )
    assert ok.status_code == 302
    assert b.get("/").status_code == 200  # this session continues
    assert other_device.get("/").status_code == 302  # the other one is signed out
    fresh = browser(None)
    assert fresh.login("sec1", PASSWORD).status_code == 401
    assert fresh.login("sec1", "new-password-2").status_code == 302


def test_security_headers(browser: Callable[[str | None], Browser]) -> None:
    response = browser(None).get("/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
