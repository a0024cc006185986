"""Benchmarks are not timed tests; this only keeps them runnable and their JSON well-formed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_engine_benchmark_prints_json() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "engine.py"), "--seconds", "0.2", "--postgres", ""],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    result = json.loads(out)
    sqlite = result["sqlite"]
    assert sqlite["engine"]["transitions"] > 0 and sqlite["floor"]["transactions"] > 0
    assert sqlite["ratio"] == round(sqlite["engine"]["per_second"] / sqlite["floor"]["per_second"], 3)


def test_peer_benchmark_runs_both_engines() -> None:
    """bench/peer.py drives the same 7 steps through flowengine and SpiffWorkflow and reports the ratio."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "peer.py"), "--seconds", "0.3", "--rounds", "1"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    result = json.loads(out)
    [one] = result["rounds"]
    assert one["flowengine"]["steps"] % 7 == 0 and one["flowengine"]["steps"] > 0
    assert one["spiffworkflow"]["steps"] % 7 == 0 and one["spiffworkflow"]["steps"] > 0
    assert result["spiffworkflow"] == "3.2.0"
    assert one["ratio"] == round(one["flowengine"]["per_second"] / one["spiffworkflow"]["per_second"], 3)
