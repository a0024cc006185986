"""Where people land and what they are offered: an auditor starts from the audit search, and "发起申请" is
offered only to those who may start some procedure."""

from __future__ import annotations

from collections.abc import Callable

from tests.support.web import Browser


def test_an_auditor_lands_on_the_audit_search(browser: Callable[[str | None], Browser]) -> None:
    b = browser(None)
    signed_in = b.login("auditor")
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/"
    home = b.get("/")
    assert home.status_code == 302 and home.headers["Location"] == "/audit/"
    page = b.get("/audit/").get_data(as_text=True)
    assert 'data-testid="audit-search"' in page


def test_people_with_tasks_still_land_on_their_inbox(browser: Callable[[str | None], Browser]) -> None:
    for user in ("sec1", "handler", "leader", "admin", "nobody"):
        page = browser(user).get("/")
        assert page.status_code == 200 and "我的待办" in page.get_data(as_text=True), user


def test_start_is_offered_only_to_those_who_may_start(browser: Callable[[str | None], Browser]) -> None:
    for user in ("sec1", "sec2"):
        html = browser(user).get("/").get_data(as_text=True)
        assert 'data-testid="nav-start"' in html and 'data-testid="start-button"' in html, user
    for user in ("handler", "leader", "admin", "nobody"):
        html = browser(user).get("/").get_data(as_text=True)
        assert 'data-testid="nav-start"' not in html and 'data-testid="start-button"' not in html, user
        assert "发起申请" not in html, user
    audit = browser("auditor").get("/audit/").get_data(as_text=True)
    assert 'data-testid="nav-start"' not in audit
