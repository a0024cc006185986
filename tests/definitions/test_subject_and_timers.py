"""The language for requests about a person and for periods in months: ``subject`` (the start form's
personal fields), several ``timer``s per state with ``plus`` and ``before`` periods whose length may be a
whole-number field, and a ``deadline`` counted ``from`` a date of the form — each typo named with its path."""

from __future__ import annotations

import pytest

from flowengine.definitions.loader import load_text
from flowengine.errors import DefinitionError
from flowengine.registry import vocabulary
from tests.support.paths import SHIPPED_WORKFLOWS

TEXT = (SHIPPED_WORKFLOWS / "member_recruitment.yaml").read_text(encoding="utf-8")


def _problems(old: str, new: str) -> set[tuple[str, str]]:
    assert old in TEXT, old
    with pytest.raises(DefinitionError) as err:
        load_text(TEXT.replace(old, new, 1), "m.yaml", vocabulary())
    return {(p.path, p.message) for p in err.value.problems}


def test_the_shipped_definition_says_it_in_the_language() -> None:
    d = load_text(TEXT, "m.yaml", vocabulary())
    assert d.subject is not None and d.subject.kind == "person" and d.subject.name_field == "applicant_name"
    probation = d.state("probation")
    fire, remind = probation.timers
    assert (fire.fire, fire.days, fire.unit, fire.start) == (
        "open_conversion",
        12,
        "months",
        "hold_admission_meeting.meeting_date",
    )
    assert remind.remind and remind.before is not None and remind.before.days == 1
    extended = d.state("extended_probation").timers[0]
    assert (
        extended.plus is not None and extended.plus.days_field == "hold_conversion_meeting.extension_months"
    )
    deadline = d.state("admission_approval").deadline
    assert deadline is not None and deadline.start == "hold_admission_meeting.meeting_date"
    assert (deadline.days, deadline.unit, deadline.days_setting) == (3, "months", "approval_months")


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        (
            "fields: [applicant_name, gender, birth_date,",
            "fields: [applicant_name, gender, birth_dat,",
            "subject.fields[2]",
            "no field 'birth_dat' in the start form",
        ),
        (
            "  name: applicant_name\n  fields",
            "  name: applicant\n  fields",
            "subject.name",
            "'applicant' must be one of the subject's fields",
        ),
        (
            "plus: {days: hold_conversion_meeting.extension_months, unit: months}, fire",
            "plus: {days: hold_conversion_meeting.extension_month, unit: months}, fire",
            "states[12].timer[0].plus.days",
            "no field 'extension_month' in the form of 'hold_conversion_meeting' (its fields: ",
        ),
        (
            "plus: {days: hold_conversion_meeting.extension_months, unit: months}, fire",
            "plus: {days: hold_conversion_meeting.meeting_date, unit: months}, fire",
            "states[12].timer[0].plus.days",
            "'hold_conversion_meeting.meeting_date' must name a whole-number field (type: integer)",
        ),
        (
            "from: hold_admission_meeting.meeting_date, escalate_to: committee_leader, escalation: notify}\n  - name: admission_approval",
            "from: hold_admission_meeting.meeting_day, escalate_to: committee_leader, escalation: notify}\n  - name: admission_approval",
            "states[9].deadline.from",
            "no field 'meeting_day' in the form of 'hold_admission_meeting' (its fields: ",
        ),
    ],
    ids=["subject-field", "subject-name", "timer-plus-field", "timer-plus-type", "deadline-from"],
)
def test_a_typo_is_named_with_its_path(old: str, new: str, path: str, message: str) -> None:
    problems = _problems(old, new)
    assert any(p == path and m.startswith(message) for p, m in problems), problems
