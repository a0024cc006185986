"""Starting a request, the request page, acting on it, and its downloads.

Every view asks the service, which decides visibility (a request of another branch is "not found"),
permission (403) and validity (messages per field). A refused form is rendered again with the person's
own input and each message beside its field; a page that went stale (someone else acted first) is shown
again in its current state with a note saying so.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from flowengine.documents.html import render_html
from flowengine.errors import CheckFailed, InvalidAction, PermissionDenied, StaleVersion, ValidationFailed
from flowengine.service import MIMETYPE, mermaid, progress, request_steps, task_timing, timeline
from flowengine.spreadsheet import XLSX, csv_text, workbook
from flowengine.vocabulary import STEP_KINDS, ActionKind, InstanceStatus, title_of
from flowengine.web import fields
from flowengine.web.context import actor, services, user_id
from flowengine.web.forms import StartForm, StepForm
from flowengine.web.inputs import id_arg

bp = Blueprint("requests", __name__, url_prefix="/requests")

#: Action kinds that decide a step: the state they leave is where a reviewer decides.
DECISION_KINDS = (ActionKind.APPROVE, ActionKind.RETURN, ActionKind.REJECT)


# ---- starting --------------------------------------------------------------------------------------


@bp.app_context_processor
def start_offer() -> dict[str, Callable[[], bool]]:
    """``can_start()`` for the header and the inbox: "发起申请" is offered only to those who may start something."""

    def can_start() -> bool:
        if not current_user.is_authenticated:
            return False
        if "can_start" not in g:
            g.can_start = bool(services().flow.startable(user_id()))
        return bool(g.can_start)

    return {"can_start": can_start}


@bp.route("/new")
@login_required
def choose() -> str:
    """The procedures this person may start, each with the organizations they may start it for."""
    svc = services()
    offers = [svc.queries.start_context(user_id(), d.name) for d, _ in svc.flow.startable(user_id())]
    return render_template("requests/choose.html", offers=offers)


@bp.route("/new/<workflow>", methods=["GET", "POST"])
@login_required
def start(workflow: str) -> BaseResponse | str | tuple[str, int]:
    svc = services()
    ctx = svc.queries.start_context(user_id(), workflow)
    definition = ctx.definition
    form = StartForm()
    allowed = {o.id for o in ctx.orgs}
    raw_org = request.form.get("org_id") if request.method == "POST" else request.args.get("org")
    org_id = id_arg(raw_org) if raw_org else (ctx.orgs[0].id if len(ctx.orgs) == 1 else None)
    if org_id is not None and org_id not in allowed:
        abort(403)
    values: Mapping[str, Any] = dict(ctx.prefill.get(org_id, {})) if org_id else {}
    field_errors: dict[str, str] = {}
    general: list[str] = []
    status = 200
    if request.method == "POST":
        values = fields.parse(definition.start.form, request.form)
        if not form.validate() or org_id is None:
            field_errors["org_id"] = "请选择要发起申请的组织"
            status = 422
        else:
            try:
                inst = svc.flow.start(workflow, org_id, actor(), values, form.comment.data)
            except (ValidationFailed, CheckFailed) as exc:
                field_errors, general = fields.errors_of(exc, definition.start.form, values)
                status = 422
            except InvalidAction as exc:
                general = [exc.message]
                status = 409
            else:
                flash(f"已发起“{inst.title}”，当前步骤：{inst.state_title}。", "success")
                return redirect(url_for("requests.show", instance_id=inst.id))
    return render_template(
        "requests/start.html",
        ctx=ctx,
        definition=definition,
        form=form,
        org_id=org_id,
        values=values,
        errors=field_errors,
        general=general,
    ), status


# ---- the request page ------------------------------------------------------------------------------


def render_request(
    instance_id: int,
    *,
    status: int = 200,
    failed: str | None = None,
    values: Mapping[str, Any] | None = None,
    field_errors: Mapping[str, str] | None = None,
    general: list[str] | None = None,
    comment: str | None = None,
    notice: str | None = None,
    verb_failed: str | None = None,
    verb_errors: Mapping[str, str] | None = None,
    verb_general: list[str] | None = None,
    verb_values: Mapping[str, Any] | None = None,
) -> tuple[str, int]:
    svc = services()
    uid = user_id()
    panel = svc.verbs.panel(instance_id, uid)
    inst = svc.flow.get(instance_id, uid)
    definition = svc.flow.definition_of(instance_id, uid)
    trail = svc.flow.trail(instance_id, uid)
    actions = svc.flow.available_actions(instance_id, uid)
    now = svc.flow.clock()
    documents = svc.documents.list_for(instance_id, uid)
    subject = None
    if definition.subject is not None:
        try:
            record = svc.flow.subject(instance_id, uid)
        except PermissionDenied:
            record = None  # a reader the request was only copied to sees the name in the title, no more
        if record is not None:
            labels = {f.name: f for f in definition.start.form}
            subject = [(labels[k], record.data.get(k)) for k in definition.subject.fields if k in labels]
    newest = {d.name: d.id for d in documents}  # a step redone after a return issues its document again
    action_titles = {a.name: a.title for a in definition.actions}
    forms = []
    summary: list[tuple[str, str, str]] = []
    for a in actions:
        if a.name == failed:
            forms.append((a, values or {}, field_errors or {}, general or [], comment or ""))
            summary = fields.error_summary(a.form, values or {}, field_errors or {}, f"comment-{a.name}")
        else:
            forms.append((a, a.prefill, {}, [], ""))
    # One opinion box per decision: where a step is decided (it can be approved, returned or refused), a form
    # that has a free-text field of its own (审核意见, 批复意见) takes the opinion there, with no second box.
    decided = {src for a in definition.actions if a.kind in DECISION_KINDS for src in a.sources}
    single_opinion = {
        a.name
        for a in actions
        if not a.comment_required
        and any(f.type == "text" for f in a.form)
        and set(definition.action(a.name).sources) & decided
    }
    steps = request_steps(definition, inst)
    # What is being decided comes first: the data of the step that brought the request here (and the
    # documents it issued), then the decision forms; every earlier step's data stays a click away.
    latest_action = next(
        (
            e.action
            for e in reversed(trail)
            if e.kind in STEP_KINDS and e.to_state == inst.state and e.action in inst.data
        ),
        None,
    )
    latest = next((st for st in steps if st.key == latest_action), None)
    return render_template(
        "requests/show.html",
        inst=inst,
        may_export_trail=svc.flow.addresses_visible(instance_id, uid),
        subject=subject,
        definition=definition,
        forms=forms,
        step_form=StepForm(),
        diagram=mermaid(definition, inst.state, svc.queries.visited_states(trail)),
        progress=progress(definition, trail, inst.state, documents),
        steps=steps,
        latest=latest,
        latest_documents=[d for d in documents if d.action == latest_action and newest[d.name] == d.id],
        summary=summary,
        single_opinion=single_opinion,
        timeline=timeline(definition, trail),
        documents=[(d, newest[d.name] == d.id, action_titles.get(d.action, d.action)) for d in documents],
        tasks=[(t, task_timing(t, now)) for t in inst.open_tasks],
        failed=failed,
        notice=notice,
        read_only=not actions and not (panel.may_sign or panel.may_give_opinion or panel.copied_unread),
        panel=panel,
        verb_failed=verb_failed,
        verb_errors=verb_errors or {},
        verb_general=verb_general or [],
        verb_values=verb_values or {},
        is_auditor=current_user.account.is_auditor,
        previews=svc.documents.previewable(definition) if actions else {},
        status_title=title_of(InstanceStatus, inst.status),
    ), status


@bp.route("/<int:instance_id>")
@login_required
def show(instance_id: int) -> tuple[str, int]:
    return render_request(instance_id)


@bp.route("/<int:instance_id>/actions/<action>", methods=["POST"])
@login_required
def act(instance_id: int, action: str) -> BaseResponse | tuple[str, int]:
    svc = services()
    definition = svc.flow.definition_of(instance_id, user_id())  # NotFound (404) for those who may not see it
    try:
        action_def = definition.action(action)
    except KeyError:
        abort(404)
    if not svc.flow.may_act(instance_id, action, user_id()):
        raise PermissionDenied(f"您没有办理“{action_def.title}”的权限。")
    form = StepForm()
    values = fields.parse(action_def.form, request.form)
    comment = form.comment.data or ""
    if not form.validate():
        errors = {k: "；".join(v) for k, v in form.errors.items() if isinstance(k, str)}
        return render_request(
            instance_id,
            status=422,
            failed=action,
            values=values,
            field_errors=errors,
            general=[m for k, v in form.errors.items() if k == "version" for m in v],
            comment=comment,
        )
    try:
        inst = svc.flow.act(instance_id, action, actor(), values, comment, expected_version=form.version.data)
    except (ValidationFailed, CheckFailed) as exc:
        field_errors, general = fields.errors_of(exc, action_def.form, values)
        return render_request(
            instance_id,
            status=422,
            failed=action,
            values=values,
            field_errors=field_errors,
            general=general,
            comment=comment,
        )
    except StaleVersion as exc:
        kept = f"您填写的意见未提交：“{comment}”。" if comment.strip() else ""
        return render_request(instance_id, status=409, notice=f"{exc.message}{kept}")
    except InvalidAction as exc:
        return render_request(instance_id, status=409, notice=exc.message)
    flash(f"已办理“{action_def.title}”。当前步骤：{inst.state_title}。", "success")
    return redirect(url_for("requests.show", instance_id=instance_id))


# ---- document previews -----------------------------------------------------------------------------


@bp.route("/<int:instance_id>/actions/<action>/preview", methods=["POST"])
@login_required
def preview(instance_id: int, action: str) -> tuple[str, int]:
    """The documents the step would issue with the form as it is filled in now ("预览请示"): composed and laid
    out from the same model as the .docx; nothing is saved, no number is used."""
    svc = services()
    definition = svc.flow.definition_of(instance_id, user_id())  # NotFound (404) for those who may not see it
    try:
        action_def = definition.action(action)
    except KeyError:
        abort(404)
    if not svc.flow.may_act(instance_id, action, user_id()):
        raise PermissionDenied(f"您没有办理“{action_def.title}”的权限。")
    StepForm()  # CSRF is checked by the app for every POST
    values = fields.parse(action_def.form, request.form)
    inst = svc.flow.get(instance_id, user_id())
    try:
        previews = svc.documents.preview(instance_id, action, user_id(), values)
    except (ValidationFailed, CheckFailed) as exc:
        field_errors, general = fields.errors_of(exc, action_def.form, values)
        labels = {f.name: f.label for f in action_def.form}
        messages = [f"{labels.get(k, k)}：{m}" for k, m in field_errors.items()] + list(general)
        return render_template(
            "requests/preview.html", inst=inst, action=action_def, previews=[], errors=messages
        ), 422
    except InvalidAction as exc:
        return render_template(
            "requests/preview.html", inst=inst, action=action_def, previews=[], errors=[exc.message]
        ), 409
    return render_template(
        "requests/preview.html",
        inst=inst,
        action=action_def,
        previews=[(p, Markup(render_html(p.document))) for p in previews],
        errors=[],
    ), 200


@bp.route("/<int:instance_id>/documents/<int:document_id>/preview")
@login_required
def document_preview(instance_id: int, document_id: int) -> tuple[str, int]:
    """An issued document in the browser as it prints: the HTML rendering of the model it was made of."""
    svc = services()
    view = svc.documents.get(document_id, user_id()).view  # NotFound (404) for those who may not see it
    if view.instance_id != instance_id:
        abort(404)
    stored = svc.documents.model_of(document_id, user_id())
    inst = svc.flow.get(instance_id, user_id())
    return render_template(
        "requests/document.html",
        inst=inst,
        d=view,
        stored=stored,
        html=Markup(render_html(stored.document)) if stored.document else None,
    ), 200


# ---- downloads -------------------------------------------------------------------------------------


def _download(content: str | bytes, mimetype: str, filename: str) -> Response:
    response = send_file(
        io.BytesIO(content.encode("utf-8") if isinstance(content, str) else content),
        mimetype=mimetype,
        as_attachment=True,
        download_name=filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:instance_id>/trail.csv")
@login_required
def trail_csv(instance_id: int) -> Response:
    """The request's audit trail for people (纪检): names, role titles, action and step titles, the data as
    text, in Chinese; UTF-8 with a BOM so that Excel reads it; no cell is a formula."""
    table = services().trails.of_request(
        instance_id, user_id()
    )  # NotFound (404) for those who may not see it
    return _download(csv_text(table.header, table.rows), "text/csv; charset=utf-8", f"{table.title}.csv")


@bp.route("/<int:instance_id>/trail.xlsx")
@login_required
def trail_xlsx(instance_id: int) -> Response:
    """The same readable trail as an Excel workbook."""
    table = services().trails.of_request(instance_id, user_id())
    return _download(workbook("审计记录", table.header, table.rows), XLSX, f"{table.title}.xlsx")


@bp.route("/<int:instance_id>/trail.json")
@login_required
def trail_json(instance_id: int) -> Response:
    """The request's audit chain in the ledger's export format (``flowengine audit export --format json``):
    codes, every hashed field and both hashes, so the file verifies offline with ``flowengine audit verify
    --export``."""
    svc = services()
    inst = svc.flow.get(instance_id, user_id())  # NotFound (404) for those who may not see it
    if not svc.flow.addresses_visible(inst.id, user_id()):
        raise PermissionDenied("审计记录导出含审批人的网络地址，仅审计人员可以导出。")
    out = io.StringIO()
    svc.ledger.export(out, "json", instance_ids=[inst.id], now=svc.flow.clock())
    return _download(out.getvalue(), "application/json", f"request-{inst.id}-audit.json")


@bp.route("/<int:instance_id>/documents/<int:document_id>")
@login_required
def document(instance_id: int, document_id: int) -> Response:
    """A generated document as issued: the stored .docx, byte for byte (its SHA-256 is in the trail)."""
    doc = services().documents.get(document_id, user_id())  # NotFound (404) for those who may not see it
    if doc.view.instance_id != instance_id:
        abort(404)
    response = send_file(
        io.BytesIO(doc.content),
        mimetype=MIMETYPE,
        as_attachment=True,
        download_name=doc.view.filename,
        etag=doc.view.sha256,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response
