"""Issue 16, sign-in: throttling without lockout, one answer for every failure, server-side sessions that
end on sign-out, password change, reset and timeouts, and ``next`` only as a local path."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from sqlalchemy import select

from flowengine.persistence.models import AuditEvent
from flowengine.service import Services
from tests.support import PASSWORD, Clock, World
from tests.support.web import Browser

STRANGER = {"REMOTE_ADDR": "198.51.100.66"}
OWNER = {"REMOTE_ADDR": "10.1.2.3"}


def _login(b: Browser, username: str, password: str, addr: dict[str, str]) -> object:
    return b.post("/login", {"username": username, "password": password}, environ_base=addr)


def test_failures_never_lock_the_owner_out(browser: Callable[[str | None], Browser]) -> None:
    stranger = browser(None)
    stranger.get("/login")
    answers = [_login(stranger, "admin", f"guess-{i}", STRANGER).status_code for i in range(12)]
    assert set(answers[:5]) == {401} and 429 in answers[5:]  # the stranger is slowed down …
    owner = browser(None)
    owner.get("/login")
    assert _login(owner, "admin", PASSWORD, OWNER).status_code == 302  # … the administrator is not


def test_every_failure_reads_the_same(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    services.accounts.set_active(world.users["admin"], world.users["sec2"], False)
    b = browser(None)
    b.get("/login")
    pages = {
        "wrong password": _login(b, "sec1", "guess", OWNER),
        "unknown user": _login(b, "no-such-user", "guess", OWNER),
        "disabled, right password": _login(b, "sec2", PASSWORD, OWNER),
    }
    for what, page in pages.items():
        html = page.get_data(as_text=True)  # type: ignore[attr-defined]
        assert page.status_code == 401, what  # type: ignore[attr-defined]
        assert "用户名或密码不正确。" in html and "锁定" not in html and "停用" not in html, what
    # The sixth failure of a name that exists and of one that does not: the same answer.
    for name in ("sec1", "nobody-at-all"):
        for _ in range(5):
            _login(b, name, "guess", {"REMOTE_ADDR": f"10.9.9.{len(name)}"})
    existing = _login(b, "sec1", "guess", {"REMOTE_ADDR": "10.9.9.4"})
    unknown = _login(b, "nobody-at-all", "guess", {"REMOTE_ADDR": "10.9.9.13"})
    assert existing.status_code == unknown.status_code == 429  # type: ignore[attr-defined]
    assert existing.headers["Retry-After"] == unknown.headers["Retry-After"]  # type: ignore[attr-defined]
    with services.db.read() as s:
        reasons = {
            e.data["reason"] for e in s.scalars(select(AuditEvent).where(AuditEvent.kind == "login_failure"))
        }
    assert reasons == {"bad_password", "unknown_user", "disabled"}  # the auditor still learns why


def test_growing_delays_then_429(browser: Callable[[str | None], Browser], clock: Clock) -> None:
    b = browser(None)
    b.get("/login")
    for _ in range(5):
        assert _login(b, "sec1", "guess", OWNER).status_code == 401  # type: ignore[attr-defined]
    waiting = _login(b, "sec1", PASSWORD, OWNER)  # even the right password waits: it is not looked at
    assert waiting.status_code == 429 and waiting.headers["Retry-After"] == "2"  # type: ignore[attr-defined]
    assert "尝试次数过多" in waiting.get_data(as_text=True)  # type: ignore[attr-defined]
    clock.advance(seconds=3)
    assert _login(b, "sec1", "guess", OWNER).status_code == 401  # type: ignore[attr-defined]
    assert _login(b, "sec1", "guess", OWNER).headers["Retry-After"] == "4"  # type: ignore[attr-defined]
    clock.advance(seconds=5)
    assert _login(b, "sec1", PASSWORD, OWNER).status_code == 302  # type: ignore[attr-defined]


def test_password_form_is_throttled(browser: Callable[[str | None], Browser], services: Services) -> None:
    b = browser("sec1")
    b.get("/account/password")
    form = {"new_password": "new-password-2", "confirm_password": "new-password-2"}
    for _ in range(5):
        bad = b.post("/account/password", {**form, "current_password": "guess"})
        assert bad.status_code == 422
    right = b.post("/account/password", {**form, "current_password": PASSWORD})
    assert right.status_code == 429 and "尝试次数过多" in right.get_data(as_text=True)
    fresh = browser(None)
    assert fresh.login("sec1", PASSWORD).status_code == 302  # unchanged


def _cookie(b: Browser) -> str:
    cookie = b.client.get_cookie("flowengine_session")
    assert cookie is not None
    return cookie.value


def _replay(app: Flask, value: str) -> int:
    thief = app.test_client()
    thief.set_cookie("flowengine_session", value)
    return thief.get("/").status_code


def test_cookie_replayed_after_logout_is_refused(
    browser: Callable[[str | None], Browser], app: Flask
) -> None:
    b = browser("sec1")
    copied = _cookie(b)
    assert _replay(app, copied) == 200  # the copy works while the session is open …
    b.get("/")
    assert b.post("/logout").status_code == 302
    assert _replay(app, copied) == 302  # … and not after signing out (sent to the login page)


def test_password_change_and_reset_end_sessions(
    browser: Callable[[str | None], Browser], app: Flask, services: Services, world: World
) -> None:
    b = browser("sec1")
    copied = _cookie(b)
    b.get("/account/password")
    changed = b.post(
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "new-password-2",
            "confirm_password": "new-password-2",
        },
    )
    assert changed.status_code == 302
    assert b.get("/").status_code == 200  # the browser that changed it goes on, in a new session
    assert _replay(app, copied) == 302
    other = browser(None)
    assert other.login("sec2").status_code == 302
    copied = _cookie(other)
    services.accounts.reset_password(
        world.users["admin"], world.users["sec2"], "reset-pass-1", "reset-pass-1"
    )
    assert _replay(app, copied) == 302 and other.get("/").status_code == 302


def test_idle_and_absolute_timeouts(browser: Callable[[str | None], Browser], clock: Clock) -> None:
    idle = browser("sec1")
    clock.advance(minutes=119)
    assert idle.get("/").status_code == 200  # used within the idle limit: it goes on
    clock.advance(minutes=121)
    assert idle.get("/").status_code == 302  # unused for longer than FLOWENGINE_SESSION_IDLE_MINUTES
    busy = browser("sec1")
    for _ in range(11):
        clock.advance(minutes=60)
        assert busy.get("/").status_code == 200
    clock.advance(minutes=60)
    assert busy.get("/").status_code == 302  # FLOWENGINE_SESSION_MAX_HOURS after the sign-in


def test_next_is_only_a_local_path(browser: Callable[[str | None], Browser]) -> None:
    for target in (
        "/\t/evil.example/phish",
        "/\n/evil.example",
        "/\\evil.example",
        "//evil.example",
        "http://e.x",
    ):
        b = browser(None)
        b.get("/login")
        answer = b.post("/login", {"username": "sec1", "password": PASSWORD, "next": target})
        assert answer.status_code == 302 and answer.headers["Location"] == "/", target
    b = browser(None)
    assert b.get("/login?next=/%09/evil.example/phish").status_code == 200
    assert b.get("/login?next=%0A").status_code == 200  # a newline in next: a page, not a server error
    assert (
        b.post("/login", {"username": "sec1", "password": PASSWORD, "next": "/done?x=1"}).headers["Location"]
        == "/done?x=1"
    )
