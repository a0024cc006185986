"""Production shape end to end: ``flowengine serve --production --workers 2`` (gunicorn) and
``flowengine scheduler --interval 1`` as separate processes on one database.

A procedure is driven through both workers alternately — every page is read from one worker and the
action posted to the other — and each step must be seen by the other worker at once; a stale version
posted to the second worker is refused. Meanwhile the scheduler, sweeping every second, must escalate
every overdue task exactly once, however many sweeps pass.

Telling the workers apart: responses carry ``X-Flowengine-Worker: <pid>`` (FLOWENGINE_WORKER_HEADER=1).
Choosing the worker: a gunicorn sync worker serves one connection at a time, so while one connection is
open but silent, the worker that accepted it is busy and the next connection goes to the other one.
:meth:`Site.pair` uses that to send two requests to two different workers, and the test checks the pids.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from flowengine.persistence.models import AuditEvent, Instance, Task
from flowengine.service import Services
from flowengine.service.identity.directory import parse_org_tree
from tests.support import PASSWORD, Clock, World, build_world
from tests.support.paths import FIXTURE_WORKFLOWS, ROOT
from tests.support.web import GOOD_FORM

DUE_TASKS = 12
FILING = """
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
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_VERSION = re.compile(r'name="version" value="(\d+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str

    @property
    def worker(self) -> int:
        return int(self.headers["x-flowengine-worker"])


@dataclass
class Site:
    """One person's browser against the server: a session cookie and the CSRF token of the last page."""

    port: int
    cookie: str = ""
    token: str = ""
    workers_seen: set[int] = field(default_factory=set)

    def _send(
        self, conn: http.client.HTTPConnection, method: str, path: str, form: dict[str, str] | None = None
    ) -> Response:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode({"csrf_token": self.token, **form})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        raw = conn.getresponse()
        text = raw.read().decode("utf-8")
        conn.close()
        found = {k.lower(): v for k, v in raw.getheaders()}
        cookie = raw.getheader("Set-Cookie")
        if cookie and cookie.startswith("flowengine_session="):
            self.cookie = cookie.split(";", 1)[0]
        token = _TOKEN.search(text)
        if token:
            self.token = token.group(1)
        response = Response(raw.status, found, text)
        self.workers_seen.add(response.worker)
        return response

    def _conn(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def get(self, path: str) -> Response:
        return self._send(self._conn(), "GET", path)

    def post(self, path: str, form: dict[str, str]) -> Response:
        return self._send(self._conn(), "POST", path, form)

    def pair(
        self,
        first: Callable[[http.client.HTTPConnection], Response],
        second: Callable[[http.client.HTTPConnection], Response],
    ) -> tuple[Response, Response]:
        """``first`` then ``second``, served by two different workers (asserted)."""
        held = self._conn()
        held.connect()  # accepted by one worker, which now waits for this request and serves no other
        time.sleep(0.05)
        one = first(self._conn())
        two = second(held)
        assert one.worker != two.worker, "two requests meant for two workers were served by one"
        return one, two

    def login(self, username: str) -> None:
        self.get("/login")
        response = self.post("/login", {"username": username, "password": PASSWORD, "next": ""})
        assert response.status == 302, response.body


def page(site: Site, iid: int) -> Callable[[http.client.HTTPConnection], Response]:
    return lambda conn: site._send(conn, "GET", f"/requests/{iid}")


def act(
    site: Site, iid: int, action: str, form: dict[str, str]
) -> Callable[[http.client.HTTPConnection], Response]:
    def send(conn: http.client.HTTPConnection) -> Response:
        return site._send(conn, "POST", f"/requests/{iid}/actions/{action}", form)

    return send


def version_of(response: Response) -> str:
    found = _VERSION.search(response.body)
    assert found, "the page offers no action form"
    return found.group(1)


def step_alternating(site: Site, iid: int, action: str, form: dict[str, str], expect_version: int) -> None:
    """Read the request page on one worker, post the action to the other; then both show the new version."""
    read: list[Response] = []  # the page, for the action posted on the other worker to take its version from

    def read_page(conn: http.client.HTTPConnection) -> Response:
        read.append(page(site, iid)(conn))
        return read[-1]

    one, two = site.pair(
        read_page, lambda conn: act(site, iid, action, {**form, "version": version_of(read[-1])})(conn)
    )
    assert one.status == 200 and int(version_of(one)) == expect_version, one.body[:500]
    assert two.status == 302, two.body[:2000]
    # The worker that served the page (not the one that acted) sees the action at once: neither offers the
    # version just used any more (a page offers the new one, or no action at all to this person).
    after = site.pair(page(site, iid), page(site, iid))
    assert {r.worker for r in after} == {one.worker, two.worker}
    for r in after:
        offered = _VERSION.search(r.body)
        assert r.status == 200 and (offered is None or int(offered.group(1)) == expect_version + 1), r.body[
            :500
        ]


def wait_for(
    what: str, probe: Callable[[], bool], seconds: float, procs: list[subprocess.Popen[str]]
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for p in procs:
            if p.poll() is not None:
                out, err = p.communicate()
                pytest.fail(f"{what}: process {p.args} exited with {p.returncode}:\n{out}\n{err}")
        if probe():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out after {seconds} s waiting for {what}")


def stop(proc: subprocess.Popen[str]) -> str:
    """End a process group this test started (gunicorn's master and its workers), and collect its output."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    out, err = proc.communicate()
    return (out or "") + (err or "")


def health(port: int) -> tuple[int, dict[str, object]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/healthz")
        r = conn.getresponse()
        return r.status, json.loads(r.read())
    except (ConnectionError, OSError):
        return 0, {}
    finally:
        conn.close()


def escalation_counts(services: Services) -> tuple[int, int, int]:
    with services.db.read() as s:
        events = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "escalation"))
        distinct = s.scalar(
            select(func.count(func.distinct(AuditEvent.instance_id))).where(AuditEvent.kind == "escalation")
        )
        tasks = s.scalar(select(func.count()).select_from(Task).where(Task.escalated.is_(True)))
    return events or 0, distinct or 0, tasks or 0


@pytest.fixture
def deployment(
    make_services: Callable[..., Services], tmp_path: Path, clock: Clock
) -> Iterator[tuple[Services, World, list[int], dict[str, str]]]:
    """The database as an operator leaves it before starting the processes: schema, definitions, people,
    and DUE_TASKS filings started two days before now, so their one-day deadline has passed."""
    wf = tmp_path / "workflows"
    wf.mkdir()
    shutil.copy(FIXTURE_WORKFLOWS / "leave_request.yaml", wf)
    (wf / "filing.yaml").write_text(FILING, encoding="utf-8")
    services = make_services(wf)
    clock.now = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(days=2)
    world = build_world(services, clock())
    services.directory.import_orgs(
        parse_org_tree(
            [
                {"code": f"f{i}", "name": f"第{i}报送支部", "type": "branch", "parent": "gw"}
                for i in range(DUE_TASKS)
            ],
            known=services.directory.org_codes(),
        ),
        clock(),
    )
    filer = services.directory.add_user(
        "filer", "冯莉", PASSWORD, [("secretary", f"f{i}") for i in range(DUE_TASKS)], now=clock()
    )
    overdue = [
        services.flow.start("filing", services.directory.org_id(f"f{i}"), filer).id for i in range(DUE_TASKS)
    ]
    env = {
        **os.environ,
        "FLOWENGINE_DATABASE_URL": services.settings.database_url,
        "FLOWENGINE_WORKFLOWS_DIR": str(wf),
        "FLOWENGINE_DATA_DIR": str(tmp_path),
        "FLOWENGINE_RULE_MODULES": "tests.fixtures.rules",
        "FLOWENGINE_SECRET_KEY": "production-test-key",
        "FLOWENGINE_WORKER_HEADER": "1",
        "FLOWENGINE_LOG_FORMAT": "json",
        "FLOWENGINE_LOG_LEVEL": "INFO",
        "FLOWENGINE_TERM_REMINDER_WORKING_DAYS": "0",
        "PYTHONPATH": str(ROOT),
    }
    yield services, world, overdue, env


def test_two_workers_and_a_scheduler_agree(
    deployment: tuple[Services, World, list[int], dict[str, str]],
) -> None:
    services, world, overdue, env = deployment
    port = free_port()
    procs: list[subprocess.Popen[str]] = []

    def spawn(*args: str) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "flowengine.cli", *args],
            env=env,
            cwd=ROOT,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        procs.append(proc)
        return proc

    outputs: list[str] = []
    try:
        spawn("scheduler", "--interval", "1")
        spawn("serve", "--production", "--workers", "2", "--host", "127.0.0.1", "--port", str(port))
        wait_for("a healthy server with a scheduler heartbeat", lambda: health(port)[0] == 200, 90, procs)

        # -- the overdue filings: escalated once each by the scheduler, however many sweeps pass ---------
        wait_for(
            "every overdue task escalated", lambda: escalation_counts(services)[0] >= DUE_TASKS, 60, procs
        )

        # -- a leave request driven through both workers alternately ------------------------------------
        sec = Site(port)
        sec.login("sec1")
        assert sec.get("/requests/new/leave_request").status == 200  # the form, and its CSRF token
        started = sec.post("/requests/new/leave_request", {"org_id": str(world.orgs["b1"]), "comment": ""})
        assert started.status == 302, started.body[:2000]
        iid = int(started.headers["location"].rstrip("/").rsplit("/", 1)[1])
        step_alternating(sec, iid, "submit", {**GOOD_FORM, "comment": ""}, expect_version=1)

        handler = Site(port)
        handler.login("handler")
        step_alternating(
            handler, iid, "return_to_applicant", {"comment": "请补充代班人电话"}, expect_version=2
        )
        step_alternating(sec, iid, "submit", {**GOOD_FORM, "comment": "已补充"}, expect_version=3)

        # Two workers, one version: the first post wins, the same version on the other worker is refused.
        current = handler.get(f"/requests/{iid}")
        version = version_of(current)
        first, second = handler.pair(
            act(handler, iid, "approve", {"version": version, "comment": "同意"}),
            act(handler, iid, "approve", {"version": version, "comment": "同意"}),
        )
        assert first.status == 302 and second.status == 409, second.body[:2000]
        assert "已被" in second.body or "已经" in second.body or "刷新" in second.body

        # Both workers show the same final state.
        views = handler.pair(page(handler, iid), page(handler, iid))
        for view in views:
            assert view.status == 200 and "已批准" in view.body and 'name="version"' not in view.body
        assert len(sec.workers_seen | handler.workers_seen) == 2

        with services.db.read() as s:
            inst = s.get(Instance, iid)
            assert inst is not None and (inst.state, inst.status, inst.version) == (
                "approved",
                "completed",
                5,
            )
            kinds = s.execute(
                select(AuditEvent.kind, AuditEvent.action)
                .where(AuditEvent.instance_id == iid)
                .order_by(AuditEvent.seq)
            ).all()
            open_tasks = s.scalar(
                select(func.count())
                .select_from(Task)
                .where(Task.instance_id == iid, Task.closed_at.is_(None))
            )
        assert [tuple(k) for k in kinds if k.kind != "document"] == [
            ("start", "start"),
            ("action", "submit"),
            ("return", "return_to_applicant"),
            ("action", "submit"),
            ("approve", "approve"),
        ]
        assert open_tasks == 0
        assert services.ledger.verify(iid).ok

        # -- several more sweeps later: still exactly one escalation per overdue task ----------------------
        time.sleep(3)
        assert escalation_counts(services) == (DUE_TASKS, DUE_TASKS, DUE_TASKS)
        with services.db.read() as s:
            escalated = set(s.scalars(select(AuditEvent.instance_id).where(AuditEvent.kind == "escalation")))
        assert escalated == set(overdue)
        assert services.ledger.verify().ok
        status, body = health(port)
        assert status == 200 and body["scheduler"]["heartbeat_age_seconds"] < 5  # type: ignore[index,operator]
    finally:
        outputs = [stop(p) for p in procs]
    web_log = outputs[1]
    requests_logged = [
        json.loads(line)
        for line in web_log.splitlines()
        if line.startswith("{") and '"flowengine.web.request"' in line
    ]
    assert requests_logged and all(
        {"request_id", "method", "path", "status", "duration_ms"} <= set(x) for x in requests_logged
    )
    assert len({x["pid"] for x in requests_logged}) == 2
    assert "Traceback" not in web_log, web_log[-5000:]
