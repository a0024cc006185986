"""Personal API tokens: created and revoked by their owner (web UI) or an operator (CLI); checked per request.

A token reads ``fe_<prefix>_<secret>``: ``prefix`` is 8 public hex characters that find the row (and let a
person tell their tokens apart), ``secret`` is 32 random bytes, URL-safe. Only the SHA-256 of the whole
token is stored; :meth:`ApiTokens.create` returns the token once and nobody can show it again. A fast hash
is enough here (unlike passwords): the secret has 256 bits of entropy, so there is nothing to guess.

A token acts as its owner, with exactly the owner's roles: the service decides what it may see and do, as
for a signed-in person. A revoked token, or one whose owner was disabled, authenticates nobody. Creating
and revoking are audit events on the system chain (never the secret, only the prefix and name).
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
from flowengine.errors import NotFound, PermissionDenied, ValidationFailed
from flowengine.persistence.db import Database
from flowengine.persistence.models import ApiToken, User
from flowengine.service import audit

SCHEME = "fe"
_TOKEN = re.compile(r"^fe_([0-9a-f]{8})_([A-Za-z0-9_-]{43})$")
MAX_NAME_LENGTH = 100
#: ``last_used_at`` is written at most this often per token, so reading the API is not a write per request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


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

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class NewToken:
    """A token just created: ``token`` is the only time the secret exists outside its owner's hands."""

    view: TokenView
    token: str


def _view(t: ApiToken) -> TokenView:
    return TokenView(t.id, t.user_id, t.name, t.prefix, t.created_at, t.last_used_at, t.revoked_at)


class ApiTokens:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def _owner(self, s: Session, user_id: int) -> User:
        user = s.get(User, user_id)
        if user is None or not user.is_active:
            raise PermissionDenied("用户不存在或已停用。")
        return user

    def create(self, user_id: int, name: str, client_addr: str | None = None) -> NewToken:
        """A new token for ``user_id`` named ``name`` (what it is for, e.g. 报表脚本)."""
        name = (name or "").strip()
        if not name:
            raise ValidationFailed({"name": "请填写令牌名称（用途）"}, "令牌未创建。")
        if len(name) > MAX_NAME_LENGTH:
            raise ValidationFailed({"name": f"名称不能超过 {MAX_NAME_LENGTH} 个字"}, "令牌未创建。")
        now = self.clock()
        with self.db.write() as s:
            user = self._owner(s, user_id)
            while True:
                prefix = secrets.token_hex(4)
                if s.scalar(select(ApiToken.id).where(ApiToken.prefix == prefix)) is None:
                    break
            token = f"{SCHEME}_{prefix}_{secrets.token_urlsafe(32)}"
            row = ApiToken(
                user_id=user.id, name=name, prefix=prefix, token_hash=token_hash(token), created_at=now
            )
            s.add(row)
            s.flush()
            audit.append(
                s,
                at=now,
                kind="token_create",
                actor_id=user.id,
                actor_name=user.display_name,
                data={"token_id": row.id, "name": name, "prefix": prefix},
                client_addr=client_addr,
            )
            return NewToken(_view(row), token)

    def list_for(self, user_id: int) -> list[TokenView]:
        """The user's tokens, newest first, revoked ones included (so a person sees what was revoked)."""
        with self.db.read() as s:
            rows = s.scalars(
                select(ApiToken)
                .where(ApiToken.user_id == user_id)
                .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
            )
            return [_view(t) for t in rows]

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
                return _view(row)
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
            return _view(row)

    def authenticate(self, token: str | None) -> int | None:
        """The id of the active user this token belongs to, or None (malformed, unknown, revoked, disabled)."""
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
                    User.is_active,
                )
                .join(User, User.id == ApiToken.user_id)
                .where(ApiToken.prefix == found.group(1))
            ).one_or_none()
        if row is None or not hmac.compare_digest(row.token_hash, token_hash(token or "")):
            return None
        if row.revoked_at is not None or not row.is_active:
            return None
        if row.last_used_at is None or now - row.last_used_at >= LAST_USED_RESOLUTION:
            with self.db.write() as s:
                s.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
        return int(row.user_id)


__all__ = ["ApiTokens", "NewToken", "TokenView", "token_hash"]
