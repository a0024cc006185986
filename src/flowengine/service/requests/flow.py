"""The one service API every entry point calls: start, act, what may I do, my inbox, the trail.

Each call is one database transaction: permission, form validation, checks, the transition, the audit
event and the new tasks are committed together or not at all. Concurrency is settled by the instance's
version counter: ``act`` updates ``WHERE version = :expected`` and a caller who lost the race gets
:class:`StaleVersion` with nothing changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol, cast

from sqlalchemy import Connection, Table, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from flowengine.chinese import china_date
from flowengine.clock import Clock, utcnow
from flowengine.definitions.model import ActionDef, WorkflowDefinition
from flowengine.engine.checks import CheckContext, run_checks
from flowengine.engine.deadlines import due_at, reminder_times
from flowengine.engine.forms import validate_form
from flowengine.engine.machine import Token, fire
from flowengine.engine.roles import OrgInfo, resolve_role
from flowengine.errors import (
    CheckFailed,
    InvalidAction,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from flowengine.persistence.db import Database
from flowengine.persistence.models import (
    AuditEvent,
    HeldAction,
    Instance,
    Organization,
    RoleAssignment,
    Subject,
    Task,
    User,
    WorkflowDefinitionRow,
)
from flowengine.service import access, audit
from flowengine.service.catalog import Catalog
from flowengine.service.requests import hotpath, steps
from flowengine.service.requests.states import (
    HOLD_EXEMPT,
    SYSTEM_NAME,
    Performer,
    copy_by_roles,
    date_in,
    enter_state,
    tell_outcome,
    waiting_for,
)
from flowengine.service.views import ActionView, Actor, AuditView, InstanceView, TaskView
from flowengine.vocabulary import ORG_TYPES, ROLES, AuditKind, InstanceStatus, TaskKind, title_of

#: How often ``act`` reads again and retries when the request changed between its read and its write.
_ATTEMPTS = 5


@dataclass(frozen=True)
class _Preread:
    """What act()'s one read returned beyond the request: its open tasks, related organizations (ancestors
    and approving body), whether an action is held, and the head of its audit chain."""

    tasks: tuple[hotpath.OpenTask, ...]
    related: dict[int, hotpath.Related]
    held: int
    head: tuple[int, str] | None

    def step_tasks(self, state: str, kind: str = TaskKind.STEP) -> list[tuple[int, str, int, int | None]]:
        return [
            (t.id, t.role, t.org_id, t.assignee_id) for t in self.tasks if t.state == state and t.kind == kind
        ]


@dataclass(frozen=True)
class _OrgRow:
    """The instance's organization as read by act()'s single query."""

    info: OrgInfo
    path: str
    settings: dict[str, Any]

    @property
    def id(self) -> int:
        return self.info.id

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def approver_id(self) -> int | None:
        return self.info.approver_id

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(x) for x in self.path.strip("/").split("/")[:-1] if x]


_INSTANCE_QUERY = (
    select(
        Instance.id,
        Instance.definition_id,
        Instance.workflow,
        Instance.state,
        Instance.status,
        Instance.version,
        Instance.data,
        Instance.title,
        Instance.initiator_id,
        Instance.created_at,
        User.display_name.label("initiator_name"),
        Organization.id.label("org_id"),
        Organization.name.label("org_name"),
        Organization.type.label("org_type"),
        Organization.parent_id,
        Organization.approver_id,
        Organization.full_members,
        Organization.probationary_members,
        Organization.term_start,
        Organization.term_end,
        Organization.path,
        Organization.settings.label("org_settings"),
    )
    .join(Organization, Organization.id == Instance.org_id)
    .join(User, User.id == Instance.initiator_id)
    .where(Instance.id == bindparam("iid"))
)


# The hot path's statements, built once with bind parameters and run on the session's Core connection:
# constructing and cache-keying SQLAlchemy expressions on every call cost more than the SQL itself.
_I, _T, _U, _R, _O = (
    Instance.__table__.c,
    Task.__table__.c,
    User.__table__.c,
    RoleAssignment.__table__.c,
    Organization.__table__.c,
)
_INSERT_TASK = insert(cast(Table, Task.__table__)).returning(_T.id)
_SELECT_RELATED = select(_O.id, _O.name, _O.settings).where(_O.id.in_(bindparam("ids", expanding=True)))


def _org_of(row: Any) -> _OrgRow:
    return _OrgRow(
        OrgInfo(
            id=row.org_id,
            name=row.org_name,
            type=row.org_type,
            parent_id=row.parent_id,
            approver_id=row.approver_id,
            full_members=row.full_members,
            probationary_members=row.probationary_members,
            term_start=row.term_start,
            term_end=row.term_end,
        ),
        row.path,
        row.org_settings or {},
    )


def _merge_settings(definition: WorkflowDefinition, chain: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Definition defaults overridden along the organization chain (root first, the organization last)."""
    values = definition.setting_defaults()
    for org_settings in chain:
        for key, value in ((org_settings or {}).get(definition.name) or {}).items():
            if key in definition.settings:
                values[key] = value
    return values


def org_info(org: Organization) -> OrgInfo:
    return OrgInfo(
        id=org.id,
        name=org.name,
        type=org.type,
        parent_id=org.parent_id,
        approver_id=org.approver_id,
        full_members=org.full_members,
        probationary_members=org.probationary_members,
        term_start=org.term_start,
        term_end=org.term_end,
    )


def effective_settings(
    definition: WorkflowDefinition, org: Organization, ancestors: list[Organization] | None = None
) -> dict[str, Any]:
    """Definition defaults, overridden by each ancestor's settings, then the organization's own.

    Settings are kept per organization as ``{"<workflow>": {"<setting>": value}}`` so that a committee can
    configure a rule (e.g. review days) for everything below it.
    """
    return _merge_settings(definition, [o.settings for o in [*(ancestors or []), org]])


class DocumentProducer(Protocol):
    """Issues the documents an action produces, inside the action's transaction (service/documents.py)."""

    def produce(
        self,
        s: Session,
        *,
        instance_id: int,
        definition: WorkflowDefinition,
        action: ActionDef,
        org: OrgInfo,
        data: Mapping[str, Any],
        now: dt.datetime,
        actor_id: int | None,
        actor_name: str,
    ) -> None: ...


class FlowService:
    def __init__(
        self, db: Database, catalog: Catalog, clock: Clock = utcnow, documents: DocumentProducer | None = None
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.clock = clock
        self.documents = documents

    # ---- helpers -------------------------------------------------------------------------------------

    def _user(self, s: Session, user_id: int) -> User:
        user = s.get(User, user_id)
        if user is None or not user.is_active:
            raise PermissionDenied("用户不存在或已停用。")
        return user

    def _ancestors(self, s: Session, org: Organization) -> list[Organization]:
        ids = [int(x) for x in org.path.strip("/").split("/")[:-1] if x]
        if not ids:
            return []
        by_id = {o.id: o for o in s.scalars(select(Organization).where(Organization.id.in_(ids)))}
        return [by_id[i] for i in ids if i in by_id]

    def _load(self, s: Session, instance_id: int, user_id: int) -> tuple[Instance, WorkflowDefinition]:
        """The request and its definition, for whoever may read it (the access policy's answer)."""
        inst = s.get(Instance, instance_id)
        if inst is None or not access.may_read(
            s.connection(),
            access.caller(s.connection(), user_id),
            inst.id,
            inst.workflow,
            inst.org.path,
            inst.org.approver_id,
            china_date(self.clock()),
        ):
            raise NotFound(f"申请 {instance_id} 不存在，或您无权查看。")
        return inst, self.catalog.by_row(inst.definition)

    def _task_views(self, s: Session, tasks: list[Task]) -> list[TaskView]:
        return task_views(s, self.catalog, tasks)

    def _view(self, s: Session, inst: Instance, definition: WorkflowDefinition) -> InstanceView:
        tasks = list(
            s.scalars(
                select(Task).where(Task.instance_id == inst.id, Task.closed_at.is_(None)).order_by(Task.id)
            )
        )
        return InstanceView(
            id=inst.id,
            workflow=definition.name,
            workflow_title=definition.title,
            definition_version=definition.version,
            org_id=inst.org_id,
            org_name=inst.org.name,
            initiator_id=inst.initiator_id,
            initiator_name=inst.initiator.display_name,
            title=inst.title,
            state=inst.state,
            state_title=definition.state(inst.state).title,
            status=inst.status,
            version=inst.version,
            data=dict(inst.data or {}),
            created_at=inst.created_at,
            updated_at=inst.updated_at,
            completed_at=inst.completed_at,
            open_tasks=tuple(self._task_views(s, tasks)),
        )

    # ---- commands ------------------------------------------------------------------------------------

    def start(
        self,
        workflow: str,
        org_id: int,
        actor: Actor | int,
        data: Mapping[str, Any] | None = None,
        comment: str | None = None,
    ) -> InstanceView:
        """Start ``workflow`` for organization ``org_id`` on behalf of ``actor``."""
        actor = actor if isinstance(actor, Actor) else Actor(actor)
        definition = self.catalog.latest(workflow)
        now = self.clock()
        try:
            return self._start(definition, org_id, actor, data, comment, now)
        except IntegrityError:
            # Lost a race with a concurrent start for the same organization (partial unique index).
            raise InvalidAction(f"该组织已有进行中的“{definition.title}”，请在原申请中继续办理。") from None

    def _start(
        self,
        definition: WorkflowDefinition,
        org_id: int,
        actor: Actor,
        data: Mapping[str, Any] | None,
        comment: str | None,
        now: dt.datetime,
    ) -> InstanceView:
        """One read (the organization, the caller, the ancestors' settings, a running request of the kind)
        and the writes: on PostgreSQL one statement (the request's id comes from its sequence in the read)."""
        with self.db.write() as s:
            conn = s.connection()
            pg = conn.dialect.name == "postgresql"
            r = hotpath.START_READ[pg].one_or_none(
                conn, {"oid": org_id, "uid": actor.user_id, "workflow": definition.name}
            )
            if r is None:
                access.caller(conn, actor.user_id)  # an unknown or disabled account is refused as such
                raise NotFound(f"组织 {org_id} 不存在。")
            if not r.caller_active:
                raise PermissionDenied("用户不存在或已停用。")
            who = access.Caller(actor.user_id, r.caller_name, hotpath.caller_held(r))
            org = _org_of(r)
            if org.info.type not in definition.start.org_types:
                kinds = "、".join(ORG_TYPES.get(t, t) for t in definition.start.org_types)
                raise InvalidAction(f"“{definition.title}”只适用于{kinds}，{org.name}不能发起。")
            target = access.start_assignment(conn, definition, org.info, who)
            cleaned = validate_form(definition.start.form, data)
            related = hotpath.related_of(r)
            settings = _merge_settings(
                definition, [related[i].settings for i in org.ancestor_ids if i in related] + [org.settings]
            )
            ctx = CheckContext(
                org.info, cleaned, {}, settings, china_date(now), "start", procedure=definition.params
            )
            failures = run_checks(definition.start.checks, ctx)
            if failures:
                raise CheckFailed(failures)
            if r.active_id is not None and definition.subject is None:
                raise InvalidAction(
                    f"{org.name}已有进行中的“{definition.title}”（申请 {r.active_id}），请在原申请中继续办理。"
                )
            subject, cleaned = self._subject(s, definition, org.id, cleaned, now)
            state = definition.initial_state.name
            values: dict[str, Any] = dict(
                id=r.new_id if pg else None,
                definition_id=self.catalog.row_id(s, definition),
                workflow=definition.name,
                org_id=org.id,
                initiator_id=who.user_id,
                title=(
                    f"{subject.name}（{org.name}）{definition.title}"
                    if subject is not None
                    else f"{org.name}{definition.title}"
                ),
                state=state,
                status=InstanceStatus.ACTIVE,
                version=1,
                data={"start": cleaned} if cleaned else {},
                created_at=now,
                updated_at=now,
                subject_id=subject.id if subject is not None else None,
            )
            if not pg:
                values["id"] = hotpath.insert_instance(conn, values)
            iid = int(values["id"])
            task = self._task_row(definition, state, org.info, settings, now, values["data"])
            write = hotpath.StartWrite(values, [task] if task else [])
            audit.append(
                s,
                at=now,
                kind=AuditKind.START,
                instance_id=iid,
                actor_id=who.user_id,
                actor_name=who.name,
                role=target.role,
                org_id=target.org_id,
                action="start",
                to_state=state,
                comment=comment,
                data=cleaned or None,
                client_addr=actor.client_addr,
                head=None,
                store=write.run,
            )
            initial = definition.state(state)
            enter_state(s, definition, iid, values["title"], state, org.info, values["data"], settings, now)
            if initial.countersign is not None:
                inst = s.get(Instance, iid)
                assert inst is not None
                return self._view(s, inst, definition)
            names = {i: o.name for i, o in related.items()} | {org.id: org.name}
            return InstanceView(
                id=iid,
                workflow=definition.name,
                workflow_title=definition.title,
                definition_version=definition.version,
                org_id=org.id,
                org_name=org.name,
                initiator_id=who.user_id,
                initiator_name=who.name,
                title=values["title"],
                state=state,
                state_title=initial.title,
                status=InstanceStatus.ACTIVE,
                version=1,
                data=dict(values["data"]),
                created_at=now,
                updated_at=now,
                completed_at=None,
                open_tasks=self._opened_views(
                    s,
                    iid,
                    values["title"],
                    definition,
                    org,
                    names,
                    zip(write.task_ids, write.tasks, strict=True),
                    now,
                ),
            )

    @staticmethod
    def _subject(
        s: Session,
        definition: WorkflowDefinition,
        org_id: int,
        cleaned: Mapping[str, Any] | None,
        now: dt.datetime,
    ) -> tuple[Subject | None, dict[str, Any]]:
        """Where the request is about a person: their record (the subject's fields of the start form) kept
        apart, and the rest of the start form, which becomes the request's data and its trail."""
        form = dict(cleaned or {})
        spec = definition.subject
        if spec is None:
            return None, form
        personal = {f: form.pop(f) for f in spec.fields if f in form}
        subject = Subject(
            kind=spec.kind,
            name=str(personal.get(spec.name_field) or "").strip()[:100],
            org_id=org_id,
            data=personal,
            created_at=now,
        )
        s.add(subject)
        s.flush()
        return subject, form

    def subject(self, instance_id: int, actor: Actor | int) -> access.SubjectRecord | None:
        """The person the request is about, for those the access policy lets see personal data."""
        user_id = actor.user_id if isinstance(actor, Actor) else actor
        with self.db.read() as s:
            self._load(s, instance_id, user_id)
            conn = s.connection()
            return access.subject_for(
                conn, access.caller(conn, user_id), instance_id, china_date(self.clock())
            )

    def act(
        self,
        instance_id: int,
        action: str,
        actor: Actor | int,
        data: Mapping[str, Any] | None = None,
        comment: str | None = None,
        expected_version: int | None = None,
    ) -> InstanceView:
        """Perform ``action``; ``expected_version`` is the version the caller saw (required by the UI/API).

        This is the hot path of the engine, so it reads with a handful of Core statements (no lazy loads):
        the caller with their roles, the instance with its organization, the organization's ancestors;
        then writes the versioned UPDATE, the task changes and the audit event.
        """
        actor = actor if isinstance(actor, Actor) else Actor(actor)
        for attempt in range(_ATTEMPTS):
            now = self.clock()
            try:
                with self.db.write() as s:
                    return self._act(s, instance_id, action, actor, data, comment, expected_version, now)
            except hotpath.Conflict:
                if attempt == _ATTEMPTS - 1:
                    current = self._current_version(instance_id)
                    raise StaleVersion(instance_id, expected_version or current, current, "") from None
        raise AssertionError("unreachable")

    def _act(
        self,
        s: Session,
        instance_id: int,
        action: str,
        actor: Actor,
        data: Mapping[str, Any] | None,
        comment: str | None,
        expected_version: int | None,
        now: dt.datetime,
    ) -> InstanceView:
        conn = s.connection()
        row = hotpath.STEP_READ.one_or_none(
            conn, {"iid": instance_id, "uid": actor.user_id, "chain": audit.chain_of(instance_id)}
        )
        if row is None:
            access.caller(conn, actor.user_id)  # an unknown or disabled account is refused as such
            raise NotFound(f"申请 {instance_id} 不存在，或您无权查看。")
        if not row.caller_active:
            raise PermissionDenied("用户不存在或已停用。")
        who = access.Caller(actor.user_id, row.caller_name, hotpath.caller_held(row))
        org = _org_of(row)
        today = china_date(now)
        if not access.may_read(conn, who, instance_id, row.workflow, org.path, org.approver_id, today):
            raise NotFound(f"申请 {instance_id} 不存在，或您无权查看。")
        definition = self.catalog.by_id(s, row.definition_id)
        pre = _Preread(
            hotpath.open_tasks_of(row), hotpath.related_of(row), int(row.held or 0), hotpath.head_of(row)
        )
        try:
            act = definition.action(action)
        except KeyError:
            raise InvalidAction(f"流程“{definition.title}”中没有“{action}”这一操作。") from None
        # Who may act comes first: someone without the role (an auditor, another branch's secretary)
        # is refused as such, whatever the request's state or version.
        acting = access.acting_assignment(
            conn, definition, instance_id, row.state, org.info, act, who, today, pre.step_tasks(row.state)
        )
        if acting is None:
            role = definition.roles[act.role]
            raise access.denied(conn, role, resolve_role(role, org.info), f"执行“{act.title}”")
        if expected_version is not None and row.version != expected_version:
            raise StaleVersion(instance_id, expected_version, row.version, definition.state(row.state).title)
        performer = Performer(
            who.user_id,
            acting.actor_name(who),
            acting.role,
            acting.org_id,
            actor.client_addr,
            acting.on_behalf_of.user_id if acting.on_behalf_of else None,
        )
        held = self._hold_for_opinions(s, row, definition, act, performer, data, comment, now, pre)
        if held is not None:
            return held
        return self.perform(s, row, org, definition, act, performer, data, comment, now, pre)

    def act_as_system(
        self, instance_id: int, action: str, reason: str, now: dt.datetime | None = None
    ) -> InstanceView:
        """Take ``action`` for the system (a timer ran out, a countersign completed), in a transaction of its own."""
        now = now or self.clock()
        with self.db.write() as s:
            row, org, definition = self._locate(s, instance_id, None, now)
            target = resolve_role(definition.roles[definition.action(action).role], org.info)
            performer = Performer(None, SYSTEM_NAME, target.role, target.org_id, None, None, reason)
            return self.perform(
                s, row, org, definition, definition.action(action), performer, None, reason, now
            )

    def _locate(
        self, s: Session, instance_id: int, who: access.Caller | None, now: dt.datetime
    ) -> tuple[Any, _OrgRow, WorkflowDefinition]:
        """The request with its organization and definition; NotFound for someone who may not read it."""
        conn = s.connection()
        row = conn.execute(_INSTANCE_QUERY, {"iid": instance_id}).one_or_none()
        org = _org_of(row) if row is not None else None
        if (
            row is None
            or org is None
            or (
                who is not None
                and not access.may_read(
                    conn, who, instance_id, row.workflow, org.path, org.approver_id, china_date(now)
                )
            )
        ):
            raise NotFound(f"申请 {instance_id} 不存在，或您无权查看。")
        return row, org, self.catalog.by_id(s, row.definition_id)

    def perform(
        self,
        s: Session,
        row: Any,
        org: _OrgRow,
        definition: WorkflowDefinition,
        act: ActionDef,
        performer: Performer,
        data: Mapping[str, Any] | None,
        comment: str | None,
        now: dt.datetime,
        pre: _Preread | None = None,
    ) -> InstanceView:
        """Validate and take ``act`` on the request for ``performer``; every change in this transaction.

        With ``pre`` (act()'s one read) the writes go out together with the audit event (one statement on
        PostgreSQL, see :mod:`hotpath`); without it (the verbs, the system), the request is updated — and so
        locked — first, as before, and the rest follows.
        """
        conn = s.connection()
        instance_id, action, info = row.id, act.name, org.info
        if row.status != InstanceStatus.ACTIVE:
            raise InvalidAction(f"该申请{title_of(InstanceStatus, row.status, '已结束')}，不能再办理。")
        if row.state not in act.sources:
            raise InvalidAction(f"当前步骤为“{definition.state(row.state).title}”，不能执行“{act.title}”。")
        waiting = waiting_for(
            conn, definition, instance_id, row.state, act, pre.tasks if pre is not None else None
        )
        if waiting:
            raise InvalidAction(waiting)
        comment = (comment or "").strip() or None
        errors: dict[str, str] = {}
        if act.comment_required and not comment:
            errors["comment"] = "请填写意见（退回时须说明理由）" if act.kind == "return" else "请填写意见"
        try:
            cleaned = validate_form(act.form, data)
        except ValidationFailed as exc:
            errors.update(exc.errors)
            cleaned = {}
        if errors:
            raise ValidationFailed(errors)
        related = pre.related if pre is not None else self._related_orgs(conn, org)
        settings = _merge_settings(
            definition, [related[i].settings for i in org.ancestor_ids if i in related] + [org.settings]
        )
        old_data = dict(row.data or {})
        ctx = CheckContext(
            info,
            cleaned,
            old_data,
            settings,
            china_date(now),
            action,
            history=steps.history(conn, instance_id) if steps.needs_history(act) else (),
            procedure=definition.params,
        )
        token = fire(definition, Token(row.state, ctx), action)

        new_data = dict(old_data)
        if act.form:
            new_data[action] = cleaned
        final = definition.state(token.state)
        status = (final.outcome or InstanceStatus.COMPLETED) if final.final else InstanceStatus.ACTIVE
        completed_at = now if final.final else None
        left = list(token.exited)
        write = hotpath.StepWrite(
            instance=dict(
                iid=instance_id,
                expected=row.version,
                new_state=token.state,
                new_version=row.version + 1,
                new_data=new_data,
                new_status=status,
                now=now,
                completed_at=completed_at,
            ),
            left=left,
            # What the definition or the read already says is not there is not looked for.
            close_tasks=bool(left) and (pre is None or any(t.state in left for t in pre.tasks)),
            cancel_timers=any(definition.state(x).timer is not None for x in left),
            cancel_held=bool(left) and (pre is None or pre.held > 0),
            tasks=[
                t
                for x in token.entered
                if (t := self._task_row(definition, x, info, settings, now, new_data)) is not None
            ],
            actor_id=performer.user_id,
            action=action,
        )
        event = dict(
            at=now,
            kind=AuditKind.of_action(act.kind),
            instance_id=instance_id,
            actor_id=performer.user_id,
            actor_name=performer.name,
            role=performer.role,
            org_id=performer.org_id,
            action=action,
            from_state=token.exited[0] if token.exited else row.state,
            to_state=token.state,
            comment=comment,
            data=performer.audit_data(cleaned),
            client_addr=performer.client_addr,
        )
        if pre is not None:
            audit.append(s, **event, head=pre.head, store=write.run)
        else:
            write.run(conn, None)
        if not write.updated:
            raise StaleVersion(
                instance_id,
                row.version,
                self._current_version(instance_id),
                definition.state(row.state).title,
            )
        if pre is None:
            audit.append(s, **event)
        for state in token.entered:
            enter_state(s, definition, instance_id, row.title, state, info, new_data, settings, now)
        if token.changes:
            steps.apply_changes(
                s,
                token.changes,
                instance_id=instance_id,
                org_id=org.id,
                at=now,
                actor_id=performer.user_id,
                actor_name=performer.name,
                action=action,
            )
        if act.documents and self.documents is not None:
            self.documents.produce(
                s,
                instance_id=instance_id,
                definition=definition,
                action=act,
                org=info,
                data=new_data,
                now=now,
                actor_id=performer.user_id,
                actor_name=performer.name,
            )
        if act.copy_to:
            copy_by_roles(s, definition, act, instance_id, row.title, info, now)
        tell_outcome(
            conn,
            definition,
            act,
            instance_id=instance_id,
            title=row.title,
            initiator_id=row.initiator_id,
            org=info,
            actor_id=performer.user_id,
            actor_name=performer.name,
            from_state=row.state,
            to_state=token.state,
            status=status,
            comment=comment,
            now=now,
        )
        names = {i: o.name for i, o in related.items()} | {org.id: org.name}
        tasks = self._opened_views(
            s,
            instance_id,
            row.title,
            definition,
            org,
            names,
            zip(write.task_ids, write.tasks, strict=True),
            now,
        )
        return InstanceView(
            id=instance_id,
            workflow=definition.name,
            workflow_title=definition.title,
            definition_version=definition.version,
            org_id=org.id,
            org_name=org.name,
            initiator_id=row.initiator_id,
            initiator_name=row.initiator_name,
            title=row.title,
            state=token.state,
            state_title=final.title,
            status=status,
            version=row.version + 1,
            data=new_data,
            created_at=row.created_at,
            updated_at=now,
            completed_at=completed_at,
            open_tasks=tasks,
        )

    def _hold_for_opinions(
        self,
        s: Session,
        row: Any,
        definition: WorkflowDefinition,
        act: ActionDef,
        performer: Performer,
        data: Mapping[str, Any] | None,
        comment: str | None,
        now: dt.datetime,
        pre: _Preread | None = None,
    ) -> InstanceView | None:
        """后加签: an action taken while an opinion asked for "after" is outstanding waits for it.

        The action is validated now (its form), kept, and taken as the same person once the last such opinion
        is given (:func:`flowengine.service.requests.verbs.Verbs.give_opinion`). A return or withdrawal is
        never held.
        """
        if act.kind in HOLD_EXEMPT or performer.user_id is None:
            return None
        if pre is not None:
            pending: Any = next(
                (
                    t
                    for t in pre.tasks
                    if t.state == row.state and t.kind == TaskKind.ADDED and t.mode == "after"
                ),
                None,
            )
        else:
            pending = (
                s.connection()
                .execute(
                    select(_T.id).where(
                        _T.instance_id == row.id,
                        _T.state == row.state,
                        _T.kind == TaskKind.ADDED,
                        _T.mode == "after",
                        _T.closed_at.is_(None),
                    )
                )
                .first()
            )
        if pending is None:
            return None
        if row.status != InstanceStatus.ACTIVE or row.state not in act.sources:
            return None  # let perform() say what is wrong
        conn = s.connection()
        cleaned = validate_form(act.form, data)
        conn.execute(
            insert(cast(Table, HeldAction.__table__)),
            dict(
                instance_id=row.id,
                state=row.state,
                action=act.name,
                data=cleaned or None,
                comment=(comment or "").strip() or None,
                actor_id=performer.user_id,
                client_addr=performer.client_addr,
                created_at=now,
            ),
        )
        conn.execute(
            update(cast(Table, Instance.__table__))
            .where(_I.id == row.id)
            .values(version=row.version + 1, updated_at=now)
        )
        audit.append(
            s,
            at=now,
            kind=AuditKind.HOLD,
            instance_id=row.id,
            actor_id=performer.user_id,
            actor_name=performer.name,
            role=performer.role,
            org_id=performer.org_id,
            action=act.name,
            from_state=row.state,
            to_state=row.state,
            comment=(comment or "").strip() or None,
            data=performer.audit_data(cleaned),
            client_addr=performer.client_addr,
        )
        inst = s.get(Instance, row.id)
        assert inst is not None
        s.refresh(inst)
        return self._view(s, inst, definition)

    def _org_name(self, s: Session, org_id: int) -> str:
        return s.scalar(select(Organization.name).where(Organization.id == org_id)) or ""

    def _related_orgs(self, conn: Connection, org: _OrgRow) -> dict[int, hotpath.Related]:
        """Ancestors (for settings) and the approving body (for task names) in one query."""
        ids = set(org.ancestor_ids)
        if org.approver_id:
            ids.add(org.approver_id)
        if not ids:
            return {}
        rows = conn.execute(_SELECT_RELATED, {"ids": sorted(ids)})
        return {r.id: hotpath.Related(r.name, r.settings or {}) for r in rows}

    def _task_row(
        self,
        definition: WorkflowDefinition,
        state_name: str,
        org: OrgInfo,
        settings: Mapping[str, Any],
        now: dt.datetime,
        data: Mapping[str, Any] | None = None,
    ) -> dict[str, Any] | None:
        """The step task a state just entered opens (None for a final state or one without an assignee);
        ``data`` gives a deadline counted from a date in the form (``deadline.start``)."""
        state = definition.state(state_name)
        if state.final or state.assignee is None:
            return None
        target = resolve_role(definition.roles[state.assignee], org)
        due = None
        if state.deadline:
            due = due_at(now, state.deadline, settings, date_in(data or {}, state.deadline.start))
        alerts = sorted(reminder_times(due, state.deadline)) if due and state.deadline else []
        return dict(
            state=state_name,
            role=target.role,
            org_id=target.org_id,
            opened_at=now,
            due_at=due,
            next_alert_at=(alerts[0] if alerts else due),
        )

    def _insert_task(
        self,
        s: Session,
        instance_id: int,
        definition: WorkflowDefinition,
        state_name: str,
        org: OrgInfo,
        settings: Mapping[str, Any],
        now: dt.datetime,
        data: Mapping[str, Any] | None = None,
    ) -> tuple[int, str, str, int, dt.datetime | None] | None:
        """Open the step task of ``state_name`` now (the verbs that move a request outside :meth:`perform`)."""
        t = self._task_row(definition, state_name, org, settings, now, data)
        if t is None:
            return None
        params = dict(instance_id=instance_id, alerts_sent=0, escalated=False, **t)
        tid = s.connection().execute(_INSERT_TASK, params).scalar_one()
        return tid, state_name, t["role"], t["org_id"], t["due_at"]

    def _opened_views(
        self,
        s: Session,
        instance_id: int,
        title: str,
        definition: WorkflowDefinition,
        org: _OrgRow,
        names: Mapping[int, str],
        opened: Any,
        now: dt.datetime,
    ) -> tuple[TaskView, ...]:
        return tuple(
            TaskView(
                id=tid,
                instance_id=instance_id,
                instance_title=title,
                workflow=definition.name,
                workflow_title=definition.title,
                org_id=org.id,
                org_name=org.name,
                state=t["state"],
                state_title=definition.state(t["state"]).title,
                role=t["role"],
                role_title=ROLES.get(t["role"], t["role"]),
                assigned_org_id=t["org_id"],
                assigned_org_name=names.get(t["org_id"]) or self._org_name(s, t["org_id"]),
                assignee_id=None,
                opened_at=now,
                due_at=t["due_at"],
            )
            for tid, t in opened
        )

    def _current_version(self, instance_id: int) -> int:
        with self.db.read() as s:
            return int(s.scalar(select(Instance.version).where(Instance.id == instance_id)) or 0)

    # ---- queries -------------------------------------------------------------------------------------

    def get(self, instance_id: int, actor: Actor | int) -> InstanceView:
        uid = actor.user_id if isinstance(actor, Actor) else actor
        with self.db.read() as s:
            self._user(s, uid)
            inst, definition = self._load(s, instance_id, uid)
            return self._view(s, inst, definition)

    def definition_of(self, instance_id: int, actor: Actor | int) -> WorkflowDefinition:
        uid = actor.user_id if isinstance(actor, Actor) else actor
        with self.db.read() as s:
            _, definition = self._load(s, instance_id, uid)
            return definition

    def available_actions(self, instance_id: int, actor: Actor | int) -> list[ActionView]:
        """The actions this user may take now, with their forms and pre-filled values."""
        uid = actor.user_id if isinstance(actor, Actor) else actor
        with self.db.read() as s:
            self._user(s, uid)
            inst, definition = self._load(s, instance_id, uid)
            if inst.status != InstanceStatus.ACTIVE:
                return []
            conn = s.connection()
            who = access.caller(conn, uid)
            info = org_info(inst.org)
            today = china_date(self.clock())
            return [
                self._action_view(s, act, inst, definition)
                for act in definition.actions_from(inst.state)
                if access.acting_assignment(conn, definition, inst.id, inst.state, info, act, who, today)
                is not None
            ]

    def may_act(self, instance_id: int, action: str, actor: Actor | int) -> bool:
        """Whether this user may take ``action`` on the request in its current step (the access policy's
        answer, as :meth:`act` and :meth:`available_actions` give it); lets a page answer 403 to someone who
        has no business asking before it looks at the form, the state or the version."""
        uid = actor.user_id if isinstance(actor, Actor) else actor
        with self.db.read() as s:
            try:
                inst, definition = self._load(s, instance_id, uid)
                act = definition.action(action)
            except (NotFound, KeyError):
                return False
            conn = s.connection()
            who = access.caller(conn, uid)
            return (
                access.acting_assignment(
                    conn,
                    definition,
                    inst.id,
                    inst.state,
                    org_info(inst.org),
                    act,
                    who,
                    china_date(self.clock()),
                )
                is not None
            )

    def _action_view(
        self, s: Session, act: ActionDef, inst: Instance, definition: WorkflowDefinition
    ) -> ActionView:
        data = dict(inst.data or {})
        prefill: dict[str, Any] = {}
        previous = data.get(act.name)
        settings = effective_settings(definition, inst.org, self._ancestors(s, inst.org))
        for f in act.form:
            if previous and previous.get(f.name) is not None:
                prefill[f.name] = previous[f.name]  # a returned step keeps what was entered before
            elif f.prefill:
                prefill[f.name] = steps.fit_prefill(f, resolve_prefill(f.prefill, inst.org, data, settings))
        returned = steps.return_event(s, inst.id, inst.state)
        return ActionView(
            act.name,
            act.title,
            act.kind,
            act.comment_required,
            act.form,
            prefill,
            act.description,
            returned=audit_view(returned, definition) if returned is not None else None,
        )

    def startable(self, actor: Actor | int) -> list[tuple[WorkflowDefinition, list[Organization]]]:
        """Procedures this user may start, each with the organizations it may start them for."""
        uid = actor.user_id if isinstance(actor, Actor) else actor
        with self.db.read() as s:
            held = assignments_of(s, uid)
            out = []
            for d in self.catalog.current.values():
                role = d.roles[d.start.role]
                orgs = []
                if role.of == "self":
                    ids = [o for r, o in held if r == role.role]
                    orgs = [
                        o
                        for o in s.scalars(select(Organization).where(Organization.id.in_(ids)))
                        if o.type in d.start.org_types
                    ]
                if orgs:
                    out.append((d, orgs))
            return out

    def trail(self, instance_id: int, actor: Actor | int) -> list[AuditView]:
        """The request's events; client addresses only for an auditor over it (:func:`may_see_addresses`)."""
        uid = actor.user_id if isinstance(actor, Actor) else actor
        with self.db.read() as s:
            inst, definition = self._load(s, instance_id, uid)
            addresses = self._addresses_visible(s, inst, uid)
            events = s.scalars(
                select(AuditEvent).where(AuditEvent.chain == audit.chain_of(inst.id)).order_by(AuditEvent.seq)
            )
            views = [audit_view(e, definition) for e in events]
            return views if addresses else [replace(v, client_addr=None) for v in views]

    def addresses_visible(self, instance_id: int, user_id: int) -> bool:
        """Whether ``user_id`` may see where the request's actors worked from (and so export its trail)."""
        with self.db.read() as s:
            inst, _ = self._load(s, instance_id, user_id)
            return self._addresses_visible(s, inst, user_id)

    def _addresses_visible(self, s: Session, inst: Instance, user_id: int) -> bool:
        held = access.caller(s.connection(), user_id).held
        return access.may_see_addresses(held, inst.org.path, inst.org.approver_id)


def assignments_of(s: Session, user_id: int) -> set[tuple[str, int]]:
    """The (role, organization) pairs a user holds."""
    rows = s.execute(
        select(RoleAssignment.role, RoleAssignment.org_id).where(RoleAssignment.user_id == user_id)
    )
    return {(r.role, r.org_id) for r in rows}


def task_views(s: Session, catalog: Catalog, tasks: list[Task]) -> list[TaskView]:
    """Tasks as views, with one query each for their requests, organizations and definitions."""
    # One query each for the tasks' requests, organizations and definitions, not three lazy loads per
    # task (a page of the inbox was 45 round trips, most of its time at 20,000 open tasks).
    insts = (
        {i.id: i for i in s.scalars(select(Instance).where(Instance.id.in_({t.instance_id for t in tasks})))}
        if tasks
        else {}
    )
    orgs = (
        {
            o.id: o
            for o in s.scalars(
                select(Organization).where(
                    Organization.id.in_({i.org_id for i in insts.values()} | {t.org_id for t in tasks})
                )
            )
        }
        if tasks
        else {}
    )
    rows = (
        {
            r.id: r
            for r in s.scalars(
                select(WorkflowDefinitionRow).where(
                    WorkflowDefinitionRow.id.in_({i.definition_id for i in insts.values()})
                )
            )
        }
        if insts
        else {}
    )
    returns = _returns(s, tasks)
    out = []
    for t in tasks:
        inst = insts[t.instance_id]
        d = catalog.by_row(rows[inst.definition_id])
        returned = returns.get(t.id)
        term_end = orgs[inst.org_id].term_end
        watched = d.term_watch is not None and term_end is not None and t.due_at is None
        out.append(
            TaskView(
                id=t.id,
                instance_id=inst.id,
                instance_title=inst.title,
                workflow=d.name,
                workflow_title=d.title,
                org_id=inst.org_id,
                org_name=orgs[inst.org_id].name,
                state=t.state,
                state_title=d.state(t.state).title,
                role=t.role,
                role_title=ROLES.get(t.role, t.role),
                assigned_org_id=t.org_id,
                assigned_org_name=orgs[t.org_id].name,
                assignee_id=t.assignee_id,
                opened_at=t.opened_at,
                due_at=t.due_at,
                closed_at=t.closed_at,
                closed_action=t.closed_action,
                kind=t.kind,
                note=t.note,
                mode=t.mode,
                returned_by=returned.actor_name or SYSTEM_NAME if returned is not None else None,
                returned_reason=(returned.comment or "") if returned is not None else None,
                clock_title="本届任期届满" if watched else None,
                clock_day=term_end if watched else None,
            )
        )
    return out


def _returns(s: Session, tasks: list[Task]) -> dict[int, Any]:
    """The return (退回) that opened each step task opened by one: the event of kind ``return`` on the same
    request, into the task's state, at the moment the task was opened (both written in one transaction)."""
    steps_ = [t for t in tasks if t.kind == TaskKind.STEP]
    if not steps_:
        return {}
    events = s.execute(
        select(
            AuditEvent.instance_id,
            AuditEvent.to_state,
            AuditEvent.at,
            AuditEvent.actor_name,
            AuditEvent.comment,
        )
        .where(
            AuditEvent.instance_id.in_({t.instance_id for t in steps_}),
            AuditEvent.kind == AuditKind.RETURN,
            AuditEvent.to_state.in_({t.state for t in steps_}),
        )
        .order_by(AuditEvent.seq)
    ).all()
    by_key = {(e.instance_id, e.to_state, e.at): e for e in events}
    return {
        t.id: by_key[(t.instance_id, t.state, t.opened_at)]
        for t in steps_
        if (t.instance_id, t.state, t.opened_at) in by_key
    }


def _title_of(definition: WorkflowDefinition, state: str | None) -> str | None:
    if state is None:
        return None
    try:
        return definition.state(state).title
    except KeyError:
        return state


def audit_view(e: AuditEvent, definition: WorkflowDefinition | None) -> AuditView:
    action_title = None
    if definition and e.action:
        try:
            action_title = definition.action(e.action).title
        except KeyError:
            action_title = "发起" if e.action == "start" else e.action
    return AuditView(
        id=e.id,
        seq=e.seq,
        at=e.at,
        kind=e.kind,
        actor_id=e.actor_id,
        actor_name=e.actor_name,
        role=e.role,
        org_id=e.org_id,
        action=e.action,
        action_title=action_title,
        from_state=e.from_state,
        from_title=_title_of(definition, e.from_state) if definition else e.from_state,
        to_state=e.to_state,
        to_title=_title_of(definition, e.to_state) if definition else e.to_state,
        comment=e.comment,
        data=e.data,
        client_addr=e.client_addr,
        hash=e.hash,
    )


def resolve_prefill(
    expr: str, org: Organization | OrgInfo, data: Mapping[str, Any], settings: Mapping[str, Any]
) -> Any:
    """Values the system already knows: ``org.full_members``, ``data.<step>.<field>``, ``setting.<name>``;
    ``data.a.x + data.b.x`` joins the rows of several steps' lists (each row once), e.g. the members
    elected in the first ballot and in a later round."""
    if "+" in expr:
        joined: list[Any] = []
        for part in expr.split("+"):
            value = resolve_prefill(part.strip(), org, data, settings)
            joined += [row for row in value if row not in joined] if isinstance(value, list) else []
        return joined
    head, _, rest = expr.partition(".")
    if head == "org":
        value = getattr(org, rest, None)
        return value.isoformat() if isinstance(value, dt.date) else value
    if head == "setting":
        return settings.get(rest)
    step, _, name = rest.partition(".")
    return (data.get(step) or {}).get(name)


__all__ = ["FlowService", "audit_view", "effective_settings"]
