"""A sweep tells the truth: it writes nothing dated inside a sealed period (which ``audit verify`` would report
as tampering, for ever), and its counts are what committed, not what a rolled-back batch tried."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from flowengine.cli import main
from flowengine.persistence.models import AuditEvent, Notification
from flowengine.service import Services
from flowengine.service.audit.seal import SealedPast
from tests.support import Clock, World
from tests.support.service import run_requests

ALERTS = ("reminder", "overdue", "escalation")


def count(services: Services, model: type, *where: object) -> int:
    with services.db.read() as s:
        return s.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def test_escalate_at_a_time_before_the_last_seal_is_refused(
    services: Services, world: World, clock: Clock, database_url: str
) -> None:
    run_requests(services, world)  # dated by the test clock, months before the real time the CLI runs at
    env = {
        "FLOWENGINE_DATABASE_URL": database_url,
        "FLOWENGINE_WORKFLOWS_DIR": str(services.settings.workflows_dir),
    }
    runner = CliRunner()
    assert runner.invoke(main, ["audit", "seal"], env=env).exit_code == 0  # cutoff: real time - 5 minutes
    seal = services.sealer.latest()
    assert seal is not None
    before = count(services, AuditEvent)
    # When the reminder of the open step was due: long before the seal's cutoff.
    past = clock() + dt.timedelta(days=3)
    refused = runner.invoke(main, ["escalate", "--once", "--at", past.isoformat()], env=env)
    assert refused.exit_code == 2, refused.output
    assert "已封存至" in refused.output and f"第 {seal.seq} 号封存" in refused.output
    with pytest.raises(SealedPast):
        services.escalator.sweep(past)
    assert count(services, AuditEvent) == before  # nothing written, so no false tamper alarm
    verified = runner.invoke(main, ["audit", "verify"], env=env)
    assert verified.exit_code == 0, verified.output
    # At the real time (after the cutoff) the sweep runs, and what it writes verifies.
    swept = runner.invoke(main, ["escalate", "--once"], env=env)
    assert swept.exit_code == 0 and json.loads(swept.output)["escalations"] == 1, swept.output
    assert runner.invoke(main, ["audit", "verify"], env=env).exit_code == 0


def refuse_alert_notifications(services: Services) -> None:
    """The database refuses the batch's notifications: its transaction fails after the alerts were counted."""
    with services.db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(
                "CREATE FUNCTION refuse_alert_notes() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'notifications refused by the test'; END; $$ LANGUAGE plpgsql"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse_alert_notes BEFORE INSERT ON notifications FOR EACH ROW "
                "WHEN (NEW.kind IN ('reminder', 'overdue', 'escalation')) EXECUTE FUNCTION refuse_alert_notes()"
            )
        else:
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse_alert_notes BEFORE INSERT ON notifications "
                "WHEN NEW.kind IN ('reminder', 'overdue', 'escalation') "
                "BEGIN SELECT RAISE(ABORT, 'notifications refused by the test'); END"
            )


def allow_alert_notifications(services: Services) -> None:
    with services.db.engine.begin() as conn:
        conn.exec_driver_sql(
            "DROP TRIGGER refuse_alert_notes"
            + (" ON notifications" if conn.dialect.name == "postgresql" else "")
        )


def test_a_batch_that_rolled_back_counts_as_skipped_only(
    services: Services, world: World, clock: Clock
) -> None:
    run_requests(services, world)
    refuse_alert_notifications(services)
    before = count(services, Notification)
    due = clock() + dt.timedelta(days=3)  # the open steps' reminders are due
    failed = services.escalator.sweep(due)
    assert (failed.reminders, failed.escalations, failed.skipped) == (0, 0, 1)  # the open step's reminder
    assert count(services, AuditEvent, AuditEvent.kind.in_(ALERTS)) == 0
    assert count(services, Notification, Notification.kind.in_(ALERTS)) == 0
    # What it does count committed: the term watch's alerts, each in a transaction of its own.
    assert failed.notifications == count(services, Notification) - before > 0
    # Once the database accepts them, the retried batch records and counts the same two reminders.
    allow_alert_notifications(services)
    retried = services.escalator.sweep(due + dt.timedelta(minutes=10))  # the lease has expired
    assert (retried.reminders, retried.skipped) == (1, 0)
    assert retried.notifications == count(services, Notification, Notification.kind.in_(ALERTS)) > 0
    assert count(services, AuditEvent, AuditEvent.kind == "reminder") == 1
