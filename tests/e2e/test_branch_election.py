"""The acceptance walkthrough of a whole branch re-election (两请示一报告三批复) in a real browser.

The secretary starts the re-election and submits 请示①; the superior's handler returns it with a comment;
the secretary reads the comment, corrects and resubmits; the handler forwards and the leader approves
(批复①); nomination, 请示② and 批复②; the 党员大会 and the first committee meeting are recorded; the
report goes up and the final 批复③ completes the request with its full timeline. An auditor then finds it
by search and reads the trail, with no action button anywhere. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from flowengine.service import Services
from tests.support import PASSWORD, World
from tests.support.e2e import LiveServer, login, screenshot
from tests.support.e2e_forms import fill
from tests.support.election import BRANCH, SIGN, STEPS, build_election_world

WORKFLOWS = Path(__file__).resolve().parent.parent.parent / "workflows"


def login_auditor(page: Page, server: LiveServer) -> None:
    """An auditor's home is the audit search: signing in lands there, not on an empty inbox."""
    page.goto(f"{server.url}/login")
    page.get_by_label("用户名").fill("auditor")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{server.url}/audit/")
    expect(page.get_by_test_id("audit-search")).to_be_visible()


def _world_with_other_work(services: Services) -> World:
    """The walkthrough's tree, plus another branch's request waiting in the handler's inbox."""
    world = build_election_world(services)
    other = services.flow.start("branch_election", world.orgs["b2"], world.users["sec2"]).id
    for _, action, data, comment in STEPS[:2]:
        version = services.flow.get(other, world.users["sec2"]).version
        data = {
            **data,
            "full_members": "9",
            "probationary_members": "0",
            "current_term_start": "2024-03-05",
            "current_term_end": "2027-03-04",
        }
        if action == "submit_request1":
            data = {k: v for k, v in data.items() if k not in ("full_members", "probationary_members")}
        else:
            data = {k: v for k, v in data.items() if not k.startswith("current_term")}
        services.flow.act(other, action, world.users["sec2"], data, comment, expected_version=version)
    return world


def act(page: Page, action: str, values: dict, comment: str = "") -> None:  # type: ignore[type-arg]
    form = page.get_by_test_id(f"action-{action}")
    fill(form, values)
    box = form.locator('[name="comment"]')
    if comment and box.count():  # a decision whose form has its own opinion field has no second box
        box.fill(comment)
    form.get_by_test_id(f"submit-{action}").click()


def test_branch_reelection_through_the_final_reply(
    start_server: Callable[..., LiveServer], new_page: Callable[[], Page]
) -> None:
    server = start_server(WORKFLOWS, _world_with_other_work)
    steps = {action: (values, comment) for _, action, values, comment in STEPS}
    pages: dict[str, Page] = {}
    for user in ("sec1", "handler", "leader", "discipline"):
        pages[user] = new_page()
        login(pages[user], server, user)
    sec, handler, leader = pages["sec1"], pages["handler"], pages["leader"]

    # Start: the procedure is chosen from those the secretary may start.
    sec.get_by_role("link", name="发起申请", exact=True).first.click()
    sec.get_by_test_id(f"start-branch_election-{server.world.orgs['b1']}").click()
    sec.get_by_role("button", name="发起").click()
    expect(sec.get_by_test_id("current-state")).to_have_text("研究换届工作")
    request_url = sec.url

    # The study is recorded with the member counts the system already knows.
    study = sec.get_by_test_id("action-record_study")
    expect(study.locator('[name="full_members"]')).to_have_value("12")
    expect(study.locator('[name="probationary_members"]')).to_have_value("1")
    act(sec, "record_study", *steps["record_study"])
    expect(sec.get_by_test_id("current-state")).to_have_text("起草换届选举请示（请示①）")

    # 请示①: term dates pre-filled; too few candidates for 5 seats is refused beside the field.
    values, comment = steps["submit_request1"]
    request1 = sec.get_by_test_id("action-submit_request1")
    expect(request1.locator('[name="current_term_end"]')).not_to_have_value("")
    act(sec, "submit_request1", {**values, "candidate_count": "5"}, comment)
    request1 = sec.get_by_test_id("action-submit_request1")
    expect(request1.locator('[data-error-for="candidate_count"]')).to_contain_text("差额")
    expect(request1.locator('[name="agenda"]')).to_have_value(values["agenda"])
    act(sec, "submit_request1", {**values, "agenda": "听取和审查支部委员会工作报告"}, comment)
    expect(sec.get_by_test_id("current-state")).to_have_text("上级审核请示①")
    expect(sec.get_by_test_id("action-withdraw")).to_be_visible()  # before the review acts, 撤回 is offered

    # The handler finds it in the inbox and returns it with a comment.
    handler.goto(f"{server.url}/")
    row = handler.get_by_test_id("inbox-row").filter(has_text=BRANCH)
    expect(row).to_contain_text("上级审核请示①")
    expect(handler.get_by_test_id("inbox-row")).to_have_count(2)
    screenshot(handler, "inbox")
    row.get_by_role("link").first.click()
    act(handler, "return_request1", {}, "大会议程不完整：请写明“选举产生新一届支部委员会”。")
    expect(handler.get_by_test_id("current-state")).to_have_text("起草换届选举请示（请示①）")

    # The secretary sees the comment, corrects the agenda and resubmits.
    sec.goto(request_url)
    expect(sec.get_by_test_id("timeline")).to_contain_text("大会议程不完整")
    expect(sec.get_by_test_id("returned-submit_request1")).to_contain_text(
        "大会议程不完整"
    )  # beside the form
    request1 = sec.get_by_test_id("action-submit_request1")
    expect(request1.locator('[name="committee_size"]')).to_have_value("5")  # kept from the first submission
    act(sec, "submit_request1", {"agenda": values["agenda"]}, "已按要求补充大会议程。")
    expect(sec.get_by_test_id("current-state")).to_have_text("上级审核请示①")

    # From here every step goes to its approver in turn, through the final 批复.
    for user, action, values, comment in STEPS[2:]:
        page = pages[user]
        page.goto(request_url)
        if action == SIGN:  # the 纪检 side's 党风廉政意见 on each candidate, prefilled from 请示②
            form = page.get_by_test_id("sign-form")
            rows = form.locator('[data-list="opinions"] tbody tr[data-row]')
            expect(rows).to_have_count(len(values["opinions"]))
            screenshot(page, "integrity-opinion-form", element="sign-form")
            page.set_viewport_size({"width": 390, "height": 844})
            screenshot(page, "integrity-opinion-form-phone", element="sign-form")
            page.set_viewport_size({"width": 1366, "height": 900})
            fill(form, values)
            form.get_by_label("同意", exact=True).check()
            form.get_by_test_id("submit-sign").click()
            expect(page.get_by_test_id("sign-form")).to_have_count(0)
            screenshot(page, "integrity-opinion-signed")
            continue
        act(page, action, values, comment)
        expect(page.get_by_test_id("notice")).to_have_count(0)
        expect(page.locator(".invalid-feedback")).to_have_count(0)

    expect(leader.get_by_test_id("current-state")).to_have_text("换届完成")
    expect(leader.get_by_test_id("status")).to_have_text("已办结")
    timeline = leader.get_by_test_id("timeline-entry")
    # start, the steps (with the 纪检 opinion), the return and the resubmission of 请示①, the new term the
    # final reply sets (org_update), and 批复③'s copy to the 纪检 side
    expect(timeline).to_have_count(1 + len(STEPS) + 2 + 1 + 1)
    expect(leader.get_by_test_id("timeline")).to_contain_text("更新组织信息")
    for title in (
        "关于召开党员大会进行换届选举的请示",
        "关于同意郑州市第二十四中学第一党支部召开党员大会进行换届选举的批复",
        "关于委员会委员候选人预备人选的请示",
        "关于郑州市第二十四中学第一党支部委员会委员候选人预备人选的批复",
        "关于选举结果的报告",
        "关于郑州市第二十四中学第一党支部换届选举结果的批复",
    ):
        expect(leader.get_by_test_id("documents")).to_contain_text(title)
    # Each document is the stored .docx: downloaded under its Chinese file name, byte for byte as hashed.
    stored = server.services.documents.list_for(
        int(request_url.rsplit("/", 1)[1]), server.world.users["leader"]
    )
    expect(leader.get_by_test_id("document")).to_have_count(len(stored))
    expect(leader.get_by_test_id("documents")).to_contain_text(
        "二十四中一支〔2026〕8号"
    )  # the report's typed number
    report = next(d for d in stored if d.kind == "报告")
    with leader.expect_download() as download_info:
        leader.get_by_test_id("document").filter(has_text=report.number).get_by_test_id(
            "document-download"
        ).click()
    download = download_info.value
    assert download.suggested_filename == report.filename and download.suggested_filename.endswith(".docx")
    assert hashlib.sha256(Path(download.path()).read_bytes()).hexdigest() == report.sha256
    leader.get_by_test_id("diagram-toggle").click()  # the whole procedure is drawn only when asked for
    expect(leader.locator(".diagram-box[data-rendered=true] svg")).to_have_count(1, timeout=30_000)
    sec.goto(request_url)
    expect(sec.get_by_test_id("status")).to_have_text("已办结")
    expect(sec.get_by_test_id("timeline")).to_contain_text("同意丁建华任书记、王丽任副书记")
    screenshot(sec, "request", full_page=False)
    screenshot(sec, "request-timeline", element="timeline")

    # The auditor finds it by search and reads the trail; there is nothing to act on.
    auditor = new_page()
    login_auditor(auditor, server)
    auditor.get_by_label("流程").select_option("branch_election")
    auditor.get_by_label("办理状态").select_option("completed")
    auditor.get_by_label("经办人").fill("赵志刚")
    auditor.get_by_role("button", name="查询").click()
    results = auditor.get_by_test_id("audit-results")
    expect(results.locator("tbody tr")).to_have_count(1)
    expect(results).to_contain_text(BRANCH)
    screenshot(auditor, "audit-search")
    results.get_by_role("link").first.click()
    expect(auditor.get_by_test_id("read-only")).to_contain_text("审计只读视图")
    expect(auditor.get_by_test_id("timeline-entry")).to_have_count(timeline.count())
    expect(auditor.get_by_test_id("timeline")).to_contain_text("大会议程不完整")
    expect(auditor.locator("form[action*='/actions/']")).to_have_count(0)
    expect(auditor.locator("[data-testid^=submit-]")).to_have_count(0)
    auditor.get_by_test_id("diagram-toggle").click()
    expect(auditor.locator(".diagram-box[data-rendered=true] svg")).to_have_count(1, timeout=30_000)
    screenshot(auditor, "audit-request", full_page=False)

    for page in (*pages.values(), auditor):
        assert page.js_errors == []  # type: ignore[attr-defined]
