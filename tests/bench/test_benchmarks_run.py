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
