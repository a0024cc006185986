"""Several sweeper processes at once: every due task escalated exactly once, even when one is killed."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from flowengine.persistence.models import AuditEvent, Task
from flowengine.service import Services
from flowengine.service.identity.directory import parse_org_tree
from tests.support import Clock

DUE_TASKS = 1000
WORKFLOW = """
name: filing
title: 材料报送（测试）
version: 1
start: {role: secretary, org_types: [branch]}
roles:
  secretary: {title: 支部书记, role: secretary, of: self}
  leader: {title: 上级领导, role: leader, of: approver}
states:
  - name: drafting
    title: 报送材料
    initial: true
    assignee: secretary
    deadline: {days: 1, unit: calendar_days, escalate_to: leader, escalation: notify}
  - {name: done, title: 已报送, final: true}
actions:
  - {name: send, title: 报送, from: drafting, to: done, role: secretary}
"""


@pytest.fixture
def due_world(make_services: Callable[..., Services], tmp_path: Path, clock: Clock) -> tuple[Services, Path]:
    wf = tmp_path / "wf"
    wf.mkdir()
    (wf / "filing.yaml").write_text(WORKFLOW, encoding="utf-8")
    services = make_services(wf)
    orgs = [{"code": "gw", "name": "中共郑州市委教育工作委员会", "type": "work_committee"}]
    orgs += [
        {"code": f"b{i}", "name": f"第{i}党支部", "type": "branch", "parent": "gw"} for i in range(DUE_TASKS)
    ]
    services.directory.import_orgs(parse_org_tree(orgs), clock())
    services.directory.add_user("leader", "赵志刚", "password-123", [("leader", "gw")], now=clock())
    sec = services.directory.add_user(
        "sec", "张明", "password-123", [("secretary", f"b{i}") for i in range(DUE_TASKS)], now=clock()
    )
    for i in range(DUE_TASKS):
        services.flow.start("filing", services.directory.org_id(f"b{i}"), sec)
    return services, wf


def sweeper(services: Services, wf: Path, at: dt.datetime, batch: int = 50) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "FLOWENGINE_DATABASE_URL": services.settings.database_url,
        "FLOWENGINE_WORKFLOWS_DIR": str(wf),
        "FLOWENGINE_DATA_DIR": str(wf.parent),
        "FLOWENGINE_SWEEP_BATCH": str(batch),
        "FLOWENGINE_RULE_MODULES": "",
        "FLOWENGINE_TERM_REMINDER_WORKING_DAYS": "0",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flowengine.cli", "escalate", "--once", "--at", at.isoformat()],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return out


def escalations(services: Services) -> tuple[int, int, int]:
    with services.db.read() as s:
        events = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "escalation"))
        distinct = s.scalar(
            select(func.count(func.distinct(AuditEvent.instance_id))).where(AuditEvent.kind == "escalation")
        )
        tasks = s.scalar(select(func.count()).select_from(Task).where(Task.escalated.is_(True)))
    return events or 0, distinct or 0, tasks or 0


def test_three_sweepers_escalate_each_task_once(due_world: tuple[Services, Path], clock: Clock) -> None:
    services, wf = due_world
    at = clock() + dt.timedelta(days=3)
    procs = [sweeper(services, wf, at) for _ in range(3)]
    outputs = [finish(p) for p in procs]
    assert escalations(services) == (DUE_TASKS, DUE_TASKS, DUE_TASKS)
    assert all('"escalations": ' in out for out in outputs)


def test_killed_sweeper_loses_nothing(due_world: tuple[Services, Path], clock: Clock) -> None:
    services, wf = due_world
    at = clock() + dt.timedelta(days=3)
    # Small batches make the victim's sweep long (hundreds of transactions), so it is surely mid-way when
    # the first escalations appear and the kill lands.
    victim = sweeper(services, wf, at, batch=2)
    deadline = time.monotonic() + 120
    while escalations(services)[0] < 10 and time.monotonic() < deadline and victim.poll() is None:
        time.sleep(0.01)
    victim.send_signal(signal.SIGKILL)
    victim.communicate(timeout=30)
    done = escalations(services)[0]
    assert 0 < done < DUE_TASKS, "the sweeper must be killed mid-sweep"
    # Right away, another sweeper cannot take the dead one's leased batch...
    finish(sweeper(services, wf, at))
    with services.db.read() as s:
        leased = s.scalar(select(func.count()).select_from(Task).where(Task.lease_owner.is_not(None)))
    assert escalations(services)[0] == DUE_TASKS - leased and leased <= 2
    # ...but once its lease has expired, the next sweep takes it over.
    finish(sweeper(services, wf, at + dt.timedelta(minutes=10)))
    assert escalations(services) == (DUE_TASKS, DUE_TASKS, DUE_TASKS)
