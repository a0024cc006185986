"""The OpenAPI document matches the routes, is served and rendered, and errors keep their one shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from werkzeug.wrappers import Response

from flowengine.web.api.schema import PREFIX, document
from tests.support import World
from tests.support.openapi import ApiClient, ResponseChecker


def _flask_path(rule: str) -> str:
    import re

    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def test_the_document_describes_exactly_the_routes(api_app: Any) -> None:
    routes = {
        (m.lower(), _flask_path(r.rule)[len(PREFIX) :])
        for r in api_app.url_map.iter_rules()
        if r.rule.startswith(PREFIX + "/")
        for m in r.methods - {"HEAD", "OPTIONS"}
    }
    described = {(m, p) for p, item in document()["paths"].items() for m in item}
    assert routes == described
    doc = document()
    assert doc["openapi"].startswith("3.1")
    for schema in doc["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))


def test_the_document_is_served_and_rendered_without_a_token(api: Callable[..., ApiClient]) -> None:
    client = api(None)
    served = client.get("/api/v1/openapi.json")
    assert served.get_json() == document()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    for item in document()["paths"].values():
        for op in item.values():
            assert f'id="{op["operationId"]}"' in html
    assert "<script" not in html  # nothing fetched from anywhere: plain server-rendered HTML


def test_bad_input_gets_json_errors_naming_the_problem(api: Callable[..., ApiClient], world: World) -> None:
    sec = api("sec1")
    for raw in (b"{not json", b"[1, 2]", b"", '"文本"'.encode()):
        bad = sec.post("/api/v1/instances", data=raw, headers={"Content-Type": "application/json"})
        assert (bad.status_code, bad.get_json()["code"]) == (400, "bad_request"), raw
        assert bad.get_json()["errors"] == {}
    missing = sec.post("/api/v1/instances", json={"workflow": "branch_election", "org_id": "b1", "colour": 1})
    assert missing.status_code == 422
    assert missing.get_json()["code"] == "validation_failed"
    assert set(missing.get_json()["errors"]) == {"org_id", "colour"}

    started = sec.post("/api/v1/instances", json={"workflow": "branch_election", "org_id": world.orgs["b1"]})
    iid = started.get_json()["id"]
    url = f"/api/v1/instances/{iid}/actions/record_study"
    no_version = sec.post(url, json={"data": {}})
    assert no_version.status_code == 422 and no_version.get_json()["errors"] == {"version": "必须提供"}
    form = sec.post(url, json={"version": 1, "data": {"full_members": "十二"}})
    assert form.status_code == 422
    err = form.get_json()
    assert err["code"] == "validation_failed" and {"study_date", "full_members", "summary"} <= set(
        err["errors"]
    )
    assert sec.get(f"/api/v1/instances/{iid}").get_json()["version"] == 1  # nothing changed
    unknown = sec.post(f"/api/v1/instances/{iid}/actions/launch_rockets", json={"version": 1})
    assert (unknown.status_code, unknown.get_json()["code"]) == (404, "not_found")
    again = sec.post("/api/v1/instances", json={"workflow": "branch_election", "org_id": world.orgs["b1"]})
    assert (again.status_code, again.get_json()["code"]) == (409, "invalid_action")
    assert sec.get("/api/v1/procedures/no_such_thing").status_code == 404
    assert sec.get("/api/v1/tasks", query={"page": "0"}).get_json()["errors"] == {
        "page": "应为 1–2147483647 之间的整数"
    }
    assert sec.get("/api/v1/tasks", query={"order": "random"}).status_code == 422
    assert sec.get(f"/api/v1/instances/{2**40}").status_code == 404
    auditor = api("auditor")
    backwards = auditor.get("/api/v1/instances", query={"date_from": "2026-10-02", "date_to": "2026-10-01"})
    assert backwards.status_code == 422 and set(backwards.get_json()["errors"]) == {"date_to"}
    assert auditor.get("/api/v1/instances", query={"date_from": "2026-13-01"}).get_json()["errors"] == {
        "date_from": "应为日期，如 2026-09-21"
    }
    assert auditor.get("/api/v1/instances", query={"status": "done"}).status_code == 422


def test_unknown_paths_and_methods_under_the_api_are_json(
    api_app: Any, api: Callable[..., ApiClient]
) -> None:
    client = api_app.test_client()
    missing = client.get("/api/v1/nothing-here")
    assert (missing.status_code, missing.mimetype, missing.get_json()["code"]) == (
        404,
        "application/json",
        "not_found",
    )
    wrong = client.delete("/api/v1/procedures")
    assert (wrong.status_code, wrong.get_json()["code"]) == (405, "method_not_allowed")
    assert "GET" in wrong.headers["Allow"]
    # The web UI keeps its own error page.
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_the_response_checker_refuses_what_the_document_does_not_describe() -> None:
    """The checker every API test goes through is not vacuous: wrong status, type or shape all fail it."""
    checker = ResponseChecker()
    good = Response(
        '{"code": "not_found", "message": "无", "errors": {}}', status=404, mimetype="application/json"
    )
    checker.check("GET", "/api/v1/instances/7", good)
    for bad, path in [
        (
            Response('{"code": "x", "message": "y", "errors": {}}', status=418, mimetype="application/json"),
            "/api/v1/instances/7",
        ),  # an undocumented status
        (Response("<p>oops</p>", status=404, mimetype="text/html"), "/api/v1/instances/7"),  # not JSON
        (
            Response('{"code": "x", "errors": {}}', status=404, mimetype="application/json"),
            "/api/v1/instances/7",
        ),  # no message
        (
            Response('{"items": [{"id": "seven"}]}', status=200, mimetype="application/json"),
            "/api/v1/instances/7/trail",
        ),  # wrong shape inside a $ref
    ]:
        with pytest.raises(AssertionError):
            checker.check("GET", path, bad)
    with pytest.raises(AssertionError):
        checker.check("GET", "/api/v1/undocumented", good)
