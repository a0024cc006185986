"""The auditor's search over every request in their scope; reading a request uses the request page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import login_required

from flowengine.service import SearchCriteria
from flowengine.vocabulary import InstanceStatus
from flowengine.web.context import services, user_id
from flowengine.web.forms import SearchForm
from flowengine.web.inputs import id_arg, page_arg

bp = Blueprint("audit", __name__, url_prefix="/audit")


@bp.route("/")
@login_required
def search() -> tuple[str, int]:
    svc = services()
    # PermissionDenied (403) for anyone but an auditor.
    options = svc.queries.search_options(user_id(), current_app.config["ORG_OPTIONS_LIMIT"])
    form = SearchForm(request.args)
    form.org.choices = [("", "全部组织")] + [(str(o.id), "　" * o.depth + o.name) for o in options.orgs]
    if (
        options.orgs_by_name and id_arg(form.org.data) is not None
    ):  # a link naming one organization still works
        form.org.choices.append((form.org.data, f"第 {form.org.data} 号组织"))
    form.workflow.choices = [("", "全部流程")] + [(n, t) for n, t in options.workflows]
    form.state.choices = [("", "全部步骤")] + [
        (s.state, f"{s.workflow_title}：{s.state_title}") for s in options.states
    ]
    form.status.choices = [("", "全部状态")] + list(InstanceStatus.titles().items())
    page_no = page_arg()
    if not form.validate():
        return render_template("audit/search.html", form=form, page=None, options=options), 422
    if form.date_from.data and form.date_to.data and form.date_from.data > form.date_to.data:
        form.date_to.errors = ["结束日期不能早于开始日期"]
        return render_template("audit/search.html", form=form, page=None, options=options), 422
    criteria = SearchCriteria(
        org_id=id_arg(form.org.data),
        workflow=form.workflow.data or None,
        state=form.state.data or None,
        status=form.status.data or None,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
        actor=form.actor.data or None,
        org_name=form.org_name.data or None,
    )
    page = svc.queries.search(user_id(), criteria, page=page_no, per_page=current_app.config["PER_PAGE"])
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("audit/search.html", form=form, page=page, args=args, options=options), 200
