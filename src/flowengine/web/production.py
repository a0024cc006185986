"""``flowengine serve --production``: check everything a worker needs, then become gunicorn.

The checks run once, in this process, before any worker starts: the schema must be current (workers
never migrate), the definitions are recorded (so workers do not race to record them) and the session
key exists (so all workers sign cookies alike). Then the process is replaced by gunicorn running
:mod:`flowengine.web.wsgi` with :mod:`flowengine.web.gunicorn_conf`; the scheduler is not started.
"""

from __future__ import annotations

import os
import sys

from flowengine.service import Services
from flowengine.web import create_app

APP = "flowengine.web.wsgi:app"
CONFIG = "python:flowengine.web.gunicorn_conf"


def gunicorn_argv(host: str, port: int, workers: int | None, extra: tuple[str, ...] = ()) -> list[str]:
    argv = [sys.executable, "-m", "gunicorn", "--config", CONFIG, "--bind", f"{host}:{port}"]
    if workers is not None:
        argv += ["--workers", str(workers)]
    return [*argv, *extra, APP]


def prepare(services: Services) -> None:
    """Build the application once (creates the session key file if there is none), then let it go."""
    create_app(services)


def exec_gunicorn(argv: list[str]) -> None:  # pragma: no cover - replaces the process
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(argv[0], argv)
