"""The JSON API, ``/api/v1``: the same service calls as the web UI, for scripts and other platforms.

Authentication is a personal API token (:mod:`flowengine.service.identity.tokens`) sent as ``Authorization:
Bearer``; the session cookie is ignored, so the API is exempt from CSRF. The OpenAPI 3.1 description is
served at ``/api/v1/openapi.json`` and rendered at ``/api/v1/docs``; errors are JSON of one shape
(:mod:`.errors`).
"""

from __future__ import annotations

from flask import Blueprint

from flowengine.web.api.schema import PREFIX
from flowengine.web.extensions import csrf

bp = Blueprint("api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)

#: Endpoints anyone may read: the description of the API itself.
PUBLIC_ENDPOINTS = frozenset({"api.openapi", "api.docs"})


def _before() -> None:
    from flask import request

    from flowengine.web.api.auth import authenticate

    if request.endpoint not in PUBLIC_ENDPOINTS:
        authenticate()


bp.before_request(_before)

from flowengine.web.api import admin as _admin  # noqa: E402,F401  (administrators: everyone's tokens)
from flowengine.web.api import errors as _errors  # noqa: E402
from flowengine.web.api import routes as _routes  # noqa: E402,F401  (registers the endpoints on bp)
from flowengine.web.api import verbs as _verbs  # noqa: E402,F401  (the approval verbs' endpoints)

_errors.register(bp)

__all__ = ["bp"]
