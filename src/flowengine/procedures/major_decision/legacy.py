"""Versions 1 and 2 of ``major_decision``: where the proposal's category and items are, and the documents'
direction and number field, as the code of the time read them."""

from __future__ import annotations

from typing import Any

from flowengine.procedures import _legacy


def upgrade(plain: dict[str, Any]) -> dict[str, Any]:
    d = _legacy.copied(plain)
    d["params"] = {"category": "submit_proposal.category", "items": "submit_proposal.items"}
    _legacy.set_documents(d, {"minutes": ("internal", "minutes_number"), "filing": ("up", None)})
    return d


UPGRADES = {("major_decision", 1): upgrade, ("major_decision", 2): upgrade}
