"""The service API's guarantees: a full run, refusals that change nothing, stale versions, races, crashes."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select

from flowengine.errors import (
    CheckFailed,
    InvalidAction,
    NotFound,
    PermissionDenied,
    StaleVersion,
    ValidationFailed,
)
from flowengine.persistence.models import AuditEvent, Instance, Task
from flowengine.service import Services, audit
from flowengine.service.views import Actor
from tests.support import Clock, World
from tests.support.service import GOOD


def snapshot(services: Services, instance_id: int) -> dict[str, Any]:
    """Everything an action could change, to compare before and after a refused one."""
    with services.db.read() as s:
        inst = s.get(Instance, instance_id)
        tasks = s.execute(
            select(Task.id, Task.state, Task.closed_at)
            .where(Task.instance_id == instance_id)
            .order_by(Task.id)
        ).all()
        events = s.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.instance_id == instance_id)
        )
        return {
            "state": inst.state,
            "version": inst.version,
            "data": inst.data,
            "status": inst.status,
            "tasks": [tuple(t) for t in tasks],
            "events": events,
        }


def started(services: Services, world: World) -> int:
    return services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"]).id


def test_full_run_from_start_to_final_state(services: Services, world: World, clock: Clock) -> None:
    sec, handler = world.users["sec1"], world.users["handler"]
    inst = services.flow.start("leave_request", world.orgs["b1"], Actor(sec, "10.0.0.8"))
    assert (inst.state, inst.version, inst.status) == ("drafting", 1, "active")
    assert [t.state for t in inst.open_tasks] == ["drafting"]
    assert services.inbox.open(sec).total == 1 and services.inbox.open(handler).total == 0

    clock.advance(hours=1)
    inst = services.flow.act(inst.id, "submit", sec, GOOD, expected_version=1)
    assert (inst.state, inst.version) == ("review", 2)
    assert inst.data["submit"]["substitutes"] == [{"name": "刘洋", "phone": "13800138000"}]
    assert services.inbox.open(sec).total == 0
    task = services.inbox.open(handler).items[0]
    assert task.instance_id == inst.id and task.state_title == "上级审核"
    # Opened Monday 2026-09-21 (China): 3 working days → due at the end of Thursday 09-24, China time.
    assert task.due_at is not None and task.due_at.isoformat() == "2026-09-24T16:00:00+00:00"

    clock.advance(hours=2)
    inst = services.flow.act(inst.id, "approve", handler, comment="同意", expected_version=2)
    assert (inst.state, inst.status, inst.version) == ("approved", "completed", 3)
    assert inst.completed_at == clock.now and inst.open_tasks == ()
    assert services.inbox.open(handler).total == 0
    assert [t.closed_action for t in services.inbox.done(handler).items] == ["approve"]

    trail = services.flow.trail(inst.id, world.users["auditor"])
    assert [(e.kind, e.action, e.from_state, e.to_state) for e in trail] == [
        ("start", "start", None, "drafting"),
        ("action", "submit", "drafting", "review"),
        ("approve", "approve", "review", "approved"),
    ]
    assert trail[0].client_addr == "10.0.0.8" and trail[2].comment == "同意"
    assert trail[1].data == inst.data["submit"]
    prev = audit.GENESIS
    for e in trail:
        assert len(e.hash) == 64 and e.hash != prev
        prev = e.hash


def test_branch_chosen_by_predicate(services: Services, world: World) -> None:
    iid = started(services, world)
    inst = services.flow.act(
        iid, "submit", world.users["sec1"], {**GOOD, "days": 8, "last_day": "2026-10-02"}, expected_version=1
    )
    assert inst.state == "leader_review"
    assert [t.role for t in inst.open_tasks] == ["leader"]


def test_permission_refused_changes_nothing(services: Services, world: World) -> None:
    iid = started(services, world)
    services.flow.act(iid, "submit", world.users["sec1"], GOOD, expected_version=1)
    before = snapshot(services, iid)
    with pytest.raises(PermissionDenied, match="承办人"):
        services.flow.act(iid, "approve", world.users["sec1"], expected_version=2)
    with pytest.raises(PermissionDenied):
        services.flow.act(iid, "approve", world.users["auditor"], expected_version=2)
    with pytest.raises(NotFound):  # another branch's secretary does not even see it
        services.flow.act(iid, "approve", world.users["sec2"], expected_version=2)
    with pytest.raises(NotFound):
        services.flow.get(iid, world.users["nobody"])
    assert snapshot(services, iid) == before


def test_start_refused_without_role_or_for_wrong_org(services: Services, world: World) -> None:
    with pytest.raises(PermissionDenied):
        services.flow.start("leave_request", world.orgs["b1"], world.users["sec2"])
    with pytest.raises(InvalidAction, match="只适用于"):
        services.flow.start("leave_request", world.orgs["school24"], world.users["sec1"])
    with services.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Instance)) == 0
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "start")) == 0


def test_second_active_instance_refused(services: Services, world: World) -> None:
    started(services, world)
    with pytest.raises(InvalidAction, match="已有进行中"):
        started(services, world)


def test_form_failure_names_every_field_and_changes_nothing(services: Services, world: World) -> None:
    iid = started(services, world)
    before = snapshot(services, iid)
    bad = {
        "reason": "",
        "first_day": "2026-13-01",
        "days": "两天",
        "substitutes": [{"phone": "123"}],
        "extra": 1,
    }
    with pytest.raises(ValidationFailed) as err:
        services.flow.act(iid, "submit", world.users["sec1"], bad, expected_version=1)
    assert err.value.errors == {
        "reason": "请填写“事由”",
        "first_day": "请输入日期，格式如 2026-03-15",
        "last_day": "请填写“结束日期”",
        "days": "请输入整数",
        "substitutes[0].name": "请填写“姓名”",
        "substitutes[0].phone": "格式不正确",
        "extra": "未知字段（该步骤的表单中没有此项）",
    }
    assert snapshot(services, iid) == before


def test_check_failure_gives_reason_and_field_and_changes_nothing(services: Services, world: World) -> None:
    iid = started(services, world)
    before = snapshot(services, iid)
    with pytest.raises(CheckFailed) as err:
        services.flow.act(
            iid, "submit", world.users["sec1"], {**GOOD, "last_day": "2026-09-22"}, expected_version=1
        )
    [failure] = err.value.failures
    assert (failure.check, failure.field, failure.reason) == (
        "dates_in_order",
        "last_day",
        "结束日期应晚于开始日期",
    )
    assert snapshot(services, iid) == before


def test_return_requires_comment_and_goes_back(services: Services, world: World) -> None:
    iid = started(services, world)
    services.flow.act(iid, "submit", world.users["sec1"], GOOD, expected_version=1)
    with pytest.raises(ValidationFailed) as err:
        services.flow.act(
            iid, "return_to_applicant", world.users["handler"], comment="  ", expected_version=2
        )
    assert "comment" in err.value.errors
    inst = services.flow.act(
        iid, "return_to_applicant", world.users["handler"], comment="请补充代班安排", expected_version=2
    )
    assert inst.state == "drafting"
    [action] = services.flow.available_actions(iid, world.users["sec1"])
    assert action.name == "submit" and action.prefill["reason"] == GOOD["reason"]  # what was entered is kept


def test_stale_version_conflicts_and_changes_nothing(services: Services, world: World) -> None:
    iid = started(services, world)
    services.flow.act(iid, "submit", world.users["sec1"], GOOD, expected_version=1)
    before = snapshot(services, iid)
    with pytest.raises(StaleVersion) as err:
        services.flow.act(iid, "approve", world.users["handler"], expected_version=1)
    assert (err.value.expected, err.value.actual) == (1, 2)
    assert "上级审核" in err.value.message
    assert snapshot(services, iid) == before


def test_invalid_action_in_state(services: Services, world: World) -> None:
    iid = started(services, world)
    with pytest.raises(InvalidAction, match="不能执行“批准”"):
        services.flow.act(iid, "approve", world.users["handler"], expected_version=1)
    with pytest.raises(InvalidAction, match="没有“fly”"):
        services.flow.act(iid, "fly", world.users["handler"], expected_version=1)


def test_two_threads_same_version_exactly_one_succeeds(services: Services, world: World) -> None:
    iid = started(services, world)
    services.flow.act(iid, "submit", world.users["sec1"], GOOD, expected_version=1)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def act(action: str, user: int, comment: str | None) -> None:
        barrier.wait()
        try:
            services.flow.act(iid, action, user, comment=comment, expected_version=2)
            results.append(action)
        except StaleVersion:
            results.append("stale")

    threads = [
        threading.Thread(target=act, args=("approve", world.users["handler"], None)),
        threading.Thread(target=act, args=("withdraw", world.users["sec1"], None)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) in (["approve", "stale"], ["stale", "withdraw"])
    snap = snapshot(services, iid)
    assert snap["version"] == 3 and snap["events"] == 3
    assert snap["state"] == ("approved" if "approve" in results else "withdrawn")


def test_crash_after_state_change_rolls_everything_back(
    services: Services, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    iid = started(services, world)
    before = snapshot(services, iid)
    real_append = audit.append

    def crash(session: Any, **kwargs: Any) -> Any:
        if kwargs.get("action") == "submit":
            session.flush()  # the state UPDATE and the new task are in the transaction by now
            raise RuntimeError("disk on fire")
        return real_append(session, **kwargs)

    monkeypatch.setattr(audit, "append", crash)
    with pytest.raises(RuntimeError):
        services.flow.act(iid, "submit", world.users["sec1"], GOOD, expected_version=1)
    assert snapshot(services, iid) == before
    monkeypatch.setattr(audit, "append", real_append)
    assert services.flow.act(iid, "submit", world.users["sec1"], GOOD, expected_version=1).state == "review"
