"""An administrator's view of every user's API tokens: list them, revoke one (a leaked or forgotten one)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from flowengine.service import TokenView
from flowengine.web.api import bp
from flowengine.web.api.auth import caller, caller_id
from flowengine.web.api.params import path_id, str_arg
from flowengine.web.api.serialize import time
from flowengine.web.context import services


def token(t: TokenView) -> dict[str, Any]:
    return {
        "id": t.id,
        "user_id": t.user_id,
        "username": t.owner_username,
        "display_name": t.owner_name,
        "name": t.name,
        "prefix": t.prefix,
        "scope": t.scope,
        "created_at": time(t.created_at),
        "last_used_at": time(t.last_used_at),
        "expires_at": time(t.expires_at),
        "revoked_at": time(t.revoked_at),
        "active": t.active,
    }


@bp.get("/admin/tokens")
def list_tokens() -> Response:
    every = str_arg("all", choices=("0", "1")) == "1"
    tokens = services().tokens.list_all(caller_id(), active_only=not every)
    return jsonify({"items": [token(t) for t in tokens]})


@bp.post("/admin/tokens/<int:token_id>/revoke")
def revoke_token(token_id: int) -> Response:
    revoked = services().tokens.revoke_any(caller_id(), path_id(token_id, "令牌"), caller().client_addr)
    return jsonify(token(revoked))


__all__ = ["list_tokens", "revoke_token"]
