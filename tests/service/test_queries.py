"""Read-only questions of the screens: the auditor's scope, who may act, the timeline of changes."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from flowengine.errors import PermissionDenied
from flowengine.persistence.models import Task
from flowengine.service import Services
from flowengine.service.identity.directory import parse_org_tree
from flowengine.service.reads import queries
from flowengine.service.reads.queries import SearchCriteria
from tests.support import PASSWORD, Clock, World

GOOD = {
    "reason": "培训",
    "first_day": "2026-09-23",
    "last_day": "2026-09-25",
    "days": 3,
    "substitutes": [{"name": "刘洋", "phone": "13800138000"}],
}


def test_search_is_for_auditors_and_limited_to_their_scope(
    services: Services, world: World, clock: Clock
) -> None:
    iid = services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"]).id
    services.directory.import_orgs(
        parse_org_tree([{"code": "other", "name": "中共郑州市惠济区教育局委员会", "type": "work_committee"}]),
        clock(),
    )
    outsider = services.directory.add_user("huiji_auditor", "吴刚", PASSWORD, [("auditor", "other")])
    assert [r.id for r in services.queries.search(world.users["auditor"], SearchCriteria()).items] == [iid]
    assert services.queries.search(outsider, SearchCriteria()).total == 0
    with pytest.raises(PermissionDenied):
        services.queries.search(world.users["sec1"], SearchCriteria())
    with pytest.raises(PermissionDenied):
        services.queries.org_tree(world.users["auditor"])


def test_may_act_follows_the_roles_of_the_definition(services: Services, world: World) -> None:
    iid = services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"]).id
    assert services.flow.may_act(iid, "submit", world.users["sec1"])
    assert services.flow.may_act(iid, "approve", world.users["handler"])  # whatever the state
    assert not services.flow.may_act(iid, "approve", world.users["auditor"])
    assert not services.flow.may_act(iid, "submit", world.users["sec2"])
    assert not services.flow.may_act(iid, "no_such_action", world.users["sec1"])


def test_timeline_lists_what_changed_between_submissions(
    services: Services, world: World, clock: Clock
) -> None:
    iid = services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"]).id
    services.flow.act(iid, "submit", world.users["sec1"], GOOD, expected_version=1)
    services.flow.act(
        iid, "return_to_applicant", world.users["handler"], comment="请改天数", expected_version=2
    )
    services.flow.act(iid, "submit", world.users["sec1"], {**GOOD, "days": 2}, expected_version=3)
    d = services.flow.definition_of(iid, world.users["sec1"])
    entries = queries.timeline(d, services.flow.trail(iid, world.users["sec1"]))
    assert [e.title for e in entries] == ["发起", "提交申请", "退回", "提交申请"]
    assert entries[1].first_submission and {c.name for c in entries[1].changes} == set(GOOD)
    [change] = entries[3].changes
    assert (change.name, change.before, change.after, change.field.label) == ("days", 3, 2, "天数")
    assert entries[2].role_title == "承办人" and entries[2].changes == ()


def _waiting_for_the_handler(services: Services, world: World) -> dict[str, int]:
    """A leave request of each branch, submitted: both wait in the superior's handler's inbox."""
    ids = {}
    for branch, secretary in (("b1", "sec1"), ("b2", "sec2")):
        iid = services.flow.start("leave_request", world.orgs[branch], world.users[secretary]).id
        services.flow.act(iid, "submit", world.users[secretary], GOOD, expected_version=1)
        ids[branch] = iid
    return ids


def test_beyond_the_limit_filters_offer_a_name_search_instead_of_a_list(
    services: Services, world: World
) -> None:
    ids = _waiting_for_the_handler(services, world)
    handler, auditor = world.users["handler"], world.users["auditor"]

    listed = services.queries.inbox_options(handler)
    assert not listed.orgs_by_name
    assert [o.name for o in listed.orgs] == ["郑州市第二十四中学第一党支部", "郑州市第二十四中学第二党支部"]
    assert [s.state for s in listed.states] == ["review"]
    searched = services.queries.inbox_options(handler, org_limit=1)
    assert searched.orgs_by_name and searched.orgs == () and searched.states == listed.states

    assert [t.instance_id for t in services.inbox.open(handler, org_name="第二党支部").items] == [ids["b2"]]
    assert services.inbox.open(handler, org_name="第二十四中学").total == 2
    assert services.inbox.open(handler, org_name="100%").total == 0  # LIKE wildcards are taken literally

    assert not services.queries.search_options(
        auditor, org_limit=4
    ).orgs_by_name  # the committee, school, 2 branches
    assert services.queries.search_options(auditor, org_limit=3).orgs_by_name
    found = services.queries.search(auditor, SearchCriteria(org_name=" 第一党支部 "))
    assert [r.id for r in found.items] == [ids["b1"]]


def test_a_task_reassigned_to_someone_else_leaves_the_others_options(
    services: Services, world: World
) -> None:
    _waiting_for_the_handler(services, world)
    handler = world.users["handler"]
    with services.db.write() as s:
        s.execute(update(Task).where(Task.closed_at.is_(None)).values(assignee_id=world.users["leader"]))
    assert services.inbox.open(handler).total == 0
    options = services.queries.inbox_options(handler)
    assert (options.orgs, options.states) == ((), ())
    assert len(services.queries.inbox_options(world.users["leader"]).orgs) == 2
