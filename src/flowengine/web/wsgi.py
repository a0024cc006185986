"""The WSGI application for production servers: ``gunicorn flowengine.web.wsgi:app``.

Each worker process imports this module and builds its own application, database engine and connection
pool (never share those across a fork: run gunicorn without ``--preload``). Nothing here migrates the
schema or starts the scheduler: on PostgreSQL a worker refuses to start on an outdated schema
(``flowengine db upgrade`` is an operator's step), and the scheduler is its own process
(``flowengine scheduler``), so N workers never mean N sweeps.
"""

from __future__ import annotations

import logging

from flask import Flask
from sqlalchemy.exc import IntegrityError

from flowengine.config import Settings
from flowengine.logs import configure_logging
from flowengine.service import open_services
from flowengine.web import create_app

log = logging.getLogger(__name__)


def build(settings: Settings | None = None) -> Flask:
    """One worker's application. Definitions new to the database are recorded by whichever worker comes
    first; a worker that lost that race (unique key) opens again and finds them recorded."""
    settings = settings or Settings.from_env()
    try:
        services = open_services(settings, auto_upgrade=False)
    except IntegrityError:
        log.info("another worker recorded the definitions first; opening again")
        services = open_services(settings, auto_upgrade=False)
    return create_app(services, production=True)


configure_logging()
app = build()
