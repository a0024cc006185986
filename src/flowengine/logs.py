"""Structured logging for every process: JSON lines (production) or readable text (a terminal).

``FLOWENGINE_LOG_FORMAT`` is ``json`` or ``text``; ``FLOWENGINE_LOG_LEVEL`` a level name (``INFO``).
A JSON line carries ``time``, ``level``, ``logger``, ``message``, the process id, the exception if any,
and the request context (``request_id``, ``user_id``) of whatever the web layer was serving when the
record was made, plus any ``extra=`` fields given to the logging call (the web request log gives
``method``, ``path``, ``status``, ``duration_ms``).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import sys
from collections.abc import Mapping
from typing import Any

from flowengine.config import Settings

FORMATS = ("json", "text")

#: The request being served in this thread/context: ``{"request_id": ..., "user_id": ...}``.
request_context: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar(
    "flowengine_request_context", default=None
)

# Attributes every LogRecord has; anything else on a record came from ``extra=`` and is logged as a field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line, UTF-8 text kept readable (``ensure_ascii=False``)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        ctx = request_context.get()
        if ctx:
            out.update({k: v for k, v in ctx.items() if v is not None})
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time level logger: message [request_id=… user_id=… key=value …]`` for people at a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        fields = dict(request_context.get() or {})
        fields.update({k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")})
        shown = " ".join(f"{k}={v}" for k, v in fields.items() if v is not None)
        if not shown:
            return text
        head, sep, tail = text.partition("\n")  # keep a traceback below the fields
        return f"{head} [{shown}]{sep}{tail}"


def log_settings(env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(level, format) from the environment; unknown values fall back to INFO and text, with a warning."""
    settings = Settings.from_env(env)
    return settings.log_level, settings.log_format


def formatter(fmt: str) -> logging.Formatter:
    return JsonFormatter() if fmt == "json" else TextFormatter()


def configure_logging(env: Mapping[str, str] | None = None, *, stream: Any = None) -> None:
    """Send every logger's records to stderr (or ``stream``) in the configured format and level.

    Replaces the root logger's handlers, so calling it again (a worker after the master) is harmless.
    """
    level, fmt = log_settings(env)
    problems = []
    if fmt not in FORMATS:
        problems.append(f"FLOWENGINE_LOG_FORMAT={fmt!r} is not one of {', '.join(FORMATS)}; using text")
        fmt = "text"
    if not isinstance(logging.getLevelName(level), int):
        problems.append(f"FLOWENGINE_LOG_LEVEL={level!r} is not a logging level; using INFO")
        level = "INFO"
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(fmt))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name, chatty_level in _CHATTY.items():  # their INFO lines repeat what our own log and audit say
        logging.getLogger(name).setLevel(chatty_level if root.level > logging.DEBUG else logging.DEBUG)
    for problem in problems:
        logging.getLogger(__name__).warning(problem)


#: Libraries that log every step at INFO: transitions each callback of every action (a dozen lines per
#: act), APScheduler each run of the sweep job every minute. Shown again with FLOWENGINE_LOG_LEVEL=DEBUG.
_CHATTY = {"transitions": "WARNING", "apscheduler.executors": "WARNING", "apscheduler.scheduler": "WARNING"}


def gunicorn_logconfig(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for gunicorn's own loggers in the same format as the application."""
    level, fmt = log_settings(env)
    fmt = fmt if fmt in FORMATS else "text"
    level = level if isinstance(logging.getLevelName(level), int) else "INFO"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"flowengine": {"()": JsonFormatter if fmt == "json" else TextFormatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "flowengine",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": level, "handlers": [], "propagate": True},
            # Requests are logged by the application itself (flowengine.web.request), with user and duration.
            "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
            **{
                name: {"level": chatty if level != "DEBUG" else "DEBUG", "handlers": [], "propagate": True}
                for name, chatty in _CHATTY.items()
            },
        },
    }
