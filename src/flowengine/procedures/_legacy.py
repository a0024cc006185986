"""Helpers for the upgrades of stored definitions written before the language said what code used to guess.

A running request stays on the definition version it started with, parsed from the source stored when that
version was first loaded. Versions recorded before the definition language had procedure ``params``,
document ``direction`` and ``number_field`` and parameterized predicates are brought to the current language
by their package's upgrade, which states what the code of that time assumed, so such a request goes on
exactly as before. The stored source itself is never changed (its hash is in the audit trail).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any


def copied(plain: Mapping[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(dict(plain))


def set_documents(plain: dict[str, Any], declared: Mapping[str, tuple[str, str | None]]) -> None:
    """Give each document its ``direction`` and ``number_field`` (as the code of the time read them)."""
    for name, (direction, number_field) in declared.items():
        doc = (plain.get("documents") or {}).get(name)
        if doc is not None:
            doc["direction"] = direction
            if number_field:
                doc["number_field"] = number_field


def refs(plain: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every rule reference of the definition as (kind, mutable mapping with name and params)."""
    for action in plain.get("actions") or []:
        for key, kind in (("checks", "check"), ("effects", "effect")):
            items = action.get(key) or []
            for i, ref in enumerate(items):
                if isinstance(ref, str):
                    items[i] = ref = {"name": ref}
                yield kind, ref
        to = action.get("to")
        for branch in to if isinstance(to, list) else []:
            for key in ("when", "unless"):
                value = branch.get(key)
                if value is None:
                    continue
                items = value if isinstance(value, list) else [value]
                for i, ref in enumerate(items):
                    if isinstance(ref, str):
                        items[i] = ref = {"name": ref}
                    yield "predicate", ref
                branch[key] = items


def rename(plain: dict[str, Any], kind: str, old: str, new: str) -> None:
    for k, ref in refs(plain):
        if k == kind and ref["name"] == old:
            ref["name"] = new


def add_params(plain: dict[str, Any], kind: str, name: str, params: Mapping[str, Any]) -> None:
    """Give every use of rule ``name`` the parameters the code of the time took for granted."""
    for k, ref in refs(plain):
        if k == kind and ref["name"] == name:
            ref["params"] = {**params, **(ref.get("params") or {})}
