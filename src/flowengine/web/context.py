"""Access to the service layer and the signed-in person from inside a request."""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

from flowengine.service import Actor, Services

EXTENSION_KEY = "flowengine"


def services() -> Services:
    services: Services = current_app.extensions[EXTENSION_KEY]
    return services


def actor() -> Actor:
    """The caller as the service records them: user id plus client address for the audit trail."""
    return Actor(int(current_user.account.id), request.remote_addr)


def user_id() -> int:
    return int(current_user.account.id)
