"""The approval verbs in a real browser: two signers of a 会签 in two browsers (one of them on a phone), the
handler watching the count and approving once both answered, and a copy read by the one it was sent to."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from flowengine.service import Services
from tests.support import PASSWORD, World
from tests.support.e2e import LiveServer, login, screenshot, world_of
from tests.support.paths import ROOT

VERBS = ROOT / "tests" / "fixtures" / "verbs"


def _people(services: Services) -> World:
    world = world_of(services)
    now = services.flow.clock()
    for username, name, roles in (
        ("jijian", "纪检员", [("discipline", "gw")]),
        ("handler2", "王芳", [("handler", "gw")]),
    ):
        world.users[username] = services.directory.add_user(username, name, PASSWORD, roles, now=now)
    return world


def test_two_signers_countersign_and_a_copy_is_read(
    start_server: Callable[..., LiveServer], new_page: Callable[[], Page]
) -> None:
    server = start_server(VERBS, _people)
    services, world = server.services, server.world
    iid = services.flow.start("joint_review", world.orgs["b1"], world.users["sec1"]).id

    # The secretary submits; the procedure copies it to the superior's leader by itself.
    sec = new_page()
    login(sec, server, "sec1")
    sec.goto(f"{server.url}/requests/{iid}")
    sec.get_by_test_id("action-submit").get_by_label("事由").fill("联合审查测试事由")
    sec.get_by_test_id("submit-submit").click()
    expect(sec.get_by_test_id("current-state")).to_have_text("上级审核")
    expect(sec.get_by_test_id("countersign-count")).to_contain_text("同意 0 / 需 2")

    # The discipline officer signs on a phone, after forgetting the reason for a dissent.
    phone = new_page()
    phone.set_viewport_size({"width": 390, "height": 844})
    login(phone, server, "jijian")
    phone.goto(f"{server.url}/requests/{iid}")
    form = phone.get_by_test_id("sign-form")
    form.locator("[name=view]").select_option("有意见")
    form.get_by_label("不同意（说明理由）").check()
    form.get_by_test_id("submit-sign").click()
    expect(phone.get_by_test_id("sign-form").locator('[data-error-for="comment"]')).not_to_be_empty()
    screenshot(phone, "verbs-sign-refused-phone")
    form = phone.get_by_test_id("sign-form")
    form.locator("[name=view]").select_option("无意见")
    form.get_by_label("同意", exact=True).check()
    form.get_by_test_id("submit-sign").click()
    expect(phone.get_by_test_id("countersign-count")).to_contain_text("同意 1 / 需 2")
    expect(phone.get_by_test_id("sign-form")).to_have_count(0)

    # The handler cannot approve yet: the page says whom it waits for.
    handler = new_page()
    login(handler, server, "handler")
    handler.goto(f"{server.url}/requests/{iid}")
    expect(handler.get_by_test_id("verbs-waiting")).to_be_visible()

    # The leader, who also got the copy, signs in another browser and marks the copy read.
    leader = new_page()
    login(leader, server, "leader")
    leader.goto(f"{server.url}/copies")
    expect(leader.get_by_text("联合审查")).to_be_visible()
    leader.goto(f"{server.url}/requests/{iid}")
    leader.get_by_test_id("sign-form").locator("[name=view]").select_option("无意见")
    leader.get_by_test_id("submit-sign").click()
    expect(leader.get_by_test_id("countersign-count")).to_contain_text("同意 2 / 需 2")
    leader.get_by_test_id("mark-read").click()
    expect(leader.get_by_test_id("copied-to")).to_contain_text("已阅")
    screenshot(leader, "verbs-countersign-complete")

    handler.reload()
    expect(handler.get_by_test_id("verbs-waiting")).to_have_count(0)
    expect(handler.get_by_test_id("signatures").locator("tbody tr")).to_have_count(2)
    handler.get_by_test_id("submit-approve").click()
    expect(handler.get_by_test_id("current-state")).to_have_text("公示")
    for page in (sec, phone, handler, leader):
        assert page.js_errors == []  # type: ignore[attr-defined]
