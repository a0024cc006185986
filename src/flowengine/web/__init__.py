"""The web UI: a Flask application factory over the service layer, one blueprint per area.

Views are thin: they read the request, call :mod:`flowengine.service`, and render a template. No rule of
a procedure is decided here — who may act, what is valid and what happens next all come from the service,
so the UI, the API and the CLI cannot drift apart. Templates and static files live in the project's
top-level ``web/`` folder, found from a checkout or an installed wheel by :func:`shipped_dir`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix

from flowengine.config import shipped_dir
from flowengine.files import private_dir
from flowengine.service import ORG_OPTIONS_LIMIT, Services, open_services
from flowengine.web import errors, formatting, inputs, requestlog
from flowengine.web.context import EXTENSION_KEY
from flowengine.web.extensions import csrf, login_manager

__all__ = ["create_app"]

# Mermaid draws its SVG with inline <style> elements, so styles need 'unsafe-inline'; scripts do not.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
)


def _secret_key(services: Services) -> str:
    """FLOWENGINE_SECRET_KEY, or a random key kept in the data folder so sessions survive a restart."""
    configured = services.settings.secret_key
    if configured:
        return configured
    path = Path(services.settings.data_dir) / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    private_dir(path.parent)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key)
    return key


#: HSTS in production: a year, subdomains included (the deployment serves only HTTPS behind its proxy).
HSTS = "max-age=31536000; includeSubDomains"


def create_app(
    services: Services | None = None, *, config: Mapping[str, Any] | None = None, production: bool = False
) -> Flask:
    """Build the web application over ``services`` (opened from the environment when not given).

    ``production`` (``flowengine serve --production``, :mod:`flowengine.web.wsgi`) turns on ``Secure``
    cookies and HSTS unless FLOWENGINE_SECURE_COOKIES=0 says the site is served over plain HTTP.
    """
    services = services or open_services()
    security = services.settings.security
    secure = services.settings.secure_cookies
    secure = production if secure is None else secure
    web = shipped_dir("web")
    app = Flask(
        __name__,
        template_folder=str(web / "templates"),
        static_folder=str(web / "static"),
        static_url_path="/static",
    )
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_NAME="flowengine_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        # The cookie outlives no server-side session (FLOWENGINE_SESSION_MAX_HOURS ends that one).
        PERMANENT_SESSION_LIFETIME=security.session_max_hours * 3600,
        WTF_CSRF_TIME_LIMIT=8 * 3600,  # a long form may stay open for a working morning
        WTF_I18N_ENABLED=False,  # WTForms' own Chinese messages (forms.ChineseForm)
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        SEND_FILE_MAX_AGE_DEFAULT=3600,
        PER_PAGE=20,
        ORG_OPTIONS_LIMIT=ORG_OPTIONS_LIMIT,  # more organizations than this: filters search names instead
    )
    if config:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _secret_key(services)
    app.extensions[EXTENSION_KEY] = services
    if security.proxy_hops:
        # The client's address, scheme and host as the documented proxy (FLOWENGINE_PROXY_HOPS of them)
        # saw them: the audit trail and the sign-in throttle then see people, not the proxy.
        n = security.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    login_manager.init_app(app)
    csrf.init_app(app)
    from flowengine.web import session  # noqa: F401  (registers the user loader)

    formatting.register(app)
    errors.register(app)
    inputs.register(app)  # before the blueprints: their <int:…> rules take its bounded converter
    requestlog.register(app, worker_header=services.settings.worker_header)
    _register_blueprints(app)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        if secure and production:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response

    return app


def _register_blueprints(app: Flask) -> None:
    from flowengine.web import admin, audit, auth, health, inbox, notifications, requests

    for module in (auth, inbox, requests, audit, admin, notifications, health):
        app.register_blueprint(module.bp)
    from flowengine.web import api, tokens  # the JSON API (token-authenticated) and the page for its tokens

    app.register_blueprint(api.bp)
    app.register_blueprint(tokens.bp)
    from flowengine.web import supervision  # 督导: the superior organization's view of its units

    app.register_blueprint(supervision.bp)
    from flowengine.web import verbs  # 会签, 转办, 加签, 抄送, 催办, 拿回 on the request page; 委托

    app.register_blueprint(verbs.bp)
    from flowengine.web import verify  # 扫码验真: public, no login

    app.register_blueprint(verify.bp)
    app.jinja_env.globals.update(nav=_nav)


def _nav() -> dict[str, Any]:
    """What the navigation bar shows for the signed-in person (counts come from the service)."""
    from flask_login import current_user

    from flowengine.web.context import services

    if not current_user.is_authenticated:
        return {}
    account = current_user.account
    return {
        "inbox_count": services().inbox.open(account.id, per_page=1).total,
        "is_auditor": account.is_auditor,
        "is_admin": account.is_admin,
    }
