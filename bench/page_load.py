"""The request page in a real browser: milliseconds from navigation start to the load event.

Loads the demo data into a fresh SQLite database, serves the app on loopback (threaded Werkzeug, as the
browser tests do), signs in as the demo's city handler (王建国) in Debian's Chromium through Playwright, and
opens each demo request's page ``--rounds`` times (the browser cache warm after the first visit, as for a
person going through their inbox). Reports p50/p95/max of the load event and of the server's answer
(responseEnd), the bytes of script the page loaded, and — for comparison — how long the whole-procedure
diagram takes once asked for (the click on 查看完整流程图 until the drawing is there). Target: request page
p95 under 300 ms.

Usage: python bench/page_load.py [--rounds 10]   (prints JSON)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# bench/http.py must not shadow the standard library's http package (Werkzeug imports http.server).
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT / "src"))

from playwright.sync_api import sync_playwright  # noqa: E402
from sqlalchemy import select  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from flowengine.config import Settings  # noqa: E402
from flowengine.demo import DEMO_PASSWORD, load_demo  # noqa: E402
from flowengine.persistence.models import Instance  # noqa: E402
from flowengine.service import open_services  # noqa: E402
from flowengine.web import create_app  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
HANDLER = "wangjianguo"
TIMING = """() => {
  const n = performance.getEntriesByType('navigation')[0];
  const scripts = performance.getEntriesByType('resource').filter(r => r.initiatorType === 'script');
  return {load: n.loadEventEnd, response: n.responseEnd, dom: n.domContentLoadedEventEnd,
          script_bytes: scripts.reduce((a, r) => a + (r.decodedBodySize || 0), 0)};
}"""


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))], 1),
        "max_ms": round(ordered[-1], 1),
    }


def _server_cpu_ms(app: Any, ids: list[int], rounds: int) -> float:
    """CPU milliseconds the server spends on one request page (test client, no network): the part of the
    load event that does not depend on how busy the machine is."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    token = found.group(1) if found else ""
    client.post("/login", data={"username": HANDLER, "password": DEMO_PASSWORD, "csrf_token": token})
    client.get(f"/requests/{ids[0]}")
    start = time.process_time()
    for _ in range(rounds):
        for iid in ids:
            client.get(f"/requests/{iid}")
    return round((time.process_time() - start) * 1000 / (rounds * len(ids)), 1)


def main() -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        services = open_services(
            Settings(f"sqlite:///{tmp}/bench.sqlite3", Path(tmp), ROOT / "workflows"), auto_upgrade=True
        )
        load_demo(services)
        with services.db.read() as s:
            ids = list(s.scalars(select(Instance.id).order_by(Instance.id)))
        app = create_app(services, config={"SECRET_KEY": "bench"})
        server_cpu = _server_cpu_ms(app, ids, args.rounds)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_port}"
        loads: list[float] = []
        responses: list[float] = []
        script_bytes: list[int] = []
        diagram: list[float] = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
                page = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}).new_page()
                page.goto(f"{url}/login")
                page.get_by_label("用户名").fill(HANDLER)
                page.get_by_label("密码").fill(DEMO_PASSWORD)
                page.get_by_role("button", name="登录").click()
                page.wait_for_url(f"{url}/**")
                for _ in range(args.rounds):
                    for iid in ids:
                        page.goto(f"{url}/requests/{iid}", wait_until="load")
                        t = page.evaluate(TIMING)
                        loads.append(t["load"])
                        responses.append(t["response"])
                        script_bytes.append(t["script_bytes"])
                for iid in ids[:3]:
                    page.goto(f"{url}/requests/{iid}", wait_until="load")
                    start = time.perf_counter()
                    page.get_by_test_id("diagram-toggle").click()
                    page.wait_for_selector(".diagram-box[data-rendered] svg", timeout=60_000)
                    diagram.append((time.perf_counter() - start) * 1000)
                browser.close()
        finally:
            server.shutdown()
            services.close()
    return {
        "benchmark": "request page load event (Chromium, loopback, SQLite demo data)",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "requests": len(ids),
        "visits": len(loads),
        "load_event": percentiles(loads),
        "server_response": percentiles(responses),
        "server_cpu_ms_per_page": server_cpu,
        "load_average_1m": round(os.getloadavg()[0], 1),
        "script_kb_loaded": round(max(script_bytes) / 1024, 1),
        "diagram_on_demand": percentiles(diagram),
        "target_p95_ms": 300,
        "meets_target": percentiles(loads)["p95_ms"] < 300,
    }


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False, indent=2))
