"""The signed-in person for flask-login, rebuilt from the service on every request.

The session cookie holds ``<user id>.<fingerprint of the password hash>``: when the password changes (or
the account is disabled), every other session of that user stops at its next request, without a session
table.
"""

from __future__ import annotations

from flask_login import UserMixin

from flowengine.service import AccountView
from flowengine.web.context import services
from flowengine.web.extensions import login_manager


class WebUser(UserMixin):
    def __init__(self, account: AccountView) -> None:
        self.account = account

    def get_id(self) -> str:
        return f"{self.account.id}.{self.account.fingerprint}"

    @property
    def display_name(self) -> str:
        return self.account.display_name


@login_manager.user_loader
def load_user(session_id: str) -> WebUser | None:
    uid, _, fp = session_id.partition(".")
    if not uid.isdigit():
        return None
    account = services().accounts.get(int(uid))
    if account is None or account.fingerprint != fp:
        return None
    return WebUser(account)
