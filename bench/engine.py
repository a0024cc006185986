"""Persisted transitions per second through the service API, against a raw-database floor.

The floor is the same transaction shape done with bare SQLAlchemy Core on the same database and the same
connection settings: one versioned UPDATE of the instance plus one audit INSERT per commit. The ratio
(engine / floor) says how much the engine's permission checks, form validation, state machine, task
bookkeeping and hash chain cost on top of the unavoidable database work. Target on SQLite: >= 0.5.

Usage: python bench/engine.py [--seconds 5] [--postgres URL]   (prints JSON)
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, text, update

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flowengine.config import Settings  # noqa: E402
from flowengine.persistence.models import AuditEvent, Instance  # noqa: E402
from flowengine.service import Services, open_services  # noqa: E402
from flowengine.service.identity.directory import parse_org_tree  # noqa: E402

BENCH_WORKFLOW = """
name: ping_pong
title: 往返审核（基准测试）
version: 1
start: {role: applicant, org_types: [branch]}
roles:
  applicant: {title: 支部书记, role: secretary, of: self}
  reviewer: {title: 上级承办人, role: handler, of: approver}
states:
  - {name: drafting, title: 起草, initial: true, assignee: applicant}
  - name: review
    title: 审核
    assignee: reviewer
    deadline: {days: 15, unit: working_days, reminders: [3], escalate_to: reviewer}
  - {name: done, title: 完成, final: true}
actions:
  - name: submit
    title: 提交
    from: drafting
    to: review
    role: applicant
    form:
      - {name: month, label: 计划召开月份, type: month, required: true}
      - {name: seats, label: 委员名额, type: integer, required: true, min: 3, max: 9}
  - {name: send_back, title: 退回, from: review, to: drafting, role: reviewer, kind: return}
  - {name: finish, title: 批复, from: review, to: done, role: reviewer, kind: approve}
"""


def setup(url: str, workdir: Path) -> tuple[Services, int, int, int]:
    wf = workdir / "workflows"
    wf.mkdir(parents=True, exist_ok=True)
    (wf / "ping_pong.yaml").write_text(BENCH_WORKFLOW, encoding="utf-8")
    services = open_services(
        Settings(database_url=url, data_dir=workdir, workflows_dir=wf), auto_upgrade=True
    )
    now = dt.datetime.now(dt.UTC)
    services.directory.import_orgs(
        parse_org_tree(
            [
                {"code": "gw", "name": "中共郑州市委教育工作委员会", "type": "work_committee"},
                {
                    "code": "b1",
                    "name": "郑州市实验小学党支部",
                    "type": "branch",
                    "parent": "gw",
                    "full_members": 23,
                },
            ]
        ),
        now,
    )
    sec = services.directory.add_user("sec", "冯莉", "bench-password", [("secretary", "b1")])
    rev = services.directory.add_user("rev", "王建国", "bench-password", [("handler", "gw")])
    inst = services.flow.start("ping_pong", services.directory.org_id("b1"), sec)
    return services, inst.id, sec, rev


def engine_rate(services: Services, instance_id: int, sec: int, rev: int, seconds: float) -> dict[str, Any]:
    """Alternate submit (with a form) and send_back (with a comment), each one full service call."""
    version = services.flow.get(instance_id, sec).version
    form = {"month": "2026-12", "seats": 5}
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        services.flow.act(instance_id, "submit", sec, form, expected_version=version)
        services.flow.act(instance_id, "send_back", rev, comment="请补充", expected_version=version + 1)
        version += 2
        n += 2
    elapsed = time.perf_counter() - start
    return {"transitions": n, "seconds": round(elapsed, 3), "per_second": round(n / elapsed, 1)}


def floor_rate(services: Services, instance_id: int, seconds: float) -> dict[str, Any]:
    """The same commits with bare Core: versioned UPDATE + audit INSERT, on the engine's own connections."""
    engine = services.db.engine.execution_options(flowengine_write=True)
    with engine.connect() as conn:
        version = conn.execute(
            text("SELECT version FROM instances WHERE id = :i"), {"i": instance_id}
        ).scalar_one()
        seq = conn.execute(
            text("SELECT max(seq) FROM audit_events WHERE chain = :c"), {"c": f"instance:{instance_id}"}
        ).scalar_one()
    n = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        now = dt.datetime.now(dt.UTC)
        with engine.begin() as conn:
            conn.execute(
                update(Instance)
                .where(Instance.id == instance_id, Instance.version == version)
                .values(state="review" if n % 2 == 0 else "drafting", version=version + 1, updated_at=now)
            )
            seq += 1
            conn.execute(
                insert(AuditEvent).values(
                    chain=f"instance:{instance_id}",
                    seq=seq,
                    instance_id=instance_id,
                    at=now,
                    kind="action",
                    action="floor",
                    from_state="drafting",
                    to_state="review",
                    prev_hash="0" * 64,
                    hash="f" * 64,
                )
            )
        version += 1
        n += 1
    elapsed = time.perf_counter() - start
    return {"transactions": n, "seconds": round(elapsed, 3), "per_second": round(n / elapsed, 1)}


def measure(url: str, workdir: Path, seconds: float) -> dict[str, Any]:
    services, iid, sec, rev = setup(url, workdir)
    try:
        engine_rate(services, iid, sec, rev, min(1.0, seconds / 5))  # warm caches and the machine
        eng = engine_rate(services, iid, sec, rev, seconds)
        flo = floor_rate(services, iid, seconds)
    finally:
        services.close()
    return {"engine": eng, "floor": flo, "ratio": round(eng["per_second"] / flo["per_second"], 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--postgres",
        default=os.environ.get("FLOWENGINE_TEST_POSTGRES_URL"),
        help="PostgreSQL URL (default: $FLOWENGINE_TEST_POSTGRES_URL); omitted when unset",
    )
    args = parser.parse_args()
    result: dict[str, Any] = {
        "benchmark": "engine",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
    }
    with tempfile.TemporaryDirectory() as tmp:
        result["sqlite"] = measure(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", Path(tmp), args.seconds)
    if args.postgres:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            sep = "&" if "?" in args.postgres else "?"
            with tempfile.TemporaryDirectory() as tmp:
                result["postgresql"] = measure(
                    f"{args.postgres}{sep}options=-csearch_path%3D{schema}", Path(tmp), args.seconds
                )
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    result["target_sqlite_ratio"] = 0.5
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
