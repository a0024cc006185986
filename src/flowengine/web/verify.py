"""扫码验真: the public page that checks a document by its verification code or by the file itself.

No login: whoever holds the paper (or the .docx) may check it. The answer is what
:class:`flowengine.service.Verdict` carries — title, number, issuing organization, date and whether the
file matches the audit trail — nothing about the people or the request. Every lookup counts against the
caller's allowance (the service's database-backed rate limiter); past it the page answers 429.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from flowengine.errors import ValidationFailed
from flowengine.service import MAX_UPLOAD, RateLimited, Verdict
from flowengine.web.context import services

bp = Blueprint("verify", __name__, url_prefix="/verify")


def _client() -> str:
    return request.remote_addr or "unknown"


def _page(
    *,
    code: str = "",
    verdict: Verdict | None = None,
    looked: str | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    refused: str | None = None,
) -> tuple[str, int]:
    return render_template(
        "verify/verify.html",
        code=code,
        verdict=verdict,
        looked=looked,
        errors=errors or {},
        refused=refused,
        max_mb=MAX_UPLOAD // (1024 * 1024),
    ), status


def _answer(code: str, looked: str, lookup: object) -> tuple[str, int]:
    try:
        verdict = lookup()  # type: ignore[operator]
    except RateLimited as exc:
        page, _ = _page(code=code, refused=exc.message, status=429)
        return page, 429
    except ValidationFailed as exc:
        return _page(code=code, errors=exc.errors, status=422, looked=looked)
    if verdict is None:
        return _page(code=code, looked=looked, status=404)
    return _page(code=code, verdict=verdict, looked=looked)


@bp.route("", methods=["GET", "POST"])
def index() -> tuple[str, int] | Response:
    verifier = services().verifier
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is not None and upload.filename:
            content = upload.stream.read(MAX_UPLOAD + 1)
            return _answer("", "file", lambda: verifier.by_upload(content, _client()))
        code = request.form.get("code", "").strip()
        if not code:
            return _page(errors={"code": "请输入验证码，或选择要核验的 .docx 文件"}, status=422)
        return _answer(code, "code", lambda: verifier.by_code(code, _client()))
    code = request.args.get("code", "").strip()
    if code:
        return _answer(code, "code", lambda: verifier.by_code(code, _client()))
    return _page()


@bp.route("/<code>")
def by_code(code: str) -> tuple[str, int]:
    """The page the QR code opens."""
    return _answer(code, "code", lambda: services().verifier.by_code(code, _client()))
