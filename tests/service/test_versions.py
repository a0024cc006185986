"""A running request stays on the definition version it started with; a changed file must bump version."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from flowengine.errors import DefinitionError
from flowengine.service import Services
from tests.support import Clock, build_world
from tests.support.paths import FIXTURE_WORKFLOWS
from tests.support.service import GOOD

V1 = (FIXTURE_WORKFLOWS / "leave_request.yaml").read_text(encoding="utf-8")
# Version 2 adds a filing step after approval.
V2 = (
    V1.replace("version: 1", "version: 2")
    .replace(
        "  - {name: approved, title: 已批准, final: true}\n",
        "  - {name: filing, title: 备案, assignee: leader}\n  - {name: approved, title: 已批准, final: true}\n",
    )
    .replace(
        "{name: approve, title: 批准, from: review, to: approved,",
        "{name: file_it, title: 备案, from: filing, to: approved, role: leader}\n"
        "  - {name: approve, title: 批准, from: review, to: filing,",
    )
)


def test_running_request_keeps_its_version(
    make_services: Callable[..., Services], tmp_path: Path, clock: Clock
) -> None:
    wf = tmp_path / "wf"
    wf.mkdir()
    (wf / "leave_request.yaml").write_text(V1, encoding="utf-8")
    first = make_services(wf)
    world = build_world(first, clock())
    old = first.flow.start("leave_request", world.orgs["b1"], world.users["sec1"])
    first.flow.act(old.id, "submit", world.users["sec1"], GOOD, expected_version=1)
    first.close()

    (wf / "leave_request.yaml").write_text(V2, encoding="utf-8")
    second = make_services(wf)
    assert second.catalog.latest("leave_request").version == 2
    # The old request finishes on version 1 (approve → approved, no filing step).
    done = second.flow.act(old.id, "approve", world.users["handler"], expected_version=2)
    assert (done.state, done.definition_version) == ("approved", 1)
    new = second.flow.start("leave_request", world.orgs["b1"], world.users["sec1"])
    assert new.definition_version == 2
    second.flow.act(new.id, "submit", world.users["sec1"], GOOD, expected_version=1)
    assert second.flow.act(new.id, "approve", world.users["handler"], expected_version=2).state == "filing"


def test_changed_file_without_new_version_is_refused(
    make_services: Callable[..., Services], tmp_path: Path
) -> None:
    wf = tmp_path / "wf"
    wf.mkdir()
    path = wf / "leave_request.yaml"
    path.write_text(V1, encoding="utf-8")
    make_services(wf).close()
    path.write_text(V1.replace("title: 请假申请（测试）", "title: 请假申请（测试，改）"), encoding="utf-8")
    with pytest.raises(DefinitionError) as err:
        make_services(wf)
    [problem] = err.value.problems
    assert problem.file == str(path) and "raise 'version' to 2" in problem.message
