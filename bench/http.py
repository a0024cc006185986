"""A real server under load: ``flowengine serve --production --workers 4`` (gunicorn) and a load generator.

Sets up a database with the demo data (``flowengine demo``) plus ``--requests-open`` requests waiting in the
city committee handler's inbox (started and submitted through the service API), starts the production
server on loopback, and runs ``--clients`` client processes, each logged in as that handler (王建国), for
``--seconds`` (or ``--max-requests`` each), doing a realistic mix: the inbox (待办), a request page, and
acting on a request (read the page for its version and CSRF token, post 审核通过, as the browser does).

Reports requests/s, p50/p95/p99 latency (overall and per kind) and errors — any response other than the
one a browser expects (200 for pages, 302 after an action), or a failed connection. Errors must be 0.

Usage: python bench/http.py [--database-url URL] [--workers 4] [--clients 8] [--seconds 60]   (prints JSON)
A PostgreSQL URL (default FLOWENGINE_TEST_POSTGRES_URL) gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import sys
from pathlib import Path

# This file is named http.py: the folder it runs from must not shadow the standard library's http package.
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if "PYTHONPATH" not in __import__("os").environ:  # bench/before_after.py points it at another checkout
    sys.path.insert(0, str(ROOT / "src"))
sys.path.append(str(HERE))  # for scale.py, after the standard library

import argparse  # noqa: E402
import contextlib  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import multiprocessing as mp  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from typing import Any  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

from scale import WORKFLOW, percentiles  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from flowengine.config import Settings  # noqa: E402
from flowengine.demo import DEMO_PASSWORD, load_demo  # noqa: E402
from flowengine.service import open_services  # noqa: E402
from flowengine.service.identity.directory import parse_org_tree  # noqa: E402

HANDLER = "wangjianguo"  # 市委教育工委承办人 in the demo data
MIX = (("inbox", 0.45), ("page", 0.40), ("act", 0.15))
_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_VERSION = re.compile(r'action="/requests/(\d+)/actions/forward".*?name="version" value="(\d+)"', re.S)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(url: str, data_dir: Path, workflows: Path, open_requests: int) -> list[int]:
    """Demo data, then ``open_requests`` branches each with a request in the handler's review step."""
    services = open_services(Settings(url, data_dir, workflows), auto_upgrade=True)
    try:
        load_demo(services)
        specs = [
            {
                "code": f"load-b{i}",
                "name": f"郑州市第{i + 1}号学校党支部",
                "type": "branch",
                "parent": "zzjgw",
                "full_members": 8 + i % 20,
                "term_start": "2024-01-01",
                "term_end": "2027-01-01",
            }
            for i in range(open_requests)
        ]
        now = services.flow.clock()
        services.directory.import_orgs(parse_org_tree(specs, known=services.directory.org_codes()), now)
        codes = [s["code"] for s in specs]
        secretary = services.directory.add_user(
            "load-secretary", "张明", DEMO_PASSWORD, [("secretary", c) for c in codes], now=now
        )
        ids = []
        for code in codes:
            inst = services.flow.start("bench_review", services.directory.org_id(code), secretary)
            inst = services.flow.act(
                inst.id,
                "submit",
                secretary,
                {"summary": "关于召开党员大会进行换届选举的请示"},
                expected_version=inst.version,
            )
            ids.append(inst.id)
        return ids
    finally:
        services.close()


class Client:
    """One browser: a session cookie, the last CSRF token, a new connection per request (sync workers)."""

    def __init__(self, port: int) -> None:
        self.port, self.cookie, self.token = port, "", ""

    def send(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": self.cookie} if self.cookie else {}
        body = None
        if form is not None:
            body = urlencode({"csrf_token": self.token, **form})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            page = raw.read().decode("utf-8")
            cookie = raw.getheader("Set-Cookie")
        finally:
            conn.close()
        if cookie and cookie.startswith("flowengine_session="):
            self.cookie = cookie.split(";", 1)[0]
        found = _TOKEN.search(page)
        if found:
            self.token = found.group(1)
        return raw.status, page

    def login(self, username: str, password: str) -> None:
        self.send("GET", "/login")
        status, page = self.send("POST", "/login", {"username": username, "password": password, "next": ""})
        if status != 302:
            raise RuntimeError(f"login as {username} answered {status}: {page[:300]}")


def _client(
    port: int,
    mine: list[int],
    everyone: list[int],
    seconds: float,
    max_requests: int,
    seed: int,
    barrier: Any,
    out: Any,
) -> None:
    rng = random.Random(seed)
    client = Client(port)
    client.login(HANDLER, DEMO_PASSWORD)
    samples: dict[str, list[float]] = {k: [] for k, _ in MIX}
    errors: list[str] = []
    barrier.wait()
    started = time.perf_counter()
    n = 0

    def timed(kind: str, method: str, path: str, expect: int, form: dict[str, str] | None = None) -> str:
        t0 = time.perf_counter()
        try:
            status, page = client.send(method, path, form)
        except OSError as exc:
            errors.append(f"{kind} {path}: {exc}")
            return ""
        samples[kind].append(time.perf_counter() - t0)
        if status != expect:
            errors.append(f"{kind} {path}: {status} instead of {expect}")
        return page

    while n < max_requests and time.perf_counter() - started < seconds:
        kind = rng.choices([k for k, _ in MIX], weights=[w for _, w in MIX])[0]
        if kind == "act" and not mine:
            kind = "page"
        if kind == "inbox":
            timed("inbox", "GET", "/", 200)
            n += 1
        elif kind == "page":
            timed("page", "GET", f"/requests/{rng.choice(everyone)}", 200)
            n += 1
        else:
            iid = mine.pop()
            page = timed("page", "GET", f"/requests/{iid}", 200)
            found = _VERSION.search(page)
            if not found:
                errors.append(f"act {iid}: the page offers no 审核通过 form")
                continue
            timed(
                "act",
                "POST",
                f"/requests/{iid}/actions/forward",
                302,
                {"version": found.group(2), "opinion": "同意，报分管领导审批", "comment": ""},
            )
            n += 2
    out.put((samples, errors, time.perf_counter() - started))


def start_server(
    url: str, data_dir: Path, workflows: Path, port: int, workers: int
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "FLOWENGINE_DATABASE_URL": url,
        "FLOWENGINE_DATA_DIR": str(data_dir),
        "FLOWENGINE_WORKFLOWS_DIR": str(workflows),
        "FLOWENGINE_SECRET_KEY": uuid.uuid4().hex,
        "FLOWENGINE_LOG_FORMAT": "json",
    }
    exe = Path(sys.executable).with_name("flowengine")
    log = (data_dir / "server.log").open(
        "ab"
    )  # a file, not a pipe nobody reads (a full pipe stalls the server)
    proc = subprocess.Popen(
        [str(exe), "serve", "--production", "--workers", str(workers), "--port", str(port)],
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"server exited with {proc.returncode}: {(data_dir / 'server.log').read_text()[-2000:]}"
            )
        with contextlib.suppress(OSError):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status in (200, 503):
                return proc
        time.sleep(0.3)
    stop_server(proc)
    raise RuntimeError("server did not answer /healthz within 60 s")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """End the server's process group (gunicorn's master and its workers), which this script started."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def run(url: str, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    workflows = workdir / "workflows"
    shutil.copytree(ROOT / "workflows", workflows, ignore=shutil.ignore_patterns("*.json"))
    (workflows / "bench_review.yaml").write_text(WORKFLOW, encoding="utf-8")
    t0 = time.perf_counter()
    ids = prepare(url, workdir, workflows, args.requests_open)
    prepared = time.perf_counter() - t0
    port = free_port()
    server = start_server(url, workdir, workflows, port, args.workers)
    try:
        ctx = mp.get_context("spawn")
        barrier, out = ctx.Barrier(args.clients), ctx.Queue()
        procs = [
            ctx.Process(
                target=_client,
                args=(port, ids[i :: args.clients], ids, args.seconds, args.max_requests, i, barrier, out),
            )
            for i in range(args.clients)
        ]
        for p in procs:
            p.start()
        results = [out.get(timeout=args.seconds + 180) for _ in procs]
        for p in procs:
            p.join()
    finally:
        stop_server(server)
    by_kind: dict[str, list[float]] = {k: [] for k, _ in MIX}
    errors: list[str] = []
    for samples, errs, _ in results:
        for k, v in samples.items():
            by_kind[k].extend(v)
        errors.extend(errs)
    every = [s for v in by_kind.values() for s in v]
    wall = max(r[2] for r in results)
    ordered = sorted(every)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))] if ordered else 0.0
    return {
        "workers": args.workers,
        "clients": args.clients,
        "prepare_seconds": round(prepared, 1),
        "open_requests": len(ids),
        "seconds": round(wall, 1),
        "requests": len(every),
        "requests_per_second": round(len(every) / wall, 1) if wall else 0.0,
        "latency_ms": {
            **{k: v for k, v in percentiles(every).items() if k != "samples"},
            "p99_ms": round(p99 * 1000, 2),
        }
        if every
        else {},
        "by_kind": {k: percentiles(v) for k, v in by_kind.items() if v},
        "errors": len(errors),
        "error_samples": errors[:10],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("FLOWENGINE_TEST_POSTGRES_URL"),
        help="PostgreSQL (default FLOWENGINE_TEST_POSTGRES_URL); a temporary SQLite file if unset",
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--max-requests", type=int, default=20_000, help="per client")
    parser.add_argument("--requests-open", type=int, default=600, help="requests waiting for the handler")
    args = parser.parse_args()
    started = time.perf_counter()
    out: dict[str, Any] = {"benchmark": "http", "mix": dict(MIX), "target": "errors = 0"}
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'http.sqlite3'}"
        out["database"] = make_url(url).get_backend_name()
        if out["database"] == "postgresql":
            schema = f"bench_http_{uuid.uuid4().hex[:8]}"
            admin = create_engine(url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            try:
                sep = "&" if "?" in url else "?"
                out.update(run(f"{url}{sep}options=-csearch_path%3D{schema}", Path(tmp), args))
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()
        else:
            out.update(run(url, Path(tmp), args))
    out["total_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(out, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
