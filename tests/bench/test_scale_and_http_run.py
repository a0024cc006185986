"""bench/scale.py and bench/http.py at tiny sizes: they run end to end and print the figures they promise.

Not timed (speed targets live in the benchmarks' own output); this keeps them runnable and checks that
what they measure is real: the generated audit chains verify, every act() succeeded, the server answered
every request of the mix as a browser expects.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_bench(script: str, *args: str) -> dict:  # type: ignore[type-arg]
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def test_scale_benchmark_prints_its_figures(tmp_path: Path) -> None:
    result = run_bench(
        "scale.py",
        "--database-url",
        f"sqlite:///{tmp_path / 'scale.sqlite3'}",
        "--orgs",
        "400",
        "--instances",
        "900",
        "--events",
        "6000",
        "--pending",
        "120",
        "--due",
        "10",
        "--samples",
        "5",
        "--act-workers",
        "1",
        "2",
        "--act-seconds",
        "0.5",
        "--act-on-sqlite",
    )
    assert result["database"] == "sqlite"
    assert result["generate"]["organizations"] == 400 and result["generate"]["instances"] == 900
    assert result["inbox"]["pending"] == 120
    for key in ("inbox", "inbox_screen", "instance_page"):
        assert {"p50_ms", "p95_ms"} <= set(result[key])
    assert result["instance_page"]["trail_events"] == 50
    assert result["auditor_search"]["in_scope"] > 0 and "p95_ms" in result["auditor_search"]["all"]
    assert result["sweep"]["escalations"] == 10
    assert [a["workers"] for a in result["act"]] == [1, 2]
    assert all(a["acts"] > 0 and a["errors"] == 0 for a in result["act"])
    verify = result["audit_verify"]
    assert (
        verify["ok"]
        and verify["events"] >= result["generate"]["audit_events"]
        and verify["events_per_second"] > 0
    )
    assert {"inbox", "instance_page", "zero_act_errors", "audit_ok"} <= set(result["met"])


def test_http_benchmark_prints_its_figures(tmp_path: Path) -> None:
    result = run_bench(
        "http.py",
        "--database-url",
        f"sqlite:///{tmp_path / 'http.sqlite3'}",
        "--workers",
        "2",
        "--clients",
        "2",
        "--seconds",
        "4",
        "--requests-open",
        "20",
    )
    assert result["database"] == "sqlite" and result["workers"] == 2
    assert result["requests"] > 0 and result["requests_per_second"] > 0
    assert {"p50_ms", "p95_ms", "p99_ms"} <= set(result["latency_ms"])
    assert {"inbox", "page", "act"} <= set(result["by_kind"])
    assert result["errors"] == 0, result["error_samples"]
