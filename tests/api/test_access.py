"""Tokens and organizations: who may call the API, and what a caller of another organization sees.

Every endpoint that names an instance or a document answers a caller of another organization exactly as
if it did not exist (404), changes nothing, and leaks nothing through the listings (tasks, search).
Calls without a token, with a malformed, unknown or revoked token, or a disabled owner's, get 401.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import update

from flowengine.persistence.models import User
from flowengine.service import Services
from tests.support import PASSWORD, World
from tests.support.election import STEPS
from tests.support.openapi import ApiClient
from tests.support.web import snapshot


@pytest.fixture
def b1_request(services: Services, world: World) -> dict[str, Any]:
    """A b1 re-election up to 请示① (so it has a document and an open task at the work committee)."""
    inst = services.flow.start("branch_election", world.orgs["b1"], world.users["sec1"])
    for user, action, data, comment in STEPS[:2]:
        prefill = next(
            a.prefill for a in services.flow.available_actions(inst.id, world.users[user]) if a.name == action
        )
        inst = services.flow.act(
            inst.id, action, world.users[user], {**prefill, **data}, comment, expected_version=inst.version
        )
    [doc] = services.documents.list_for(inst.id, world.users["sec1"])
    return {"id": inst.id, "version": inst.version, "document": doc.id, "state": inst.state}


@pytest.fixture
def outsider_auditor(services: Services, world: World) -> str:
    """An auditor whose scope is branch b2 only."""
    world.users["auditor2"] = services.directory.add_user(
        "auditor2", "吴军", PASSWORD, [("auditor", "b2")], now=services.flow.clock()
    )
    return "auditor2"


def test_another_organizations_instance_is_not_found_on_every_endpoint(
    api: Callable[..., ApiClient],
    services: Services,
    world: World,
    b1_request: dict[str, Any],
    outsider_auditor: str,
) -> None:
    iid, version = b1_request["id"], b1_request["version"]
    own, other, auditor2 = api("sec1"), api("sec2"), api(outsider_auditor)
    # The owner sees it all.
    assert own.get(f"/api/v1/instances/{iid}").status_code == 200
    assert own.get(f"/api/v1/instances/{iid}/trail").status_code == 200
    assert own.get(f"/api/v1/instances/{iid}/documents").get_json()["items"]
    assert own.get(f"/api/v1/documents/{b1_request['document']}").status_code == 200

    before = snapshot(services)
    for client in (other, auditor2):
        for path in (
            f"/api/v1/instances/{iid}",
            f"/api/v1/instances/{iid}/trail",
            f"/api/v1/instances/{iid}/documents",
            f"/api/v1/documents/{b1_request['document']}",
        ):
            response = client.get(path)
            assert response.status_code == 404, path
            assert response.get_json()["code"] == "not_found"
            assert "郑州市第二十四中学第一党支部" not in response.get_data(as_text=True)
        acted = client.post(f"/api/v1/instances/{iid}/actions/withdraw", json={"version": version})
        assert (acted.status_code, acted.get_json()["code"]) == (404, "not_found")
        # The same answer as for an id that does not exist at all.
        assert client.get("/api/v1/instances/999999").get_json()["code"] == "not_found"
    procedures = other.get("/api/v1/procedures").get_json()["items"]
    assert {o["id"] for p in procedures for o in p["startable_orgs"]} == {world.orgs["b2"]}
    started = other.post(
        "/api/v1/instances", json={"workflow": "branch_election", "org_id": world.orgs["b1"]}
    )
    assert (started.status_code, started.get_json()["code"]) == (403, "forbidden")
    assert snapshot(services) == before

    # Listings: b1's task is the work committee's, and never in sec2's tasks; the b2 auditor's search
    # does not find it, even when asked for b1 by id.
    assert other.get("/api/v1/tasks").get_json()["items"] == []
    assert [t["instance_id"] for t in api("handler").get("/api/v1/tasks").get_json()["items"]] == [iid]
    assert auditor2.get("/api/v1/instances").get_json()["total"] == 0
    assert auditor2.get("/api/v1/instances", query={"org_id": world.orgs["b1"]}).get_json()["items"] == []
    assert [r["id"] for r in api("auditor").get("/api/v1/instances").get_json()["items"]] == [iid]
    # Search is for auditors only.
    refused = other.get("/api/v1/instances")
    assert (refused.status_code, refused.get_json()["code"]) == (403, "forbidden")


def test_the_superior_may_read_but_only_the_role_of_the_step_may_act(
    api: Callable[..., ApiClient], b1_request: dict[str, Any]
) -> None:
    iid, version = b1_request["id"], b1_request["version"]
    leader = api("leader")
    inst = leader.get(f"/api/v1/instances/{iid}").get_json()
    assert inst["state"] == "review_request1" and inst["available_actions"] == []
    refused = leader.post(
        f"/api/v1/instances/{iid}/actions/forward_request1", json={"version": version, "data": {}}
    )
    assert (refused.status_code, refused.get_json()["code"]) == (403, "forbidden")
    handler = api("handler")
    assert [a["name"] for a in handler.get(f"/api/v1/instances/{iid}").get_json()["available_actions"]] == [
        "forward_request1",
        "return_request1",
    ]


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Bearer nonsense",
        "Basic c2VjMTpwYXNzd29yZA==",
        "Bearer fe_00000000_" + "A" * 43,  # well-formed, unknown
    ],
)
def test_without_a_valid_token_every_endpoint_answers_401(
    api: Callable[..., ApiClient], b1_request: dict[str, Any], header: str | None
) -> None:
    client = api(None)
    headers = {"Authorization": header} if header else {}
    iid = b1_request["id"]
    for method, path in [
        ("GET", "/api/v1/me"),
        ("GET", "/api/v1/procedures"),
        ("GET", "/api/v1/procedures/branch_election"),
        ("GET", "/api/v1/instances"),
        ("POST", "/api/v1/instances"),
        ("GET", f"/api/v1/instances/{iid}"),
        ("POST", f"/api/v1/instances/{iid}/actions/withdraw"),
        ("GET", f"/api/v1/instances/{iid}/trail"),
        ("GET", f"/api/v1/instances/{iid}/documents"),
        ("GET", f"/api/v1/documents/{b1_request['document']}"),
        ("GET", "/api/v1/tasks"),
    ]:
        response = client.request(
            method, path, headers=headers, json={"version": 1} if method == "POST" else None
        )
        assert response.status_code == 401, (method, path)
        assert response.get_json()["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    # The description of the API needs no token.
    assert client.get("/api/v1/openapi.json", headers=headers).status_code == 200


def test_a_revoked_token_or_a_disabled_owner_authenticates_nobody(
    api: Callable[..., ApiClient], services: Services, world: World, b1_request: dict[str, Any]
) -> None:
    created = services.tokens.create(world.users["sec1"], "报表脚本")
    client = api(token=created.token)
    assert client.get("/api/v1/me").get_json()["username"] == "sec1"
    services.tokens.revoke(created.view.id, world.users["sec1"])
    assert client.get("/api/v1/me").status_code == 401
    assert client.get(f"/api/v1/instances/{b1_request['id']}").status_code == 401

    handler = api("handler")
    assert handler.get("/api/v1/tasks").status_code == 200
    with services.db.write() as s:  # an administrator disables the account
        s.execute(update(User).where(User.id == world.users["handler"]).values(is_active=False))
    assert handler.get("/api/v1/tasks").status_code == 401


def test_a_session_cookie_is_not_a_credential(
    api_app: Any, services: Services, world: World, checker: Any
) -> None:
    """Signed in to the web UI, a browser still cannot call the API without a token (so no CSRF)."""
    client = api_app.test_client()
    key = services.sessions.open(world.users["sec1"])
    with client.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True
    assert client.get("/").status_code == 200  # signed in, as far as the web UI is concerned
    response = client.get("/api/v1/me")
    checker.check("GET", "/api/v1/me", response)
    assert response.status_code == 401
    posted = client.post(
        "/api/v1/instances", json={"workflow": "branch_election", "org_id": world.orgs["b1"]}
    )
    assert posted.status_code == 401
