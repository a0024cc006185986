"""Signing in and out, and changing one's password; throttling and sessions are rules of the service."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from flowengine.errors import ValidationFailed
from flowengine.service import LoginRefused, TooManyAttempts
from flowengine.web.context import services, user_id
from flowengine.web.forms import LoginForm, PasswordForm
from flowengine.web.session import WebUser

bp = Blueprint("auth", __name__)

#: Longest ``next`` followed; a longer one is no page of this site.
MAX_NEXT_LENGTH = 2000


def safe_next(target: str | None) -> str:
    """Only a path on this site: ``next=https://evil.example`` must not turn a login into a redirect.

    Browsers drop tabs and newlines from a URL (``/\\t/evil.example`` becomes ``//evil.example``) and read
    a backslash as a slash, so a target with any control character or backslash is refused whole.
    """
    fallback = url_for("inbox.index")
    if not target or len(target) > MAX_NEXT_LENGTH or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


def _sign_in(account_id: int) -> None:
    """A fresh Flask session over a new server-side session: nothing from before carries over."""
    svc = services()
    account = svc.accounts.get(account_id)
    assert account is not None
    session.clear()
    login_user(WebUser(account, svc.sessions.open(account.id)))


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("inbox.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    refused, retry_after = None, None
    if form.validate_on_submit():
        try:
            account = services().accounts.authenticate(
                form.username.data or "", form.password.data or "", request.remote_addr
            )
        except TooManyAttempts as exc:
            refused, retry_after = exc.message, exc.retry_after
        except LoginRefused as exc:
            refused = exc.message
        else:
            _sign_in(account.id)
            flash(f"欢迎，{account.display_name}。", "success")
            return redirect(safe_next(form.next.data))
    status = 429 if retry_after else (401 if refused else (422 if form.errors else 200))
    headers = {"Retry-After": str(retry_after)} if retry_after else {}
    return render_template("auth/login.html", form=form, refused=refused), status, headers  # type: ignore[return-value]


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    if current_user.is_authenticated:
        services().sessions.end(current_user.session_key)
    logout_user()
    session.clear()
    flash("您已安全退出。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> Response | str | tuple[str, int]:
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            account = services().accounts.change_password(
                user_id(),
                form.current_password.data or "",
                form.new_password.data or "",
                form.confirm_password.data or "",
                request.remote_addr,
            )
        except TooManyAttempts as exc:
            form.current_password.errors = [*form.current_password.errors, exc.message]
            status = 429
        except ValidationFailed as exc:
            for name, message in exc.errors.items():
                getattr(form, name).errors = [*getattr(form, name).errors, message]
        else:
            _sign_in(account.id)  # every session ended with the change; this browser gets a new one
            flash("密码已修改。其他设备上的登录已失效，API 令牌已全部吊销。", "success")
            return redirect(url_for("inbox.index"))
    status = status if status != 200 else (422 if form.errors else 200)
    return render_template("auth/password.html", form=form), status
