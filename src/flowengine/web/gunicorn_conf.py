"""gunicorn settings for flowengine: ``gunicorn -c python:flowengine.web.gunicorn_conf flowengine.web.wsgi:app``.

``flowengine serve --production`` runs exactly that, adding ``--bind`` and ``--workers`` from its options.
Every value can be set from the environment (documented in docs/deployment.md); command-line options
given to gunicorn take precedence over this file.
"""

from __future__ import annotations

import os

from flowengine.config import Settings
from flowengine.logs import gunicorn_logconfig

_web = Settings.from_env().web

bind = [_web.bind]
#: Sync workers: each handles one request at a time, which suits a CPU-bound Flask app on PostgreSQL.
workers = _web.workers or (2 * (os.cpu_count() or 1) + 1)
worker_class = "sync"
timeout = _web.timeout
graceful_timeout = 30
#: Restart a worker now and then so that slow leaks cannot grow without bound.
max_requests = _web.max_requests
max_requests_jitter = max_requests // 10
#: Each worker builds its own app and database pool after the fork (never share connections across one).
preload_app = False
#: Trust X-Forwarded-For/-Proto only from these addresses (the reverse proxy), so audit records carry the
#: user's address rather than the proxy's.
forwarded_allow_ips = _web.forwarded_allow_ips
proc_name = "flowengine-web"
accesslog = None  # requests are logged by the application (flowengine.web.request), with user and duration
logconfig_dict = gunicorn_logconfig()
#: gunicorn ≥ 24's control socket sits at one path per user: several instances on one host (tests, a
#: blue/green switch) would fight over it, and flowengine does not use it.
control_socket_disable = True
