"""Personal API tokens: created and revoked by their owner (web UI) or an operator (CLI); checked per request.

A token reads ``fe_<prefix>_<secret>``: ``prefix`` is 8 public hex characters that find the row (and let a
person tell their tokens apart), ``secret`` is 32 random bytes, URL-safe. Only the SHA-256 of the whole
token is stored; :meth:`ApiTokens.create` returns the token once and nobody can show it again. A fast hash
is enough here (unlike passwords): the secret has 256 bits of entropy, so there is nothing to guess.

A token acts as its owner, with the owner's roles: the service decides what it may see and do, as for a
signed-in person. A ``read`` token may only read (the API refuses anything but GET with it); a ``write``
token may do what its owner may. Every token expires (FLOWENGINE_TOKEN_DAYS by default, at most
FLOWENGINE_TOKEN_MAX_DAYS). A revoked or expired token, or one whose owner was disabled, authenticates
nobody; a password change or reset revokes all of its owner's tokens. An administrator can list and revoke
anyone's tokens. Failed authentications are counted per client address (:mod:`.throttle`), so a script
trying tokens is slowed down. Creating and revoking are audit events on the system chain (never the
secret, only the prefix and name).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from flowengine.clock import Clock
from flowengine.config import SecuritySettings
from flowengine.errors import NotFound, PermissionDenied, ValidationFailed
from flowengine.persistence.db import Database
from flowengine.persistence.models import ApiToken, User
from flowengine.service import audit
from flowengine.service.identity.admins import require_admin
from flowengine.service.identity.throttle import Throttle

SCHEME = "fe"
_TOKEN = re.compile(r"^fe_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")
MAX_NAME_LENGTH = 100
#: ``last_used_at`` is written at most this often per token, so reading the API is not a write per request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
#: What a token may do: ``read`` (GET only) or ``write`` (whatever its owner may).
SCOPES = {"read": "只读", "write": "读写"}


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenView:
    """A token as its owner's list shows it: never the secret, never the hash."""

    id: int
    user_id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    expires_at: dt.datetime
    scope: str
    #: Whether it had expired when this view was read.
    expired: bool
    owner_username: str = ""
    owner_name: str = ""

    @property
    def active(self) -> bool:
        return self.revoked_at is None and not self.expired

    @property
    def scope_title(self) -> str:
        return SCOPES.get(self.scope, self.scope)


@dataclass(frozen=True)
class TokenGrant:
    """Who a valid token acts for, and what it may do."""

    user_id: int
    scope: str

    @property
    def read_only(self) -> bool:
        return self.scope != "write"


@dataclass(frozen=True)
class NewToken:
    """A token just created: ``token`` is the only time the secret exists outside its owner's hands."""

    view: TokenView
    token: str


def _view(t: ApiToken, now: dt.datetime, owner: User | None = None) -> TokenView:
    return TokenView(
        t.id,
        t.user_id,
        t.name,
        t.prefix,
        t.created_at,
        t.last_used_at,
        t.revoked_at,
        t.expires_at,
        t.scope,
        t.expires_at <= now,
        owner.username if owner else "",
        owner.display_name if owner else "",
    )


def revoke_all_tokens(s: Session, user_id: int, now: dt.datetime) -> int:
    """Revoke every unrevoked token of ``user_id`` in the caller's transaction (password change, reset)."""
    result = s.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


class ApiTokens:
    def __init__(
        self, db: Database, clock: Clock, throttle: Throttle, settings: SecuritySettings | None = None
    ) -> None:
        self.db = db
        self.clock = clock
        self.throttle = throttle
        settings = settings or SecuritySettings()
        self.default_days = settings.token_default_days
        self.max_days = settings.token_max_days

    def _owner(self, s: Session, user_id: int) -> User:
        user = s.get(User, user_id)
        if user is None or not user.is_active:
            raise PermissionDenied("用户不存在或已停用。")
        return user

    def create(
        self,
        user_id: int,
        name: str,
        client_addr: str | None = None,
        *,
        days: int | None = None,
        scope: str = "write",
    ) -> NewToken:
        """A new token for ``user_id`` named ``name`` (what it is for, e.g. 报表脚本), valid ``days`` days."""
        name = (name or "").strip()
        errors = {}
        if not name:
            errors["name"] = "请填写令牌名称（用途）"
        elif len(name) > MAX_NAME_LENGTH:
            errors["name"] = f"名称不能超过 {MAX_NAME_LENGTH} 个字"
        days = self.default_days if days is None else days
        if not 1 <= days <= self.max_days:
            errors["days"] = f"有效期应为 1–{self.max_days} 天"
        if scope not in SCOPES:
            errors["scope"] = "权限应为只读或读写"
        if errors:
            raise ValidationFailed(errors, "令牌未创建。")
        now = self.clock()
        with self.db.write() as s:
            user = self._owner(s, user_id)
            while True:
                prefix = secrets.token_hex(4)
                if s.scalar(select(ApiToken.id).where(ApiToken.prefix == prefix)) is None:
                    break
            token = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
            row = ApiToken(
                user_id=user.id,
                name=name,
                prefix=prefix,
                token_hash=token_hash(token),
                created_at=now,
                expires_at=now + dt.timedelta(days=days),
                scope=scope,
            )
            s.add(row)
            s.flush()
            audit.append(
                s,
                at=now,
                kind="token_create",
                actor_id=user.id,
                actor_name=user.display_name,
                data={"token_id": row.id, "name": name, "prefix": prefix, "scope": scope, "days": days},
                client_addr=client_addr,
            )
            return NewToken(_view(row, now), token)

    def list_for(self, user_id: int) -> list[TokenView]:
        """The user's tokens, newest first, revoked ones included (so a person sees what was revoked)."""
        now = self.clock()
        with self.db.read() as s:
            rows = s.scalars(
                select(ApiToken)
                .where(ApiToken.user_id == user_id)
                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
            )
            return [_view(t, now) for t in rows]

    def list_all(self, admin_id: int, *, active_only: bool = True) -> list[TokenView]:
        """Every user's tokens for an administrator (active ones only unless asked), newest first."""
        now = self.clock()
        with self.db.read() as s:
            require_admin(s, admin_id)
            q = (
                select(ApiToken, User)
                .join(User, User.id == ApiToken.user_id)
                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
            )
            if active_only:
                q = q.where(ApiToken.revoked_at.is_(None), ApiToken.expires_at > now)
            return [_view(t, now, u) for t, u in s.execute(q)]

    def revoke_any(self, admin_id: int, token_id: int, client_addr: str | None = None) -> TokenView:
        """An administrator revokes anyone's token (a leaked one, a departed colleague's script)."""
        with self.db.read() as s:
            require_admin(s, admin_id)
            owner = s.scalar(select(ApiToken.user_id).where(ApiToken.id == token_id))
        if owner is None:
            raise NotFound(f"令牌 {token_id} 不存在。")
        return self.revoke(token_id, owner, actor_id=admin_id, client_addr=client_addr)

    def revoke(
        self, token_id: int, user_id: int, *, actor_id: int | None = None, client_addr: str | None = None
    ) -> TokenView:
        """Revoke token ``token_id`` of ``user_id``; revoking a revoked token changes nothing.

        ``actor_id`` is who revokes it when not the owner (an operator through the CLI); the UI passes
        only the signed-in person's own id, so nobody revokes another person's token there.
        """
        now = self.clock()
        with self.db.write() as s:
            row = s.get(ApiToken, token_id)
            if row is None or row.user_id != user_id:
                raise NotFound(f"令牌 {token_id} 不存在。")
            if row.revoked_at is not None:
                return _view(row, now)
            row.revoked_at = now
            s.flush()
            actor = s.get(User, actor_id if actor_id is not None else user_id)
            audit.append(
                s,
                at=now,
                kind="token_revoke",
                actor_id=actor.id if actor else None,
                actor_name=actor.display_name if actor else None,
                data={"token_id": row.id, "name": row.name, "prefix": row.prefix, "owner_id": user_id},
                client_addr=client_addr,
            )
            return _view(row, now)

    def authenticate(self, token: str | None, client_addr: str | None = None) -> TokenGrant | None:
        """What the token grants, or None (malformed, unknown, revoked, expired, owner disabled).

        Raises :class:`~flowengine.service.identity.throttle.TooManyAttempts` while the client's address
        must wait after too many failures; each None counts as one.
        """
        keys = self.throttle.keys("token", client_addr)
        self.throttle.check(keys)
        grant = self._grant(token)
        if grant is None:
            self.throttle.fail(keys)
        return grant

    def _grant(self, token: str | None) -> TokenGrant | None:
        found = _TOKEN.match(token or "")
        if found is None:
            return None
        now = self.clock()
        with self.db.read() as s:
            row = s.execute(
                select(
                    ApiToken.id,
                    ApiToken.user_id,
                    ApiToken.token_hash,
                    ApiToken.last_used_at,
                    ApiToken.revoked_at,
                    ApiToken.expires_at,
                    ApiToken.scope,
                    User.is_active,
                )
                .join(User, User.id == ApiToken.user_id)
                .where(ApiToken.prefix == found.group(1))
            ).one_or_none()
        if row is None or not hmac.compare_digest(row.token_hash, token_hash(token or "")):
            return None
        if row.revoked_at is not None or row.expires_at <= now or not row.is_active:
            return None
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
            with self.db.write() as s:
                s.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
        return TokenGrant(int(row.user_id), row.scope)


__all__ = ["SCOPES", "ApiTokens", "NewToken", "TokenGrant", "TokenView", "revoke_all_tokens", "token_hash"]
