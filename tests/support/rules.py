"""Build the context a rule sees, with the shipped definitions' setting defaults, and run one rule."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from functools import cache
from typing import Any

from flowengine.definitions.loader import load_file
from flowengine.definitions.params import RuleSpec
from flowengine.engine.checks import CheckContext
from flowengine.engine.roles import OrgInfo
from flowengine.errors import CheckFailure
from flowengine.registry import discover, vocabulary
from tests.support.paths import SHIPPED_WORKFLOWS

TODAY = dt.date(2026, 11, 10)


@cache
def defaults(workflow: str) -> Mapping[str, Any]:
    """The setting defaults as the shipped YAML declares them (the rules' defaults are those)."""
    return load_file(SHIPPED_WORKFLOWS / f"{workflow}.yaml", vocabulary()).setting_defaults()


@cache
def procedure_params(workflow: str) -> Mapping[str, Any]:
    """The definition's procedure-wide parameters (which step holds the seats, the candidates …)."""
    return load_file(SHIPPED_WORKFLOWS / f"{workflow}.yaml", vocabulary()).params


def _spec(kind: str, name: str) -> RuleSpec:
    """The rule ``name`` from whichever shipped package (or the common rules) registers it."""
    registry = discover()
    for package in ("", *registry.procedures):
        spec = getattr(registry.book(package), kind).get(name)
        if spec is not None:
            return spec
    raise KeyError(name)


def context(
    workflow: str = "branch_election",
    *,
    form: Mapping[str, Any] | None = None,
    data: Mapping[str, Mapping[str, Any]] | None = None,
    org_type: str = "branch",
    full_members: int = 12,
    action: str = "",
    history: tuple[tuple[str, Mapping[str, Any]], ...] = (),
    settings: Mapping[str, Any] | None = None,
    today: dt.date = TODAY,
    term_start: dt.date | None = None,
    term_end: dt.date | None = None,
) -> CheckContext:
    org = OrgInfo(
        id=1,
        name="测试党组织",
        type=org_type,
        full_members=full_members,
        term_start=term_start,
        term_end=term_end,
    )
    return CheckContext(
        org,
        dict(form or {}),
        dict(data or {}),
        {**defaults(workflow), **(settings or {})},
        today,
        action,
        history=history,
        procedure=procedure_params(workflow),
    )


def run(name: str, ctx: CheckContext, **params: Any) -> CheckFailure | None:
    """Run check ``name`` with ``params`` (its defaults for the rest); a bare reason comes back as a CheckFailure."""
    spec = _spec("checks", name)
    assert spec.fn is not None
    result = spec.fn(dataclasses.replace(ctx, params=spec.effective(params)))
    if isinstance(result, str):
        return CheckFailure(name, result)
    return result


def holds(name: str, ctx: CheckContext, **params: Any) -> bool:
    spec = _spec("predicates", name)
    assert spec.fn is not None
    return bool(spec.fn(dataclasses.replace(ctx, params=spec.effective(params))))
