"""Fixtures: every persistence test runs on SQLite and, when FLOWENGINE_TEST_POSTGRES_URL is set, on
PostgreSQL too (each test in a schema of its own, dropped afterwards)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Before flowengine is imported (tests.support imports it too, so before that as well), and inherited by
# every server and CLI process the tests start: cheap password hashing, and the test procedure's package
# (found as a deployment's local procedures are).
os.environ["FLOWENGINE_TEST_FAST_PASSWORD_HASHING"] = "1"
os.environ["FLOWENGINE_PROCEDURES_PATH"] = str(Path(__file__).resolve().parent / "fixtures" / "procedures")

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from flowengine.config import Settings  # noqa: E402
from flowengine.service import Services, open_services  # noqa: E402
from tests.support import Clock, World, build_world  # noqa: E402
from tests.support.paths import FIXTURE_WORKFLOWS, PG_URL  # noqa: E402


def _pg_schema_url(base: str, schema: str) -> str:
    url = make_url(base)
    # synchronous_commit=off: a test does not need each commit flushed to disk before it goes on (the
    # server still never loses or reorders committed data short of a crash), and it saves minutes.
    options = f"-csearch_path={schema} -csynchronous_commit=off"
    return url.set(query={**url.query, "options": options}).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'flowengine.sqlite3'}"
        return
    if not PG_URL:
        pytest.skip("FLOWENGINE_TEST_POSTGRES_URL is not set")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _pg_schema_url(PG_URL, schema)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_services(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[Callable[..., Services]]:
    opened: list[Services] = []

    def make(workflows_dir: Path = FIXTURE_WORKFLOWS, **extra: Any) -> Services:
        settings = Settings(
            database_url=database_url, data_dir=tmp_path, workflows_dir=workflows_dir, **extra
        )
        services = open_services(settings, clock=clock, auto_upgrade=True)
        opened.append(services)
        return services

    yield make
    for s in opened:
        s.close()


@pytest.fixture
def services(make_services: Callable[..., Services]) -> Services:
    """Services over the fixture workflows (the engine's own test procedure)."""
    return make_services()


@pytest.fixture
def world(services: Services, clock: Clock) -> World:
    return build_world(services, clock())
