"""Every API error as JSON of one shape — ``{"code", "message", "errors"}`` — with the status it deserves.

The service raises the hierarchy of :mod:`flowengine.errors`; this module is the one place that says what
each becomes over HTTP, so a script can branch on ``code`` and show ``message`` (and ``errors``, which
names the fields) to a person. Routing errors (an unknown path, a wrong method) under ``/api/`` are JSON
too; everywhere else they keep the web UI's error page.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from flowengine.errors import (
    CheckFailed,
    FlowEngineError,
    InvalidAction,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from flowengine.web.errors import error_page

log = logging.getLogger(__name__)

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_attempts",
    500: "server_error",
}
_HTTP_TEXTS = {
    400: "请求无效。",
    404: "接口不存在。",
    405: "此接口不支持这种请求方法。",
    413: "请求内容过大。",
    500: "系统出现意外错误，已记录，请稍后重试或联系系统管理员。",
}


class ApiError(Exception):
    """An error the API itself detects (bad JSON, a bad parameter, no token) before calling the service."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        errors: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = dict(errors or {})
        self.headers = dict(headers or {})


def error_response(
    status: int, code: str, message: str, errors: Mapping[str, str] | None = None, **extra: Any
) -> Response:
    response = jsonify({"code": code, "message": message, "errors": dict(errors or {}), **extra})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="flowengine"'
    return response


def _api(exc: ApiError) -> Response:
    response = error_response(exc.status, exc.code, exc.message, exc.errors)
    response.headers.update(exc.headers)
    return response


def _flowengine(exc: FlowEngineError) -> Response:
    if isinstance(exc, NotFound):
        return error_response(404, exc.code, exc.message)
    if isinstance(exc, PermissionDenied):
        return error_response(403, exc.code, exc.message)
    if isinstance(exc, ValidationFailed):
        return error_response(422, exc.code, exc.summary, exc.errors)
    if isinstance(exc, CheckFailed):
        fields = {}
        for f in exc.failures:
            if f.field and f.field not in fields:
                fields[f.field] = f.reason
        return error_response(
            422,
            exc.code,
            exc.message,
            fields,
            checks=[{"check": f.check, "reason": f.reason, "field": f.field} for f in exc.failures],
        )
    if isinstance(exc, StaleVersion):
        return error_response(
            409, exc.code, exc.message, {"version": f"当前为第 {exc.actual} 版"}, current_version=exc.actual
        )
    if isinstance(exc, InvalidAction):
        return error_response(409, exc.code, exc.message)
    log.error("API %s %s: %s", request.method, request.path, exc.message)
    return error_response(500, exc.code, exc.message)


def _http(exc: HTTPException) -> Response:
    status = exc.code or 500
    own = exc.description if exc.description != type(exc).description else None
    response = error_response(
        status, _HTTP_CODES.get(status, "error"), own or _HTTP_TEXTS.get(status) or exc.description or ""
    )
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return response


def _unexpected(exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return _http(exc)
    log.exception("unhandled error on API %s %s", request.method, request.path)
    return error_response(500, "server_error", _HTTP_TEXTS[500])


def _routing(exc: HTTPException) -> Response | tuple[str, int]:
    """404/405 before any view ran: JSON under ``/api/``, the UI's page elsewhere (as its own handler does)."""
    if request.path == "/api" or request.path.startswith("/api/"):
        return _http(exc)
    return error_page(exc.code or 500)


def register(bp: Blueprint) -> None:
    from sqlalchemy.exc import DataError

    from flowengine.web.inputs import out_of_range

    bp.register_error_handler(DataError, out_of_range)
    bp.register_error_handler(OverflowError, out_of_range)
    bp.register_error_handler(ApiError, _api)
    bp.register_error_handler(FlowEngineError, _flowengine)
    bp.register_error_handler(HTTPException, _http)
    bp.register_error_handler(Exception, _unexpected)
    bp.app_errorhandler(404)(_routing)
    bp.app_errorhandler(405)(_routing)


__all__ = ["ApiError", "error_response", "register"]
