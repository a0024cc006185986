"""The secretary's and the reviewer's daily experience (issue 15), in a real browser at 1366 and 390 px.

A return reaches the secretary as a notification and as a marked inbox row with its reason; a branch whose
term has ended has a task in its secretary's inbox until a re-election starts; the inbox, the request page and
the candidate form fit a phone; a refused submission puts the cursor on the first field to correct; the
stepper shows the request's own path, on the variant it is on. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from flowengine.chinese import china_date
from flowengine.service import Services
from flowengine.service.identity.directory import parse_org_tree
from tests.support import PASSWORD, World
from tests.support.e2e import LiveServer, login, screenshot
from tests.support.e2e_forms import fill
from tests.support.election import STEPS, TODAY, TREE, USERS

WORKFLOWS = Path(__file__).resolve().parent.parent.parent / "workflows"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
EXPIRED_ON = TODAY - dt.timedelta(days=45)
#: The walkthrough's tree, with the second branch's term ended 45 days ago, and a third branch too small for a
#: committee (5 full members: its 党员大会 elects the secretary directly, the no-committee variant).
DAILY_TREE = [
    *(
        {
            **o,
            "term_start": (EXPIRED_ON - dt.timedelta(days=3 * 365)).isoformat(),
            "term_end": EXPIRED_ON.isoformat(),
        }
        if o["code"] == "b2"
        else o
        for o in TREE
    ),
    {
        "code": "b3",
        "name": "郑州市第二十四中学第三党支部",
        "type": "branch",
        "parent": "school24",
        "approver": "gw",
        "full_members": 5,
        "term_start": (TODAY - dt.timedelta(days=3 * 365 - 90)).isoformat(),
        "term_end": (TODAY + dt.timedelta(days=90)).isoformat(),
    },
]


B1_TERM = next(
    {"current_term_start": o["term_start"], "current_term_end": o["term_end"]}
    for o in TREE
    if o["code"] == "b1"
)


def daily_world(services: Services) -> World:
    now = services.flow.clock()
    services.directory.import_orgs(parse_org_tree(DAILY_TREE), now)
    world = World()
    for spec in DAILY_TREE:
        world.orgs[spec["code"]] = services.directory.org_id(spec["code"])
    for username, name, roles in [*USERS, ("sec3", "陈静", [("secretary", "b3")])]:
        world.users[username] = services.directory.add_user(username, name, PASSWORD, roles, now=now)
    return world


def advance(server: LiveServer, iid: int, steps: list[tuple[str, str, dict, str]], **changes: str) -> None:  # type: ignore[type-arg]
    """Take ``steps`` of the walkthrough through the service (the browser is for what is being tested)."""
    svc, world = server.services, server.world
    for user, action, data, comment in steps:
        version = svc.flow.get(iid, world.users[user]).version
        values = {**data, **{k: v for k, v in changes.items() if k in data}}
        if action == "submit_request1":  # the browser pre-fills the term from the organization
            values = {**B1_TERM, **values}
        svc.flow.act(iid, action, world.users[user], values, comment, expected_version=version)


def started(server: LiveServer, branch: str = "b1", secretary: str = "sec1") -> int:
    return server.services.flow.start(
        "branch_election", server.world.orgs[branch], server.world.users[secretary]
    ).id


def phone(page: Page) -> Page:
    page.set_viewport_size(PHONE)
    return page


def assert_no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.evaluate("() => window.innerWidth")
    assert width <= viewport, f"{page.url}: the page is {width} px wide on a {viewport} px screen"


def test_secretary_is_notified_of_a_return_and_reads_the_reason_from_her_inbox(
    start_server: Callable[..., LiveServer], new_page: Callable[[], Page]
) -> None:
    server = start_server(WORKFLOWS, daily_world)
    iid = started(server)
    advance(server, iid, STEPS[:2])  # the study, and 请示① submitted

    handler = new_page()
    login(handler, server, "handler")
    handler.goto(f"{server.url}/requests/{iid}")
    # What is reviewed comes before the decision: the submitted 请示 and its document, then the forms.
    review = handler.get_by_test_id("review-content")
    expect(review).to_contain_text("听取和审查支部委员会工作报告")
    expect(review.get_by_test_id("review-document")).to_contain_text("请示")
    order = handler.evaluate(
        """() => [document.querySelector('[data-testid=review-content]'),
                   document.querySelector('[data-testid=action-forward_request1]')]
                 .map(e => e.getBoundingClientRect().top)"""
    )
    assert order[0] < order[1]
    # One opinion box per decision: 审核意见 is the forwarding's opinion, with no second comment box.
    forward = handler.get_by_test_id("action-forward_request1")
    expect(forward.locator("textarea")).to_have_count(1)
    expect(handler.get_by_test_id("action-return_request1").locator("textarea")).to_have_count(1)
    reason = "大会议程不完整：请写明“选举产生新一届支部委员会”。"
    form = handler.get_by_test_id("action-return_request1")
    form.get_by_label("意见").fill(reason)
    form.get_by_test_id("submit-return_request1").click()
    expect(handler.get_by_test_id("current-state")).to_have_text("起草换届选举请示（请示①）")

    sec = phone(new_page())
    login(sec, server, "sec1")
    # Her inbox marks the returned step with who returned it and why, and the clock that matters to a draft.
    row = sec.get_by_test_id("inbox-row").filter(has_text="起草换届选举请示")
    expect(row.get_by_test_id("returned-mark")).to_contain_text("已退回")
    expect(row.get_by_test_id("returned-mark")).to_contain_text(reason)
    expect(row.get_by_test_id("term-clock")).to_contain_text("本届任期届满")
    expect(sec.get_by_test_id("unread-badge")).to_have_text("1")
    assert_no_sideways_scroll(sec)
    screenshot(sec, "daily-inbox-returned-390")
    sec.get_by_test_id("notifications-link").click()
    expect(sec.locator("main")).to_contain_text("【已退回】")
    expect(sec.locator("main")).to_contain_text(reason)
    screenshot(sec, "daily-notifications-390")

    # Approval (批复) and completion reach her too; the leader is asked to confirm before 批复.
    leader = new_page()
    login(leader, server, "leader")
    sec_id = server.world.users["sec1"]
    advance(server, iid, [("sec1", "submit_request1", STEPS[1][2], "已修改。"), STEPS[2]])
    leader.goto(f"{server.url}/requests/{iid}")
    approve = leader.get_by_test_id("action-approve_request1")
    approve.locator('[name="reply_number"]').fill("郑教工委〔2026〕21号")
    approve.get_by_test_id("submit-approve_request1").click()
    expect(leader.get_by_test_id("current-state")).to_have_text("推荐提名与考察")
    assert any("批复同意" in m for m in leader.dialogs)  # type: ignore[attr-defined]
    kinds = [n.kind for n in server.services.notifications.list(sec_id).items]
    assert kinds[:2] == ["approved", "returned"]
    for page in (handler, sec, leader):
        assert page.js_errors == []  # type: ignore[attr-defined]


def test_a_branch_whose_term_has_ended_has_the_term_task_until_a_reelection_starts(
    start_server: Callable[..., LiveServer], new_page: Callable[[], Page]
) -> None:
    server = start_server(WORKFLOWS, daily_world)
    sec = new_page()
    login(sec, server, "sec2")
    task = sec.get_by_test_id("term-task")
    expect(task).to_have_count(1)
    expect(task).to_contain_text("郑州市第二十四中学第二党支部")
    days = (china_date(server.services.flow.clock()) - EXPIRED_ON).days  # 45, or 46 once China is a day ahead
    expect(task.get_by_test_id("term-task-text")).to_contain_text(f"已届满 {days} 天：请启动换届")
    screenshot(sec, "daily-term-task-1366")
    phone(sec)
    assert_no_sideways_scroll(sec)
    screenshot(sec, "daily-term-task-390")
    # The start button opens the re-election for that branch; once started, the task is gone.
    sec.set_viewport_size(DESKTOP)
    task.get_by_test_id("term-start-1").click()
    sec.get_by_role("button", name="发起").click()
    expect(sec.get_by_test_id("current-state")).to_have_text("研究换届工作")
    sec.goto(f"{server.url}/")
    expect(sec.get_by_test_id("term-task")).to_have_count(0)
    expect(sec.get_by_test_id("inbox-row")).to_have_count(1)
    # A branch whose term ends within the window has it too, worded as what is coming.
    sec1 = new_page()
    login(sec1, server, "sec1")
    expect(sec1.get_by_test_id("term-task-text")).to_contain_text("本届任期将于")
    assert sec.js_errors == [] and sec1.js_errors == []  # type: ignore[attr-defined]


def test_inbox_request_page_and_candidate_form_fit_a_phone_and_show_due_dates(
    start_server: Callable[..., LiveServer], new_page: Callable[[], Page]
) -> None:
    server = start_server(WORKFLOWS, daily_world)
    iid = started(server)
    advance(server, iid, STEPS[:2])  # 请示① waits for the handler's review, which has a deadline

    handler = phone(new_page())
    login(handler, server, "handler")
    rows = handler.get_by_test_id("inbox-row")
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_test_id("due")).to_contain_text("剩余")  # the due date is on the card
    expect(rows.first.get_by_test_id("due")).to_be_visible()
    assert_no_sideways_scroll(handler)
    screenshot(handler, "daily-inbox-390")
    handler.set_viewport_size(DESKTOP)
    screenshot(handler, "daily-inbox-1366")
    handler.set_viewport_size(PHONE)
    rows.first.get_by_role("link").first.click()
    expect(handler.get_by_test_id("request-due")).to_be_visible()
    assert_no_sideways_scroll(handler)
    screenshot(handler, "daily-review-390")
    # The decision is reachable from the top of the page.
    handler.get_by_test_id("jump-to-actions").click()
    expect(handler.get_by_test_id("submit-forward_request1")).to_be_in_viewport()

    advance(server, iid, STEPS[2:5])  # through 批复① and the nomination: 请示② (with its candidates) is next
    sec = phone(new_page())
    login(sec, server, "sec1")
    expect(sec.get_by_test_id("inbox-row").get_by_test_id("due")).to_contain_text("本届任期届满")
    assert_no_sideways_scroll(sec)
    sec.get_by_test_id("inbox-row").get_by_role("link").first.click()
    form = sec.get_by_test_id("action-submit_request2")
    expect(form.locator('[data-list="candidates"]')).to_be_visible()
    assert_no_sideways_scroll(sec)
    first_name = form.locator('[name="candidates-0-name"]')
    box = first_name.bounding_box()
    assert box is not None and box["width"] > 250  # stacked: a candidate's field has the phone's width
    screenshot(sec, "daily-candidates-390")
    sec.set_viewport_size(DESKTOP)
    screenshot(sec, "daily-candidates-1366")
    assert handler.js_errors == [] and sec.js_errors == []  # type: ignore[attr-defined]


def test_a_refused_submission_shows_a_summary_and_focuses_the_first_error(
    start_server: Callable[..., LiveServer], new_page: Callable[[], Page]
) -> None:
    server = start_server(WORKFLOWS, daily_world)
    iid = started(server)
    advance(server, iid, STEPS[:1])
    sec = new_page()
    login(sec, server, "sec1")
    sec.goto(f"{server.url}/requests/{iid}")
    form = sec.get_by_test_id("action-submit_request1")
    fill(form, {**STEPS[1][2], "planned_month": "", "committee_size": "五"})
    form.get_by_test_id("submit-submit_request1").click()
    summary = sec.get_by_test_id("error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a")).to_have_count(2)
    expect(summary.locator("a").first).to_contain_text("拟召开党员大会时间")
    expect(form.locator('[name="planned_month"]')).to_be_focused()
    assert sec.url == f"{server.url}/requests/{iid}#action-submit_request1"  # the address is the request's
    screenshot(sec, "daily-error-summary-1366", full_page=False)
    # A link of the summary takes the cursor to its field.
    summary.locator("a").nth(1).click()
    expect(form.locator('[name="committee_size"]')).to_be_focused()
    phone(sec)
    assert_no_sideways_scroll(sec)
    screenshot(sec, "daily-error-summary-390", full_page=False)
    assert sec.js_errors == []  # type: ignore[attr-defined]


def test_the_stepper_shows_the_requests_own_path_and_the_diagram_loads_only_on_demand(
    start_server: Callable[..., LiveServer], new_page: Callable[[], Page]
) -> None:
    server = start_server(WORKFLOWS, daily_world)
    iid = started(server)
    advance(server, iid, STEPS[:4])  # study, 请示①, forwarded, 批复①
    sec = new_page()
    scripts: list[str] = []
    sec.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    login(sec, server, "sec1")
    sec.goto(f"{server.url}/requests/{iid}")
    steps = sec.get_by_test_id("stepper-step")
    expect(steps.nth(0)).to_have_attribute("data-status", "done")
    current = sec.locator("[data-testid=stepper-step][data-status=current]")
    expect(current).to_have_count(1)
    expect(current).to_contain_text("推荐提名与考察")
    expect(sec.locator("[data-testid=stepper-step][data-status=done]")).to_have_count(4)
    # The path ahead is the committee path, to the end; 批复① is issued with its number, 批复③ still to come.
    expect(steps.last).to_contain_text("换届完成")
    expect(sec.get_by_test_id("stepper")).not_to_contain_text("不设委员会")
    expect(sec.get_by_test_id("stepper")).to_contain_text("郑教工委〔2026〕21号")
    expect(sec.get_by_test_id("stepper")).to_contain_text("待出具：关于选举结果的批复")
    assert not any("mermaid" in u for u in scripts)
    screenshot(sec, "daily-stepper-1366", element="stepper")
    sec.get_by_test_id("diagram-toggle").click()
    expect(sec.locator(".diagram-box[data-rendered=true] svg")).to_have_count(1, timeout=30_000)
    assert any("mermaid" in u for u in scripts)

    # A branch without a committee is on the variant: its own drafting step and 党员大会 electing the 书记.
    small = started(server, "b3", "sec3")
    study = {**STEPS[0][2], "full_members": "5", "probationary_members": "0"}
    advance(server, small, [("sec3", "record_study", study, "")])
    sec3 = new_page()
    login(sec3, server, "sec3")
    sec3.goto(f"{server.url}/requests/{small}")
    stepper = sec3.get_by_test_id("stepper")
    expect(stepper.locator("[data-status=current]")).to_contain_text("不设委员会")
    expect(stepper).to_contain_text("召开党员大会选举书记（副书记）")
    expect(stepper).not_to_contain_text("新一届委员会第一次全体会议")
    phone(sec3)
    assert_no_sideways_scroll(sec3)
    screenshot(sec3, "daily-stepper-variant-390")
    assert sec.js_errors == [] and sec3.js_errors == []  # type: ignore[attr-defined]
