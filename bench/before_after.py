"""Run one benchmark against two checkouts, alternately, in one run: the before and after of a change.

The machine is shared and noisy, so a figure measured an hour apart says little; this runs the same
benchmark script (this checkout's) with ``PYTHONPATH`` set to each checkout's ``src`` in turn — before,
after, before, after … — and prints every run and the medians side by side.

Usage:
  git worktree add /tmp/main main
  python bench/before_after.py --before /tmp/main --rounds 3 -- bench/peer.py --seconds 3 --rounds 1
Prints JSON: {"before": [...], "after": [...], "median": {...}} (medians of the numeric fields named by
``--keys``, dotted paths into each run's JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def run(src: Path, command: list[str]) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    where = subprocess.run(
        [sys.executable, "-c", "import flowengine; print(flowengine.__file__)"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not where.startswith(str(src)):
        raise SystemExit(f"{src}: flowengine imported from {where}")
    done = subprocess.run([sys.executable, *command], env=env, capture_output=True, text=True, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} against {src} failed:\n{done.stderr[-4000:]}")
    return dict(json.loads(done.stdout))


def dig(result: Any, path: str) -> float | None:
    for part in path.split("."):
        if not isinstance(result, dict) or part not in result:
            return None
        result = result[part]
    return float(result) if isinstance(result, int | float) else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="the checkout before the change")
    parser.add_argument("--after", type=Path, default=ROOT, help="the checkout after (default: this one)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keys", nargs="*", default=[], help="dotted paths of figures to take medians of")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- script and its arguments")
    args = parser.parse_args()
    command = [c for c in args.command if c != "--"]
    sides = {"before": args.before.resolve() / "src", "after": args.after.resolve() / "src"}
    runs: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
    for _ in range(args.rounds):
        for side, src in sides.items():
            runs[side].append(run(src, command))
    medians = {
        key: {
            side: statistics.median(v for r in results if (v := dig(r, key)) is not None)
            for side, results in runs.items()
            if any(dig(r, key) is not None for r in results)
        }
        for key in args.keys
    }
    print(
        json.dumps(
            {"command": command, "before": runs["before"], "after": runs["after"], "median": medians},
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
