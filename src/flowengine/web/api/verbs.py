"""The approval verbs in the JSON API: sign, transfer, add a signer, give an opinion, copy, mark read, urge,
take back; the caller's copies; delegations. Each is one service call (the same the request page makes)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from flowengine.web.api import bp, serialize
from flowengine.web.api.auth import caller, caller_id
from flowengine.web.api.params import int_arg, json_body, path_id
from flowengine.web.api.routes import _instance_json, _per_page
from flowengine.web.context import services


def _done(instance_id: int) -> Response:
    return jsonify(_instance_json(instance_id))


@bp.get("/instances/<int:instance_id>/verbs")
def get_verbs(instance_id: int) -> Response:
    return jsonify(serialize.verbs(services().verbs.panel(path_id(instance_id, "申请"), caller_id())))


@bp.post("/instances/<int:instance_id>/sign")
def sign(instance_id: int) -> Response:
    body = json_body("SignRequest")
    services().verbs.sign(
        path_id(instance_id, "申请"), body["decision"], caller(), body.get("data") or {}, body.get("comment")
    )
    return _done(instance_id)


@bp.post("/instances/<int:instance_id>/transfer")
def transfer(instance_id: int) -> Response:
    body = json_body("TransferRequest")
    services().verbs.transfer(path_id(instance_id, "申请"), body["to"], body["reason"], caller())
    return _done(instance_id)


@bp.post("/instances/<int:instance_id>/add-signer")
def add_signer(instance_id: int) -> Response:
    body = json_body("AddSignerRequest")
    services().verbs.add_signer(
        path_id(instance_id, "申请"), body["to"], body["mode"], body["reason"], caller()
    )
    return _done(instance_id)


@bp.post("/instances/<int:instance_id>/opinion")
def give_opinion(instance_id: int) -> Response:
    body = json_body("OpinionRequest")
    services().verbs.give_opinion(path_id(instance_id, "申请"), body["comment"], caller())
    return _done(instance_id)


@bp.post("/instances/<int:instance_id>/copies")
def copy(instance_id: int) -> Response:
    body = json_body("CopyRequest")
    services().verbs.copy(path_id(instance_id, "申请"), body["to"], body.get("comment"), caller())
    return _done(instance_id)


@bp.post("/instances/<int:instance_id>/read")
def mark_read(instance_id: int) -> Response:
    return jsonify({"read": services().verbs.mark_read(path_id(instance_id, "申请"), caller())})


@bp.post("/instances/<int:instance_id>/urge")
def urge(instance_id: int) -> Response:
    body: dict[str, Any] = json_body("UrgeRequest") if _has_body() else {}
    services().verbs.urge(path_id(instance_id, "申请"), body.get("comment"), caller())
    return _done(instance_id)


@bp.post("/instances/<int:instance_id>/take-back")
def take_back(instance_id: int) -> Response:
    services().verbs.take_back(path_id(instance_id, "申请"), caller())
    return _done(instance_id)


@bp.get("/copies")
def list_copies() -> Response:
    page = services().inbox.copies(caller_id(), page=int_arg("page", 1) or 1, per_page=_per_page())
    return jsonify(serialize.page(page, [serialize.copy(c) for c in page.items]))


@bp.get("/delegations")
def list_delegations() -> Response:
    return jsonify({"items": [serialize.delegation(d) for d in services().delegations.list_for(caller_id())]})


@bp.post("/delegations")
def create_delegation() -> tuple[Response, int]:
    body = json_body("DelegationRequest")
    svc = services()
    new = svc.delegations.create(
        caller_id(),
        body["delegate"],
        body["starts_on"],
        body["ends_on"],
        body.get("workflow"),
        body.get("reason"),
        caller().client_addr,
    )
    [made] = [d for d in svc.delegations.list_for(caller_id()) if d.id == new]
    return jsonify(serialize.delegation(made)), 201


@bp.post("/delegations/<int:delegation_id>/revoke")
def revoke_delegation(delegation_id: int) -> Response:
    svc = services()
    svc.delegations.revoke(caller_id(), path_id(delegation_id, "委托"), caller().client_addr)
    return jsonify({"items": [serialize.delegation(d) for d in svc.delegations.list_for(caller_id())]})


def _has_body() -> bool:
    return bool(request.get_data(cache=True).strip())
