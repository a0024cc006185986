"""The approval verbs around a step: 会签 (sign), 转办 (transfer), 加签 (ask an opinion), 抄送 (copy), 已阅,
催办 (urge) and 拿回 (take back). 委托 (delegation) is in :mod:`flowengine.service.identity.delegations`; the
access policy (:mod:`flowengine.service.access`) answers who may do each.

Every verb is one transaction, audited in the request's chain and notified to whom it concerns. A verb that
changes what may happen next (a signature, an opinion, a transfer, a take-back) raises the request's version,
so a page opened before it says it went stale instead of acting on an old picture.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, cast

from sqlalchemy import Connection, Table, insert, select, update
from sqlalchemy.orm import Session

from flowengine.chinese import china_date, chinese_date
from flowengine.clock import Clock
from flowengine.definitions.model import ActionDef, WorkflowDefinition
from flowengine.engine.calendar import is_working_day, next_working_day
from flowengine.engine.checks import CheckContext, run_checks
from flowengine.engine.forms import validate_form
from flowengine.errors import (
    CheckFailed,
    FlowEngineError,
    InvalidAction,
    PermissionDenied,
    ValidationFailed,
)
from flowengine.persistence.db import Database
from flowengine.persistence.models import (
    AuditEvent,
    Copy,
    HeldAction,
    Instance,
    Organization,
    RoleAssignment,
    Signature,
    Task,
    User,
)
from flowengine.service import access, audit
from flowengine.service.catalog import Catalog
from flowengine.service.notify.notifications import holders, send
from flowengine.service.requests.flow import (
    _INSTANCE_QUERY,
    FlowService,
    _merge_settings,
    audit_view,
    resolve_prefill,
)
from flowengine.service.requests.states import (
    HOLD_EXEMPT,
    SYSTEM_NAME,
    Performer,
    copy_to_users,
    enter_state,
    leave_states,
    outcome_recipients,
    sign_status,
    waiting_for,
)
from flowengine.service.views import Actor, InstanceView, PersonOption, SignatureView, VerbsView
from flowengine.vocabulary import ROLES, STEP_KINDS, AuditKind, InstanceStatus, NotificationKind, TaskKind

_T, _I = cast(Table, Task.__table__).c, cast(Table, Instance.__table__).c
#: Events after which the one who acted may no longer take the request back: someone else did something.
_DECISIVE = tuple(
    STEP_KINDS
    | {
        AuditKind.SIGN,
        AuditKind.OPINION,
        AuditKind.TRANSFER,
        AuditKind.ADD_SIGNER,
        AuditKind.TAKE_BACK,
        AuditKind.HOLD,
        AuditKind.TIMER,
    }
)
MAX_NOTE = 500


class Verbs:
    def __init__(self, db: Database, catalog: Catalog, clock: Clock, flow: FlowService) -> None:
        self.db = db
        self.catalog = catalog
        self.clock = clock
        self.flow = flow

    # ---- shared --------------------------------------------------------------------------------------

    def _open(
        self, s: Session, instance_id: int, who: access.Caller, now: dt.datetime, lock: bool = True
    ) -> Any:
        """The request (locked, so signers and actors are ordered) with its organization and definition."""
        conn = s.connection()
        if lock:
            conn.execute(select(_I.id).where(_I.id == instance_id).with_for_update())
        row, org, definition = self.flow._locate(s, instance_id, who, now)
        return row, org, definition

    @staticmethod
    def _active(row: Any) -> None:
        if row.status != InstanceStatus.ACTIVE:
            raise InvalidAction("该申请已结束，不能再办理。")

    @staticmethod
    def _bump(conn: Connection, row: Any, now: dt.datetime) -> None:
        conn.execute(
            update(cast(Table, Instance.__table__))
            .where(_I.id == row.id)
            .values(version=_I.version + 1, updated_at=now)
        )

    @staticmethod
    def _step_actions(definition: WorkflowDefinition, state: str) -> list[ActionDef]:
        step = definition.state(state)
        return [a for a in definition.actions_from(state) if a.role == step.assignee]

    def _step_acting(
        self,
        conn: Connection,
        definition: WorkflowDefinition,
        row: Any,
        org: Any,
        who: access.Caller,
        today: dt.date,
    ) -> access.Acting | None:
        """Whether ``who`` may act on the current step (by role, task or delegation): the one who may hand it
        over (转办) or ask for an opinion (加签)."""
        for act in self._step_actions(definition, row.state):
            acting = access.acting_assignment(conn, definition, row.id, row.state, org.info, act, who, today)
            if acting is not None:
                return acting
        return None

    @staticmethod
    def _user(conn: Connection, username: str, field: str) -> Any:
        name = (username or "").strip()
        if not name:
            raise ValidationFailed({field: "请选择人员"})
        found = conn.execute(
            select(User.id, User.display_name, User.is_active).where(User.username == name)
        ).first()
        if found is None or not found.is_active:
            raise ValidationFailed({field: f"用户“{name}”不存在或已停用"})
        return found

    @staticmethod
    def _note(text: str | None, field: str, what: str) -> str:
        note = (text or "").strip()
        if not note:
            raise ValidationFailed({field: f"请填写{what}"})
        if len(note) > MAX_NOTE:
            raise ValidationFailed({field: f"{what}不能超过 {MAX_NOTE} 字"})
        return note

    def _reload(self, s: Session, instance_id: int) -> Any:
        return s.connection().execute(_INSTANCE_QUERY, {"iid": instance_id}).one()

    def _view(self, s: Session, instance_id: int, definition: WorkflowDefinition) -> InstanceView:
        inst = s.get(Instance, instance_id)
        assert inst is not None
        s.refresh(inst)
        return self.flow._view(s, inst, definition)

    # ---- 会签 ------------------------------------------------------------------------------------------

    def sign(
        self,
        instance_id: int,
        decision: str,
        actor: Actor | int,
        data: Mapping[str, Any] | None = None,
        comment: str | None = None,
    ) -> InstanceView:
        """A signer's answer: ``approve`` or ``return`` (with reasons), with the countersign's form.

        Signers act at the same time: the request row is locked, so each signature counts once and the step
        completes once, by whichever signature completes it."""
        actor = actor if isinstance(actor, Actor) else Actor(actor)
        now = self.clock()
        today = china_date(now)
        with self.db.write() as s:
            conn = s.connection()
            who = access.caller(conn, actor.user_id)
            row, org, definition = self._open(s, instance_id, who, now)
            self._active(row)
            cs = definition.state(row.state).countersign
            if cs is None:
                raise InvalidAction(f"当前步骤“{definition.state(row.state).title}”不需要会签。")
            acting = access.task_of(conn, row.id, row.state, TaskKind.SIGN, who, today, definition.name)
            if acting is None:
                raise PermissionDenied(f"您不是“{definition.state(row.state).title}”的会签人，或已签过。")
            if decision not in ("approve", "return"):
                raise ValidationFailed({"decision": "请选择同意或不同意"})
            comment = (comment or "").strip() or None
            errors: dict[str, str] = {}
            if decision == "return" and not comment:
                errors["comment"] = "不同意时请写明理由"
            try:
                cleaned = validate_form(cs.form, data)
            except ValidationFailed as exc:
                errors.update(exc.errors)
                cleaned = {}
            if errors:
                raise ValidationFailed(errors)
            if cs.checks:
                settings = self._settings(conn, definition, org)
                ctx = CheckContext(
                    org.info, cleaned, dict(row.data or {}), settings, today, "", procedure=definition.params
                )
                failures = run_checks(cs.checks, ctx)
                if failures:
                    raise CheckFailed(failures)
            closed = conn.execute(
                update(cast(Table, Task.__table__))
                .where(_T.id == acting.task_id, _T.closed_at.is_(None))
                .values(closed_at=now, closed_by_id=who.user_id, closed_action=f"sign_{decision}")
            )
            if closed.rowcount != 1:
                raise InvalidAction("您已签过，不能重复会签。")
            name = acting.actor_name(who)
            conn.execute(
                insert(cast(Table, Signature.__table__)),
                dict(
                    instance_id=row.id,
                    task_id=acting.task_id,
                    state=row.state,
                    user_id=who.user_id,
                    actor_name=name,
                    role=acting.role,
                    org_id=acting.org_id,
                    decision=decision,
                    data=cleaned or None,
                    comment=comment,
                    at=now,
                ),
            )
            self._bump(conn, row, now)
            audit.append(
                s,
                at=now,
                kind=AuditKind.SIGN,
                instance_id=row.id,
                actor_id=who.user_id,
                actor_name=name,
                role=acting.role,
                org_id=acting.org_id,
                action=cs.title,
                from_state=row.state,
                to_state=row.state,
                comment=comment,
                data={
                    "decision": decision,
                    **({"form": cleaned} if cleaned else {}),
                    **({"on_behalf_of": acting.on_behalf_of.user_id} if acting.on_behalf_of else {}),
                },
                client_addr=actor.client_addr,
            )
            if decision == "return" and cs.on_return == "step" and cs.return_action:
                performer = Performer(
                    who.user_id,
                    name,
                    acting.role,
                    acting.org_id,
                    actor.client_addr,
                    acting.on_behalf_of.user_id if acting.on_behalf_of else None,
                )
                self.flow.perform(
                    s,
                    self._reload(s, row.id),
                    org,
                    definition,
                    definition.action(cs.return_action),
                    performer,
                    None,
                    comment,
                    now,
                )
                return self._view(s, row.id, definition)
            self._after_signature(s, row.id, org, definition, row.state, row.title, now)
            return self._view(s, row.id, definition)

    def _after_signature(
        self,
        s: Session,
        instance_id: int,
        org: Any,
        definition: WorkflowDefinition,
        state: str,
        title: str,
        now: dt.datetime,
    ) -> None:
        """When the countersign has what it needs: close what is left, tell the step, take ``then``."""
        conn = s.connection()
        status = sign_status(conn, definition, instance_id, state)
        cs = definition.state(state).countersign
        if status is None or cs is None or not status.complete:
            return
        if status.open:
            conn.execute(
                update(cast(Table, Task.__table__))
                .where(
                    _T.instance_id == instance_id,
                    _T.state == state,
                    _T.kind == TaskKind.SIGN,
                    _T.closed_at.is_(None),
                )
                .values(closed_at=now, closed_action="sign_not_needed")
            )
        step = conn.execute(
            select(_T.role, _T.org_id, _T.assignee_id).where(
                _T.instance_id == instance_id,
                _T.state == state,
                _T.kind == TaskKind.STEP,
                _T.closed_at.is_(None),
            )
        ).first()
        if step is not None:
            users = [step.assignee_id] if step.assignee_id else holders(conn, step.role, step.org_id)
            send(
                conn,
                users,
                NotificationKind.SIGN,
                f"【会签完成】{title}",
                f"{title}的{cs.title}已完成（同意 {status.approvals} 人，不同意 {status.dissents} 人），请继续办理。",
                now,
                instance_id=instance_id,
                org_id=org.id,
            )
        if cs.then:
            target = definition.action(cs.then)
            from flowengine.engine.roles import resolve_role

            a = resolve_role(definition.roles[target.role], org.info)
            self.flow.perform(
                s,
                self._reload(s, instance_id),
                org,
                definition,
                target,
                Performer(None, SYSTEM_NAME, a.role, a.org_id, None, None, f"{cs.title}已完成"),
                None,
                f"{cs.title}已完成，系统自动办理。",
                now,
            )

    def _settings(self, conn: Connection, definition: WorkflowDefinition, org: Any) -> dict[str, Any]:
        related = self.flow._related_orgs(conn, org)
        return _merge_settings(
            definition, [related[i].settings for i in org.ancestor_ids if i in related] + [org.settings]
        )

    # ---- 转办 ------------------------------------------------------------------------------------------

    def transfer(self, instance_id: int, to: str, reason: str | None, actor: Actor | int) -> InstanceView:
        """Hand the current step's task to a named colleague, who then may act on it (and whose inbox has it)."""
        actor = actor if isinstance(actor, Actor) else Actor(actor)
        now = self.clock()
        with self.db.write() as s:
            conn = s.connection()
            who = access.caller(conn, actor.user_id)
            row, org, definition = self._open(s, instance_id, who, now)
            self._active(row)
            if self._step_acting(conn, definition, row, org, who, china_date(now)) is None:
                raise PermissionDenied(f"只有“{definition.state(row.state).title}”的办理人可以转办。")
            note = self._note(reason, "reason", "转办理由")
            target = self._user(conn, to, "to")
            if target.id == who.user_id:
                raise ValidationFailed({"to": "不能转办给自己"})
            task = conn.execute(
                select(_T.id, _T.role, _T.org_id).where(
                    _T.instance_id == row.id,
                    _T.state == row.state,
                    _T.kind == TaskKind.STEP,
                    _T.closed_at.is_(None),
                )
            ).first()
            if task is None:
                raise InvalidAction("当前步骤没有可转办的待办。")
            roles_there = (
                conn.execute(
                    select(RoleAssignment.role).where(
                        RoleAssignment.user_id == target.id, RoleAssignment.org_id == task.org_id
                    )
                )
                .scalars()
                .all()
            )
            if not roles_there:
                place = conn.execute(select(Organization.name).where(Organization.id == task.org_id)).scalar()
                raise ValidationFailed(
                    {"to": f"{target.display_name}在{place}没有任何职务，无法办理此事项，不能转办给其"}
                )
            conn.execute(
                update(cast(Table, Task.__table__))
                .where(_T.id == task.id)
                .values(assignee_id=target.id, note=note)
            )
            self._bump(conn, row, now)
            audit.append(
                s,
                at=now,
                kind=AuditKind.TRANSFER,
                instance_id=row.id,
                actor_id=who.user_id,
                actor_name=who.name,
                role=task.role,
                org_id=task.org_id,
                from_state=row.state,
                to_state=row.state,
                comment=note,
                data={"task_id": task.id, "to": target.id, "to_name": target.display_name},
                client_addr=actor.client_addr,
            )
            send(
                conn,
                [target.id],
                NotificationKind.TRANSFER,
                f"【转办】{row.title}",
                f"{who.name}将“{definition.state(row.state).title}”转由您办理：{note}",
                now,
                instance_id=row.id,
                org_id=org.id,
            )
            return self._view(s, row.id, definition)

    # ---- 加签 ------------------------------------------------------------------------------------------

    def add_signer(
        self, instance_id: int, to: str, mode: str, reason: str | None, actor: Actor | int
    ) -> InstanceView:
        """Ask one more person for an opinion on the step, before the step may go on (``before``) or before an
        action taken meanwhile takes effect (``after``). The person can only give an opinion, not decide."""
        actor = actor if isinstance(actor, Actor) else Actor(actor)
        now = self.clock()
        with self.db.write() as s:
            conn = s.connection()
            who = access.caller(conn, actor.user_id)
            row, org, definition = self._open(s, instance_id, who, now)
            self._active(row)
            acting = self._step_acting(conn, definition, row, org, who, china_date(now))
            if acting is None:
                raise PermissionDenied(f"只有“{definition.state(row.state).title}”的办理人可以加签。")
            if mode not in ("before", "after"):
                raise ValidationFailed({"mode": "请选择前加签或后加签"})
            note = self._note(reason, "reason", "加签说明")
            target = self._user(conn, to, "to")
            if target.id == who.user_id:
                raise ValidationFailed({"to": "不能向自己加签"})
            scope = access.scope_ids(org.path, org.approver_id)
            held_there = conn.execute(
                select(RoleAssignment.role, RoleAssignment.org_id).where(
                    RoleAssignment.user_id == target.id, RoleAssignment.org_id.in_(scope)
                )
            ).first()
            if held_there is None:
                raise ValidationFailed(
                    {"to": f"{target.display_name}在本申请所属的组织及其上级中没有职务，不能加签"}
                )
            parent = conn.execute(
                select(_T.id).where(
                    _T.instance_id == row.id,
                    _T.state == row.state,
                    _T.kind == TaskKind.STEP,
                    _T.closed_at.is_(None),
                )
            ).scalar()
            conn.execute(
                insert(cast(Table, Task.__table__)),
                dict(
                    instance_id=row.id,
                    state=row.state,
                    role=held_there.role,
                    org_id=held_there.org_id,
                    assignee_id=target.id,
                    opened_at=now,
                    due_at=None,
                    next_alert_at=None,
                    alerts_sent=0,
                    escalated=False,
                    kind=TaskKind.ADDED,
                    parent_task_id=parent,
                    mode=mode,
                    note=note,
                ),
            )
            self._bump(conn, row, now)
            title = "前加签" if mode == "before" else "后加签"
            audit.append(
                s,
                at=now,
                kind=AuditKind.ADD_SIGNER,
                instance_id=row.id,
                actor_id=who.user_id,
                actor_name=acting.actor_name(who),
                role=acting.role,
                org_id=acting.org_id,
                from_state=row.state,
                to_state=row.state,
                comment=note,
                data={"to": target.id, "to_name": target.display_name, "mode": mode},
                client_addr=actor.client_addr,
            )
            send(
                conn,
                [target.id],
                NotificationKind.ADDED,
                f"【加签】{row.title}",
                f"{who.name}请您对“{definition.state(row.state).title}”提出意见（{title}）：{note}",
                now,
                instance_id=row.id,
                org_id=org.id,
            )
            return self._view(s, row.id, definition)

    def give_opinion(self, instance_id: int, opinion: str | None, actor: Actor | int) -> InstanceView:
        """The opinion asked for by 加签. The last "after" opinion lets the actions held for it take effect."""
        actor = actor if isinstance(actor, Actor) else Actor(actor)
        now = self.clock()
        with self.db.write() as s:
            conn = s.connection()
            who = access.caller(conn, actor.user_id)
            row, org, definition = self._open(s, instance_id, who, now)
            self._active(row)
            acting = access.task_of(
                conn, row.id, row.state, TaskKind.ADDED, who, china_date(now), definition.name
            )
            if acting is None:
                raise PermissionDenied("没有请您对当前步骤提出意见，或您已提出。")
            text = self._note(opinion, "comment", "意见")
            task = conn.execute(select(_T.mode).where(_T.id == acting.task_id)).first()
            conn.execute(
                update(cast(Table, Task.__table__))
                .where(_T.id == acting.task_id, _T.closed_at.is_(None))
                .values(closed_at=now, closed_by_id=who.user_id, closed_action="opinion")
            )
            self._bump(conn, row, now)
            audit.append(
                s,
                at=now,
                kind=AuditKind.OPINION,
                instance_id=row.id,
                actor_id=who.user_id,
                actor_name=who.name,
                role=acting.role,
                org_id=acting.org_id,
                from_state=row.state,
                to_state=row.state,
                comment=text,
                data={"mode": task.mode if task else None},
                client_addr=actor.client_addr,
            )
            step = conn.execute(
                select(_T.role, _T.org_id, _T.assignee_id).where(
                    _T.instance_id == row.id,
                    _T.state == row.state,
                    _T.kind == TaskKind.STEP,
                    _T.closed_at.is_(None),
                )
            ).first()
            if step is not None:
                users = [step.assignee_id] if step.assignee_id else holders(conn, step.role, step.org_id)
                send(
                    conn,
                    users,
                    NotificationKind.ADDED,
                    f"【加签意见】{row.title}",
                    f"{who.name}的意见：{text}",
                    now,
                    instance_id=row.id,
                    org_id=org.id,
                )
            if task is not None and task.mode == "after":
                self._release_held(s, row.id, org, definition, now)
            return self._view(s, row.id, definition)

    def _release_held(
        self, s: Session, instance_id: int, org: Any, definition: WorkflowDefinition, now: dt.datetime
    ) -> None:
        conn = s.connection()
        still = conn.execute(
            select(_T.id).where(
                _T.instance_id == instance_id,
                _T.kind == TaskKind.ADDED,
                _T.mode == "after",
                _T.closed_at.is_(None),
            )
        ).first()
        if still is not None:
            return
        held = (
            s.execute(
                select(HeldAction)
                .where(
                    HeldAction.instance_id == instance_id,
                    HeldAction.released_at.is_(None),
                    HeldAction.cancelled_at.is_(None),
                )
                .order_by(HeldAction.id)
            )
            .scalars()
            .all()
        )
        for h in held:
            conn.execute(
                update(cast(Table, HeldAction.__table__)).where(HeldAction.id == h.id).values(released_at=now)
            )
            row = self._reload(s, instance_id)
            who = access.caller(conn, h.actor_id)
            act = definition.action(h.action)
            acting = access.acting_assignment(
                conn, definition, instance_id, row.state, org.info, act, who, china_date(now)
            )
            title = row.title
            try:
                if acting is None:
                    raise PermissionDenied("您已不能办理该步骤。")
                with s.begin_nested():
                    self.flow.perform(
                        s,
                        row,
                        org,
                        definition,
                        act,
                        Performer(
                            who.user_id,
                            acting.actor_name(who),
                            acting.role,
                            acting.org_id,
                            h.client_addr,
                            acting.on_behalf_of.user_id if acting.on_behalf_of else None,
                        ),
                        h.data,
                        h.comment,
                        now,
                    )
            except FlowEngineError as exc:
                conn.execute(
                    update(cast(Table, HeldAction.__table__))
                    .where(HeldAction.id == h.id)
                    .values(released_at=None, cancelled_at=now)
                )
                send(
                    conn,
                    [h.actor_id],
                    NotificationKind.ADDED,
                    f"【未生效】{title}",
                    f"您在加签意见前办理的“{act.title}”未能生效：{exc.message} 请重新办理。",
                    now,
                    instance_id=instance_id,
                    org_id=org.id,
                )
                return
            break  # the first held action moved the request on; any other was for the same step

    # ---- 抄送 / 已阅 ----------------------------------------------------------------------------------

    def copy(self, instance_id: int, to: list[str], comment: str | None, actor: Actor | int) -> InstanceView:
        """Copy the request to people who must know (they may read it and mark it read)."""
        actor = actor if isinstance(actor, Actor) else Actor(actor)
        now = self.clock()
        with self.db.write() as s:
            conn = s.connection()
            who = access.caller(conn, actor.user_id)
            row, org, definition = self._open(s, instance_id, who, now, lock=False)
            if (
                row.initiator_id != who.user_id
                and self._step_acting(conn, definition, row, org, who, china_date(now)) is None
            ):
                raise PermissionDenied("只有申请人或当前步骤的办理人可以抄送。")
            names = [n.strip() for n in to if n and n.strip()]
            if not names:
                raise ValidationFailed({"to": "请选择抄送人员"})
            users = [self._user(conn, n, "to").id for n in names]
            text = (comment or "").strip()[:MAX_NOTE] or None
            copy_to_users(
                s,
                row.id,
                row.title,
                users,
                now,
                action=None,
                by=(who.user_id, who.name),
                org_id=org.id,
                comment=text,
            )
            return self._view(s, row.id, definition)

    def mark_read(self, instance_id: int, actor: Actor | int) -> int:
        """已阅: mark the copies of the request to this person read; returns how many were unread."""
        actor = actor if isinstance(actor, Actor) else Actor(actor)
        now = self.clock()
        with self.db.write() as s:
            conn = s.connection()
            who = access.caller(conn, actor.user_id)
            row, org, _ = self._open(s, instance_id, who, now, lock=False)
            copies = (
                conn.execute(select(Copy.id).where(Copy.instance_id == row.id, Copy.user_id == who.user_id))
                .scalars()
                .all()
            )
            if not copies:
                raise InvalidAction("该申请没有抄送给您。")
            done = conn.execute(
                update(cast(Table, Copy.__table__))
                .where(Copy.instance_id == row.id, Copy.user_id == who.user_id, Copy.read_at.is_(None))
                .values(read_at=now)
            )
            if done.rowcount:
                audit.append(
                    s,
                    at=now,
                    kind=AuditKind.COPY_READ,
                    instance_id=row.id,
                    actor_id=who.user_id,
                    actor_name=who.name,
                    org_id=org.id,
                    client_addr=actor.client_addr,
                )
            return int(done.rowcount)

    # ---- 催办 ------------------------------------------------------------------------------------------

    def urge(self, instance_id: int, comment: str | None, actor: Actor | int) -> InstanceView:
        """Nudge whoever must act on the current step: the initiator or the superior, once per working day."""
        actor = actor if isinstance(actor, Actor) else Actor(actor)
        now = self.clock()
        with self.db.write() as s:
            conn = s.connection()
            who = access.caller(conn, actor.user_id)
            row, org, definition = self._open(s, instance_id, who, now)
            self._active(row)
            refusal = self._urge_refusal(conn, row, org, who, now)
            if refusal:
                raise InvalidAction(refusal)
            tasks = conn.execute(
                select(_T.role, _T.org_id, _T.assignee_id).where(
                    _T.instance_id == row.id,
                    _T.state == row.state,
                    _T.closed_at.is_(None),
                    _T.kind.in_((TaskKind.STEP, TaskKind.SIGN, TaskKind.ADDED)),
                )
            ).all()
            users: list[int] = []
            for t in tasks:
                users.extend([t.assignee_id] if t.assignee_id else holders(conn, t.role, t.org_id))
            text = (comment or "").strip()[:MAX_NOTE] or None
            step = definition.state(row.state).title
            send(
                conn,
                users,
                NotificationKind.URGE,
                f"【催办】{row.title}：请尽快办理“{step}”",
                f"{who.name}催办：“{row.title}”正在“{step}”，请尽快办理。" + (text or ""),
                now,
                instance_id=row.id,
                org_id=org.id,
            )
            # The one waiting for the request learns it was urged on their behalf (催办), unless they urged
            # it themselves or it is their own step that was urged.
            waiting = [
                u
                for u in outcome_recipients(conn, definition, row.initiator_id, org.info)
                if u != who.user_id and u not in users
            ]
            send(
                conn,
                waiting,
                NotificationKind.URGED,
                f"【已催办】{row.title}",
                f"{who.name}已催办“{row.title}”的“{step}”（{'、'.join(sorted({ROLES.get(t.role, t.role) for t in tasks}))}）。"
                + (text or ""),
                now,
                instance_id=row.id,
                org_id=org.id,
            )
            audit.append(
                s,
                at=now,
                kind=AuditKind.URGE,
                instance_id=row.id,
                actor_id=who.user_id,
                actor_name=who.name,
                from_state=row.state,
                to_state=row.state,
                comment=text,
                data={"recipients": list(dict.fromkeys(users))},
                client_addr=actor.client_addr,
            )
            return self._view(s, row.id, definition)

    @staticmethod
    def _urge_day(day: dt.date) -> dt.date:
        """The working day an urge on ``day`` counts for (a weekend's or a holiday's: the next working day)."""
        return day if is_working_day(day) else next_working_day(day)

    def _urge_refusal(
        self, conn: Connection, row: Any, org: Any, who: access.Caller, now: dt.datetime
    ) -> str | None:
        superior = {o for o in access.scope_ids(org.path, org.approver_id) if o != org.id}
        if row.initiator_id != who.user_id and not any(o in superior for _, o in who.held):
            return "只有申请人或上级党组织的人员可以催办。"
        last = conn.execute(
            select(AuditEvent.at)
            .where(
                AuditEvent.chain == audit.chain_of(row.id),
                AuditEvent.kind == AuditKind.URGE,
                AuditEvent.to_state == row.state,
            )
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        ).scalar()
        today = self._urge_day(china_date(now))
        if last is not None and self._urge_day(china_date(last)) == today:
            return f"该步骤今天已催办过，每个工作日至多催办一次；{chinese_date(next_working_day(today))}起可再次催办。"
        return None

    # ---- 拿回 ------------------------------------------------------------------------------------------

    def take_back(self, instance_id: int, actor: Actor | int) -> InstanceView:
        """The one who just acted takes the request back to their step, while the next actor has not acted."""
        actor = actor if isinstance(actor, Actor) else Actor(actor)
        now = self.clock()
        with self.db.write() as s:
            conn = s.connection()
            who = access.caller(conn, actor.user_id)
            row, org, definition = self._open(s, instance_id, who, now)
            self._active(row)
            last = self._last_decisive(conn, row.id)
            refusal = self._take_back_refusal(definition, row, last, who)
            if refusal:
                raise InvalidAction(refusal)
            assert last is not None
            back = last.from_state
            leave_states(conn, row.id, [row.state], now, who.user_id, "take_back")
            conn.execute(
                update(cast(Table, Instance.__table__))
                .where(_I.id == row.id)
                .values(state=back, version=_I.version + 1, updated_at=now)
            )
            settings = self._settings(conn, definition, org)
            tid = self.flow._insert_task(s, row.id, definition, back, org.info, settings, now, row.data or {})
            if tid is not None:
                conn.execute(
                    update(cast(Table, Task.__table__)).where(_T.id == tid[0]).values(assignee_id=who.user_id)
                )
            enter_state(s, definition, row.id, row.title, back, org.info, dict(row.data or {}), settings, now)
            audit.append(
                s,
                at=now,
                kind=AuditKind.TAKE_BACK,
                instance_id=row.id,
                actor_id=who.user_id,
                actor_name=who.name,
                role=last.role,
                org_id=last.org_id,
                action=last.action,
                from_state=row.state,
                to_state=back,
                comment=f"拿回“{definition.action(last.action).title}”，重新办理。",
                client_addr=actor.client_addr,
            )
            waiting = conn.execute(
                select(_T.role, _T.org_id, _T.assignee_id).where(
                    _T.instance_id == row.id, _T.state == row.state, _T.closed_action == "take_back"
                )
            ).all()
            users: list[int] = []
            for t in waiting:
                users.extend([t.assignee_id] if t.assignee_id else holders(conn, t.role, t.org_id))
            send(
                conn,
                users,
                NotificationKind.TAKEN_BACK,
                f"【已拿回】{row.title}",
                f"{who.name}拿回了“{row.title}”，您暂无需办理“{definition.state(row.state).title}”。",
                now,
                instance_id=row.id,
                org_id=org.id,
            )
            return self._view(s, row.id, definition)

    @staticmethod
    def _last_decisive(conn: Connection, instance_id: int) -> Any:
        return (
            Session(bind=conn)
            .execute(
                select(AuditEvent)
                .where(AuditEvent.chain == audit.chain_of(instance_id), AuditEvent.kind.in_(_DECISIVE))
                .order_by(AuditEvent.seq.desc())
                .limit(1)
            )
            .scalars()
            .first()
        )

    @staticmethod
    def _take_back_refusal(
        definition: WorkflowDefinition, row: Any, last: Any, who: access.Caller
    ) -> str | None:
        if last is None:
            return "没有可以拿回的办理。"
        if last.actor_id != who.user_id:
            return "只有刚刚办理这一步的人可以拿回；下一步办理人已经办理，或这一步不是您办理的，不能拿回。"
        if last.kind not in (AuditKind.ACTION, AuditKind.APPROVE, AuditKind.RETURN, AuditKind.REJECT):
            return "没有可以拿回的办理。"
        if last.to_state != row.state or not last.from_state:
            return "下一步办理人已经办理，不能拿回。"
        try:
            act = definition.action(last.action)
        except KeyError:
            return "没有可以拿回的办理。"
        if act.effects:
            return f"“{act.title}”已经更新了组织信息，不能拿回；请联系下一步办理人退回。"
        return None

    # ---- what the caller may do ------------------------------------------------------------------------

    def panel(self, instance_id: int, actor: Actor | int) -> VerbsView:  # noqa: C901 — one flat answer per verb, read top to bottom
        """Everything the request page shows about the verbs, for this caller."""
        uid = actor.user_id if isinstance(actor, Actor) else actor
        now = self.clock()
        today = china_date(now)
        with self.db.read() as s:
            conn = s.connection()
            who = access.caller(conn, uid)
            row, org, definition = self.flow._locate(s, instance_id, who, now)
            state = definition.state(row.state) if row.status == InstanceStatus.ACTIVE else None
            out: dict[str, Any] = {}
            sigs = s.execute(
                select(Signature, Organization.name.label("org_name"))
                .join(Organization, Organization.id == Signature.org_id)
                .where(Signature.instance_id == row.id)
                .order_by(Signature.id)
            ).all()
            out["signatures"] = tuple(
                SignatureView(
                    sig.state,
                    sig.actor_name,
                    ROLES.get(sig.role, sig.role),
                    org_name,
                    sig.decision,
                    sig.data,
                    sig.comment,
                    sig.at,
                    _countersign_form(definition, sig.state),
                )
                for sig, org_name in sigs
            )
            events = (
                s.execute(
                    select(AuditEvent)
                    .where(AuditEvent.chain == audit.chain_of(row.id), AuditEvent.kind == AuditKind.OPINION)
                    .order_by(AuditEvent.seq)
                )
                .scalars()
                .all()
            )
            out["opinions"] = tuple(audit_view(e, definition) for e in events)
            copies = conn.execute(
                select(User.display_name, Copy.read_at, Copy.user_id)
                .join(User, User.id == Copy.user_id)
                .where(Copy.instance_id == row.id)
                .order_by(Copy.id)
            ).all()
            out["copied_to"] = tuple((c.display_name, c.read_at is not None) for c in copies)
            out["copied_unread"] = any(c.user_id == uid and c.read_at is None for c in copies)
            if state is not None:
                if state.countersign is not None:
                    status = sign_status(conn, definition, row.id, row.state)
                    assert status is not None
                    out.update(
                        countersign_title=state.countersign.title,
                        signers=status.signers,
                        approvals=status.approvals,
                        needed=status.needed,
                    )
                    out["pending_signers"] = self._pending(conn, row.id, row.state, TaskKind.SIGN)
                    mine = access.task_of(conn, row.id, row.state, TaskKind.SIGN, who, today, definition.name)
                    out["may_sign"] = mine is not None
                    if mine is not None:
                        out["sign_form"] = state.countersign.form
                        settings = self._settings(conn, definition, org)
                        data = dict(row.data or {})
                        out["sign_prefill"] = {
                            f.name: resolve_prefill(f.prefill, org.info, data, settings)
                            for f in state.countersign.form
                            if f.prefill
                        }
                out["pending_opinions"] = self._pending(conn, row.id, row.state, TaskKind.ADDED)
                asked = access.task_of(conn, row.id, row.state, TaskKind.ADDED, who, today, definition.name)
                out["may_give_opinion"] = asked is not None
                acting = self._step_acting(conn, definition, row, org, who, today)
                if acting is not None:
                    out["may_transfer"] = out["may_add"] = True
                    out["colleagues"] = self._people(conn, [self._step_org(conn, row)], exclude=uid)
                    out["advisers"] = self._people(
                        conn, sorted(access.scope_ids(org.path, org.approver_id)), exclude=uid
                    )
                if acting is not None or row.initiator_id == uid:
                    out["may_copy"] = True
                    out["copy_candidates"] = self._people(
                        conn, sorted(access.scope_ids(org.path, org.approver_id)), exclude=uid
                    )
                refusal = self._urge_refusal(conn, row, org, who, now)
                superior = {o for o in access.scope_ids(org.path, org.approver_id) if o != org.id}
                if row.initiator_id == uid or any(o in superior for _, o in who.held):
                    out["may_urge"] = refusal is None
                    out["urge_refusal"] = refusal
                out["may_take_back"] = (
                    self._take_back_refusal(definition, row, self._last_decisive(conn, row.id), who) is None
                )
                held = (
                    conn.execute(
                        select(HeldAction.action).where(
                            HeldAction.instance_id == row.id,
                            HeldAction.released_at.is_(None),
                            HeldAction.cancelled_at.is_(None),
                        )
                    )
                    .scalars()
                    .all()
                )
                out["held"] = tuple(definition.action(a).title for a in held)
                forward = [a for a in definition.actions_from(row.state) if a.kind not in HOLD_EXEMPT]
                out["waiting"] = (
                    waiting_for(conn, definition, row.id, row.state, forward[0]) if forward else None
                )
            return VerbsView(**out)

    def colleagues_of(self, user_id: int) -> tuple[PersonOption, ...]:
        """People who hold a role in an organization where the user holds one (whom they may delegate to)."""
        with self.db.read() as s:
            conn = s.connection()
            orgs = sorted(
                set(
                    conn.execute(
                        select(RoleAssignment.org_id).where(RoleAssignment.user_id == user_id)
                    ).scalars()
                )
            )
            return self._people(conn, orgs, exclude=user_id)

    @staticmethod
    def _step_org(conn: Connection, row: Any) -> int:
        return int(
            conn.execute(
                select(_T.org_id).where(
                    _T.instance_id == row.id,
                    _T.state == row.state,
                    _T.kind == TaskKind.STEP,
                    _T.closed_at.is_(None),
                )
            ).scalar()
            or 0
        )

    @staticmethod
    def _pending(conn: Connection, instance_id: int, state: str, kind: str) -> tuple[str, ...]:
        rows = conn.execute(
            select(_T.role, _T.org_id, _T.assignee_id).where(
                _T.instance_id == instance_id, _T.state == state, _T.kind == kind, _T.closed_at.is_(None)
            )
        ).all()
        out = []
        for r in rows:
            if r.assignee_id:
                out.append(
                    conn.execute(select(User.display_name).where(User.id == r.assignee_id)).scalar() or ""
                )
            else:
                place = (
                    conn.execute(select(Organization.name).where(Organization.id == r.org_id)).scalar() or ""
                )
                out.append(f"{place}{ROLES.get(r.role, r.role)}")
        return tuple(out)

    @staticmethod
    def _people(conn: Connection, org_ids: list[int], exclude: int) -> tuple[PersonOption, ...]:
        rows = conn.execute(
            select(User.username, User.display_name, RoleAssignment.role, Organization.name)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .join(Organization, Organization.id == RoleAssignment.org_id)
            .where(RoleAssignment.org_id.in_(org_ids), User.is_active.is_(True), User.id != exclude)
            .order_by(Organization.path, User.username)
        ).all()
        seen: dict[str, PersonOption] = {}
        for r in rows:
            seen.setdefault(
                r.username, PersonOption(r.username, r.display_name, f"{r.name}{ROLES.get(r.role, r.role)}")
            )
        return tuple(seen.values())


def _countersign_form(definition: WorkflowDefinition, state: str) -> tuple[Any, ...]:
    try:
        cs = definition.state(state).countersign
    except KeyError:
        return ()
    return cs.form if cs is not None else ()
