"""Accessibility: axe-core over the main pages at desktop and phone width, with no serious or critical
violation; every form control labelled; one step walked with the keyboard alone.

axe-core runs from the copy vendored in tests/support/vendor (nothing is fetched at run time), so
``.ci/run`` runs this check with the rest of the browser tests.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.support.a11y import axe_violations, describe
from tests.support.e2e import LiveServer, login, screenshot
from tests.support.election import STEPS, TREE, build_election_world

WORKFLOWS = Path(__file__).resolve().parent.parent.parent / "workflows"
B1_TERM = next(
    {"current_term_start": o["term_start"], "current_term_end": o["term_end"]}
    for o in TREE
    if o["code"] == "b1"
)
PHONE = {"width": 390, "height": 844}

#: Controls with no accessible name: an input, a select or a textarea that nothing labels.
UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
  .filter(e => !e.closest('template'))
  .filter(e => {
    if (e.getAttribute('aria-label') || e.getAttribute('aria-labelledby')) return false;
    if (e.tagName === 'BUTTON') return !e.textContent.trim();
    if (e.labels && e.labels.length) return false;
    return !e.getAttribute('title');
  })
  .map(e => e.outerHTML.slice(0, 120))"""


def _request(server: LiveServer, steps: int) -> int:
    svc, world = server.services, server.world
    iid = svc.flow.start("branch_election", world.orgs["b1"], world.users["sec1"]).id
    for user, action, data, comment in STEPS[:steps]:
        version = svc.flow.get(iid, world.users[user]).version
        values = {**B1_TERM, **data} if action == "submit_request1" else data
        svc.flow.act(iid, action, world.users[user], values, comment, expected_version=version)
    return iid


def check(page: Page, name: str) -> None:
    violations = axe_violations(page)
    assert not violations, f"{name} ({page.url}):\n{describe(violations)}"
    unlabelled = page.evaluate(UNLABELLED)
    assert not unlabelled, f"{name}: controls without a label: {unlabelled}"


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 900}, PHONE], ids=["desktop", "phone"])
def test_main_pages_have_no_serious_accessibility_violation(
    start_server: Callable[..., LiveServer], new_page: Callable[[], Page], viewport: dict[str, int]
) -> None:
    server = start_server(WORKFLOWS, build_election_world)
    review = _request(server, 2)  # 请示① waiting for the handler

    anonymous = new_page()
    anonymous.set_viewport_size(viewport)
    anonymous.goto(f"{server.url}/login")
    check(anonymous, "login")

    handler = new_page()
    handler.set_viewport_size(viewport)
    login(handler, server, "handler")
    check(handler, "handler's inbox")
    handler.goto(f"{server.url}/requests/{review}")
    check(handler, "request page under review")
    # A refused submission: the summary, the messages beside the fields.
    handler.get_by_test_id("submit-return_request1").click()
    expect(handler.get_by_test_id("error-summary")).to_be_visible()
    check(handler, "request page with errors")
    handler.get_by_test_id("diagram-toggle").click()
    expect(handler.locator(".diagram-box[data-rendered=true] svg")).to_have_count(1, timeout=30_000)
    check(handler, "request page with the diagram")
    handler.goto(f"{server.url}/notifications/")
    check(handler, "notifications")
    handler.goto(f"{server.url}/done")
    check(handler, "done list")

    sec = new_page()
    sec.set_viewport_size(viewport)
    login(sec, server, "sec1")
    check(sec, "secretary's inbox")
    sec.goto(f"{server.url}/requests/{review}")
    check(sec, "request page, read by its initiator")
    sec.goto(f"{server.url}/requests/new")
    check(sec, "choosing a procedure")
    for page in (anonymous, handler, sec):
        assert page.js_errors == []  # type: ignore[attr-defined]


def test_the_candidate_form_is_accessible_on_a_phone(
    start_server: Callable[..., LiveServer], new_page: Callable[[], Page]
) -> None:
    server = start_server(WORKFLOWS, build_election_world)
    iid = _request(server, 5)  # 请示② with its list of candidates is next
    sec = new_page()
    sec.set_viewport_size(PHONE)
    login(sec, server, "sec1")
    sec.goto(f"{server.url}/requests/{iid}")
    form = sec.get_by_test_id("action-submit_request2")
    form.locator('[data-list="candidates"] [data-add-row]').click()
    check(sec, "candidate form")
    form.get_by_test_id("submit-submit_request2").click()
    expect(sec.get_by_test_id("error-summary")).to_be_visible()
    check(sec, "candidate form with errors")


def test_a_step_can_be_taken_with_the_keyboard_alone(
    start_server: Callable[..., LiveServer], new_page: Callable[[], Page]
) -> None:
    """The handler forwards 请示① using Tab, typing and Enter only: every control on the way is reachable and
    shows where the focus is."""
    server = start_server(WORKFLOWS, build_election_world)
    iid = _request(server, 2)
    page = new_page()
    login(page, server, "handler")
    page.goto(f"{server.url}/requests/{iid}")
    opinion = page.get_by_test_id("action-forward_request1").locator('[name="opinion"]')
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.name") == "opinion":
            break
    expect(opinion).to_be_focused()
    page.keyboard.type("材料齐全，同意上报。")
    page.keyboard.press("Tab")
    submit = page.get_by_test_id("submit-forward_request1")
    expect(submit).to_be_focused()
    outline = submit.evaluate("e => getComputedStyle(e).boxShadow + ' ' + getComputedStyle(e).outlineStyle")
    assert outline.strip() not in ("none none", "none"), "the focused button shows no focus ring"
    screenshot(page, "a11y-keyboard-focus", full_page=False)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("current-state")).to_have_text("上级批复①")
    assert page.js_errors == []  # type: ignore[attr-defined]
