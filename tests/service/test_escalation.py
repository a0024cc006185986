"""Reminders before a deadline and escalation after it, at the right times on the Chinese calendar,
recorded exactly once however often the sweep runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from flowengine.persistence.models import AuditEvent, Notification, Organization, Task, TermAlert
from flowengine.service import Services
from tests.support import Clock, World, build_world
from tests.support.paths import FIXTURE_WORKFLOWS
from tests.support.service import china, submitted


def notes(services: Services, user: int, *, term: bool = False) -> list[str]:
    """Kinds of a user's notifications, oldest first; term-watch ones only when ``term``."""
    kinds = [n.kind for n in reversed(services.notifications.list(user, per_page=100).items)]
    return [k for k in kinds if k.startswith("term_") == term]


def events(services: Services, kind: str) -> int:
    with services.db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == kind)) or 0


def alerts(counts: object) -> tuple[int, int]:
    """The task alerts of a sweep (the term watch is tested on its own)."""
    return counts.reminders, counts.escalations  # type: ignore[attr-defined]


def test_reminder_and_escalation_across_national_day(services: Services, world: World, clock: Clock) -> None:
    # Submitted Wednesday 2026-09-30; review has 3 working days: 10-01..07 are holidays, Saturday 10-10 is
    # a make-up working day → due at the end of 10-10; the reminder (1 working day before) on 10-09.
    iid = submitted(services, world, clock, china(2026, 9, 30, 10, 0))
    [task] = services.flow.get(iid, world.users["handler"]).open_tasks
    assert task.due_at == china(2026, 10, 11, 0, 0)
    sweep = services.escalator.sweep
    handler, leader = world.users["handler"], world.users["leader"]

    assert alerts(sweep(china(2026, 10, 8, 23, 59))) == (0, 0)
    assert alerts(sweep(china(2026, 10, 9, 0, 1))) == (1, 0)
    assert alerts(sweep(china(2026, 10, 9, 0, 2))) == (0, 0)  # a second sweep changes nothing
    assert notes(services, handler) == ["reminder"] and notes(services, leader) == []
    [reminder] = [n for n in services.notifications.list(handler).items if n.kind == "reminder"]
    assert reminder.body.endswith("须在2026年10月10日前办理，还剩 1 个工作日。")  # the make-up Saturday
    assert (
        reminder.body.count("请假申请（测试）") == 1
    )  # the procedure is named once, not again after the title
    assert alerts(sweep(china(2026, 10, 10, 23, 59))) == (0, 0)
    assert alerts(sweep(china(2026, 10, 11, 0, 0))) == (0, 1)
    assert alerts(sweep(china(2026, 10, 12, 9, 0))) == (0, 0)
    assert notes(services, handler) == ["reminder", "overdue"]
    assert notes(services, leader) == ["escalation"]
    assert services.notifications.unread_count(leader) == len(services.notifications.list(leader).items)
    trail = [
        (e.kind, e.data and e.data.get("mode")) for e in services.flow.trail(iid, world.users["auditor"])
    ]
    assert trail[-2:] == [("reminder", None), ("escalation", "notify")]
    assert events(services, "reminder") == 1 and events(services, "escalation") == 1


def test_acting_before_the_deadline_cancels_alerts(services: Services, world: World, clock: Clock) -> None:
    iid = submitted(services, world, clock, china(2026, 9, 30, 10, 0))
    services.flow.act(iid, "approve", world.users["handler"], expected_version=2)
    assert alerts(services.escalator.sweep(china(2026, 11, 30, 0, 0))) == (0, 0)


@pytest.mark.parametrize("mode", ["reassign", "co_approve"])
def test_escalation_that_moves_or_shares_the_task(
    make_services: Callable[..., Services], tmp_path: Path, clock: Clock, mode: str
) -> None:
    wf = tmp_path / "wf"
    wf.mkdir()
    (wf / "leave_request.yaml").write_text(
        (FIXTURE_WORKFLOWS / "leave_request.yaml")
        .read_text(encoding="utf-8")
        .replace("escalation: notify", f"escalation: {mode}"),
        encoding="utf-8",
    )
    services = make_services(wf)
    world = build_world(services, clock())
    iid = submitted(services, world, clock, china(2026, 9, 30, 10, 0))
    handler, leader = world.users["handler"], world.users["leader"]
    # A late sweep escalates at once, without a stale reminder first.
    assert alerts(services.escalator.sweep(china(2026, 10, 12, 9, 0))) == (0, 1)
    assert services.inbox.open(leader).total == 1
    assert services.inbox.open(handler).total == (0 if mode == "reassign" else 1)
    assert [a.name for a in services.flow.available_actions(iid, leader)] == [
        "return_to_applicant",
        "approve",
    ]
    assert [a.name for a in services.flow.available_actions(iid, world.users["sec1"])] == ["withdraw"]
    done = services.flow.act(iid, "approve", leader, comment="同意（督办）", expected_version=2)
    assert done.state == "approved" and done.open_tasks == ()
    trail = services.flow.trail(iid, world.users["auditor"])
    assert trail[-2].kind == ("reassignment" if mode == "reassign" else "escalation")
    assert (trail[-1].actor_id, trail[-1].role) == (leader, "leader")
    with services.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Task).where(Task.closed_at.is_(None))) == 0


def test_term_watch_reminds_once_and_reports_expired_terms(
    make_services: Callable[..., Services], clock: Clock, tmp_path: Path
) -> None:
    # The fixture procedure stands in for the re-election: a copy of it declares that it answers the watch.
    workflows = tmp_path / "wf"
    workflows.mkdir()
    source = (FIXTURE_WORKFLOWS / "leave_request.yaml").read_text(encoding="utf-8")
    (workflows / "leave_request.yaml").write_text(
        source.replace("\nsettings:", "\nterm_watch: {role: renews}\nsettings:", 1), encoding="utf-8"
    )
    services = make_services(workflows)
    world = build_world(services, clock())
    sweep = services.escalator.sweep
    # 120 working days ahead: the school committee's term (ends 2026-06-19) is in the window on 03-01,
    # the branches' terms (end 2026-10-09) from April on.
    early = sweep(china(2026, 3, 1, 9, 0))
    assert (early.term_reminders, early.terms_expired) == (1, 0)
    counts = sweep(china(2026, 6, 1, 9, 0))
    assert (counts.term_reminders, counts.terms_expired) == (2, 0)  # b1 and b2
    assert notes(services, world.users["sec1"], term=True) == ["term_reminder"]
    assert sweep(china(2026, 6, 2, 9, 0)).term_reminders == 0

    # b1 starts its re-election (the fixture procedure stands in for it); b2 does nothing.
    clock.now = china(2026, 9, 1, 9, 0)
    services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"])
    expired = sweep(china(2026, 10, 12, 9, 0))
    assert expired.terms_expired == 2  # the committee and b2; b1 has started its procedure
    assert sweep(china(2026, 10, 13, 9, 0)).terms_expired == 0
    assert notes(services, world.users["handler"], term=True) == [
        "term_expired",
        "term_expired",
    ]  # school24, b2
    with services.db.read() as s:
        alerts = {(a.org_id, a.kind) for a in s.scalars(select(TermAlert))}
        b2_events = s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.chain == f"org:{world.orgs['b2']}")
        )
    assert (world.orgs["b2"], "term_expired") in alerts and (world.orgs["b1"], "term_expired") not in alerts
    assert b2_events == 2  # the reminder and the expiry, each once, in the organization's chain

    # A new term (e.g. after a postponement) gets alerts of its own.
    with services.db.write() as s:
        s.get(Organization, world.orgs["b2"]).term_end = dt.date(2027, 4, 9)
    assert sweep(china(2026, 12, 1, 9, 0)).term_reminders == 1


def test_notifications_can_be_read(services: Services, world: World, clock: Clock) -> None:
    submitted(services, world, clock, china(2026, 9, 30, 10, 0))
    services.escalator.sweep(china(2026, 10, 12, 9, 0))
    leader = world.users["leader"]
    [note] = [n for n in services.notifications.list(leader).items if n.kind == "escalation"]
    assert "已于2026年10月10日到期" in note.title
    assert services.notifications.mark_read(world.users["handler"], [note.id], clock()) == 0  # not theirs
    unread = services.notifications.unread_count(leader)
    assert services.notifications.mark_read(leader, None, clock()) == unread >= 1
    assert services.notifications.unread_count(leader) == 0
    with services.db.read() as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.user_id == leader, Notification.read_at.is_(None))
            )
            == 0
        )
