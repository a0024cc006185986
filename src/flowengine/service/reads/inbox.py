"""The inbox (待办) and the done list (已办): which tasks are a person's, in which order.

A task is assigned to a role in an organization, not to a person, so that a handler who is replaced or on
leave does not strand a request: whoever holds the role while the task is open sees it. A task that an
escalation reassigned (or a holder handed over, 转办) to one person is in that person's inbox only.

The inbox tells tasks apart: 待办 (a step to take), 待我会签 (a signature of a countersign), 加签 (an opinion
asked of me), 委托给我 (a task of someone who delegated theirs to me today); requests copied to me (抄送我)
are listed beside them (:meth:`Inbox.copies`).

The term watch has a task of its own (:meth:`Inbox.term_tasks`): an organization whose term ends within the
reminding window, or has ended, is in the inbox of whoever may start a procedure that answers the watch
(``term_watch`` in its definition) for it, until such a request is under way.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from flowengine.chinese import china_date, chinese_date
from flowengine.clock import Clock, utcnow
from flowengine.engine.calendar import add_working_days
from flowengine.persistence.db import Database
from flowengine.persistence.models import Copy, Instance, Organization, RoleAssignment, Task, User
from flowengine.service import access
from flowengine.service.catalog import Catalog
from flowengine.service.requests.flow import assignments_of, task_views
from flowengine.service.views import Actor, Page, TaskView
from flowengine.vocabulary import InstanceStatus, TaskKind


def open_tasks_of(user_id: int, held: set[tuple[str, int]]) -> ColumnElement[bool]:
    """The open tasks in a user's inbox: assigned to them, or unassigned and of a (role, organization) they hold.

    A task reassigned to one person leaves the inbox of the others holding its role.
    """
    mine = [and_(Task.role == r, Task.org_id == o) for r, o in held]
    who = (
        or_(Task.assignee_id == user_id, and_(Task.assignee_id.is_(None), or_(*mine)))
        if mine
        else (Task.assignee_id == user_id)
    )
    return and_(Task.closed_at.is_(None), who)


#: The inbox's categories, for its filter: what each is called.
CATEGORIES = {"step": "待办", "sign": "待我会签", "added": "加签", "delegated": "委托给我"}


@dataclass(frozen=True)
class CopyView:
    """A request copied to the user (抄送我)."""

    instance_id: int
    instance_title: str
    org_name: str
    state_title: str
    by: str
    created_at: dt.datetime
    read_at: dt.datetime | None


@dataclass(frozen=True)
class TermTaskView:
    """An organization of the user's whose term ends soon or has ended, with no renewal under way."""

    org_id: int
    org_name: str
    term_end: dt.date
    #: Days until the term ends; negative once it has ended (-3: ended three days ago).
    days_left: int
    #: The procedures answering the term watch this user may start for it: (name, title), renewals first.
    offers: tuple[tuple[str, str], ...]

    @property
    def expired(self) -> bool:
        return self.days_left < 0

    @property
    def text(self) -> str:
        if self.expired:
            return f"本届任期已于{chinese_date(self.term_end)}届满，已届满 {-self.days_left} 天：请启动换届"
        return f"本届任期将于{chinese_date(self.term_end)}届满（还有 {self.days_left} 天）：请启动换届"


class Inbox:
    def __init__(
        self, db: Database, catalog: Catalog, clock: Clock = utcnow, *, term_window_working_days: int = 120
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.clock = clock
        self.term_window_working_days = term_window_working_days

    def term_tasks(self, actor: Actor | int) -> list[TermTaskView]:
        """The term watch's tasks of this user, the most overdue first.

        An organization counts when its term ends within the window (the sweep's reminding window, in
        working days) or has ended, and the user may start a procedure that answers the watch for it. The
        task is gone once one is under way: a renewal started this term (running or done), or a running
        procedure that shifts the term (a postponement; once decided it has moved the term end).
        """
        uid = actor.user_id if isinstance(actor, Actor) else actor
        watching = sorted(
            (d for d in self.catalog.current.values() if d.term_watch is not None),
            key=lambda d: (d.term_watch.role != "renews" if d.term_watch else True, d.name),
        )
        if not watching:
            return []
        today = china_date(self.clock())
        horizon = add_working_days(today, self.term_window_working_days)
        renews = [d.name for d in watching if d.term_watch and d.term_watch.role == "renews"]
        others = [d.name for d in watching if d.name not in renews]
        with self.db.read() as s:
            rows = s.execute(
                select(Organization, RoleAssignment.role)
                .join(RoleAssignment, RoleAssignment.org_id == Organization.id)
                .where(
                    RoleAssignment.user_id == uid,
                    RoleAssignment.role.in_({d.start.role for d in watching}),
                    Organization.term_end.is_not(None),
                    Organization.term_end <= horizon,
                    ~exists().where(
                        Instance.org_id == Organization.id,
                        or_(
                            and_(
                                Instance.workflow.in_(renews),
                                Instance.status.in_((InstanceStatus.ACTIVE, InstanceStatus.COMPLETED)),
                                or_(
                                    Organization.term_start.is_(None),
                                    Instance.created_at >= Organization.term_start,
                                ),
                            ),
                            and_(Instance.workflow.in_(others), Instance.status == InstanceStatus.ACTIVE),
                        ),
                    ),
                )
                .order_by(Organization.term_end, Organization.id)
            ).all()
            roles: dict[int, set[str]] = {}
            orgs: dict[int, Organization] = {}
            for org, role in rows:
                orgs[org.id] = org
                roles.setdefault(org.id, set()).add(role)
            out = []
            for org_id, org in orgs.items():
                offers = tuple(
                    (d.name, d.title)
                    for d in watching
                    if d.start.role in roles[org_id] and org.type in d.start.org_types
                )
                if not offers or org.term_end is None:
                    continue
                out.append(TermTaskView(org.id, org.name, org.term_end, (org.term_end - today).days, offers))
            return out

    def _delegated(self, s: Session, uid: int) -> list[access.Delegator]:
        return access.delegators(s.connection(), uid, china_date(self.clock()))

    @staticmethod
    def _condition(
        uid: int, held: set[tuple[str, int]], delegators: list[access.Delegator]
    ) -> ColumnElement[bool]:
        """The user's own open tasks, and those of whoever delegated theirs to them (not the opinions asked
        of a delegator: an opinion is personal)."""
        parts = [open_tasks_of(uid, held)]
        for d in delegators:
            theirs = and_(open_tasks_of(d.user_id, set(d.held)), Task.kind != TaskKind.ADDED)
            if d.workflow:
                theirs = and_(
                    theirs, Task.instance_id.in_(select(Instance.id).where(Instance.workflow == d.workflow))
                )
            parts.append(theirs)
        return or_(*parts)

    def open(
        self,
        actor: Actor | int,
        *,
        workflow: str | None = None,
        state: str | None = None,
        org_id: int | None = None,
        org_name: str | None = None,
        order: str = "urgent",
        category: str | None = None,
        page: int = 1,
        per_page: int = 20,
    ) -> Page[TaskView]:
        """Open tasks of this user: those of every (role, organization) they hold, or assigned to them, and
        those of whoever delegated theirs to them today.

        ``org_name`` keeps the tasks of organizations whose name contains it (for an inbox spanning more
        organizations than a list could offer); ``category`` one of :data:`CATEGORIES`.
        """
        uid = actor.user_id if isinstance(actor, Actor) else actor
        with self.db.read() as s:
            held = assignments_of(s, uid)
            delegators = self._delegated(s, uid)
            if category == "delegated":
                q = select(Task).where(
                    and_(self._condition(uid, held, delegators), ~open_tasks_of(uid, held))
                )
            else:
                q = select(Task).where(self._condition(uid, held, delegators))
                if category in ("step", "sign", "added"):
                    q = q.where(Task.kind == category)
            if workflow or org_id or org_name:
                q = q.join(Instance, Instance.id == Task.instance_id)
                if workflow:
                    q = q.where(Instance.workflow == workflow)
                if org_id:
                    q = q.where(Instance.org_id == org_id)
                if org_name:
                    q = q.join(Organization, Organization.id == Instance.org_id).where(
                        Organization.name.contains(org_name, autoescape=True)
                    )
            if state:
                q = q.where(Task.state == state)
            total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
            if order == "newest":
                q = q.order_by(Task.opened_at.desc(), Task.id.desc())
            else:
                q = q.order_by(Task.due_at.is_(None), Task.due_at, Task.opened_at, Task.id)
            tasks = list(s.scalars(q.limit(per_page).offset((max(page, 1) - 1) * per_page)))
            views = task_views(s, self.catalog, tasks)
            return Page(
                tuple(
                    _mark_delegated(v, t, uid, held, delegators) for v, t in zip(views, tasks, strict=True)
                ),
                total,
                page,
                per_page,
            )

    def copies(
        self, actor: Actor | int, *, unread_only: bool = False, page: int = 1, per_page: int = 20
    ) -> Page[CopyView]:
        """Requests copied to the user (抄送我), unread first, newest first."""
        uid = actor.user_id if isinstance(actor, Actor) else actor
        with self.db.read() as s:
            q = (
                select(Copy, Instance, Organization.name.label("org_name"))
                .join(Instance, Instance.id == Copy.instance_id)
                .join(Organization, Organization.id == Instance.org_id)
                .where(Copy.user_id == uid)
            )
            if unread_only:
                q = q.where(Copy.read_at.is_(None))
            total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
            rows = s.execute(
                q.order_by(Copy.read_at.is_not(None), Copy.created_at.desc(), Copy.id.desc())
                .limit(per_page)
                .offset((max(page, 1) - 1) * per_page)
            ).all()
            by = (
                dict(
                    s.execute(
                        select(User.id, User.display_name).where(
                            User.id.in_({c.by_id for c, _, _ in rows if c.by_id})
                        )
                    ).all()
                )
                if rows
                else {}
            )
            items = []
            for c, inst, org_name in rows:
                definition = self.catalog.by_id(s, inst.definition_id)
                try:
                    state_title = definition.state(inst.state).title
                except KeyError:
                    state_title = inst.state
                items.append(
                    CopyView(
                        inst.id,
                        inst.title,
                        org_name,
                        state_title,
                        by.get(c.by_id or 0, "按流程规定"),
                        c.created_at,
                        c.read_at,
                    )
                )
            return Page(tuple(items), total, page, per_page)

    def done(self, actor: Actor | int, *, page: int = 1, per_page: int = 20) -> Page[TaskView]:
        """Tasks this user closed by acting (已办), newest first."""
        uid = actor.user_id if isinstance(actor, Actor) else actor
        with self.db.read() as s:
            q = select(Task).where(Task.closed_by_id == uid)
            total = s.scalar(select(func.count()).select_from(q.subquery())) or 0
            tasks = list(
                s.scalars(
                    q.order_by(Task.closed_at.desc(), Task.id.desc())
                    .limit(per_page)
                    .offset((max(page, 1) - 1) * per_page)
                )
            )
            return Page(tuple(task_views(s, self.catalog, tasks)), total, page, per_page)


def _mark_delegated(
    view: TaskView, task: Task, uid: int, held: set[tuple[str, int]], delegators: list[access.Delegator]
) -> TaskView:
    """Name the delegator of a task the user sees only by delegation (委托给我)."""
    if task.assignee_id == uid or (task.assignee_id is None and (task.role, task.org_id) in held):
        return view
    for d in delegators:
        if task.assignee_id == d.user_id or (task.assignee_id is None and (task.role, task.org_id) in d.held):
            return dataclasses.replace(view, delegated_by=d.name)
    return view
