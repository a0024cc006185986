"""Version 1 of ``branch_election`` (stored before the definition language had procedure ``params``): what
its rules read by fixed step names then is stated here, so that a request still on version 1 runs as before."""

from __future__ import annotations

from typing import Any

from flowengine.procedures import _legacy


def upgrade_v1(plain: dict[str, Any]) -> dict[str, Any]:
    d = _legacy.copied(plain)
    d["params"] = {
        "members": "record_study.full_members",
        "seats": "submit_request1.committee_size",
        "candidates": "submit_request2.candidates",
        "first_round": "record_vote",
        "additional_round": "record_additional_vote",
    }
    d["term_watch"] = {"role": "renews", "completed": "批复③"}
    _legacy.set_documents(
        d,
        {
            "request1": ("up", "document_number"),
            "reply1": ("down", "reply_number"),
            "request2": ("up", "document_number"),
            "reply2": ("down", "reply_number"),
            "report": ("up", "document_number"),
            "reply3": ("down", "reply_number"),
        },
    )
    _legacy.rename(d, "predicate", "election_incomplete", "additional_vote_needed")
    _legacy.add_params(
        d,
        "check",
        "leaders_among_approved",
        {
            "approved_secretary": "submit_request2.secretary_candidate",
            "approved_deputies": "submit_request2.deputy_candidates",
        },
    )
    return d


UPGRADES = {("branch_election", 1): upgrade_v1}
