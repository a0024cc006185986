"""Typed parameters of the named rules a definition uses, and how the loader resolves each against the YAML.

A rule (check, predicate or effect) declares the parameters it takes and their types; a definition gives
their values. The loader resolves every value before anything runs: a field name must be a field of the
form the rule is attached to, ``step.field`` a field of that step's form, an action an action of the
definition, a setting one it declares. A typo is reported with its file, line and YAML path, like every
other problem of a definition, instead of surfacing as a rule that silently never fires.

Parameters may have defaults (a rule's conventional field name, e.g. ``present``); a default is resolved
exactly like a given value, so a definition that lacks the field the rule would read is refused too. A
rule never defaults an *action* name: which step holds what is the definition's to say.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class ParamType(StrEnum):
    #: A field of the form the rule is attached to (``present``).
    FIELD = "field"
    #: A field of the current form, or ``step.field`` of an earlier step (``submit.days``).
    VALUE = "value"
    #: A column of a list field; the list is named by the parameter ``Param.column_of``.
    COLUMN = "column"
    #: The name of an action of the definition.
    ACTION = "action"
    #: The name of a setting the definition declares.
    SETTING = "setting"
    #: A field of the organization an effect may change (``term_start``, ``term_end``).
    ORG_FIELD = "org_field"
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"


#: Organization fields an effect may set (the term dates the term watch reads). Deliberately short:
#: membership numbers and the tree itself are the administrator's, not a procedure's, to change.
ORG_FIELDS = ("term_start", "term_end")


@dataclass(frozen=True)
class Param:
    """One parameter of a rule: its type, whether it must be given, its default, and what it means."""

    type: ParamType
    description: str = ""
    required: bool = True
    default: Any = None
    #: The parameter holds a list of values of ``type``.
    many: bool = False
    #: For :attr:`ParamType.COLUMN`: the parameter that names the list field this column belongs to.
    column_of: str | None = None

    @property
    def has_default(self) -> bool:
        return self.default is not None


def optional(type: ParamType, description: str = "", default: Any = None, **kwargs: Any) -> Param:
    """A parameter that may be left out (``default`` is then used, if any)."""
    return Param(type, description, required=False, default=default, **kwargs)


@dataclass(frozen=True)
class RuleSpec:
    """What a named rule is, for the loader (its parameters) and for people (title and description).

    ``settings`` names the definition settings the rule reads; a definition that uses the rule must declare
    them, so a rule is never silently fed ``None``.
    """

    name: str
    title: str = ""
    description: str = ""
    params: Mapping[str, Param] = field(default_factory=dict)
    settings: tuple[str, ...] = ()
    #: The function that implements the rule (the engine calls it; this layer only carries it).
    fn: Callable[..., Any] | None = field(default=None, compare=False, repr=False)

    def effective(self, given: Mapping[str, Any]) -> dict[str, Any]:
        """The parameters a call receives: the given ones, and every default not overridden."""
        out = {k: p.default for k, p in self.params.items() if p.has_default}
        out.update(given)
        return out


@dataclass(frozen=True)
class FormScope:
    """What a parameter value may refer to where the rule is used: the current form and every step's."""

    current: Mapping[str, Any]  # field name → field spec (plain YAML mapping) of the form the rule sits on
    steps: Mapping[str, Mapping[str, Any]]  # action name (and "start") → its form fields by name
    actions: frozenset[str]
    settings: frozenset[str]


def _field_names(fields: Mapping[str, Any]) -> str:
    return ", ".join(fields) or "none"


def resolve_value(ref: Any, scope: FormScope, *, current_only: bool = False) -> str | None:
    """Why ``ref`` names no field (``None`` when it does): ``field`` or, unless ``current_only``, ``step.field``."""
    if not isinstance(ref, str) or not ref:
        return f"expected a field name, got {ref!r}"
    step, dot, name = ref.partition(".")
    if not dot:
        if ref not in scope.current:
            return f"no field {ref!r} in this form (its fields: {_field_names(scope.current)})"
        return None
    if current_only:
        return f"expected a field of this form, not another step's ({ref!r})"
    if step not in scope.steps:
        return f"no step {step!r} with a form (steps with forms: {', '.join(sorted(scope.steps)) or 'none'})"
    if name not in scope.steps[step]:
        return f"no field {name!r} in the form of {step!r} (its fields: {_field_names(scope.steps[step])})"
    return None


def list_columns(ref: Any, scope: FormScope) -> Mapping[str, Any] | None:
    """The columns (by name) of the list field ``ref`` names, or ``None`` if it names no list field."""
    if not isinstance(ref, str):
        return None
    step, dot, name = ref.partition(".")
    spec = (scope.steps.get(step) or {}).get(name) if dot else scope.current.get(ref)
    if not isinstance(spec, Mapping) or spec.get("type") != "list":
        return None
    return {c["name"]: c for c in spec.get("fields") or []}


def list_columns_of(spec: Any) -> Mapping[str, Any] | None:
    """The columns (by name) of a list field's plain spec, or ``None`` if it is not a list field."""
    if not isinstance(spec, Mapping) or spec.get("type") != "list":
        return None
    return {c["name"]: c for c in spec.get("fields") or []}


def problems(spec: RuleSpec, given: Mapping[str, Any], scope: FormScope) -> list[tuple[list[str], str]]:
    """Every problem of the parameters ``given`` to ``spec`` at ``scope``, as (YAML sub-path, message)."""
    out: list[tuple[list[str], str]] = []
    for key in given:
        if key not in spec.params:
            takes = ", ".join(spec.params) or "no parameters"
            out.append(([key], f"unknown parameter {key!r} of {spec.name!r}; it takes: {takes}"))
    values = spec.effective({k: v for k, v in given.items() if k in spec.params})
    for key, param in spec.params.items():
        if key not in values:
            if param.required:
                out.append(
                    ([], f"{spec.name!r} needs the parameter {key!r} ({param.type}): {param.description}")
                )
            continue
        where = [key] if key in given else []
        shown = "" if key in given else f" (the default of {key!r})"
        items = values[key] if param.many else [values[key]]
        if param.many and not isinstance(values[key], list):
            out.append((where, f"{key!r} must be a list of {param.type} values"))
            continue
        for item in items:
            message = _problem(param, item, values, scope)
            if message:
                out.append((where, message + shown))
    return out


def _problem(param: Param, value: Any, values: Mapping[str, Any], scope: FormScope) -> str | None:
    t = param.type
    if t is ParamType.FIELD:
        return resolve_value(value, scope, current_only=True)
    if t is ParamType.VALUE:
        return resolve_value(value, scope)
    if t is ParamType.COLUMN:
        columns = list_columns(values.get(param.column_of or ""), scope)
        if columns is None:
            return f"{param.column_of!r} must name a list field for its column {value!r} to be checked"
        if value not in columns:
            return f"no column {value!r} in the list {values.get(param.column_of or '')!r} (its columns: {_field_names(columns)})"
        return None
    if t is ParamType.ACTION:
        if value not in scope.actions:
            return f"no action {value!r} in this definition"
        return None
    if t is ParamType.SETTING:
        if value not in scope.settings:
            return f"no setting {value!r}; declare it under settings"
        return None
    if t is ParamType.ORG_FIELD:
        if value not in ORG_FIELDS:
            return f"{value!r} is not an organization field an effect may set ({', '.join(ORG_FIELDS)})"
        return None
    expected: dict[ParamType, tuple[type, ...]] = {
        ParamType.TEXT: (str,),
        ParamType.INTEGER: (int,),
        ParamType.NUMBER: (int, float),
        ParamType.BOOLEAN: (bool,),
    }
    kinds = expected[t]
    if not isinstance(value, kinds) or (t is not ParamType.BOOLEAN and isinstance(value, bool)):
        return f"expected {t}, got {value!r}"
    return None
