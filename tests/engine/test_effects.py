"""Effects: named, registered, checked by the loader, and limited to the fields a procedure may change."""

from __future__ import annotations

import datetime as dt

import pytest

from flowengine.definitions.loader import load_text
from flowengine.engine.checks import CheckContext, OrgUpdate, run_effects
from flowengine.engine.roles import OrgInfo
from flowengine.errors import DefinitionError
from flowengine.registry import vocabulary
from tests.support.paths import FIXTURE_WORKFLOWS

SOURCE = (FIXTURE_WORKFLOWS / "leave_request.yaml").read_text(encoding="utf-8")
APPROVE = "  - {name: approve, title: 批准, from: review, to: approved, role: reviewer, kind: approve, documents: [approval]}\n"


def with_effects(effects: str) -> str:
    assert APPROVE in SOURCE
    return SOURCE.replace(APPROVE, APPROVE.rstrip("}\n") + f", effects: {effects}}}\n")


def test_loader_knows_registered_effects_and_refuses_others() -> None:
    d = load_text(
        with_effects("[{name: set_org_date, params: {field: term_end, value: submit.last_day}}]"),
        "ok.yaml",
        vocabulary(),
    )
    [ref] = d.action("approve").effects
    assert (ref.name, dict(ref.params)) == ("set_org_date", {"field": "term_end", "value": "submit.last_day"})
    with pytest.raises(DefinitionError) as err:
        load_text(with_effects("[no_such_effect]"), "bad.yaml", vocabulary())
    [problem] = err.value.problems
    assert (problem.path, problem.message) == ("actions[3].effects[0]", "unknown effect 'no_such_effect'")


def test_effects_declare_changes_without_applying_them() -> None:
    ctx = CheckContext(
        OrgInfo(1, "支部", "branch"),
        {},
        {"submit": {"last_day": "2027-03-31"}},
        {},
        dt.date(2026, 9, 21),
        "approve",
    )
    d = load_text(
        with_effects("[{name: set_org_date, params: {field: term_end, value: submit.last_day}}]"),
        "ok.yaml",
        vocabulary(),
    )
    [(name, change)] = run_effects(d.action("approve").effects, ctx)
    assert name == "set_org_date" and dict(change.changes) == {"term_end": dt.date(2027, 3, 31)}


def test_an_effect_cannot_touch_other_organization_fields() -> None:
    with pytest.raises(ValueError, match="term_end, term_start"):
        OrgUpdate({"full_members": 3})
