"""Flask extensions, created unbound here and bound to an app in :func:`flowengine.web.create_app`."""

from __future__ import annotations

from flask_login import LoginManager
from flask_wtf import CSRFProtect

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "warning"

#: Every POST, PUT, PATCH and DELETE must carry the session's CSRF token; a missing or wrong one is a 400.
csrf = CSRFProtect()
