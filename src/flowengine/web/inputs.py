"""Input that is not text, and numbers that name nothing, stopped at the door of every route.

Before any view runs, every query parameter, form field (name and value) and path segment is checked
against :func:`flowengine.text.not_text`: a control character (other than tab and newline), an unpaired
surrogate or a non-character is answered with a message naming the parameter — 422 for a form or query
value, 404 for a path — and no view, so nothing is read or changed. JSON bodies are checked by the API
(:func:`flowengine.web.api.params.json_body`), which also bounds their size and depth.

Integers in paths are bounded by the ``int`` converter (:class:`BoundedInt`: larger ids name nothing, 404),
in query strings by :func:`id_arg` and :func:`page_arg`; a number that still reaches the database out of
its range is answered 400 by :func:`register`'s handler instead of a server error.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Flask, Response, jsonify, request
from sqlalchemy.exc import DataError
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter, Map

from flowengine.text import not_text
from flowengine.web.errors import error_page

#: Ids are 32-bit in the database: a larger one names nothing.
MAX_ID = 2**31 - 1
#: No list has this many pages; a larger ``page=`` is refused rather than sent to the database.
MAX_PAGE = 100_000


class BoundedInt(IntegerConverter):
    """``<int:…>`` in every route: 1 to :data:`MAX_ID` digits' worth, else the URL matches nothing (404)."""

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def _first_problem(pairs: Iterable[tuple[str, Any]]) -> tuple[str, str] | None:
    for key, value in pairs:
        for text in (key, value):
            if isinstance(text, str):
                problem = not_text(text)
                if problem:
                    return key if not_text(key) is None else repr(key), problem
    return None


def _refuse(status: int, where: str, name: str, problem: str) -> Response | tuple[str, int]:
    message = f"{where}“{name}”有误：{problem}。本次请求未处理，请修改后重试。"
    if request.path == "/api" or request.path.startswith("/api/"):
        response = jsonify(
            {
                "code": "not_text" if status != 404 else "not_found",
                "message": message,
                "errors": {name: problem},
            }
        )
        response.status_code = status
        return response
    return error_page(status, message)


def guard() -> Response | tuple[str, int] | None:
    """The check above, as a ``before_request`` hook: a response refuses the request, None lets it on."""
    found = _first_problem((request.view_args or {}).items())
    if found:
        return _refuse(404, "地址中的", *found)
    found = _first_problem(request.args.items(multi=True))
    if found:
        return _refuse(422, "查询参数", *found)
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        found = _first_problem(request.form.items(multi=True))
        if found:
            return _refuse(422, "表单字段", *found)
    return None


def id_arg(raw: str | None) -> int | None:
    """An id from a query string or a form: ASCII digits within the database's range, else None."""
    if not raw or not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


def page_arg(name: str = "page") -> int:
    """``page=`` (1 when absent); anything but 1–:data:`MAX_PAGE` is a 400 naming it."""
    raw = request.args.get(name, "")
    if raw == "":
        return 1
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_PAGE:
        return int(raw)
    raise BadRequest(f"页码 {name} 应为 1–{MAX_PAGE} 之间的整数。")


def out_of_range(exc: DataError | OverflowError) -> Response | tuple[str, int]:
    """A number the database cannot hold got through: the transaction rolled back, nothing changed."""
    return _refuse(400, "请求中的", "数值", "超出了系统能处理的范围")


def register(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedInt
    app.before_request(guard)
    app.register_error_handler(DataError, out_of_range)
    app.register_error_handler(OverflowError, out_of_range)


__all__ = ["MAX_ID", "MAX_PAGE", "BoundedInt", "guard", "id_arg", "out_of_range", "page_arg", "register"]
