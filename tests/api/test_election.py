"""A whole branch re-election (workflows/branch_election.yaml) driven through the JSON API only.

Three tokens: the branch secretary, a reviewer who holds both the work committee's handler and leader
roles, and the committee's auditor. Each step is taken on the version the caller last read, as a script
would; along the way a refused rule (422 naming the field and the check) and a stale version (409) change
nothing. Every response is also checked against the OpenAPI document (tests/support/openapi.py).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from flowengine.service import Services
from flowengine.vocabulary import STEP_KINDS
from tests.support import PASSWORD, World
from tests.support.election import SIGN, STEPS
from tests.support.openapi import ApiClient


@pytest.fixture
def reviewer(services: Services, world: World) -> str:
    world.users["reviewer"] = services.directory.add_user(
        "reviewer", "王建国", PASSWORD, [("handler", "gw"), ("leader", "gw")], now=services.flow.clock()
    )
    return "reviewer"


def _as_json(data: dict[str, Any]) -> dict[str, Any]:
    """The browser's strings turned into the JSON types a script sends (numbers, booleans)."""

    def convert(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: convert(v) for k, v in value.items()}
        if isinstance(value, list):
            return [convert(v) for v in value]
        if value in ("true", "false"):
            return value == "true"
        if isinstance(value, str) and value.isdigit() and len(value) < 5:
            return int(value)
        return value

    return convert(data)


def test_whole_reelection_through_the_api(
    api: Callable[..., ApiClient], world: World, reviewer: str, checker: Any
) -> None:
    clients = {
        "sec1": api("sec1"),
        reviewer: api(reviewer),
        "auditor": api("auditor"),
        "discipline": api("discipline"),
    }
    who = {"sec1": "sec1", "handler": reviewer, "leader": reviewer, "discipline": "discipline"}
    sec, rev, aud = clients["sec1"], clients[reviewer], clients["auditor"]

    procs = sec.get("/api/v1/procedures").get_json()["items"]
    election = next(p for p in procs if p["name"] == "branch_election")
    assert election["startable_orgs"] == [{"id": world.orgs["b1"], "name": "郑州市第二十四中学第一党支部"}]
    assert election["diagram"].startswith("stateDiagram-v2")
    assert {"study", "completed"} <= {s["name"] for s in election["states"]}
    assert any(
        f["name"] == "candidates" and f["type"] == "list" and f["fields"]
        for a in election["actions"]
        for f in a["form"]
    )

    started = sec.post(
        "/api/v1/instances",
        json={"workflow": "branch_election", "org_id": world.orgs["b1"], "comment": "按期换届"},
    )
    assert started.status_code == 201
    inst = started.get_json()
    assert started.headers["Location"].endswith(f"/api/v1/instances/{inst['id']}")
    assert (inst["state"], inst["version"], inst["status"]) == ("study", 1, "active")
    url = f"/api/v1/instances/{inst['id']}"

    refused_rule = stale = False
    for user, action, data, comment in STEPS:
        client = clients[who[user]]
        current = client.get(url).get_json()
        if action == SIGN:  # the 纪检 side's 党风廉政意见, a countersign on the review of 请示②
            signed = client.post(
                f"{url}/sign",
                json={"decision": "approve", "data": _as_json(data), "comment": comment or None},
            )
            assert signed.status_code == 200, signed.get_json()
            continue
        offered = {a["name"]: a for a in current["available_actions"]}
        assert action in offered, f"{user} is not offered {action} in {current['state']}: {list(offered)}"
        assert [t["state"] for t in current["open_tasks"]] == [current["state"]]
        # As a form would: start from what the system pre-fills (term dates, the approved candidates ...).
        body = {
            "version": current["version"],
            "data": {**offered[action]["prefill"], **_as_json(data)},
            "comment": comment or None,
        }
        if action == "submit_request1" and not refused_rule:
            # Fewer candidates than the rule allows: 422 names the field and the check; nothing changes.
            bad = client.post(
                f"{url}/actions/{action}", json={**body, "data": {**body["data"], "candidate_count": 5}}
            )
            assert bad.status_code == 422, bad.get_json()
            err = bad.get_json()
            assert err["code"] == "check_failed" and "candidate_count" in err["errors"]
            assert err["checks"] and err["checks"][0]["field"] == "candidate_count"
            refused_rule = True
        done = client.post(f"{url}/actions/{action}", json=body)
        assert done.status_code == 200, done.get_json()
        after = done.get_json()
        assert after["version"] == current["version"] + 1
        if action == "forward_request1" and not stale:
            # The reviewer's second tab still shows the old version: 409, nothing happens.
            again = client.post(f"{url}/actions/approve_request1", json={**body, "data": {}})
            assert again.status_code == 409
            assert again.get_json()["code"] == "stale_version"
            assert again.get_json()["current_version"] == after["version"]
            assert client.get(url).get_json()["version"] == after["version"]
            stale = True
        if after["state"] == "review_request1":
            tasks = rev.get("/api/v1/tasks").get_json()["items"]
            assert [(t["instance_id"], t["state"]) for t in tasks] == [(inst["id"], "review_request1")]
            assert tasks[0]["due_at"] is not None

    assert refused_rule and stale
    final = sec.get(url).get_json()
    assert (final["state"], final["status"], final["available_actions"]) == ("completed", "completed", [])
    assert final["data"]["record_vote"]["elected"][0] == {"name": "丁建华"}

    # The auditor reads it all back: search, trail and documents; but may not act.
    found = aud.get(
        "/api/v1/instances", query={"workflow": "branch_election", "status": "completed"}
    ).get_json()
    assert [r["id"] for r in found["items"]] == [inst["id"]] and found["total"] == 1
    trail = aud.get(f"{url}/trail").get_json()["items"]
    assert [e["action"] for e in trail if e["kind"] in STEP_KINDS] == ["start"] + [
        s[1] for s in STEPS if s[1] != SIGN
    ]
    assert [e["seq"] for e in trail] == sorted(e["seq"] for e in trail)
    docs = aud.get(f"{url}/documents").get_json()["items"]
    assert docs and all(d["download"] == f"/api/v1/documents/{d['id']}" for d in docs)
    file = aud.get(docs[0]["download"])
    assert file.status_code == 200 and file.mimetype.endswith("wordprocessingml.document")
    assert "filename*=UTF-8''" in file.headers["Content-Disposition"]
    assert "word/document.xml" in zipfile.ZipFile(io.BytesIO(file.data)).namelist()
    refused = aud.post(f"{url}/actions/withdraw", json={"version": final["version"]})
    assert (refused.status_code, refused.get_json()["code"]) == (403, "forbidden")
    assert checker.checked >= 2 * len(STEPS)  # every answer above matched the OpenAPI document
