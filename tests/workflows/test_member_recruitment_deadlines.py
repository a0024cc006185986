"""发展党员's deadlines in months, through the sweep: the talk within one month of receiving the application,
the 基层党委's approval within three months of the 支部大会 (escalated on day three months + 1)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import select

from flowengine.persistence.models import Notification
from flowengine.service import Services
from tests.support import Clock
from tests.support.city import Org, build_city, china_noon
from tests.support.paths import SHIPPED_WORKFLOWS
from tests.support.recruitment import Person, meeting, talk, to_meeting, to_prospect


@pytest.fixture
def city(make_services: Callable[..., Services], clock: Clock) -> Org:
    clock.now = china_noon("2025-01-02")
    return build_city(make_services(SHIPPED_WORKFLOWS), clock.now)


def _china(day: str, hour: int) -> dt.datetime:
    return dt.datetime.combine(
        dt.date.fromisoformat(day), dt.time(hour), tzinfo=dt.timezone(dt.timedelta(hours=8))
    )


def _escalations(services: Services, at: dt.datetime) -> int:
    return services.escalator.sweep(at).escalations


def _notified(city: Org, user: str) -> list[str]:
    with city.services.db.read() as s:
        return list(s.scalars(select(Notification.title).where(Notification.user_id == city.users[user])))


@pytest.mark.parametrize(
    ("received", "last_day"),
    [("2025-01-31", "2025-02-28"), ("2025-03-03", "2025-04-03"), ("2024-12-31", "2025-01-31")],
)
def test_talk_within_one_month_of_receiving_the_application(
    city: Org, clock: Clock, received: str, last_day: str
) -> None:
    services = city.services
    p = Person.apply(services, city, clock, received)
    assert _escalations(services, _china(last_day, 23)) == 0  # the last day of the month is still in time
    after = (dt.date.fromisoformat(last_day) + dt.timedelta(days=1)).isoformat()
    assert (
        _escalations(services, _china(after, 1)) == 1
    )  # the next day: overdue, the committee's handler told
    assert any("超期" in t or "督办" in t for t in _notified(city, "hexiaoli")), _notified(city, "hexiaoli")
    p.on(after).act("majun", "record_first_talk", talk(after))  # a late talk is still recorded
    assert p.state == "awaiting_activist"


def test_approval_escalated_on_day_three_months_and_one(city: Org, clock: Clock) -> None:
    services = city.services
    p = to_meeting(to_prospect(Person.apply(services, city, clock, "2025-01-06")), "2026-05-20", "2026-05-25")
    assert p.state == "admission_meeting"
    # The 支部大会 on 5 June; the committee's talk and approval are due within three months of it, whenever
    # the steps were opened: on 5 September at the latest.
    p.on("2026-06-10").act("majun", "hold_admission_meeting", meeting("2026-06-05", yes=8))
    assert p.instance.open_tasks[0].due_at == _china("2026-09-06", 0).astimezone(dt.UTC)
    p.on("2026-07-01").act("hexiaoli", "record_organizer_talk", talk("2026-07-01"))
    assert p.instance.open_tasks[0].due_at == _china("2026-09-06", 0).astimezone(dt.UTC)
    before = len(_notified(city, "liweidong"))
    assert _escalations(services, _china("2026-09-05", 23)) == 0
    assert _escalations(services, _china("2026-09-06", 1)) == 1  # 3 months + 1 day: the committee's 书记 told
    assert len(_notified(city, "liweidong")) == before + 1
    assert p.state == "admission_approval"
