"""What the one waiting for a request is told and shown: outcome notifications, the returned mark and the
term clock of an inbox task, the term watch's task in the inbox, and the request's own path (stepper)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from flowengine.chinese import china_date
from flowengine.service import Services, progress
from tests.support import Clock, build_world
from tests.support.paths import FIXTURE_WORKFLOWS

GOOD = {
    "reason": "培训",
    "first_day": "2026-09-23",
    "last_day": "2026-09-25",
    "days": 3,
    "substitutes": [{"name": "刘洋", "phone": "13800138000"}],
}


def _workflows(tmp_path: Path, extra: str) -> Path:
    """The fixture procedure with ``extra`` top-level keys (``notify``, ``term_watch``)."""
    folder = tmp_path / "workflows"
    folder.mkdir()
    text = (FIXTURE_WORKFLOWS / "leave_request.yaml").read_text(encoding="utf-8")
    (folder / "leave_request.yaml").write_text(text.replace("version: 1\n", f"version: 1\n{extra}\n", 1))
    return folder


def kinds(services: Services, user: int) -> list[str]:
    return [n.kind for n in reversed(services.notifications.list(user).items)]


def test_the_initiator_and_the_roles_the_definition_names_are_told_every_outcome(
    make_services: Callable[..., Services], clock: Clock, tmp_path: Path
) -> None:
    services = make_services(_workflows(tmp_path, "notify: [leader]"))
    world = build_world(services, clock())
    sec, handler, leader = world.users["sec1"], world.users["handler"], world.users["leader"]
    iid = services.flow.start("leave_request", world.orgs["b1"], sec).id
    services.flow.act(iid, "submit", sec, GOOD, expected_version=1)
    assert kinds(services, sec) == []  # a submission is no outcome: the next holder's inbox shows it
    services.flow.act(iid, "return_to_applicant", handler, comment="请补充代班安排", expected_version=2)
    returned = services.notifications.list(sec).items[0]
    assert returned.kind == "returned" and returned.instance_id == iid
    assert "请补充代班安排" in returned.body and "王建国" in returned.body and "【已退回】" in returned.title
    assert kinds(services, leader) == ["returned"]  # named by the definition's notify
    assert kinds(services, handler) == []  # who acted is not told of it

    services.flow.act(iid, "submit", sec, GOOD, expected_version=3)
    services.verbs.urge(iid, "请尽快审核", leader)
    assert kinds(services, sec)[-1] == "urged"  # told that the superior urged the step she waits for
    assert kinds(services, handler)[-1] == "urge"  # the one urged
    assert kinds(services, leader)[-1] == "returned"  # the one who urged is not told of it

    services.flow.act(
        iid, "approve", handler, comment="同意", expected_version=services.flow.get(iid, sec).version
    )
    done = services.notifications.list(sec).items[0]
    assert done.kind == "completed" and "【已办结】" in done.title
    assert kinds(services, leader)[-1] == "completed"


def test_a_returned_step_is_marked_in_the_inbox_with_its_reason_and_the_term_clock(
    make_services: Callable[..., Services], clock: Clock, tmp_path: Path
) -> None:
    services = make_services(_workflows(tmp_path, "term_watch: {role: renews}"))
    world = build_world(services, clock())
    sec, handler = world.users["sec1"], world.users["handler"]
    iid = services.flow.start("leave_request", world.orgs["b1"], sec).id
    (task,) = services.inbox.open(sec).items
    assert not task.returned
    assert task.clock_title == "本届任期届满" and task.clock_day == dt.date(
        2026, 10, 9
    )  # the branch's term end
    services.flow.act(iid, "submit", sec, GOOD, expected_version=1)
    (review,) = services.inbox.open(handler).items
    assert review.clock_day is None  # a step with a deadline of its own shows that
    services.flow.act(iid, "return_to_applicant", handler, comment="请补充代班安排", expected_version=2)
    (task,) = services.inbox.open(sec).items
    assert task.returned and task.returned_by == "王建国" and task.returned_reason == "请补充代班安排"
    services.flow.act(iid, "submit", sec, GOOD, expected_version=3)
    services.flow.act(iid, "withdraw", sec, expected_version=4)
    assert services.inbox.open(sec).items == ()


def test_the_term_watch_task_is_in_the_secretarys_inbox_until_a_renewal_starts(
    make_services: Callable[..., Services], clock: Clock, tmp_path: Path
) -> None:
    services = make_services(_workflows(tmp_path, "term_watch: {role: renews}"))
    world = build_world(services, clock())
    sec1, sec2 = world.users["sec1"], world.users["sec2"]
    (task,) = services.inbox.term_tasks(sec1)  # b1's term ends 2026-10-09, within the window
    today = china_date(clock())
    assert task.org_id == world.orgs["b1"] and task.days_left == (dt.date(2026, 10, 9) - today).days
    assert not task.expired and "本届任期将于2026年10月9日届满" in task.text and "请启动换届" in task.text
    assert task.offers == (("leave_request", "请假申请（测试）"),)
    assert services.inbox.term_tasks(world.users["handler"]) == []  # not whoever may not start it

    clock.advance(days=30)  # 2026-10-21: the term has ended 12 days ago
    (task,) = services.inbox.term_tasks(sec1)
    assert task.expired and task.days_left == -12 and "已届满 12 天：请启动换届" in task.text
    services.flow.start("leave_request", world.orgs["b1"], sec1)
    assert services.inbox.term_tasks(sec1) == []  # the renewal is under way
    assert [t.org_id for t in services.inbox.term_tasks(sec2)] == [world.orgs["b2"]]


def test_without_a_term_watch_there_is_no_term_task_and_no_clock(services: Services, clock: Clock) -> None:
    world = build_world(services, clock())
    services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"])
    assert services.inbox.term_tasks(world.users["sec1"]) == []
    (task,) = services.inbox.open(world.users["sec1"]).items
    assert task.clock_day is None


def test_the_stepper_follows_the_requests_path_and_projects_the_rest(
    services: Services, clock: Clock
) -> None:
    world = build_world(services, clock())
    sec, handler = world.users["sec1"], world.users["handler"]
    iid = services.flow.start("leave_request", world.orgs["b1"], sec).id
    services.flow.act(iid, "submit", sec, GOOD, expected_version=1)
    services.flow.act(iid, "return_to_applicant", handler, comment="请补充", expected_version=2)
    clock.advance(days=1)
    services.flow.act(iid, "submit", sec, GOOD, expected_version=3)
    d = services.flow.definition_of(iid, sec)
    inst = services.flow.get(iid, sec)
    steps = progress(d, services.flow.trail(iid, sec), inst.state)
    assert [(s.state, s.status) for s in steps] == [
        ("drafting", "done"),
        ("review", "current"),
        ("approved", "upcoming"),  # the short-leave path: 领导审批 is the branch not taken
    ]
    assert steps[0].returns == 1 and steps[0].left_at == clock()
    assert steps[1].documents[0].title == "关于请假的批复" and not steps[1].documents[0].issued

    long_leave = {**GOOD, "last_day": "2026-10-30", "days": 28}
    sec2 = world.users["sec2"]
    other = services.flow.start("leave_request", world.orgs["b2"], sec2).id
    services.flow.act(other, "submit", sec2, long_leave, expected_version=1)
    inst = services.flow.get(other, sec2)
    steps = progress(d, services.flow.trail(other, sec2), inst.state)
    assert [s.state for s in steps] == ["drafting", inst.state, "approved"]
