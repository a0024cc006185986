"""National scale: a synthetic country slice, then the queries people wait on and the work the system does.

Generates (bulk Core inserts on SQLite, COPY on PostgreSQL — never through ``act()``, which would take
hours) a tree of organizations, instances in every state with their tasks, and valid audit hash chains,
then measures with the service calls the web pages make:

* ``inbox``: the superior committee's handler, whose inbox holds ``--pending`` open tasks — first page
  (``FlowService.inbox``), and the whole inbox screen's data (plus ``Queries.inbox_options``);
* ``instance_page``: everything the request page loads for a request with a ``--trail``-event trail;
* ``auditor_search``: an auditor of that committee searching all requests in scope, unfiltered and by status,
  and the whole search screen's data (plus ``Queries.search_options``);
* ``act``: ``act()`` throughput with 1, 4 and 8 concurrent worker processes (each its own engine);
* ``seal``: sealing the whole generated trail at once (what the first seal of an existing database costs;
  afterwards each sweep seals only the events of the last minutes);
* ``sweep``: one escalation sweep with ``--due`` overdue tasks among all the open ones (its sealing included);
* ``audit_verify``: ``flowengine audit verify`` over every chain and seal (events/s), which must find them
  intact.

Targets: inbox first page p95 < 50 ms and instance page p95 < 50 ms at the default sizes.

Usage: python bench/scale.py [--database-url URL] [--orgs 50000] [--instances 200000] [--events 2000000]
       [--pending 20000] ...   (prints JSON). A PostgreSQL URL gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, create_engine, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.append(str(ROOT / "src"))  # after PYTHONPATH: bench/before_after.py points it elsewhere

from flowengine.config import Settings  # noqa: E402
from flowengine.persistence.models import (  # noqa: E402
    AuditEvent,
    Instance,
    Organization,
    RoleAssignment,
    Task,
    User,
    WorkflowDefinitionRow,
)
from flowengine.service import Services, open_services  # noqa: E402
from flowengine.service.audit.trail import GENESIS, event_hash  # noqa: E402
from flowengine.service.ops.dbcopy import reset_sequences  # noqa: E402
from flowengine.service.reads import queries  # noqa: E402
from flowengine.service.reads.queries import SearchCriteria, task_timing  # noqa: E402
from flowengine.service.requests import diagrams  # noqa: E402

WORKFLOW = """
name: bench_review
title: 支部换届请示（基准测试）
version: 1
start: {role: secretary, org_types: [branch]}
roles:
  secretary: {title: 支部书记, role: secretary, of: self}
  handler: {title: 上级承办人, role: handler, of: approver}
  leader: {title: 上级分管领导, role: leader, of: approver}
states:
  - {name: drafting, title: 起草请示, initial: true, assignee: secretary}
  - name: review
    title: 承办人审核
    assignee: handler
    deadline: {days: 15, unit: working_days, reminders: [3], escalate_to: leader, escalation: notify}
  - {name: approval, title: 领导审批, assignee: leader}
  - {name: approved, title: 已批复, final: true}
  - {name: withdrawn, title: 已撤回, final: true, outcome: withdrawn}
actions:
  - name: submit
    title: 提交请示
    from: drafting
    to: review
    role: secretary
    form:
      - {name: summary, label: 请示事项, type: text, required: true, max_length: 500}
  - name: forward
    title: 审核通过
    from: review
    to: approval
    role: handler
    form:
      - {name: opinion, label: 审核意见, type: text, max_length: 500}
  - {name: return_request, title: 退回修改, from: [review, approval], to: drafting, role: handler, kind: return,
     comment_required: true}
  - {name: approve, title: 批复同意, from: approval, to: approved, role: leader, kind: approve}
  - {name: withdraw, title: 撤回, from: [review, approval], to: withdrawn, role: secretary, kind: withdraw}
"""

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
PASSWORD_HASH = "pbkdf2:sha256:600000$bench$" + "0" * 64  # nobody logs in: a well-formed, unusable hash
HOT, ROOT_ORG = 2, 1


def ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    return {
        "p50_ms": ms(statistics.median(ordered)),
        "p95_ms": ms(p95),
        "max_ms": ms(ordered[-1]),
        "samples": len(ordered),
    }


def timed(fn: Callable[[], Any], samples: int, warmup: int = 3) -> dict[str, float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(samples):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return percentiles(out)


# ---- bulk loading ----------------------------------------------------------------------------------


class Loader:
    """Appends rows to a table: COPY on PostgreSQL, batched Core inserts on SQLite."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"

    def load(self, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        json_cols = [i for i, c in enumerate(columns) if c in ("data", "settings", "last_counts")]
        n = 0
        if self.pg:
            raw = self.engine.raw_connection()
            try:
                cur = raw.cursor()
                # Foreign keys are consistent by construction; skipping their per-row checks halves the load.
                try:
                    cur.execute("SET session_replication_role = replica")
                except Exception:
                    raw.rollback()
                with cur.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        if json_cols:
                            row = list(row)
                            for i in json_cols:
                                row[i] = (
                                    json.dumps(row[i], ensure_ascii=False) if row[i] is not None else None
                                )
                        copy.write_row(row)
                        n += 1
                raw.commit()
            finally:
                raw.close()
            return n
        batch: list[dict[str, Any]] = []
        with self.engine.begin() as conn:
            for row in rows:
                batch.append(dict(zip(columns, row, strict=True)))
                if len(batch) == 10_000:
                    conn.execute(table.insert(), batch)
                    n += len(batch)
                    batch = []
            if batch:
                conn.execute(table.insert(), batch)
                n += len(batch)
        return n


class Plan:
    """The shape of the slice: which organization is what, which instance is in which state."""

    def __init__(
        self, orgs: int, instances: int, events: int, pending: int, trail: int, due: int, trail_instances: int
    ) -> None:
        if pending * 1.1 + 50 > orgs:
            raise SystemExit(f"--orgs ({orgs}) must exceed --pending × 1.1 + 50 ({int(pending * 1.1 + 50)})")
        self.n_orgs, self.n_instances, self.n_events = orgs, instances, events
        self.pending, self.trail, self.due = pending, trail, due
        hot_branches = int(pending * 1.1)
        self.hot_committees = max(1, hot_branches // 100)
        # ids: 1 root, 2 the hot work committee, then its school committees, then their branches, then the rest.
        self.hot_branch_ids = list(range(3 + self.hot_committees, 3 + self.hot_committees + hot_branches))
        self.rest_start = self.hot_branch_ids[-1] + 1
        self.parents: dict[int, int] = {}
        for i in range(self.rest_start, orgs + 1):  # a 10-ary tree under the root: provinces, cities, ...
            k = i - self.rest_start
            self.parents[i] = ROOT_ORG if k < 10 else self.rest_start + (k - 10) // 10
        has_child = set(self.parents.values())
        self.rest_leaves = [i for i in range(self.rest_start, orgs + 1) if i not in has_child]
        self.trail_instances = min(trail_instances, pending)

    def org_rows(self) -> Iterator[tuple[Any, ...]]:
        paths: dict[int, str] = {ROOT_ORG: "/1/", HOT: "/1/2/"}
        yield (
            ROOT_ORG,
            "root",
            "全国党组织（基准）",
            "work_committee",
            None,
            None,
            "/1/",
            None,
            0,
            0,
            {},
            NOW,
        )
        yield (
            HOT,
            "hot",
            "中共某市委教育工作委员会（基准）",
            "work_committee",
            ROOT_ORG,
            None,
            "/1/2/",
            None,
            0,
            0,
            {},
            NOW,
        )
        for c in range(self.hot_committees):
            oid = 3 + c
            paths[oid] = f"/1/2/{oid}/"
            yield (
                oid,
                f"hot-c{c}",
                f"某市第{c + 1}中学党委",
                "committee",
                HOT,
                None,
                paths[oid],
                None,
                0,
                0,
                {},
                NOW,
            )
        for k, oid in enumerate(self.hot_branch_ids):
            parent = 3 + k % self.hot_committees
            yield (
                oid,
                f"hot-b{k}",
                f"某市第{parent - 2}中学第{k // self.hot_committees + 1}党支部",
                "branch",
                parent,
                HOT,
                f"{paths[parent]}{oid}/",
                self._term_end(oid),
                5 + oid % 40,
                oid % 3,
                {},
                NOW,
            )
        leaves = set(self.rest_leaves)
        for oid, parent in self.parents.items():
            paths[oid] = f"{paths[parent]}{oid}/"
            depth = paths[oid].count("/") - 2
            kind = "branch" if oid in leaves else ("work_committee" if depth <= 2 else "committee")
            yield (
                oid,
                f"o{oid}",
                f"第{oid}号党组织",
                kind,
                parent,
                None,
                paths[oid],
                self._term_end(oid),
                5 + oid % 40,
                oid % 3,
                {},
                NOW,
            )

    @staticmethod
    def _term_end(oid: int) -> dt.date:
        # One in a hundred terms ends within the term watch's window; the rest years ahead.
        return NOW.date() + dt.timedelta(days=60 if oid % 100 == 0 else 400 + oid % 1000)

    def instances(self) -> Iterator[tuple[int, int, str, str]]:
        """(instance id, org id, state, status): the hot inbox first, then other active ones, then history."""
        iid = 0
        for oid in self.hot_branch_ids[: self.pending]:
            iid += 1
            yield iid, oid, "review", "active"
        active_states = ("drafting", "review", "approval")
        active_rest = self.rest_leaves[: max(0, min(len(self.rest_leaves), (self.n_instances - iid) // 4))]
        for k, oid in enumerate(active_rest):
            iid += 1
            yield iid, oid, active_states[k % 3], "active"
        finished = (
            ("approved", "completed"),
            ("approved", "completed"),
            ("approved", "completed"),
            ("withdrawn", "withdrawn"),
            ("drafting", "rejected"),
        )
        branches = self.hot_branch_ids + self.rest_leaves
        k = 0
        while iid < self.n_instances:
            iid += 1
            state, status = finished[k % len(finished)]
            yield iid, branches[(k * 7919) % len(branches)], state, status
            k += 1


STEPS = {  # what a request went through to reach its state: (kind, action, from, to, data)
    "drafting": [("start", "start", None, "drafting", {"summary": "关于召开党员大会进行换届选举的请示"})],
    "review": [("action", "submit", "drafting", "review", {"summary": "关于召开党员大会进行换届选举的请示"})],
    "approval": [("action", "forward", "review", "approval", {"opinion": "同意，报分管领导审批"})],
    "approved": [("approve", "approve", "approval", "approved", None)],
}
ROUTES = {
    "drafting": ["drafting"],
    "review": ["drafting", "review"],
    "approval": ["drafting", "review", "approval"],
    "approved": ["drafting", "review", "approval", "approved"],
    "withdrawn": ["drafting", "review"],
}


SUBMIT, RETURN = STEPS["review"][0], ("return", "return_request", "review", "drafting", None)
REMINDER = ("reminder", None, "drafting", "drafting", {"alert": 1})


def chain_events(
    iid: int, org_id: int, state: str, status: str, n: int, actors: dict[str, int], start: dt.datetime
) -> list[tuple[Any, ...]]:
    """``n`` events of a valid hash chain that brings the request to ``state``: returned and resubmitted
    as often as needed to make up the count."""
    core = [STEPS[s][0] for s in ROUTES[state if status != "rejected" else "review"]]
    if status == "withdrawn":
        core.append(("withdraw", "withdraw", "review", "withdrawn", None))
    if status == "rejected":
        core.append(RETURN)
    filler = max(0, n - len(core))
    events = (core[:1] + [SUBMIT, RETURN] * (filler // 2) + [REMINDER] * (filler % 2) + core[1:])[:n]
    out = []
    prev = GENESIS
    at = start
    for seq, (kind, action, from_state, to_state, data) in enumerate(events, 1):
        at = at + dt.timedelta(hours=3)
        by_secretary = kind in ("start", "withdraw") or action == "submit"
        actor = None if kind == "reminder" else (actors["secretary"] if by_secretary else actors["handler"])
        role = "secretary" if by_secretary else "handler"
        fields = {
            "chain": f"instance:{iid}",
            "seq": seq,
            "instance_id": iid,
            "at": at,
            "kind": kind,
            "actor_id": actor,
            "actor_name": None if actor is None else ("张明" if by_secretary else "王建国"),
            "role": role,
            "org_id": org_id if by_secretary else HOT,
            "action": action,
            "from_state": from_state,
            "to_state": to_state,
            "comment": "请补充党员名册" if kind == "return" else None,
            "data": data,
            "client_addr": None,
        }
        h = event_hash(fields, prev)
        out.append((*fields.values(), prev, h))
        prev = h
    return out


EVENT_COLUMNS = (
    "chain",
    "seq",
    "instance_id",
    "at",
    "kind",
    "actor_id",
    "actor_name",
    "role",
    "org_id",
    "action",
    "from_state",
    "to_state",
    "comment",
    "data",
    "client_addr",
    "prev_hash",
    "hash",
)


def generate(services: Services, plan: Plan, handlers: int) -> dict[str, Any]:
    engine = services.db.engine
    loader = Loader(engine)
    with engine.connect() as conn:
        def_id = conn.scalar(
            select(WorkflowDefinitionRow.id).where(WorkflowDefinitionRow.name == "bench_review")
        )
    t0 = time.perf_counter()
    loader.load(
        Organization.__table__,
        (
            "id",
            "code",
            "name",
            "type",
            "parent_id",
            "approver_id",
            "path",
            "term_end",
            "full_members",
            "probationary_members",
            "settings",
            "created_at",
        ),
        plan.org_rows(),
    )
    # Users: the hot committee's handlers (one per act worker), its leader and auditor, a secretary per branch.
    staff = [("handler", f"handler{i}", "王建国") for i in range(1, handlers + 1)] + [
        ("leader", "leader", "赵志刚"),
        ("auditor", "auditor", "孙丽"),
    ]
    branches = plan.hot_branch_ids + plan.rest_leaves
    users = [
        (i + 1, name, display, None, PASSWORD_HASH, True, 0, None, NOW)
        for i, (_, name, display) in enumerate(staff)
    ]
    users += [
        (len(staff) + k + 1, f"sec{oid}", "张明", None, PASSWORD_HASH, True, 0, None, NOW)
        for k, oid in enumerate(branches)
    ]
    loader.load(
        User.__table__,
        (
            "id",
            "username",
            "display_name",
            "email",
            "password_hash",
            "is_active",
            "failed_logins",
            "locked_until",
            "created_at",
        ),
        users,
    )
    roles = [(i + 1, role, HOT) for i, (role, _, _) in enumerate(staff)]
    roles += [(len(staff) + k + 1, "secretary", oid) for k, oid in enumerate(branches)]
    loader.load(RoleAssignment.__table__, ("user_id", "role", "org_id"), roles)
    secretary_of = {oid: len(staff) + k + 1 for k, oid in enumerate(branches)}
    ids = {"handlers": list(range(1, handlers + 1)), "leader": handlers + 1, "auditor": handlers + 2}

    items = list(plan.instances())
    trail_ids = {iid for iid, *_ in items[: plan.trail_instances]}
    others = len(items) - len(trail_ids)
    remaining = max(0, plan.n_events - plan.trail * len(trail_ids))
    base, extra = divmod(remaining, max(others, 1))
    counts = {
        iid: plan.trail if iid in trail_ids else base + (1 if k < extra else 0)
        for k, (iid, *_) in enumerate(items)
    }
    parent_of = {oid: parent for oid, parent in plan.parents.items()}
    for oid in plan.hot_branch_ids:
        parent_of[oid] = HOT  # its approver: the tasks of the hot branches go to the work committee
    versions: dict[int, int] = {}

    def instance_rows() -> Iterator[tuple[Any, ...]]:
        for iid, oid, state, status in items:
            created = NOW - dt.timedelta(days=1 + iid % 700, minutes=iid % 1440)
            versions[iid] = counts[iid]
            yield (
                iid,
                def_id,
                "bench_review",
                oid,
                secretary_of[oid],
                f"关于召开党员大会进行换届选举的请示（{iid}）",
                state,
                status,
                counts[iid],
                {"start": {"summary": "关于召开党员大会进行换届选举的请示"}},
                created,
                created + dt.timedelta(days=3),
                None if status == "active" else created + dt.timedelta(days=9),
            )

    loader.load(
        Instance.__table__,
        (
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
            "completed_at",
        ),
        instance_rows(),
    )

    def task_rows() -> Iterator[tuple[Any, ...]]:
        for iid, oid, state, status in items:
            opened = NOW - dt.timedelta(days=iid % 20, hours=iid % 24)
            approver = parent_of[oid]
            route = ROUTES.get(state, ["drafting"])
            for st in route[:-1] if status == "active" else route:
                role, org = (
                    ("secretary", oid)
                    if st == "drafting"
                    else (("handler" if st == "review" else "leader"), approver)
                )
                if st in ("approved", "withdrawn"):
                    continue
                yield (
                    iid,
                    st,
                    role,
                    org,
                    None,
                    opened - dt.timedelta(days=5),
                    None,
                    None,
                    0,
                    False,
                    opened - dt.timedelta(days=1),
                    secretary_of[oid] if st == "drafting" else ids["handlers"][0],
                    "submit" if st == "drafting" else "forward",
                )
            if status != "active":
                continue
            role, org = (
                ("secretary", oid)
                if state == "drafting"
                else (("handler" if state == "review" else "leader"), approver)
            )
            overdue = state == "review" and iid <= plan.due
            due_at = NOW - dt.timedelta(hours=1) if overdue else opened + dt.timedelta(days=21)
            alert = NOW - dt.timedelta(hours=1) if overdue else due_at - dt.timedelta(days=4)
            yield (
                iid,
                state,
                role,
                org,
                None,
                opened,
                due_at if state == "review" else None,
                alert if state == "review" else None,
                0,
                False,
                None,
                None,
                None,
            )

    loader.load(
        Task.__table__,
        (
            "instance_id",
            "state",
            "role",
            "org_id",
            "assignee_id",
            "opened_at",
            "due_at",
            "next_alert_at",
            "alerts_sent",
            "escalated",
            "closed_at",
            "closed_by_id",
            "closed_action",
        ),
        task_rows(),
    )

    def event_rows() -> Iterator[tuple[Any, ...]]:
        for iid, oid, state, status in items:
            start = NOW - dt.timedelta(days=1 + iid % 700, minutes=iid % 1440)
            yield from chain_events(
                iid,
                oid,
                state,
                status,
                counts[iid],
                {"secretary": secretary_of[oid], "handler": ids["handlers"][0]},
                start,
            )

    n_events = loader.load(AuditEvent.__table__, EVENT_COLUMNS, event_rows())
    with engine.begin() as conn:
        reset_sequences(conn)
        conn.exec_driver_sql("ANALYZE")
    ids["hot_pending"] = [
        (iid, versions[iid]) for iid, _, state, _ in items[: plan.pending] if state == "review"
    ]
    ids["trail_instance"] = items[0][0]
    return {
        "seconds": round(time.perf_counter() - t0, 1),
        "organizations": plan.n_orgs,
        "users": len(users),
        "instances": len(items),
        "audit_events": n_events,
        "ids": ids,
    }


# ---- measurements ----------------------------------------------------------------------------------


def instance_page(services: Services, instance_id: int, user_id: int) -> int:
    """What the request page (web/requests.py) loads, without the template."""
    flow = services.flow
    inst = flow.get(instance_id, user_id)
    definition = flow.definition_of(instance_id, user_id)
    trail = flow.trail(instance_id, user_id)
    flow.available_actions(instance_id, user_id)
    diagrams.mermaid(definition, inst.state, services.queries.visited_states(trail))
    queries.steps(definition, inst)
    queries.timeline(definition, trail)
    services.documents.list_for(instance_id, user_id)
    [task_timing(t, NOW) for t in inst.open_tasks]
    return len(trail)


def _act_worker(
    url: str, workdir: str, handler: int, work: list[tuple[int, int]], seconds: float, barrier: Any, out: Any
) -> None:
    services = open_services(Settings(url, Path(workdir), Path(workdir) / "wf"), clock=lambda: NOW)
    try:
        barrier.wait()
        done = errors = 0
        t0 = time.perf_counter()
        for iid, version in work:
            if time.perf_counter() - t0 >= seconds:
                break
            try:
                services.flow.act(iid, "forward", handler, {"opinion": "同意"}, expected_version=version)
                done += 1
            except Exception:  # counted, not hidden: any error here is a finding
                errors += 1
        out.put((done, errors, time.perf_counter() - t0))
    finally:
        services.close()


def act_throughput(
    url: str, workdir: Path, handlers: list[int], work: list[tuple[int, int]], workers: int, seconds: float
) -> dict[str, Any]:
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(workers), ctx.Queue()
    shares = [work[i::workers] for i in range(workers)]
    procs = [
        ctx.Process(
            target=_act_worker,
            args=(url, str(workdir), handlers[i % len(handlers)], shares[i], seconds, barrier, out),
        )
        for i in range(workers)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=seconds + 120) for _ in procs]
    for p in procs:
        p.join()
    acts = sum(r[0] for r in results)
    wall = max(r[2] for r in results)
    return {
        "workers": workers,
        "acts": acts,
        "errors": sum(r[1] for r in results),
        "seconds": round(wall, 2),
        "acts_per_second": round(acts / wall, 1) if wall else 0.0,
    }


def run(url: str, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    wf = workdir / "wf"
    wf.mkdir(parents=True, exist_ok=True)
    (wf / "bench_review.yaml").write_text(WORKFLOW, encoding="utf-8")
    plan = Plan(args.orgs, args.instances, args.events, args.pending, args.trail, args.due, args.samples)
    services = open_services(Settings(url, workdir, wf), auto_upgrade=True, clock=lambda: NOW)
    result: dict[str, Any] = {}
    try:
        gen = generate(services, plan, max(args.act_workers))
        ids = gen.pop("ids")
        result["generate"] = gen
        t0 = time.perf_counter()
        seals = services.sealer.seal()
        took = time.perf_counter() - t0
        sealed = sum(seal.event_count for seal in seals)
        result["seal"] = {
            "seals": len(seals),
            "events": sealed,
            "seconds": round(took, 2),
            "events_per_second": round(sealed / took) if took else 0,
        }
        if args.only_audit:
            result["audit_verify"] = audit_verify(services)
            return result
        handler, auditor = ids["handlers"][0], ids["auditor"]
        first = services.inbox.open(handler)
        result["inbox"] = {
            "pending": first.total,
            **timed(lambda: services.inbox.open(handler), args.samples),
        }
        result["inbox_screen"] = timed(
            lambda: (services.inbox.open(handler), services.queries.inbox_options(handler)),
            max(5, args.samples // 5),
        )
        trail_ids = [iid for iid, _ in ids["hot_pending"][: plan.trail_instances]]
        trail_len = instance_page(services, trail_ids[0], handler)
        it = iter(trail_ids * 4)
        result["instance_page"] = {
            "trail_events": trail_len,
            **timed(lambda: instance_page(services, next(it), handler), args.samples),
        }
        everything = services.queries.search(auditor, SearchCriteria())
        result["auditor_search"] = {
            "in_scope": everything.total,
            "all": timed(
                lambda: services.queries.search(auditor, SearchCriteria()), max(5, args.samples // 5)
            ),
            "active": timed(
                lambda: services.queries.search(auditor, SearchCriteria(status="active")),
                max(5, args.samples // 5),
            ),
            "screen": timed(
                lambda: (
                    services.queries.search_options(auditor),
                    services.queries.search(auditor, SearchCriteria()),
                ),
                max(5, args.samples // 5),
            ),
        }
        t0 = time.perf_counter()
        swept = services.escalator.sweep(NOW)
        result["sweep"] = {"seconds": round(time.perf_counter() - t0, 3), **swept.as_dict()}
        # Requests the sweep did not touch and whose page was not measured, split evenly between the runs.
        work = [p for p in ids["hot_pending"] if p[0] > max(plan.due, len(trail_ids))]
        runs = args.act_workers if services.db.dialect == "postgresql" or args.act_on_sqlite else []
        acts = [
            act_throughput(url, workdir, ids["handlers"], work[i :: len(runs)], n, args.act_seconds)
            for i, n in enumerate(runs)
        ]
        result["act"] = acts
        result["audit_verify"] = audit_verify(services)
        return result
    finally:
        services.close()


def audit_verify(services: Services) -> dict[str, Any]:
    t0 = time.perf_counter()
    report = services.ledger.verify()
    took = time.perf_counter() - t0
    return {
        "events": report.events,
        "chains": report.chains,
        "ok": report.ok,
        "seconds": round(took, 2),
        "events_per_second": round(report.events / took),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", default=None, help="SQLAlchemy URL (default: a temporary SQLite file)"
    )
    parser.add_argument("--orgs", type=int, default=50_000)
    parser.add_argument("--instances", type=int, default=200_000)
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--pending", type=int, default=20_000, help="open tasks in the superior's inbox")
    parser.add_argument("--trail", type=int, default=50, help="events of the requests whose page is measured")
    parser.add_argument("--due", type=int, default=1000, help="overdue tasks the sweep escalates")
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--act-workers", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--act-seconds", type=float, default=10.0)
    parser.add_argument("--act-on-sqlite", action="store_true", help="measure act() on SQLite too")
    parser.add_argument(
        "--only-audit", action="store_true", help="generate, then only seal and verify the trail"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    url = args.database_url
    out: dict[str, Any] = {
        "benchmark": "scale",
        "sizes": {k: getattr(args, k) for k in ("orgs", "instances", "events", "pending", "trail", "due")},
        "targets": {
            "inbox_p95_ms": 50,
            "instance_page_p95_ms": 50,
            "audit_verify_events_per_second": 100_000,
            "seal_events_per_second": 100_000,
        },
    }
    with tempfile.TemporaryDirectory() as tmp:
        if url is None:
            url = f"sqlite:///{Path(tmp) / 'scale.sqlite3'}"
        if make_url(url).get_backend_name() == "postgresql":
            schema = f"bench_scale_{uuid.uuid4().hex[:8]}"
            admin = create_engine(url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            try:
                sep = "&" if "?" in url else "?"
                out["database"] = "postgresql"
                out.update(run(f"{url}{sep}options=-csearch_path%3D{schema}", Path(tmp), args))
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
        else:
            out["database"] = make_url(url).get_backend_name()
            out.update(run(url, Path(tmp), args))
    out["met"] = {
        "audit_ok": out["audit_verify"]["ok"],
        "audit_verify": out["audit_verify"]["events_per_second"] >= 100_000,
        "seal": out["seal"]["events_per_second"] >= 100_000,
    }
    if not args.only_audit:
        out["met"].update(
            inbox=out["inbox"]["p95_ms"] < 50,
            instance_page=out["instance_page"]["p95_ms"] < 50,
            zero_act_errors=all(a["errors"] == 0 for a in out["act"]),
        )
    out["total_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
