"""Signing in and out, and changing one's password; the lockout rule itself is in the service."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from flowengine.errors import ValidationFailed
from flowengine.service import LoginRefused
from flowengine.web.context import services, user_id
from flowengine.web.forms import LoginForm, PasswordForm
from flowengine.web.session import WebUser

bp = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Only a path on this site: ``next=https://evil.example`` must not turn a login into a redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("inbox.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("inbox.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    refused = None
    if form.validate_on_submit():
        try:
            account = services().accounts.authenticate(
                form.username.data or "", form.password.data or "", request.remote_addr
            )
        except LoginRefused as exc:
            refused = exc.message
        else:
            session.clear()  # a fresh session: nothing from before the login carries over
            login_user(WebUser(account))
            flash(f"欢迎，{account.display_name}。", "success")
            return redirect(safe_next(form.next.data))
    status = 401 if refused else (422 if form.errors else 200)
    return render_template("auth/login.html", form=form, refused=refused), status


@bp.route("/logout", methods=["POST"])
def logout() -> Response:
    logout_user()
    session.clear()
    flash("您已安全退出。", "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> Response | str | tuple[str, int]:
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            account = services().accounts.change_password(
                user_id(),
                form.current_password.data or "",
                form.new_password.data or "",
                form.confirm_password.data or "",
                request.remote_addr,
            )
        except ValidationFailed as exc:
            for name, message in exc.errors.items():
                getattr(form, name).errors = [*getattr(form, name).errors, message]
        else:
            login_user(WebUser(account))  # the new fingerprint keeps this session and ends the others
            flash("密码已修改。其他设备上的登录已失效。", "success")
            return redirect(url_for("inbox.index"))
    status = 422 if form.errors else 200
    return render_template("auth/password.html", form=form), status
