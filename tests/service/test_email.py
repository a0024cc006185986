"""Notifications go out by e-mail through SMTP when configured (here: a local aiosmtpd sink)."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from flowengine.persistence.models import Notification, User
from flowengine.service import Services
from flowengine.service.notify.notifications import Mailer, SmtpConfig
from tests.support import Clock, World
from tests.support.service import china, submitted


class Sink:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content, policy=default))  # type: ignore[attr-defined]
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def sink() -> Iterator[tuple[Sink, int]]:
    handler, port = Sink(), free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def test_notifications_are_mailed_once(
    services: Services, world: World, clock: Clock, sink: tuple[Sink, int]
) -> None:
    handler, port = sink
    with services.db.write() as s:
        s.get(User, world.users["leader"]).email = "zhaozhigang@jyj.zhengzhou.example"
    services.escalator.mailer = Mailer(
        services.db, SmtpConfig(host="127.0.0.1", port=port, sender="flowengine@jyj.zhengzhou.example")
    )
    submitted(services, world, clock, china(2026, 9, 30, 10, 0))
    counts = services.escalator.sweep(china(2026, 10, 12, 9, 0))
    assert counts.emails >= 1 and len(handler.messages) == counts.emails
    subjects = [str(m["Subject"]) for m in handler.messages]
    assert any("【超期】" in s and "已于2026年10月10日到期" in s for s in subjects)
    assert {str(m["To"]) for m in handler.messages} == {"zhaozhigang@jyj.zhengzhou.example"}
    assert "赵志刚" in handler.messages[0].get_content()
    assert services.escalator.sweep(china(2026, 10, 13, 9, 0)).emails == 0  # nothing is sent twice
    assert len(handler.messages) == counts.emails


def test_failed_delivery_is_retried(services: Services, world: World, clock: Clock) -> None:
    with services.db.write() as s:
        s.get(User, world.users["leader"]).email = "leader@example.invalid"
    services.escalator.mailer = Mailer(
        services.db, SmtpConfig(host="127.0.0.1", port=free_port())
    )  # no server
    submitted(services, world, clock, china(2026, 9, 30, 10, 0))
    assert services.escalator.sweep(china(2026, 10, 12, 9, 0)).emails == 0
    with services.db.read() as s:
        pending = s.scalars(
            select(Notification.emailed_at).where(Notification.user_id == world.users["leader"])
        )
        assert all(v is None for v in pending)  # left for the next sweep
