"""flowengine against a peer engine (SpiffWorkflow 3.2.0) on the same 7-step procedure, in one run.

Both sides run the same procedure — seven steps one after the other, each with a small form — on SQLite
with the same durability settings (WAL, ``synchronous=NORMAL``, one transaction per step):

* **flowengine**: ``start`` then seven ``act`` calls through the service, as the web layer makes them
  (permission, form validation, the state machine, tasks, the hash-chained audit event).
* **SpiffWorkflow**: a BPMN process of seven user tasks in a sequence; each step completes the ready task
  with the form data, runs the engine steps, serializes the whole workflow (its JSON serializer) and
  stores it in a SQLite row. The workflow object stays in memory between steps — the peer is spared the
  load a stateless service would add — so the comparison favours the peer.

Rates are steps per second (starting a request/workflow counted in the time, not as a step). The two
sides alternate in rounds so that the shared machine's noise hits both alike; the median round is kept.

Usage: python bench/peer.py [--seconds 3] [--rounds 3]   (prints JSON)
Needs the ``bench`` extra (``pip install -e '.[bench]'``); nothing is fetched at run time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from flowengine.config import Settings
from flowengine.service import Services, open_services
from flowengine.service.identity.directory import parse_org_tree

STEPS = 7
TARGET_RATIO = 3.0


def chain_yaml(steps: int = STEPS) -> str:
    """A procedure of ``steps`` steps, alternating between the branch and its approving body."""
    states = [
        f"  - {{name: s{i}, title: 第{i}步, assignee: {'applicant' if i % 2 else 'reviewer'}"
        + (", initial: true}" if i == 1 else "}")
        for i in range(1, steps + 1)
    ]
    states.append("  - {name: done, title: 完成, final: true}")
    actions = []
    for i in range(1, steps + 1):
        to = f"s{i + 1}" if i < steps else "done"
        role = "applicant" if i % 2 else "reviewer"
        actions.append(
            f"  - name: a{i}\n    title: 第{i}步办理\n    from: s{i}\n    to: {to}\n    role: {role}\n"
            "    form:\n      - {name: note, label: 意见, type: string, required: true}"
        )
    return (
        "name: chain\ntitle: 七步流程（基准测试）\nversion: 1\n"
        "start: {role: applicant, org_types: [branch]}\n"
        "roles:\n  applicant: {title: 支部书记, role: secretary, of: self}\n"
        "  reviewer: {title: 上级承办人, role: handler, of: approver}\n"
        "states:\n" + "\n".join(states) + "\nactions:\n" + "\n".join(actions) + "\n"
    )


def chain_bpmn(steps: int = STEPS) -> str:
    tasks = "".join(f'<bpmn:userTask id="t{i}" name="第{i + 1}步"/>' for i in range(steps))
    flows = ['<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="t0"/>']
    flows += [
        f'<bpmn:sequenceFlow id="f{i + 1}" sourceRef="t{i}" targetRef="t{i + 1}"/>' for i in range(steps - 1)
    ]
    flows.append(f'<bpmn:sequenceFlow id="fend" sourceRef="t{steps - 1}" targetRef="end"/>')
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="defs" '
        'targetNamespace="http://flowengine.invalid/bench">'
        '<bpmn:process id="chain" isExecutable="true"><bpmn:startEvent id="start"/>'
        f'{tasks}<bpmn:endEvent id="end"/>{"".join(flows)}</bpmn:process></bpmn:definitions>'
    )


# ---- flowengine ----------------------------------------------------------------------------------------


class Engine:
    def __init__(self, workdir: Path) -> None:
        wf = workdir / "workflows"
        wf.mkdir(parents=True, exist_ok=True)
        (wf / "chain.yaml").write_text(chain_yaml(), encoding="utf-8")
        url = f"sqlite:///{workdir / 'engine.sqlite3'}"
        self.services: Services = open_services(
            Settings(database_url=url, data_dir=workdir, workflows_dir=wf), auto_upgrade=True
        )
        now = dt.datetime.now(dt.UTC)
        self.services.directory.import_orgs(
            parse_org_tree(
                [
                    {"code": "gw", "name": "中共郑州市委教育工作委员会", "type": "work_committee"},
                    {"code": "b1", "name": "郑州市实验小学党支部", "type": "branch", "parent": "gw"},
                ]
            ),
            now,
        )
        d = self.services.directory
        self.sec = d.add_user("sec", "冯莉", "bench-password", [("secretary", "b1")])
        self.rev = d.add_user("rev", "王建国", "bench-password", [("handler", "gw")])
        self.org = d.org_id("b1")

    def run_one(self) -> int:
        flow = self.services.flow
        inst = flow.start("chain", self.org, self.sec)
        version = inst.version
        for i in range(1, STEPS + 1):
            who = self.sec if i % 2 else self.rev
            view = flow.act(inst.id, f"a{i}", who, {"note": f"第{i}步同意"}, expected_version=version)
            version = view.version
        assert view.status == "completed", view.status
        return STEPS

    def close(self) -> None:
        self.services.close()


# ---- SpiffWorkflow -------------------------------------------------------------------------------------


class Peer:
    def __init__(self, workdir: Path) -> None:
        from SpiffWorkflow.bpmn import BpmnWorkflow
        from SpiffWorkflow.bpmn.parser import BpmnParser
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
        from SpiffWorkflow.util.task import TaskState

        path = workdir / "chain.bpmn"
        path.write_text(chain_bpmn(), encoding="utf-8")
        parser = BpmnParser()
        parser.add_bpmn_file(str(path))
        self.spec = parser.get_spec("chain")
        self.workflow_cls, self.ready = BpmnWorkflow, TaskState.READY
        self.serializer = BpmnWorkflowSerializer()
        # The same durability as flowengine's SQLite engine (persistence/db.py).
        self.db = sqlite3.connect(workdir / "peer.sqlite3", isolation_level=None, timeout=30)
        for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON", "busy_timeout=30000"):
            self.db.execute(f"PRAGMA {pragma}")
        self.db.execute(
            "CREATE TABLE workflows (id INTEGER PRIMARY KEY, state TEXT NOT NULL, updated_at TEXT NOT NULL)"
        )

    def _store(self, wid: int | None, workflow: Any) -> int:
        state = self.serializer.serialize_json(workflow)
        now = dt.datetime.now(dt.UTC).isoformat()
        self.db.execute("BEGIN IMMEDIATE")
        if wid is None:
            cur = self.db.execute("INSERT INTO workflows (state, updated_at) VALUES (?, ?)", (state, now))
            wid = int(cur.lastrowid or 0)
        else:
            self.db.execute("UPDATE workflows SET state = ?, updated_at = ? WHERE id = ?", (state, now, wid))
        self.db.execute("COMMIT")
        return wid

    def run_one(self) -> int:
        workflow = self.workflow_cls(self.spec)
        workflow.do_engine_steps()
        wid = self._store(None, workflow)
        for i in range(1, STEPS + 1):
            task = workflow.get_tasks(state=self.ready, manual=True)[0]
            task.data.update({"note": f"第{i}步同意"})
            task.run()
            workflow.do_engine_steps()
            self._store(wid, workflow)
        assert workflow.is_completed()
        return STEPS

    def close(self) -> None:
        self.db.close()


def rate(side: Engine | Peer, seconds: float) -> dict[str, Any]:
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        steps += side.run_one()
    elapsed = time.perf_counter() - start
    return {"steps": steps, "seconds": round(elapsed, 3), "per_second": round(steps / elapsed, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="per side and round")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    try:
        import SpiffWorkflow  # noqa: F401
    except ImportError:
        sys.exit("bench/peer.py needs SpiffWorkflow 3.2.0: pip install -e '.[bench]'")
    from SpiffWorkflow.version import __version__ as spiff_version

    with tempfile.TemporaryDirectory() as tmp:
        engine, peer = Engine(Path(tmp) / "engine"), Peer(Path(tmp))
        try:
            engine.run_one(), peer.run_one()  # warm caches on both sides
            rounds = []
            for _ in range(args.rounds):
                e, p = rate(engine, args.seconds), rate(peer, args.seconds)
                rounds.append(
                    {
                        "flowengine": e,
                        "spiffworkflow": p,
                        "ratio": round(e["per_second"] / p["per_second"], 3),
                    }
                )
        finally:
            engine.close()
            peer.close()
    ratios = [r["ratio"] for r in rounds]
    print(
        json.dumps(
            {
                "benchmark": "peer",
                "procedure": f"{STEPS} steps in sequence, a one-field form each, SQLite WAL synchronous=NORMAL",
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "spiffworkflow": spiff_version,
                "rounds": rounds,
                "flowengine_per_second": statistics.median(r["flowengine"]["per_second"] for r in rounds),
                "spiffworkflow_per_second": statistics.median(
                    r["spiffworkflow"]["per_second"] for r in rounds
                ),
                "ratio": statistics.median(ratios),
                "target_ratio": TARGET_RATIO,
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
