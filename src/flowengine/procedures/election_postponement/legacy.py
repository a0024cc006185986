"""Version 1 of ``election_postponement``: its documents' direction and number field, as the code read them."""

from __future__ import annotations

from typing import Any

from flowengine.procedures import _legacy


def upgrade_v1(plain: dict[str, Any]) -> dict[str, Any]:
    d = _legacy.copied(plain)
    d["term_watch"] = {"role": "shifts"}
    _legacy.set_documents(d, {"request": ("up", "document_number"), "reply": ("down", "reply_number")})
    return d


UPGRADES = {("election_postponement", 1): upgrade_v1}
