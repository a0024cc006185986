"""Between HTML form posts and a definition's fields: input names, parsing, and where errors go.

Forms are generated from the definition's :class:`FieldDef` objects, so this module decides nothing about
what is valid: it only turns the browser's flat ``name=value`` pairs into the nested mapping the service
validates (rows of a list field arrive as ``people-0-name``), and turns the service's error paths
(``people[0].name``) back into input names so each message is shown beside its field. The raw text
is kept as typed, so a form that comes back with errors shows exactly what the person entered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from werkzeug.datastructures import MultiDict

from flowengine.definitions.model import FieldDef
from flowengine.errors import CheckFailed, ValidationFailed

_INDEX = re.compile(r"\[(\d+)\]\.?")


def input_name(path: str) -> str:
    """``people[2].name`` → ``people-2-name`` (the name of the input in the generated form)."""
    return _INDEX.sub(lambda m: f"-{m.group(1)}-", path).rstrip("-")


def _blank(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_blank(v) for v in value.values())
    return value is None or value == "" or value == []


def _row_indexes(form: MultiDict[str, str], prefix: str) -> list[int]:
    found: set[int] = set()
    pattern = re.compile(re.escape(prefix) + r"(\d+)-")
    for key in form:
        m = pattern.match(key)
        if m:
            found.add(int(m.group(1)))
    return sorted(found)


def parse(fields: Sequence[FieldDef], form: MultiDict[str, str], prefix: str = "") -> dict[str, Any]:
    """The posted values of ``fields``, as text, in the nested shape the service validates.

    Rows of a list that were left entirely empty are dropped (an added row nobody filled in is not data),
    and the remaining rows are numbered again from 0, so error paths match the rows re-rendered.
    """
    out: dict[str, Any] = {}
    for f in fields:
        name = prefix + f.name
        if f.type == "multichoice":
            out[f.name] = form.getlist(name)
        elif f.type == "list":
            rows = [parse(f.fields, form, f"{name}-{i}-") for i in _row_indexes(form, f"{name}-")]
            out[f.name] = [r for r in rows if not _blank(r)]
        else:
            value = form.get(name)
            out[f.name] = value if value is None else value.strip() if f.type != "text" else value
    return out


def field_paths(fields: Sequence[FieldDef], data: Mapping[str, Any], prefix: str = "") -> set[str]:
    """Every input name the re-rendered form will have, to tell field errors from form-wide ones."""
    names: set[str] = set()
    for f in fields:
        name = prefix + f.name
        names.add(name)
        if f.type == "list":
            for i, row in enumerate(data.get(f.name) or []):
                if isinstance(row, Mapping):
                    names |= field_paths(f.fields, row, f"{name}-{i}-")
    return names


def errors_of(
    exc: ValidationFailed | CheckFailed, fields: Sequence[FieldDef], data: Mapping[str, Any]
) -> tuple[dict[str, str], list[str]]:
    """Split a refusal into messages beside fields (by input name) and messages for the whole form."""
    known = field_paths(fields, data) | {"comment"}
    by_field: dict[str, str] = {}
    general: list[str] = []
    if isinstance(exc, ValidationFailed):
        pairs = [(k, v) for k, v in exc.errors.items()]
    else:
        pairs = [(f.field or "", f.reason) for f in exc.failures]
    for path, message in pairs:
        name = input_name(path) if path else ""
        if name in known:
            by_field[name] = f"{by_field[name]}；{message}" if name in by_field else message
        else:
            label = _label_of(fields, path)
            general.append(f"{label}：{message}" if label else message)
    return by_field, general


def _label_of(fields: Sequence[FieldDef], path: str) -> str:
    """A readable name for an error path that has no input of its own (e.g. an unknown field)."""
    if not path:
        return ""
    head = re.split(r"[\[.]", path, maxsplit=1)[0]
    for f in fields:
        if f.name == head:
            return f.label
    return path


def _labels_in_order(
    fields: Sequence[FieldDef], data: Mapping[str, Any], prefix: str = "", outer: str = ""
) -> list[tuple[str, str]]:
    """(input name, readable label) of every input of the form, in the order the form shows them."""
    out: list[tuple[str, str]] = []
    for f in fields:
        name = prefix + f.name
        label = f"{outer}{f.label}"
        out.append((name, label))
        if f.type == "list":
            for i, row in enumerate(data.get(f.name) or []):
                if isinstance(row, Mapping):
                    out += _labels_in_order(f.fields, row, f"{name}-{i}-", f"{label} 第 {i + 1} 行 ")
    return out


def error_summary(
    fields: Sequence[FieldDef], data: Mapping[str, Any], errors: Mapping[str, str], comment_id: str
) -> list[tuple[str, str, str]]:
    """The messages of a refused form for the summary at its top, in the form's order: (id of the input to
    jump to, its label, the message). The comment box's id is ``comment_id``."""
    order = [*_labels_in_order(fields, data), ("comment", "意见")]
    out = []
    for name, label in order:
        if name in errors:
            out.append((comment_id if name == "comment" else f"f-{name}", label, errors[name]))
    listed = {n for n, _ in order}
    out += [(f"f-{n}", n, m) for n, m in errors.items() if n not in listed]
    return out
