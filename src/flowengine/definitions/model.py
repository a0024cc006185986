"""Frozen objects a validated workflow definition is made of.

They are what the engine, the service and the UI read; nothing downstream ever looks at raw YAML, so a
definition that loaded is a definition every layer can trust.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from flowengine.definitions.params import RuleSpec
from flowengine.vocabulary import ActionKind, InstanceStatus

FIELD_TYPES = (
    "string",
    "text",
    "integer",
    "number",
    "boolean",
    "date",
    "month",
    "choice",
    "multichoice",
    "list",
)
ROLE_RELATIONS = ("self", "parent", "approver")
DEADLINE_UNITS = ("working_days", "calendar_days", "months", "years")
ESCALATIONS = ("notify", "reassign", "co_approve")
ACTION_KINDS = tuple(ActionKind)
FINAL_OUTCOMES = tuple(s for s in InstanceStatus if s is not InstanceStatus.ACTIVE)
#: Which way a document goes: up to the superior (请示, 报告), down from it (批复), or inside the organization
#: (会议纪要): it decides who issues the document, to whom, and who signs it.
DIRECTIONS = ("up", "down", "internal")
#: What one signer's return does on a countersign step: ``dissent`` records it (the step goes on), ``step``
#: returns the whole step through the countersign's ``return_action``.
ON_RETURN = ("dissent", "step")

#: What a procedure does to the term watch: ``renews`` (starting it answers the watch, completing it starts
#: a new term) or ``shifts`` (an approved request moves the current term's end).
TERM_ROLES = ("renews", "shifts")
#: What a request may be about besides its organization.
SUBJECT_KINDS = ("person",)


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class FieldDef:
    name: str
    label: str
    type: str
    required: bool = False
    help: str = ""
    min: Any = None
    max: Any = None
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    options: tuple[Option, ...] = ()
    min_items: int | None = None
    max_items: int | None = None
    fields: tuple[FieldDef, ...] = ()
    prefill: str | None = None
    line: int | None = None

    def option_label(self, value: str) -> str:
        for opt in self.options:
            if opt.value == value:
                return opt.label
        return value


@dataclass(frozen=True)
class RoleDef:
    """A role of the procedure, resolved relative to the request's organization.

    ``role`` is an organization-wide role name (secretary, handler, ...); ``of`` says which organization
    it is held in: the request's own (``self``), its parent, or its approving body (``approver``, which
    the organization tree may set apart from the parent).
    """

    key: str
    title: str
    role: str
    of: str


@dataclass(frozen=True)
class Deadline:
    days: int
    unit: str
    reminders: tuple[int, ...] = ()
    escalate_to: str | None = None
    escalation: str = "notify"
    days_setting: str | None = None
    #: A ``step.field`` date the period counts from (e.g. the day of the meeting whose decision awaits
    #: approval) instead of the day the task was opened; the opening day when the field is empty.
    start: str | None = None


@dataclass(frozen=True)
class Period:
    """A stretch of time added to (``plus``) or taken from (``before``) a timer's day: ``days`` of ``unit``,
    from a setting (``days_setting``) or from a whole-number form field (``days_field``, ``step.field``)."""

    days: int
    unit: str
    days_setting: str | None = None
    days_field: str | None = None


@dataclass(frozen=True)
class Countersign:
    """Several signers on one step (会签/或签/比例签), in parallel with the step's own assignee.

    ``signers`` are role keys (resolved relative to the request as any role); ``people`` a ``step.field``
    naming a list of people the previous actor chose (rows with a ``user`` column holding usernames).
    ``required`` is how many approvals complete it: ``None`` for all of them, else a whole number or the
    fraction ``required_fraction`` of the signers (rounded up). The step's own actions wait until it is
    complete; ``then`` (an action of the state) is taken by the system the moment it is.
    """

    title: str
    signers: tuple[str, ...] = ()
    people: str | None = None
    required: int | None = None
    required_fraction: str | None = None
    on_return: str = "dissent"
    return_action: str | None = None
    then: str | None = None
    form: tuple[FieldDef, ...] = ()
    checks: tuple[CheckRef, ...] = ()

    def needed(self, signers: int) -> int:
        """Approvals that complete the step out of ``signers`` signers."""
        if self.required_fraction:
            num, _, den = self.required_fraction.partition("/")
            return max(1, -(-signers * int(num) // int(den)))
        if self.required is not None:
            return min(self.required, signers)
        return signers


@dataclass(frozen=True)
class TimerDef:
    """A step that ends by itself: ``days`` of ``unit`` after the state is entered (or after the date in
    ``start``, a ``step.field``), the system takes ``fire`` — or, with ``remind``, reminds the assignee."""

    days: int
    unit: str
    days_setting: str | None = None
    start: str | None = None
    fire: str | None = None
    remind: str | None = None
    #: A further period added after ``days`` (an extension decided later, whose length is a form field).
    plus: Period | None = None
    #: A period taken off the end: a reminder one month before a period of a year is over.
    before: Period | None = None
    #: A ``step.field`` whole number of ``unit`` used instead of ``days`` when the step has it.
    days_field: str | None = None


@dataclass(frozen=True)
class StateDef:
    name: str
    title: str
    initial: bool = False
    final: bool = False
    outcome: str | None = None
    assignee: str | None = None
    deadline: Deadline | None = None
    description: str = ""
    line: int | None = None
    countersign: Countersign | None = None
    #: The state's timers (``timer:`` in YAML, one or a list): each fires an action or reminds, once.
    timers: tuple[TimerDef, ...] = ()

    @property
    def timer(self) -> TimerDef | None:
        """The state's first timer (most states have at most one)."""
        return self.timers[0] if self.timers else None


@dataclass(frozen=True)
class CheckRef:
    """A use of a named rule (check, predicate or effect) with its parameters, defaults applied.

    ``spec`` is the rule the loader resolved the name to (its parameter types and its function), so nothing
    looks a rule up by name while a request is being acted on.
    """

    name: str
    params: Mapping[str, Any] = field(default_factory=lambda: _frozen(None))
    spec: RuleSpec | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Branch:
    """One destination of an action; the first branch whose predicates hold is taken."""

    to: str
    when: tuple[CheckRef, ...] = ()
    unless: tuple[CheckRef, ...] = ()


@dataclass(frozen=True)
class ActionDef:
    name: str
    title: str
    sources: tuple[str, ...]
    branches: tuple[Branch, ...]
    role: str
    kind: str = "submit"
    comment_required: bool = False
    form: tuple[FieldDef, ...] = ()
    checks: tuple[CheckRef, ...] = ()
    documents: tuple[str, ...] = ()
    description: str = ""
    line: int | None = None
    #: Named effects (registered in Python) whose declared changes the service applies once the action has
    #: gone through, in the same transaction: e.g. an approved postponement moves the organization's term.
    effects: tuple[CheckRef, ...] = ()
    #: Role keys automatically copied (抄送) when the action goes through: they may read the request.
    copy_to: tuple[str, ...] = ()

    @property
    def destinations(self) -> tuple[str, ...]:
        return tuple(b.to for b in self.branches)


@dataclass(frozen=True)
class DocumentDef:
    """A document the procedure issues: its title and kind (请示, 批复 …) as printed, which way it goes, and
    the form field in which the acting person may type the number their office gave it."""

    name: str
    title: str
    kind: str
    direction: str = "up"
    number_field: str | None = None

    @property
    def upward(self) -> bool:
        return self.direction == "up"

    @property
    def downward(self) -> bool:
        return self.direction == "down"


@dataclass(frozen=True)
class TermWatchDef:
    """How the procedure answers the term watch (``role`` of :data:`TERM_ROLES`); ``completed`` names what
    completing it means in a phrase (批复③), for the supervision view."""

    role: str
    completed: str = ""


@dataclass(frozen=True)
class SubjectDef:
    """What a request is about when it is not its organization: ``kind`` (``person``), the start-form
    ``fields`` that hold the subject's personal data (kept apart from the step data, read through the access
    policy only) and the field among them that ``names`` it in titles, the inbox, search and supervision."""

    kind: str
    name_field: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class SettingDef:
    name: str
    default: Any
    description: str = ""


@dataclass(frozen=True)
class StartDef:
    role: str
    org_types: tuple[str, ...]
    form: tuple[FieldDef, ...] = ()
    checks: tuple[CheckRef, ...] = ()


@dataclass(frozen=True)
class WorkflowDefinition:
    name: str
    title: str
    version: int
    description: str
    start: StartDef
    roles: Mapping[str, RoleDef]
    states: tuple[StateDef, ...]
    actions: tuple[ActionDef, ...]
    documents: Mapping[str, DocumentDef]
    settings: Mapping[str, SettingDef]
    source: str
    sha256: str
    file: str
    #: The procedure package whose rules and documents the definition uses (its name unless it says).
    package: str = ""
    #: Values of the package's procedure-wide parameters (which step holds what its rules count).
    params: Mapping[str, Any] = field(default_factory=lambda: _frozen(None))
    term_watch: TermWatchDef | None = None
    #: Roles (keys of ``roles``) told every outcome of a request — 退回, 批复, 不予批准, 办结 — besides its
    #: initiator, who always is.
    notify: tuple[str, ...] = ()
    subject: SubjectDef | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.name, self.version)

    @property
    def initial_state(self) -> StateDef:
        return next(s for s in self.states if s.initial)

    def state(self, name: str) -> StateDef:
        for s in self.states:
            if s.name == name:
                return s
        raise KeyError(name)

    def action(self, name: str) -> ActionDef:
        for a in self.actions:
            if a.name == name:
                return a
        raise KeyError(name)

    def actions_from(self, state: str) -> tuple[ActionDef, ...]:
        return tuple(a for a in self.actions if state in a.sources)

    def setting_defaults(self) -> dict[str, Any]:
        return {name: s.default for name, s in self.settings.items()}
