"""The supervision page in a real browser over the demo data: charts drawn, filters and sorting working."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from flowengine.demo import DEMO_PASSWORD, USERS, load_demo
from flowengine.service import Services
from tests.support import World
from tests.support.e2e import LiveServer, login, screenshot

WORKFLOWS = Path(__file__).resolve().parent.parent.parent / "workflows"

# Whether a canvas has any painted pixel: a chart that failed to draw leaves it fully transparent.
PAINTED = """canvas => {
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] !== 0) { painted++; } }
  return painted;
}"""


def demo_world(services: Services) -> World:
    load_demo(services)
    world = World()
    for username, _, _ in USERS:
        world.users[username] = 0
    return world


def test_supervision_page_draws_its_charts_and_filters(
    start_server: Callable[..., LiveServer], new_page: Callable[[], Page]
) -> None:
    server = start_server(WORKFLOWS, demo_world)
    page = new_page()
    login(page, server, "wangjianguo", DEMO_PASSWORD)
    page.get_by_role("link", name="督导", exact=True).click()
    expect(page.get_by_role("heading", name="督导", exact=True)).to_be_visible()

    for chart in ("chart-status", "chart-due", "chart-steps"):
        canvas = page.get_by_test_id(chart)
        expect(canvas).to_have_attribute("data-drawn", "true")
        assert canvas.evaluate(PAINTED) > 500, f"{chart} is blank"
    assert page.js_errors == []  # type: ignore[attr-defined]

    table = page.get_by_test_id("supervision-table")
    total = int(page.locator('[data-count="total"]').inner_text())
    late = int(page.locator('[data-count="late"]').inner_text())
    expect(table.locator("tbody tr")).to_have_count(total)
    assert 0 < late < total
    term_ends = table.locator("tbody tr td:nth-child(4)").all_inner_texts()
    assert term_ends and all(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日|—", d) for d in term_ends), term_ends
    screenshot(page, "supervision-overview")

    # Filter to the late organizations: exactly the counted ones remain, each marked.
    page.get_by_label("状态", exact=True).select_option(label="超期/滞后")
    page.get_by_role("button", name="筛选").click()
    expect(table.locator("tbody tr")).to_have_count(late)
    expect(table.locator("tbody tr.overdue-row")).to_have_count(late)
    # Sort by days overdue, longest first, keeping the filter.
    table.locator('[data-sort="overdue"]').click()
    table.locator('[data-sort="overdue"]').click()
    expect(page.get_by_label("状态", exact=True)).to_have_value("late")
    days = [int(t) for t in table.locator("tbody tr td:nth-child(7)").all_inner_texts()]
    assert len(days) == late and days == sorted(days, reverse=True)

    # Narrow to one school's sub-tree: only its organizations, and the charts follow.
    page.get_by_label("状态", exact=True).select_option("")
    page.get_by_label("范围", exact=True).select_option(label="　中共郑州市第二十四中学委员会")
    page.get_by_role("button", name="筛选").click()
    names = table.locator("tbody tr td:first-child").all_inner_texts()
    assert names and all("第二十四中学" in n for n in names)
    expect(page.get_by_test_id("chart-status")).to_have_attribute("data-drawn", "true")
    screenshot(page, "supervision-filtered")


def test_branch_secretary_gets_no_link_and_a_refusal(
    start_server: Callable[..., LiveServer], new_page: Callable[[], Page]
) -> None:
    server = start_server(WORKFLOWS, demo_world)
    page = new_page()
    login(page, server, "zhangming", DEMO_PASSWORD)
    expect(page.get_by_role("link", name="督导", exact=True)).to_have_count(0)
    response = page.goto(f"{server.url}/supervision/")
    assert response is not None and response.status == 403
    expect(page.get_by_test_id("error-title")).to_have_text("无权访问")
