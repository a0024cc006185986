"""Reading a request's JSON body and query string strictly: anything malformed is refused, naming where.

Bodies are checked against the request schemas of the OpenAPI document itself (:mod:`.schema`), so the
server accepts exactly what the description says; query parameters are few and read by hand.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from typing import Any

from flask import request
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from flowengine.text import not_text
from flowengine.web.api.errors import ApiError
from flowengine.web.api.schema import MAX_ID, SCHEMAS

#: The largest JSON body read (bytes): the biggest form of a shipped procedure is a few kilobytes.
MAX_JSON_BYTES = 256 * 1024
#: The deepest nesting of objects and arrays in a body (a list field's rows are 3 levels deep).
MAX_JSON_DEPTH = 16

_TYPE_NAMES = {
    "object": "对象",
    "string": "文本",
    "integer": "整数",
    "array": "数组",
    "boolean": "布尔值",
    "null": "null",
    "number": "数字",
}


@cache
def _validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(SCHEMAS[name])


def _explain(error: ValidationError) -> tuple[str, str]:
    where = ".".join(str(p) for p in error.absolute_path)
    v = error.validator
    if v == "required":
        missing = next((p for p in error.validator_value if p not in (error.instance or {})), "")
        return (f"{where}.{missing}" if where else str(missing)), "必须提供"
    if v == "additionalProperties":
        extra = sorted(set(error.instance or {}) - set(error.schema.get("properties", {})))
        return (extra[0] if extra else where or "body"), "不支持的字段"
    if v == "type":
        types = error.validator_value if isinstance(error.validator_value, list) else [error.validator_value]
        return where or "body", "应为" + "或".join(_TYPE_NAMES.get(str(t), str(t)) for t in types)
    if v in ("minimum", "maximum"):
        return where or "body", f"超出允许范围（{error.schema.get('minimum')}–{error.schema.get('maximum')}）"
    if v in ("minLength", "maxLength"):
        return (
            where or "body",
            f"长度应在 {error.schema.get('minLength', 0)}–{error.schema.get('maxLength', '')} 之间",
        )
    return where or "body", error.message


def _not_text(value: Any, where: str, depth: int = 1) -> tuple[str, str] | None:
    """The first string (key or value) in ``value`` that is not text, with its path; refuses deep nesting."""
    if depth > MAX_JSON_DEPTH:
        raise ApiError(400, "bad_request", f"请求内容嵌套过深（超过 {MAX_JSON_DEPTH} 层）。")
    if isinstance(value, str):
        problem = not_text(value)
        return (where or "body", problem) if problem else None
    items: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        for key, item in value.items():
            problem = not_text(key)
            if problem:
                return (f"{where}.{key!r}" if where else repr(key)), f"字段名{problem}"
            items.append((f"{where}.{key}" if where else key, item))
    elif isinstance(value, list):
        items = [(f"{where}[{i}]", item) for i, item in enumerate(value)]
    for path, item in items:
        found = _not_text(item, path, depth + 1)
        if found:
            return found
    return None


def json_body(schema: str) -> dict[str, Any]:
    """The body as a JSON object valid against ``schema``: 400 when it is not JSON (or too large or too
    deep), 422 naming a string that is not text or a field the schema refuses."""
    if (request.content_length or 0) > MAX_JSON_BYTES:
        raise ApiError(413, "too_large", f"请求内容过大（超过 {MAX_JSON_BYTES // 1024} KB）。")
    raw = request.get_data(cache=True)
    if len(raw) > MAX_JSON_BYTES:
        raise ApiError(413, "too_large", f"请求内容过大（超过 {MAX_JSON_BYTES // 1024} KB）。")
    try:
        body = json.loads(raw.decode("utf-8")) if raw.strip() else None
    except RecursionError:
        raise ApiError(400, "bad_request", f"请求内容嵌套过深（超过 {MAX_JSON_DEPTH} 层）。") from None
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "bad_request", "请求内容不是有效的 JSON（UTF-8）。") from None
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "请求内容应为 JSON 对象。")
    found = _not_text(body, "")
    if found:
        raise ApiError(422, "validation_failed", "请求中有不是文字的内容，请修改后重试。", dict([found]))
    errors: dict[str, str] = {}
    for error in sorted(_validator(schema).iter_errors(body), key=lambda e: list(e.absolute_path)):
        key, message = _explain(error)
        errors.setdefault(key, message)
    if errors:
        raise ApiError(422, "validation_failed", "请求字段有误，请按提示修改。", errors)
    return body


def _bad(name: str, message: str) -> ApiError:
    return ApiError(422, "validation_failed", f"查询参数 {name} 有误。", {name: message})


def int_arg(name: str, default: int | None = None, *, maximum: int = MAX_ID) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise _bad(name, f"应为 1–{maximum} 之间的整数")
    return int(raw)


def str_arg(name: str, *, choices: tuple[str, ...] | None = None, max_length: int = 100) -> str | None:
    raw = request.args.get(name)
    if raw is None or (raw == "" and choices is None):
        return None
    if choices is not None and raw not in choices:
        raise _bad(name, "应为 " + "、".join(choices) + " 之一")
    if len(raw) > max_length:
        raise _bad(name, f"不能超过 {max_length} 个字符")
    return raw


def date_arg(name: str) -> dt.date | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise _bad(name, "应为日期，如 2026-09-21") from None


def path_id(value: int, what: str) -> int:
    """Ids the database cannot hold name nothing (and must not reach a query, which would overflow)."""
    if not 1 <= value <= MAX_ID:
        raise ApiError(404, "not_found", f"{what} {value} 不存在，或您无权查看。")
    return value


__all__ = ["date_arg", "int_arg", "json_body", "path_id", "str_arg"]
