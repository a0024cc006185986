"""The approval verbs on the request page (会签, 加签意见, 转办, 加签, 抄送, 已阅, 催办, 拿回) and the
delegations page (账户 → 委托). Thin: each form posts to the service; the service and its access policy decide.

A refused form renders the request page again with the message beside its field (422); a step that moved on
meanwhile answers 409 with the page in its current state; someone who may not do it gets 403 (404 when they
may not even see the request).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response as BaseResponse

from flowengine.errors import CheckFailed, InvalidAction, ValidationFailed
from flowengine.web import fields
from flowengine.web.context import actor, services, user_id

bp = Blueprint("verbs", __name__)


def _render_failed(instance_id: int, verb: str, exc: Exception, values: Mapping[str, Any]) -> tuple[str, int]:
    from flowengine.web.requests import render_request

    if isinstance(exc, InvalidAction):
        return render_request(instance_id, status=409, notice=exc.message)
    assert isinstance(exc, ValidationFailed | CheckFailed)
    form = services().verbs.panel(instance_id, user_id()).sign_form if verb == "sign" else ()
    errors, general = fields.errors_of(exc, form, values)
    return render_request(
        instance_id,
        status=422,
        verb_failed=verb,
        verb_errors=errors,
        verb_general=general,
        verb_values=dict(values),
    )


def _run(
    instance_id: int, verb: str, call: Callable[[], Any], done: str, values: Mapping[str, Any]
) -> BaseResponse | tuple[str, int]:
    try:
        call()
    except (ValidationFailed, CheckFailed, InvalidAction) as exc:
        return _render_failed(instance_id, verb, exc, values)
    flash(done, "success")
    return redirect(url_for("requests.show", instance_id=instance_id))


@bp.route("/requests/<int:instance_id>/sign", methods=["POST"])
@login_required
def sign(instance_id: int) -> BaseResponse | tuple[str, int]:
    svc = services()
    form = svc.verbs.panel(instance_id, user_id()).sign_form  # NotFound (404) for who may not see it
    values = fields.parse(form, request.form)
    decision = request.form.get("decision", "")
    comment = request.form.get("comment", "")
    return _run(
        instance_id,
        "sign",
        lambda: svc.verbs.sign(instance_id, decision, actor(), values, comment),
        "已提交会签意见。",
        {**values, "decision": decision, "comment": comment},
    )


@bp.route("/requests/<int:instance_id>/opinion", methods=["POST"])
@login_required
def opinion(instance_id: int) -> BaseResponse | tuple[str, int]:
    text = request.form.get("comment", "")
    return _run(
        instance_id,
        "opinion",
        lambda: services().verbs.give_opinion(instance_id, text, actor()),
        "已提出加签意见。",
        {"comment": text},
    )


@bp.route("/requests/<int:instance_id>/transfer", methods=["POST"])
@login_required
def transfer(instance_id: int) -> BaseResponse | tuple[str, int]:
    to, reason = request.form.get("to", ""), request.form.get("reason", "")
    return _run(
        instance_id,
        "transfer",
        lambda: services().verbs.transfer(instance_id, to, reason, actor()),
        "已转办。",
        {"to": to, "reason": reason},
    )


@bp.route("/requests/<int:instance_id>/add-signer", methods=["POST"])
@login_required
def add_signer(instance_id: int) -> BaseResponse | tuple[str, int]:
    to, mode, reason = (
        request.form.get("to", ""),
        request.form.get("mode", ""),
        request.form.get("reason", ""),
    )
    return _run(
        instance_id,
        "add",
        lambda: services().verbs.add_signer(instance_id, to, mode, reason, actor()),
        "已加签，等待对方提出意见。",
        {"to": to, "mode": mode, "reason": reason},
    )


@bp.route("/requests/<int:instance_id>/copy", methods=["POST"])
@login_required
def copy(instance_id: int) -> BaseResponse | tuple[str, int]:
    to, comment = request.form.getlist("to"), request.form.get("comment", "")
    return _run(
        instance_id,
        "copy",
        lambda: services().verbs.copy(instance_id, to, comment, actor()),
        "已抄送。",
        {"to": to, "comment": comment},
    )


@bp.route("/requests/<int:instance_id>/read", methods=["POST"])
@login_required
def read(instance_id: int) -> BaseResponse | tuple[str, int]:
    return _run(instance_id, "read", lambda: services().verbs.mark_read(instance_id, actor()), "已阅。", {})


@bp.route("/requests/<int:instance_id>/urge", methods=["POST"])
@login_required
def urge(instance_id: int) -> BaseResponse | tuple[str, int]:
    comment = request.form.get("comment", "")
    return _run(
        instance_id,
        "urge",
        lambda: services().verbs.urge(instance_id, comment, actor()),
        "已催办，办理人将收到通知。",
        {"comment": comment},
    )


@bp.route("/requests/<int:instance_id>/take-back", methods=["POST"])
@login_required
def take_back(instance_id: int) -> BaseResponse | tuple[str, int]:
    return _run(
        instance_id,
        "take_back",
        lambda: services().verbs.take_back(instance_id, actor()),
        "已拿回，请重新办理。",
        {},
    )


# ---- 委托 ------------------------------------------------------------------------------------------------


@bp.route("/account/delegations/", methods=["GET", "POST"])
@login_required
def delegations() -> tuple[str, int] | BaseResponse:
    svc = services()
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {
            k: request.form.get(k, "") for k in ("delegate", "starts_on", "ends_on", "workflow", "reason")
        }
        try:
            svc.delegations.create(
                user_id(),
                values["delegate"],
                values["starts_on"],
                values["ends_on"],
                values["workflow"] or None,
                values["reason"],
                request.remote_addr,
            )
        except ValidationFailed as exc:
            errors, status = dict(exc.errors), 422
        else:
            flash("已设置委托。", "success")
            return redirect(url_for("verbs.delegations"))
    workflows = [(d.name, d.title) for d in svc.catalog.current.values()]
    return render_template(
        "account/delegations.html",
        items=svc.delegations.list_for(user_id()),
        colleagues=svc.verbs.colleagues_of(user_id()),
        workflows=workflows,
        values=values,
        errors=errors,
    ), status


@bp.route("/account/delegations/<int:delegation_id>/revoke", methods=["POST"])
@login_required
def revoke_delegation(delegation_id: int) -> BaseResponse:
    services().delegations.revoke(user_id(), delegation_id, request.remote_addr)  # NotFound if not one's own
    flash("已撤销委托。", "success")
    return redirect(url_for("verbs.delegations"))
