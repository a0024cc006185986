"""YAML → validated, frozen :class:`WorkflowDefinition`, collecting *every* problem with its line.

An administrator who edits a definition wants one run to show everything that is wrong, each with the
file, the line and the YAML path, rather than fixing one error per run. So every stage appends to a list
of problems instead of raising, and the loader raises one :class:`DefinitionError` at the end.

What the loader must know from above (names of roles, checks and predicates) is passed in as a
:class:`Vocabulary`, keeping this package free of the engine.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections import deque
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jsonschema
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from flowengine.definitions.model import (
    ActionDef,
    Branch,
    CheckRef,
    Countersign,
    Deadline,
    DocumentDef,
    FieldDef,
    Option,
    Period,
    RoleDef,
    SettingDef,
    StartDef,
    StateDef,
    SubjectDef,
    TermWatchDef,
    TimerDef,
    WorkflowDefinition,
)
from flowengine.definitions.params import FormScope, Param, RuleSpec, list_columns_of, resolve_value
from flowengine.definitions.params import problems as param_problems
from flowengine.definitions.schema import SCHEMA
from flowengine.errors import DefinitionError, DefinitionProblem


@dataclass(frozen=True)
class RuleBook:
    """What one definition may use from code: rules (with typed parameters), procedure parameters, and
    the documents its package composes. The common rules are in every book; a package adds its own."""

    package: str = ""
    checks: Mapping[str, RuleSpec] = field(default_factory=dict)
    predicates: Mapping[str, RuleSpec] = field(default_factory=dict)
    effects: Mapping[str, RuleSpec] = field(default_factory=dict)
    #: Procedure-wide parameters the package's rules read (``params:`` at the top of the definition).
    params: Mapping[str, Param] = field(default_factory=dict)
    #: Upgrades of stored sources written before the language had a feature, by (definition name,
    #: version): each takes the plain YAML data of that version and returns it in the current language.
    upgrades: Mapping[tuple[str, int], Callable[[dict[str, Any]], dict[str, Any]]] = field(
        default_factory=dict
    )


@dataclass(frozen=True)
class Vocabulary:
    """Names a definition may refer to that are defined in code or configuration, not in YAML.

    ``books`` gives the rule book of a package by name (an unknown package gets the common rules only);
    ``packages`` lists the known packages, so that a definition naming another is refused. ``key`` tells
    vocabularies apart for the cache of built definitions.
    """

    roles: Collection[str] = ()
    org_types: Collection[str] = ()
    books: Callable[[str], RuleBook] = field(default=lambda _name: RuleBook())
    packages: Collection[str] = ()
    key: Hashable = ()

    def book(self, package: str) -> RuleBook:
        return self.books(package)


@dataclass
class _Collector:
    file: str
    root: Any = None
    problems: list[DefinitionProblem] = field(default_factory=list)

    def add(self, path: Sequence[str | int], message: str) -> None:
        self.problems.append(DefinitionProblem(self.file, line_of(self.root, path), _dotted(path), message))


def _dotted(path: Iterable[str | int]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def line_of(root: Any, path: Iterable[str | int]) -> int | None:
    """1-based line of the deepest node of ``path`` that exists in the round-trip YAML tree."""
    node = root
    line: int | None = None
    for key in path:
        if isinstance(node, CommentedMap) and key in node:
            line = node.lc.key(key)[0] + 1
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            line = node.lc.item(key)[0] + 1
            node = node[key]
        else:
            break
    if line is None and isinstance(root, CommentedMap | CommentedSeq):
        line = root.lc.line + 1
    return line


_validator = jsonschema.Draft202012Validator(SCHEMA)


def _plain(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    if node is None:
        return None
    return str(node)  # dates and other YAML scalars are kept as their text


def _schema_message(err: jsonschema.ValidationError) -> str:
    if err.validator == "required":
        return f"missing key: {err.message.split(' is a required')[0]}"
    if err.validator == "enum":
        return f"{err.instance!r} is not one of {', '.join(map(str, err.validator_value))}"
    if err.validator == "pattern":
        return f"{err.instance!r} must match {err.validator_value} (lower-case identifier)"
    if err.validator == "oneOf" and err.context:
        best = jsonschema.exceptions.best_match(err.context)
        return _schema_message(best) if best is not None else err.message
    return err.message


def parse_yaml(text: str, file: str) -> Any:
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(io.StringIO(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or str(exc)
        if "duplicate key" in str(exc):
            found = re.search(r'found duplicate key "([^"]+)"', str(exc))
            what = f"duplicate key {found.group(1)!r}" if found else "duplicate key"
        raise DefinitionError([DefinitionProblem(file, line, "", f"YAML syntax: {what}")]) from exc
    except YAMLError as exc:
        raise DefinitionError([DefinitionProblem(file, None, "", f"YAML syntax: {exc}")]) from exc


def load_file(path: str | Path, vocabulary: Vocabulary) -> WorkflowDefinition:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError([DefinitionProblem(str(p), None, "", f"cannot read file: {exc}")]) from exc
    return load_text(text, str(p), vocabulary)


#: Definitions already built, by (file, source, vocabulary). Every process start, web worker, CLI call and
#: test opens the same few files; the round-trip YAML parse alone costs ~0.3 s a file. The definitions
#: are frozen, so sharing one is safe; a changed file or a different set of procedures is a different key.
_built: dict[tuple[str, str, Hashable], WorkflowDefinition] = {}


def load_text(text: str, file: str, vocabulary: Vocabulary) -> WorkflowDefinition:
    """Validate ``text`` fully and build the definition, or raise with every problem found."""
    key = (file, text, vocabulary.key)
    built = _built.get(key)
    if built is None:
        built = _built[key] = _load_text(text, file, vocabulary)
    return built


def _load_text(text: str, file: str, vocabulary: Vocabulary) -> WorkflowDefinition:
    root = parse_yaml(text, file)
    col = _Collector(file, root)
    if not isinstance(root, CommentedMap):
        col.add([], "a workflow definition must be a mapping with name, title, version, states, actions")
        raise DefinitionError(col.problems)
    plain = _plain(root)
    book = vocabulary.book(str(plain.get("package") or plain.get("name") or ""))
    upgrade = book.upgrades.get((str(plain.get("name")), plain.get("version")))
    if upgrade is not None:
        # A version stored before the language could say something: its package states it now, so that a
        # request running on that version goes on exactly as before (the stored source stays as it was).
        plain = upgrade(plain)
    _deadline_days_once(plain)
    for err in sorted(_validator.iter_errors(plain), key=lambda e: list(map(str, e.absolute_path))):
        path = list(deque(err.absolute_path))
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = set(err.schema.get("properties", {}))
            for key in err.instance:
                if key not in allowed and not (not path and str(key).startswith("x-")):
                    col.add([*path, key], f"unknown key {key!r}; allowed here: {', '.join(sorted(allowed))}")
            continue
        col.add(path, _schema_message(err))
    if col.problems:
        # Structural errors make the semantic pass unreliable (missing keys, wrong types): stop here.
        raise DefinitionError(col.problems)
    if plain.get("package") and vocabulary.packages and plain["package"] not in vocabulary.packages:
        col.add(
            ["package"],
            f"unknown procedure package {plain['package']!r}; known: {', '.join(sorted(vocabulary.packages))}",
        )
        raise DefinitionError(col.problems)
    _expand_variants(plain, col)
    _check_semantics(plain, col, vocabulary, book)
    if col.problems:
        raise DefinitionError(col.problems)
    return _build(plain, root, text, file, book)


def _deadline_days_once(d: dict[str, Any]) -> None:
    """Read the older deadline form ``{days: 10, days_setting: <setting>}`` as ``{days: <setting>}``.

    Stored definitions of earlier versions stated the days twice (the number beside the setting holding the
    same default); the setting, whose default is the number, is what was used.
    """
    for s in d.get("states") or []:
        dl = s.get("deadline") if isinstance(s, dict) else None
        if isinstance(dl, dict) and "days_setting" in dl:
            dl["days"] = dl.pop("days_setting")


# A CJK character or full-width punctuation mark.
_WIDE = r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]"
_FOLD = re.compile(rf"(?<={_WIDE})[ \n]+(?={_WIDE})")


def unfold(text: str) -> str:
    """Undo the spaces YAML's folded scalars (``>-``) put where a long Chinese text was wrapped.

    Chinese has no spaces between words, so a folded line break between two Chinese characters shows as a
    stray gap (候选人 预备人选); a space beside Latin text or a digit (写入 FLOWENGINE_CALENDAR_FILE) stays.
    """
    return _FOLD.sub("", text)


def _names(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _refs_of(value: Any) -> list[Any]:
    """A ``when``/``unless`` value (a name, a name with params, or a list of either) as a list of refs."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _ref_name(ref: str | Mapping[str, Any]) -> str:
    return ref if isinstance(ref, str) else str(ref["name"])


def _ref_params(ref: str | Mapping[str, Any]) -> dict[str, Any]:
    return {} if isinstance(ref, str) else dict(ref.get("params") or {})


def _branches(action: Mapping[str, Any]) -> list[dict[str, Any]]:
    to = action["to"]
    if isinstance(to, str):
        return [{"state": to}]
    return list(to)


def _expand_variants(d: dict[str, Any], col: _Collector) -> None:
    """Spell out the branches a state's ``variant`` stands for.

    ``variant: {of: drafting, when: no_committee}`` on a state says "wherever an action leads to
    ``drafting`` and ``no_committee`` holds, go here instead". Every such destination gets the variant's
    branch in front of it, so the built definition (and its machine) has the explicit branches and nothing
    downstream needs to know about variants.
    """
    states = {s["name"]: s for s in d["states"]}
    variants: dict[str, list[tuple[str, Any]]] = {}
    for i, s in enumerate(d["states"]):
        v = s.get("variant")
        if not v:
            continue
        if v["of"] not in states:
            col.add(
                ["states", i, "variant", "of"],
                f"unknown state {v['of']!r}: a variant stands in for a state of this definition",
            )
        elif (states[v["of"]].get("variant") or {}).get("of"):
            col.add(
                ["states", i, "variant", "of"],
                f"{v['of']!r} is itself a variant; name the state it stands in for",
            )
        else:
            variants.setdefault(v["of"], []).append((s["name"], v["when"]))
    if not variants:
        return
    for a in d["actions"]:
        out: list[dict[str, Any]] = []
        for b in _branches(a):
            for name, when in variants.get(b["state"], []):
                out.append(
                    {"state": name, "when": when, **({"unless": b["unless"]} if b.get("unless") else {})}
                    if not b.get("when")
                    else {
                        "state": name,
                        "when": [*_refs_of(when), *_refs_of(b["when"])],
                        **({"unless": b["unless"]} if b.get("unless") else {}),
                    }
                )
            out.append(b)
        if len(out) != len(_branches(a)):
            a["to"] = out


#: Organization fields a ``prefill`` may read (``org.<field>``).
ORG_PREFILL = ("name", "type", "full_members", "probationary_members", "term_start", "term_end")


def _form_map(fields: list[Mapping[str, Any]] | None) -> dict[str, Mapping[str, Any]]:
    return {f["name"]: f for f in fields or []}


def _check_semantics(d: Mapping[str, Any], col: _Collector, vocab: Vocabulary, book: RuleBook) -> None:
    """Everything a schema cannot say: references between parts, rule parameters, reachability."""
    _Semantics(d, col, vocab, book).check()


class _Semantics:
    """The semantic pass over one definition's plain data, one concern per method; problems go to ``col``."""

    def __init__(self, d: Mapping[str, Any], col: _Collector, vocab: Vocabulary, book: RuleBook) -> None:
        self.d, self.col, self.vocab, self.book = d, col, vocab, book
        self.roles: Mapping[str, Any] = d["roles"]
        self.documents: Mapping[str, Any] = d.get("documents") or {}
        self.settings: Mapping[str, Any] = d.get("settings") or {}
        steps = {a["name"]: _form_map(a.get("form")) for a in d["actions"] if a.get("form")}
        self.start_form = _form_map(d["start"].get("form"))
        self.steps = {"start": self.start_form, **steps} if self.start_form else steps
        self.action_names = frozenset(a["name"] for a in d["actions"])
        self.states: dict[str, int] = {}
        self.outgoing: dict[str, set[str]] = {}

    def check(self) -> None:
        self.check_roles()
        self.check_params()
        self.check_start()
        self.check_subject()
        self.check_documents()
        self.check_states()
        self.check_actions()
        self.check_reachability()

    # ---- helpers ---------------------------------------------------------------------------------------

    def add(self, path: Sequence[str | int], message: str) -> None:
        self.col.add(path, message)

    def scope(self, current: Mapping[str, Any]) -> FormScope:
        return FormScope(current, self.steps, self.action_names, frozenset(self.settings))

    def need_role(self, path: list[str | int], key: str | None) -> None:
        if key is not None and key not in self.roles:
            self.add(
                path, f"unknown role {key!r}; this definition declares: {', '.join(self.roles) or 'none'}"
            )

    def check_refs(
        self,
        path: list[str | int],
        refs: list[Any],
        kind: str,
        known: Mapping[str, RuleSpec],
        form: Mapping[str, Any],
    ) -> None:
        """Each rule reference: a known rule, parameters of the right types, the settings it reads declared."""
        for i, ref in enumerate(refs):
            name = _ref_name(ref)
            spec = known.get(name)
            here = [*path, i]
            if spec is None:
                self.add(here, f"unknown {kind} {name!r}")
                continue
            for sub, message in param_problems(spec, _ref_params(ref), self.scope(form)):
                self.add([*here, "params", *sub] if sub else here, message)
            for s in spec.settings:
                if s not in self.settings:
                    self.add(here, f"{kind} {name!r} reads the setting {s!r}; declare it under settings")

    def check_prefill(self, path: list[str | int], expr: str) -> None:
        if "+" in expr:  # lists of several steps joined: data.a.x + data.b.x
            for part in expr.split("+"):
                self.check_prefill(path, part.strip())
            return
        head, _, rest = expr.partition(".")
        if head == "org":
            if rest not in ORG_PREFILL:
                self.add(
                    path, f"unknown organization field {rest!r} in prefill; known: {', '.join(ORG_PREFILL)}"
                )
        elif head == "setting":
            if rest not in self.settings:
                self.add(path, f"unknown setting {rest!r} in prefill; declare it under settings")
        else:  # data.<step>.<field>
            step, _, name = rest.partition(".")
            if step not in self.steps:
                known = ", ".join(self.steps) or "none"
                self.add(
                    path, f"no step {step!r} with a form in prefill {expr!r} (steps with forms: {known})"
                )
            elif name not in self.steps[step]:
                self.add(
                    path,
                    f"no field {name!r} in the form of {step!r} (prefill {expr!r}; its fields: {', '.join(self.steps[step])})",
                )

    def check_fields(self, path: list[str | int], fields: list[Mapping[str, Any]]) -> None:
        seen: set[str] = set()
        for i, f in enumerate(fields):
            if f["name"] in seen:
                self.add([*path, i, "name"], f"duplicate field {f['name']!r}")
            seen.add(f["name"])
            self.check_field(path, i, f)

    def check_field(self, path: list[str | int], i: int, f: Mapping[str, Any]) -> None:
        if f["type"] in ("choice", "multichoice") and not f.get("options"):
            self.add([*path, i], f"field {f['name']!r} of type {f['type']} needs options")
        if f["type"] == "list" and not f.get("fields"):
            self.add([*path, i], f"field {f['name']!r} of type list needs fields (the columns of each row)")
        if f.get("fields") and f["type"] != "list":
            self.add(
                [*path, i, "fields"], f"only a field of type list may have fields (this one is {f['type']})"
            )
        if f.get("pattern"):
            try:
                re.compile(f["pattern"])
            except re.error as exc:
                self.add([*path, i, "pattern"], f"invalid regular expression: {exc}")
        if f.get("prefill"):
            self.check_prefill([*path, i, "prefill"], f["prefill"])
        if f.get("fields"):
            self.check_fields([*path, i, "fields"], f["fields"])

    # ---- the parts of a definition ---------------------------------------------------------------------

    def check_roles(self) -> None:
        for key, role in self.roles.items():
            if self.vocab.roles and role["role"] not in self.vocab.roles:
                known = ", ".join(sorted(self.vocab.roles))
                self.add(["roles", key, "role"], f"unknown role {role['role']!r}; known roles: {known}")

    def check_params(self) -> None:
        """The procedure package's procedure-wide parameters, given once at the top of the definition."""
        label = f"{self.book.package or self.d['name']} (params)"
        spec = RuleSpec(label, params=self.book.params)
        for sub, message in param_problems(spec, self.d.get("params") or {}, self.scope({})):
            self.add(["params", *sub], message.replace(f"{label!r} needs", "this procedure needs"))

    def check_start(self) -> None:
        start = self.d["start"]
        self.need_role(["start", "role"], start["role"])
        for j, key in enumerate(self.d.get("notify") or []):
            self.need_role(["notify", j], key)
        if self.vocab.org_types:
            for i, t in enumerate(start["org_types"]):
                if t not in self.vocab.org_types:
                    known = ", ".join(self.vocab.org_types)
                    self.add(["start", "org_types", i], f"unknown organization type {t!r}; known: {known}")
        self.check_fields(["start", "form"], start.get("form") or [])
        self.check_refs(
            ["start", "checks"], start.get("checks") or [], "check", self.book.checks, self.start_form
        )

    def check_documents(self) -> None:
        """A document's number field is a field of every action that issues it."""
        for key, doc in self.documents.items():
            field = doc.get("number_field")
            if not field:
                continue
            for a in self.d["actions"]:
                if key in (a.get("documents") or []) and field not in _form_map(a.get("form")):
                    self.add(
                        ["documents", key, "number_field"],
                        f"no field {field!r} in the form of {a['name']!r}, which issues {key!r}",
                    )

    def check_states(self) -> None:
        for i, s in enumerate(self.d["states"]):
            if s["name"] in self.states:
                first = self.states[s["name"]]
                self.add(
                    ["states", i, "name"],
                    f"duplicate state {s['name']!r} (first declared as states[{first}])",
                )
            else:
                self.states[s["name"]] = i
            self.need_role(["states", i, "assignee"], s.get("assignee"))
            self.check_state_kind(i, s)
            if s.get("variant"):
                when = _refs_of(s["variant"]["when"])
                self.check_refs(["states", i, "variant", "when"], when, "predicate", self.book.predicates, {})
            if s.get("deadline"):
                self.check_deadline(i, s["deadline"])
            if s.get("countersign"):
                self.check_countersign(i, s)
            timers = s.get("timer")
            for j, timer in enumerate(timers if isinstance(timers, list) else [timers] if timers else []):
                at: list[str | int] = (
                    ["states", i, "timer", j] if isinstance(timers, list) else ["states", i, "timer"]
                )
                self.check_timer(at, timer, s["name"])
        self.outgoing = {name: set() for name in self.states}
        initials = [s["name"] for s in self.d["states"] if s.get("initial")]
        if len(initials) != 1:
            found = ", ".join(initials) or "none"
            self.add(["states"], f"exactly one state must be initial (found {len(initials)}: {found})")
        if not any(s.get("final") for s in self.d["states"]):
            self.add(["states"], "at least one state must be final")

    def check_state_kind(self, i: int, s: Mapping[str, Any]) -> None:
        if s.get("final") and s.get("initial"):
            self.add(["states", i], "a state cannot be both initial and final")
        if s.get("final") and (s.get("assignee") or s.get("deadline")):
            self.add(["states", i], "a final state has no assignee and no deadline")
        if not s.get("final") and not s.get("assignee"):
            self.add(
                ["states", i],
                f"state {s['name']!r} is not final, so it needs an assignee (who must act in it)",
            )
        if s.get("outcome") and not s.get("final"):
            self.add(["states", i, "outcome"], "only a final state has an outcome")

    def _days(self, path: list[str | int], days: Any, minimum: int = 0) -> int | None:
        """Days given as a number, or as a setting whose default is a whole number, or (``step.field``) as a
        whole-number field of a step; ``None`` when unknown before a request runs."""
        if not isinstance(days, str):
            return int(days)
        if "." in days:
            problem = resolve_value(days, self.scope({}))
            step, _, name = days.partition(".")
            if problem:
                self.add(path, problem)
            elif (self.steps.get(step, {}).get(name) or {}).get("type") != "integer":
                self.add(path, f"{days!r} must name a whole-number field (type: integer)")
            return None
        default = (self.settings.get(days) or {}).get("default")
        if days not in self.settings:
            self.add(path, f"unknown setting {days!r}; declare it under settings, or give a number of days")
            return None
        if not isinstance(default, int) or isinstance(default, bool) or default < minimum:
            at_least = f" (at least {minimum})" if minimum else ""
            self.add(path, f"setting {days!r} must have a whole number of days{at_least} as its default")
            return None
        return default

    def _state_action(
        self, path: list[str | int], name: str, state: str, what: str
    ) -> Mapping[str, Any] | None:
        """The action ``name`` if it leaves ``state``; reported otherwise."""
        action = next((a for a in self.d["actions"] if a["name"] == name), None)
        if action is None:
            self.add(path, f"unknown action {name!r}")
            return None
        if state not in _names(action["from"]):
            self.add(path, f"{what} {name!r} does not leave state {state!r}")
            return None
        return action

    def check_countersign(self, i: int, s: Mapping[str, Any]) -> None:
        """Signers by role or chosen people (one of them), a count that can be reached, return and then actions
        of this state, and the signers' form and checks."""
        cs = s["countersign"]
        path: list[str | int] = ["states", i, "countersign"]
        if bool(cs.get("signers")) == bool(cs.get("people")):
            self.add(
                path,
                "a countersign names its signers by role (signers) or by a list of chosen people (people), one of them",
            )
        for j, key in enumerate(cs.get("signers") or []):
            self.need_role([*path, "signers", j], key)
        if cs.get("people"):
            step, _, name = cs["people"].partition(".")
            columns = list_columns_of(self.steps.get(step, {}).get(name))
            if columns is None or "user" not in columns:
                self.add(
                    [*path, "people"],
                    f"{cs['people']!r} must name a list field with a 'user' column (the chosen people)",
                )
        complete = cs.get("complete")
        if isinstance(complete, int) and cs.get("signers") and complete > len(cs["signers"]):
            self.add(
                [*path, "complete"], f"{complete} approvals can never come from {len(cs['signers'])} signers"
            )
        if isinstance(complete, str) and "/" in complete:
            num, _, den = complete.partition("/")
            if int(num) > int(den):
                self.add(
                    [*path, "complete"],
                    f"a fraction of the signers cannot be more than all of them ({complete})",
                )
        if cs.get("on_return") == "step" and not cs.get("return_action"):
            self.add(
                [*path, "on_return"],
                "a signer's return returns the step: name the return_action that does it",
            )
        if cs.get("return_action"):
            action = self._state_action(
                [*path, "return_action"], cs["return_action"], s["name"], "return_action"
            )
            if action is not None and action.get("kind") != "return":
                self.add([*path, "return_action"], f"{cs['return_action']!r} must be a return (kind: return)")
        if cs.get("then"):
            self._state_action([*path, "then"], cs["then"], s["name"], "then")
        form = cs.get("form") or []
        self.check_fields([*path, "form"], form)
        self.check_refs([*path, "checks"], cs.get("checks") or [], "check", self.book.checks, _form_map(form))

    def check_timer(self, path: list[str | int], timer: Mapping[str, Any], state: str) -> None:
        """Days (a number, a setting or a whole-number field) for each period; a start date that is a field of
        a step; the action (of this state, taking no required input, since the system takes it) or a reminder,
        one of them."""
        for key in ("after", "plus", "before"):
            if timer.get(key):
                self._days([*path, key, "days"], timer[key]["days"])
        if timer.get("from"):
            problem = resolve_value(timer["from"], self.scope({}))
            if problem:
                self.add([*path, "from"], problem)
        if bool(timer.get("fire")) == bool(timer.get("remind")):
            self.add(path, "a timer either fires an action (fire) or reminds (remind), one of them")
        if timer.get("fire"):
            action = self._state_action([*path, "fire"], timer["fire"], state, "the timer's action")
            required = [f["name"] for f in (action or {}).get("form") or [] if f.get("required")]
            if required:
                self.add(
                    [*path, "fire"],
                    f"the system cannot fill {', '.join(required)}: a timer's action takes no required field",
                )

    def check_subject(self) -> None:
        """The subject's fields, its name among them, are fields of the start form."""
        subject = self.d.get("subject")
        if not subject:
            return
        for j, name in enumerate(subject["fields"]):
            if name not in self.start_form:
                self.add(["subject", "fields", j], f"no field {name!r} in the start form")
        if subject["name"] not in subject["fields"]:
            self.add(["subject", "name"], f"{subject['name']!r} must be one of the subject's fields")

    def check_deadline(self, i: int, dl: Mapping[str, Any]) -> None:
        """The escalation target is a role; days are a number or a setting with a whole number as default."""
        self.need_role(["states", i, "deadline", "escalate_to"], dl.get("escalate_to"))
        if dl.get("from"):
            problem = resolve_value(dl["from"], self.scope({}))
            if problem:
                self.add(["states", i, "deadline", "from"], problem)
        days = self._days(["states", i, "deadline", "days"], dl["days"], minimum=1)
        for j, r in enumerate(dl.get("reminders") or []):
            if days is not None and r >= days:
                self.add(
                    ["states", i, "deadline", "reminders", j],
                    f"a reminder {r} days before the deadline comes before the step starts ({days} days)",
                )

    def check_actions(self) -> None:
        seen: dict[str, int] = {}
        for i, a in enumerate(self.d["actions"]):
            if a["name"] in seen:
                first = seen[a["name"]]
                self.add(
                    ["actions", i, "name"],
                    f"duplicate action {a['name']!r} (first declared as actions[{first}])",
                )
            else:
                seen[a["name"]] = i
            self.need_role(["actions", i, "role"], a["role"])
            form = _form_map(a.get("form"))
            self.check_sources(i, a)
            self.check_branches(i, a, form)
            self.check_fields(["actions", i, "form"], a.get("form") or [])
            self.check_refs(["actions", i, "checks"], a.get("checks") or [], "check", self.book.checks, form)
            self.check_refs(
                ["actions", i, "effects"], a.get("effects") or [], "effect", self.book.effects, form
            )
            for j, key in enumerate(a.get("copy_to") or []):
                self.need_role(["actions", i, "copy_to", j], key)
            for j, doc in enumerate(a.get("documents") or []):
                if doc not in self.documents:
                    self.add(
                        ["actions", i, "documents", j],
                        f"unknown document {doc!r}; declare it under documents",
                    )
            if a.get("kind") == "return" and a.get("comment_required") is False:
                self.add(
                    ["actions", i, "comment_required"],
                    "a return must require a comment (the reasons are shown to the person who redoes the step)",
                )

    def check_sources(self, i: int, a: Mapping[str, Any]) -> None:
        for j, src in enumerate(_names(a["from"])):
            path: list[str | int] = ["actions", i, "from", *([j] if isinstance(a["from"], list) else [])]
            if src not in self.states:
                self.add(path, f"unknown state {src!r} in transition {a['name']!r}")
            elif self.d["states"][self.states[src]].get("final"):
                self.add(
                    path, f"action {a['name']!r} leaves final state {src!r}; a final state has no way out"
                )

    def check_branches(self, i: int, a: Mapping[str, Any], form: Mapping[str, Any]) -> None:
        branches = _branches(a)
        for j, b in enumerate(branches):
            path: list[str | int] = ["actions", i, "to"]
            if isinstance(a["to"], list):
                path += [j, "state"]
            if b["state"] not in self.states:
                self.add(path, f"unknown state {b['state']!r} in transition {a['name']!r}")
            for kind in ("when", "unless"):
                if b.get(kind) is None:
                    continue
                where: list[str | int] = ["actions", i, "to", j, kind]
                # A single predicate is reported at the branch's key itself; one of a list, at its index.
                refs = _refs_of(b.get(kind))
                if isinstance(b[kind], list):
                    self.check_refs(where, refs, "predicate", self.book.predicates, form)
                else:
                    for sub in self._ref_problems(refs[0], form):
                        self.add([*where, *sub[0]], sub[1])
            for src in _names(a["from"]):
                if src in self.outgoing:
                    self.outgoing[src].add(b["state"])
        if isinstance(a["to"], list) and (branches[-1].get("when") or branches[-1].get("unless")):
            self.add(
                ["actions", i, "to", len(branches) - 1],
                "the last branch must be unconditional, so the action always leads somewhere",
            )

    def _ref_problems(self, ref: Any, form: Mapping[str, Any]) -> list[tuple[list[str | int], str]]:
        out: list[tuple[list[str | int], str]] = []
        spec = self.book.predicates.get(_ref_name(ref))
        if spec is None:
            return [([], f"unknown predicate {_ref_name(ref)!r}")]
        for sub, message in param_problems(spec, _ref_params(ref), self.scope(form)):
            out.append((["params", *sub], message))
        for s in spec.settings:
            if s not in self.settings:
                out.append(
                    ([], f"predicate {spec.name!r} reads the setting {s!r}; declare it under settings")
                )
        return out

    def check_reachability(self) -> None:
        """Every state reachable from the initial one, and every state but the final ones has a way out."""
        initials = [s["name"] for s in self.d["states"] if s.get("initial")]
        if len(initials) == 1 and initials[0] in self.states:
            reached = {initials[0]}
            todo = [initials[0]]
            while todo:
                for nxt in self.outgoing.get(todo.pop(), ()):
                    if nxt not in reached:
                        reached.add(nxt)
                        todo.append(nxt)
            for name, i in self.states.items():
                if name not in reached:
                    self.add(
                        ["states", i, "name"],
                        f"unreachable state {name!r}: no action leads to it from {initials[0]!r}",
                    )
        for name, i in self.states.items():
            if not self.d["states"][i].get("final") and not self.outgoing.get(name):
                self.add(["states", i, "name"], f"state {name!r} has no way out and is not final")


def _field(f: Mapping[str, Any], root: Any, path: list[str | int]) -> FieldDef:
    return FieldDef(
        name=f["name"],
        label=f["label"],
        type=f["type"],
        required=bool(f.get("required", False)),
        help=f.get("help", ""),
        min=f.get("min"),
        max=f.get("max"),
        min_length=f.get("min_length"),
        max_length=f.get("max_length"),
        pattern=f.get("pattern"),
        options=tuple(
            Option(o, o) if isinstance(o, str) else Option(o["value"], o["label"])
            for o in f.get("options") or []
        ),
        min_items=f.get("min_items"),
        max_items=f.get("max_items"),
        fields=tuple(_field(c, root, [*path, "fields", k]) for k, c in enumerate(f.get("fields") or [])),
        prefill=f.get("prefill"),
        line=line_of(root, path),
    )


def _refs(refs: list[Any], known: Mapping[str, RuleSpec]) -> tuple[CheckRef, ...]:
    out = []
    for ref in refs:
        spec = known[_ref_name(ref)]
        out.append(CheckRef(spec.name, MappingProxyType(spec.effective(_ref_params(ref))), spec))
    return tuple(out)


def _countersign(cs: Mapping[str, Any] | None, root: Any, i: int, book: RuleBook) -> Countersign | None:
    if not cs:
        return None
    complete = cs.get("complete", "all")
    return Countersign(
        title=cs["title"],
        signers=tuple(cs.get("signers") or ()),
        people=cs.get("people"),
        required=1 if complete == "any" else complete if isinstance(complete, int) else None,
        required_fraction=complete if isinstance(complete, str) and "/" in complete else None,
        on_return=cs.get("on_return", "dissent"),
        return_action=cs.get("return_action"),
        then=cs.get("then"),
        form=tuple(
            _field(f, root, ["states", i, "countersign", "form", k])
            for k, f in enumerate(cs.get("form") or [])
        ),
        checks=_refs(cs.get("checks") or [], book.checks),
    )


def _period(period: Mapping[str, Any] | None, settings: Mapping[str, Any]) -> Period | None:
    if not period:
        return None
    days = period["days"]
    field = days if isinstance(days, str) and "." in days else None
    setting = days if isinstance(days, str) and not field else None
    return Period(
        days=int(settings[setting]["default"]) if setting else 0 if field else int(days),
        unit=period["unit"],
        days_setting=setting,
        days_field=field,
    )


def _timers(timers: Any, settings: Mapping[str, Any]) -> tuple[TimerDef, ...]:
    out = []
    for timer in timers if isinstance(timers, list) else [timers] if timers else []:
        after = _period(timer["after"], settings)
        assert after is not None
        out.append(
            TimerDef(
                days=after.days,
                unit=after.unit,
                days_setting=after.days_setting,
                days_field=after.days_field,
                start=timer.get("from"),
                fire=timer.get("fire"),
                remind=timer.get("remind"),
                plus=_period(timer.get("plus"), settings),
                before=_period(timer.get("before"), settings),
            )
        )
    return tuple(out)


def _build(d: Mapping[str, Any], root: Any, text: str, file: str, book: RuleBook) -> WorkflowDefinition:
    settings = d.get("settings") or {}
    states = []
    for i, s in enumerate(d["states"]):
        dl = s.get("deadline")
        deadline = None
        if dl:
            setting = dl["days"] if isinstance(dl["days"], str) else None
            deadline = Deadline(
                days=int(settings[setting]["default"]) if setting else int(dl["days"]),
                unit=dl["unit"],
                reminders=tuple(sorted(set(dl.get("reminders") or []), reverse=True)),
                escalate_to=dl.get("escalate_to"),
                escalation=dl.get("escalation", "notify"),
                days_setting=setting,
                start=dl.get("from"),
            )
        states.append(
            StateDef(
                countersign=_countersign(s.get("countersign"), root, i, book),
                timers=_timers(s.get("timer"), settings),
                name=s["name"],
                title=s["title"],
                initial=bool(s.get("initial", False)),
                final=bool(s.get("final", False)),
                outcome=s.get("outcome") or ("completed" if s.get("final") else None),
                assignee=s.get("assignee"),
                deadline=deadline,
                description=unfold(s.get("description", "")),
                line=line_of(root, ["states", i]),
            )
        )
    actions = []
    for i, a in enumerate(d["actions"]):
        actions.append(
            ActionDef(
                name=a["name"],
                title=a["title"],
                sources=tuple(_names(a["from"])),
                branches=tuple(
                    Branch(
                        b["state"],
                        _refs(_refs_of(b.get("when")), book.predicates),
                        _refs(_refs_of(b.get("unless")), book.predicates),
                    )
                    for b in _branches(a)
                ),
                role=a["role"],
                kind=a.get("kind", "submit"),
                comment_required=bool(a.get("comment_required", a.get("kind") == "return")),
                form=tuple(
                    _field(f, root, ["actions", i, "form", k]) for k, f in enumerate(a.get("form") or [])
                ),
                checks=_refs(a.get("checks") or [], book.checks),
                documents=tuple(a.get("documents") or []),
                description=unfold(a.get("description", "")),
                line=line_of(root, ["actions", i]),
                effects=_refs(a.get("effects") or [], book.effects),
                copy_to=tuple(a.get("copy_to") or ()),
            )
        )
    start = d["start"]
    term = d.get("term_watch")
    return WorkflowDefinition(
        name=d["name"],
        title=d["title"],
        version=d["version"],
        description=unfold(d.get("description", "")),
        start=StartDef(
            role=start["role"],
            org_types=tuple(start["org_types"]),
            form=tuple(_field(f, root, ["start", "form", k]) for k, f in enumerate(start.get("form") or [])),
            checks=_refs(start.get("checks") or [], book.checks),
        ),
        roles=MappingProxyType(
            {k: RoleDef(k, r["title"], r["role"], r["of"]) for k, r in d["roles"].items()}
        ),
        states=tuple(states),
        actions=tuple(actions),
        documents=MappingProxyType(
            {
                k: DocumentDef(k, v["title"], v["kind"], v["direction"], v.get("number_field"))
                for k, v in (d.get("documents") or {}).items()
            }
        ),
        settings=MappingProxyType(
            {
                k: SettingDef(k, v["default"], unfold(v.get("description", "")))
                for k, v in (d.get("settings") or {}).items()
            }
        ),
        source=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        file=file,
        package=book.package,
        params=MappingProxyType(dict(d.get("params") or {})),
        term_watch=TermWatchDef(term["role"], term.get("completed", "")) if term else None,
        notify=tuple(d.get("notify") or ()),
        subject=(
            SubjectDef(d["subject"]["kind"], d["subject"]["name"], tuple(d["subject"]["fields"]))
            if d.get("subject")
            else None
        ),
    )
