"""Forms generated from definitions: every field type renders and round-trips; a refused form comes back
with each message beside its field and everything the person typed still there; stale pages say so."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from flowengine.service import Services
from flowengine.web import create_app
from tests.support import Clock, World, build_world
from tests.support.web import GOOD_FORM, Browser, snapshot, submitted

ALL_FIELDS = Path(__file__).parent / "workflows"


def error_beside(html: str, name: str) -> str:
    found = re.search(rf'data-error-for="{re.escape(name)}">([^<]*)<', html)
    assert found, f"no error shown beside {name}"
    return found.group(1)


def value_of(html: str, name: str) -> str:
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert found, f"no input {name}"
    return found.group(1)


def test_bad_fields_rerender_with_messages_beside_them_and_input_kept(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    iid = services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"]).id
    b = browser("sec1")
    b.get(f"/requests/{iid}")
    before = snapshot(services)
    response = b.post(
        f"/requests/{iid}/actions/submit",
        {
            "version": "1",
            "reason": "",
            "first_day": "2026-09-23",
            "last_day": "",
            "days": "两天",
            "substitutes-0-name": "",
            "substitutes-0-phone": "123",
            "substitutes-3-name": "王芳",
            "substitutes-5-name": "",
            "substitutes-5-phone": "",
            "comment": "请审核",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_beside(html, "reason") == "请填写“事由”"
    assert error_beside(html, "last_day") == "请填写“结束日期”"
    assert error_beside(html, "days") == "请输入整数"
    assert error_beside(html, "substitutes-0-name") == "请填写“姓名”"
    assert error_beside(html, "substitutes-0-phone") == "格式不正确"
    assert value_of(html, "days") == "两天"
    assert value_of(html, "first_day") == "2026-09-23"
    assert value_of(html, "substitutes-0-phone") == "123"
    assert value_of(html, "substitutes-1-name") == "王芳"  # rows renumbered; the empty row was dropped
    assert 'name="substitutes-2-name"' not in html
    assert ">请审核</textarea>" in html
    assert snapshot(services) == before


def test_check_failure_is_shown_beside_the_field_it_names(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    iid = services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"]).id
    b = browser("sec1")
    b.get(f"/requests/{iid}")
    response = b.post(
        f"/requests/{iid}/actions/submit", {"version": "1", **GOOD_FORM, "last_day": "2026-09-22"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_beside(html, "last_day") == "结束日期应晚于开始日期"
    assert value_of(html, "last_day") == "2026-09-22"


def test_return_requires_a_comment_beside_the_comment_box(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    iid = submitted(services, world)
    b = browser("handler")
    b.get(f"/requests/{iid}")
    before = snapshot(services)
    response = b.post(f"/requests/{iid}/actions/return_to_applicant", {"version": "2", "comment": "  "})
    assert response.status_code == 422
    assert error_beside(response.get_data(as_text=True), "comment").startswith("请填写意见")
    assert snapshot(services) == before


def test_stale_page_says_so_and_shows_the_current_state(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    iid = submitted(services, world)
    handler = browser("handler")
    handler.get(f"/requests/{iid}")  # the handler's page shows version 2
    services.flow.act(iid, "withdraw", world.users["sec1"], expected_version=2)  # the secretary is faster
    before = snapshot(services)
    response = handler.post(f"/requests/{iid}/actions/approve", {"version": "2", "comment": "同意上报"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "已被他人处理" in html and "已撤回" in html
    assert "同意上报" in html  # the comment typed is shown, not lost
    assert 'data-testid="current-state">已撤回' in html
    assert snapshot(services) == before


def test_start_form_prefills_what_the_system_knows(
    make_services: Callable[..., Services], clock: Clock
) -> None:
    services = make_services(ALL_FIELDS)
    world = build_world(services, clock())
    app = create_app(services, config={"SECRET_KEY": "t"})
    b = Browser(app.test_client())
    assert b.login("sec1").status_code == 302
    html = b.get(f"/requests/new/all_fields?org={world.orgs['b1']}").get_data(as_text=True)
    assert value_of(html, "members") == "12"
    assert value_of(html, "term_end") == "2026-10-09"


@pytest.fixture
def all_fields_app(make_services: Callable[..., Services], clock: Clock) -> tuple[Flask, Services, World]:
    services = make_services(ALL_FIELDS)
    world = build_world(services, clock())
    return create_app(services, config={"SECRET_KEY": "t"}), services, world


def test_every_field_type_renders_and_round_trips(all_fields_app: tuple[Flask, Services, World]) -> None:
    app, services, world = all_fields_app
    b = Browser(app.test_client())
    b.login("sec1")
    b.get(f"/requests/new/all_fields?org={world.orgs['b1']}")
    started = b.post(
        "/requests/new/all_fields",
        {"org_id": str(world.orgs["b1"]), "members": "12", "term_end": "2026-10-09"},
    )
    assert started.status_code == 302
    url = started.headers["Location"]
    html = b.get(url).get_data(as_text=True)
    assert '<textarea class="form-control" id="f-body" name="body"' in html
    assert 'type="date"' in html and 'type="month"' in html
    assert '<option value="indirect"' in html
    assert 'type="checkbox" id="f-duties-0" name="duties" value="org"' in html
    assert 'type="radio" id="f-secret_ballot-yes" name="secret_ballot" value="true"' in html
    assert 'name="candidates-1-name"' in html  # min_items rows are offered
    assert 'name="candidates-__index__-name"' in html  # the template row for "add a row"

    bad = b.post(
        url + "/actions/submit",
        {
            "version": "1",
            "title": "关于召开党员大会进行换届选举的请示（超长标题超长标题）",
            "seats": "9",
            "ratio": "abc",
            "meeting_day": "2026-11-05",
            "meeting_month": "2026-13",
            "method": "bogus",
            "duties": ["org", "prop"],
            "candidates-0-name": "张三",
            "candidates-0-birth": "1980-05",
            "candidates-0-full_member": "true",
        },
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert error_beside(html, "title").startswith("不能超过 20 个字")
    assert error_beside(html, "seats") == "不能大于 7"
    assert error_beside(html, "ratio") == "请输入数字"
    assert error_beside(html, "secret_ballot") == "请填写“无记名投票”"
    assert error_beside(html, "meeting_month") == "请输入年月，格式如 2026-03"
    assert error_beside(html, "method").startswith("请从以下选项中选择")
    assert error_beside(html, "candidates").startswith("至少填写 2 行")
    assert re.search(r'name="duties" value="org"\s+checked', html)
    assert re.search(
        r'id="f-candidates-0-full_member-yes" name="candidates-0-full_member" value="true"\s+checked', html
    )
    assert value_of(html, "candidates-0-birth") == "1980-05"

    good = b.post(
        url + "/actions/submit",
        {
            "version": "1",
            "title": "换届请示",
            "body": "第一行\n第二行",
            "seats": "5",
            "ratio": "0.2",
            "secret_ballot": "true",
            "meeting_day": "2026-11-05",
            "meeting_month": "2026-11",
            "method": "direct",
            "duties": ["org", "disc"],
            "candidates-0-name": "张三",
            "candidates-0-birth": "1980-05",
            "candidates-0-full_member": "true",
            "candidates-0-post": "secretary",
            "candidates-1-name": "李四",
            "candidates-1-full_member": "false",
            "candidates-1-post": "member",
        },
    )
    assert good.status_code == 302, good.get_data(as_text=True)
    iid = int(url.rsplit("/", 1)[1])
    data = services.flow.get(iid, world.users["sec1"]).data["submit"]
    assert data["secret_ballot"] is True and data["duties"] == ["org", "disc"] and data["ratio"] == 0.2
    assert data["candidates"] == [
        {"name": "张三", "birth": "1980-05", "full_member": True, "post": "secretary"},
        {"name": "李四", "birth": None, "full_member": False, "post": "member"},
    ]
    page = b.get(url).get_data(as_text=True)
    for shown in (
        "2026年11月5日",
        "2026年11月",
        "党员大会直接选举",
        "组织委员、纪检委员",
        "第一行<br>第二行",
        "书记",
    ):
        assert shown in page, shown


def test_returned_step_shows_who_returned_it_and_why_beside_the_form(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    iid = submitted(services, world)
    services.flow.act(
        iid, "return_to_applicant", world.users["handler"], comment="请补充代班人电话", expected_version=2
    )
    html = browser("sec1").get(f"/requests/{iid}").get_data(as_text=True)
    banner = html.split('data-testid="returned-submit"', 1)[1].split("</div>\n", 2)
    assert "王建国" in banner[0] and "请补充代班人电话" in "".join(banner)
    assert value_of(html, "days") == "3"  # what was submitted before is offered again
