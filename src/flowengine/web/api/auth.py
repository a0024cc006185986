"""Who is calling: the owner of the personal API token sent as ``Authorization: Bearer``.

Only the token counts — never the session cookie — so a page in someone's browser cannot be tricked into
calling the API (which is why the API needs no CSRF token). The service decides what the owner may see
and do, exactly as for the same person in the web UI; a read-only token may only read (GET). After many
bad tokens from one address, that address must wait (429, ``Retry-After``) before its next attempt.
"""

from __future__ import annotations

from flask import g, request

from flowengine.service import Actor, TooManyAttempts
from flowengine.web.api.errors import ApiError
from flowengine.web.context import services

#: What a read-only token may send.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def authenticate() -> None:
    """Set the caller for this request, or refuse it with 401 (the same answer for every bad token)."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        raise ApiError(401, "unauthorized", "缺少 API 令牌：请以 Authorization: Bearer <令牌> 发送。")
    try:
        grant = services().tokens.authenticate(
            token.strip() if scheme.lower() == "bearer" else "", request.remote_addr
        )
    except TooManyAttempts as exc:
        raise ApiError(429, exc.code, exc.message, headers={"Retry-After": str(exc.retry_after)}) from None
    if grant is None:
        raise ApiError(401, "unauthorized", "API 令牌无效、已过期、已吊销，或其所属用户已停用。")
    if grant.read_only and request.method not in READ_METHODS:
        raise ApiError(403, "read_only_token", "此 API 令牌为只读令牌，只能读取（GET），不能修改任何数据。")
    g.api_user_id = grant.user_id


def caller_id() -> int:
    return int(g.api_user_id)


def caller() -> Actor:
    """The caller as the audit trail records them."""
    return Actor(caller_id(), request.remote_addr)


__all__ = ["authenticate", "caller", "caller_id"]
