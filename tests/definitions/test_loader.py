"""The definition language: every kind of mistake is reported at once, with file, line and YAML path."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from ruamel.yaml import YAML

from flowengine.definitions.loader import load_text
from flowengine.definitions.schema import SCHEMA, schema_json
from flowengine.errors import DefinitionError
from flowengine.registry import vocabulary
from tests.support.definitions import SOURCE, broken_copy, line_containing
from tests.support.paths import FIXTURE_WORKFLOWS, SHIPPED_WORKFLOWS


def problems_of(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(DefinitionError) as err:
        load_text(text, "broken.yaml", vocabulary())
    assert all(p.file == "broken.yaml" for p in err.value.problems)
    return [(p.line, p.path, p.message) for p in err.value.problems]


def test_fixture_loads_with_lines() -> None:
    d = load_text(SOURCE, "leave_request.yaml", vocabulary())
    assert d.state("review").line == line_containing(SOURCE, "- name: review")
    assert d.action("submit").form[0].line == line_containing(SOURCE, "name: reason")
    assert d.action("submit").destinations == ("leader_review", "review")


def test_one_message_per_error_kind_with_its_line() -> None:
    text = broken_copy()
    got = problems_of(text)
    expected = [
        (
            line_containing(text, "name: limbo"),
            "states[6].name",
            "state 'limbo' has no way out and is not final",
        ),
        (
            line_containing(text, "to: nowhere"),
            "actions[5].to",
            "unknown state 'nowhere' in transition 'escalate'",
        ),
        (
            line_containing(text, "title: 再次批准"),
            "actions[8].name",
            "duplicate action 'approve' (first declared as actions[3])",
        ),
        (
            line_containing(text, "role: janitor"),
            "actions[9].role",
            "unknown role 'janitor'; this definition declares: applicant, reviewer, leader",
        ),
        (line_containing(text, "no_such_check"), "actions[10].checks[0]", "unknown check 'no_such_check'"),
        (
            line_containing(text, "name: archived"),
            "states[5].name",
            "unreachable state 'archived': no action leads to it from 'drafting'",
        ),
    ]
    assert sorted(got) == sorted(expected)


def test_syntax_error_and_duplicate_key_have_lines() -> None:
    assert problems_of("name: x\ntitle: [unclosed\nversion: 1\n")[0][0] == 3
    dup = SOURCE.replace("version: 1\n", "version: 1\nversion: 2\n")
    [(line, _, message)] = problems_of(dup)
    assert line == line_containing(dup, "version: 2") and message == "YAML syntax: duplicate key 'version'"


def test_schema_errors_name_key_and_line() -> None:
    text = SOURCE.replace("title: 上级审核\n", "tilte: 上级审核\n").replace(
        "unit: working_days", "unit: weeks"
    )
    got = problems_of(text)
    assert (line_containing(text, "- name: review"), "states[1]", "missing key: 'title'") in got
    assert (
        line_containing(text, "tilte:"),
        "states[1].tilte",
        "unknown key 'tilte'; allowed here: assignee, countersign, deadline, description, final, initial, name, outcome, timer, title, variant",
    ) in got
    assert (
        line_containing(text, "unit: weeks"),
        "states[1].deadline.unit",
        "'weeks' is not one of working_days, calendar_days, months, years",
    ) in got


def test_form_field_problems() -> None:
    text = SOURCE.replace(
        "      - name: substitutes\n        label: 代班人\n        type: list\n        min_items: 1\n",
        "      - name: substitutes\n        label: 代班人\n        type: list\n",
    )
    text = text.replace(
        "        fields:\n          - {name: name, label: 姓名, type: string, required: true}\n"
        '          - {name: phone, label: 电话, type: string, pattern: "1[0-9]{10}"}\n',
        "",
    )
    text = text.replace("type: integer, required: true, min: 1", "type: choice, required: true, min: 1")
    messages = {m for _, _, m in problems_of(text)}
    assert "field 'substitutes' of type list needs fields (the columns of each row)" in messages
    assert "field 'days' of type choice needs options" in messages


def test_published_schema_file_is_current() -> None:
    assert (SHIPPED_WORKFLOWS / "schema.json").read_text(encoding="utf-8") == schema_json()
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize(
    "path",
    sorted(SHIPPED_WORKFLOWS.glob("*.yaml")) + [FIXTURE_WORKFLOWS / "leave_request.yaml"],
    ids=lambda p: p.name,
)
def test_definitions_validate_against_published_schema(path: Path) -> None:
    """What an editor checks with workflows/schema.json agrees with what the loader accepts."""
    schema = json.loads((SHIPPED_WORKFLOWS / "schema.json").read_text(encoding="utf-8"))
    data = json.loads(json.dumps(YAML(typ="safe").load(path.read_text(encoding="utf-8")), default=str))
    jsonschema.Draft202012Validator(schema).validate(data)
    load_text(path.read_text(encoding="utf-8"), str(path), vocabulary())


def test_folded_chinese_descriptions_have_no_stray_spaces() -> None:
    text = SOURCE.replace(
        "\ntitle: ",
        "\ndescription: >-\n  请假须经上级党组织\n  审核同意。 休假期间按\n  FLOWENGINE 规定 2 名同志代班。\ntitle: ",
        1,
    )
    definition = load_text(text, "leave.yaml", vocabulary())
    assert definition.description == "请假须经上级党组织审核同意。休假期间按 FLOWENGINE 规定 2 名同志代班。"
    shipped = load_text(
        (SHIPPED_WORKFLOWS / "branch_election.yaml").read_text(encoding="utf-8"),
        "branch_election.yaml",
        vocabulary(),
    )
    assert "候选人预备人选" in shipped.description
