"""Administration: the organization tree, users and their roles, everyone's API tokens, and the loaded
procedure definitions.

The views only carry forms to :class:`flowengine.service.identity.directory.Directory` and
:class:`flowengine.service.identity.accounts.Accounts`, which check that the caller is an administrator, validate
every field (the messages are shown beside the fields, with what was typed kept) and record each change
on the ``admin`` audit chain.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from flowengine.chinese import china_date
from flowengine.definitions.setting_values import in_words, setting_title
from flowengine.errors import DefinitionError, ValidationFailed
from flowengine.service import ORG_FORM_FIELDS, derived_prefix, mermaid
from flowengine.vocabulary import ORG_TYPES, ROLES
from flowengine.web.context import services, user_id
from flowengine.web.inputs import id_arg

bp = Blueprint("admin", __name__, url_prefix="/admin")

_EMPTY_ORG = {k: "" for k in ORG_FORM_FIELDS} | {"full_members": "0", "probationary_members": "0"}


@bp.route("/")
@login_required
def index() -> Response:
    return redirect(url_for("admin.orgs"))


@bp.route("/orgs")
@login_required
def orgs() -> str:
    return render_template("admin/orgs.html", orgs=services().queries.org_tree(user_id()))


def _org_page(
    org_id: int | None,
    values: Mapping[str, str],
    errors: Mapping[str, str],
    status: int,
    shown_serial: str | None = None,
) -> tuple[str, int]:
    tree = services().queries.org_tree(user_id())  # PermissionDenied (403) for anyone but an administrator
    current = next((o for o in tree if o.id == org_id), None)
    name = (values.get("name") or (current.name if current else "")).strip()
    return render_template(
        "admin/org_form.html",
        org_id=org_id,
        current=current,
        values=values,
        errors=errors,
        tree=tree,
        org_types=ORG_TYPES,
        derived=derived_prefix(name) if name else "",
        shown_serial=values.get("doc_next_serial", "") if shown_serial is None else shown_serial,
        this_year=china_date(services().flow.clock()).year,
    ), status


def _save_org(org_id: int | None) -> Response | tuple[str, int]:
    svc = services()
    values = {k: request.form.get(k, "") for k in ORG_FORM_FIELDS}
    # The next serial as the form showed it: left as it was, it is no change (a document issued since the
    # page was opened has moved the register on, and must not make the rest of the form fail).
    sent = dict(values)
    if values["doc_next_serial"].strip() == request.form.get("doc_next_serial_was", "").strip():
        sent["doc_next_serial"] = ""
    try:
        saved = svc.directory.save_org(user_id(), org_id, sent, svc.flow.clock(), request.remote_addr)
    except ValidationFailed as exc:
        if org_id is not None:
            values["code"] = svc.directory.org_form(user_id(), org_id).values["code"]
        return _org_page(org_id, values, exc.errors, 422, request.form.get("doc_next_serial_was", ""))
    flash(f"已{'保存' if org_id else '新建'}组织“{values['name'].strip()}”。", "success")
    return redirect(url_for("admin.orgs", _anchor=f"org-{saved}"))


@bp.route("/orgs/new", methods=["GET", "POST"])
@login_required
def org_new() -> Response | tuple[str, int]:
    if request.method == "POST":
        return _save_org(None)
    parent = request.args.get("parent", "")
    return _org_page(None, {**_EMPTY_ORG, "parent_id": parent if id_arg(parent) else ""}, {}, 200)


@bp.route("/orgs/<int:org_id>", methods=["GET", "POST"])
@login_required
def org_edit(org_id: int) -> Response | tuple[str, int]:
    if request.method == "POST":
        return _save_org(org_id)
    form = services().directory.org_form(user_id(), org_id)  # 403 / 404
    return _org_page(org_id, form.values, {}, 200)


@bp.route("/users")
@login_required
def users() -> str:
    return render_template(
        "admin/users.html", users=services().queries.users(user_id()), now=services().flow.clock()
    )


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def user_new() -> Response | tuple[str, int]:
    svc = services()
    svc.queries.users(user_id())  # PermissionDenied (403) before anything is shown
    values: dict[str, Any] = {"username": "", "display_name": "", "email": ""}
    errors: Mapping[str, str] = {}
    if request.method == "POST":
        values = {k: request.form.get(k, "") for k in values}
        try:
            new_id = svc.directory.create_user(user_id(), request.form, svc.flow.clock(), request.remote_addr)
        except ValidationFailed as exc:
            errors = exc.errors
        else:
            flash(f"已新建用户 {values['username'].strip()}。请为其授予角色。", "success")
            return redirect(url_for("admin.user", target_id=new_id))
    return render_template("admin/user_new.html", values=values, errors=errors), 422 if errors else 200


def _user_page(
    target_id: int,
    *,
    failed: str | None = None,
    errors: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    svc = services()
    detail = svc.directory.user_detail(user_id(), target_id)  # 403 / 404
    return render_template(
        "admin/user.html",
        u=detail,
        tree=svc.queries.org_tree(user_id()),
        roles=ROLES,
        failed=failed,
        errors=errors or {},
        values=values or {},
        me=user_id(),
        now=svc.flow.clock(),
    ), status


@bp.route("/users/<int:target_id>")
@login_required
def user(target_id: int) -> tuple[str, int]:
    return _user_page(target_id)


@bp.route("/users/<int:target_id>/roles", methods=["POST"])
@login_required
def role_grant(target_id: int) -> Response | tuple[str, int]:
    svc = services()
    role, org = request.form.get("role", ""), request.form.get("org_id", "")
    try:
        svc.directory.grant_role(user_id(), target_id, role, org, svc.flow.clock(), request.remote_addr)
    except ValidationFailed as exc:
        return _user_page(
            target_id, failed="grant", errors=exc.errors, values={"role": role, "org_id": org}, status=422
        )
    flash("已授予角色。", "success")
    return redirect(url_for("admin.user", target_id=target_id))


@bp.route("/users/<int:target_id>/roles/<int:assignment_id>/revoke", methods=["POST"])
@login_required
def role_revoke(target_id: int, assignment_id: int) -> Response | tuple[str, int]:
    svc = services()
    try:
        svc.directory.revoke_role(user_id(), target_id, assignment_id, svc.flow.clock(), request.remote_addr)
    except ValidationFailed as exc:
        return _user_page(target_id, failed="revoke", errors=exc.errors, status=422)
    flash("已撤销角色。", "success")
    return redirect(url_for("admin.user", target_id=target_id))


@bp.route("/users/<int:target_id>/password", methods=["POST"])
@login_required
def password_reset(target_id: int) -> Response | tuple[str, int]:
    try:
        services().accounts.reset_password(
            user_id(),
            target_id,
            request.form.get("new_password", ""),
            request.form.get("confirm_password", ""),
            request.remote_addr,
        )
    except ValidationFailed as exc:
        return _user_page(target_id, failed="password", errors=exc.errors, status=422)
    flash("密码已重置，该用户已登录的会话随之失效。请将新密码当面或通过安全渠道告知本人。", "success")
    return redirect(url_for("admin.user", target_id=target_id))


@bp.route("/users/<int:target_id>/active", methods=["POST"])
@login_required
def set_active(target_id: int) -> Response | tuple[str, int]:
    active = request.form.get("active") == "1"
    try:
        changed = services().accounts.set_active(user_id(), target_id, active, request.remote_addr)
    except ValidationFailed as exc:
        return _user_page(target_id, failed="active", errors=exc.errors, status=422)
    if changed:
        flash("已启用该用户。" if active else "已停用该用户，其登录会话随之失效。", "success")
    return redirect(url_for("admin.user", target_id=target_id))


@bp.route("/tokens")
@login_required
def tokens() -> str:
    every = request.args.get("all") == "1"
    rows = services().tokens.list_all(user_id(), active_only=not every)  # 403 for anyone but an admin
    return render_template("admin/tokens.html", tokens=rows, every=every)


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def token_revoke(token_id: int) -> Response:
    revoked = services().tokens.revoke_any(user_id(), token_id, request.remote_addr)
    flash(
        f"已吊销 {revoked.owner_name or revoked.user_id} 的令牌“{revoked.name}”（fe_{revoked.prefix}_…）。",
        "success",
    )
    return redirect(url_for("admin.tokens"))


@bp.route("/definitions")
@login_required
def definitions() -> str:
    svc = services()
    return render_template(
        "admin/definitions.html",
        rows=svc.queries.definitions(user_id()),
        calendar=svc.queries.calendar_coverage(user_id()),
        this_year=china_date(svc.flow.clock()).year,
    )


@bp.route("/definitions/<name>/<int:version>")
@login_required
def definition(name: str, version: int) -> str:
    d = services().queries.definition(user_id(), name, version)
    return render_template("admin/definition.html", d=d, diagram=mermaid(d))


# ---- per-organization settings of each procedure ------------------------------------------------------


def _settings_page(
    org_id: int, *, failed: str | None = None, errors: Mapping[str, str] | None = None, status: int = 200
) -> tuple[str, int]:
    svc = services()
    typed = {failed: dict(request.form)} if failed else None
    view = svc.org_settings.view(user_id(), org_id, typed=typed)  # 403 / 404
    return render_template("admin/org_settings.html", view=view, failed=failed, errors=errors or {}), status


@bp.route("/orgs/<int:org_id>/settings", methods=["GET", "POST"])
@login_required
def org_settings(org_id: int) -> Response | tuple[str, int]:
    """Each procedure's settings for one organization (empty: inherited from above, else the default)."""
    if request.method == "GET":
        return _settings_page(org_id)
    svc = services()
    workflow = request.form.get("workflow", "")
    try:
        changes = svc.org_settings.save(
            user_id(), org_id, workflow, request.form, svc.flow.clock(), request.remote_addr
        )
    except ValidationFailed as exc:
        return _settings_page(org_id, failed=workflow, errors=exc.errors, status=422)
    title = svc.catalog.current[workflow].title
    flash(f"已保存“{title}”的设置（{len(changes)} 项有变化）。" if changes else "设置没有变化。", "success")
    return redirect(url_for("admin.org_settings", org_id=org_id, _anchor=f"wf-{workflow}"))


# ---- a new version of a definition --------------------------------------------------------------------


def _problems(exc: DefinitionError) -> list[str]:
    return [str(p) for p in exc.problems]


@bp.route("/definitions/upload", methods=["GET", "POST"])
@login_required
def definition_upload() -> tuple[str, int]:
    """Upload a definition file: checked fully (file:line), then shown with its diagram and what differs
    from the running version, before it can be activated."""
    svc = services()
    svc.queries.definitions(user_id())  # PermissionDenied (403) for anyone but an administrator
    if request.method == "GET":
        return render_template("admin/definition_upload.html", problems=[], filename=""), 200
    upload = request.files.get("file")
    pasted = request.form.get("source", "")
    if upload is not None and upload.filename:
        filename = upload.filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1] or "upload.yaml"
        content: bytes | str = upload.read()
    elif pasted.strip():
        filename = (request.form.get("filename") or "upload.yaml").strip()[:100] or "upload.yaml"
        content = pasted.replace("\r\n", "\n")
    else:
        return render_template(
            "admin/definition_upload.html",
            problems=["请选择流程定义文件（.yaml），或粘贴其内容。"],
            filename="",
        ), 422
    try:
        checked = svc.publishing.check(user_id(), content, filename)
    except DefinitionError as exc:
        return render_template(
            "admin/definition_upload.html", problems=_problems(exc), filename=filename
        ), 422
    return render_template(
        "admin/definition_check.html",
        checked=checked,
        filename=filename,
        diagram=mermaid(checked.definition),
    ), 200


@bp.route("/definitions/activate", methods=["POST"])
@login_required
def definition_activate() -> Response | tuple[str, int]:
    svc = services()
    filename = (request.form.get("filename") or "upload.yaml")[:100]
    source = request.form.get("source", "").replace("\r\n", "\n")
    try:
        d = svc.publishing.activate(user_id(), source, filename, svc.flow.clock(), request.remote_addr)
    except DefinitionError as exc:
        return render_template(
            "admin/definition_upload.html", problems=_problems(exc), filename=filename
        ), 422
    flash(
        f"已启用“{d.title}”第 {d.version} 版：此后发起的申请按新版本办理，进行中的申请仍按原版本。", "success"
    )
    return redirect(url_for("admin.definition", name=d.name, version=d.version))


@bp.app_template_filter("setting_words")
def setting_words(value: object) -> str:
    return in_words(value)


@bp.app_template_filter("setting_title")
def setting_title_filter(value: object) -> str:
    return setting_title(value)  # type: ignore[arg-type]
