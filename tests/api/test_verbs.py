"""The approval verbs in the JSON API, with real tokens, every answer checked against the OpenAPI document:
each verb by whom it concerns, bad bodies refused with the field named (changing nothing), and outsiders
answered 404 (may not see) or 403 (may see, may not do)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from flowengine.service import Services
from tests.support import PASSWORD, Clock, World, build_world
from tests.support.openapi import ApiClient
from tests.support.paths import ROOT
from tests.support.web import snapshot

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


def _submitted(api: Callable[..., ApiClient], world: World) -> int:
    sec = api("sec1")
    iid: int = sec.post(
        "/api/v1/instances", json={"workflow": "joint_review", "org_id": world.orgs["b1"]}
    ).get_json()["id"]
    done = sec.post(
        f"/api/v1/instances/{iid}/actions/submit", json={"version": 1, "data": {"subject": "测试事由"}}
    )
    assert done.status_code == 200, done.get_json()
    return iid


def _json(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_signers_sign_through_the_api_and_the_panel_counts_them(
    api: Callable[..., ApiClient], world: World, services: Services
) -> None:
    iid = _submitted(api, world)
    jijian, leader, handler = api("jijian"), api("leader"), api("handler")
    panel = _json(jijian.get(f"/api/v1/instances/{iid}/verbs"))
    assert panel["may_sign"] and [f["name"] for f in panel["sign_form"]] == ["view"]
    assert (panel["approvals"], panel["needed"], panel["signers"]) == (0, 2, 2)

    before = snapshot(services)
    bad = jijian.post(f"/api/v1/instances/{iid}/sign", json={"decision": "maybe", "data": {"view": "无意见"}})
    assert _json(bad, 422)["errors"].keys() == {"decision"}
    wrong = jijian.post(
        f"/api/v1/instances/{iid}/sign", json={"decision": "approve", "data": {"view": "也许"}}
    )
    assert "view" in _json(wrong, 422)["errors"]
    assert _json(handler.post(f"/api/v1/instances/{iid}/sign", json={"decision": "approve"}), 403)[
        "code"
    ] == ("forbidden")
    assert snapshot(services) == before

    _json(
        jijian.post(f"/api/v1/instances/{iid}/sign", json={"decision": "approve", "data": {"view": "无意见"}})
    )
    _json(
        leader.post(
            f"/api/v1/instances/{iid}/sign",
            json={"decision": "return", "data": {"view": "有意见"}, "comment": "建议补充材料"},
        )
    )
    panel = _json(handler.get(f"/api/v1/instances/{iid}/verbs"))
    assert (panel["approvals"], panel["needed"]) == (1, 2)
    assert [(s["name"], s["decision"]) for s in panel["signatures"]] == [
        ("纪检员", "approve"),
        ("赵志刚", "return"),
    ]
    assert panel["may_transfer"] and not panel["may_sign"]


def test_transfer_add_signer_and_opinion(
    api: Callable[..., ApiClient], world: World, services: Services
) -> None:
    iid = _submitted(api, world)
    handler = api("handler")
    before = snapshot(services)
    assert set(
        _json(handler.post(f"/api/v1/instances/{iid}/transfer", json={"to": "handler2"}), 422)["errors"]
    ) == {"reason"}
    nobody = handler.post(f"/api/v1/instances/{iid}/transfer", json={"to": "nobody", "reason": "请办理"})
    assert "to" in _json(nobody, 422)["errors"]
    assert snapshot(services) == before

    asked = handler.post(
        f"/api/v1/instances/{iid}/add-signer", json={"to": "jijian", "mode": "before", "reason": "请把关"}
    )
    _json(asked)
    _json(api("jijian").post(f"/api/v1/instances/{iid}/opinion", json={"comment": "无不同意见。"}))
    opinions = _json(handler.get(f"/api/v1/instances/{iid}/verbs"))["opinions"]
    assert [(o["name"], o["comment"]) for o in opinions] == [("纪检员", "无不同意见。")]

    moved = _json(
        handler.post(f"/api/v1/instances/{iid}/transfer", json={"to": "handler2", "reason": "出差"})
    )
    assert moved["state"] == "review"
    assert not _json(handler.get(f"/api/v1/instances/{iid}/verbs"))["may_transfer"]
    assert _json(api("handler2").get(f"/api/v1/instances/{iid}/verbs"))["may_transfer"]


def test_copies_reads_urges_and_take_back(api: Callable[..., ApiClient], world: World) -> None:
    iid = _submitted(api, world)
    sec, auditor = api("sec1"), api("auditor")
    bad = sec.post(f"/api/v1/instances/{iid}/copies", json={"to": "auditor"})  # a list, not a string
    assert _json(bad, 422)["code"] == "validation_failed"
    _json(sec.post(f"/api/v1/instances/{iid}/copies", json={"to": ["auditor"], "comment": "请阅知"}))
    copies = _json(auditor.get("/api/v1/copies"))
    assert [(c["instance_id"], c["read_at"]) for c in copies["items"]] == [(iid, None)]
    assert _json(auditor.post(f"/api/v1/instances/{iid}/read")) == {"read": 1}
    assert [c["read_at"] is not None for c in _json(auditor.get("/api/v1/copies"))["items"]] == [True]

    _json(sec.post(f"/api/v1/instances/{iid}/urge", json={"comment": "请尽快"}))
    again = _json(sec.post(f"/api/v1/instances/{iid}/urge"), 409)
    assert "催办" in again["message"]

    back = _json(sec.post(f"/api/v1/instances/{iid}/take-back"))
    assert back["state"] == "drafting"
    assert _json(sec.post(f"/api/v1/instances/{iid}/take-back"), 409)["code"] == "invalid_action"


def test_delegations_are_created_listed_and_revoked(api: Callable[..., ApiClient], world: World) -> None:
    handler = api("handler")
    backwards = handler.post(
        "/api/v1/delegations", json={"delegate": "leader", "starts_on": "2026-09-30", "ends_on": "2026-09-21"}
    )
    assert "ends_on" in _json(backwards, 422)["errors"]
    made = _json(
        handler.post(
            "/api/v1/delegations",
            json={"delegate": "leader", "starts_on": "2026-09-21", "ends_on": "2026-09-30", "reason": "出差"},
        ),
        201,
    )
    assert (made["delegate"], made["active"], made["mine"]) == ("赵志刚", True, True)
    [theirs] = _json(api("leader").get("/api/v1/delegations"))["items"]
    assert (theirs["delegator"], theirs["mine"]) == ("王建国", False)
    assert _json(api("leader").post(f"/api/v1/delegations/{made['id']}/revoke"), 404)["code"] == "not_found"
    left = _json(handler.post(f"/api/v1/delegations/{made['id']}/revoke"))["items"]
    assert [d["active"] for d in left] == [False]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("verbs", None),
        ("sign", {"decision": "approve"}),
        ("transfer", {"to": "handler2", "reason": "x"}),
        ("add-signer", {"to": "handler2", "mode": "before", "reason": "x"}),
        ("opinion", {"comment": "x"}),
        ("copies", {"to": ["handler2"]}),
        ("read", None),
        ("urge", None),
        ("take-back", None),
    ],
)
def test_someone_who_may_not_see_the_request_gets_404_and_nothing_changes(
    api: Callable[..., ApiClient], world: World, services: Services, path: str, body: dict[str, Any] | None
) -> None:
    iid = _submitted(api, world)
    outsider = api("sec2")  # its token made before the snapshot
    before = snapshot(services)
    url = f"/api/v1/instances/{iid}/{path}"
    answer = outsider.get(url) if body is None and path == "verbs" else outsider.post(url, json=body)
    assert _json(answer, 404)["code"] == "not_found"
    assert snapshot(services) == before
