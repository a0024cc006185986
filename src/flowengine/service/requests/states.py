"""What entering and leaving a state means beyond its step task: signers, timers, waiting, copies.

* Entering a state with a ``countersign`` opens one ``sign`` task per signer (by role, or for each person the
  previous actor chose), tied to the step task of this round (``parent_task_id``), and notifies them.
  A state with a ``timer`` gets a ``timers`` row that the sweep fires when it is due.
* Leaving a state closes every open task of it (step, sign, added), cancels its timers and any action held
  for a 后加签 opinion.
* While a countersign is incomplete, or a 前加签 opinion is outstanding, the step's own actions wait (a
  return or a withdrawal never waits).
* An action's ``copy_to`` copies the request to the holders of those roles (抄送): they may read it.
* The one waiting is told every outcome (:func:`tell_outcome`): a return with its reason, an approval
  (批复), a refusal and the completion go to the initiator and to the holders of the roles the definition's
  ``notify`` names — in the app, and by e-mail when SMTP is configured.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from flowengine.chinese import CHINA, china_date
from flowengine.definitions.model import ActionDef, Countersign, Period, TimerDef, WorkflowDefinition
from flowengine.engine.calendar import add_days, subtract_days
from flowengine.engine.roles import OrgInfo, resolve_role
from flowengine.persistence.models import Copy, HeldAction, Signature, Task, Timer, User
from flowengine.service import audit
from flowengine.service.notify.notifications import holders, send
from flowengine.vocabulary import ActionKind, AuditKind, InstanceStatus, NotificationKind, TaskKind

#: Who the trail names for what the system did by itself (a timer ran out, a countersign completed).
SYSTEM_NAME = "系统"
#: Action kinds that never wait for signers or opinions, and are never held: the step is undone anyway.
HOLD_EXEMPT = (ActionKind.RETURN, ActionKind.WITHDRAW)

_T, _TM, _H, _S = (
    cast(Table, Task.__table__).c,
    cast(Table, Timer.__table__).c,
    cast(Table, HeldAction.__table__).c,
    cast(Table, Signature.__table__).c,
)
_INSERT_TASK = insert(cast(Table, Task.__table__)).returning(_T.id)
_CLOSE_TASKS = (
    update(cast(Table, Task.__table__))
    .where(
        _T.instance_id == bindparam("iid"),
        _T.state.in_(bindparam("states", expanding=True)),
        _T.closed_at.is_(None),
    )
    .values(closed_at=bindparam("now"), closed_by_id=bindparam("user_id"), closed_action=bindparam("action"))
)
_CANCEL_TIMERS = (
    update(cast(Table, Timer.__table__))
    .where(
        _TM.instance_id == bindparam("iid"),
        _TM.state.in_(bindparam("states", expanding=True)),
        _TM.fired_at.is_(None),
        _TM.cancelled_at.is_(None),
    )
    .values(cancelled_at=bindparam("now"))
)
_CANCEL_HELD = (
    update(cast(Table, HeldAction.__table__))
    .where(
        _H.instance_id == bindparam("iid"),
        _H.state.in_(bindparam("states", expanding=True)),
        _H.released_at.is_(None),
        _H.cancelled_at.is_(None),
    )
    .values(cancelled_at=bindparam("now"))
)


@dataclass(frozen=True)
class Performer:
    """Who takes an action, as the trail records it: a person (``user_id``), possibly for someone who
    delegated to them (``on_behalf_of``), or the system (``user_id`` None, with the ``reason``)."""

    user_id: int | None
    name: str
    role: str
    org_id: int
    client_addr: str | None = None
    on_behalf_of: int | None = None
    reason: str | None = None

    def audit_data(self, cleaned: Mapping[str, Any] | None) -> dict[str, Any] | None:
        """The form data, with whom the action was taken for (委托) or why the system took it."""
        extra: dict[str, Any] = {}
        if self.on_behalf_of is not None:
            extra["on_behalf_of"] = self.on_behalf_of
        if self.user_id is None and self.reason:
            extra["by_system"] = self.reason
        if not extra:
            return dict(cleaned) if cleaned else None
        return {**(cleaned or {}), "_by": extra}


def leave_states(
    conn: Connection, instance_id: int, states: list[str], now: dt.datetime, user_id: int | None, action: str
) -> None:
    """Close every open task of the states left, cancel their timers and the actions held in them."""
    params = dict(iid=instance_id, states=states, now=now)
    conn.execute(_CLOSE_TASKS, {**params, "user_id": user_id, "action": action})
    conn.execute(_CANCEL_TIMERS, params)
    conn.execute(_CANCEL_HELD, params)


def enter_state(
    s: Session,
    definition: WorkflowDefinition,
    instance_id: int,
    title: str,
    state_name: str,
    org: OrgInfo,
    data: Mapping[str, Any],
    settings: Mapping[str, Any],
    now: dt.datetime,
) -> None:
    """Open the signers' tasks and the timer of a state just entered (its step task is already open)."""
    state = definition.state(state_name)
    if state.countersign is not None:
        _open_signers(s, definition, instance_id, title, state_name, state.countersign, org, data, now)
    for position, timer in enumerate(state.timers):
        due = timer_due(timer, data, settings, now)
        s.connection().execute(
            insert(cast(Table, Timer.__table__)),
            dict(
                instance_id=instance_id,
                state=state_name,
                action=timer.fire,
                position=position,
                due_at=due,
                created_at=now,
            ),
        )


def date_in(data: Mapping[str, Any], ref: str | None) -> dt.date | None:
    """The date a ``step.field`` of the request's data holds (``None`` when empty or not a date)."""
    if not ref:
        return None
    step, _, name = ref.partition(".")
    value = (data.get(step) or {}).get(name)
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _length(period: Period | TimerDef, data: Mapping[str, Any], settings: Mapping[str, Any]) -> int:
    """How many units a period lasts: from its form field, else its setting, else its number."""
    if period.days_field:
        step, _, name = period.days_field.partition(".")
        value = (data.get(step) or {}).get(name)
        if isinstance(value, int | str) and not isinstance(value, bool) and str(value).isdigit():
            return int(value)
    if period.days_setting and settings.get(period.days_setting) is not None:
        return int(settings[period.days_setting])
    return period.days


def timer_day(
    timer: TimerDef, data: Mapping[str, Any], settings: Mapping[str, Any], entered: dt.date
) -> dt.date:
    """The day a timer falls on: ``days`` units after its start day — the day the state was entered, or the
    date of ``timer.start`` — then ``plus`` units more, less ``before`` units."""
    day = add_days(date_in(data, timer.start) or entered, _length(timer, data, settings), timer.unit)
    if timer.plus is not None:
        day = add_days(day, _length(timer.plus, data, settings), timer.plus.unit)
    if timer.before is not None:
        day = subtract_days(day, _length(timer.before, data, settings), timer.before.unit)
    return day


def timer_due(
    timer: TimerDef, data: Mapping[str, Any], settings: Mapping[str, Any], now: dt.datetime
) -> dt.datetime:
    """When a timer fires: at the start (China midnight) of its day (:func:`timer_day`), so the period
    [start, start + days) is over.

    A period of 5 working days entered on a Monday ends with Friday and fires on the next working day's
    midnight; a period of 12 months from 2025-03-01 fires at the start of 2026-03-01.
    """
    day = timer_day(timer, data, settings, china_date(now))
    return dt.datetime.combine(day, dt.time(), tzinfo=CHINA).astimezone(dt.UTC)


def _open_signers(
    s: Session,
    definition: WorkflowDefinition,
    instance_id: int,
    title: str,
    state_name: str,
    cs: Countersign,
    org: OrgInfo,
    data: Mapping[str, Any],
    now: dt.datetime,
) -> None:
    conn = s.connection()
    step = conn.execute(
        select(_T.id, _T.role, _T.org_id).where(
            _T.instance_id == instance_id,
            _T.state == state_name,
            _T.kind == TaskKind.STEP,
            _T.closed_at.is_(None),
        )
    ).first()
    parent = step.id if step is not None else None
    targets: list[tuple[str, int, int | None]] = []
    for key in cs.signers:
        a = resolve_role(definition.roles[key], org)
        targets.append((a.role, a.org_id, None))
    if cs.people:
        step_name, _, field = cs.people.partition(".")
        usernames = [str(r.get("user") or "").strip() for r in (data.get(step_name) or {}).get(field) or []]
        found = dict(
            conn.execute(
                select(User.username, User.id).where(User.username.in_([u for u in usernames if u]))
            ).all()
        )
        role, org_id = (step.role, step.org_id) if step is not None else ("", org.id)
        targets.extend((role, org_id, found[u]) for u in dict.fromkeys(usernames) if u in found)
    body = f"{title}：请在“{definition.state(state_name).title}”中提出{cs.title}。"
    for role, org_id, user in targets:
        conn.execute(
            _INSERT_TASK,
            dict(
                instance_id=instance_id,
                state=state_name,
                role=role,
                org_id=org_id,
                assignee_id=user,
                opened_at=now,
                due_at=None,
                next_alert_at=None,
                alerts_sent=0,
                escalated=False,
                kind=TaskKind.SIGN,
                parent_task_id=parent,
            ),
        )
        users = [user] if user is not None else holders(conn, role, org_id)
        send(
            conn,
            users,
            NotificationKind.SIGN,
            f"【待会签】{title}",
            body,
            now,
            instance_id=instance_id,
            org_id=org.id,
        )


@dataclass(frozen=True)
class SignStatus:
    """Where the countersign of the current round stands."""

    signers: int
    approvals: int
    dissents: int
    open: int
    needed: int
    on_return: str

    @property
    def complete(self) -> bool:
        if self.signers == 0:
            return True
        if self.approvals >= self.needed:
            return True
        return self.on_return == "dissent" and self.open == 0


def sign_status(
    conn: Connection, definition: WorkflowDefinition, instance_id: int, state: str
) -> SignStatus | None:
    """The countersign of ``state`` in its current round (the sign tasks of its open step task)."""
    cs = definition.state(state).countersign
    if cs is None:
        return None
    step = conn.execute(
        select(_T.id).where(
            _T.instance_id == instance_id, _T.state == state, _T.kind == TaskKind.STEP, _T.closed_at.is_(None)
        )
    ).scalar()
    rows = conn.execute(
        select(_T.id, _T.closed_at, _S.decision)
        .select_from(
            cast(Table, Task.__table__).outerjoin(cast(Table, Signature.__table__), _S.task_id == _T.id)
        )
        .where(
            _T.instance_id == instance_id,
            _T.state == state,
            _T.kind == TaskKind.SIGN,
            _T.parent_task_id == step,
        )
    ).all()
    approvals = sum(1 for r in rows if r.decision == "approve")
    dissents = sum(1 for r in rows if r.decision == "return")
    return SignStatus(
        signers=len(rows),
        approvals=approvals,
        dissents=dissents,
        open=sum(1 for r in rows if r.closed_at is None),
        needed=cs.needed(len(rows)),
        on_return=cs.on_return,
    )


def waiting_for(
    conn: Connection,
    definition: WorkflowDefinition,
    instance_id: int,
    state: str,
    act: ActionDef,
    open_tasks: Sequence[Any] | None = None,
) -> str | None:
    """Why the step's action cannot be taken yet (signers or an opinion outstanding), or ``None``.

    ``open_tasks`` (the request's open tasks, when the caller read them already) spare the query for 前加签
    opinions when there is none."""
    if act.kind in HOLD_EXEMPT:
        return None
    status = sign_status(conn, definition, instance_id, state)
    cs = definition.state(state).countersign
    if status is not None and cs is not None and not status.complete:
        return (
            f"正在征求{cs.title}（已同意 {status.approvals} / 需 {status.needed}，尚有 {status.open} 人未签），"
            f"完成后才能办理“{act.title}”。"
        )
    if open_tasks is not None and not any(
        t.state == state and t.kind == TaskKind.ADDED and t.mode == "before" for t in open_tasks
    ):
        return None
    before = (
        conn.execute(
            select(User.display_name)
            .select_from(cast(Table, Task.__table__).join(User, User.id == _T.assignee_id))
            .where(
                _T.instance_id == instance_id,
                _T.state == state,
                _T.kind == TaskKind.ADDED,
                _T.mode == "before",
                _T.closed_at.is_(None),
            )
        )
        .scalars()
        .all()
    )
    if before:
        return f"已加签征求{'、'.join(before)}的意见，意见回复后才能办理“{act.title}”。"
    return None


def copy_to_users(
    s: Session,
    instance_id: int,
    title: str,
    users: list[int],
    now: dt.datetime,
    *,
    action: str | None,
    by: tuple[int, str] | None,
    org_id: int,
    comment: str | None = None,
) -> list[int]:
    """抄送 the request to ``users`` (each once): read access, a notification, one audit event."""
    conn = s.connection()
    already = set(
        conn.execute(
            select(Copy.user_id).where(Copy.instance_id == instance_id, Copy.user_id.in_(users))
        ).scalars()
    )
    new = [u for u in dict.fromkeys(users) if u not in already]
    if not new:
        return []
    conn.execute(
        insert(cast(Table, Copy.__table__)),
        [
            dict(
                instance_id=instance_id, user_id=u, action=action, by_id=by[0] if by else None, created_at=now
            )
            for u in new
        ],
    )
    who = by[1] if by else SYSTEM_NAME
    send(
        conn,
        new,
        NotificationKind.COPY,
        f"【抄送】{title}",
        f"{who}将“{title}”抄送给您，请阅知。" + (comment or ""),
        now,
        instance_id=instance_id,
        org_id=org_id,
    )
    names = dict(conn.execute(select(User.id, User.display_name).where(User.id.in_(new))).all())
    audit.append(
        s,
        at=now,
        kind=AuditKind.COPY,
        instance_id=instance_id,
        actor_id=by[0] if by else None,
        actor_name=who,
        action=action,
        comment=comment,
        data={"to": new, "names": [names.get(u, "") for u in new]},
    )
    return new


def copy_by_roles(
    s: Session,
    definition: WorkflowDefinition,
    act: ActionDef,
    instance_id: int,
    title: str,
    org: OrgInfo,
    now: dt.datetime,
) -> None:
    """The automatic copies an action declares (``copy_to``): the holders of those roles."""
    conn = s.connection()
    users: list[int] = []
    for key in act.copy_to:
        target = resolve_role(definition.roles[key], org)
        users.extend(holders(conn, target.role, target.org_id))
    if users:
        copy_to_users(s, instance_id, title, users, now, action=act.name, by=None, org_id=org.id)


def open_count(conn: Connection, instance_id: int, state: str, kind: str) -> int:
    return int(
        conn.execute(
            select(func.count()).where(
                _T.instance_id == instance_id, _T.state == state, _T.kind == kind, _T.closed_at.is_(None)
            )
        ).scalar()
        or 0
    )


def outcome_recipients(
    conn: Connection, definition: WorkflowDefinition, initiator_id: int | None, org: OrgInfo
) -> list[int]:
    """Who waits for a request's outcomes: its initiator, and the holders of the roles ``notify`` names."""
    users = [initiator_id] if initiator_id is not None else []
    for key in definition.notify:
        target = resolve_role(definition.roles[key], org)
        users.extend(holders(conn, target.role, target.org_id))
    return [u for u in dict.fromkeys(users) if u is not None]


def tell_outcome(
    conn: Connection,
    definition: WorkflowDefinition,
    act: ActionDef,
    *,
    instance_id: int,
    title: str,
    initiator_id: int | None,
    org: OrgInfo,
    actor_id: int | None,
    actor_name: str,
    from_state: str,
    to_state: str,
    status: str,
    comment: str | None,
    now: dt.datetime,
) -> int:
    """Tell the one waiting what became of the request: 退回 (with the reason), 批复, 不予批准, 办结.

    Steps that only move the request on (a submission, a record) tell nobody: the next holder's inbox shows
    them. Whoever took the action is not told of it.
    """
    to_title = definition.state(to_state).title
    reason = f"理由：{comment}" if comment else ""
    if act.kind == ActionKind.RETURN:
        kind = NotificationKind.RETURNED
        subject = f"【已退回】{title}"
        body = f"{actor_name}将“{title}”退回到“{to_title}”（{act.title}）。{reason}请修改后重新提交。"
    elif status == InstanceStatus.COMPLETED and definition.state(to_state).final:
        kind = NotificationKind.COMPLETED
        subject = f"【已办结】{title}"
        body = f"“{title}”已{act.title}，流程办结（{to_title}）。" + (f"意见：{comment}" if comment else "")
    elif act.kind == ActionKind.APPROVE:
        kind = NotificationKind.APPROVED
        subject = f"【已批复】{title}：{act.title}"
        body = f"{actor_name}已{act.title}，“{title}”进入“{to_title}”。" + (
            f"意见：{comment}" if comment else ""
        )
    elif act.kind == ActionKind.REJECT:
        kind = NotificationKind.REJECTED
        subject = f"【不予批准】{title}"
        body = f"{actor_name}对“{title}”作出“{act.title}”。{reason}"
    else:
        return 0
    users = [u for u in outcome_recipients(conn, definition, initiator_id, org) if u != actor_id]
    return send(conn, users, kind, subject, body, now, instance_id=instance_id, org_id=org.id)
