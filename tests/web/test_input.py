"""Issue 16, bad input: text that is not text, numbers that name nothing and odd query strings are answered
4xx with a message naming where, never 500, and change nothing — one test per finding, then a
property-based test (Hypothesis) over every field type of a step form and every page of the web UI."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowengine.service import Services
from flowengine.web import create_app
from tests.support import Clock, World, build_world
from tests.support.web import GOOD_FORM, Browser, snapshot, submitted

ALL_FIELDS = Path(__file__).parent / "workflows"


def test_a_nul_in_a_text_field_that_goes_into_a_document_is_refused(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    iid = services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"]).id
    b = browser("sec1")
    b.get(f"/requests/{iid}")
    before = snapshot(services)
    for bad in ("参加培训\x00", "参加\x07培训", "\x1b[31m红字", "退格\x08", "\x85下一行"):
        response = b.post(f"/requests/{iid}/actions/submit", {**GOOD_FORM, "version": "1", "reason": bad})
        html = response.get_data(as_text=True)
        assert response.status_code == 422, repr(bad)
        assert "表单字段“reason”有误" in html and "控制字符" in html, repr(bad)
    assert snapshot(services) == before
    fine = b.post(
        f"/requests/{iid}/actions/submit", {**GOOD_FORM, "version": "1", "reason": "第一行\r\n\t第二行"}
    )
    assert fine.status_code == 302  # tab and newlines are text


def test_a_control_character_in_a_comment_on_start_is_refused(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    b = browser("sec1")
    b.get("/requests/new/leave_request")
    before = snapshot(services)
    response = b.post("/requests/new/leave_request", {"org_id": str(world.orgs["b1"]), "comment": "说明\x00"})
    assert response.status_code == 422 and "表单字段“comment”有误" in response.get_data(as_text=True)
    assert snapshot(services) == before


def test_invalid_utf8_and_surrogates_in_forms_and_query_strings_are_no_error(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    b = browser("auditor")
    assert b.get("/audit/?actor=%ED%A0%80").status_code == 200  # decoded as U+FFFD, which is text
    assert b.get("/audit/?actor=%00").status_code == 422
    sec = browser("sec1")
    sec.get("/requests/new/leave_request")
    before = snapshot(services)
    raw = f"org_id={world.orgs['b1']}&comment=%ED%A0%80%FF&csrf_token={sec.token}"
    answer = sec.client.post(
        "/requests/new/leave_request", data=raw, content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code in (302, 422)
    if answer.status_code == 422:
        assert snapshot(services) == before


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/requests/99999999999999999999", 404),
        ("/requests/2147483648", 404),
        ("/requests/2147483647", 404),
        ("/requests/1/documents/99999999999999999999", 404),
        ("/admin/users/99999999999999999999", 404),
        ("/notifications/?page=99999999999999999999", 400),
        ("/?page=99999999999999999999", 400),
        ("/?page=%C2%B2", 400),  # "²" is a digit to str.isdigit, not to int()
        ("/?page=0", 400),
        ("/done?page=-1", 400),
        ("/?org=99999999999999999999", 200),
        ("/?org=%C2%B2", 200),
        ("/?workflow=%01", 422),
        ("/admin/definitions/leave%00request/1", 404),
    ],
)
def test_numbers_and_characters_that_name_nothing(
    browser: Callable[[str | None], Browser], url: str, status: int
) -> None:
    answer = browser("admin").get(url)
    assert answer.status_code == status, answer.get_data(as_text=True)[:500]
    if status in (400, 422):
        assert "有误" in answer.get_data(as_text=True) or "页码" in answer.get_data(as_text=True)


def test_numbers_too_large_for_the_database_in_forms(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    b = browser("sec1")
    b.get("/requests/new/leave_request")
    before = snapshot(services)
    for org in ("99999999999999999999", "2147483648", "-1"):
        answer = b.post("/requests/new/leave_request", {"org_id": org})
        assert 400 <= answer.status_code < 500, org
    iid = submitted(services, world)
    handler = browser("handler")
    handler.get(f"/requests/{iid}")
    answer = handler.post(f"/requests/{iid}/actions/approve", {"version": "99999999999999999999"})
    assert 400 <= answer.status_code < 500
    n = browser("sec1")
    n.get("/notifications/")
    assert n.post("/notifications/1/read", {"open": "99999999999999999999"}).status_code < 500
    assert snapshot(services)["instances"][:-1] == before["instances"]


# ---- property-based: every field type, every page ------------------------------------------------------

#: What people (and scripts) type: any character but a lone surrogate (a form cannot carry one), plus the
#: values known to have hurt before.
TEXT = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.sampled_from(
        [
            "\x00",
            "a\x1bb",
            "99999999999999999999",
            "-99999999999999999999",
            "2147483648",
            "1e309",
            "NaN",
            "inf",
            "²",
            "١٢",
            "2026-02-30",
            "9999-12",
            "0000-00-00",
            "\u202e",
            "\ufffe",
            "\n/evil",
            "../../etc/passwd",
            "' OR 1=1 --",
            "<script>",
            "%00",
            "",
            " ",
        ]
    ),
)

SUBMIT = {
    "version": "1",
    "title": "换届请示",
    "body": "第一行\n第二行",
    "seats": "5",
    "ratio": "0.2",
    "secret_ballot": "true",
    "meeting_day": "2026-11-05",
    "meeting_month": "2026-11",
    "method": "direct",
    "duties": "org",
    "candidates-0-name": "张三",
    "candidates-0-birth": "1980-05",
    "candidates-0-full_member": "true",
    "candidates-0-post": "secretary",
    "candidates-1-name": "李四",
}
#: One input of each field type of the language (tests/web/workflows/all_fields.yaml), and the comment.
FIELD_TYPES = {
    "string": "title",
    "text": "body",
    "integer": "seats",
    "number": "ratio",
    "boolean": "secret_ballot",
    "date": "meeting_day",
    "month": "meeting_month",
    "choice": "method",
    "multichoice": "duties",
    "list row string": "candidates-1-name",
    "list row month": "candidates-0-birth",
    "list row boolean": "candidates-0-full_member",
    "list row choice": "candidates-0-post",
    "comment": "comment",
    "version": "version",
}


@pytest.fixture
def all_fields(
    make_services: Callable[..., Services], clock: Clock
) -> Iterator[tuple[Browser, Services, int]]:
    """A signed-in secretary on the step form of one all_fields request."""
    services = make_services(ALL_FIELDS)
    world = build_world(services, clock())
    b = Browser(create_app(services, config={"SECRET_KEY": "t"}).test_client())
    assert b.login("sec1").status_code == 302
    iid = services.flow.start("all_fields", world.orgs["b1"], world.users["sec1"], {"members": 12}).id
    b.get(f"/requests/{iid}")
    yield b, services, iid


PROPERTY = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)


@PROPERTY
@given(field=st.sampled_from(sorted(FIELD_TYPES)), value=TEXT)
def test_any_value_in_any_field_type_is_refused_with_a_message_never_500(
    all_fields: tuple[Browser, Services, int], field: str, value: str
) -> None:
    """Each form also misses one other required field, so none is accepted: every answer must be a 4xx
    that names what is wrong, and the database must not change."""
    b, services, iid = all_fields
    before = snapshot(services)
    missing = "meeting_day" if FIELD_TYPES[field] != "meeting_day" else "title"
    form = {k: v for k, v in {**SUBMIT, FIELD_TYPES[field]: value}.items() if k != missing}
    answer = b.post(f"/requests/{iid}/actions/submit", form)
    assert answer.status_code in (400, 409, 422), (field, value, answer.status_code)
    assert snapshot(services) == before, (field, value)
    html = answer.get_data(as_text=True)
    assert re.search(r"请|应|不能|有误|超出|无效|版本", html), (field, value)


def _get_routes(app: Flask) -> list[tuple[str, list[str]]]:
    """Every page of the web UI a browser may GET (the JSON API has schemathesis), with its arguments."""
    out = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint == "static" or rule.rule.startswith("/api"):
            continue
        out.append((rule.endpoint, sorted(rule.arguments)))
    return sorted(out)


NUMBERS = st.one_of(
    st.integers(min_value=1, max_value=2**31 - 1), st.integers(min_value=2**31, max_value=10**30)
)
QUERY = st.dictionaries(
    st.sampled_from(["page", "org", "workflow", "state", "status", "q", "next", "all", "from", "to", "sort"]),
    TEXT,
    max_size=3,
)


@PROPERTY
@given(data=st.data())
def test_every_page_answers_any_path_and_query_without_a_server_error(
    app: Flask, services: Services, world: World, data: Any
) -> None:
    from flask import url_for

    routes = _get_routes(app)
    endpoint, arguments = data.draw(st.sampled_from(routes))
    values = {a: data.draw(NUMBERS if a.endswith("_id") or a in ("version",) else TEXT) for a in arguments}
    query = data.draw(QUERY)
    user = data.draw(st.sampled_from(["sec1", "handler", "auditor", "admin"]))
    with app.test_request_context():
        try:
            url = url_for(endpoint, **values)
        except Exception:  # a value its converter cannot even build a URL from: try the raw text
            return
    b = Browser(app.test_client())
    assert b.login(user).status_code == 302
    before = snapshot(services)
    answer = b.client.get(url, query_string=query)
    assert answer.status_code < 500, (endpoint, values, query, answer.status_code)
    assert snapshot(services) == before
