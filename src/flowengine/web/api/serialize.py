"""The service's frozen results as the JSON the OpenAPI document describes (:mod:`.schema`).

A straight dump of :mod:`flowengine.service.views` and the definition model: no rule is decided here.
Times are RFC 3339 in UTC; dates inside form data are already ISO text (the engine cleans them so).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from flask import url_for

from flowengine.definitions.model import ActionDef, FieldDef, StateDef, WorkflowDefinition
from flowengine.service import (
    ActionView,
    AuditView,
    CopyView,
    DelegationView,
    DocumentView,
    InstanceView,
    Page,
    PersonOption,
    RequestRow,
    TaskView,
    VerbsView,
    mermaid,
)
from flowengine.vocabulary import InstanceStatus, title_of


def time(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def jsonable(value: Any) -> Any:
    """Definition values (a field's min may be a date) as JSON."""
    if isinstance(value, dt.datetime):
        return time(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def field(f: FieldDef) -> dict[str, Any]:
    return {
        "name": f.name,
        "label": f.label,
        "type": f.type,
        "required": f.required,
        "help": f.help,
        "min": jsonable(f.min),
        "max": jsonable(f.max),
        "min_length": f.min_length,
        "max_length": f.max_length,
        "pattern": f.pattern,
        "options": [{"value": o.value, "label": o.label} for o in f.options],
        "min_items": f.min_items,
        "max_items": f.max_items,
        "fields": [field(c) for c in f.fields],
    }


def _state(s: StateDef) -> dict[str, Any]:
    deadline = None
    if s.deadline is not None:
        deadline = {"days": s.deadline.days, "unit": s.deadline.unit, "setting": s.deadline.days_setting}
    return {
        "name": s.name,
        "title": s.title,
        "initial": s.initial,
        "final": s.final,
        "outcome": s.outcome,
        "assignee": s.assignee,
        "description": s.description,
        "deadline": deadline,
    }


def _action(a: ActionDef) -> dict[str, Any]:
    return {
        "name": a.name,
        "title": a.title,
        "kind": a.kind,
        "role": a.role,
        "sources": list(a.sources),
        "destinations": list(dict.fromkeys(a.destinations)),
        "comment_required": a.comment_required,
        "form": [field(f) for f in a.form],
        "checks": [c.name for c in a.checks],
        "documents": list(a.documents),
        "description": a.description,
    }


def procedure(d: WorkflowDefinition, startable: Iterable[tuple[int, str]]) -> dict[str, Any]:
    return {
        "name": d.name,
        "title": d.title,
        "version": d.version,
        "description": d.description,
        "start": {
            "role": d.start.role,
            "org_types": list(d.start.org_types),
            "form": [field(f) for f in d.start.form],
            "checks": [c.name for c in d.start.checks],
        },
        "startable_orgs": [{"id": i, "name": n} for i, n in startable],
        "roles": [{"key": r.key, "title": r.title, "role": r.role, "of": r.of} for r in d.roles.values()],
        "states": [_state(s) for s in d.states],
        "actions": [_action(a) for a in d.actions],
        "documents": [{"name": x.name, "title": x.title, "kind": x.kind} for x in d.documents.values()],
        "diagram": mermaid(d),
    }


def task(t: TaskView, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": t.id,
        "instance_id": t.instance_id,
        "instance_title": t.instance_title,
        "workflow": t.workflow,
        "workflow_title": t.workflow_title,
        "org_id": t.org_id,
        "org_name": t.org_name,
        "state": t.state,
        "state_title": t.state_title,
        "role": t.role,
        "role_title": t.role_title,
        "assigned_org_id": t.assigned_org_id,
        "assigned_org_name": t.assigned_org_name,
        "assignee_id": t.assignee_id,
        "opened_at": time(t.opened_at),
        "due_at": time(t.due_at),
        "overdue": t.overdue(now),
        "kind": t.kind,
        "category": t.category,
        "note": t.note,
        "delegated_by": t.delegated_by,
    }


def person(p: PersonOption) -> dict[str, Any]:
    return {"username": p.username, "name": p.name, "where": p.where}


def verbs(v: VerbsView) -> dict[str, Any]:
    return {
        "countersign_title": v.countersign_title,
        "signers": v.signers,
        "approvals": v.approvals,
        "needed": v.needed,
        "signatures": [
            {
                "state": sg.state,
                "name": sg.name,
                "role_title": sg.role_title,
                "org_name": sg.org_name,
                "decision": sg.decision,
                "data": sg.data,
                "comment": sg.comment,
                "at": time(sg.at),
            }
            for sg in v.signatures
        ],
        "pending_signers": list(v.pending_signers),
        "sign_form": [field(f) for f in v.sign_form],
        "may_sign": v.may_sign,
        "may_give_opinion": v.may_give_opinion,
        "pending_opinions": list(v.pending_opinions),
        "opinions": [{"name": o.actor_name, "comment": o.comment, "at": time(o.at)} for o in v.opinions],
        "may_transfer": v.may_transfer,
        "colleagues": [person(p) for p in v.colleagues],
        "may_add": v.may_add,
        "advisers": [person(p) for p in v.advisers],
        "may_copy": v.may_copy,
        "copied_to": [{"name": n, "read": r} for n, r in v.copied_to],
        "copied_unread": v.copied_unread,
        "may_urge": v.may_urge,
        "urge_refusal": v.urge_refusal,
        "may_take_back": v.may_take_back,
        "held": list(v.held),
        "waiting": v.waiting,
    }


def copy(c: CopyView) -> dict[str, Any]:
    return {
        "instance_id": c.instance_id,
        "instance_title": c.instance_title,
        "org_name": c.org_name,
        "state_title": c.state_title,
        "by": c.by,
        "created_at": time(c.created_at),
        "read_at": time(c.read_at),
    }


def delegation(d: DelegationView) -> dict[str, Any]:
    return {
        "id": d.id,
        "delegator": d.delegator,
        "delegate": d.delegate,
        "workflow": d.workflow,
        "workflow_title": d.workflow_title,
        "starts_on": d.starts_on.isoformat(),
        "ends_on": d.ends_on.isoformat(),
        "reason": d.reason,
        "revoked": d.revoked,
        "active": d.active,
        "mine": d.mine,
    }


def event(e: AuditView) -> dict[str, Any]:
    return {
        "id": e.id,
        "seq": e.seq,
        "at": time(e.at),
        "kind": e.kind,
        "actor_id": e.actor_id,
        "actor_name": e.actor_name,
        "role": e.role,
        "org_id": e.org_id,
        "action": e.action,
        "action_title": e.action_title,
        "from_state": e.from_state,
        "from_title": e.from_title,
        "to_state": e.to_state,
        "to_title": e.to_title,
        "comment": e.comment,
        "data": e.data,
        "client_addr": e.client_addr,
        "hash": e.hash,
    }


def available(a: ActionView) -> dict[str, Any]:
    return {
        "name": a.name,
        "title": a.title,
        "kind": a.kind,
        "comment_required": a.comment_required,
        "description": a.description,
        "form": [field(f) for f in a.form],
        "prefill": {k: jsonable(v) for k, v in a.prefill.items()},
        "returned": event(a.returned) if a.returned is not None else None,
    }


def instance(i: InstanceView, actions: Iterable[ActionView], now: dt.datetime) -> dict[str, Any]:
    return {
        "id": i.id,
        "workflow": i.workflow,
        "workflow_title": i.workflow_title,
        "definition_version": i.definition_version,
        "org_id": i.org_id,
        "org_name": i.org_name,
        "initiator_id": i.initiator_id,
        "initiator_name": i.initiator_name,
        "title": i.title,
        "state": i.state,
        "state_title": i.state_title,
        "status": i.status,
        "status_title": title_of(InstanceStatus, i.status),
        "version": i.version,
        "data": i.data,
        "created_at": time(i.created_at),
        "updated_at": time(i.updated_at),
        "completed_at": time(i.completed_at),
        "open_tasks": [task(t, now) for t in i.open_tasks],
        "available_actions": [available(a) for a in actions],
    }


def row(r: RequestRow) -> dict[str, Any]:
    return {
        "id": r.id,
        "title": r.title,
        "workflow": r.workflow,
        "workflow_title": r.workflow_title,
        "org_id": r.org_id,
        "org_name": r.org_name,
        "state": r.state,
        "state_title": r.state_title,
        "status": r.status,
        "status_title": r.status_title,
        "initiator_name": r.initiator_name,
        "created_at": time(r.created_at),
        "updated_at": time(r.updated_at),
    }


def document(d: DocumentView) -> dict[str, Any]:
    return {
        "id": d.id,
        "instance_id": d.instance_id,
        "name": d.name,
        "title": d.title,
        "kind": d.kind,
        "action": d.action,
        "issuer_id": d.issuer_id,
        "issuer_name": d.issuer_name,
        "year": d.year,
        "serial": d.serial,
        "number": d.number,
        "filename": d.filename,
        "sha256": d.sha256,
        "verify_code": d.verify_code,
        "size": d.size,
        "created_at": time(d.created_at),
        "download": url_for("api.download_document", document_id=d.id),
    }


def page(p: Page[Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"items": items, "total": p.total, "page": p.page, "per_page": p.per_page, "pages": p.pages}


__all__ = [
    "available",
    "document",
    "event",
    "field",
    "instance",
    "jsonable",
    "page",
    "procedure",
    "row",
    "task",
    "time",
]
