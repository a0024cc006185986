"""待办 and 已办: a person's open tasks across procedures, and what they have acted on."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from flowengine.chinese import china_date
from flowengine.service import INBOX_CATEGORIES, task_timing
from flowengine.web.context import services, user_id
from flowengine.web.inputs import id_arg, page_arg

bp = Blueprint("inbox", __name__)

ORDERS = {"urgent": "最紧急优先", "newest": "最新优先"}


def _page() -> int:
    return page_arg()


@bp.route("/")
@login_required
def index() -> str | Response:
    """The inbox; an auditor who holds no other role has no tasks, and starts from the audit search instead."""
    account = current_user.account
    if account.roles and all(r.role == "auditor" for r in account.roles) and not request.args:
        return redirect(url_for("audit.search"))
    svc = services()
    workflow = request.args.get("workflow") or None
    state = request.args.get("state") or None
    org = request.args.get("org", "")
    org_id = id_arg(org)
    org_name = request.args.get("org_name", "").strip()[:100] or None
    order = request.args.get("order") if request.args.get("order") in ORDERS else "urgent"
    category = request.args.get("category") if request.args.get("category") in INBOX_CATEGORIES else None
    page = svc.inbox.open(
        user_id(),
        workflow=workflow,
        state=state,
        org_id=org_id,
        org_name=org_name,
        order=order or "urgent",
        category=category,
        page=_page(),
        per_page=current_app.config["PER_PAGE"],
    )
    now = svc.flow.clock()
    today = china_date(now)
    rows = [(t, task_timing(t, now)) for t in page.items]
    filters = {
        "workflow": workflow or "",
        "state": state or "",
        "org": org_id or "",
        "org_name": org_name or "",
        "order": order,
        "category": category or "",
    }
    if request.headers.get("HX-Request"):  # the filters changed: only the results are redrawn
        return render_template("inbox/_results.html", page=page, rows=rows, filters=filters, today=today)
    options = svc.queries.inbox_options(user_id(), current_app.config["ORG_OPTIONS_LIMIT"])
    copies = svc.inbox.copies(user_id(), unread_only=True, per_page=5)
    return render_template(
        "inbox/index.html",
        page=page,
        rows=rows,
        options=options,
        filters=filters,
        orders=ORDERS,
        categories=INBOX_CATEGORIES,
        copies=copies,
        today=today,
        term_tasks=svc.inbox.term_tasks(user_id()),
    )


@bp.route("/copies")
@login_required
def copies() -> str:
    """抄送我: every request copied to the user, unread first."""
    page = services().inbox.copies(user_id(), page=_page(), per_page=current_app.config["PER_PAGE"])
    return render_template("inbox/copies.html", page=page)


@bp.route("/done")
@login_required
def done() -> str:
    svc = services()
    page = svc.inbox.done(user_id(), page=_page(), per_page=current_app.config["PER_PAGE"])
    titles = {}
    for t in page.items:
        definition = svc.catalog.current.get(t.workflow)
        if t.closed_action and definition is not None:
            try:
                titles[t.id] = definition.action(t.closed_action).title
            except KeyError:
                titles[t.id] = t.closed_action
    return render_template("inbox/done.html", page=page, titles=titles)
