"""督导: the superior organization's view of its units' terms (换届) and of each procedure's metrics.

Thin over :mod:`flowengine.service.reads.supervision`, which decides who may look and what counts as late. This
module reads the query string, renders the page, and writes the same rows as CSV (UTF-8 with a BOM, so
Excel opens it in Chinese), as .xlsx, and the 督导通报 as .docx. Charts are drawn in the browser by the
shipped Chart.js from data the page carries in ``data-chart`` attributes (the CSP allows no inline script).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, render_template, request
from flask_login import current_user, login_required

from flowengine.chinese import china_date
from flowengine.errors import ValidationFailed
from flowengine.service import FILTER_TITLES, SORTS, Criteria, Overview, Supervision, SupervisionRow
from flowengine.service import TERM_STATUS_TITLES as STATUS_TITLES
from flowengine.spreadsheet import XLSX, csv_text, workbook, workbook_of
from flowengine.web.context import services, user_id
from flowengine.web.errors import error_page
from flowengine.web.inputs import id_arg

bp = Blueprint("supervision", __name__, url_prefix="/supervision")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
COLUMNS = (
    "组织",
    "类型",
    "正式党员",
    "任期届满",
    "换届状态",
    "当前环节/情况",
    "等待办理",
    "环节时限",
    "逾期天数",
    "退回次数",
    "预警",
)


def supervision() -> Supervision:
    return services().supervision


@bp.app_context_processor
def _nav_flag() -> dict[str, Any]:
    """``may_supervise()`` for the navigation bar: only people who may open the page see the link."""

    def may_supervise() -> bool:
        return bool(current_user.is_authenticated) and supervision().may_supervise(user_id())

    def supervision_metrics() -> list[Any]:
        return supervision().metrics()

    return {"may_supervise": may_supervise, "supervision_metrics": supervision_metrics}


def _attachment(content: bytes, filename: str, mimetype: str) -> Response:
    response = Response(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def _criteria(args: Mapping[str, str]) -> tuple[Criteria, dict[str, str]]:
    """Filters from the query string; an unknown value is named in the returned errors and ignored."""
    errors: dict[str, str] = {}
    status = args.get("status") or None
    if status and status not in FILTER_TITLES:
        errors["status"] = f"状态筛选“{status}”无效，已显示全部状态"
        status = None
    org = args.get("org") or ""
    org_id = id_arg(org)
    if org and org_id is None:
        errors["org"] = f"组织“{org}”无效，已显示全部组织"
    sort = args.get("sort") or "tree"
    if sort not in SORTS:
        errors["sort"] = f"排序方式“{sort}”无效，已按组织架构排序"
        sort = "tree"
    return Criteria(status=status, org_id=org_id, sort=sort, descending=args.get("dir") == "desc"), errors


def _charts(ov: Overview) -> dict[str, dict[str, Any]]:
    return {
        "status": {
            "type": "bar",
            "label": "组织数",
            "labels": list(STATUS_TITLES.values()),
            "values": [ov.status_counts[k] for k in STATUS_TITLES],
        },
        "due": {
            "type": "bar",
            "label": "任期届满组织数",
            "labels": [m for m, _ in ov.due_by_month],
            "values": [n for _, n in ov.due_by_month],
        },
        "steps": {
            "type": "bar",
            "horizontal": True,
            "label": "平均工作日",
            "labels": [t.title for t in ov.step_times],
            "values": [t.average_working_days for t in ov.step_times],
        },
    }


@bp.route("/")
@login_required
def index() -> tuple[str, int]:
    criteria, errors = _criteria(request.args)
    ov = supervision().overview(user_id(), criteria)  # PermissionDenied (403) for anyone not supervising
    today = ov.today
    args = {k: v for k, v in request.args.items() if v and k not in ("sort", "dir")}
    return render_template(
        "supervision/index.html",
        ov=ov,
        errors=errors,
        args=args,
        charts=_charts(ov),
        sorts=SORTS,
        filters=FILTER_TITLES,
        statuses=STATUS_TITLES,
        period_from=dt.date(today.year, 1, 1),
        period_to=dt.date(today.year, 12, 31),
    ), 422 if errors else 200


def _cells(r: SupervisionRow) -> list[Any]:
    return [
        r.name,
        r.type_title,
        r.full_members,
        r.term_end,
        r.status_title,
        r.state_text,
        r.waiting_on or "",
        r.due_on,
        r.days_overdue or "",
        r.returns or "",
        "、".join(r.flag_titles),
    ]


def _export_rows() -> tuple[Overview, list[list[Any]]]:
    criteria, errors = _criteria(request.args)
    if errors:
        raise ValidationFailed(errors, "导出条件有误")
    ov = supervision().overview(user_id(), criteria)
    return ov, [_cells(r) for r in ov.rows]


def _refused(exc: ValidationFailed) -> tuple[str, int]:
    """A download asked for with bad parameters: say which, on a page, and produce nothing."""
    return error_page(422, exc.message)


@bp.route("/export.csv")
@login_required
def export_csv() -> Response | tuple[str, int]:
    try:
        ov, rows = _export_rows()
    except ValidationFailed as exc:
        return _refused(exc)
    content = csv_text(COLUMNS, rows)  # the BOM makes Excel read the file as UTF-8; no cell is a formula
    return _attachment(
        content.encode("utf-8"), f"督导情况_{ov.today.isoformat()}.csv", "text/csv; charset=utf-8"
    )


@bp.route("/export.xlsx")
@login_required
def export_xlsx() -> Response | tuple[str, int]:
    try:
        ov, rows = _export_rows()
    except ValidationFailed as exc:
        return _refused(exc)
    return _attachment(workbook("督导情况", COLUMNS, rows), f"督导情况_{ov.today.isoformat()}.xlsx", XLSX)


def _date(
    args: Mapping[str, str], name: str, default: dt.date, label: str, errors: dict[str, str]
) -> dt.date:
    raw = (args.get(name) or "").strip()
    if not raw:
        return default
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[name] = f"{label}“{raw}”不是有效日期（应为 2026-01-31 这样的格式）"
        return default


@bp.route("/bulletin.docx")
@login_required
def bulletin() -> Response | tuple[str, int]:
    today = china_date(services().flow.clock())
    errors: dict[str, str] = {}
    date_from = _date(request.args, "from", dt.date(today.year, 1, 1), "督导期间开始日期", errors)
    date_to = _date(request.args, "to", today, "督导期间结束日期", errors)
    org = request.args.get("org") or ""
    try:
        if errors:
            raise ValidationFailed(errors, "督导通报的条件有误")
        result = supervision().bulletin(
            user_id(),
            date_from,
            date_to,
            request.args.get("number") or "",
            id_arg(org),
        )
    except ValidationFailed as exc:
        return _refused(exc)
    return _attachment(result.content, result.filename, DOCX)


def _period(errors: dict[str, str]) -> tuple[dt.date, dt.date, int | None]:
    """The from–to period (this year so far by default) and the organization from the query string."""
    today = china_date(services().flow.clock())
    date_from = _date(request.args, "from", dt.date(today.year, 1, 1), "开始日期", errors)
    date_to = _date(request.args, "to", today, "结束日期", errors)
    org = request.args.get("org") or ""
    return date_from, date_to, id_arg(org)


@bp.route("/<key>")
@login_required
def metric(key: str) -> tuple[str, int]:
    """A procedure's supervision view (its package's metric), rendered as its tables."""
    errors: dict[str, str] = {}
    date_from, date_to, org_id = _period(errors)
    if date_from > date_to:
        errors["to"] = "结束日期不能早于开始日期"
        date_from, date_to = date_to, date_from
    view = supervision().metric(user_id(), key, date_from, date_to, org_id)
    return render_template("supervision/metric.html", view=view, errors=errors), 422 if errors else 200


@bp.route("/<key>.xlsx")
@login_required
def metric_xlsx(key: str) -> Response | tuple[str, int]:
    """The same tables as the page, one sheet each."""
    errors: dict[str, str] = {}
    date_from, date_to, org_id = _period(errors)
    try:
        if errors:
            raise ValidationFailed(errors, "导出条件有误")
        view = supervision().metric(user_id(), key, date_from, date_to, org_id)
    except ValidationFailed as exc:
        return _refused(exc)
    sheets = [(table.title, table.columns, [list(r) for r in table.rows]) for table in view.board.tables]
    name = f"{view.metric.title.strip('“”')}_{date_from}_{date_to}.xlsx"
    return _attachment(workbook_of(sheets), name, XLSX)
