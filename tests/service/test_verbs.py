"""The approval verbs through the service, on SQLite and PostgreSQL: 会签/或签/比例签, 转办, 委托, 加签, 抄送,
催办, 拿回, and steps that end by themselves."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from flowengine.errors import InvalidAction, NotFound, PermissionDenied, StaleVersion, ValidationFailed
from flowengine.persistence.models import AuditEvent, Copy, Instance, Notification, Signature, Task, Timer
from flowengine.service import Services
from flowengine.vocabulary import TaskKind
from tests.support import PASSWORD, Clock, World, build_world
from tests.support.paths import ROOT
from tests.support.service import china

VERBS = ROOT / "tests" / "fixtures" / "verbs"


@pytest.fixture
def verbs(make_services: Callable[..., Services], clock: Clock) -> tuple[Services, World]:
    services = make_services(VERBS)
    world = build_world(services, clock())
    for username, name, roles in (
        ("jijian", "纪检员", [("discipline", "gw")]),
        ("handler2", "王芳", [("handler", "gw")]),
        ("outsider", "外单位", []),
    ):
        world.users[username] = services.directory.add_user(username, name, PASSWORD, roles, now=clock())
    return services, world


def submitted(services: Services, world: World, workflow: str = "joint_review", **data: object) -> int:
    iid = services.flow.start(workflow, world.orgs["b1"], world.users["sec1"]).id
    form = data or {"subject": "测试事由"}
    services.flow.act(iid, "submit", world.users["sec1"], form, expected_version=1)
    return iid


def open_tasks(services: Services, iid: int, kind: str | None = None) -> list[Task]:
    with services.db.read() as s:
        q = select(Task).where(Task.instance_id == iid, Task.closed_at.is_(None))
        if kind:
            q = q.where(Task.kind == kind)
        rows = list(s.scalars(q.order_by(Task.id)))
        s.expunge_all()
        return rows


def events(services: Services, iid: int, kind: str) -> list[AuditEvent]:
    with services.db.read() as s:
        rows = list(
            s.scalars(
                select(AuditEvent)
                .where(AuditEvent.instance_id == iid, AuditEvent.kind == kind)
                .order_by(AuditEvent.seq)
            )
        )
        s.expunge_all()
        return rows


# ---- 会签 --------------------------------------------------------------------------------------------


def test_countersign_waits_for_every_signer_and_counts_each_once(verbs: tuple[Services, World]) -> None:
    services, world = verbs
    iid = submitted(services, world)
    assert [t.role for t in open_tasks(services, iid, TaskKind.SIGN)] == ["discipline", "leader"]
    version = services.flow.get(iid, world.users["handler"]).version
    with pytest.raises(InvalidAction, match="正在征求纪检和领导意见"):
        services.flow.act(iid, "approve", world.users["handler"], expected_version=version)
    with pytest.raises(PermissionDenied):
        services.verbs.sign(iid, "approve", world.users["handler"], {"view": "无意见"})
    with pytest.raises(ValidationFailed) as bad:
        services.verbs.sign(iid, "approve", world.users["jijian"], {"view": "不知道"})
    assert "view" in bad.value.errors

    # Both signers at the same instant: each counted once, the step complete once.
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def sign(user: str) -> None:
        barrier.wait()
        try:
            services.verbs.sign(iid, "approve", world.users[user], {"view": "无意见"})
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)

    threads = [threading.Thread(target=sign, args=(u,)) for u in ("jijian", "leader")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with services.db.read() as s:
        assert s.scalar(select(func.count()).select_from(Signature).where(Signature.instance_id == iid)) == 2
    assert open_tasks(services, iid, TaskKind.SIGN) == []
    with pytest.raises(PermissionDenied, match="或已签过"):
        services.verbs.sign(iid, "approve", world.users["jijian"], {"view": "无意见"})
    panel = services.verbs.panel(iid, world.users["handler"])
    assert (panel.approvals, panel.needed, panel.signers) == (2, 2, 2)
    assert [s.decision_title for s in panel.signatures] == ["同意", "同意"]
    done = services.flow.act(
        iid,
        "approve",
        world.users["handler"],
        expected_version=services.flow.get(iid, world.users["handler"]).version,
    )
    assert done.state == "publicity"


def test_a_dissent_is_recorded_and_the_step_goes_on_when_all_answered(verbs: tuple[Services, World]) -> None:
    services, world = verbs
    iid = submitted(services, world)
    with pytest.raises(ValidationFailed) as no_reason:
        services.verbs.sign(iid, "return", world.users["jijian"], {"view": "有意见"})
    assert "comment" in no_reason.value.errors
    services.verbs.sign(iid, "return", world.users["jijian"], {"view": "有意见"}, "该同志有信访件未办结。")
    panel = services.verbs.panel(iid, world.users["handler"])
    assert panel.waiting and "尚有 1 人未签" in panel.waiting
    services.verbs.sign(iid, "approve", world.users["leader"], {"view": "无意见"})
    panel = services.verbs.panel(iid, world.users["handler"])
    assert panel.waiting is None and [s.decision for s in panel.signatures] == ["return", "approve"]
    assert services.flow.get(iid, world.users["handler"]).state == "review"  # still the handler's step


def test_k_of_n_completes_at_the_kth_approval(verbs: tuple[Services, World]) -> None:
    services, world = verbs
    iid = submitted(
        services,
        world,
        "chosen_signers",
        signers=[{"user": "leader"}, {"user": "jijian"}, {"user": "handler2"}],
    )
    assert len(open_tasks(services, iid, TaskKind.SIGN)) == 3
    services.verbs.sign(iid, "approve", world.users["leader"])
    assert len(open_tasks(services, iid, TaskKind.SIGN)) == 2
    services.verbs.sign(iid, "approve", world.users["handler2"])  # the 2nd of 2 needed
    assert open_tasks(services, iid, TaskKind.SIGN) == []
    with pytest.raises(PermissionDenied):
        services.verbs.sign(iid, "approve", world.users["jijian"])
    with services.db.read() as s:
        closed = s.scalar(
            select(Task.closed_action).where(
                Task.instance_id == iid, Task.assignee_id == world.users["jijian"]
            )
        )
    assert closed == "sign_not_needed"


def test_one_return_returns_the_whole_step_when_the_definition_says_so(verbs: tuple[Services, World]) -> None:
    services, world = verbs
    iid = submitted(services, world, "chosen_signers", signers=[{"user": "leader"}, {"user": "jijian"}])
    inst = services.verbs.sign(iid, "return", world.users["jijian"], None, "材料不全。")
    assert inst.state == "drafting"
    [back] = events(services, iid, "return")
    assert (back.action, back.actor_name, back.comment) == ("send_back", "纪检员", "材料不全。")
    assert open_tasks(services, iid, TaskKind.SIGN) == []


def test_any_one_signer_completes_and_the_step_ends_by_itself(verbs: tuple[Services, World]) -> None:
    services, world = verbs
    iid = submitted(services, world, "chosen_signers", signers=[{"user": "leader"}, {"user": "jijian"}])
    services.verbs.sign(iid, "approve", world.users["leader"])
    services.verbs.sign(iid, "approve", world.users["jijian"])
    inst = services.flow.act(
        iid,
        "approve",
        world.users["handler"],
        expected_version=services.flow.get(iid, world.users["handler"]).version,
    )
    assert inst.state == "quick"
    done = services.verbs.sign(iid, "approve", world.users["jijian"])  # 或签: one is enough, then by itself
    assert done.state == "done" and done.status == "completed"
    [auto] = [e for e in events(services, iid, "action") if e.action == "pass_quick"]
    assert (
        auto.actor_id is None
        and auto.actor_name == "系统"
        and auto.data["_by"]["by_system"] == "领导意见已完成"
    )


# ---- 转办 --------------------------------------------------------------------------------------------


def test_transfer_to_a_colleague_who_could_not_act_is_refused_and_changes_nothing(
    verbs: tuple[Services, World],
) -> None:
    services, world = verbs
    iid = submitted(services, world)
    before = services.flow.get(iid, world.users["handler"])
    with pytest.raises(ValidationFailed) as refused:
        services.verbs.transfer(iid, "outsider", "请您办理", world.users["handler"])
    assert "外单位在中共郑州市委教育工作委员会没有任何职务" in refused.value.errors["to"]
    with pytest.raises(ValidationFailed):
        services.verbs.transfer(iid, "handler2", "", world.users["handler"])  # a reason is required
    with pytest.raises(PermissionDenied):
        services.verbs.transfer(iid, "handler2", "请办理", world.users["sec1"])  # not the step's actor
    assert services.flow.get(iid, world.users["handler"]).version == before.version
    services.verbs.transfer(iid, "handler2", "我出差，请王芳同志办理", world.users["handler"])
    assert [t.id for t in services.inbox.open(world.users["handler2"]).items]
    assert services.inbox.open(world.users["handler"]).total == 0  # handed over: only hers now
    [t] = open_tasks(services, iid, TaskKind.STEP)
    assert (t.assignee_id, t.note) == (world.users["handler2"], "我出差，请王芳同志办理")
    [e] = events(services, iid, "transfer")
    assert (e.actor_name, e.data["to_name"]) == ("王建国", "王芳")
    with services.db.read() as s:
        assert (
            s.scalar(select(Notification.kind).where(Notification.user_id == world.users["handler2"]))
            == "transfer"
        )


# ---- 委托 --------------------------------------------------------------------------------------------


def test_a_delegation_starts_and_ends_by_the_clock(verbs: tuple[Services, World], clock: Clock) -> None:
    services, world = verbs
    with pytest.raises(ValidationFailed) as bad:
        services.delegations.create(world.users["handler"], "outsider", "2026-09-22", "2026-09-25")
    assert "不在同一组织任职" in bad.value.errors["delegate"]
    services.delegations.create(world.users["handler"], "leader", "2026-09-23", "2026-09-24", reason="出差")
    iid = submitted(services, world)
    for user in ("jijian", "leader"):
        services.verbs.sign(iid, "approve", world.users[user], {"view": "无意见"})
    leader = world.users["leader"]

    clock.now = china(2026, 9, 22, 10, 0)  # the day before it starts
    assert not services.flow.may_act(iid, "approve", leader)
    assert not any(t.category == "委托给我" for t in services.inbox.open(leader).items)
    clock.now = china(2026, 9, 23, 10, 0)
    assert [t.delegated_by for t in services.inbox.open(leader).items if t.delegated_by] == ["王建国"]
    assert services.flow.may_act(iid, "approve", leader)  # what the page offers agrees with the inbox
    assert "approve" in {a.name for a in services.flow.available_actions(iid, leader)}
    version = services.flow.get(iid, leader).version
    clock.now = china(2026, 9, 25, 0, 0)  # the day after it ended
    with pytest.raises(PermissionDenied):
        services.flow.act(iid, "approve", leader, expected_version=version)
    clock.now = china(2026, 9, 24, 23, 0)  # its last day
    done = services.flow.act(iid, "approve", leader, expected_version=version)
    assert done.state == "publicity"
    [e] = [e for e in events(services, iid, "approve")]
    assert e.actor_name == "赵志刚（代王建国）" and e.actor_id == leader
    assert e.data["_by"]["on_behalf_of"] == world.users["handler"]
    [d] = services.delegations.list_for(leader)
    assert not d.mine and d.delegator == "王建国" and d.active


# ---- 加签 --------------------------------------------------------------------------------------------


def _signed(services: Services, world: World) -> int:
    iid = submitted(services, world)
    for user in ("jijian", "leader"):
        services.verbs.sign(iid, "approve", world.users[user], {"view": "无意见"})
    return iid


def test_before_an_opinion_the_step_waits_and_the_added_person_only_gives_an_opinion(
    verbs: tuple[Services, World],
) -> None:
    services, world = verbs
    iid = _signed(services, world)
    services.verbs.add_signer(iid, "handler2", "before", "请核实人选情况", world.users["handler"])
    version = services.flow.get(iid, world.users["handler"]).version
    with pytest.raises(InvalidAction, match="已加签征求王芳的意见"):
        services.flow.act(iid, "approve", world.users["handler"], expected_version=version)
    panel = services.verbs.panel(iid, world.users["handler2"])
    assert panel.may_give_opinion and not panel.may_sign
    with pytest.raises(PermissionDenied):
        services.verbs.give_opinion(iid, "同意", world.users["leader"])
    services.verbs.give_opinion(iid, "人选情况属实，无异议。", world.users["handler2"])
    [opinion] = services.verbs.panel(iid, world.users["handler"]).opinions
    assert (opinion.actor_name, opinion.comment) == ("王芳", "人选情况属实，无异议。")
    version = services.flow.get(iid, world.users["handler"]).version
    assert (
        services.flow.act(iid, "approve", world.users["handler"], expected_version=version).state
        == "publicity"
    )


def test_after_an_opinion_the_action_taken_meanwhile_takes_effect(verbs: tuple[Services, World]) -> None:
    services, world = verbs
    iid = _signed(services, world)
    services.verbs.add_signer(iid, "handler2", "after", "请再看一下", world.users["handler"])
    version = services.flow.get(iid, world.users["handler"]).version
    held = services.flow.act(iid, "approve", world.users["handler"], expected_version=version)
    assert held.state == "review"  # waiting for the opinion
    assert services.verbs.panel(iid, world.users["handler"]).held == ("审核通过",)
    services.verbs.give_opinion(iid, "同意。", world.users["handler2"])
    assert services.flow.get(iid, world.users["handler"]).state == "publicity"
    [approve] = events(services, iid, "approve")
    assert approve.actor_name == "王建国"


# ---- 抄送 --------------------------------------------------------------------------------------------


def test_a_copied_person_may_read_but_not_act_and_marks_it_read(verbs: tuple[Services, World]) -> None:
    services, world = verbs
    iid = submitted(services, world)
    with services.db.read() as s:  # copy_to: [leader] on submit
        assert s.scalar(select(Copy.user_id).where(Copy.instance_id == iid)) == world.users["leader"]
    outsider = world.users["outsider"]
    with pytest.raises(NotFound):
        services.flow.get(iid, outsider)
    with pytest.raises(NotFound):  # who may not read a request is told it does not exist
        services.verbs.copy(iid, ["outsider"], None, outsider)
    services.verbs.copy(iid, ["outsider"], "请知悉", world.users["sec1"])
    assert services.flow.get(iid, outsider).id == iid
    assert services.flow.available_actions(iid, outsider) == []
    assert [c.instance_id for c in services.inbox.copies(outsider).items] == [iid]
    with pytest.raises(PermissionDenied):
        services.flow.act(iid, "approve", outsider, expected_version=services.flow.get(iid, outsider).version)
    with pytest.raises(PermissionDenied):
        services.verbs.sign(iid, "approve", outsider, {"view": "无意见"})
    assert services.verbs.mark_read(iid, outsider) == 1
    assert services.verbs.mark_read(iid, outsider) == 0
    assert services.inbox.copies(outsider).items[0].read_at is not None
    with pytest.raises(InvalidAction):
        services.verbs.mark_read(iid, world.users["handler"])  # not copied to the handler


# ---- 催办 --------------------------------------------------------------------------------------------


def test_urging_twice_on_one_working_day_is_refused_with_the_next_possible_day(
    verbs: tuple[Services, World], clock: Clock
) -> None:
    services, world = verbs
    iid = submitted(services, world)
    clock.now = china(2026, 10, 16, 9, 0)  # a Friday
    services.verbs.urge(iid, "请尽快审核", world.users["sec1"])
    with services.db.read() as s:
        urged = set(s.scalars(select(Notification.user_id).where(Notification.kind == "urge")))
    assert world.users["handler"] in urged and world.users["jijian"] in urged
    clock.now = china(2026, 10, 16, 16, 0)
    with pytest.raises(InvalidAction, match="2026年10月19日起可再次催办"):
        services.verbs.urge(iid, None, world.users["sec1"])
    clock.now = china(2026, 10, 18, 10, 0)  # Sunday: an urge counts for the next working day, Monday
    services.verbs.urge(iid, None, world.users["leader"])  # the superior may urge too
    clock.now = china(2026, 10, 19, 9, 0)
    with pytest.raises(InvalidAction, match="2026年10月20日起"):
        services.verbs.urge(iid, None, world.users["sec1"])  # Monday's urge was already used on Sunday
    assert len(events(services, iid, "urge")) == 2


# ---- 拿回 --------------------------------------------------------------------------------------------


def test_take_back_while_the_next_actor_has_not_acted_and_refused_after(
    verbs: tuple[Services, World],
) -> None:
    services, world = verbs
    iid = submitted(services, world)
    with pytest.raises(InvalidAction, match="只有刚刚办理"):
        services.verbs.take_back(iid, world.users["handler"])
    back = services.verbs.take_back(iid, world.users["sec1"])
    assert back.state == "drafting"
    assert open_tasks(services, iid, TaskKind.SIGN) == []  # the signers' tasks are closed
    [t] = open_tasks(services, iid, TaskKind.STEP)
    assert t.assignee_id == world.users["sec1"]
    services.flow.act(
        iid, "submit", world.users["sec1"], {"subject": "测试事由（改）"}, expected_version=back.version
    )
    services.verbs.sign(iid, "approve", world.users["jijian"], {"view": "无意见"})  # the next actors acted
    with pytest.raises(InvalidAction, match="下一步办理人已经办理"):
        services.verbs.take_back(iid, world.users["sec1"])


# ---- steps that end by themselves ----------------------------------------------------------------------


def test_a_timer_fires_once_even_with_three_sweepers(verbs: tuple[Services, World], clock: Clock) -> None:
    services, world = verbs
    iid = _signed(services, world)
    clock.now = china(2026, 9, 21, 10, 0)  # Monday
    inst = services.flow.act(
        iid,
        "approve",
        world.users["handler"],
        expected_version=services.flow.get(iid, world.users["handler"]).version,
    )
    assert inst.state == "publicity"
    with services.db.read() as s:
        due = s.scalar(select(Timer.due_at).where(Timer.instance_id == iid))
    assert due == china(2026, 9, 24, 0, 0)  # 3 working days: Mon, Tue, Wed are over at Thursday's midnight
    assert services.escalator.sweep(china(2026, 9, 23, 23, 0)).timers == 0

    results: list[int] = []
    barrier = threading.Barrier(3)

    def sweep() -> None:
        barrier.wait()
        results.append(services.escalator.sweep(china(2026, 9, 24, 9, 0)).timers)

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 0, 1]
    done = services.flow.get(iid, world.users["sec1"])
    assert done.state == "done"
    [auto] = [e for e in events(services, iid, "action") if e.action == "end_publicity"]
    assert auto.actor_id is None and auto.actor_name == "系统"
    assert services.escalator.sweep(china(2026, 9, 25, 9, 0)).timers == 0


def test_a_timer_is_cancelled_when_its_state_is_left_first(
    verbs: tuple[Services, World], clock: Clock
) -> None:
    services, world = verbs
    iid = _signed(services, world)
    inst = services.flow.act(
        iid,
        "approve",
        world.users["handler"],
        expected_version=services.flow.get(iid, world.users["handler"]).version,
    )
    services.flow.act(iid, "end_publicity", world.users["sec1"], expected_version=inst.version)
    with services.db.read() as s:
        timer = s.scalars(select(Timer).where(Timer.instance_id == iid)).one()
    assert timer.cancelled_at is not None and timer.fired_at is None
    assert services.escalator.sweep(china(2026, 10, 30, 9, 0)).timers == 0


def test_stale_pages_see_the_verbs_as_changes(verbs: tuple[Services, World]) -> None:
    """A signature raises the version: a page opened before it says so instead of acting on an old picture."""
    services, world = verbs
    iid = submitted(services, world)
    seen = services.flow.get(iid, world.users["handler"]).version
    services.verbs.sign(iid, "approve", world.users["jijian"], {"view": "无意见"})
    services.verbs.sign(iid, "approve", world.users["leader"], {"view": "无意见"})
    with pytest.raises(StaleVersion):
        services.flow.act(iid, "approve", world.users["handler"], expected_version=seen)
    with services.db.read() as s:
        assert s.get(Instance, iid).version == seen + 2
