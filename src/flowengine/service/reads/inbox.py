"""The inbox (待办) and the done list (已办): which tasks are a person's, in which order.

A task is assigned to a role in an organization, not to a person, so that a handler who is replaced or on
leave does not strand a request: whoever holds the role while the task is open sees it. A task that an
escalation reassigned to one person is in that person's inbox only.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, func, or_, select

from flowengine.persistence.db import Database
from flowengine.persistence.models import Instance, Organization, Task
from flowengine.service.catalog import Catalog
from flowengine.service.requests.flow import assignments_of, task_views
from flowengine.service.views import Actor, Page, TaskView


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


class Inbox:
    def __init__(self, db: Database, catalog: Catalog) -> None:
        self.db = db
        self.catalog = catalog

    def open(
        self,
        actor: Actor | int,
        *,
        workflow: str | None = None,
        state: str | None = None,
        org_id: int | None = None,
        org_name: str | None = None,
        order: str = "urgent",
        page: int = 1,
        per_page: int = 20,
    ) -> Page[TaskView]:
        """Open tasks of this user: those of every (role, organization) they hold, or assigned to them.

        ``org_name`` keeps the tasks of organizations whose name contains it (for an inbox spanning more
        organizations than a list could offer).
        """
        uid = actor.user_id if isinstance(actor, Actor) else actor
        with self.db.read() as s:
            q = select(Task).where(open_tasks_of(uid, assignments_of(s, uid)))
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
            return Page(tuple(task_views(s, self.catalog, tasks)), total, page, per_page)

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
