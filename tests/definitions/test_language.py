"""What the definition language says instead of the code guessing: typed rule parameters, resolved prefill
paths, declared documents, deadlines stated once, variants — every typo reported with its file and line,
and versions stored before the language could say these things still running as they did."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from flowengine.config import Settings
from flowengine.definitions.loader import load_file, load_text
from flowengine.errors import DefinitionError
from flowengine.registry import vocabulary
from flowengine.service import Services, open_services
from tests.support import Clock, build_world
from tests.support.paths import ROOT, SHIPPED_WORKFLOWS

LEGACY = ROOT / "tests" / "fixtures" / "legacy"
ELECTION = (SHIPPED_WORKFLOWS / "branch_election.yaml").read_text(encoding="utf-8")


def _line(text: str, needle: str) -> int:
    [line] = [i for i, row in enumerate(text.splitlines(), 1) if needle in row]
    return line


TYPOS = [
    (  # a check's parameter naming a field the form does not have
        "{name: candidate_margin, params: {seats: committee_size, candidates: candidate_count}}",
        "{name: candidate_margin, params: {seats: committee_sise, candidates: candidate_count}}",
        "committee_sise",
        "(actions[1].checks[3].params.seats): no field 'committee_sise' in this form",
    ),
    (  # a prefill path naming a step's field that does not exist
        "prefill: data.record_study.full_members}",
        "prefill: data.record_study.full_memebers}",
        "full_memebers",
        "(actions[10].form[1].prefill): no field 'full_memebers' in the form of 'record_study'",
    ),
    (  # a predicate's parameter naming an unknown column
        "      - {state: nominating, when: secretary_not_elected}",
        "      - {state: nominating, when: {name: secretary_not_elected, params: {post: postt}}}",
        "postt",
        "(actions[23].to[0].when.params.post): no column 'postt' in the list 'votes'",
    ),
]


@pytest.mark.parametrize(("good", "bad", "needle", "message"), TYPOS, ids=["check", "prefill", "predicate"])
def test_a_typo_fails_validate_with_file_and_line(
    tmp_path: Path, good: str, bad: str, needle: str, message: str
) -> None:
    assert good in ELECTION
    path = tmp_path / "branch_election.yaml"
    path.write_text(ELECTION.replace(good, bad, 1), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "flowengine.cli", "workflows", "validate", str(path)],
        env={**os.environ, "FLOWENGINE_DATA_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    text = path.read_text(encoding="utf-8")
    assert f"{path}:{_line(text, needle)} {message}" in done.stderr, done.stderr


def test_unknown_and_missing_parameters_and_wrong_types_are_named() -> None:
    text = ELECTION.replace(
        "{name: committee_size_allowed, params: {size: committee_size}}",
        "{name: committee_size_allowed, params: {size: committee_size, sizes: 3}}",
    ).replace(
        "params: {list: candidates, approved: submit_request1.candidate_count}", "params: {list: candidates}"
    )
    text = text.replace("params: {field: study_date, what: 研究日期}", "params: {field: study_date, what: 3}")
    with pytest.raises(DefinitionError) as err:
        load_text(text, "e.yaml", vocabulary())
    messages = {p.message for p in err.value.problems}
    assert "unknown parameter 'sizes' of 'committee_size_allowed'; it takes: size" in messages
    assert any(m.startswith("'candidates_as_approved' needs the parameter 'approved'") for m in messages)
    assert "expected text, got 3" in messages


def test_a_rule_s_setting_must_be_declared_and_a_document_s_number_field_exist() -> None:
    text = ELECTION.replace("  publicity_days:\n", "  publicity_dayz:\n").replace(
        "number_field: reply_number}\n  request2", "number_field: reply_no}\n  request2"
    )
    with pytest.raises(DefinitionError) as err:
        load_text(text, "e.yaml", vocabulary())
    messages = {(p.path, p.message) for p in err.value.problems}
    assert (
        "actions[9].checks[1]",
        "check 'publicity_period' reads the setting 'publicity_days'; declare it under settings",
    ) in messages
    assert (
        "documents.reply1.number_field",
        "no field 'reply_no' in the form of 'approve_request1', which issues 'reply1'",
    ) in messages


def test_variants_spell_out_the_same_branches_the_old_definition_wrote_by_hand() -> None:
    new = load_file(LEGACY / "branch_election_v2.yaml", vocabulary())  # version 2 introduced variants
    old = load_file(LEGACY / "branch_election_v1.yaml", vocabulary())
    assert [s.name for s in new.states] == [s.name for s in old.states]
    for a in old.actions:
        b = new.action(a.name)
        assert [(x.to, [r.name for r in x.when]) for x in b.branches] == [
            (x.to, [r.name for r in x.when]) for x in a.branches
        ], a.name
        assert [(c.name, dict(c.params)) for c in b.checks] == [(c.name, dict(c.params)) for c in a.checks], (
            a.name
        )
    assert new.state("review_request1").deadline == old.state("review_request1").deadline
    lines_before = sum(
        1 for row in (LEGACY / "branch_election_v1.yaml").read_text().splitlines() if "no_committee" in row
    )
    version2 = (LEGACY / "branch_election_v2.yaml").read_text(encoding="utf-8")
    assert lines_before == 7 and version2.count("when: no_committee") == 3 == ELECTION.count(
        "when: no_committee"
    )


@pytest.mark.parametrize("path", sorted(LEGACY.glob("*.yaml")), ids=lambda p: p.name)
def test_stored_versions_of_the_older_language_still_load(path: Path) -> None:
    d = load_file(path, vocabulary())
    assert d.documents and all(doc.direction in ("up", "down", "internal") for doc in d.documents.values())


def test_a_request_on_a_stored_version_1_goes_on_after_a_later_version_is_deployed(
    database_url: str, tmp_path: Path, clock: Clock, make_services: Callable[..., Services]
) -> None:
    old = tmp_path / "old"
    old.mkdir()
    (old / "branch_election.yaml").write_text(
        (LEGACY / "branch_election_v1.yaml").read_text(encoding="utf-8")
    )
    first = make_services(old)
    world = build_world(first, clock())
    sec = world.users["sec1"]
    running = first.flow.start("branch_election", world.orgs["b1"], sec)
    study = {
        "study_date": "2026-09-18",
        "meeting_kind": "委员会会议",
        "full_members": 12,
        "probationary_members": 1,
        "on_time": True,
        "summary": "拟按期换届。",
    }
    running = first.flow.act(running.id, "record_study", sec, study, expected_version=1)
    first.close()

    upgraded = open_services(
        Settings(database_url, tmp_path, SHIPPED_WORKFLOWS), clock=clock, auto_upgrade=True
    )
    try:
        assert upgraded.catalog.latest("branch_election").version > 1  # the shipped version
        inst = upgraded.flow.get(running.id, sec)
        assert (inst.definition_version, inst.state) == (1, "drafting_request1")
        request1 = {
            "current_term_start": "2023-10-10",
            "current_term_end": "2026-10-09",
            "planned_month": "2026-10",
            "agenda": "听取和审查支部委员会工作报告；选举产生新一届支部委员会",
            "committee_size": 5,
            "secretary_count": 1,
            "deputy_count": 1,
            "candidate_count": 5,  # the margin rule of version 1 still applies: 5 seats need 6
            "election_method": "差额选举。",
        }
        with pytest.raises(Exception, match="至少 6 名"):
            upgraded.flow.act(inst.id, "submit_request1", sec, request1, expected_version=2)
        inst = upgraded.flow.act(
            inst.id, "submit_request1", sec, {**request1, "candidate_count": 6}, expected_version=2
        )
        assert (inst.definition_version, inst.state) == (1, "review_request1")
        assert [d.name for d in upgraded.documents.list_for(inst.id, sec)] == ["request1"]
    finally:
        upgraded.close()
