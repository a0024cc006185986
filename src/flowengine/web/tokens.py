"""账户 → API 令牌: a person creates and revokes their own personal API tokens.

A new token is shown exactly once, on the page that answers its creation (not after a redirect, and with
``Cache-Control: no-store``), because only its hash is kept. Everything else — the name rule, the audit
events, that nobody revokes another person's token — is :class:`flowengine.service.identity.tokens.ApiTokens`.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from flowengine.errors import ValidationFailed
from flowengine.service import MAX_NAME_LENGTH, SCOPES, NewToken
from flowengine.web.context import services, user_id
from flowengine.web.forms import ChineseForm

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")


class TokenForm(ChineseForm):
    name = StringField("令牌名称（用途）", validators=[Length(max=MAX_NAME_LENGTH)])
    scope = SelectField("权限", default="read")
    days = IntegerField(
        "有效期（天）", validators=[Optional(), NumberRange(min=1, message="有效期至少 1 天")]
    )


def _page(form: TokenForm, created: NewToken | None = None, status: int = 200) -> tuple[str, int]:
    tokens = services().tokens.list_for(user_id())
    return render_template("account/tokens.html", form=form, tokens=tokens, created=created), status


@bp.route("/", methods=["GET", "POST"])
@login_required
def index() -> tuple[str, int]:
    svc = services()
    form = TokenForm()
    form.scope.choices = list(SCOPES.items())
    if request.method == "GET":
        form.days.data = svc.settings.security.token_default_days
    form.days.render_kw = {"max": svc.settings.security.token_max_days, "min": 1}
    if request.method == "POST" and form.validate_on_submit():
        try:
            created = svc.tokens.create(
                user_id(),
                form.name.data or "",
                request.remote_addr,
                days=form.days.data,
                scope=form.scope.data or "",
            )
        except ValidationFailed as exc:
            for name, message in exc.errors.items():
                field = getattr(form, name)
                field.errors = [*field.errors, message]
            return _page(form, status=422)
        form.name.data = ""
        form.days.data = svc.settings.security.token_default_days
        return _page(form, created, 201)
    return _page(form, status=422 if form.errors else 200)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int) -> Response:
    revoked = services().tokens.revoke(
        token_id, user_id(), client_addr=request.remote_addr
    )  # NotFound if not own
    flash(f"已吊销令牌“{revoked.name}”（fe_{revoked.prefix}_…），使用它的程序将无法再访问。", "success")
    return redirect(url_for("tokens.index"))
