"""What the service adds around a step of a procedure, beyond moving the request from state to state.

* **History.** Instance data keeps the latest submission of each action; a step that repeats (a round of
  另行选举, held as often as places stay unfilled) needs every earlier round too. The audit trail already
  holds each submission, append-only and in order, so the rules read it from there instead of a second
  copy in the instance.
* **Effects.** An action may declare changes to its organization (:class:`OrgUpdate`, e.g. an approved
  postponement moves the term end the term watch reads). They are applied here, in the caller's
  transaction, each with an ``org_update`` audit event naming the old and new values.
* **Return notes.** A step that was returned shows the reviewer's reasons where it is redone.
* **Prefilled lists.** A list field prefilled from another step's list (the tally sheet from the
  candidate list) keeps only the columns the field has, so a form posted back as prefilled validates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.orm import Session

from flowengine.definitions.model import ActionDef, FieldDef
from flowengine.engine.checks import OrgUpdate
from flowengine.persistence.models import AuditEvent, Organization
from flowengine.service import audit
from flowengine.vocabulary import STEP_KINDS

_E = AuditEvent.__table__.c
_HISTORY = (
    select(_E.action, _E.data)
    .where(_E.chain == bindparam("chain"), _E.kind.in_(tuple(STEP_KINDS)))
    .order_by(_E.seq)
)


def needs_history(act: ActionDef) -> bool:
    """Only rules can read the history: skip the query for an action without checks, predicates or effects."""
    return bool(act.checks or act.effects or any(b.when or b.unless for b in act.branches))


def history(conn: Connection, instance_id: int) -> tuple[tuple[str, Mapping[str, Any]], ...]:
    """Every step submitted on the request so far, oldest first, as ``(action, form data)``."""
    rows = conn.execute(_HISTORY, {"chain": audit.chain_of(instance_id)})
    return tuple((r.action, dict(r.data or {})) for r in rows if r.action)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


def apply_changes(
    s: Session,
    changes: Sequence[tuple[str, OrgUpdate]],
    *,
    instance_id: int,
    org_id: int,
    at: dt.datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
) -> None:
    """Apply the organization changes of an action's effects, each with an audit event (same transaction)."""
    for name, change in changes:
        fields = list(change.changes)
        old = s.execute(
            select(*(getattr(Organization, f) for f in fields)).where(Organization.id == org_id)
        ).one()
        s.execute(
            update(Organization)
            .where(Organization.id == org_id)
            .values(**dict(change.changes))
            .execution_options(synchronize_session=False)
        )
        audit.append(
            s,
            at=at,
            kind="org_update",
            instance_id=instance_id,
            actor_id=actor_id,
            actor_name=actor_name,
            org_id=org_id,
            action=action,
            comment=change.reason or None,
            data={
                "effect": name,
                "org_id": org_id,
                "changes": {
                    f: {"from": _json(old[i]), "to": _json(change.changes[f])} for i, f in enumerate(fields)
                },
            },
        )


def return_event(s: Session, instance_id: int, state: str) -> AuditEvent | None:
    """The return that sent the request back to ``state``, if that is the last thing that happened to it."""
    last = s.scalars(
        select(AuditEvent)
        .where(AuditEvent.chain == audit.chain_of(instance_id), AuditEvent.kind.in_(tuple(STEP_KINDS)))
        .order_by(AuditEvent.seq.desc())
        .limit(1)
    ).first()
    if last is not None and last.kind == "return" and last.to_state == state:
        return last
    return None


def fit_prefill(field: FieldDef, value: Any) -> Any:
    """Rows of another step's list reduced to this list field's columns (others would be refused)."""
    if field.type != "list" or not isinstance(value, list):
        return value
    columns = [c.name for c in field.fields]
    return [{c: row[c] for c in columns if c in row} for row in value if isinstance(row, Mapping)]
