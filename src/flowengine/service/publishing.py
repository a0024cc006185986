"""A new version of a procedure's definition, uploaded and activated by an administrator in the browser.

Two steps, each validated in full: *check* (the YAML is read as ``flowengine workflows validate`` reads a
file: every problem with ``file:line`` and its YAML path; it must name a running procedure and raise its
version) shows the new version's diagram and what differs from the running one — in words (steps,
actions, deadlines, settings) and line by line — before anything is stored; *activate* records it (the
source, its hash, an ``definition_publish`` event on the ``admin`` chain) and makes it the version new
requests start on. Running requests keep the version they started with (each request row names its
definition row; :meth:`flowengine.service.catalog.Catalog.by_row`).

A version activated here lives in the database: it stays current after a restart even though the
workflows folder still holds the older file (the highest recorded version is the current one), and other
processes pick it up within a few seconds.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from typing import Any

from flowengine.definitions.model import WorkflowDefinition
from flowengine.definitions.setting_values import in_words, setting_title
from flowengine.errors import DefinitionError, DefinitionProblem
from flowengine.persistence.db import Database
from flowengine.service.catalog import Catalog
from flowengine.service.identity.admins import admin_event, require_admin
from flowengine.vocabulary import AuditKind

#: The largest definition file accepted (bytes).
MAX_UPLOAD_BYTES = 512 * 1024


@dataclass(frozen=True)
class DiffLine:
    kind: str  # hunk | add | del | same
    text: str


@dataclass(frozen=True)
class VersionCheck:
    """A validated new version, the running one it replaces, and what differs."""

    definition: WorkflowDefinition
    running: WorkflowDefinition
    changes: tuple[str, ...]  # in words
    diff: tuple[DiffLine, ...]  # the YAML, line by line (unified, three lines of context)


def decode_upload(content: bytes, filename: str) -> str:
    """The text of an uploaded file, or DefinitionError naming the file."""
    if not content.strip():
        raise DefinitionError([DefinitionProblem(filename, None, "", "文件为空，请选择流程定义的 YAML 文件")])
    if len(content) > MAX_UPLOAD_BYTES:
        raise DefinitionError(
            [
                DefinitionProblem(
                    filename, None, "", f"文件超过 {MAX_UPLOAD_BYTES // 1024} KB，不像是一份流程定义"
                )
            ]
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise DefinitionError(
            [DefinitionProblem(filename, line, "", "不是 UTF-8 编码的文本，请以 UTF-8 保存后再上传")]
        ) from None


def _diff(old: str, new: str, old_name: str, new_name: str) -> tuple[DiffLine, ...]:
    out = []
    for line in difflib.unified_diff(
        old.splitlines(), new.splitlines(), fromfile=old_name, tofile=new_name, lineterm="", n=3
    ):
        if line.startswith(("---", "+++")):
            continue
        kind = {"@": "hunk", "+": "add", "-": "del"}.get(line[:1], "same")
        out.append(DiffLine(kind, line))
    return tuple(out)


def _days(d: WorkflowDefinition, state: str) -> str:
    st = next((s for s in d.states if s.name == state), None)
    if st is None or st.deadline is None:
        return "无时限"
    dl = st.deadline
    unit = "个工作日" if dl.unit == "working_days" else "天"
    named = d.settings.get(dl.days_setting) if dl.days_setting else None
    setting = f"（设置“{setting_title(named)}”）" if named else ""
    return f"{dl.days} {unit}{setting}"


def _rule_titles(refs: tuple[Any, ...]) -> list[str]:
    return [c.spec.title if c.spec and c.spec.title else c.name for c in refs]


def _state_changes(old: WorkflowDefinition, new: WorkflowDefinition) -> list[str]:
    out: list[str] = []
    old_states = {s.name: s for s in old.states}
    new_states = {s.name: s for s in new.states}

    def who(d: WorkflowDefinition, role: str | None) -> str:
        return d.roles[role].title if role and role in d.roles else "无"

    for name, st in new_states.items():
        before = old_states.get(name)
        if before is None:
            out.append(f"新增步骤：{st.title}")
            continue
        if before.title != st.title:
            out.append(f"步骤改名：“{before.title}” → “{st.title}”")
        if _days(old, name) != _days(new, name):
            out.append(f"步骤“{st.title}”的时限：{_days(old, name)} → {_days(new, name)}")
        if before.assignee != st.assignee:
            out.append(f"步骤“{st.title}”的办理人：{who(old, before.assignee)} → {who(new, st.assignee)}")
    out += [f"删除步骤：{st.title}" for name, st in old_states.items() if name not in new_states]
    return out


def _action_changes(old: WorkflowDefinition, new: WorkflowDefinition) -> list[str]:
    out: list[str] = []
    old_actions = {a.name: a for a in old.actions}
    new_actions = {a.name: a for a in new.actions}
    for name, act in new_actions.items():
        before = old_actions.get(name)
        if before is None:
            out.append(f"新增操作：{act.title}")
            continue
        if before.title != act.title:
            out.append(f"操作改名：“{before.title}” → “{act.title}”")
        fields_old = {f.name: f for f in before.form}
        fields_new = {f.name: f for f in act.form}
        added = [f.label for n, f in fields_new.items() if n not in fields_old]
        removed = [f.label for n, f in fields_old.items() if n not in fields_new]
        if added:
            out.append(f"操作“{act.title}”的表单新增：{'、'.join(added)}")
        if removed:
            out.append(f"操作“{act.title}”的表单删除：{'、'.join(removed)}")
        checks_old, checks_new = _rule_titles(before.checks), _rule_titles(act.checks)
        if checks_old != checks_new:
            out.append(
                f"操作“{act.title}”的检查：{'、'.join(checks_old) or '无'} → {'、'.join(checks_new) or '无'}"
            )
    out += [f"删除操作：{a.title}" for name, a in old_actions.items() if name not in new_actions]
    return out


def _document_and_setting_changes(old: WorkflowDefinition, new: WorkflowDefinition) -> list[str]:
    out: list[str] = []
    for name, doc in new.documents.items():
        if name not in old.documents:
            out.append(f"新增文书：{doc.title}（{doc.kind}）")
        elif old.documents[name].title != doc.title:
            out.append(f"文书改名：“{old.documents[name].title}” → “{doc.title}”")
    out += [f"删除文书：{doc.title}" for name, doc in old.documents.items() if name not in new.documents]
    for name, sd in new.settings.items():
        if name not in old.settings:
            out.append(f"新增设置：{setting_title(sd)}（默认 {in_words(sd.default)}）")
        elif old.settings[name].default != sd.default:
            before = in_words(old.settings[name].default)
            out.append(f"设置“{setting_title(sd)}”的默认值：{before} → {in_words(sd.default)}")
    out += [f"删除设置：{setting_title(sd)}" for name, sd in old.settings.items() if name not in new.settings]
    return out


def changes_in_words(old: WorkflowDefinition, new: WorkflowDefinition) -> tuple[str, ...]:
    """What a reader of the procedure notices: title, steps, actions, deadlines, documents, settings."""
    out: list[str] = []
    if old.title != new.title:
        out.append(f"流程名称：“{old.title}” → “{new.title}”")
    out += _state_changes(old, new) + _action_changes(old, new) + _document_and_setting_changes(old, new)
    return tuple(out)


class Publishing:
    def __init__(self, db: Database, catalog: Catalog) -> None:
        self.db = db
        self.catalog = catalog

    def check(self, admin_id: int, content: bytes | str, filename: str) -> VersionCheck:
        """Validate an uploaded definition (DefinitionError with every problem, file:line) and compare it
        with the running version; nothing is stored."""
        with self.db.read() as s:
            require_admin(s, admin_id)
        source = content if isinstance(content, str) else decode_upload(content, filename)
        d = self.catalog.check_new_version(source, filename)
        running = self.catalog.current[d.name]
        return VersionCheck(
            d,
            running,
            changes_in_words(running, d),
            _diff(running.source, d.source, f"第 {running.version} 版", f"第 {d.version} 版"),
        )

    def activate(
        self, admin_id: int, source: str, filename: str, now: dt.datetime, client_addr: str | None = None
    ) -> WorkflowDefinition:
        """Check again and make the new version current; the next request starts on it."""
        checked = self.check(admin_id, source, filename)
        d = checked.definition
        with self.db.write() as s:
            admin = require_admin(s, admin_id)
            row_id = self.catalog.record(s, d, now)
            admin_event(
                s,
                admin,
                AuditKind.DEFINITION_PUBLISH,
                now,
                comment=f"启用“{d.title}”第 {d.version} 版（此前运行第 {checked.running.version} 版）",
                data={
                    "name": d.name,
                    "version": d.version,
                    "previous_version": checked.running.version,
                    "sha256": d.sha256,
                    "file": filename,
                    "definition_id": row_id,
                    "changes": list(checked.changes),
                },
                client_addr=client_addr,
            )
        self.catalog.install(d, row_id)
        return d


__all__ = ["MAX_UPLOAD_BYTES", "DiffLine", "Publishing", "VersionCheck", "changes_in_words", "decode_upload"]
