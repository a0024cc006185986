"""The approval verbs on the request page, used the way people use them: each form is found on the page its
user sees, posted with the page's CSRF token, and its refusals come back beside the field that caused them,
changing nothing. Outsiders' 403/404 for every verb are in ``test_authorization.py``."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from flowengine.service import Services
from tests.support import PASSWORD, Clock, World, build_world
from tests.support.paths import ROOT
from tests.support.web import Browser, snapshot

VERBS = ROOT / "tests" / "fixtures" / "verbs"


@pytest.fixture
def services(make_services: Callable[..., Services]) -> Services:
    return make_services(VERBS)


@pytest.fixture
def world(services: Services, clock: Clock) -> World:
    world = build_world(services, clock())
    for username, name, roles in (
        ("jijian", "纪检员", [("discipline", "gw")]),
        ("handler2", "王芳", [("handler", "gw")]),
    ):
        world.users[username] = services.directory.add_user(username, name, PASSWORD, roles, now=clock())
    return world


def _submitted(services: Services, world: World) -> int:
    iid = services.flow.start("joint_review", world.orgs["b1"], world.users["sec1"]).id
    services.flow.act(iid, "submit", world.users["sec1"], {"subject": "测试事由"}, expected_version=1)
    return iid


def _page(b: Browser, iid: int) -> str:
    response = b.get(f"/requests/{iid}")
    assert response.status_code == 200
    return str(response.get_data(as_text=True))


def test_signers_sign_on_the_page_and_a_dissent_needs_its_reason(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    iid = _submitted(services, world)
    handler = browser("handler")
    html = _page(handler, iid)
    assert "会签：纪检和领导意见" in html and "同意 0 / 需 2（共 2 人）" in html
    # Signers by role: any holder of the role at the superior may sign, so the page names the role.
    assert "待签：中共郑州市委教育工作委员会纪检干部、中共郑州市委教育工作委员会分管领导" in html
    assert 'data-testid="sign-form"' not in html  # the handler is not a signer

    jijian = browser("jijian")
    assert 'data-testid="sign-form"' in _page(jijian, iid)
    before = snapshot(services)
    bad = jijian.post(f"/requests/{iid}/sign", {"decision": "approve", "view": "不知道"})
    assert bad.status_code == 422
    assert "is-invalid" in bad.get_data(as_text=True)
    assert snapshot(services) == before

    no_reason = jijian.post(f"/requests/{iid}/sign", {"decision": "return", "view": "有意见"})
    assert no_reason.status_code == 422 and snapshot(services) == before
    assert (
        jijian.post(
            f"/requests/{iid}/sign", {"decision": "return", "view": "有意见", "comment": "需补充考察材料"}
        )
        .headers["Location"]
        .endswith(f"/requests/{iid}")
    )
    leader = browser("leader")
    _page(leader, iid)
    assert leader.post(f"/requests/{iid}/sign", {"decision": "approve", "view": "无意见"}).status_code == 302

    html = _page(handler, iid)
    assert "同意 1 / 需 2（共 2 人）" in html
    assert "需补充考察材料" in html and "不同意" in html  # the dissent is on the record, with its reason
    assert 'data-testid="sign-form"' not in _page(jijian, iid)  # signed once, the form is gone
    again = jijian.post(f"/requests/{iid}/sign", {"decision": "approve", "view": "无意见"})
    assert again.status_code == 403


def test_the_handler_transfers_the_step_to_a_colleague(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    iid = _submitted(services, world)
    handler = browser("handler")
    html = _page(handler, iid)
    assert 'data-testid="transfer-form"' in html and '<option value="handler2"' in html
    before = snapshot(services)
    missing = handler.post(f"/requests/{iid}/transfer", {"to": "handler2", "reason": ""})
    assert missing.status_code == 422 and "转办理由" in missing.get_data(as_text=True)
    assert snapshot(services) == before
    done = handler.post(f"/requests/{iid}/transfer", {"to": "handler2", "reason": "出差，请王芳同志办理"})
    assert done.status_code == 302

    assert 'data-testid="transfer-form"' not in _page(handler, iid)  # no longer theirs
    inbox = browser("handler2").get("/").get_data(as_text=True)
    assert f"/requests/{iid}" in inbox
    trail = services.flow.trail(iid, world.users["handler"])
    assert any(e.kind == "transfer" for e in trail)


def test_the_handler_asks_an_opinion_and_the_step_waits_for_it(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    iid = _submitted(services, world)
    for user in ("jijian", "leader"):
        services.verbs.sign(iid, "approve", world.users[user], {"view": "无意见"})
    handler = browser("handler")
    _page(handler, iid)
    assert (
        handler.post(
            f"/requests/{iid}/add-signer", {"to": "handler2", "mode": "before", "reason": "请核实人选"}
        ).status_code
        == 302
    )
    html = _page(handler, iid)
    assert "待提出意见：王芳" in html

    colleague = browser("handler2")
    page = _page(colleague, iid)
    assert 'data-testid="opinion-form"' in page and 'data-testid="sign-form"' not in page
    empty = colleague.post(f"/requests/{iid}/opinion", {"comment": " "})
    assert empty.status_code == 422
    assert colleague.post(f"/requests/{iid}/opinion", {"comment": "人选情况属实。"}).status_code == 302
    assert "人选情况属实。" in _page(handler, iid)


def test_the_secretary_copies_urges_and_takes_back(
    browser: Callable[[str | None], Browser], services: Services, world: World, clock: Clock
) -> None:
    iid = services.flow.start("joint_review", world.orgs["b1"], world.users["sec1"]).id
    services.flow.act(iid, "submit", world.users["sec1"], {"subject": "测试事由"}, expected_version=1)
    sec1 = browser("sec1")
    html = _page(sec1, iid)
    assert 'data-testid="take-back"' in html and 'data-testid="copy-form"' in html

    # 抄送: the copied person finds it under 抄送我, reads it, and marks it read.
    assert sec1.post(f"/requests/{iid}/copy", {"to": "auditor", "comment": "请阅知"}).status_code == 302
    colleague = browser("auditor")
    copies = colleague.get("/copies").get_data(as_text=True)
    assert f"/requests/{iid}" in copies and "未阅" in copies
    page = _page(colleague, iid)
    assert 'data-testid="mark-read"' in page and f'/requests/{iid}/actions/approve"' not in page
    assert colleague.post(f"/requests/{iid}/read", {}).status_code == 302
    assert "已阅" in colleague.get("/copies").get_data(as_text=True)

    # 催办: once per working day; the second is refused with the day it becomes possible.
    _page(sec1, iid)
    assert sec1.post(f"/requests/{iid}/urge", {"comment": "请尽快审核"}).status_code == 302
    html = _page(sec1, iid)
    assert 'data-testid="urge-refusal"' in html
    before = snapshot(services)
    again = sec1.post(f"/requests/{iid}/urge", {})
    assert again.status_code == 409 and snapshot(services) == before

    # 拿回: nobody after her has acted yet, so she takes the submission back to her own step.
    assert sec1.post(f"/requests/{iid}/take-back", {}).status_code == 302
    assert services.flow.get(iid, world.users["sec1"]).state == "drafting"
    assert 'data-testid="take-back"' not in _page(sec1, iid)


def test_a_delegation_is_set_listed_used_and_revoked_on_the_account_page(
    browser: Callable[[str | None], Browser], services: Services, world: World, clock: Clock
) -> None:
    handler = browser("handler")
    page = handler.get("/account/delegations/")
    assert page.status_code == 200 and '<option value="leader"' in page.get_data(as_text=True)
    before = snapshot(services)
    backwards = handler.post(
        "/account/delegations/", {"delegate": "leader", "starts_on": "2026-09-25", "ends_on": "2026-09-22"}
    )
    assert backwards.status_code == 422 and snapshot(services) == before
    assert "结束日期" in backwards.get_data(as_text=True)
    assert (
        handler.post(
            "/account/delegations/",
            {"delegate": "leader", "starts_on": "2026-09-21", "ends_on": "2026-09-30", "reason": "出差"},
        ).status_code
        == 302
    )
    listed = handler.get("/account/delegations/").get_data(as_text=True)
    assert "赵志刚" in listed and "出差" in listed

    iid = _submitted(services, world)
    for user in ("jijian", "leader"):
        services.verbs.sign(iid, "approve", world.users[user], {"view": "无意见"})
    colleague = browser("leader")
    assert "委托给我" in colleague.get("/").get_data(as_text=True)
    assert f'/requests/{iid}/actions/approve"' in _page(colleague, iid)

    [d] = services.delegations.list_for(world.users["handler"])
    handler.get("/account/delegations/")
    assert handler.post(f"/account/delegations/{d.id}/revoke", {}).status_code == 302
    assert f'/requests/{iid}/actions/approve"' not in _page(colleague, iid)
    other = browser("handler2")
    other.get("/account/delegations/")  # a page of their own, for the form's CSRF token
    assert other.post(f"/account/delegations/{d.id}/revoke", {}).status_code == 404  # not theirs
