"""Sign-in and passwords: who may open a session, and how guessing is slowed down.

Every entry point that authenticates people (the web UI today, perhaps an SSO bridge later) calls this
module, so the lockout rule is one rule. After ``max_failures`` consecutive wrong passwords an account is
locked for ``lock_minutes``; while locked, even the right password is refused without being checked, so a
guesser learns nothing. Each refusal is an audit event of kind ``login_failure`` on the system chain, which
an auditor can read; the reason (unknown user, wrong password, locked, disabled) is recorded there but
never told to the person at the login page, who only learns "wrong user name or password" or "locked".

A session is bound to a *fingerprint* of the password hash: changing the password changes the
fingerprint, which ends every other session of that user at its next request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from flowengine.chinese import chinese_time
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
from flowengine.vocabulary import ROLES

# A real hash of a random password, verified against when the user name is unknown, so that an unknown
# name costs as much time as a wrong password and the response time does not tell which one it was.
_DUMMY_HASH = hash_password("flowengine-no-such-user-4f1c")


class LoginRefused(FlowEngineError):
    """The credentials were not accepted; ``message`` is safe to show on the login page."""

    code = "login_refused"

    def __init__(self, message: str, locked_until: dt.datetime | None = None) -> None:
        super().__init__(message)
        self.locked_until = locked_until


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
    fingerprint: str

    def has_role(self, role: str) -> bool:
        return any(r.role == role for r in self.roles)

    @property
    def is_auditor(self) -> bool:
        return self.has_role("auditor")

    @property
    def is_admin(self) -> bool:
        return self.has_role("admin")


def fingerprint(password_hash: str) -> str:
    """A short, non-secret digest of the stored hash: changes whenever the password changes."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16]


def _china_time(moment: dt.datetime) -> str:
    return chinese_time(moment, year=False)


class Accounts:
    def __init__(self, db: Database, clock: Clock, *, max_failures: int = 5, lock_minutes: int = 15) -> None:
        self.db = db
        self.clock = clock
        self.max_failures = max_failures
        self.lock_minutes = lock_minutes

    # ---- reading -------------------------------------------------------------------------------------

    def _view(self, s: Session, user: User) -> AccountView:
        rows = s.execute(
            select(RoleAssignment.role, RoleAssignment.org_id, Organization.name)
            .join(Organization, Organization.id == RoleAssignment.org_id)
            .where(RoleAssignment.user_id == user.id)
            .order_by(Organization.path, RoleAssignment.role)
        )
        roles = tuple(RoleView(r.role, ROLES.get(r.role, r.role), r.org_id, r.name) for r in rows)
        return AccountView(
            user.id, user.username, user.display_name, user.is_active, roles, fingerprint(user.password_hash)
        )

    def get(self, user_id: int) -> AccountView | None:
        """The account behind a session, or None when it no longer exists or was disabled."""
        with self.db.read() as s:
            user = s.get(User, user_id)
            if user is None or not user.is_active:
                return None
            return self._view(s, user)

    # ---- signing in ----------------------------------------------------------------------------------

    def authenticate(self, username: str, password: str, client_addr: str | None = None) -> AccountView:
        """Return the account, or raise :class:`LoginRefused` (and record why) — nothing else."""
        now = self.clock()
        username = (username or "").strip()
        with self.db.read() as s:
            user = s.scalar(select(User).where(User.username == username)) if username else None
            if user is None:
                verify_password(_DUMMY_HASH, password or "")
                self._record_failure(None, username, "unknown_user", client_addr, now)
                raise LoginRefused("用户名或密码不正确。")
            user_id, password_hash = user.id, user.password_hash
            active, locked_until = user.is_active, user.locked_until
        if locked_until is not None and locked_until > now:
            self._record_failure(user_id, username, "locked", client_addr, now)
            raise LoginRefused(
                f"该账户因连续 {self.max_failures} 次密码错误已被暂时锁定，请于 {_china_time(locked_until)} 后再试，"
                "或联系系统管理员。",
                locked_until,
            )
        if not verify_password(password_hash, password or ""):
            locked = self._count_failure(user_id, now)
            self._record_failure(user_id, username, "bad_password", client_addr, now)
            if locked is not None:
                raise LoginRefused(
                    f"密码连续错误 {self.max_failures} 次，账户已锁定 {self.lock_minutes} 分钟"
                    f"（至 {_china_time(locked)}）。",
                    locked,
                )
            raise LoginRefused("用户名或密码不正确。")
        if not active:
            self._record_failure(user_id, username, "disabled", client_addr, now)
            raise LoginRefused("该账户已停用，请联系系统管理员。")
        with self.db.write() as s:
            s.execute(update(User).where(User.id == user_id).values(failed_logins=0, locked_until=None))
            user = s.get(User, user_id)
            assert user is not None
            return self._view(s, user)

    def _count_failure(self, user_id: int, now: dt.datetime) -> dt.datetime | None:
        """Add one failure (atomically, so parallel guesses all count); lock at the limit."""
        with self.db.write() as s:
            s.execute(update(User).where(User.id == user_id).values(failed_logins=User.failed_logins + 1))
            failures = s.scalar(select(User.failed_logins).where(User.id == user_id)) or 0
            if failures >= self.max_failures:
                until = now + dt.timedelta(minutes=self.lock_minutes)
                s.execute(update(User).where(User.id == user_id).values(failed_logins=0, locked_until=until))
                return until
            return None

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
        with self.db.write() as s:
            user = s.get(User, user_id)
            if user is None or not user.is_active:
                raise PermissionDenied("用户不存在或已停用。")
            if not verify_password(user.password_hash, current or ""):
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
            user.failed_logins = 0
            user.locked_until = None
            s.flush()
            audit.append(
                s,
                at=now,
                kind="password_change",
                actor_id=user.id,
                actor_name=user.display_name,
                client_addr=client_addr,
            )
            return self._view(s, user)

    # ---- administrators ------------------------------------------------------------------------------

    def reset_password(
        self, admin_id: int, user_id: int, new: str, confirm: str, client_addr: str | None = None
    ) -> None:
        """Give a user a new password (they forgot theirs); it also lifts a lockout and ends their sessions."""
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
            user.password_hash = hash_password(new)  # a new fingerprint: the user's open sessions end
            user.failed_logins = 0
            user.locked_until = None
            admin_event(
                s,
                admin,
                "password_reset",
                now,
                comment=f"重置 {user.username}（{user.display_name}）的密码",
                data={"user_id": user.id},
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
            if active:
                user.failed_logins, user.locked_until = 0, None
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
