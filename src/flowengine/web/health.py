"""``GET /healthz``: JSON for load balancers and monitoring, without login and without secrets.

200 when the database answers at the expected schema, definitions are loaded and a scheduler swept
recently (``FLOWENGINE_HEALTH_MAX_HEARTBEAT_AGE`` seconds, default 300; 0 leaves the scheduler out);
503 otherwise, with the failing part named. ``/healthz?scope=web`` leaves the scheduler out of the
status (still reporting its heartbeat age), for a load balancer that should keep sending requests to a
worker that is itself fine while the separate scheduler process is being restarted.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, request

from flowengine.service import health
from flowengine.web.context import services
from flowengine.web.extensions import csrf

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@csrf.exempt
def healthz() -> tuple[Response, int]:
    svc = services()
    # The heartbeat is written with the services' clock; compare with the same clock.
    result = health.check(
        svc.db, svc.catalog, include_scheduler=request.args.get("scope") != "web", now=svc.flow.clock()
    )
    body = json.dumps(result.as_dict(), ensure_ascii=False)
    return Response(body, mimetype="application/json", headers={"Cache-Control": "no-store"}), (
        200 if result.ok else 503
    )
