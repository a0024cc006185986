"""The procedure diagram: Mermaid text from the definition, the current step and the path highlighted."""

from __future__ import annotations

from flowengine.service import Services
from flowengine.service.requests import diagrams


def test_states_titles_roles_edges_and_highlight(services: Services) -> None:
    d = services.catalog.latest("leave_request")
    text = diagrams.mermaid(d, current="review", visited=["drafting", "review"])
    assert text.startswith("stateDiagram-v2\n")
    assert 'state "上级审核｜上级审核人" as s_review' in text
    assert "[*] --> s_drafting" in text and "s_approved --> [*]" in text
    assert (
        "s_drafting --> s_leader_review : 提交申请" in text and "s_drafting --> s_review : 提交申请" in text
    )
    assert "class s_review current" in text and "class s_drafting visited" in text
    assert "class s_review visited" not in text


def test_labels_cannot_break_the_mermaid_syntax() -> None:
    assert diagrams._label('a"b:c;d\ne|f{g}') == "a b c d e f g"
    assert diagrams._label(":::") == "-"
