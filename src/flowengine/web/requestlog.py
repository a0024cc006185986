"""One structured log line per web request: request id, user, method, path, status, duration.

The request id is taken from an ``X-Request-ID`` header set by a proxy in front (when it looks like an
id), or made here, and is returned in the response's ``X-Request-ID`` so that a user's report, the proxy
log and our log meet. Every record logged while the request is served carries the same id (see
:mod:`flowengine.logs`). ``FLOWENGINE_WORKER_HEADER=1`` adds ``X-Flowengine-Worker: <pid>`` to every
response, so that tests and operators can tell which worker process answered.
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid

from flask import Flask, Response, g, request
from flask_login import current_user

from flowengine.logs import request_context

log = logging.getLogger("flowengine.web.request")

_GOOD_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def _begin() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if _GOOD_ID.match(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()
    g.request_context_token = request_context.set({"request_id": g.request_id, "user_id": None})


def _user_id() -> int | None:
    try:
        if current_user.is_authenticated:
            return int(current_user.account.id)
    except Exception:  # the user loader itself failed (database down): the request is still logged
        return None
    return None


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    request_id = g.get("request_id")
    if started is None or request_id is None:
        return response
    uid = _user_id()
    ctx = request_context.get()
    if ctx is not None:
        ctx["user_id"] = uid
    duration = (time.perf_counter() - started) * 1000
    level = logging.ERROR if response.status_code >= 500 else logging.INFO
    log.log(
        level,
        "%s %s %s %.1fms",
        request.method,
        request.path,
        response.status_code,
        duration,
        extra={
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(duration, 2),
            "remote_addr": request.remote_addr,
        },
    )
    response.headers["X-Request-ID"] = request_id
    if g.get("worker_header"):
        response.headers["X-Flowengine-Worker"] = str(os.getpid())
    return response


def _teardown(_exc: BaseException | None) -> None:
    token = g.pop("request_context_token", None)
    if token is not None:
        request_context.reset(token)


def register(app: Flask, *, worker_header: bool = False) -> None:
    """Time and log every request; ``worker_header`` (``FLOWENGINE_WORKER_HEADER``) adds the worker's pid."""

    def begin() -> None:
        g.worker_header = worker_header
        _begin()

    # First of all before-request hooks, so a request refused by one (CSRF) is still timed and logged.
    app.before_request_funcs.setdefault(None, []).insert(0, begin)
    app.after_request(_finish)
    app.teardown_request(_teardown)
