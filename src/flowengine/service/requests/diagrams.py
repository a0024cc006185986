"""Mermaid text for a procedure's diagram, with the request's current state and path highlighted.

Written from the definition rather than through ``transitions``' ``GraphMachine(graph_engine="mermaid")``:
that extension labels states and edges with their identifiers and knows nothing of roles, so a secretary
would read an action's identifier instead of its title (提交请示). The definition already has every title, and generating
from it keeps the diagram a pure function of the same frozen object the engine runs on. The output is
Mermaid ``stateDiagram-v2`` text; the browser renders it with the Mermaid build shipped in ``web/static``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from flowengine.definitions.model import WorkflowDefinition

_UNSAFE = re.compile(r'["\n\r;#:{}<>`|]')


def _label(text: str) -> str:
    """Mermaid has no escaping inside labels; replace the characters that would end one early."""
    return _UNSAFE.sub(" ", text).strip() or "-"


def _node(state: str) -> str:
    # A prefix keeps identifiers clear of Mermaid keywords (``end``, ``state``, ``class`` ...).
    return f"s_{state}"


def mermaid(
    definition: WorkflowDefinition,
    current: str | None = None,
    visited: Iterable[str] = (),
    direction: str = "TB",
) -> str:
    """The procedure as a state diagram; ``current`` is highlighted, ``visited`` states are shaded."""
    lines = ["stateDiagram-v2", f"  direction {direction}"]
    for s in definition.states:
        title = s.title
        if s.assignee and s.assignee in definition.roles:
            title = f"{s.title}｜{definition.roles[s.assignee].title}"
        lines.append(f'  state "{_label(title)}" as {_node(s.name)}')
    lines.append(f"  [*] --> {_node(definition.initial_state.name)}")
    for a in definition.actions:
        label = _label(a.title)
        for src in a.sources:
            for dst in dict.fromkeys(a.destinations):
                lines.append(f"  {_node(src)} --> {_node(dst)} : {label}")
    for s in definition.states:
        if s.final:
            lines.append(f"  {_node(s.name)} --> [*]")
    lines.append(
        "  classDef current fill:#b71c1c,color:#fff,stroke:#7f0000,stroke-width:3px,font-weight:bold"
    )
    lines.append("  classDef visited fill:#fdecea,stroke:#c62828,color:#5d1a1a")
    lines.append("  classDef final fill:#eef2f7,stroke:#607d8b")
    finals = [s.name for s in definition.states if s.final and s.name != current]
    seen = [v for v in dict.fromkeys(visited) if v != current and v in {s.name for s in definition.states}]
    for name in seen:
        lines.append(f"  class {_node(name)} visited")
    for name in finals:
        if name not in seen:
            lines.append(f"  class {_node(name)} final")
    if current is not None:
        lines.append(f"  class {_node(current)} current")
    return "\n".join(lines) + "\n"
