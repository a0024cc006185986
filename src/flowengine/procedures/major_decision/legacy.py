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


def _fixed_readings(d: dict[str, Any]) -> dict[str, Any]:
    """Before version 4 the 回避 members counted among those entitled, and “半数以上” meant more than half:
    the settings that now say so get those values, so a request on an older version decides as before."""
    settings = d.setdefault("settings", {})
    settings.setdefault(
        "withdrawn_in_denominator", {"default": True, "description": "回避的成员计入表决基数"}
    )
    settings.setdefault("half_inclusive", {"default": False, "description": "半数以上不包含恰好半数"})
    return d


def upgrade_v3(plain: dict[str, Any]) -> dict[str, Any]:
    return _fixed_readings(_legacy.copied(plain))


UPGRADES = {
    ("major_decision", 1): lambda plain: _fixed_readings(upgrade(plain)),
    ("major_decision", 2): lambda plain: _fixed_readings(upgrade(plain)),
    ("major_decision", 3): upgrade_v3,
}
