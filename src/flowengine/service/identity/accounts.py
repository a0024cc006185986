"""Sign-in and passwords: who may open a session, and how guessing is slowed down.

Every entry point that authenticates people (the web UI today, perhaps an SSO bridge later) calls this
module, so the rule is one rule. Failures are counted per client address and per account at that address
(:mod:`.throttle`): after a few, each next attempt waits longer, and while it must wait it is refused
without the password being looked at. No account is ever locked as such, so a stranger cannot lock anyone
out. Every refusal reads the same ("wrong user name or password") and costs the same work — an unknown
name is checked against a dummy hash, a disabled account's password is checked too — so the answer tells
nobody which names exist. Each refusal is an audit event of kind ``login_failure`` on the system chain
with its reason (unknown user, wrong password, disabled), which an auditor can read.

A changed or reset password ends every session of that user (:mod:`.sessions`) and revokes their API
tokens (:mod:`.tokens`) in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from flowengine.clock import Clock
from flowengine.errors import FlowEngineError, NotFound, PermissionDenied, ValidationFailed
from flowengine.persistence.db import Database
from flowengine.persistence.models import Organization, RoleAssignment, User
from flowengine.service import audit
from flowengine.service.identity.admins import admin_event, require_admin
from flowengine.service.identity.passwords import (
    MIN_PASSWORD_LENGTH,
    hash_password,
    password_problem,
    verify_password,
)
from flowengine.service.identity.sessions import end_sessions
from flowengine.service.identity.throttle import Throttle
from flowengine.service.identity.tokens import revoke_all_tokens
from flowengine.vocabulary import ROLES

# A real hash of a random password, verified against when the user name is unknown, so that an unknown
# name costs as much time as a wrong password and the response time does not tell which one it was.
_DUMMY_HASH = hash_password("flowengine-no-such-user-4f1c")


#: The one answer to every refused sign-in (unknown name, wrong password, disabled account).
REFUSED = "用户名或密码不正确。"


class LoginRefused(FlowEngineError):
    """The credentials were not accepted; ``message`` is safe to show on the login page."""

    code = "login_refused"


@dataclass(frozen=True)
class RoleView:
    role: str
    role_title: str
    org_id: int
    org_name: str


@dataclass(frozen=True)
class AccountView:
    """A signed-in person as the UI needs them: never the ORM row, never the password hash."""

    id: int
    username: str
    display_name: str
    is_active: bool
    roles: tuple[RoleView, ...]

    def has_role(self, role: str) -> bool:
        return any(r.role == role for r in self.roles)

    @property
    def is_auditor(self) -> bool:
        return self.has_role("auditor")

    @property
    def is_admin(self) -> bool:
        return self.has_role("admin")


class Accounts:
    def __init__(self, db: Database, clock: Clock, throttle: Throttle) -> None:
        self.db = db
        self.clock = clock
        self.throttle = throttle

    # ---- reading -------------------------------------------------------------------------------------

    def _view(self, s: Session, user: User) -> AccountView:
        rows = s.execute(
            select(RoleAssignment.role, RoleAssignment.org_id, Organization.name)
            .join(Organization, Organization.id == RoleAssignment.org_id)
            .where(RoleAssignment.user_id == user.id)
            .order_by(Organization.path, RoleAssignment.role)
        )
        roles = tuple(RoleView(r.role, ROLES.get(r.role, r.role), r.org_id, r.name) for r in rows)
        return AccountView(user.id, user.username, user.display_name, user.is_active, roles)

    def get(self, user_id: int) -> AccountView | None:
        """The account behind a session, or None when it no longer exists or was disabled."""
        with self.db.read() as s:
            user = s.get(User, user_id)
            if user is None or not user.is_active:
                return None
            return self._view(s, user)

    # ---- signing in ----------------------------------------------------------------------------------

    def authenticate(self, username: str, password: str, client_addr: str | None = None) -> AccountView:
        """Return the account, or raise :class:`LoginRefused` (and record why) or :class:`TooManyAttempts`."""
        now = self.clock()
        username = (username or "").strip()
        keys = self.throttle.keys("login", client_addr, username)
        self.throttle.check(keys)
        with self.db.read() as s:
            user = s.scalar(select(User).where(User.username == username)) if username else None
            user_id, password_hash = (user.id, user.password_hash) if user else (None, _DUMMY_HASH)
            active = bool(user and user.is_active)
        right = verify_password(password_hash, password or "")
        if user_id is None or not right or not active:
            reason = "unknown_user" if user_id is None else ("bad_password" if not right else "disabled")
            self.throttle.fail(keys)
            self._record_failure(user_id, username, reason, client_addr, now)
            raise LoginRefused(REFUSED)
        self.throttle.clear(keys[-1])
        with self.db.read() as s:
            user = s.get(User, user_id)
            assert user is not None
            return self._view(s, user)

    def _record_failure(
        self, user_id: int | None, username: str, reason: str, client_addr: str | None, now: dt.datetime
    ) -> None:
        self._system_event(
            kind="login_failure",
            at=now,
            actor_id=user_id,
            actor_name=username[:100] or None,
            data={"username": username[:100], "reason": reason},
            client_addr=client_addr,
        )

    def _system_event(self, **fields: Any) -> None:
        """Append to the shared system chain; a concurrent append taking the same ``seq`` is retried."""
        for attempt in range(5):
            try:
                with self.db.write() as s:
                    audit.append(s, **fields)
                return
            except IntegrityError:
                if attempt == 4:
                    raise

    # ---- passwords -----------------------------------------------------------------------------------

    def change_password(
        self, user_id: int, current: str, new: str, confirm: str, client_addr: str | None = None
    ) -> AccountView:
        """Change one's own password; every problem is reported beside its field, nothing is changed."""
        now = self.clock()
        errors: dict[str, str] = {}
        keys = self.throttle.keys("password", client_addr, str(user_id))
        self.throttle.check(keys)
        with self.db.read() as s:
            user = s.get(User, user_id)
            if user is None or not user.is_active:
                raise PermissionDenied("用户不存在或已停用。")
            right = verify_password(user.password_hash, current or "")
        if not right:
            self.throttle.fail(keys)
        else:
            self.throttle.clear(keys[-1])
        with self.db.write() as s:
            user = s.get(User, user_id)
            if user is None or not user.is_active:
                raise PermissionDenied("用户不存在或已停用。")
            if not right:
                errors["current_password"] = "当前密码不正确"
            if len(new or "") < MIN_PASSWORD_LENGTH:
                errors["new_password"] = f"新密码至少 {MIN_PASSWORD_LENGTH} 位"
            elif new == current:
                errors["new_password"] = "新密码不能与当前密码相同"
            elif new.strip().lower() in (user.username.lower(), user.display_name.strip().lower()):
                errors["new_password"] = "新密码不能与用户名或姓名相同"
            if not errors and new != confirm:
                errors["confirm_password"] = "两次输入的新密码不一致"
            if errors:
                raise ValidationFailed(errors, "密码未修改。")
            user.password_hash = hash_password(new)
            s.flush()
            ended = end_sessions(s, user.id, now, "password_change")
            revoked = revoke_all_tokens(s, user.id, now)
            audit.append(
                s,
                at=now,
                kind="password_change",
                actor_id=user.id,
                actor_name=user.display_name,
                data={"sessions_ended": ended, "tokens_revoked": revoked},
                client_addr=client_addr,
            )
            return self._view(s, user)

    # ---- administrators ------------------------------------------------------------------------------

    def reset_password(
        self, admin_id: int, user_id: int, new: str, confirm: str, client_addr: str | None = None
    ) -> None:
        """Give a user a new password (they forgot theirs); it ends their sessions and revokes their tokens."""
        now = self.clock()
        with self.db.write() as s:
            admin = require_admin(s, admin_id)
            user = s.get(User, user_id)
            if user is None:
                raise NotFound(f"用户 {user_id} 不存在。")
            problem = password_problem(new, user.username, user.display_name)
            errors = (
                {"new_password": problem}
                if problem
                else ({"confirm_password": "两次输入的新密码不一致"} if new != confirm else {})
            )
            if errors:
                raise ValidationFailed(errors, "密码未重置。")
            user.password_hash = hash_password(new)
            ended = end_sessions(s, user.id, now, "password_reset")
            revoked = revoke_all_tokens(s, user.id, now)
            admin_event(
                s,
                admin,
                "password_reset",
                now,
                comment=f"重置 {user.username}（{user.display_name}）的密码",
                data={"user_id": user.id, "sessions_ended": ended, "tokens_revoked": revoked},
                client_addr=client_addr,
            )

    def set_active(self, admin_id: int, user_id: int, active: bool, client_addr: str | None = None) -> bool:
        """Disable (their sessions end at the next request) or enable a user; False when nothing changed."""
        now = self.clock()
        with self.db.write() as s:
            admin = require_admin(s, admin_id)
            user = s.get(User, user_id)
            if user is None:
                raise NotFound(f"用户 {user_id} 不存在。")
            if not active and user.id == admin.id:
                raise ValidationFailed({"active": "不能停用自己的账户"}, "账户未停用。")
            if user.is_active == active:
                return False
            user.is_active = active
            if not active:
                end_sessions(s, user.id, now, "disabled")
            admin_event(
                s,
                admin,
                "user_enable" if active else "user_disable",
                now,
                comment=f"{'启用' if active else '停用'}用户 {user.username}（{user.display_name}）",
                data={"user_id": user.id},
                client_addr=client_addr,
            )
            return True
