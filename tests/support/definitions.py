"""The fixture definition as text, a copy of it with one mistake of each kind, and a line finder."""

from __future__ import annotations

from tests.support.paths import FIXTURE_WORKFLOWS

SOURCE = (FIXTURE_WORKFLOWS / "leave_request.yaml").read_text(encoding="utf-8")


def line_containing(text: str, needle: str) -> int:
    [line] = [i for i, row in enumerate(text.splitlines(), 1) if needle in row]
    return line


def broken_copy() -> str:
    """The fixture with exactly one error of each kind the issue names."""
    text = SOURCE.replace(
        "  - {name: withdrawn, title: 已撤回, final: true, outcome: withdrawn}\n",
        "  - {name: withdrawn, title: 已撤回, final: true, outcome: withdrawn}\n"
        "  - {name: archived, title: 已归档, assignee: reviewer}\n"
        "  - {name: limbo, title: 搁置, assignee: reviewer}\n",
    )
    text += (
        "  - {name: escalate, title: 上报, from: review, to: nowhere, role: reviewer}\n"
        "  - {name: unarchive, title: 取出, from: archived, to: approved, role: reviewer}\n"
        "  - {name: shelve, title: 搁置, from: review, to: limbo, role: reviewer}\n"
        "  - {name: approve, title: 再次批准, from: leader_review, to: approved, role: leader}\n"
        "  - {name: sweep, title: 打扫, from: review, to: approved, role: janitor}\n"
        "  - {name: audit_it, title: 审计, from: review, to: approved, role: leader, checks: [no_such_check]}\n"
    )
    return text
