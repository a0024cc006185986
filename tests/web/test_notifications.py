"""In-app notifications: what the escalation sweep creates reaches the right person's list and the badge in
the header, newest first; marking read is a POST with the CSRF token and touches only one's own."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy import select

from flowengine.persistence.models import Notification
from flowengine.service import Services
from tests.support import Clock, World
from tests.support.web import Browser, submitted

BADGE = re.compile(r'data-testid="unread-badge">(\d+)<')
ITEM = re.compile(
    r'data-testid="notification" data-unread="(true|false)" data-instance="(\d*)">.*?'
    r'data-testid="notification-title">([^<]+)<',
    re.S,
)


def badge(html: str) -> int:
    found = BADGE.search(html)
    return int(found.group(1)) if found else 0


def items(html: str, iid: int) -> list[tuple[bool, str]]:
    """(unread, title) of the listed notifications about request ``iid``, in the order shown."""
    return [(unread == "true", title) for unread, inst, title in ITEM.findall(html) if inst == str(iid)]


def _swept(services: Services, world: World, clock: Clock) -> int:
    """A leave request past its reminder point and then past its due day, swept after each."""
    iid = submitted(services, world)  # review: due Thursday 2026-09-24, reminder one working day before
    clock.advance(days=2, hours=12)  # Wednesday 09-23 evening in China
    assert services.escalator.sweep().reminders == 1
    clock.advance(days=6)  # Tuesday 09-29, overdue: the handler is told, the leader is asked to chase it
    assert services.escalator.sweep().escalations == 1
    return iid


def _rows(services: Services, user_id: int) -> list[tuple[str, int | None, bool]]:
    with services.db.read() as s:
        return [
            (n.kind, n.instance_id, n.read_at is not None)
            for n in s.scalars(
                select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
            )
        ]


def _unread(services: Services, user_id: int) -> int:
    return sum(1 for _, _, read in _rows(services, user_id) if not read)


def test_sweep_notifications_reach_only_their_recipients_newest_first(
    browser: Callable[[str | None], Browser], services: Services, world: World, clock: Clock
) -> None:
    iid = _swept(services, world, clock)
    html = browser("handler").get("/notifications/").get_data(as_text=True)
    [(unread1, overdue), (unread2, reminder)] = items(html, iid)  # newest first
    assert unread1 and unread2
    assert overdue.startswith("【超期】") and "已于2026年9月24日到期" in overdue
    assert reminder.startswith("【催办】") and "将于2026年9月24日到期" in reminder
    assert "超期提醒" in html and "催办提醒" in html and f'name="open" value="{iid}"' in html
    # The term watch of the same sweep told the committee's superior that the school committee's term expired.
    assert "【超期未换届】中共郑州市第二十四中学委员会" in html
    assert badge(html) == _unread(services, world.users["handler"]) == 3

    leader_html = browser("leader").get("/notifications/").get_data(as_text=True)
    [(unread, escalation)] = items(leader_html, iid)
    assert unread and escalation.startswith("【超期】") and "超期督办" in leader_html
    assert badge(leader_html) == _unread(services, world.users["leader"])

    for other in ("sec1", "sec2", "auditor", "admin", "nobody"):
        page = browser(other).get("/notifications/").get_data(as_text=True)
        assert items(page, iid) == [], other
        assert badge(page) == _unread(services, world.users[other]), other
    nobody = browser("nobody").get("/notifications/").get_data(as_text=True)
    assert 'data-testid="notifications-empty"' in nobody and badge(nobody) == 0


def test_badge_counts_unread_and_marking_read_is_per_user(
    browser: Callable[[str | None], Browser], services: Services, world: World, clock: Clock
) -> None:
    iid = _swept(services, world, clock)
    handler = browser("handler")
    assert badge(handler.get("/").get_data(as_text=True)) == 3
    mine = [n.id for n in services.notifications.list(world.users["handler"]).items]
    leaders = [n.id for n in services.notifications.list(world.users["leader"]).items]
    leader_before = _rows(services, world.users["leader"])

    # Someone else's notification id changes nothing for its owner.
    handler.get("/notifications/")
    assert handler.post(f"/notifications/{leaders[0]}/read").status_code == 302
    assert _rows(services, world.users["leader"]) == leader_before

    # Opening one from the list marks it read and goes to its request.
    response = handler.post(f"/notifications/{mine[0]}/read", {"open": str(iid)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/requests/{iid}")
    page = handler.get("/notifications/").get_data(as_text=True)
    assert badge(page) == 2 and items(page, iid)[0][0] is False and "已读于" in page
    unread = handler.get("/notifications/?unread=1").get_data(as_text=True)
    assert [t for _, t in items(unread, iid)] == [items(page, iid)[1][1]]

    handler.get("/notifications/")
    response = handler.post("/notifications/read-all")
    assert response.status_code == 302
    page = handler.get("/notifications/").get_data(as_text=True)
    assert badge(page) == 0 and 'data-unread="true"' not in page and "已将 2 条通知标为已读" in page
    assert all(read for _, _, read in _rows(services, world.users["handler"]))
    assert _rows(services, world.users["leader"]) == leader_before
    assert (
        badge(browser("leader").get("/").get_data(as_text=True))
        == _unread(services, world.users["leader"])
        > 0
    )


def test_marking_read_without_a_csrf_token_changes_nothing(
    browser: Callable[[str | None], Browser], services: Services, world: World, clock: Clock
) -> None:
    _swept(services, world, clock)
    handler = browser("handler")
    [first, *_] = [n.id for n in services.notifications.list(world.users["handler"]).items]
    assert handler.post(f"/notifications/{first}/read", token=False).status_code == 400
    assert handler.post("/notifications/read-all", {"csrf_token": "forged"}).status_code == 400
    assert _unread(services, world.users["handler"]) == 3
