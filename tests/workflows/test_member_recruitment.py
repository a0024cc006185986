"""发展党员 end to end through the service with a controlled clock: an application in March 2025, the talk,
the 入党积极分子 (one day too early, then on the anniversary), the 发展对象, a 公示 that ends by itself, the
支部大会, the 基层党委's approval, a 预备期 that opens the 转正 discussion by itself (with a reminder a month
before), one extension of six months (a second refused), and 转正 in January 2028 — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from flowengine.errors import CheckFailed, NotFound, PermissionDenied
from flowengine.service import Services
from tests.support import Clock
from tests.support.city import Org, build_city, china_noon
from tests.support.paths import SHIPPED_WORKFLOWS
from tests.support.recruitment import Person, activist, conversion, meeting, pre_review, prospect, talk


@pytest.fixture
def city(make_services: Callable[..., Services], clock: Clock) -> Org:
    clock.now = china_noon("2025-03-01")
    return build_city(make_services(SHIPPED_WORKFLOWS), clock.now)


def _sweep(services: Services, day: str, hour: int = 9) -> int:
    """Sweep at ``hour`` o'clock China time of ``day``; returns the timers fired."""
    at = china_noon(day).replace(hour=hour - 8 if hour >= 8 else hour + 16)
    return services.escalator.sweep(at).timers


def _reasons(err: pytest.ExceptionInfo[CheckFailed]) -> str:
    return "；".join(f.reason for f in err.value.failures)


def test_application_to_full_membership_with_one_extension(city: Org, clock: Clock) -> None:
    services = city.services
    p = Person.apply(services, city, clock, "2025-03-03")
    assert p.state == "awaiting_talk"
    assert p.instance.title == "李晓雨（郑州市第三十一中学高二年级党支部）发展党员"
    # The talk is due within one month of receiving the application: on time until 3 April.
    assert p.instance.open_tasks[0].due_at == dt.datetime(
        2025, 4, 3, 16, 0, tzinfo=dt.UTC
    )  # 4 April 00:00 China

    p.on("2025-03-20").act("majun", "record_first_talk", talk("2025-03-20"))
    p.on("2025-04-10").act("majun", "appoint_activist", activist("2025-04-10"))
    assert p.act("hexiaoli", "file_activist", {"opinion": "同意备案。"}) == "activist"

    # Half a year after becoming an 入党积极分子: a reminder of the assessment, by itself, once.
    assert _sweep(services, "2025-10-09") == 0
    assert _sweep(services, "2025-10-10") == 1
    assert _sweep(services, "2025-10-11") == 0
    p.on("2025-10-15").act(
        "majun", "record_assessment", {"assessed_on": "2025-10-15", "assessment": "表现积极。"}
    )

    # 一年以上 read as "at least a full year": the day before the anniversary is refused, the anniversary is not.
    with pytest.raises(CheckFailed) as err:
        p.on("2026-04-09").act("majun", "propose_prospect", prospect("2026-04-09"))
    assert "最早可于2026年4月10日确定为发展对象" in _reasons(err)
    p.on("2026-04-10").act("majun", "propose_prospect", prospect("2026-04-10"))
    assert p.act("hexiaoli", "file_prospect", {"opinion": "同意备案。"}) == "prospect"

    p.on("2026-05-20").act("majun", "submit_pre_review", pre_review("2026-05-20"))
    p.on("2026-05-25").act(
        "hexiaoli",
        "pass_pre_review",
        {"opinion": "预审合格。", "discipline_consulted": True, "publicity_from": "2026-05-25"},
    )
    assert p.state == "publicity"
    # The 公示 of five working days (25–29 May) cannot be closed early; it ends by itself on 1 June.
    with pytest.raises(CheckFailed) as err:
        p.on("2026-05-29").act("majun", "close_publicity")
    assert "2026年5月29日），尚未期满，2026年5月30日起方可结束公示" in _reasons(err)
    assert _sweep(services, "2026-05-31") == 0
    assert _sweep(services, "2026-06-01", hour=1) == 1
    assert p.refresh() == "admission_meeting"

    # The 支部大会: 11 full members entitled; 6 yes passes (more than half of 11).
    p.on("2026-06-05").act("majun", "hold_admission_meeting", meeting("2026-06-05", yes=8))
    assert p.state == "organizer_talk"
    p.on("2026-06-20").act("hexiaoli", "record_organizer_talk", talk("2026-06-20"))
    p.on("2026-07-10").act(
        "hexiaoli",
        "approve_admission",
        {"decided_on": "2026-07-10", "reply_number": "三十一中党委〔2026〕21号"},
    )
    assert p.state == "probation"

    # One year from the 支部大会 (5 June 2026): a reminder on 5 May 2027, the 转正 discussion opens on 5 June.
    assert _sweep(services, "2027-05-04") == 0
    assert _sweep(services, "2027-05-05") == 1
    assert p.refresh() == "probation"
    with pytest.raises(CheckFailed) as err:
        p.on("2027-06-04").act("majun", "open_conversion")
    assert "2027年6月5日起方可讨论转正" in _reasons(err)
    assert _sweep(services, "2027-06-04") == 0
    assert _sweep(services, "2027-06-05", hour=1) == 1
    assert p.refresh() == "conversion_meeting"

    # Extended once, by six months (12 months refused as 13; 5 refused).
    p.on("2027-06-15")
    with pytest.raises(CheckFailed) as err:
        p.act("majun", "hold_conversion_meeting", conversion("2027-06-15", "extend", yes=7, months=5))
    assert "延长预备期须为6至12个月" in _reasons(err)
    p.act("majun", "hold_conversion_meeting", conversion("2027-06-15", "extend", yes=7, months=6))
    p.on("2027-07-01").act(
        "hexiaoli",
        "approve_conversion",
        {"decided_on": "2027-07-01", "reply_number": "三十一中党委〔2027〕9号"},
    )
    assert p.state == "extended_probation"

    # The extended 预备期 ends on 4 December 2027 (5 June 2026 + 12 + 6 months): reminder 5 November.
    assert _sweep(services, "2027-11-04") == 0
    assert _sweep(services, "2027-11-05") == 1
    assert _sweep(services, "2027-12-04") == 0
    assert _sweep(services, "2027-12-05", hour=1) == 1
    assert p.refresh() == "conversion_meeting"

    p.on("2027-12-10")
    with pytest.raises(CheckFailed) as err:
        p.act("majun", "hold_conversion_meeting", conversion("2027-12-10", "extend", yes=7, months=6))
    assert "预备期已延长过一次" in _reasons(err)
    with pytest.raises(CheckFailed) as err:
        p.act("majun", "hold_conversion_meeting", conversion("2027-12-10", "convert", yes=5))
    assert "未超过应到会有表决权的正式党员（11 人）的半数" in _reasons(err)
    p.act("majun", "hold_conversion_meeting", conversion("2027-12-10", "convert", yes=6))
    p.on("2028-01-10").act("hexiaoli", "approve_conversion", {"decided_on": "2028-01-10"})
    assert p.state == "full_member"
    assert p.instance.status == "completed"

    trail = services.flow.trail(p.id, city.users["sunli"])
    system = [e for e in trail if e.actor_name == "系统"]
    assert [e.action for e in system if e.action] == [
        "close_publicity",
        "open_conversion",
        "reopen_conversion",
    ]


def test_the_person_is_seen_only_by_those_in_scope(city: Org, clock: Clock) -> None:
    services = city.services
    p = Person.apply(services, city, clock, "2025-03-03")
    record = services.flow.subject(p.id, city.users["majun"])
    assert record is not None and record.name == "李晓雨"
    assert record.data["birth_date"] == "1996-05-14"
    assert services.flow.subject(p.id, city.users["hexiaoli"]) is not None  # the approving committee
    assert services.flow.subject(p.id, city.users["sunli"]) is not None  # the auditor above
    with pytest.raises(NotFound):
        services.flow.subject(p.id, city.users["caoxue"])  # another branch's secretary
    # The personal data are not in the request's step data nor in its trail.
    assert "birth_date" not in p.instance.data.get("start", {})
    trail = services.flow.trail(p.id, city.users["majun"])
    assert all("1996-05-14" not in str(e.data) for e in trail)
    # Several people of one branch at once: one running request per person, not per organization.
    other = Person.apply(services, city, clock, "2025-03-04", applicant_name="王子涵")
    assert other.id != p.id


def test_a_copied_reader_sees_the_request_but_not_the_person(city: Org, clock: Clock) -> None:
    services = city.services
    p = Person.apply(services, city, clock, "2025-03-03")
    services.verbs.copy(p.id, ["caoxue"], "请知悉", city.users["majun"])
    assert services.flow.get(p.id, city.users["caoxue"]).title.startswith("李晓雨")
    with pytest.raises(PermissionDenied):
        services.flow.subject(p.id, city.users["caoxue"])
