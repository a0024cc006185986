"""The engine, the service, the web layer, persistence and the definition language know no procedure by name.

Every shipped definition is read; the names it declares — the procedure's own, its package's, its states,
actions, form fields (list columns included), documents, settings and procedure parameters — must not occur
in the generic folders, in code, strings, comments or templates. A Chinese document kind must not be used as
a switch there either. What a procedure means lives in its package (``src/flowengine/procedures/``) and its
YAML; a new procedure then needs no change to any of these folders.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from pathlib import Path

import pytest

from flowengine.definitions.loader import load_file
from flowengine.definitions.model import FieldDef, WorkflowDefinition
from flowengine.registry import vocabulary
from tests.support.paths import ROOT, SHIPPED_WORKFLOWS

GENERIC = [
    ROOT / "src" / "flowengine" / d for d in ("engine", "service", "web", "persistence", "definitions")
]
TEMPLATES = [ROOT / "web" / "templates", ROOT / "web" / "static" / "js"]

#: Ordinary words that shipped definitions also use as a field or state name, and that generic code uses in
#: their ordinary sense: a form's ``name``, an action's ``kind``, a list's ``items`` …, each with why.
# fmt: off
GENERIC_WORDS = {
    "name", "kind", "title", "state", "start", "items", "item", "data", "form",  # the definition language's own words
    "opinion",  # every review step's comment box; the trail and the notifications speak of opinions generically
    "date", "summary", "reason", "reasons", "result", "content", "detail", "view", "post",  # plain English
    "completed", "withdrawn", "approved", "refused", "filing", "review", "decision", "minutes", "reply", "request",
    "withdraw", "approve", "forward", "reopen", "implementing", "meeting", "report", "reporting", "drafting",
    "proposing", "nominating", "study", "process", "course", "remarks", "responsible", "consent", "present",
    "entitled", "absent", "opinions", "votes", "yes", "against", "abstain", "elected", "chair", "secretary",
    "deputies", "duties", "duty", "gender", "education", "category", "amount", "subject", "decided_on",
    "notes", "refuse", "members", "completed_on",  # plain English in generic code (a variable, a docstring verb)
    # The organization tree's own fields, which a form may copy under the same name (prefill: org.full_members).
    "full_members", "probationary_members",
    # A deadline's or a timer's ``unit`` (and units of measure in prose); an outcome of the language
    # (``outcome: rejected``, InstanceStatus.REJECTED) — words the language had before a form used them.
    "unit", "units", "rejected",
}
# fmt: on


def _field_names(fields: tuple[FieldDef, ...]) -> Iterator[str]:
    for f in fields:
        yield f.name
        yield from _field_names(f.fields)


def declared_names(d: WorkflowDefinition) -> set[str]:
    names = {d.name, d.package, *d.settings, *d.documents, *d.params}
    names |= {s.name for s in d.states} | {a.name for a in d.actions}
    for a in d.actions:
        names |= set(_field_names(a.form))
    names |= set(_field_names(d.start.form))
    return {n for n in names if n and n not in GENERIC_WORDS}


def shipped() -> list[WorkflowDefinition]:
    return [load_file(p, vocabulary()) for p in sorted(SHIPPED_WORKFLOWS.glob("*.yaml"))]


NAMES = sorted(set().union(*(declared_names(d) for d in shipped())))
KINDS = sorted({doc.kind for d in shipped() for doc in d.documents.values()})
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _python_words(path: Path) -> Iterator[tuple[int, str]]:
    """Every identifier-like word of a module: names, and words inside strings and comments."""
    source = path.read_text(encoding="utf-8")
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.NAME:
            yield tok.start[0], tok.string
        elif tok.type in (tokenize.STRING, tokenize.COMMENT) or tok.type == getattr(
            tokenize, "FSTRING_MIDDLE", -1
        ):
            for word in _WORD.findall(tok.string):
                yield tok.start[0], word


def _files() -> Iterator[Path]:
    for folder in GENERIC:
        yield from sorted(folder.rglob("*.py"))
    for folder in TEMPLATES:
        yield from sorted(p for p in folder.rglob("*") if p.suffix in (".html", ".js"))


def test_the_shipped_definitions_declare_names_to_look_for() -> None:
    assert {
        "branch_election",
        "record_vote",
        "submit_request1",
        "committee_size",
        "filing_categories",
    } <= set(NAMES)
    assert {"请示", "批复", "报告", "纪要"} <= set(KINDS)


@pytest.mark.parametrize("path", list(_files()), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_procedure_name_in_generic_code(path: Path) -> None:
    names = set(NAMES)
    if path.suffix == ".py":
        found = sorted({(line, w) for line, w in _python_words(path) if w in names})
    else:
        text = path.read_text(encoding="utf-8")
        found = sorted(
            {
                (text.count("\n", 0, m.start()) + 1, m.group(0))
                for m in _WORD.finditer(text)
                if m.group(0) in names
            }
        )
    assert not found, f"{path.relative_to(ROOT)} names a shipped procedure's name: {found}"


@pytest.mark.parametrize(
    "path", [p for p in _files() if p.suffix == ".py"], ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_document_kind_used_as_a_switch(path: Path) -> None:
    """A Chinese document kind as a string constant compared or looked up in generic code decides nothing."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    kinds = set(KINDS)
    found = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Compare)
        and any(isinstance(c, ast.Constant) and c.value in kinds for c in [node.left, *node.comparators])
    ]
    assert not found, f"{path.relative_to(ROOT)} compares with a document kind on lines {found}"
