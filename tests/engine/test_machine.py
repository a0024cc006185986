"""One transitions machine per definition version, shared by every request and safe across threads."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from flowengine.definitions.loader import load_text
from flowengine.engine import machine as machine_mod
from flowengine.engine.checks import CheckContext
from flowengine.engine.machine import Token, fire, machine_for
from flowengine.engine.roles import OrgInfo
from flowengine.errors import CheckFailed, InvalidAction
from flowengine.registry import vocabulary
from tests.support.paths import FIXTURE_WORKFLOWS

DEFINITION = load_text(
    (FIXTURE_WORKFLOWS / "leave_request.yaml").read_text(encoding="utf-8"), "leave_request.yaml", vocabulary()
)
ORG = OrgInfo(id=1, name="郑州市实验小学党支部", type="branch", parent_id=None, full_members=23)
FORM = {"reason": "培训", "first_day": "2026-09-23", "last_day": "2026-09-25", "days": 3, "substitutes": []}


def token(state: str = "drafting", **form: object) -> Token:
    return Token(state, CheckContext(ORG, {**FORM, **form}, {}, {}, dt.date(2026, 9, 21), "submit"))


def test_machine_is_built_once_per_version(monkeypatch: pytest.MonkeyPatch) -> None:
    machine_mod._cache.clear()
    built = []
    real = machine_mod.build_machine
    monkeypatch.setattr(machine_mod, "build_machine", lambda d: built.append(d) or real(d))
    first = machine_for(DEFINITION)
    for _ in range(50):
        fire(DEFINITION, token(), "submit")
    assert machine_for(DEFINITION) is first and len(built) == 1
    assert first.models == []  # requests are never added to the shared machine


def test_entry_and_exit_are_recorded_and_branches_chosen() -> None:
    t = fire(DEFINITION, token(), "submit")
    assert (t.state, t.exited, t.entered) == ("review", ["drafting"], ["review"])
    assert fire(DEFINITION, token(days=9, last_day="2026-10-02"), "submit").state == "leader_review"


def test_failed_check_raises_with_reason_and_leaves_token() -> None:
    t = token(last_day="2026-09-01")
    with pytest.raises(CheckFailed, match="结束日期应晚于开始日期"):
        fire(DEFINITION, t, "submit")
    assert (t.state, t.entered, t.exited) == ("drafting", [], [])


def test_invalid_trigger_in_state() -> None:
    with pytest.raises(InvalidAction, match="当前步骤为“填写申请”，不能执行“批准”"):
        fire(DEFINITION, token(), "approve")
    with pytest.raises(InvalidAction, match="没有“teleport”"):
        fire(DEFINITION, token(), "teleport")


def test_concurrent_fires_on_one_machine_do_not_interfere() -> None:
    results: list[str] = []
    lock = threading.Lock()

    def work(i: int) -> None:
        for _ in range(200):
            long = i % 2 == 0
            t = fire(DEFINITION, token(days=9 if long else 2, last_day="2026-10-02"), "submit")
            with lock:
                results.append(f"{long}:{t.state}")

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert set(results) == {"True:leader_review", "False:review"} and len(results) == 800
