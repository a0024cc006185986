"""Sweep time with many open tasks of which few are due: the sweep must cost what is due, not what is open.

Generates N open tasks (instances in a review state, bulk-inserted) of which D are past their deadline,
then times one ``sweep(now)`` that escalates exactly the D due tasks, and a second sweep that finds
nothing. Target: under 1 s for 100,000 open / 1,000 due.

Usage: python bench/sweep.py [--open 100000] [--due 1000 10000] [--postgres URL]   (prints JSON)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flowengine.config import Settings  # noqa: E402
from flowengine.persistence.models import Instance, Task, WorkflowDefinitionRow  # noqa: E402
from flowengine.service import open_services  # noqa: E402
from flowengine.service.identity.directory import parse_org_tree  # noqa: E402

WORKFLOW = """
name: review_only
title: 审核（基准测试）
version: 1
start: {role: secretary, org_types: [branch]}
roles:
  secretary: {title: 支部书记, role: secretary, of: self}
  handler: {title: 上级承办人, role: handler, of: approver}
  leader: {title: 上级领导, role: leader, of: approver}
states:
  - {name: drafting, title: 起草, initial: true, assignee: secretary}
  - name: review
    title: 审核
    assignee: handler
    deadline: {days: 15, unit: working_days, reminders: [3], escalate_to: leader, escalation: notify}
  - {name: done, title: 完成, final: true}
actions:
  - {name: submit, title: 提交, from: drafting, to: review, role: secretary}
  - {name: finish, title: 批复, from: review, to: done, role: handler}
"""

BRANCHES = 200


def run(url: str, workdir: Path, open_tasks: int, due: int) -> dict[str, Any]:
    wf = workdir / "wf"
    wf.mkdir(parents=True, exist_ok=True)
    (wf / "review_only.yaml").write_text(WORKFLOW, encoding="utf-8")
    now = dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)
    services = open_services(
        Settings(database_url=url, data_dir=workdir, workflows_dir=wf), auto_upgrade=True, clock=lambda: now
    )
    try:
        orgs = [{"code": "gw", "name": "中共郑州市委教育工作委员会", "type": "work_committee"}]
        orgs += [
            {"code": f"b{i}", "name": f"第{i}党支部", "type": "branch", "parent": "gw"}
            for i in range(BRANCHES)
        ]
        services.directory.import_orgs(parse_org_tree(orgs), now)
        uid = services.directory.add_user("sec", "张明", "bench-password", [("secretary", "b0")], now=now)
        services.directory.add_user("handler", "王建国", "bench-password", [("handler", "gw")], now=now)
        services.directory.add_user("leader", "赵志刚", "bench-password", [("leader", "gw")], now=now)
        gw = services.directory.org_id("gw")
        branch_ids = [services.directory.org_id(f"b{i}") for i in range(BRANCHES)]
        started = time.perf_counter()
        with services.db.engine.begin() as conn:
            def_id = conn.scalar(
                select(WorkflowDefinitionRow.id).where(WorkflowDefinitionRow.name == "review_only")
            )
            chunk = 5000
            for base in range(0, open_tasks, chunk):
                n = min(chunk, open_tasks - base)
                rows = (
                    conn.execute(
                        insert(Instance).returning(Instance.id),
                        [
                            dict(
                                definition_id=def_id,
                                workflow="review_only",
                                org_id=branch_ids[(base + i) % BRANCHES],
                                initiator_id=uid,
                                title=f"申请 {base + i}",
                                state="review",
                                status="active"
                                if (base + i) < BRANCHES
                                else "completed",  # one active per org (unique index)
                                version=2,
                                data={},
                                created_at=now,
                                updated_at=now,
                            )
                            for i in range(n)
                        ],
                    )
                    .scalars()
                    .all()
                )
                conn.execute(
                    insert(Task),
                    [
                        dict(
                            instance_id=iid,
                            state="review",
                            role="handler",
                            org_id=gw,
                            opened_at=now,
                            due_at=now - dt.timedelta(hours=1)
                            if (base + i) < due
                            else now + dt.timedelta(days=20),
                            next_alert_at=now - dt.timedelta(hours=1)
                            if (base + i) < due
                            else now + dt.timedelta(days=15),
                            alerts_sent=0,
                            escalated=False,
                        )
                        for i, iid in enumerate(rows)
                    ],
                )
        generate = time.perf_counter() - started
        t0 = time.perf_counter()
        first = services.escalator.sweep(now)
        first_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        second = services.escalator.sweep(now)
        second_s = time.perf_counter() - t0
        assert first.escalations == due and second.escalations == 0, (first, second)
        return {
            "open_tasks": open_tasks,
            "due": due,
            "generate_seconds": round(generate, 2),
            "sweep_seconds": round(first_s, 3),
            "escalations_per_second": round(due / first_s, 1),
            "idle_sweep_seconds": round(second_s, 4),
        }
    finally:
        services.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open", type=int, default=100_000, dest="open_tasks")
    parser.add_argument("--due", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--postgres", default=os.environ.get("FLOWENGINE_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    result: dict[str, Any] = {
        "benchmark": "sweep",
        "target": "sqlite and postgresql: < 1 s for 100k open / 1k due",
    }
    for due in args.due:
        with tempfile.TemporaryDirectory() as tmp:
            result.setdefault("sqlite", []).append(
                run(f"sqlite:///{Path(tmp) / 's.sqlite3'}", Path(tmp), args.open_tasks, due)
            )
        if args.postgres:
            schema = f"bench_{uuid.uuid4().hex[:10]}"
            admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            try:
                sep = "&" if "?" in args.postgres else "?"
                with tempfile.TemporaryDirectory() as tmp:
                    result.setdefault("postgresql", []).append(
                        run(
                            f"{args.postgres}{sep}options=-csearch_path%3D{schema}",
                            Path(tmp),
                            args.open_tasks,
                            due,
                        )
                    )
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
