"""The signed-in person for flask-login, rebuilt from the service on every request.

The session cookie holds the key of a server-side session (:mod:`flowengine.service.identity.sessions`):
signing out, a password change or reset, disabling the account, and the idle and absolute timeouts end
that session on the server, so the cookie — or a copy of it — signs nobody in afterwards.
"""

from __future__ import annotations

from flask_login import UserMixin

from flowengine.service import AccountView
from flowengine.web.context import services
from flowengine.web.extensions import login_manager


class WebUser(UserMixin):
    def __init__(self, account: AccountView, session_key: str) -> None:
        self.account = account
        self.session_key = session_key

    def get_id(self) -> str:
        return self.session_key

    @property
    def display_name(self) -> str:
        return self.account.display_name


@login_manager.user_loader
def load_user(session_key: str) -> WebUser | None:
    svc = services()
    uid = svc.sessions.user_of(session_key)
    account = svc.accounts.get(uid) if uid is not None else None
    return WebUser(account, session_key) if account is not None else None
