"""JSON Schema of the workflow definition format.

Published as ``workflows/schema.json`` so editors validate a definition as it is typed; the loader
applies the same schema first, then the semantic checks that a schema cannot express (references
between states, actions, roles and checks; reachability).
"""

from __future__ import annotations

import json
from typing import Any

from flowengine.definitions.model import (
    ACTION_KINDS,
    DEADLINE_UNITS,
    DIRECTIONS,
    ESCALATIONS,
    FIELD_TYPES,
    FINAL_OUTCOMES,
    ON_RETURN,
    ROLE_RELATIONS,
    SUBJECT_KINDS,
    TERM_ROLES,
)

IDENT = {"type": "string", "pattern": "^[a-z][a-z0-9_]*$"}
NAME_LIST = {"oneOf": [IDENT, {"type": "array", "items": IDENT, "minItems": 1}]}

CHECK_REF = {
    "oneOf": [
        IDENT,
        {
            "type": "object",
            "required": ["name"],
            "additionalProperties": False,
            "properties": {"name": IDENT, "params": {"type": "object"}},
        },
    ]
}

#: ``when``/``unless`` of a branch: one predicate or several (all must hold), each a name or name + params.
PREDICATES = {"oneOf": [CHECK_REF, {"type": "array", "items": CHECK_REF, "minItems": 1}]}

FIELD: dict[str, Any] = {
    "type": "object",
    "required": ["name", "label", "type"],
    "additionalProperties": False,
    "properties": {
        "name": IDENT,
        "label": {"type": "string", "minLength": 1},
        "type": {"enum": list(FIELD_TYPES)},
        "required": {"type": "boolean"},
        "help": {"type": "string"},
        "min": {"type": ["number", "string"]},
        "max": {"type": ["number", "string"]},
        "min_length": {"type": "integer", "minimum": 0},
        "max_length": {"type": "integer", "minimum": 1},
        "pattern": {"type": "string"},
        "options": {
            "type": "array",
            "minItems": 1,
            "items": {
                "oneOf": [
                    {"type": "string"},
                    {
                        "type": "object",
                        "required": ["value", "label"],
                        "additionalProperties": False,
                        "properties": {"value": {"type": "string"}, "label": {"type": "string"}},
                    },
                ]
            },
        },
        "min_items": {"type": "integer", "minimum": 0},
        "max_items": {"type": "integer", "minimum": 1},
        "fields": {"type": "array", "items": {"$ref": "#/$defs/field"}, "minItems": 1},
        "prefill": {
            "type": "string",
            "pattern": r"^(org|data|setting)\.[a-z0-9_.]+(\s*\+\s*data\.[a-z0-9_.]+)*$",
        },
    },
}

DEADLINE = {
    "type": "object",
    "required": ["days", "unit"],
    "additionalProperties": False,
    "properties": {
        # A number of days, or the name of a setting that holds it (stated once: the setting's default).
        "days": {"oneOf": [{"type": "integer", "minimum": 1}, IDENT]},
        "unit": {"enum": list(DEADLINE_UNITS)},
        "reminders": {"type": "array", "items": {"type": "integer", "minimum": 0}},
        "escalate_to": IDENT,
        "escalation": {"enum": list(ESCALATIONS)},
        # Counted from this date (``step.field``) rather than from the day the step was opened.
        "from": {"type": "string", "pattern": r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"},
    },
}

#: Several signers on one step (会签 all, 或签 any, 比例签 k or a fraction), beside the step's assignee.
COUNTERSIGN: dict[str, Any] = {
    "type": "object",
    "required": ["title"],
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "minLength": 1},
        "signers": {"type": "array", "items": IDENT, "minItems": 1},
        "people": {"type": "string", "pattern": r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"},
        "complete": {
            "oneOf": [
                {"enum": ["all", "any"]},
                {"type": "integer", "minimum": 1},
                {"type": "string", "pattern": r"^[1-9][0-9]*/[1-9][0-9]*$"},
            ]
        },
        "on_return": {"enum": list(ON_RETURN)},
        "return_action": IDENT,
        "then": IDENT,
        "form": {"type": "array", "items": {"$ref": "#/$defs/field"}},
        "checks": {"type": "array", "items": CHECK_REF},
    },
}

#: ``step.field``: a value a step of the request submitted.
STEP_FIELD = {"type": "string", "pattern": r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"}

#: A stretch of time: days (a number, a setting, or a whole-number field ``step.field``) of a unit.
PERIOD: dict[str, Any] = {
    "type": "object",
    "required": ["days", "unit"],
    "additionalProperties": False,
    "properties": {
        "days": {"oneOf": [{"type": "integer", "minimum": 0}, IDENT, STEP_FIELD]},
        "unit": {"enum": list(DEADLINE_UNITS)},
    },
}

#: A step that ends by itself: after some days (or months) the system takes an action, or reminds.
TIMER: dict[str, Any] = {
    "type": "object",
    "required": ["after"],
    "additionalProperties": False,
    "properties": {
        "after": PERIOD,
        "from": STEP_FIELD,
        # A further period after ``after`` (an extension whose length a later step decided).
        "plus": PERIOD,
        # Taken off the end: a reminder some time before the period is over.
        "before": PERIOD,
        "fire": IDENT,
        "remind": {"type": "string", "minLength": 1},
    },
}

BRANCH = {
    "type": "object",
    "required": ["state"],
    "additionalProperties": False,
    "properties": {"state": IDENT, "when": PREDICATES, "unless": PREDICATES},
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://flowengine.invalid/schema/workflow.json",
    "title": "flowengine workflow definition",
    "type": "object",
    "required": ["name", "title", "version", "start", "roles", "states", "actions"],
    "additionalProperties": False,
    # Keys starting with "x-" are ignored: a place for YAML anchors shared by several steps.
    "patternProperties": {"^x-": {}},
    "$defs": {"field": FIELD},
    "properties": {
        "name": IDENT,
        "title": {"type": "string", "minLength": 1},
        "version": {"type": "integer", "minimum": 1},
        "description": {"type": "string"},
        "package": IDENT,
        "params": {"type": "object", "propertyNames": IDENT},
        "term_watch": {
            "type": "object",
            "required": ["role"],
            "additionalProperties": False,
            "properties": {"role": {"enum": list(TERM_ROLES)}, "completed": {"type": "string"}},
        },
        "notify": {"type": "array", "items": IDENT, "minItems": 1},
        # What each request is about when it is not its organization: a person, whose personal data are the
        # start form's ``fields`` (one of them, ``name``, names the person).
        "subject": {
            "type": "object",
            "required": ["kind", "name", "fields"],
            "additionalProperties": False,
            "properties": {
                "kind": {"enum": list(SUBJECT_KINDS)},
                "name": IDENT,
                "fields": {"type": "array", "items": IDENT, "minItems": 1},
            },
        },
        "settings": {
            "type": "object",
            "propertyNames": IDENT,
            "additionalProperties": {
                "type": "object",
                "required": ["default"],
                "additionalProperties": False,
                "properties": {"default": {}, "description": {"type": "string"}},
            },
        },
        "start": {
            "type": "object",
            "required": ["role", "org_types"],
            "additionalProperties": False,
            "properties": {
                "role": IDENT,
                "org_types": {"type": "array", "items": IDENT, "minItems": 1},
                "form": {"type": "array", "items": {"$ref": "#/$defs/field"}},
                "checks": {"type": "array", "items": CHECK_REF},
            },
        },
        "roles": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": IDENT,
            "additionalProperties": {
                "type": "object",
                "required": ["title", "role", "of"],
                "additionalProperties": False,
                "properties": {
                    "title": {"type": "string"},
                    "role": IDENT,
                    "of": {"enum": list(ROLE_RELATIONS)},
                },
            },
        },
        "documents": {
            "type": "object",
            "propertyNames": IDENT,
            "additionalProperties": {
                "type": "object",
                "required": ["title", "kind", "direction"],
                "additionalProperties": False,
                "properties": {
                    "title": {"type": "string"},
                    "kind": {"type": "string"},
                    "direction": {"enum": list(DIRECTIONS)},
                    "number_field": IDENT,
                },
            },
        },
        "states": {
            "type": "array",
            "minItems": 2,
            "items": {
                "type": "object",
                "required": ["name", "title"],
                "additionalProperties": False,
                "properties": {
                    "name": IDENT,
                    "title": {"type": "string", "minLength": 1},
                    "description": {"type": "string"},
                    "initial": {"type": "boolean"},
                    "final": {"type": "boolean"},
                    "outcome": {"enum": list(FINAL_OUTCOMES)},
                    "assignee": IDENT,
                    "deadline": DEADLINE,
                    "countersign": COUNTERSIGN,
                    "timer": {"oneOf": [TIMER, {"type": "array", "items": TIMER, "minItems": 1}]},
                    # This state stands in for state ``of`` wherever an action leads there and ``when`` holds.
                    "variant": {
                        "type": "object",
                        "required": ["of", "when"],
                        "additionalProperties": False,
                        "properties": {"of": IDENT, "when": PREDICATES},
                    },
                },
            },
        },
        "actions": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["name", "title", "from", "to", "role"],
                "additionalProperties": False,
                "properties": {
                    "name": IDENT,
                    "title": {"type": "string", "minLength": 1},
                    "description": {"type": "string"},
                    "from": NAME_LIST,
                    "to": {"oneOf": [IDENT, {"type": "array", "items": BRANCH, "minItems": 1}]},
                    "role": IDENT,
                    "kind": {"enum": list(ACTION_KINDS)},
                    "comment_required": {"type": "boolean"},
                    "form": {"type": "array", "items": {"$ref": "#/$defs/field"}},
                    "checks": {"type": "array", "items": CHECK_REF},
                    "effects": {"type": "array", "items": CHECK_REF},
                    "documents": {"type": "array", "items": IDENT},
                    "copy_to": {"type": "array", "items": IDENT, "minItems": 1},
                },
            },
        },
    },
}


def schema_json() -> str:
    """The schema as published in ``workflows/schema.json`` (a test keeps the two identical)."""
    return json.dumps(SCHEMA, ensure_ascii=False, indent=2) + "\n"
