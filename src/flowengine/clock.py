"""The one clock type: every service reads the time through a :data:`Clock`, so tests can move it by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

Clock = Callable[[], dt.datetime]


def utcnow() -> dt.datetime:
    """The real clock: an aware UTC instant."""
    return dt.datetime.now(dt.UTC)
