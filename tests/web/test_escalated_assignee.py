"""Whoever a deadline's escalation gave the step to acts on it through the request page and the JSON API
alike: the one access policy answers both (and the service), so the page never shows a form that its
submit refuses. Before the policy, the page showed the reassigned leader the form and answered 403."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask

from flowengine.service import Services
from flowengine.web import create_app
from tests.support import Clock, World, build_world
from tests.support.paths import FIXTURE_WORKFLOWS
from tests.support.web import GOOD_DATA, Browser


def _escalating_to_the_leader(tmp_path: Path, mode: str) -> Path:
    """The test procedure, its review step escalating to the superior's leader by ``mode``."""
    workflows = tmp_path / f"wf-{mode}"
    workflows.mkdir()
    source = (FIXTURE_WORKFLOWS / "leave_request.yaml").read_text(encoding="utf-8")
    changed = source.replace(
        "escalate_to: leader, escalation: notify", f"escalate_to: leader, escalation: {mode}"
    )
    assert changed != source
    (workflows / "leave_request.yaml").write_text(changed, encoding="utf-8")
    return workflows


@pytest.mark.parametrize("mode", ["reassign", "co_approve"])
def test_the_escalated_assignee_acts_through_the_page_and_the_api(
    make_services: Callable[..., Services], clock: Clock, tmp_path: Path, mode: str
) -> None:
    services = make_services(_escalating_to_the_leader(tmp_path, mode))
    world: World = build_world(services, clock())
    app: Flask = create_app(services, config={"SECRET_KEY": "test-secret", "TESTING": True})
    leader = world.users["leader"]

    def overdue_request(branch: str, secretary: str) -> int:
        iid = services.flow.start("leave_request", world.orgs[branch], world.users[secretary]).id
        services.flow.act(iid, "submit", world.users[secretary], GOOD_DATA, expected_version=1)
        return iid

    by_page, by_api = overdue_request("b1", "sec1"), overdue_request("b2", "sec2")
    # Three working days for the review; a week later the sweep escalates both to the 工委's leader.
    assert services.escalator.sweep(clock() + dt.timedelta(days=8)).escalations == 2
    assert not services.flow.may_act(by_page, "approve", world.users["auditor"])
    for iid in (by_page, by_api):
        assert services.flow.may_act(iid, "approve", leader)
        assert "approve" in {a.name for a in services.flow.available_actions(iid, leader)}

    # The request page offers the form, and its submit goes through.
    b = Browser(app.test_client())
    assert b.login("leader").status_code == 302
    page = b.get(f"/requests/{by_page}")
    assert page.status_code == 200 and f'action="/requests/{by_page}/actions/approve"' in page.get_data(
        as_text=True
    )
    done = b.post(
        f"/requests/{by_page}/actions/approve", {"version": "2", "comment": "同意（超期转由领导审批）"}
    )
    assert done.status_code == 302, done.get_data(as_text=True)
    assert services.flow.get(by_page, leader).state == "approved"

    # The JSON API, with the leader's token, likewise.
    token = services.tokens.create(leader, "审批脚本").token
    api = app.test_client()
    answer = api.post(
        f"/api/v1/instances/{by_api}/actions/approve",
        json={"version": 2, "comment": "同意"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["state"] == "approved"
    trail = services.flow.trail(by_api, leader)
    assert (trail[-1].action, trail[-1].role, trail[-1].actor_name) == ("approve", "leader", "赵志刚")

    # Someone the step was not given to is still refused, on the page and in the API.
    third = overdue_request("b1", "sec1")
    sec2 = Browser(app.test_client())
    assert sec2.login("sec2").status_code == 302
    sec2.get("/")  # a page of its own, for the form's CSRF token
    assert sec2.post(f"/requests/{third}/actions/approve", {"version": "2"}).status_code == 404
    auditor = Browser(app.test_client())
    assert auditor.login("auditor").status_code == 302
    auditor.get(f"/requests/{third}")
    assert auditor.post(f"/requests/{third}/actions/approve", {"version": "2"}).status_code == 403


def test_the_page_and_the_service_agree_for_every_user(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    """For each user, the forms the page shows are exactly the actions the service says they may take."""
    iid = services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"]).id
    services.flow.act(iid, "submit", world.users["sec1"], GOOD_DATA, expected_version=1)
    for username in ("sec1", "handler", "leader", "auditor"):
        html = browser(username).get(f"/requests/{iid}").get_data(as_text=True)
        offered = {a.name for a in services.flow.available_actions(iid, world.users[username])}
        shown = {
            name for name in ("approve", "return_to_applicant", "withdraw") if f'/actions/{name}"' in html
        }
        assert shown == offered, username
