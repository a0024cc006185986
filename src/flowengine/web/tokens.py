"""账户 → API 令牌: a person creates and revokes their own personal API tokens.

A new token is shown exactly once, on the page that answers its creation (not after a redirect, and with
``Cache-Control: no-store``), because only its hash is kept. Everything else — the name rule, the audit
events, that nobody revokes another person's token — is :class:`flowengine.service.identity.tokens.ApiTokens`.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import Length

from flowengine.errors import ValidationFailed
from flowengine.service import MAX_NAME_LENGTH, NewToken
from flowengine.web.context import services, user_id
from flowengine.web.forms import ChineseForm

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")


class TokenForm(ChineseForm):
    name = StringField("令牌名称（用途）", validators=[Length(max=MAX_NAME_LENGTH)])


def _page(form: TokenForm, created: NewToken | None = None, status: int = 200) -> tuple[str, int]:
    tokens = services().tokens.list_for(user_id())
    return render_template("account/tokens.html", form=form, tokens=tokens, created=created), status


@bp.route("/", methods=["GET", "POST"])
@login_required
def index() -> tuple[str, int]:
    form = TokenForm()
    if request.method == "POST" and form.validate_on_submit():
        try:
            created = services().tokens.create(user_id(), form.name.data or "", request.remote_addr)
        except ValidationFailed as exc:
            form.name.errors = [*form.name.errors, *exc.errors.values()]
            return _page(form, status=422)
        form.name.data = ""
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
