"""A request's audit trail as 纪检 reads it: Chinese names, role titles, action and step titles, data as text.

The verifiable export (``flowengine audit export``, the request page's JSON download) keeps the codes and
hashes, which is what offline verification needs; this table is the same events for a person opening a
spreadsheet: who (by name), in which role and organization (by title and name), did what (the action's
title), from which step to which (their titles), with which opinion, and what they filled in (each field's
label and its value as the request page shows it). Each row keeps the event's number and hash so that a
line can be matched with the verifiable export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from flowengine.chinese import as_date, chinese_date, chinese_month, chinese_time
from flowengine.definitions.model import FieldDef, WorkflowDefinition
from flowengine.persistence.db import Database
from flowengine.persistence.models import Organization, User
from flowengine.service.reads.queries import ORG_FIELDS, kind_title
from flowengine.service.requests.flow import FlowService
from flowengine.service.views import AuditView
from flowengine.vocabulary import ROLES, STEP_KINDS

HEADER = (
    "序号",
    "时间（北京时间）",
    "记录类型",
    "办理人",
    "角色",
    "所在组织",
    "办理事项",
    "原步骤",
    "新步骤",
    "意见或说明",
    "填写内容",
    "事件编号",
    "哈希（SHA-256）",
)

#: Keys of an event's data that are not a form's fields, in Chinese.
_DATA_LABELS = {
    "document": "文书",
    "title": "标题",
    "number": "文号",
    "sha256": "文件 SHA-256",
    "document_id": "文件编号",
    "changes": "变更",
    "name": "名称",
    "version": "版本",
    "file": "文件",
    "reason": "原因",
    "decision": "意见",
    "mode": "方式",
    "state": "步骤",
    "to": "交给",
    "to_name": "交给",
    "user": "用户",
    "users": "人员",
    "names": "人员",
}
_DECISIONS = {"approve": "同意", "return": "退回", "before": "办理前", "after": "办理后"}


@dataclass(frozen=True)
class TrailTable:
    """The rows of one request's readable trail, and a file name for them."""

    instance_id: int
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def value_text(value: Any, f: FieldDef | None) -> str:
    """A stored form value as text: option labels, 是/否, Chinese dates, a list's records one per line."""
    if value is None or value == "" or value == []:
        return "（未填）"
    if f is None:
        return _plain(value)
    if f.type == "boolean":
        return "是" if value else "否"
    if f.type == "date":
        day = as_date(value)
        return chinese_date(day) if day else str(value)
    if f.type == "month":
        return chinese_month(value)
    if f.type == "choice":
        return f.option_label(str(value))
    if f.type == "multichoice" and isinstance(value, list):
        return "、".join(f.option_label(str(v)) for v in value)
    if f.type == "list" and isinstance(value, list):
        lines = []
        for i, row in enumerate(value, 1):
            if isinstance(row, Mapping):
                cells = "，".join(f"{c.label}：{value_text(row.get(c.name), c)}" for c in f.fields)
                lines.append(f"（{i}）{cells}")
        return "\n".join(lines)
    return _plain(value)


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Mapping):
        return "；".join(f"{_DATA_LABELS.get(str(k), str(k))}：{_plain(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "、".join(_plain(v) for v in value)
    return _DECISIONS.get(str(value), str(value))


def _form_of(definition: WorkflowDefinition, action: str | None) -> tuple[FieldDef, ...]:
    if action == "start":
        return definition.start.form
    if action:
        try:
            return definition.action(action).form
        except KeyError:
            return ()
    return ()


def data_text(
    e: AuditView, definition: WorkflowDefinition, names: Mapping[int, str], users: Mapping[int, str]
) -> str:
    """What an event carries, as lines of ``label：value``."""
    data = dict(e.data or {})
    if not data:
        return ""
    lines: list[str] = []
    by = data.pop("_by", None)
    if e.kind in STEP_KINDS:
        form = _form_of(definition, e.action)
        by_name = {f.name: f for f in form}
        for f in form:
            if data.get(f.name) not in (None, "", []):
                lines.append(f"{f.label}：{value_text(data[f.name], f)}")
        lines += [f"{k}：{_plain(v)}" for k, v in data.items() if k not in by_name]
    elif e.kind == "org_update" and isinstance(data.get("changes"), Mapping):
        for name, change in data["changes"].items():
            org_field = ORG_FIELDS.get(name)
            if isinstance(change, Mapping):
                before = value_text(change.get("from"), org_field)
                after = value_text(change.get("to"), org_field)
                lines.append(f"{org_field.label if org_field else name}：{before} → {after}")
    elif e.kind == "document":
        lines.append(f"文书：《{data.get('title', '')}》（{data.get('number', '')}）")
        if data.get("sha256"):
            lines.append(f"文件 SHA-256：{data['sha256']}")
    else:
        lines += _generic_lines(e, definition, data, users)
    if isinstance(by, Mapping):
        if by.get("on_behalf_of") is not None:
            who = users.get(int(by["on_behalf_of"]), f"用户 {by['on_behalf_of']}")
            lines.append(f"代办：代{who}办理")
        if by.get("by_system"):
            lines.append(f"系统办理：{by['by_system']}")
    return "\n".join(lines)


def _generic_lines(
    e: AuditView, definition: WorkflowDefinition, data: dict[str, Any], users: Mapping[int, str]
) -> list[str]:
    """Data of the other events: people by name (never their ids), a countersign's form by its labels."""
    lines: list[str] = []
    if e.kind == "sign" and isinstance(data.get("form"), Mapping):
        state = next((st for st in definition.states if st.name == e.from_state), None)
        form = state.countersign.form if state and state.countersign else ()
        labels = {f.name: f for f in form}
        for name, value in data.pop("form").items():
            f = labels.get(name)
            lines.append(f"{f.label if f else name}：{value_text(value, f)}")
    if isinstance(data.get("recipients"), list):
        names = [
            users.get(int(u), f"用户 {u}") if isinstance(u, int) else str(u) for u in data.pop("recipients")
        ]
        lines.append(f"通知：{'、'.join(names)}")
    if isinstance(data.get("on_behalf_of"), int):
        lines.append(f"代办：代{users.get(data.pop('on_behalf_of'), '他人')}办理")
    if "to_name" in data:
        data.pop("to", None)
    for k, v in data.items():
        if k.endswith("_id") or v in (None, "", []):
            continue  # internal numbers (task, timer): in the JSON export
        lines.append(f"{_DATA_LABELS.get(str(k), str(k))}：{_plain(v)}")
    return lines


def role_title(definition: WorkflowDefinition, role: str | None) -> str:
    if not role:
        return ""
    if role in ROLES:
        return ROLES[role]
    declared = definition.roles.get(role)
    return declared.title if declared else role


def rows_of(
    definition: WorkflowDefinition,
    trail: Sequence[AuditView],
    org_names: Mapping[int, str],
    user_names: Mapping[int, str] | None = None,
) -> list[tuple[Any, ...]]:
    """One row per event, in the order of the request's chain."""
    users = user_names or {}
    out = []
    for e in trail:
        if e.kind in STEP_KINDS:
            did = e.action_title or ("发起" if e.kind == "start" else e.action or "")
        else:
            did = e.action_title or ""
        out.append(
            (
                e.seq,
                chinese_time(e.at) if isinstance(e.at, dt.datetime) else str(e.at),
                kind_title(e.kind),
                e.actor_name or "系统",
                role_title(definition, e.role),
                org_names.get(e.org_id, "") if e.org_id is not None else "",
                did,
                e.from_title or "",
                e.to_title or "",
                e.comment or "",
                data_text(e, definition, org_names, users),
                e.id,
                e.hash,
            )
        )
    return out


class TrailTables:
    """Readable trails of the requests a person may see (the same visibility as the request page)."""

    def __init__(self, db: Database, flow: FlowService) -> None:
        self.db = db
        self.flow = flow

    def of_request(self, instance_id: int, user_id: int) -> TrailTable:
        inst = self.flow.get(instance_id, user_id)  # NotFound for whoever may not see it
        definition = self.flow.definition_of(instance_id, user_id)
        trail = self.flow.trail(instance_id, user_id)
        org_ids = {e.org_id for e in trail if e.org_id is not None}
        user_ids: set[int] = set()
        for e in trail:
            data = e.data if isinstance(e.data, Mapping) else {}
            by = data.get("_by")
            if isinstance(by, Mapping) and isinstance(by.get("on_behalf_of"), int):
                user_ids.add(by["on_behalf_of"])
            if isinstance(data.get("on_behalf_of"), int):
                user_ids.add(data["on_behalf_of"])
            user_ids |= {u for u in data.get("recipients") or () if isinstance(u, int)}
        with self.db.read() as s:
            orgs = _names(
                s.execute(select(Organization.id, Organization.name).where(Organization.id.in_(org_ids)))
            )
            users = _names(s.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))))
        return TrailTable(
            inst.id,
            f"{inst.title}（第 {inst.id} 号申请）审计记录",
            HEADER,
            tuple(rows_of(definition, trail, orgs, users)),
        )


def _names(rows: Iterable[Any]) -> dict[int, str]:
    return {int(r[0]): str(r[1]) for r in rows}


__all__ = ["HEADER", "TrailTable", "TrailTables", "data_text", "rows_of", "value_text"]
