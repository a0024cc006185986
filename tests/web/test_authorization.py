"""Every route × every role: who gets the page, who gets 403 or 404, and that refusals change nothing.

A user of another branch must not learn that a request exists (404, for the page and its downloads
alike); a user who can see a request but holds no role for an action gets 403; an auditor reads
everything in scope and may change nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from flowengine.service import Services
from tests.support import World
from tests.web.conftest import Browser
from tests.web.helpers import GOOD_FORM, postponement_submitted, snapshot, submitted

ROLES = ["sec1", "sec2", "handler", "leader", "auditor", "admin", "nobody", None]

# (path template, {user: status}); users not listed expect ``default``.
GET_ROUTES: list[tuple[str, dict[str | None, int], int]] = [
    ("/", {"auditor": 302}, 200),  # an auditor's home is the audit search
    ("/done", {}, 200),
    ("/account/password", {}, 200),
    ("/requests/new", {}, 200),
    ("/requests/new/leave_request", {"sec1": 200, "sec2": 200}, 403),
    ("/requests/{iid}", {"sec2": 404, "nobody": 404}, 200),
    ("/requests/{iid}/trail.csv", {"sec2": 404, "nobody": 404}, 200),
    ("/requests/{doc_iid}/trail.csv", {"sec2": 404, "nobody": 404}, 200),
    ("/requests/{doc_iid}", {"sec2": 404, "nobody": 404}, 200),
    ("/requests/{doc_iid}/documents/{doc}", {"sec2": 404, "nobody": 404}, 200),  # the .docx
    ("/requests/{iid}/documents/{doc}", {}, 404),  # a document is served only under its own request
    ("/requests/{doc_iid}/documents/999999", {}, 404),
    ("/notifications/", {}, 200),
    ("/requests/999999", {}, 404),
    ("/audit/", {"auditor": 200}, 403),
    ("/audit/?workflow=leave_request", {"auditor": 200}, 403),
    ("/admin/", {"admin": 302}, 302),
    ("/admin/orgs", {"admin": 200}, 403),
    ("/admin/users", {"admin": 200}, 403),
    ("/admin/definitions", {"admin": 200}, 403),
    ("/admin/definitions/leave_request/1", {"admin": 200}, 403),
    ("/admin/orgs/new", {"admin": 200}, 403),
    ("/admin/orgs/{b1}", {"admin": 200}, 403),
    ("/admin/orgs/999999", {"admin": 404}, 403),
    ("/admin/users/new", {"admin": 200}, 403),
    ("/admin/users/{sec1}", {"admin": 200}, 403),
    ("/admin/users/999999", {"admin": 404}, 403),
]

# State-changing requests on the submitted request (state "review", version 2): nobody listed may do them.
POST_ROUTES: list[tuple[str, dict[str, str], dict[str | None, int], int]] = [
    ("/requests/{iid}/actions/approve", {"version": "2"}, {"sec2": 404, "nobody": 404}, 403),
    ("/requests/{iid}/actions/return_to_applicant", {"version": "2", "comment": "请补充"}, {"sec2": 404, "nobody": 404}, 403),
    ("/requests/{iid}/actions/withdraw", {"version": "2"}, {"sec2": 404, "nobody": 404}, 403),
    ("/requests/{iid}/actions/leader_approve", {"version": "2"}, {"leader": 409, "sec2": 404, "nobody": 404}, 403),
    ("/requests/{iid}/actions/no_such_action", {"version": "2"}, {"sec2": 404, "nobody": 404}, 404),
    ("/requests/new/leave_request", {"org_id": "{b1}", **GOOD_FORM}, {}, 403),
    ("/admin/orgs/{b1}", {"name": "改名", "type": "branch"}, {}, 403),
    ("/admin/users/{sec1}/active", {"active": "0"}, {}, 403),
]
# Who may legitimately do each POST (excluded from the refusal matrix: they are tested in test_requests).
ALLOWED = {
    "/requests/{iid}/actions/approve": {"handler"},
    "/requests/{iid}/actions/return_to_applicant": {"handler"},
    "/requests/{iid}/actions/withdraw": {"sec1"},
    "/requests/new/leave_request": {"sec1"},
    "/admin/orgs/{b1}": {"admin"},  # tested in test_admin
    "/admin/users/{sec1}/active": {"admin"},
}


def _fill(template: str, ids: dict[str, int]) -> str:
    return template.format(**{k: str(v) for k, v in ids.items()})


@pytest.fixture
def ids(services: Services, world: World, clock) -> dict[str, int]:  # type: ignore[no-untyped-def]
    done = services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"]).id
    from tests.web.helpers import GOOD_DATA

    services.flow.act(done, "submit", world.users["sec1"], GOOD_DATA, expected_version=1)
    services.flow.act(done, "approve", world.users["handler"], comment="同意", expected_version=2)
    doc_iid = postponement_submitted(services, world)
    [doc] = services.documents.list_for(doc_iid, world.users["sec1"])
    return {"iid": submitted(services, world), "done": done, "b1": world.orgs["b1"], "doc_iid": doc_iid,
            "doc": doc.id, "sec1": world.users["sec1"]}


@pytest.mark.parametrize("user", ROLES)
def test_every_page_for_every_role(browser: Callable[[str | None], Browser], services: Services,
                                   ids: dict[str, int], user: str | None) -> None:
    b = browser(user)
    before = snapshot(services)
    for template, special, default in GET_ROUTES:
        path = _fill(template, ids)
        response = b.get(path)
        if user is None:
            assert response.status_code == 302 and "/login" in response.headers["Location"], path
            continue
        expected = special.get(user, default)
        assert response.status_code == expected, f"{user} GET {path}: {response.status_code}, expected {expected}"
    assert snapshot(services) == before  # reading (pages and downloads) changes nothing


@pytest.mark.parametrize("user", ROLES)
def test_state_changing_requests_refused_change_nothing(browser: Callable[[str | None], Browser],
                                                        services: Services, ids: dict[str, int],
                                                        user: str | None) -> None:
    b = browser(user)
    b.get("/login" if user is None else "/", follow_redirects=True)
    before = snapshot(services)
    for template, form, special, default in POST_ROUTES:
        if user in ALLOWED.get(template, set()):
            continue
        path = _fill(template, ids)
        data = {k: _fill(v, ids) for k, v in form.items()}
        response = b.post(path, data)
        if user is None:
            assert response.status_code == 302 and "/login" in response.headers["Location"], path
            continue
        expected = special.get(user, default)
        assert response.status_code == expected, f"{user} POST {path}: {response.status_code}, expected {expected}"
    assert snapshot(services) == before


def test_auditor_sees_no_action_buttons(browser: Callable[[str | None], Browser], ids: dict[str, int]) -> None:
    page = browser("auditor").get(f"/requests/{ids['iid']}").get_data(as_text=True)
    assert "审计只读视图" in page
    assert "/actions/" not in page and 'data-testid="submit-' not in page


def test_other_branch_cannot_start_for_this_branch(browser: Callable[[str | None], Browser], services: Services,
                                                   world: World) -> None:
    b = browser("sec2")
    b.get("/requests/new/leave_request")
    before = snapshot(services)
    response = b.post("/requests/new/leave_request", {"org_id": str(world.orgs["b1"])})
    assert response.status_code == 403
    assert snapshot(services) == before
