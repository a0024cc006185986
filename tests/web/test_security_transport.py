"""Issue 16, around the application: the client's address through the configured proxy, Secure cookies and
HSTS in production, owner-only files, and reviewers' addresses shown to auditors only."""

from __future__ import annotations

import dataclasses
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from flowengine.cli import main
from flowengine.config import SecuritySettings
from flowengine.persistence.models import AuditEvent
from flowengine.service import Actor, Services
from flowengine.web import HSTS, create_app
from tests.support import PASSWORD, World
from tests.support.web import GOOD_DATA, Browser

PROXY = {"REMOTE_ADDR": "127.0.0.1"}


def _app(services: Services, *, production: bool = False, **security: int) -> Flask:
    services.settings = dataclasses.replace(
        services.settings, security=dataclasses.replace(SecuritySettings(), **security)
    )
    return create_app(services, config={"SECRET_KEY": "test-secret"}, production=production)


def _failure_addresses(services: Services) -> list[str | None]:
    with services.db.read() as s:
        return list(
            s.scalars(
                select(AuditEvent.client_addr)
                .where(AuditEvent.kind == "login_failure")
                .order_by(AuditEvent.id)
            )
        )


@pytest.mark.parametrize("hops", [0, 1])
def test_proxy_hops_give_the_clients_address(services: Services, world: World, hops: int) -> None:
    b = Browser(_app(services, proxy_hops=hops).test_client())
    b.get("/login")
    forwarded = {"X-Forwarded-For": "203.0.113.7"}
    b.post("/login", {"username": "sec1", "password": "guess"}, environ_base=PROXY, headers=forwarded)
    # One hop configured: the proxy's X-Forwarded-For is the client; none: nobody's header is believed.
    assert _failure_addresses(services) == (["203.0.113.7"] if hops else ["127.0.0.1"])
    two = {"X-Forwarded-For": "6.6.6.6, 203.0.113.8"}  # a client's own header, then the proxy's addition
    b.post("/login", {"username": "sec1", "password": "guess"}, environ_base=PROXY, headers=two)
    assert _failure_addresses(services)[-1] == ("203.0.113.8" if hops else "127.0.0.1")


@pytest.mark.parametrize("production", [False, True])
def test_production_mode_sets_secure_cookies_and_hsts(
    services: Services, world: World, production: bool
) -> None:
    b = Browser(_app(services, production=production).test_client())
    page = b.get("/login", base_url="https://flowengine.example")
    assert ("Strict-Transport-Security" in page.headers) is production
    if production:
        assert page.headers["Strict-Transport-Security"] == HSTS
    signed_in = b.post(
        "/login", {"username": "sec1", "password": PASSWORD}, base_url="https://flowengine.example"
    )
    cookie = next(h for h in signed_in.headers.getlist("Set-Cookie") if h.startswith("flowengine_session="))
    assert ("; Secure" in cookie) is production


def test_plain_http_can_be_chosen_in_production(services: Services, world: World) -> None:
    services.settings = dataclasses.replace(services.settings, secure_cookies=False)
    app = create_app(services, config={"SECRET_KEY": "t"}, production=True)
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers


@pytest.fixture
def umask() -> Iterator[None]:
    old = os.umask(0o022)  # what most hosts have: new files readable by everyone
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_database_and_exports_are_owner_only(tmp_path: Path, umask: None) -> None:
    data = tmp_path / "var"
    env = {
        "FLOWENGINE_DATA_DIR": str(data),
        "FLOWENGINE_DATABASE_URL": f"sqlite:///{data / 'flowengine.sqlite3'}",
    }
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"], env=env, catch_exceptions=False).exit_code == 0
    assert _mode(data) == 0o700
    assert _mode(data / "flowengine.sqlite3") == 0o600
    for extra in ("-wal", "-shm"):
        side = data / f"flowengine.sqlite3{extra}"
        if side.exists():
            assert _mode(side) == 0o600, extra
    out = tmp_path / "trail.csv"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o644)
    exported = runner.invoke(main, ["audit", "export", "--out", str(out)], env=env, catch_exceptions=False)
    assert exported.exit_code == 0, exported.output
    assert _mode(out) == 0o600


def test_the_generated_session_key_is_owner_only(services: Services, tmp_path: Path, umask: None) -> None:
    create_app(services)  # no SECRET_KEY given: one is generated into the data folder
    assert _mode(tmp_path / "secret_key") == 0o600


def test_client_addresses_only_for_auditors(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    iid = services.flow.start("leave_request", world.orgs["b1"], Actor(world.users["sec1"], "10.0.0.1")).id
    services.flow.act(iid, "submit", Actor(world.users["sec1"], "10.0.0.1"), GOOD_DATA, expected_version=1)
    services.flow.act(
        iid, "approve", Actor(world.users["handler"], "172.16.5.5"), comment="同意", expected_version=2
    )
    secretary = [e.client_addr for e in services.flow.trail(iid, world.users["sec1"])]
    auditor = [e.client_addr for e in services.flow.trail(iid, world.users["auditor"])]
    assert set(secretary) == {None}
    assert "172.16.5.5" in auditor and "10.0.0.1" in auditor
    sec = browser("sec1")
    page = sec.get(f"/requests/{iid}").get_data(as_text=True)
    assert "172.16.5.5" not in page and 'data-testid="trail-csv"' not in page
    assert sec.get(f"/requests/{iid}/trail.csv").status_code == 403
    aud = browser("auditor")
    assert 'data-testid="trail-csv"' in aud.get(f"/requests/{iid}").get_data(as_text=True)
    csv = aud.get(f"/requests/{iid}/trail.csv")
    assert csv.status_code == 200 and "172.16.5.5" in csv.get_data(as_text=True)
