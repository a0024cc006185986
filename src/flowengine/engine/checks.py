"""Named rules: checks (guards that must pass, with a reason when they do not), predicates (branch
choosers) and effects (declared changes to the organization), each with typed parameters.

A definition refers to rules by name; the loader resolves each name to its :class:`RuleSpec` (and the
function behind it) in the rule book of the definition's procedure package, so a request being acted on
never looks a rule up by name. Rules are registered in a :class:`RuleSet`: :data:`COMMON` holds those any
procedure may use; each procedure package has its own set, so two packages may name rules alike.

A *check* answers "may this action go ahead?" and, when not, says why in words a secretary understands
(Chinese). A *predicate* answers "which way does the procedure go?" (e.g. places left unfilled → 另行选举)
and never blocks anything. An *effect* says what an action that went through changes outside the request
(e.g. an approved postponement moves the organization's term end); it only *declares* the change as an
:class:`OrgUpdate`, and the service applies it in the same transaction with an audit record, so the
engine stays free of storage.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flowengine.definitions.model import CheckRef
from flowengine.definitions.params import ORG_FIELDS, Param, RuleSpec
from flowengine.engine.roles import OrgInfo
from flowengine.errors import CheckFailure


@dataclass(frozen=True)
class CheckContext:
    """Everything a rule may look at; a frozen snapshot so that rules cannot change state."""

    org: OrgInfo
    form: Mapping[str, Any]
    data: Mapping[str, Mapping[str, Any]]
    settings: Mapping[str, Any]
    today: dt.date
    action: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    #: Every earlier submission of the request, oldest first, as ``(action, form data)``. ``data`` keeps
    #: only the latest submission of each action; rules about repeated steps (rounds of voting) need all.
    history: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    #: The definition's procedure-wide parameters (``params:`` at its top), e.g. which step holds what the rules count.
    procedure: Mapping[str, Any] = field(default_factory=dict)

    def step(self, action: str) -> Mapping[str, Any]:
        """Data submitted by ``action`` (the current form when it is the action being performed)."""
        if action == self.action:
            return self.form
        return self.data.get(action) or {}

    def lookup(self, dotted: str, default: Any = None) -> Any:
        """``action.field`` from the current form or an earlier step; the current form wins."""
        step, _, name = dotted.partition(".")
        return self.step(step).get(name, default)


@dataclass(frozen=True)
class OrgUpdate:
    """A declared change to the request's own organization, applied by the service with an audit record.

    ``changes`` maps a field of :data:`ORG_FIELDS` to its new value; ``reason`` (Chinese) is written to
    the audit trail so that whoever later wonders why a term date moved can see which request moved it.
    """

    changes: Mapping[str, Any]
    reason: str = ""

    def __post_init__(self) -> None:
        unknown = set(self.changes) - set(ORG_FIELDS)
        if unknown:
            raise ValueError(
                f"an effect may only change {', '.join(sorted(ORG_FIELDS))}, not {', '.join(sorted(unknown))}"
            )


CheckResult = str | CheckFailure | None
CheckFn = Callable[[CheckContext], CheckResult]
PredicateFn = Callable[[CheckContext], bool]
EffectFn = Callable[[CheckContext], Iterable[OrgUpdate]]


class RuleSet:
    """The named rules of one package (or :data:`COMMON`), registered with decorators.

    ``@rules.check("quorum", title="到会人数", params={...}, settings=(...))`` registers the function under
    its name with its typed parameters; registering a second function under a taken name is refused.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.checks: dict[str, RuleSpec] = {}
        self.predicates: dict[str, RuleSpec] = {}
        self.effects: dict[str, RuleSpec] = {}

    def _register(
        self,
        table: dict[str, RuleSpec],
        name: str,
        title: str,
        params: Mapping[str, Param] | None,
        settings: Sequence[str],
        description: str,
    ) -> Callable[[Any], Any]:
        def register(fn: Any) -> Any:
            taken = table.get(name)
            if taken is not None and taken.fn is not fn:
                raise ValueError(f"rule {name!r} is registered twice in {self.name!r}")
            table[name] = RuleSpec(name, title, description, dict(params or {}), tuple(settings), fn)
            return fn

        return register

    def check(
        self,
        name: str,
        *,
        title: str,
        params: Mapping[str, Param] | None = None,
        settings: Sequence[str] = (),
        description: str = "",
    ) -> Callable[[CheckFn], CheckFn]:
        return self._register(self.checks, name, title, params, settings, description)

    def predicate(
        self,
        name: str,
        *,
        title: str,
        params: Mapping[str, Param] | None = None,
        settings: Sequence[str] = (),
        description: str = "",
    ) -> Callable[[PredicateFn], PredicateFn]:
        return self._register(self.predicates, name, title, params, settings, description)

    def effect(
        self,
        name: str,
        *,
        title: str,
        params: Mapping[str, Param] | None = None,
        settings: Sequence[str] = (),
        description: str = "",
    ) -> Callable[[EffectFn], EffectFn]:
        return self._register(self.effects, name, title, params, settings, description)


#: Rules any procedure may use (registered by :mod:`flowengine.engine.rules.common`).
COMMON = RuleSet("common")


def _call(ref: CheckRef, ctx: CheckContext) -> Any:
    if ref.spec is None or ref.spec.fn is None:
        raise LookupError(f"rule {ref.name!r} was not resolved by the loader")
    return ref.spec.fn(dataclasses.replace(ctx, params=ref.params))


def run_checks(refs: Iterable[CheckRef], ctx: CheckContext) -> list[CheckFailure]:
    """Run every referenced check and return all failures (so the user sees every reason at once)."""
    failures: list[CheckFailure] = []
    for ref in refs:
        result = _call(ref, ctx)
        if result is None:
            continue
        if isinstance(result, str):
            failures.append(CheckFailure(ref.name, result))
        else:
            failures.append(CheckFailure(ref.name, result.reason, result.field))
    return failures


def holds(ref: CheckRef, ctx: CheckContext) -> bool:
    """Whether the referenced predicate holds."""
    return bool(_call(ref, ctx))


def run_effects(refs: Sequence[CheckRef], ctx: CheckContext) -> list[tuple[str, OrgUpdate]]:
    """The changes every referenced effect declares, each with the effect's name (for the audit record)."""
    out: list[tuple[str, OrgUpdate]] = []
    for ref in refs:
        for change in _call(ref, ctx):
            out.append((ref.name, change))
    return out
