"""A person's in-app notifications (reminders, escalations, term alerts) and the unread count in the header.

The sweep creates the notifications (:mod:`flowengine.service.sweep.escalation`); this page only lists the
signed-in person's own, newest first, and marks them read. Marking is a POST with the CSRF token, and the
service only ever touches rows of the caller, so an id of someone else's notification changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from flowengine.web.context import services, user_id
from flowengine.web.inputs import id_arg, page_arg

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def _page() -> int:
    return page_arg()


@bp.app_context_processor
def unread_badge() -> dict[str, Callable[[], int]]:
    """``unread_notifications()`` for the header: asked only when a page renders the navigation bar."""

    def count() -> int:
        if not current_user.is_authenticated:
            return 0
        return services().notifications.unread_count(user_id())

    return {"unread_notifications": count}


@bp.route("/")
@login_required
def index() -> str:
    unread_only = request.args.get("unread") == "1"
    svc = services()
    page = svc.notifications.list(
        user_id(), page=_page(), per_page=current_app.config["PER_PAGE"], unread_only=unread_only
    )
    args: dict[str, Any] = {"unread": "1"} if unread_only else {}
    return render_template(
        "notifications/index.html",
        page=page,
        unread_only=unread_only,
        args=args,
        unread=svc.notifications.unread_count(user_id()),
    )


@bp.route("/<int:notification_id>/read", methods=["POST"])
@login_required
def read(notification_id: int) -> Response:
    """Mark one read; with ``open`` set, go on to the request it concerns (reading it is why one clicked)."""
    svc = services()
    svc.notifications.mark_read(user_id(), [notification_id], svc.flow.clock())
    target = id_arg(request.form.get("open", ""))
    if target is not None:
        return redirect(url_for("requests.show", instance_id=target))
    args: dict[str, Any] = {"unread": "1"} if request.form.get("unread") == "1" else {}
    return redirect(url_for("notifications.index", **args))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all() -> Response:
    svc = services()
    n = svc.notifications.mark_read(user_id(), None, svc.flow.clock())
    flash(f"已将 {n} 条通知标为已读。" if n else "没有未读通知。", "success" if n else "info")
    return redirect(url_for("notifications.index"))
