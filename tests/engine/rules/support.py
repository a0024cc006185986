"""Build the context a rule sees, with the shipped definitions' setting defaults, and run one rule."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from functools import cache
from typing import Any

from flowengine.definitions.loader import load_file
from flowengine.engine.checks import CHECKS, PREDICATES, CheckContext, load_rules
from flowengine.engine.roles import OrgInfo
from flowengine.engine.vocabulary import vocabulary
from flowengine.errors import CheckFailure
from tests.conftest import SHIPPED_WORKFLOWS

TODAY = dt.date(2026, 11, 10)


@cache
def defaults(workflow: str) -> Mapping[str, Any]:
    """The setting defaults as the shipped YAML declares them (the rules' defaults are those)."""
    return load_file(SHIPPED_WORKFLOWS / f"{workflow}.yaml", vocabulary()).setting_defaults()


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
    )


def run(name: str, ctx: CheckContext, **params: Any) -> CheckFailure | None:
    """Run check ``name`` with ``params``; a bare string reason comes back as a CheckFailure too."""
    load_rules()
    result = CHECKS[name](dataclasses.replace(ctx, params=params))
    if isinstance(result, str):
        return CheckFailure(name, result)
    return result


def holds(name: str, ctx: CheckContext) -> bool:
    load_rules()
    return bool(PREDICATES[name](ctx))
