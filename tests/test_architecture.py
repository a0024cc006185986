"""The layering of the code is a contract, checked like behaviour: the engine cannot grow a Flask or
SQLAlchemy import by accident, and the code stays lint-clean and type-clean."""

from __future__ import annotations

import gc
import re
import subprocess
import sys
from pathlib import Path

from mypy import api as mypy_api

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_import_layers_are_kept() -> None:
    result = subprocess.run([str(BIN / "lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_ruff_is_clean() -> None:
    result = subprocess.run(
        [str(BIN / "ruff"), "check", "src", "tests", "bench"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_applied() -> None:
    """The code is as ``ruff format`` writes it (applied once over the whole tree, kept by pre-commit)."""
    result = subprocess.run(
        [str(BIN / "ruff"), "format", "--check", "src", "tests", "bench"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_only_the_settings_read_the_environment() -> None:
    """Every ``FLOWENGINE_*`` variable is read by :class:`flowengine.config.Settings`, and each is in the one
    table of docs/deployment.md §7."""
    readers = [
        f"{p.relative_to(ROOT)}:{i}"
        for p in sorted((ROOT / "src" / "flowengine").rglob("*.py"))
        if p.name != "config.py"
        for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if "os.environ" in line or "getenv(" in line
    ]
    assert not readers, readers
    config = (ROOT / "src" / "flowengine" / "config.py").read_text(encoding="utf-8")
    table = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    read = set(re.findall(r'"(FLOWENGINE_[A-Z_]+)"', config))
    assert read, "config.py reads no variable?"
    documented = set(re.findall(r"`(FLOWENGINE_[A-Z_]+)`", table))
    assert read - documented == set(), f"read but not documented: {sorted(read - documented)}"


def test_mypy_passes() -> None:
    """In process, with the project's [tool.mypy] config and incremental cache (cold ~8 s, warm under 1 s)."""
    # mypy tunes the process's garbage collector and recursion limit for itself; the other tests of this
    # worker get them back.
    threshold, recursion_limit = gc.get_threshold(), sys.getrecursionlimit()
    try:
        stdout, stderr, status = mypy_api.run(
            [
                "--config-file",
                str(ROOT / "pyproject.toml"),
                "--cache-dir",
                str(ROOT / ".mypy_cache"),
                str(ROOT / "src" / "flowengine"),
            ]
        )
    finally:
        gc.set_threshold(*threshold)
        sys.setrecursionlimit(recursion_limit)
    print(stdout, stderr)
    assert status == 0, stdout + stderr
