"""Every route × every role: who gets the page, who gets 403 or 404, and that refusals change nothing.

A user of another branch must not learn that a request exists (404, for the page and its downloads
alike); a user who can see a request but holds no role for an action gets 403; an auditor reads
everything in scope and may change nothing. The matrix is tied to ``app.url_map``: a route added without a
row here fails :func:`test_every_route_is_in_the_matrix`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import pytest
from flask import Flask
from sqlalchemy import select

from flowengine.persistence.models import Notification, RoleAssignment
from flowengine.service import Services
from tests.support import World
from tests.support.web import GOOD_FORM, Browser, postponement_submitted, snapshot, submitted

ROLES = ["sec1", "sec2", "handler", "leader", "auditor", "admin", "nobody", None]

SUPERVISORS = {"handler": 200, "leader": 200, "auditor": 200}  # of the work committee above both branches
#: The verifiable export carries reviewers' client addresses: an auditor's download only (issue 16).
NOT_AUDITORS = {"sec1": 403, "handler": 403, "leader": 403, "admin": 403}

# (path template, {user: status}); users not listed expect ``default``. Anonymous (None) is sent to the login
# page unless listed.
GET_ROUTES: list[tuple[str, dict[str | None, int], int]] = [
    ("/", {"auditor": 302}, 200),  # an auditor's home is the audit search
    ("/done", {}, 200),
    ("/account/password", {}, 200),
    ("/requests/new", {}, 200),
    ("/requests/new/leave_request", {"sec1": 200, "sec2": 200}, 403),
    ("/requests/{iid}", {"sec2": 404, "nobody": 404}, 200),
    ("/requests/{iid}/trail.csv", {"sec2": 404, "nobody": 404}, 200),
    ("/requests/{doc_iid}/trail.csv", {"sec2": 404, "nobody": 404}, 200),
    ("/requests/{iid}/trail.xlsx", {"sec2": 404, "nobody": 404}, 200),
    ("/requests/{iid}/trail.json", {"sec2": 404, "nobody": 404, **NOT_AUDITORS}, 200),
    ("/requests/{doc_iid}/documents/{doc}/preview", {"sec2": 404, "nobody": 404}, 200),
    ("/requests/{iid}/documents/{doc}/preview", {}, 404),
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
    ("/admin/definitions/upload", {"admin": 200}, 403),
    ("/admin/orgs/{b1}/settings", {"admin": 200}, 403),
    ("/admin/orgs/999999/settings", {"admin": 404}, 403),
    ("/admin/orgs/new", {"admin": 200}, 403),
    ("/admin/orgs/{b1}", {"admin": 200}, 403),
    ("/admin/orgs/999999", {"admin": 404}, 403),
    ("/admin/users/new", {"admin": 200}, 403),
    ("/admin/users/{sec1}", {"admin": 200}, 403),
    ("/admin/tokens", {"admin": 200}, 403),
    ("/admin/users/999999", {"admin": 404}, 403),
    ("/account/tokens/", {}, 200),
    ("/account/delegations/", {}, 200),
    ("/copies", {}, 200),
    ("/supervision/", SUPERVISORS, 403),
    ("/supervision/export.csv", SUPERVISORS, 403),
    ("/supervision/export.xlsx", SUPERVISORS, 403),
    ("/supervision/bulletin.docx?number=郑教工委〔2026〕3号", SUPERVISORS, 403),
    ("/supervision/leaves", SUPERVISORS, 403),  # a procedure's metric (the test package's)
    ("/supervision/leaves.xlsx", SUPERVISORS, 403),
    ("/healthz?scope=web", {None: 200}, 200),  # no login, no secrets (tests/web/test_health_and_logs.py)
    ("/login", {None: 200}, 302),  # a signed-in person is sent to the inbox
    # 扫码验真 is public: anyone holding a code may ask; an unknown code tells nothing (tests/web/test_verify.py).
    ("/verify", {None: 200}, 200),
    ("/verify/ABCDE-FGHJK", {None: 404}, 404),
]

# State-changing requests on the submitted request (state "review", version 2) and on sec1's token,
# notification and role: nobody listed may do them, except the users in ALLOWED. A refusal may be a status
# (403, 404, 422) or a redirect that changed nothing (a notification that is not one's own).
POST_ROUTES: list[tuple[str, dict[str, str], dict[str | None, int], int]] = [
    ("/requests/{iid}/actions/approve", {"version": "2"}, {"sec2": 404, "nobody": 404}, 403),
    (
        "/requests/{iid}/actions/return_to_applicant",
        {"version": "2", "comment": "请补充"},
        {"sec2": 404, "nobody": 404},
        403,
    ),
    ("/requests/{iid}/actions/withdraw", {"version": "2"}, {"sec2": 404, "nobody": 404}, 403),
    (
        "/requests/{iid}/actions/leader_approve",
        {"version": "2"},
        {"leader": 409, "sec2": 404, "nobody": 404},
        403,
    ),
    ("/requests/{iid}/actions/no_such_action", {"version": "2"}, {"sec2": 404, "nobody": 404}, 404),
    ("/requests/{iid}/actions/approve/preview", {"version": "2"}, {"sec2": 404, "nobody": 404}, 403),
    ("/requests/new/leave_request", {"org_id": "{b1}", **GOOD_FORM}, {}, 403),
    ("/admin/orgs/{b1}", {"name": "改名", "type": "branch"}, {}, 403),
    ("/admin/orgs/{b1}/settings", {"workflow": "leave_request", "s-review_days": "9"}, {}, 403),
    ("/admin/definitions/upload", {"source": "name: leave_request"}, {}, 403),
    ("/verify", {"code": ""}, {None: 422}, 422),  # public: nothing to check is refused alike for everyone
    ("/admin/definitions/activate", {"source": "name: leave_request"}, {}, 403),
    ("/admin/users/{sec1}/active", {"active": "0"}, {}, 403),
    (
        "/admin/orgs/new",
        {
            "code": "b3",
            "name": "郑州市第二十四中学第三党支部",
            "type": "branch",
            "parent_id": "{school24}",
            "approver_id": "{gw}",
            "full_members": "9",
            "term_start": "2024-05-06",
            "term_end": "2027-05-05",
        },
        {},
        403,
    ),
    (
        "/admin/users/new",
        {
            "username": "x1",
            "display_name": "某人",
            "password": "long-enough-1",
            "confirm_password": "long-enough-1",
        },
        {},
        403,
    ),
    ("/admin/users/{sec1}/roles", {"role": "leader", "org_id": "{b1}"}, {}, 403),
    ("/admin/users/{sec1}/roles/{assignment}/revoke", {}, {}, 403),
    (
        "/admin/users/{sec1}/password",
        {"new_password": "taken-over-1", "confirm_password": "taken-over-1"},
        {},
        403,
    ),
    ("/account/tokens/{token}/revoke", {}, {}, 404),  # only one's own token exists for one
    ("/admin/tokens/{token}/revoke", {}, {}, 403),  # an administrator revokes anyone's
    # The approval verbs: who may not see the request gets 404; who sees it but may not do it a refusal.
    ("/requests/{iid}/sign", {"decision": "approve"}, {"sec2": 404, "nobody": 404}, 409),  # no countersign
    ("/requests/{iid}/opinion", {"comment": "同意"}, {"sec2": 404, "nobody": 404}, 403),  # nobody was asked
    ("/requests/{iid}/transfer", {"to": "leader", "reason": "出差"}, {"sec2": 404, "nobody": 404}, 403),
    (
        "/requests/{iid}/add-signer",
        {"to": "leader", "mode": "before", "reason": "请提意见"},
        {"sec2": 404, "nobody": 404},
        403,
    ),
    ("/requests/{iid}/copy", {"to": "sec2"}, {"sec2": 404, "nobody": 404}, 403),
    ("/requests/{iid}/read", {}, {"sec2": 404, "nobody": 404}, 409),  # not copied to them
    ("/requests/{iid}/urge", {}, {"sec2": 404, "nobody": 404}, 409),
    ("/requests/{iid}/take-back", {}, {"sec2": 404, "nobody": 404}, 409),  # they did not just act
    (
        "/account/delegations/",
        {"delegate": "no-such-user", "starts_on": "2026-09-22", "ends_on": "2026-09-23"},
        {},
        422,
    ),
    ("/account/delegations/999999/revoke", {}, {}, 404),
    ("/account/tokens/", {"name": "长" * 101}, {}, 422),  # a name too long: no token is created
    (
        "/account/password",
        {
            "current_password": "wrong-horse-1",
            "new_password": "new-horse-battery-9",
            "confirm_password": "new-horse-battery-9",
        },
        {},
        422,
    ),
    ("/notifications/{note}/read", {}, {}, 302),  # marks only one's own: someone else's stays unread
    ("/notifications/read-all", {}, {}, 302),  # nobody but sec1 has any
    ("/login", {"username": "no-such-user", "password": "guess-1234"}, {None: 401}, 302),
    ("/logout", {}, {}, 302),  # last: it ends the session the rows above use
]
# Who may legitimately do each POST (excluded from the refusal matrix: they are tested in test_requests).
ALLOWED = {
    "/requests/{iid}/actions/approve": {"handler"},
    "/requests/{iid}/actions/approve/preview": {"handler"},  # tests/web/test_preview.py
    "/requests/{iid}/actions/return_to_applicant": {"handler"},
    "/requests/{iid}/actions/withdraw": {"sec1"},
    "/requests/new/leave_request": {"sec1"},
    "/requests/{iid}/transfer": {"handler"},  # tests/web/test_verbs_pages.py
    "/requests/{iid}/add-signer": {"handler"},
    "/requests/{iid}/copy": {"sec1", "handler"},
    "/requests/{iid}/urge": {
        "sec1",
        "handler",
        "leader",
        "auditor",
        "admin",
    },  # the initiator and the superior
    "/requests/{iid}/take-back": {"sec1"},
    "/admin/orgs/{b1}": {"admin"},  # tested in test_admin
    "/admin/orgs/{b1}/settings": {"admin"},  # tested in test_admin_procedures
    "/admin/definitions/upload": {"admin"},
    "/admin/definitions/activate": {"admin"},
    "/admin/users/{sec1}/active": {"admin"},
    "/admin/orgs/new": {"admin"},
    "/admin/users/new": {"admin"},
    "/admin/users/{sec1}/roles": {"admin"},
    "/admin/users/{sec1}/roles/{assignment}/revoke": {"admin"},
    "/admin/users/{sec1}/password": {"admin"},
    "/account/tokens/{token}/revoke": {"sec1"},  # tests/api/test_tokens_page.py
    "/admin/tokens/{token}/revoke": {"admin"},  # tests/api/test_token_security.py
    "/notifications/{note}/read": {"sec1"},  # tests/web/test_notifications.py
    "/notifications/read-all": {"sec1"},
}
#: Routes the matrix leaves to other tests: static files, and the JSON API, which
#: tests/api/test_openapi.py ties to the OpenAPI document and tests/api/test_access.py checks per caller.
NOT_IN_MATRIX = ("/static/", "/api/v1/")


def _fill(template: str, ids: dict[str, int]) -> str:
    return template.format(**{k: str(v) for k, v in ids.items()})


def _expected(user: str | None, special: dict[str | None, int], default: int) -> int | None:
    """The status ``user`` should get; None for "sent to the login page"."""
    if user is None and None not in special:
        return None
    return special.get(user, default)


def test_every_route_is_in_the_matrix(app: Flask) -> None:
    """Each (route, method) of the app has a row above, so a new page cannot escape the matrix."""
    adapter = app.url_map.bind("localhost")
    any_id: defaultdict[str, str] = defaultdict(lambda: "1")
    covered = set()
    for method, templates in (("GET", [r[0] for r in GET_ROUTES]), ("POST", [r[0] for r in POST_ROUTES])):
        for template in templates:
            endpoint, _ = adapter.match(template.format_map(any_id).split("?")[0], method=method)
            covered.add((endpoint, method))
    missing = sorted(
        f"{method} {rule.rule}"
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith(NOT_IN_MATRIX)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        if (rule.endpoint, method) not in covered
    )
    assert missing == [], f"routes missing from GET_ROUTES/POST_ROUTES: {missing}"


@pytest.fixture
def ids(services: Services, world: World, clock) -> dict[str, int]:  # type: ignore[no-untyped-def]
    done = services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"]).id
    from tests.support.web import GOOD_DATA

    services.flow.act(done, "submit", world.users["sec1"], GOOD_DATA, expected_version=1)
    services.flow.act(done, "approve", world.users["handler"], comment="同意", expected_version=2)
    doc_iid = postponement_submitted(services, world)
    [doc] = services.documents.list_for(doc_iid, world.users["sec1"])
    token = services.tokens.create(world.users["sec1"], "报表脚本").view.id
    with services.db.write() as s:
        note = Notification(
            user_id=world.users["sec1"],
            kind="reminder",
            title="【催办】测试",
            body="请及时办理。",
            created_at=clock(),
        )
        s.add(note)
        s.flush()
        note_id = note.id
        [assignment] = s.scalars(
            select(RoleAssignment.id).where(RoleAssignment.user_id == world.users["sec1"])
        )
    return {
        "iid": submitted(services, world),
        "done": done,
        "b1": world.orgs["b1"],
        "doc_iid": doc_iid,
        "doc": doc.id,
        "sec1": world.users["sec1"],
        "school24": world.orgs["school24"],
        "gw": world.orgs["gw"],
        "token": token,
        "note": note_id,
        "assignment": assignment,
    }


@pytest.mark.parametrize("user", ROLES)
def test_every_page_for_every_role(
    browser: Callable[[str | None], Browser], services: Services, ids: dict[str, int], user: str | None
) -> None:
    b = browser(user)
    before = snapshot(services)
    for template, special, default in GET_ROUTES:
        path = _fill(template, ids)
        response = b.get(path)
        expected = _expected(user, special, default)
        if expected is None:
            assert response.status_code == 302 and "/login" in response.headers["Location"], path
            continue
        assert response.status_code == expected, (
            f"{user} GET {path}: {response.status_code}, expected {expected}"
        )
    assert snapshot(services) == before  # reading (pages and downloads) changes nothing


@pytest.mark.parametrize("user", ROLES)
def test_state_changing_requests_refused_change_nothing(
    browser: Callable[[str | None], Browser], services: Services, ids: dict[str, int], user: str | None
) -> None:
    b = browser(user)
    b.get("/login" if user is None else "/", follow_redirects=True)
    before = snapshot(services)
    for template, form, special, default in POST_ROUTES:
        if user in ALLOWED.get(template, set()):
            continue
        path = _fill(template, ids)
        data = {k: _fill(v, ids) for k, v in form.items()}
        response = b.post(path, data)
        expected = _expected(user, special, default)
        if expected is None:
            assert response.status_code == 302 and "/login" in response.headers["Location"], path
            continue
        assert response.status_code == expected, (
            f"{user} POST {path}: {response.status_code}, expected {expected}"
        )
    assert snapshot(services) == before


def test_auditor_sees_no_action_buttons(
    browser: Callable[[str | None], Browser], ids: dict[str, int]
) -> None:
    page = browser("auditor").get(f"/requests/{ids['iid']}").get_data(as_text=True)
    assert "审计只读视图" in page
    assert "/actions/" not in page and 'data-testid="submit-' not in page


def test_other_branch_cannot_start_for_this_branch(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    b = browser("sec2")
    b.get("/requests/new/leave_request")
    before = snapshot(services)
    response = b.post("/requests/new/leave_request", {"org_id": str(world.orgs["b1"])})
    assert response.status_code == 403
    assert snapshot(services) == before
