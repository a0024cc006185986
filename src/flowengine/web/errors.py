"""Error pages in the app's style, and the mapping of service errors to HTTP status codes.

Views let :class:`NotFound` and :class:`PermissionDenied` from the service propagate; they become 404 and
403 here, so a page and its download answer alike. Errors a view can explain in place (a form that does
not validate, a stale page) are handled by the view itself.
"""

from __future__ import annotations

import logging

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from flowengine.errors import ConfigurationError, FlowEngineError, NotFound, PermissionDenied

log = logging.getLogger(__name__)

_TITLES = {
    400: "请求无效",
    403: "无权访问",
    404: "页面不存在",
    405: "不支持的操作",
    409: "操作冲突",
    500: "系统出错",
}
_TEXTS = {
    400: "请求无法处理，请返回上一页刷新后重试。",
    403: "您没有执行此操作或查看此页面的权限。",
    404: "您要找的页面或申请不存在，或您无权查看。",
    405: "此地址不支持这种访问方式。",
    500: "系统出现意外错误，已记录，请稍后重试或联系系统管理员。",
}


def error_page(status: int, message: str | None = None) -> tuple[str, int]:
    return render_template(
        "errors/error.html",
        status=status,
        title=_TITLES.get(status, "出错了"),
        message=message or _TEXTS.get(status, ""),
    ), status


def _csrf(exc: CSRFError) -> tuple[str, int]:
    log.info("CSRF refusal on %s %s: %s", request.method, request.path, exc.description)
    return error_page(
        400,
        "页面已过期或表单来源无法验证（缺少有效的安全令牌），本次提交未生效。请返回并刷新页面后重新提交。",
    )


def _http(exc: HTTPException) -> tuple[str, int]:
    code = exc.code or 500
    own = exc.description if exc.description != type(exc).description else None  # a view's own message
    return error_page(code, own or _TEXTS.get(code) or exc.description)


def _not_found(exc: NotFound) -> tuple[str, int]:
    return error_page(404, exc.message)


def _forbidden(exc: PermissionDenied) -> tuple[str, int]:
    return error_page(403, exc.message)


def _configuration(exc: ConfigurationError) -> tuple[str, int]:
    log.error("configuration error: %s", exc.message)
    return error_page(500, exc.message)


def _flowengine(exc: FlowEngineError) -> tuple[str, int]:
    return error_page(409, exc.message)


def _unexpected(exc: Exception) -> tuple[str, int]:
    if isinstance(exc, HTTPException):
        return _http(exc)
    log.exception("unhandled error on %s %s", request.method, request.path)
    return error_page(500)


def register(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(HTTPException, _http)
    app.register_error_handler(NotFound, _not_found)
    app.register_error_handler(PermissionDenied, _forbidden)
    app.register_error_handler(ConfigurationError, _configuration)
    app.register_error_handler(FlowEngineError, _flowengine)
    app.register_error_handler(Exception, _unexpected)
