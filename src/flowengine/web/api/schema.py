"""The OpenAPI 3.1 description of ``/api/v1``, built in code next to the routes it describes.

It is the one source of truth for the request bodies: :mod:`flowengine.web.api.routes` validates every
incoming body against the schemas below (with ``jsonschema``), so what the document promises and what the
server accepts cannot drift apart. ``tests/api`` checks that every route is described and that every
response the tests see matches its description, and ``scripts/api-fuzz`` lets schemathesis look for the
rest. Schemas are JSON Schema 2020-12, as OpenAPI 3.1 allows.
"""

from __future__ import annotations

from typing import Any

PREFIX = "/api/v1"
#: Ids are 32-bit in the database; larger ones can name nothing, and are refused before any query.
MAX_ID = 2**31 - 1
MAX_PER_PAGE = 100

JSON = "application/json"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _obj(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    """An object schema; by default every property is required (responses always carry every key)."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
        **extra,
    }


_STR = {"type": "string"}
_INT = {"type": "integer"}
_BOOL = {"type": "boolean"}
_TIME = {"type": "string", "format": "date-time"}
_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_ANY_OBJECT = {"type": "object"}


def _list(item: dict[str, Any]) -> dict[str, Any]:
    return _obj({"items": {"type": "array", "items": item}})


def _page(item: dict[str, Any]) -> dict[str, Any]:
    return _obj(
        {
            "items": {"type": "array", "items": item},
            "total": {"type": "integer", "minimum": 0},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
        }
    )


_USERNAME = {"type": "string", "minLength": 1, "maxLength": 64, "description": "A user name."}

SCHEMAS: dict[str, Any] = {
    "Error": _obj(
        {
            "code": {
                "type": "string",
                "description": "Stable, machine-readable: bad_request, unauthorized, forbidden, "
                "not_found, method_not_allowed, stale_version, invalid_action, validation_failed, "
                "check_failed, server_error ...",
            },
            "message": {"type": "string", "description": "What went wrong, for a person (zh-CN)."},
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "string"},
                "description": "Field path (e.g. people[2].name, comment, version) → message.",
            },
            "checks": {
                "type": "array",
                "items": _obj({"check": _STR, "reason": _STR, "field": _nullable(_STR)}),
            },
            "current_version": _INT,
        },
        required=["code", "message", "errors"],
    ),
    "Option": _obj({"value": _STR, "label": _STR}),
    "Field": _obj(
        {
            "name": _STR,
            "label": _STR,
            "type": {
                "enum": [
                    "string",
                    "text",
                    "integer",
                    "number",
                    "boolean",
                    "date",
                    "month",
                    "choice",
                    "multichoice",
                    "list",
                ]
            },
            "required": _BOOL,
            "help": _STR,
            "min": {"type": ["number", "string", "null"]},
            "max": {"type": ["number", "string", "null"]},
            "min_length": _nullable(_INT),
            "max_length": _nullable(_INT),
            "pattern": _nullable(_STR),
            "options": {"type": "array", "items": _ref("Option")},
            "min_items": _nullable(_INT),
            "max_items": _nullable(_INT),
            "fields": {
                "type": "array",
                "items": _ref("Field"),
                "description": "The columns of a list field.",
            },
        }
    ),
    "Role": _obj({"key": _STR, "title": _STR, "role": _STR, "of": {"enum": ["self", "parent", "approver"]}}),
    "State": _obj(
        {
            "name": _STR,
            "title": _STR,
            "initial": _BOOL,
            "final": _BOOL,
            "outcome": _nullable(_STR),
            "assignee": _nullable(_STR),
            "description": _STR,
            "deadline": _nullable(_obj({"days": _INT, "unit": _STR, "setting": _nullable(_STR)})),
        }
    ),
    "Action": _obj(
        {
            "name": _STR,
            "title": _STR,
            "kind": _STR,
            "role": _STR,
            "sources": {"type": "array", "items": _STR},
            "destinations": {"type": "array", "items": _STR},
            "comment_required": _BOOL,
            "form": {"type": "array", "items": _ref("Field")},
            "checks": {"type": "array", "items": _STR},
            "documents": {"type": "array", "items": _STR},
            "description": _STR,
        }
    ),
    "OrgRef": _obj({"id": _INT, "name": _STR}),
    "Procedure": _obj(
        {
            "name": _STR,
            "title": _STR,
            "version": _INT,
            "description": _STR,
            "start": _obj(
                {
                    "role": _STR,
                    "org_types": {"type": "array", "items": _STR},
                    "form": {"type": "array", "items": _ref("Field")},
                    "checks": {"type": "array", "items": _STR},
                }
            ),
            "startable_orgs": {
                "type": "array",
                "items": _ref("OrgRef"),
                "description": "Organizations the caller may start this procedure for.",
            },
            "roles": {"type": "array", "items": _ref("Role")},
            "states": {"type": "array", "items": _ref("State")},
            "actions": {"type": "array", "items": _ref("Action")},
            "documents": {"type": "array", "items": _obj({"name": _STR, "title": _STR, "kind": _STR})},
            "diagram": {"type": "string", "description": "Mermaid stateDiagram-v2 text."},
        }
    ),
    "ProcedureList": _list(_ref("Procedure")),
    "Task": _obj(
        {
            "id": _INT,
            "instance_id": _INT,
            "instance_title": _STR,
            "workflow": _STR,
            "workflow_title": _STR,
            "org_id": _INT,
            "org_name": _STR,
            "state": _STR,
            "state_title": _STR,
            "role": _STR,
            "role_title": _STR,
            "assigned_org_id": _INT,
            "assigned_org_name": _STR,
            "assignee_id": _nullable(_INT),
            "opened_at": _TIME,
            "due_at": _nullable(_TIME),
            "overdue": _BOOL,
            "kind": {
                "enum": ["step", "sign", "added"],
                "description": "step, sign (待我会签) or added (加签).",
            },
            "category": {"type": "string", "description": "待办, 待我会签, 加签 or 委托给我."},
            "note": _nullable(_STR),
            "delegated_by": _nullable(
                {"type": "string", "description": "Whose task it is, seen by delegation."}
            ),
        }
    ),
    "TaskPage": _page(_ref("Task")),
    "Person": _obj({"username": _STR, "name": _STR, "where": _STR}),
    "Signature": _obj(
        {
            "state": _STR,
            "name": _STR,
            "role_title": _STR,
            "org_name": _STR,
            "decision": {"enum": ["approve", "return"]},
            "data": {"type": ["object", "null"]},
            "comment": _nullable(_STR),
            "at": _TIME,
        }
    ),
    "Verbs": _obj(
        {
            "countersign_title": _nullable(_STR),
            "signers": _INT,
            "approvals": _INT,
            "needed": _INT,
            "signatures": {"type": "array", "items": _ref("Signature")},
            "pending_signers": {"type": "array", "items": _STR},
            "sign_form": {"type": "array", "items": _ref("Field")},
            "may_sign": _BOOL,
            "may_give_opinion": _BOOL,
            "pending_opinions": {"type": "array", "items": _STR},
            "opinions": {
                "type": "array",
                "items": _obj({"name": _nullable(_STR), "comment": _nullable(_STR), "at": _TIME}),
            },
            "may_transfer": _BOOL,
            "colleagues": {"type": "array", "items": _ref("Person")},
            "may_add": _BOOL,
            "advisers": {"type": "array", "items": _ref("Person")},
            "may_copy": _BOOL,
            "copied_to": {"type": "array", "items": _obj({"name": _STR, "read": _BOOL})},
            "copied_unread": _BOOL,
            "may_urge": _BOOL,
            "urge_refusal": _nullable(_STR),
            "may_take_back": _BOOL,
            "held": {"type": "array", "items": _STR},
            "waiting": _nullable(_STR),
        }
    ),
    "Copy": _obj(
        {
            "instance_id": _INT,
            "instance_title": _STR,
            "org_name": _STR,
            "state_title": _STR,
            "by": _STR,
            "created_at": _TIME,
            "read_at": _nullable(_TIME),
        }
    ),
    "CopyPage": _page(_ref("Copy")),
    "Delegation": _obj(
        {
            "id": _INT,
            "delegator": _STR,
            "delegate": _STR,
            "workflow": _nullable(_STR),
            "workflow_title": _STR,
            "starts_on": {"type": "string", "format": "date"},
            "ends_on": {"type": "string", "format": "date"},
            "reason": _nullable(_STR),
            "revoked": _BOOL,
            "active": _BOOL,
            "mine": _BOOL,
        }
    ),
    "DelegationList": _obj({"items": {"type": "array", "items": _ref("Delegation")}}),
    "Read": _obj({"read": {"type": "integer", "minimum": 0, "description": "Copies newly marked read."}}),
    "AuditEvent": _obj(
        {
            "id": _INT,
            "seq": _INT,
            "at": _TIME,
            "kind": _STR,
            "actor_id": _nullable(_INT),
            "actor_name": _nullable(_STR),
            "role": _nullable(_STR),
            "org_id": _nullable(_INT),
            "action": _nullable(_STR),
            "action_title": _nullable(_STR),
            "from_state": _nullable(_STR),
            "from_title": _nullable(_STR),
            "to_state": _nullable(_STR),
            "to_title": _nullable(_STR),
            "comment": _nullable(_STR),
            "data": _nullable(_ANY_OBJECT),
            "client_addr": _nullable(_STR),
            "hash": _STR,
        }
    ),
    "Trail": _list(_ref("AuditEvent")),
    "AvailableAction": _obj(
        {
            "name": _STR,
            "title": _STR,
            "kind": _STR,
            "comment_required": _BOOL,
            "description": _STR,
            "form": {"type": "array", "items": _ref("Field")},
            "prefill": {
                "type": "object",
                "description": "Values the form starts with (known data, or what was "
                "entered before a return).",
            },
            "returned": _nullable(_ref("AuditEvent")),
        }
    ),
    "Instance": _obj(
        {
            "id": _INT,
            "workflow": _STR,
            "workflow_title": _STR,
            "definition_version": _INT,
            "org_id": _INT,
            "org_name": _STR,
            "initiator_id": _INT,
            "initiator_name": _STR,
            "title": _STR,
            "state": _STR,
            "state_title": _STR,
            "status": {"enum": ["active", "completed", "withdrawn", "rejected"]},
            "status_title": _STR,
            "version": {"type": "integer", "minimum": 1},
            "data": {
                "type": "object",
                "description": "Each step's cleaned form data, keyed by action (start: the start form).",
            },
            "created_at": _TIME,
            "updated_at": _TIME,
            "completed_at": _nullable(_TIME),
            "open_tasks": {"type": "array", "items": _ref("Task")},
            "available_actions": {
                "type": "array",
                "items": _ref("AvailableAction"),
                "description": "What the caller may do now.",
            },
        }
    ),
    "InstanceRow": _obj(
        {
            "id": _INT,
            "title": _STR,
            "workflow": _STR,
            "workflow_title": _STR,
            "org_id": _INT,
            "org_name": _STR,
            "state": _STR,
            "state_title": _STR,
            "status": _STR,
            "status_title": _STR,
            "initiator_name": _STR,
            "created_at": _TIME,
            "updated_at": _TIME,
        }
    ),
    "InstancePage": _page(_ref("InstanceRow")),
    "Document": _obj(
        {
            "id": _INT,
            "instance_id": _INT,
            "name": _STR,
            "title": _STR,
            "kind": _STR,
            "action": _STR,
            "issuer_id": _INT,
            "issuer_name": _STR,
            "year": _INT,
            "serial": _INT,
            "number": _STR,
            "filename": _STR,
            "sha256": _STR,
            "size": _INT,
            "created_at": _TIME,
            "download": {"type": "string", "description": "Its URL."},
        }
    ),
    "DocumentList": _list(_ref("Document")),
    "Me": _obj(
        {
            "id": _INT,
            "username": _STR,
            "display_name": _STR,
            "roles": {
                "type": "array",
                "items": _obj({"role": _STR, "role_title": _STR, "org_id": _INT, "org_name": _STR}),
            },
        }
    ),
    "AdminToken": _obj(
        {
            "id": _INT,
            "user_id": _INT,
            "username": _STR,
            "display_name": _STR,
            "name": _STR,
            "prefix": _STR,
            "scope": {"enum": ["read", "write"]},
            "created_at": _TIME,
            "last_used_at": _nullable(_TIME),
            "expires_at": _TIME,
            "revoked_at": _nullable(_TIME),
            "active": _BOOL,
        }
    ),
    "AdminTokenList": _list(_ref("AdminToken")),
    "StartRequest": _obj(
        {
            "workflow": {
                "type": "string",
                "minLength": 1,
                "maxLength": 100,
                "description": "A procedure's name.",
            },
            "org_id": {**_ID, "description": "The organization the request is for."},
            "data": {
                "type": "object",
                "description": "The start form's values (see the procedure's start.form).",
            },
            "comment": {"type": ["string", "null"], "maxLength": 5000},
        },
        required=["workflow", "org_id"],
        additionalProperties=False,
    ),
    "ActionRequest": _obj(
        {
            "version": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_ID,
                "description": "The instance version the caller saw; another version answers 409.",
            },
            "data": {
                "type": "object",
                "description": "The action's form values (see available_actions[].form).",
            },
            "comment": {"type": ["string", "null"], "maxLength": 5000},
        },
        required=["version"],
        additionalProperties=False,
    ),
    "SignRequest": _obj(
        {
            "decision": {"enum": ["approve", "return"]},
            "data": {"type": "object", "description": "The countersign's form values (see Verbs.sign_form)."},
            "comment": {"type": ["string", "null"], "maxLength": 5000},
        },
        required=["decision"],
        additionalProperties=False,
    ),
    "TransferRequest": _obj(
        {"to": _USERNAME, "reason": {"type": "string", "minLength": 1, "maxLength": 500}},
        required=["to", "reason"],
        additionalProperties=False,
    ),
    "AddSignerRequest": _obj(
        {
            "to": _USERNAME,
            "mode": {"enum": ["before", "after"]},
            "reason": {"type": "string", "minLength": 1, "maxLength": 500},
        },
        required=["to", "mode", "reason"],
        additionalProperties=False,
    ),
    "OpinionRequest": _obj(
        {"comment": {"type": "string", "minLength": 1, "maxLength": 500}},
        required=["comment"],
        additionalProperties=False,
    ),
    "CopyRequest": _obj(
        {
            "to": {"type": "array", "items": _USERNAME, "minItems": 1, "maxItems": 50},
            "comment": {"type": ["string", "null"], "maxLength": 500},
        },
        required=["to"],
        additionalProperties=False,
    ),
    "UrgeRequest": _obj(
        {"comment": {"type": ["string", "null"], "maxLength": 500}}, additionalProperties=False
    ),
    "DelegationRequest": _obj(
        {
            "delegate": _USERNAME,
            "starts_on": {"type": "string", "format": "date"},
            "ends_on": {"type": "string", "format": "date"},
            "workflow": {"type": ["string", "null"], "maxLength": 64},
            "reason": {"type": ["string", "null"], "maxLength": 500},
        },
        required=["delegate", "starts_on", "ends_on"],
        additionalProperties=False,
    ),
}

_ERRORS_TEXT = {
    400: "The body is not JSON, not a JSON object, too deeply nested, or holds a string that is not text.",
    401: "No token, or a token that is malformed, unknown, expired, revoked or whose owner is disabled.",
    403: "The caller's roles do not allow this, or the token is read-only (`code`: read_only_token).",
    404: "No such thing, or the caller may not see it.",
    409: "The instance changed since the caller's version, or the action is not possible in its state.",
    422: "A field or a rule of the procedure refused the input; `errors` names the fields, `checks` the rules.",
    413: "The body is larger than 256 KB.",
    429: "Too many bad tokens from this address: wait `Retry-After` seconds.",
}


def _error(status: int) -> dict[str, Any]:
    return {"description": _ERRORS_TEXT[status], "content": {JSON: {"schema": _ref("Error")}}}


def _ok(schema: str, description: str, status: int = 200) -> dict[int, Any]:
    return {status: {"description": description, "content": {JSON: {"schema": _ref(schema)}}}}


def _param(
    name: str,
    where: str,
    schema: dict[str, Any],
    description: str,
    required: bool = False,
    example: Any = None,
) -> dict[str, Any]:
    out = {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "schema": schema,
        "description": description,
    }
    if example is not None:
        out["example"] = example  # also what schemathesis' examples phase calls (the demo data has them)
    return out


_INSTANCE_ID = _param("instance_id", "path", _ID, "The instance's id.", example=1)
_PAGING = [
    _param(
        "page", "query", {"type": "integer", "minimum": 1, "maximum": MAX_ID, "default": 1}, "Page number."
    ),
    _param(
        "per_page",
        "query",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20},
        "Items per page.",
    ),
]


def _op(
    op_id: str,
    summary: str,
    responses: dict[int, Any],
    *,
    errors: tuple[int, ...] = (401,),
    parameters: list[dict[str, Any]] | None = None,
    body: str | None = None,
    body_required: bool = True,
    tag: str = "instances",
    public: bool = False,
) -> dict[str, Any]:
    out: dict[str, Any] = {"operationId": op_id, "summary": summary, "tags": [tag]}
    if parameters:
        out["parameters"] = parameters
    if body:
        out["requestBody"] = {"required": body_required, "content": {JSON: {"schema": _ref(body)}}}
    out["responses"] = {str(k): v for k, v in {**responses, **{e: _error(e) for e in errors}}.items()}
    if public:
        out["security"] = []
    return out


PATHS: dict[str, dict[str, Any]] = {
    "/me": {
        "get": _op("getMe", "The token's owner and their roles.", _ok("Me", "The caller."), tag="account")
    },
    "/procedures": {
        "get": _op(
            "listProcedures",
            "Every current procedure with its states, actions, forms and diagram.",
            _ok("ProcedureList", "The procedures."),
            tag="procedures",
        )
    },
    "/procedures/{name}": {
        "get": _op(
            "getProcedure",
            "One current procedure.",
            _ok("Procedure", "The procedure."),
            errors=(401, 404),
            parameters=[
                _param("name", "path", {"type": "string"}, "The procedure's name.", example="leave_request")
            ],
            tag="procedures",
        )
    },
    "/instances": {
        "post": _op(
            "startInstance",
            "Start a procedure for an organization.",
            _ok("Instance", "Started; Location names the new instance.", 201),
            errors=(400, 401, 403, 404, 409, 422),
            body="StartRequest",
        ),
        "get": _op(
            "searchInstances",
            "Search every instance in the auditor's scope (auditors only), newest first.",
            _ok("InstancePage", "Matching instances."),
            errors=(401, 403, 404, 422),
            parameters=[
                _param("org_id", "query", _ID, "At or below this organization."),
                _param("workflow", "query", {"type": "string", "maxLength": 100}, "Procedure name."),
                _param("state", "query", {"type": "string", "maxLength": 100}, "Current state name."),
                _param(
                    "status", "query", {"enum": ["active", "completed", "withdrawn", "rejected"]}, "Status."
                ),
                _param(
                    "date_from",
                    "query",
                    {"type": "string", "format": "date"},
                    "Started on or after this China date.",
                ),
                _param(
                    "date_to",
                    "query",
                    {"type": "string", "format": "date"},
                    "Started on or before this China date.",
                ),
                _param(
                    "actor",
                    "query",
                    {"type": "string", "maxLength": 100},
                    "Someone who acted on it (name or user name, part of it).",
                ),
                *_PAGING,
            ],
        ),
    },
    "/instances/{instance_id}": {
        "get": _op(
            "getInstance",
            "An instance: state, version, data, open tasks with due dates, the caller's actions.",
            _ok("Instance", "The instance."),
            errors=(401, 404),
            parameters=[_INSTANCE_ID],
        )
    },
    "/instances/{instance_id}/actions/{action}": {
        "post": _op(
            "performAction",
            "Perform an action on the version the caller saw.",
            _ok("Instance", "Done: the instance now."),
            errors=(400, 401, 403, 404, 409, 422),
            body="ActionRequest",
            parameters=[
                _INSTANCE_ID,
                _param("action", "path", {"type": "string"}, "The action's name.", example="withdraw"),
            ],
        )
    },
    "/instances/{instance_id}/trail": {
        "get": _op(
            "getTrail",
            "The instance's audit trail, oldest first, with its hash chain.",
            _ok("Trail", "The events."),
            errors=(401, 404),
            parameters=[_INSTANCE_ID],
        )
    },
    "/instances/{instance_id}/documents": {
        "get": _op(
            "listDocuments",
            "The documents the instance produced, in the order issued.",
            _ok("DocumentList", "The documents."),
            errors=(401, 404),
            parameters=[_INSTANCE_ID],
            tag="documents",
        )
    },
    "/documents/{document_id}": {
        "get": _op(
            "downloadDocument",
            "A document as a Word (.docx) file.",
            {
                200: {
                    "description": "The file.",
                    "content": {DOCX: {"schema": {"type": "string", "contentEncoding": "binary"}}},
                }
            },
            errors=(401, 404),
            parameters=[_param("document_id", "path", _ID, "The document's id.", example=1)],
            tag="documents",
        )
    },
    "/tasks": {
        "get": _op(
            "listTasks",
            "The caller's open tasks (待办), most urgent first unless order=newest.",
            _ok("TaskPage", "The tasks."),
            errors=(401, 422),
            tag="tasks",
            parameters=[
                _param("workflow", "query", {"type": "string", "maxLength": 100}, "Procedure name."),
                _param("state", "query", {"type": "string", "maxLength": 100}, "State name."),
                _param("org_id", "query", _ID, "The instance's organization."),
                _param("order", "query", {"enum": ["urgent", "newest"], "default": "urgent"}, "Order."),
                *_PAGING,
            ],
        )
    },
    "/openapi.json": {
        "get": _op(
            "getOpenApi",
            "This document.",
            {200: {"description": "OpenAPI 3.1.", "content": {JSON: {"schema": _ANY_OBJECT}}}},
            errors=(),
            tag="reference",
            public=True,
        )
    },
    "/docs": {
        "get": _op(
            "getReference",
            "This reference as a page.",
            {200: {"description": "HTML.", "content": {"text/html": {"schema": _STR}}}},
            errors=(),
            tag="reference",
            public=True,
        )
    },
}


def _verb(
    op_id: str, summary: str, body: str | None, ok: str = "Instance", *, body_required: bool = True
) -> dict[str, Any]:
    return {
        "post": _op(
            op_id,
            summary,
            _ok(ok, "Done: the instance now." if ok == "Instance" else "Done."),
            errors=(400, 401, 403, 404, 409, 422),
            body=body,
            body_required=body_required,
            parameters=[_INSTANCE_ID],
            tag="verbs",
        )
    }


VERB_PATHS: dict[str, dict[str, Any]] = {
    "/instances/{instance_id}/verbs": {
        "get": _op(
            "getVerbs",
            "What the caller may do beyond the actions (sign, transfer, add a signer, copy, urge, take back), "
            "the countersign's signatures and the opinions asked for.",
            _ok("Verbs", "The verbs."),
            errors=(401, 404),
            parameters=[_INSTANCE_ID],
            tag="verbs",
        )
    },
    "/instances/{instance_id}/sign": _verb(
        "sign", "会签: a signer's answer on the current step.", "SignRequest"
    ),
    "/instances/{instance_id}/transfer": _verb(
        "transfer", "转办: hand the step's task to a colleague.", "TransferRequest"
    ),
    "/instances/{instance_id}/add-signer": _verb(
        "addSigner", "加签: ask one more person for an opinion, before or after acting.", "AddSignerRequest"
    ),
    "/instances/{instance_id}/opinion": _verb(
        "giveOpinion", "The opinion asked for by 加签.", "OpinionRequest"
    ),
    "/instances/{instance_id}/copies": _verb(
        "copy", "抄送: copy the request to people who must know.", "CopyRequest"
    ),
    "/instances/{instance_id}/read": _verb(
        "markRead", "已阅: mark the copies of the request to the caller read.", None, "Read"
    ),
    "/instances/{instance_id}/urge": _verb(
        "urge",
        "催办: nudge whoever must act now (once per working day); the body is optional.",
        "UrgeRequest",
        body_required=False,
    ),
    "/instances/{instance_id}/take-back": _verb(
        "takeBack", "拿回: take the request back while the next actor has not acted.", None
    ),
    "/copies": {
        "get": _op(
            "listCopies",
            "Requests copied to the caller (抄送我), unread first.",
            _ok("CopyPage", "The copies."),
            errors=(401, 422),
            parameters=_PAGING,
            tag="verbs",
        )
    },
    "/delegations": {
        "get": _op(
            "listDelegations",
            "The caller's delegations, given and received.",
            _ok("DelegationList", "Them."),
            tag="verbs",
        ),
        "post": _op(
            "createDelegation",
            "委托: from a date to a date the caller's tasks go to a delegate as well.",
            _ok("Delegation", "Created.", 201),
            errors=(400, 401, 422),
            body="DelegationRequest",
            tag="verbs",
        ),
    },
    "/delegations/{delegation_id}/revoke": {
        "post": _op(
            "revokeDelegation",
            "End one of the caller's delegations now.",
            _ok("DelegationList", "The caller's delegations now."),
            errors=(401, 404),
            parameters=[_param("delegation_id", "path", _ID, "The delegation's id.", example=1)],
            tag="verbs",
        )
    },
}
PATHS.update(VERB_PATHS)
PATHS.update(
    {
        "/admin/tokens": {
            "get": _op(
                "listAllTokens",
                "Every user's API tokens (administrators only); active ones unless all=1.",
                _ok("AdminTokenList", "The tokens, newest first."),
                errors=(401, 403, 422),
                parameters=[_param("all", "query", {"enum": ["0", "1"]}, "1: revoked and expired ones too.")],
                tag="account",
            )
        },
        "/admin/tokens/{token_id}/revoke": {
            "post": _op(
                "revokeAnyToken",
                "Revoke any user's API token (administrators only); revoking a revoked one changes nothing.",
                _ok("AdminToken", "The token, revoked."),
                errors=(401, 403, 404),
                parameters=[_param("token_id", "path", _ID, "The token's id.", example=1)],
                tag="account",
            )
        },
    }
)
# Every authenticated call may meet the address throttle (429); every call that writes may meet a
# read-only token (403).
for _path in PATHS.values():
    for _method, _operation in _path.items():
        if _operation.get("security") == []:
            continue
        _operation["responses"].setdefault("429", _error(429))
        if _method != "get":
            _operation["responses"].setdefault("403", _error(403))
        if "requestBody" in _operation:
            _operation["responses"].setdefault("413", _error(413))


def document() -> dict[str, Any]:
    """The OpenAPI document (a fresh copy: callers may not change the shared one)."""
    import copy

    return copy.deepcopy(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "flowengine API",
                "version": "1",
                "description": (
                    "Read and drive requests (申请) of the Party organizations' procedures. Every call acts as the "
                    "owner of a personal API token, sent as `Authorization: Bearer fe_…`, with exactly the owner's "
                    "roles and organizations, as in the web UI. Errors are JSON: `code`, `message` and `errors` "
                    "(field → message)."
                ),
            },
            "servers": [{"url": PREFIX}],
            "security": [{"bearerAuth": []}],
            "paths": PATHS,
            "components": {
                "schemas": SCHEMAS,
                "securitySchemes": {
                    "bearerAuth": {
                        "type": "http",
                        "scheme": "bearer",
                        "bearerFormat": "fe_<prefix>_<secret>",
                        "description": "A personal API token (账户 → API 令牌, or "
                        "`flowengine users token USER --name NAME`).",
                    }
                },
            },
        }
    )


__all__ = ["DOCX", "MAX_ID", "MAX_PER_PAGE", "PREFIX", "SCHEMAS", "document"]
