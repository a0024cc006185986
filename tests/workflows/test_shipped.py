"""The shipped procedures validate, and their diagrams show every state reachable with a way out.

The loader already refuses unreachable states and dead ends; these tests read the same facts off the
Mermaid diagram the UI shows, so a change to either the loader or the diagram that hid a state would fail.
"""

from __future__ import annotations

import re

import pytest

from flowengine.definitions.loader import load_file
from flowengine.definitions.model import WorkflowDefinition
from flowengine.registry import vocabulary
from flowengine.service.catalog import validate_paths
from flowengine.service.requests.diagrams import mermaid
from tests.support.paths import SHIPPED_WORKFLOWS

PROCEDURES = ["branch_election", "election_postponement", "major_decision", "member_recruitment"]
EDGE = re.compile(r"^\s*(\[\*\]|s_\w+) --> (\[\*\]|s_\w+)")


def shipped(name: str) -> WorkflowDefinition:
    return load_file(SHIPPED_WORKFLOWS / f"{name}.yaml", vocabulary())


def test_every_shipped_file_validates() -> None:
    loaded, problems = validate_paths([SHIPPED_WORKFLOWS])
    assert problems == []
    assert sorted(d.name for d in loaded) == sorted(PROCEDURES)


@pytest.mark.parametrize("name", PROCEDURES)
def test_diagram_shows_every_state_reachable_and_a_way_out(name: str) -> None:
    d = shipped(name)
    edges: dict[str, set[str]] = {}
    for line in mermaid(d).splitlines():
        m = EDGE.match(line)
        if m:
            edges.setdefault(m.group(1), set()).add(m.group(2))
    reached, todo = {"[*]"}, ["[*]"]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in reached:
                reached.add(nxt)
                todo.append(nxt)
    for s in d.states:
        node = f"s_{s.name}"
        assert node in reached, f"{s.name} is unreachable"
        assert edges.get(node), f"{s.name} has no way out"
        assert ("[*]" in edges[node]) is s.final


@pytest.mark.parametrize("name", PROCEDURES)
def test_every_deadline_counts_working_days_and_is_configurable(name: str) -> None:
    """Deadlines are in working days, except those the rules state in months (发展党员: a talk within one
    month, an approval within three)."""
    d = shipped(name)
    deadlines = [s for s in d.states if s.deadline]
    assert deadlines
    for s in deadlines:
        unit = "months" if name == "member_recruitment" else "working_days"
        assert s.deadline is not None and s.deadline.unit == unit
        assert s.deadline.days_setting in d.settings, s.name
        assert d.settings[s.deadline.days_setting].default == s.deadline.days, s.name


@pytest.mark.parametrize("name", PROCEDURES)
def test_returns_give_reasons_and_ui_text_is_chinese(name: str) -> None:
    d = shipped(name)
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for a in d.actions:
        assert cjk.search(a.title), a.name
        if a.kind == "return":
            assert a.comment_required, a.name
        for f in a.form:
            assert cjk.search(f.label), f"{a.name}.{f.name}"
    for s in d.states:
        assert cjk.search(s.title), s.name
    for setting in d.settings.values():
        assert cjk.search(setting.description), setting.name


def test_both_election_paths_are_in_the_diagram() -> None:
    d = shipped("branch_election")
    text = mermaid(d)
    for step in ("s_drafting_request1_nc", "s_election_meeting_nc", "s_additional_vote", "s_first_meeting"):
        assert step in text
    loop = [a for a in d.actions if a.name == "record_additional_vote"]
    assert loop and "additional_vote" in loop[0].sources and "additional_vote" in loop[0].destinations
