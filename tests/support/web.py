"""Shared pieces of the web tests: a browser-like client, a request in a known state, and a snapshot to
prove nothing changed.

CSRF protection stays on (as in production): the client reads the token from the page it posts from, the
way a browser does, so a test that forgets it fails like a forged request would.
"""

from __future__ import annotations

import re
from typing import Any

# The web tests' client: Flask is allowed in tests/web/ (pyproject.toml), and this is their helper.
from flask.testing import FlaskClient
from sqlalchemy import func, select

from flowengine.persistence.models import (
    ApiToken,
    AuditEvent,
    Document,
    Instance,
    Notification,
    Organization,
    RoleAssignment,
    Task,
    User,
)
from flowengine.service import Services
from tests.support import PASSWORD, World

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    found = _TOKEN.search(html)
    assert found, "page has no CSRF token"
    return found.group(1)


class Browser:
    """A test client that posts forms with the token of the page it came from."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token = ""

    def get(self, url: str, **kwargs: Any) -> Any:
        response = self.client.get(url, **kwargs)
        if response.mimetype != "text/html":
            return response  # a download: no form on it
        found = _TOKEN.search(response.get_data(as_text=True))
        if found:
            self.token = found.group(1)
        return response

    def post(self, url: str, data: dict[str, Any] | None = None, *, token: bool = True, **kwargs: Any) -> Any:
        data = dict(data or {})
        if token:
            if not self.token:
                self.get("/login")
            data.setdefault("csrf_token", self.token)
        return self.client.post(url, data=data, **kwargs)

    def login(self, username: str, password: str = PASSWORD) -> Any:
        self.get("/login")
        return self.post("/login", {"username": username, "password": password})


GOOD_FORM = {
    "reason": "参加市委教育工委组织的专题培训",
    "first_day": "2026-09-23",
    "last_day": "2026-09-25",
    "days": "3",
    "substitutes-0-name": "刘洋",
    "substitutes-0-phone": "13800138000",
}
GOOD_DATA = {
    "reason": "参加市委教育工委组织的专题培训",
    "first_day": "2026-09-23",
    "last_day": "2026-09-25",
    "days": 3,
    "substitutes": [{"name": "刘洋", "phone": "13800138000"}],
}


def submitted(services: Services, world: World) -> int:
    """A leave request of branch b1, submitted and waiting for the superior's handler (version 2)."""
    iid = services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"]).id
    services.flow.act(iid, "submit", world.users["sec1"], GOOD_DATA, expected_version=1)
    return iid


def snapshot(services: Services) -> dict[str, Any]:
    """Everything a state-changing request could change, across the whole database."""
    with services.db.read() as s:
        return {
            "instances": s.execute(
                select(Instance.id, Instance.state, Instance.version, Instance.status).order_by(Instance.id)
            ).all(),
            "tasks": s.execute(select(Task.id, Task.closed_at).order_by(Task.id)).all(),
            "events": s.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.instance_id.is_not(None))
            ),
            "passwords": s.execute(select(User.id, User.password_hash).order_by(User.id)).all(),
            "all_events": s.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.kind != "login_failure")
            ),
            "documents": s.execute(select(Document.id, Document.sha256).order_by(Document.id)).all(),
            "tokens": s.execute(
                select(ApiToken.id, ApiToken.name, ApiToken.revoked_at).order_by(ApiToken.id)
            ).all(),
            "notifications": s.execute(
                select(Notification.id, Notification.read_at).order_by(Notification.id)
            ).all(),
            "users": s.execute(
                select(User.id, User.username, User.display_name, User.is_active).order_by(User.id)
            ).all(),
            "roles": s.execute(
                select(RoleAssignment.user_id, RoleAssignment.role, RoleAssignment.org_id).order_by(
                    RoleAssignment.id
                )
            ).all(),
            "orgs": s.execute(
                select(
                    Organization.id,
                    Organization.name,
                    Organization.parent_id,
                    Organization.approver_id,
                    Organization.full_members,
                    Organization.term_end,
                ).order_by(Organization.id)
            ).all(),
        }


POSTPONEMENT = {
    "document_number": "二十四中一支〔2026〕7号",
    "kind": "postpone",
    "current_term_end": "2026-10-09",
    "new_term_end": "2027-03-31",
    "reasons": "学校2026年下半年整体搬迁至新校区，党员分散在两个校区，难以按期召开党员大会，拟待搬迁完成后换届。",
}


def postponement_submitted(services: Services, world: World) -> int:
    """A 延期换届 request of branch b1 whose 请示 has been issued as a .docx (waiting for the handler)."""
    iid = services.flow.start("election_postponement", world.orgs["b1"], world.users["sec1"]).id
    services.flow.act(iid, "submit_request", world.users["sec1"], POSTPONEMENT, expected_version=1)
    return iid
