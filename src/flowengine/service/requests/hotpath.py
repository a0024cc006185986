"""The statements of ``start`` and ``act``, built once: one read, one write (PostgreSQL) per step.

An action reads everything it decides on in **one** statement — the request with its organization, the
caller with every role they hold, the organization's ancestors and approving body (settings and names),
the request's open tasks, whether an action is held, and its audit chain's head — and, on PostgreSQL,
writes everything in **one** statement: a data-modifying CTE that updates the request (``WHERE version =
:expected``), closes the tasks of the states left, cancels their timers and held actions, opens the new
tasks and appends the audit event. With BEGIN and COMMIT that is four round trips per action
(``tests/service/test_statements.py`` counts them). SQLite, in-process, runs the same writes as separate
statements of the same transaction.

The read happens before the request's row is locked. Whatever could have changed in between is caught at
the write: a concurrent action changed the version (the versioned UPDATE matches nothing), and anything
else that touches the request's tasks or trail (a verb, the escalation sweep) appends to its audit chain, so
the event's ``(chain, seq)`` is already taken and the unique key refuses it. Either way nothing is written
and :class:`Conflict` lets the caller start over on fresh data (``FlowService.act`` does, a few times).

The statements are module constants (or, for the write, one per shape: how many tasks are opened, whether
tasks, timers or held actions are closed), so SQLAlchemy compiles each once and finds it in its cache by
identity on every later call.
"""

from __future__ import annotations

import json
import sqlite3
from collections import namedtuple
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    Integer,
    String,
    Table,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from flowengine.persistence.models import (
    AuditEvent,
    HeldAction,
    Instance,
    Organization,
    RoleAssignment,
    Task,
    Timer,
    User,
)
from flowengine.vocabulary import InstanceStatus, TaskKind


class Conflict(Exception):
    """Something changed the request between the read and the write: read again and retry."""


# ---- portable JSON aggregation (json_agg / json_group_array) -------------------------------------------


class _json_array(FunctionElement[Any]):
    type = JSON()
    inherit_cache = True
    name = "json_array"


@compiles(_json_array)
def _json_array_default(element: _json_array, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_array({compiler.process(element.clauses, **kw)})"


@compiles(_json_array, "postgresql")
def _json_array_pg(element: _json_array, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_build_array({compiler.process(element.clauses, **kw)})"


class _json_agg(FunctionElement[Any]):
    type = JSON()
    inherit_cache = True
    name = "json_agg"


@compiles(_json_agg)
def _json_agg_default(element: _json_agg, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_group_array({compiler.process(element.clauses, **kw)})"


@compiles(_json_agg, "postgresql")
def _json_agg_pg(element: _json_agg, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_agg({compiler.process(element.clauses, **kw)})"


class _as_json(FunctionElement[Any]):
    """A JSON column as a JSON value inside json_array (SQLite keeps it as text otherwise)."""

    type = JSON()
    inherit_cache = True
    name = "json"


@compiles(_as_json)
def _as_json_default(element: _as_json, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json({compiler.process(element.clauses, **kw)})"


@compiles(_as_json, "postgresql")
def _as_json_pg(element: _as_json, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


class _in_path(FunctionElement[bool]):
    """``_in_path(org_id, path)``: ``org_id`` is one of the ids of an organization ``path`` (``/1/7/42/``),
    found through the primary key."""

    type = Boolean()
    inherit_cache = True
    name = "in_path"


@compiles(_in_path)
def _in_path_default(element: _in_path, compiler: SQLCompiler, **kw: Any) -> str:
    oid, path = (compiler.process(c, **kw) for c in element.clauses.clauses)
    return f"{oid} IN (SELECT value FROM json_each('[' || replace(trim({path}, '/'), '/', ',') || ']'))"


@compiles(_in_path, "postgresql")
def _in_path_pg(element: _in_path, compiler: SQLCompiler, **kw: Any) -> str:
    oid, path = (compiler.process(c, **kw) for c in element.clauses.clauses)
    return f"{oid} = ANY(CAST(string_to_array(btrim({path}, '/'), '/') AS INTEGER[]))"


def _rows(value: Any) -> list[Any]:
    if value is None:
        return []
    return json.loads(value) if isinstance(value, str | bytes) else list(value)


# ---- statements compiled once, run on SQLite's own cursor ------------------------------------------------


class Prepared:
    """A Core statement compiled once per dialect, with its parameters' and columns' type processing.

    On PostgreSQL it runs through the connection as usual (a round trip dominates there, and execution
    events see it). On SQLite, where the database's own work is a few microseconds, SQLAlchemy's
    per-execution machinery (execution context, result object) cost several times the SQL itself: there
    the compiled SQL runs on the connection's DBAPI cursor, inside the same transaction, with the same bind
    and result processors SQLAlchemy would apply. ``tests/service/test_statements.py`` counts those
    statements with SQLite's own trace hook.
    """

    def __init__(self, stmt: Any) -> None:
        self.stmt = stmt
        self._sqlite: tuple[str, list[tuple[str, Any, Any]], Any] | None = None

    def _compile(self, dialect: Any) -> tuple[str, list[tuple[str, Any, Any]], Any]:
        compiled = self.stmt.compile(dialect=dialect)
        names = {name: bp for bp, name in compiled.bind_names.items()}
        params = []
        for name in compiled.positiontup:
            bp = names[name]
            proc = bp.type.dialect_impl(dialect).bind_processor(dialect)
            params.append((bp.key, None if bp.required else bp.value, proc))
        columns = getattr(self.stmt, "selected_columns", None)
        row_type = None
        if columns is not None and not getattr(self.stmt, "is_dml", False):
            keys = [c.key for c in columns]
            procs = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
            row_type = (namedtuple("Row", keys), procs)
        return compiled.string, params, row_type

    def execute(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        """Run on ``conn`` (SQLite: on its DBAPI cursor); returns the DBAPI cursor or SQLAlchemy's result."""
        if conn.dialect.name != "sqlite":
            return conn.execute(self.stmt, params)
        if self._sqlite is None:
            self._sqlite = self._compile(conn.dialect)
        sql, binds, _ = self._sqlite
        values = []
        for key, default, proc in binds:
            v = params.get(key, default)
            values.append(proc(v) if proc is not None and v is not None else v)
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        cursor.execute(sql, values)
        return cursor

    def one_or_none(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        result = self.execute(conn, params)
        if conn.dialect.name != "sqlite":
            return result.one_or_none()
        raw = result.fetchone()
        if raw is None:
            return None
        assert self._sqlite is not None and self._sqlite[2] is not None
        row_type, procs = self._sqlite[2]
        return row_type(*(p(v) if p is not None else v for p, v in zip(procs, raw, strict=True)))

    def rowcount(self, conn: Connection, params: Mapping[str, Any]) -> int:
        return int(self.execute(conn, params).rowcount)

    def scalar_one(self, conn: Connection, params: Mapping[str, Any]) -> Any:
        result = self.execute(conn, params)
        return result.scalar_one() if conn.dialect.name != "sqlite" else result.fetchone()[0]


# ---- the read ------------------------------------------------------------------------------------------

_IT, _TT, _UT, _RT, _OT, _ET, _HT, _TMT = (
    cast(Table, Instance.__table__),
    cast(Table, Task.__table__),
    cast(Table, User.__table__),
    cast(Table, RoleAssignment.__table__),
    cast(Table, Organization.__table__),
    cast(Table, AuditEvent.__table__),
    cast(Table, HeldAction.__table__),
    cast(Table, Timer.__table__),
)
_I, _T, _U, _R, _O, _E, _H, _TM = (t.c for t in (_IT, _TT, _UT, _RT, _OT, _ET, _HT, _TMT))
_caller = _UT.alias("caller")
_related = _OT.alias("related")
_initiator = _UT.alias("initiator")


def _caller_columns() -> list[Any]:
    uid = bindparam("uid", type_=Integer)
    return [
        select(_caller.c.display_name).where(_caller.c.id == uid).scalar_subquery().label("caller_name"),
        select(_caller.c.is_active).where(_caller.c.id == uid).scalar_subquery().label("caller_active"),
        select(_json_agg(_json_array(_R.role, _R.org_id)))
        .where(_R.user_id == uid)
        .scalar_subquery()
        .label("caller_held"),
    ]


def _related_column(org: Any) -> Any:
    """The organization's ancestors (and itself) and its approving body: id, name, settings."""
    return (
        select(_json_agg(_json_array(_related.c.id, _related.c.name, _as_json(_related.c.settings))))
        .where(or_(_in_path(_related.c.id, org.c.path), _related.c.id == org.c.approver_id))
        .correlate(org)
        .scalar_subquery()
        .label("related")
    )


_ORG_COLUMNS = (
    _O.id.label("org_id"),
    _O.name.label("org_name"),
    _O.type.label("org_type"),
    _O.parent_id,
    _O.approver_id,
    _O.full_members,
    _O.probationary_members,
    _O.term_start,
    _O.term_end,
    _O.path,
    _O.settings.label("org_settings"),
)

#: Everything ``act`` decides on, in one statement (parameters: iid, uid, chain).
STEP_READ = Prepared(
    select(
        _I.id,
        _I.definition_id,
        _I.workflow,
        _I.state,
        _I.status,
        _I.version,
        _I.data,
        _I.title,
        _I.initiator_id,
        _I.created_at,
        _initiator.c.display_name.label("initiator_name"),
        *_ORG_COLUMNS,
        *_caller_columns(),
        _related_column(_OT),
        select(_json_agg(_json_array(_T.id, _T.state, _T.role, _T.org_id, _T.assignee_id, _T.kind, _T.mode)))
        .where(_T.instance_id == _I.id, _T.closed_at.is_(None))
        .correlate(_IT)
        .scalar_subquery()
        .label("open_tasks"),
        select(func.count())
        .select_from(_HT)
        .where(_H.instance_id == _I.id, _H.released_at.is_(None), _H.cancelled_at.is_(None))
        .correlate(_IT)
        .scalar_subquery()
        .label("held"),
        select(_json_array(_E.seq, _E.hash))
        .where(_E.chain == bindparam("chain"))
        .order_by(_E.seq.desc())
        .limit(1)
        .scalar_subquery()
        .label("head"),
    )
    .select_from(_IT.join(_OT, _O.id == _I.org_id).join(_initiator, _initiator.c.id == _I.initiator_id))
    .where(_I.id == bindparam("iid"))
)


def _start_read(postgresql: bool) -> Any:
    active = (
        select(_I.id)
        .where(_I.workflow == bindparam("workflow"), _I.org_id == _O.id, _I.status == InstanceStatus.ACTIVE)
        .correlate(_OT)
        .limit(1)
        .scalar_subquery()
        .label("active_id")
    )
    columns = [*_ORG_COLUMNS, *_caller_columns(), _related_column(_OT), active]
    if postgresql:
        # The new request's id, so that its first task and audit event go in the same statement as it.
        columns.append(func.nextval(func.pg_get_serial_sequence("instances", "id")).label("new_id"))
    return select(*columns).where(_O.id == bindparam("oid"))


#: What ``start`` decides on, in one statement (parameters: oid, uid, workflow).
START_READ = {False: Prepared(_start_read(False)), True: Prepared(_start_read(True))}


@dataclass(frozen=True)
class OpenTask:
    id: int
    state: str
    role: str
    org_id: int
    assignee_id: int | None
    kind: str
    mode: str | None


@dataclass(frozen=True)
class Related:
    name: str
    settings: dict[str, Any]


def caller_held(row: Any) -> frozenset[tuple[str, int]]:
    return frozenset((r[0], int(r[1])) for r in _rows(row.caller_held) if r and r[0] is not None)


def related_of(row: Any) -> dict[int, Related]:
    out = {}
    for oid, name, settings in _rows(row.related):
        if isinstance(settings, str):
            settings = json.loads(settings)
        out[int(oid)] = Related(name, settings or {})
    return out


def open_tasks_of(row: Any) -> tuple[OpenTask, ...]:
    return tuple(
        OpenTask(int(t[0]), t[1], t[2], int(t[3]), t[4], t[5], t[6])
        for t in sorted(_rows(row.open_tasks), key=lambda t: t[0])
    )


def head_of(row: Any) -> tuple[int, str] | None:
    head = row.head
    if head is None:
        return None
    if isinstance(head, str):
        head = json.loads(head)
    return int(head[0]), str(head[1])


# ---- the write -----------------------------------------------------------------------------------------


_UPDATE_INSTANCE = (
    update(_IT)
    .where(_I.id == bindparam("iid"), _I.version == bindparam("expected"))
    .values(
        state=bindparam("new_state"),
        version=bindparam("new_version"),
        data=bindparam("new_data"),
        status=bindparam("new_status"),
        updated_at=bindparam("now"),
        completed_at=bindparam("completed_at"),
    )
)
_CLOSE_TASKS = (
    update(_TT)
    .where(
        _T.instance_id == bindparam("iid"),
        _T.state.in_(bindparam("left", expanding=True)),
        _T.closed_at.is_(None),
    )
    .values(
        closed_at=bindparam("now"), closed_by_id=bindparam("by_user"), closed_action=bindparam("by_action")
    )
)
_CANCEL_TIMERS = (
    update(_TMT)
    .where(
        _TM.instance_id == bindparam("iid"),
        _TM.state.in_(bindparam("left", expanding=True)),
        _TM.fired_at.is_(None),
        _TM.cancelled_at.is_(None),
    )
    .values(cancelled_at=bindparam("now"))
)
_CANCEL_HELD = (
    update(_HT)
    .where(
        _H.instance_id == bindparam("iid"),
        _H.state.in_(bindparam("left", expanding=True)),
        _H.released_at.is_(None),
        _H.cancelled_at.is_(None),
    )
    .values(cancelled_at=bindparam("now"))
)
TASK_COLUMNS = ("state", "role", "org_id", "opened_at", "due_at", "next_alert_at")
_INSERT_TASK = insert(_TT).returning(_T.id)
_INSERT_EVENT = insert(_ET)
_EVENT_COLUMNS = tuple(c.name for c in _ET.c if c.name != "id")


def _task_values(k: int) -> dict[str, Any]:
    values: dict[str, Any] = {"instance_id": bindparam("iid")}
    values.update({c: bindparam(f"t{k}_{c}", type_=_TT.c[c].type) for c in TASK_COLUMNS})
    # Column defaults are not applied inside a CTE: every column is given.
    values.update(alerts_sent=0, escalated=False, kind=TaskKind.STEP)
    return values


def _event_values(prefix: str = "e_") -> dict[str, Any]:
    return {c: bindparam(f"{prefix}{c}", type_=_ET.c[c].type) for c in _EVENT_COLUMNS}


_PG_WRITES: dict[tuple[bool, bool, bool, int], Any] = {}


def _pg_write(close: bool, timers: bool, held: bool, tasks: int) -> Any:
    """The one statement of a step on PostgreSQL, for this shape (cached: compiled once per shape)."""
    key = (close, timers, held, tasks)
    stmt = _PG_WRITES.get(key)
    if stmt is not None:
        return stmt
    upd = (
        update(_IT)
        .where(_I.id == bindparam("iid"), _I.version == bindparam("expected"))
        .values(
            state=bindparam("new_state"),
            version=bindparam("new_version"),
            data=bindparam("new_data", type_=_I.data.type),
            status=bindparam("new_status"),
            updated_at=bindparam("now", type_=_I.updated_at.type),
            completed_at=bindparam("completed_at", type_=_I.completed_at.type),
        )
        .returning(_I.id)
        .cte("upd")
    )
    ctes = []
    if close:
        ctes.append(_CLOSE_TASKS.cte("closed"))
    if timers:
        ctes.append(_CANCEL_TIMERS.cte("timers_cancelled"))
    if held:
        ctes.append(_CANCEL_HELD.cte("held_cancelled"))
    opened = [insert(_TT).values(_task_values(k)).returning(_T.id).cte(f"opened{k}") for k in range(tasks)]
    ctes.append(insert(_ET).values(_event_values()).cte("event"))
    stmt = select(
        select(func.count()).select_from(upd).scalar_subquery().label("updated"),
        *(select(o.c.id).scalar_subquery().label(f"task{k}") for k, o in enumerate(opened)),
    ).add_cte(*ctes)
    _PG_WRITES[key] = stmt
    return stmt


def _in_left(column: Any, n: int) -> Any:
    return column.in_([bindparam(f"left{k}", type_=String()) for k in range(n)])


_SQLITE_WRITES: dict[tuple[str, int], Prepared] = {}


def _sqlite_leave(what: str, n: int) -> Prepared:
    """Closing the tasks (cancelling the timers, the held actions) of ``n`` states left, on SQLite."""
    key = (what, n)
    found = _SQLITE_WRITES.get(key)
    if found is None:
        if what == "tasks":
            stmt = (
                update(_TT)
                .where(_T.instance_id == bindparam("iid"), _in_left(_T.state, n), _T.closed_at.is_(None))
                .values(
                    closed_at=bindparam("now", type_=_T.closed_at.type),
                    closed_by_id=bindparam("by_user", type_=Integer()),
                    closed_action=bindparam("by_action", type_=String()),
                )
            )
        elif what == "timers":
            stmt = (
                update(_TMT)
                .where(
                    _TM.instance_id == bindparam("iid"),
                    _in_left(_TM.state, n),
                    _TM.fired_at.is_(None),
                    _TM.cancelled_at.is_(None),
                )
                .values(cancelled_at=bindparam("now", type_=_TM.cancelled_at.type))
            )
        else:
            stmt = (
                update(_HT)
                .where(
                    _H.instance_id == bindparam("iid"),
                    _in_left(_H.state, n),
                    _H.released_at.is_(None),
                    _H.cancelled_at.is_(None),
                )
                .values(cancelled_at=bindparam("now", type_=_H.cancelled_at.type))
            )
        found = _SQLITE_WRITES[key] = Prepared(stmt)
    return found


_S_UPDATE_INSTANCE = Prepared(
    update(_IT)
    .where(_I.id == bindparam("iid"), _I.version == bindparam("expected"))
    .values(
        state=bindparam("new_state", type_=String()),
        version=bindparam("new_version", type_=Integer()),
        data=bindparam("new_data", type_=_I.data.type),
        status=bindparam("new_status", type_=String()),
        updated_at=bindparam("now", type_=_I.updated_at.type),
        completed_at=bindparam("completed_at", type_=_I.completed_at.type),
    )
)
_S_INSERT_TASK = Prepared(insert(_TT).values(_task_values(0)).returning(_T.id))
_S_INSERT_EVENT = Prepared(insert(_ET).values(_event_values()))


def _task_params(tasks: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    return {f"t{k}_{c}": t[c] for k, t in enumerate(tasks) for c in TASK_COLUMNS}


def _event_params(event: Mapping[str, Any]) -> dict[str, Any]:
    return {f"e_{c}": event.get(c) for c in _EVENT_COLUMNS}


@dataclass
class StepWrite:
    """The writes of one step: the versioned UPDATE, tasks closed and opened, and (by ``run``) its event."""

    instance: dict[str, Any]
    left: Sequence[str]
    close_tasks: bool
    cancel_timers: bool
    cancel_held: bool
    tasks: Sequence[Mapping[str, Any]]
    actor_id: int | None
    action: str
    updated: bool = False
    task_ids: tuple[int, ...] = ()

    def run(self, conn: Connection, event: Mapping[str, Any] | None) -> None:
        """Execute everything, with ``event`` (a full audit row): one statement on PostgreSQL. Without an
        event, the same writes one by one, the versioned UPDATE first (the caller appends the event)."""
        try:
            if event is not None and conn.dialect.name == "postgresql":
                params: dict[str, Any] = dict(self.instance)
                # Parameter names that are no column of the tables updated: SQLAlchemy would add a column named like a
                # parameter to an UPDATE's SET clause (``timers.action``).
                params.update(left=list(self.left), by_user=self.actor_id, by_action=self.action)
                params.update(_task_params(self.tasks))
                params.update(_event_params(event))
                stmt = _pg_write(self.close_tasks, self.cancel_timers, self.cancel_held, len(self.tasks))
                row = conn.execute(stmt, params).one()
                self.updated = row[0] == 1
                self.task_ids = tuple(int(x) for x in row[1:])
                return
            self._one_by_one(conn, event)
        except IntegrityError as exc:
            msg = str(exc.orig)
            if "uq_audit_events_chain_seq" in msg or "audit_events.chain" in msg:
                raise Conflict() from exc
            raise
        except sqlite3.IntegrityError as exc:
            if "audit_events.chain" in str(exc):
                raise Conflict() from exc
            raise

    def _one_by_one(self, conn: Connection, event: Mapping[str, Any] | None) -> None:
        if conn.dialect.name != "sqlite":
            close = dict(iid=self.instance["iid"], left=list(self.left), now=self.instance["now"])
            self.updated = conn.execute(_UPDATE_INSTANCE, self.instance).rowcount == 1
            if not self.updated:
                return
            if self.close_tasks:
                conn.execute(_CLOSE_TASKS, {**close, "by_user": self.actor_id, "by_action": self.action})
            if self.cancel_timers:
                conn.execute(_CANCEL_TIMERS, close)
            if self.cancel_held:
                conn.execute(_CANCEL_HELD, close)
            self.task_ids = tuple(
                conn.execute(
                    _INSERT_TASK,
                    {"instance_id": self.instance["iid"], "alerts_sent": 0, "escalated": False, **t},
                ).scalar_one()
                for t in self.tasks
            )
            if event is not None:
                conn.execute(_INSERT_EVENT, dict(event))
            return
        self.updated = _S_UPDATE_INSTANCE.rowcount(conn, self.instance) == 1
        if not self.updated:
            return
        n = len(self.left)
        leave: dict[str, Any] = {f"left{k}": x for k, x in enumerate(self.left)}
        leave.update(iid=self.instance["iid"], now=self.instance["now"])
        if self.close_tasks:
            _sqlite_leave("tasks", n).execute(
                conn, {**leave, "by_user": self.actor_id, "by_action": self.action}
            )
        if self.cancel_timers:
            _sqlite_leave("timers", n).execute(conn, leave)
        if self.cancel_held:
            _sqlite_leave("held", n).execute(conn, leave)
        self.task_ids = tuple(
            _S_INSERT_TASK.scalar_one(conn, {"iid": self.instance["iid"], **_task_params([t])})
            for t in self.tasks
        )
        if event is not None:
            _S_INSERT_EVENT.execute(conn, _event_params(event))


# ---- start ---------------------------------------------------------------------------------------------

_PG_START: dict[int, Any] = {}
_INSTANCE_COLUMNS = (
    "id",
    "definition_id",
    "workflow",
    "org_id",
    "initiator_id",
    "title",
    "state",
    "status",
    "version",
    "data",
    "created_at",
    "updated_at",
    "subject_id",  # the person the request is about (None for a request about its organization)
)


def _pg_start(tasks: int) -> Any:
    stmt = _PG_START.get(tasks)
    if stmt is None:
        inst = (
            insert(_IT)
            .values({c: bindparam(f"i_{c}", type_=_IT.c[c].type) for c in _INSTANCE_COLUMNS})
            .returning(_I.id)
            .cte("inst")
        )
        opened = [
            insert(_TT).values(_task_values(k)).returning(_T.id).cte(f"opened{k}") for k in range(tasks)
        ]
        event = insert(_ET).values(_event_values()).cte("event")
        stmt = select(
            select(inst.c.id).scalar_subquery().label("id"),
            *(select(o.c.id).scalar_subquery().label(f"task{k}") for k, o in enumerate(opened)),
        ).add_cte(event)
        _PG_START[tasks] = stmt
    return stmt


@dataclass
class StartWrite:
    """The writes of a start: the request, its first task and (by ``run``) its first audit event."""

    instance: dict[str, Any]
    tasks: Sequence[Mapping[str, Any]]
    task_ids: tuple[int, ...] = ()

    def run(self, conn: Connection, event: Mapping[str, Any]) -> None:
        iid = self.instance["id"]
        params: dict[str, Any] = {"iid": iid, **_event_params(event)}
        if conn.dialect.name == "postgresql":
            params.update({f"i_{c}": self.instance[c] for c in _INSTANCE_COLUMNS})
            params.update(_task_params(self.tasks))
            row = conn.execute(_pg_start(len(self.tasks)), params).one()
            self.task_ids = tuple(int(x) for x in row[1:])
            return
        self.task_ids = tuple(
            _S_INSERT_TASK.scalar_one(conn, {"iid": iid, **_task_params([t])}) for t in self.tasks
        )
        _S_INSERT_EVENT.execute(conn, params)


_S_INSERT_INSTANCE = Prepared(
    insert(_IT)
    .values({c: bindparam(f"i_{c}", type_=_IT.c[c].type) for c in _INSTANCE_COLUMNS if c != "id"})
    .returning(_I.id)
)


def insert_instance(conn: Connection, values: Mapping[str, Any]) -> int:
    """SQLite: the request's row first, for its id (PostgreSQL took the id from its sequence)."""
    return int(_S_INSERT_INSTANCE.scalar_one(conn, {f"i_{k}": v for k, v in values.items()}))


__all__ = [
    "START_READ",
    "STEP_READ",
    "Conflict",
    "OpenTask",
    "Related",
    "StartWrite",
    "StepWrite",
    "caller_held",
    "head_of",
    "insert_instance",
    "open_tasks_of",
    "related_of",
]
