"""委托: from date A to date B a person's tasks (of one procedure, or all) go to a named delegate as well.

Both see the tasks; whatever the delegate does is recorded as done on the delegator's behalf
(王建国（代李红）). A delegation ends by itself after its last day; the delegator may revoke it earlier.
The delegate must be able to act: they need a role in an organization where the delegator holds one
(a colleague of the same office), else the delegation is refused with the reason.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, insert, or_, select, update

from flowengine.chinese import china_date, chinese_date
from flowengine.clock import Clock
from flowengine.errors import NotFound, PermissionDenied, ValidationFailed
from flowengine.persistence.db import Database
from flowengine.persistence.models import Delegation, RoleAssignment, User
from flowengine.service import audit
from flowengine.service.notify.notifications import send
from flowengine.vocabulary import AuditKind, NotificationKind

#: Longest delegation one may set up at once (a long absence is a change of post, for the administrator).
MAX_DAYS = 366


@dataclass(frozen=True)
class DelegationView:
    id: int
    delegator: str
    delegate: str
    workflow: str | None
    workflow_title: str
    starts_on: dt.date
    ends_on: dt.date
    reason: str | None
    revoked: bool
    active: bool
    mine: bool  # given by the caller (else received)


class Delegations:
    def __init__(self, db: Database, clock: Clock, workflow_titles: dict[str, str] | None = None) -> None:
        self.db = db
        self.clock = clock
        self.workflow_titles = workflow_titles or {}

    def create(
        self,
        actor_id: int,
        delegate: str,
        starts_on: dt.date | str | None,
        ends_on: dt.date | str | None,
        workflow: str | None = None,
        reason: str | None = None,
        client_addr: str | None = None,
    ) -> int:
        """Delegate the caller's tasks to ``delegate`` (a username) from ``starts_on`` to ``ends_on`` inclusive."""
        now = self.clock()
        errors: dict[str, str] = {}
        start = _date(starts_on, "starts_on", "开始日期", errors)
        end = _date(ends_on, "ends_on", "结束日期", errors)
        if start and end:
            if end < start:
                errors["ends_on"] = "结束日期不能早于开始日期"
            elif end < china_date(now):
                errors["ends_on"] = "结束日期已经过去"
            elif (end - start).days >= MAX_DAYS:
                errors["ends_on"] = f"一次委托不超过 {MAX_DAYS} 天；更长时间请联系管理员调整职务"
        if workflow and workflow not in self.workflow_titles:
            errors["workflow"] = f"没有名为“{workflow}”的流程"
        text = (reason or "").strip() or None
        if text and len(text) > 500:
            errors["reason"] = "说明不能超过 500 字"
        with self.db.write() as s:
            me = s.get(User, actor_id)
            if me is None or not me.is_active:
                raise PermissionDenied("用户不存在或已停用。")
            target = s.scalar(select(User).where(User.username == (delegate or "").strip()))
            if target is None or not target.is_active:
                errors["delegate"] = f"用户“{(delegate or '').strip()}”不存在或已停用"
            elif target.id == actor_id:
                errors["delegate"] = "不能委托给自己"
            else:
                mine = set(s.scalars(select(RoleAssignment.org_id).where(RoleAssignment.user_id == actor_id)))
                theirs = set(
                    s.scalars(select(RoleAssignment.org_id).where(RoleAssignment.user_id == target.id))
                )
                if not mine & theirs:
                    errors["delegate"] = (
                        f"{target.display_name}与您不在同一组织任职，无法办理您的事项，不能委托给其"
                    )
            if errors:
                raise ValidationFailed(errors, "委托未设置。")
            assert target is not None and start is not None and end is not None
            did = s.execute(
                insert(cast(Table, Delegation.__table__)).returning(Delegation.id),
                dict(
                    delegator_id=actor_id,
                    delegate_id=target.id,
                    workflow=workflow or None,
                    starts_on=start,
                    ends_on=end,
                    reason=text,
                    created_at=now,
                ),
            ).scalar_one()
            what = self.workflow_titles.get(workflow or "", "全部事项")
            audit.append(
                s,
                at=now,
                kind=AuditKind.DELEGATION_CREATE,
                actor_id=actor_id,
                actor_name=me.display_name,
                comment=f"委托{target.display_name}办理{what}（{chinese_date(start)}至{chinese_date(end)}）",
                data={
                    "delegation_id": did,
                    "delegate": target.id,
                    "workflow": workflow,
                    "starts_on": start.isoformat(),
                    "ends_on": end.isoformat(),
                },
                client_addr=client_addr,
            )
            send(
                s.connection(),
                [target.id],
                NotificationKind.DELEGATION,
                f"【委托】{me.display_name}委托您办理{what}",
                f"{chinese_date(start)}至{chinese_date(end)}，{me.display_name}的{what}也由您办理。"
                + (f"说明：{text}" if text else ""),
                now,
            )
            return int(did)

    def list_for(self, user_id: int) -> list[DelegationView]:
        """Delegations the user gave or received, newest first."""
        today = china_date(self.clock())
        with self.db.read() as s:
            rows = s.scalars(
                select(Delegation)
                .where(or_(Delegation.delegator_id == user_id, Delegation.delegate_id == user_id))
                .order_by(Delegation.id.desc())
            ).all()
            names = (
                dict(
                    s.execute(
                        select(User.id, User.display_name).where(
                            User.id.in_({r.delegator_id for r in rows} | {r.delegate_id for r in rows})
                        )
                    ).all()
                )
                if rows
                else {}
            )
            return [
                DelegationView(
                    r.id,
                    names.get(r.delegator_id, ""),
                    names.get(r.delegate_id, ""),
                    r.workflow,
                    self.workflow_titles.get(r.workflow or "", "全部事项"),
                    r.starts_on,
                    r.ends_on,
                    r.reason,
                    r.revoked_at is not None,
                    r.revoked_at is None and r.starts_on <= today <= r.ends_on,
                    r.delegator_id == user_id,
                )
                for r in rows
            ]

    def revoke(self, actor_id: int, delegation_id: int, client_addr: str | None = None) -> None:
        """The delegator ends a delegation early (one that has ended stays as it was)."""
        now = self.clock()
        with self.db.write() as s:
            d = s.get(Delegation, delegation_id)
            if d is None or d.delegator_id != actor_id:
                raise NotFound(f"委托 {delegation_id} 不存在。")
            if d.revoked_at is not None:
                return
            s.execute(
                update(cast(Table, Delegation.__table__)).where(Delegation.id == d.id).values(revoked_at=now)
            )
            me = s.get(User, actor_id)
            audit.append(
                s,
                at=now,
                kind=AuditKind.DELEGATION_REVOKE,
                actor_id=actor_id,
                actor_name=me.display_name if me else None,
                data={"delegation_id": d.id},
                client_addr=client_addr,
            )


def _date(value: dt.date | str | None, field: str, label: str, errors: dict[str, str]) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        errors[field] = f"请填写{label}"
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[field] = f"{label}“{text}”不是有效日期（应为 2026-01-31 这样的格式）"
        return None
