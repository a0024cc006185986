"""The ``/api/v1`` endpoints: each reads its input, calls the service once or twice, and dumps the result.

Who may see an instance (a role in its organization, an ancestor, or its approving body), who may act,
what a form accepts and which rule refuses it are all the service's decisions, the same ones the web UI
gets; a request of another organization is "not found" here as there.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, jsonify, url_for

from flowengine.errors import NotFound
from flowengine.service import MIMETYPE, SearchCriteria
from flowengine.vocabulary import InstanceStatus
from flowengine.web.api import bp, reference, serialize
from flowengine.web.api.auth import caller, caller_id
from flowengine.web.api.errors import ApiError
from flowengine.web.api.params import date_arg, int_arg, json_body, path_id, str_arg
from flowengine.web.api.schema import MAX_PER_PAGE, document
from flowengine.web.context import services


def _per_page() -> int:
    return int_arg("per_page", 20, maximum=MAX_PER_PAGE) or 20


def _instance_json(instance_id: int) -> dict[str, Any]:
    svc = services()
    uid = caller_id()
    inst = svc.flow.get(instance_id, uid)
    return serialize.instance(inst, svc.flow.available_actions(instance_id, uid), svc.flow.clock())


# ---- reference (no token needed) -------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(document())


@bp.get("/docs")
def docs() -> Response:
    return Response(reference.render(document()), mimetype="text/html")


# ---- the caller and the procedures -----------------------------------------------------------------


@bp.get("/me")
def me() -> Response:
    account = services().accounts.get(caller_id())
    if account is None:  # disabled between authentication and here
        raise NotFound("用户不存在或已停用。")
    return jsonify(
        {
            "id": account.id,
            "username": account.username,
            "display_name": account.display_name,
            "roles": [
                {"role": r.role, "role_title": r.role_title, "org_id": r.org_id, "org_name": r.org_name}
                for r in account.roles
            ],
        }
    )


def _startable() -> dict[str, list[tuple[int, str]]]:
    return {
        d.name: sorted((o.id, o.name) for o in orgs) for d, orgs in services().flow.startable(caller_id())
    }


@bp.get("/procedures")
def procedures() -> Response:
    startable = _startable()
    current = services().catalog.current
    return jsonify(
        {"items": [serialize.procedure(current[n], startable.get(n, [])) for n in sorted(current)]}
    )


@bp.get("/procedures/<name>")
def procedure(name: str) -> Response:
    definition = services().catalog.latest(name)  # NotFound
    return jsonify(serialize.procedure(definition, _startable().get(definition.name, [])))


# ---- instances -------------------------------------------------------------------------------------


@bp.post("/instances")
def start_instance() -> tuple[Response, int, dict[str, str]]:
    body = json_body("StartRequest")
    inst = services().flow.start(
        body["workflow"], body["org_id"], caller(), body.get("data") or {}, body.get("comment")
    )
    location = url_for("api.get_instance", instance_id=inst.id)
    return jsonify(_instance_json(inst.id)), 201, {"Location": location}


@bp.get("/instances")
def search_instances() -> Response:
    svc = services()
    uid = caller_id()
    svc.queries.search_options(uid)  # PermissionDenied (403) for anyone but an auditor, before reading input
    criteria = SearchCriteria(
        org_id=int_arg("org_id"),
        workflow=str_arg("workflow"),
        state=str_arg("state"),
        status=str_arg("status", choices=tuple(InstanceStatus)),
        date_from=date_arg("date_from"),
        date_to=date_arg("date_to"),
        actor=str_arg("actor"),
    )
    if criteria.date_from and criteria.date_to and criteria.date_from > criteria.date_to:
        raise ApiError(
            422, "validation_failed", "查询参数 date_to 有误。", {"date_to": "结束日期不能早于开始日期"}
        )
    page = svc.queries.search(uid, criteria, page=int_arg("page", 1) or 1, per_page=_per_page())
    return jsonify(serialize.page(page, [serialize.row(r) for r in page.items]))


@bp.get("/instances/<int:instance_id>")
def get_instance(instance_id: int) -> Response:
    return jsonify(_instance_json(path_id(instance_id, "申请")))


@bp.post("/instances/<int:instance_id>/actions/<action>")
def perform_action(instance_id: int, action: str) -> Response:
    svc = services()
    definition = svc.flow.definition_of(path_id(instance_id, "申请"), caller_id())  # NotFound if not visible
    try:
        definition.action(action)
    except KeyError:
        raise NotFound(f"流程“{definition.title}”中没有“{action}”这一操作。") from None
    body = json_body("ActionRequest")
    svc.flow.act(
        instance_id,
        action,
        caller(),
        body.get("data") or {},
        body.get("comment"),
        expected_version=body["version"],
    )
    return jsonify(_instance_json(instance_id))


@bp.get("/instances/<int:instance_id>/trail")
def get_trail(instance_id: int) -> Response:
    trail = services().flow.trail(path_id(instance_id, "申请"), caller_id())
    return jsonify({"items": [serialize.event(e) for e in trail]})


@bp.get("/instances/<int:instance_id>/documents")
def list_documents(instance_id: int) -> Response:
    found = services().documents.list_for(path_id(instance_id, "申请"), caller_id())
    return jsonify({"items": [serialize.document(d) for d in found]})


@bp.get("/documents/<int:document_id>")
def download_document(document_id: int) -> Response:
    file = services().documents.get(path_id(document_id, "文件"), caller_id())
    fallback = f"document-{file.view.id}.docx"
    disposition = f"attachment; filename={fallback}; filename*=UTF-8''{quote(file.view.filename)}"
    return Response(
        file.content,
        mimetype=MIMETYPE,
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )


# ---- the caller's work -----------------------------------------------------------------------------


@bp.get("/tasks")
def list_tasks() -> Response:
    svc = services()
    order = str_arg("order", choices=("urgent", "newest")) or "urgent"
    page = svc.inbox.open(
        caller_id(),
        workflow=str_arg("workflow"),
        state=str_arg("state"),
        org_id=int_arg("org_id"),
        order=order,
        page=int_arg("page", 1) or 1,
        per_page=_per_page(),
    )
    now = svc.flow.clock()
    return jsonify(serialize.page(page, [serialize.task(t, now) for t in page.items]))
