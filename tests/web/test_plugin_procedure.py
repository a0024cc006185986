"""A procedure package that exists only under tests/fixtures/plugins/ — its own YAML, a named check with a
parameter, a document composer and a supervision metric — works end to end with no file of flowengine
changed for it: validated by the CLI, started and completed through the web UI and the JSON API, its document
downloads, and its metric is a tab of the supervision page."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import docx
import pytest
from flask import Flask

from flowengine.config import Settings
from flowengine.service import Services, open_services
from flowengine.web import create_app
from tests.support import Clock, World, build_world
from tests.support.paths import FIXTURE_WORKFLOWS, ROOT
from tests.support.web import Browser

PLUGINS = ROOT / "tests" / "fixtures" / "plugins"
LOCAL = ROOT / "tests" / "fixtures" / "procedures"
REPORT = {
    "held_on": "2026-09-18",
    "theme": "学习贯彻党的二十届三中全会精神",
    "attended": "11",
    "members": "12",
}


@pytest.fixture
def plugin_services(database_url: str, tmp_path: Path, clock: Clock) -> Iterator[Services]:
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        workflows_dir=FIXTURE_WORKFLOWS,
        procedures_path=(LOCAL, PLUGINS),
    )
    services = open_services(settings, clock=clock, auto_upgrade=True)
    yield services
    services.close()


def test_the_cli_validates_the_package_s_own_yaml(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "FLOWENGINE_PROCEDURES_PATH": os.pathsep.join((str(LOCAL), str(PLUGINS))),
        "FLOWENGINE_WORKFLOWS_DIR": str(FIXTURE_WORKFLOWS),
        "FLOWENGINE_DATA_DIR": str(tmp_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "flowengine.cli", "workflows", "validate"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "party_day v1（主题党日活动报备）" in done.stdout and "leave_request v1" in done.stdout
    broken = tmp_path / "party_day.yaml"
    broken.write_text(
        (PLUGINS / "party_day" / "party_day.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "params: {attended: attended, members: members}",
            "params: {attended: attendees, members: members}",
        ),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "flowengine.cli", "workflows", "validate", str(broken)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    line = next(
        i for i, row in enumerate(broken.read_text(encoding="utf-8").splitlines(), 1) if "attendees" in row
    )
    assert (
        f"{broken}:{line} (actions[0].checks[1].params.attended): no field 'attendees' in this form"
        in done.stderr
    )


def test_started_and_completed_through_the_web_and_the_api(plugin_services: Services, clock: Clock) -> None:
    services = plugin_services
    world: World = build_world(services, clock())
    assert "party_day" in services.catalog.current
    app: Flask = create_app(services, config={"SECRET_KEY": "test-secret", "TESTING": True})

    def browser(username: str) -> Browser:
        b = Browser(app.test_client())
        assert b.login(username).status_code == 302
        return b

    # The web UI: the secretary starts, the package's check refuses too few participants, then it goes.
    sec = browser("sec1")
    assert "主题党日活动报备" in sec.get("/requests/new").get_data(as_text=True)
    sec.get("/requests/new/party_day")
    started = sec.post("/requests/new/party_day", {"org_id": str(world.orgs["b1"])})
    assert started.status_code == 302
    iid = int(started.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    sec.get(f"/requests/{iid}")
    refused = sec.post(
        f"/requests/{iid}/actions/report_activity", {**REPORT, "attended": "8", "version": "1"}
    )
    assert refused.status_code == 422
    assert "参加 8 人，不足正式党员 12 人的 80%" in refused.get_data(as_text=True)
    assert sec.post(f"/requests/{iid}/actions/report_activity", {**REPORT, "version": "1"}).status_code == 302

    handler = browser("handler")
    page = handler.get(f"/requests/{iid}").get_data(as_text=True)
    assert "关于开展主题党日活动情况的报告" in page
    [doc] = services.documents.list_for(iid, world.users["handler"])
    download = handler.get(f"/requests/{iid}/documents/{doc.id}")
    assert download.status_code == 200
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(download.get_data())).paragraphs)
    assert "以“学习贯彻党的二十届三中全会精神”为主题开展主题党日活动" in text and "参加 11 人" in text
    assert (
        handler.post(f"/requests/{iid}/actions/acknowledge", {"version": "2", "opinion": "已阅"}).status_code
        == 302
    )
    assert services.flow.get(iid, world.users["sec1"]).status == "completed"

    # The JSON API: the other branch's secretary starts and reports, the handler files it.
    def token(user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {services.tokens.create(world.users[user], '脚本').token}"}

    api = app.test_client()
    made = api.post(
        "/api/v1/instances", json={"workflow": "party_day", "org_id": world.orgs["b2"]}, headers=token("sec2")
    )
    assert made.status_code == 201, made.get_json()
    other = made.get_json()["id"]
    data = {**REPORT, "attended": 6, "members": 6}
    reported = api.post(
        f"/api/v1/instances/{other}/actions/report_activity",
        json={"version": 1, "data": data},
        headers=token("sec2"),
    )
    assert reported.status_code == 200, reported.get_json()
    handler_token = token("handler")
    [listed] = api.get(f"/api/v1/instances/{other}/documents", headers=handler_token).get_json()["items"]
    assert api.get(f"/api/v1/documents/{listed['id']}", headers=handler_token).status_code == 200
    filed = api.post(
        f"/api/v1/instances/{other}/actions/acknowledge", json={"version": 2}, headers=handler_token
    )
    assert filed.status_code == 200 and filed.get_json()["status"] == "completed"

    # The supervision page offers the package's metric as a tab, and the metric counts both branches.
    board = handler.get("/supervision/").get_data(as_text=True)
    assert 'href="/supervision/party_days"' in board and "主题党日" in board
    metric = handler.get("/supervision/party_days?from=2026-01-01&to=2026-12-31")
    html = metric.get_data(as_text=True)
    assert metric.status_code == 200
    table = html[html.index('data-testid="party_days-count"') :]
    assert "郑州市第二十四中学第一党支部" in table and "郑州市第二十四中学第二党支部" in table
    assert handler.get("/supervision/party_days.xlsx").status_code == 200


def test_unknown_procedure_packages_do_not_exist_without_the_path(services: Services) -> None:
    """Without the path setting naming the plug-ins' folder, nothing of the package is known."""
    assert "party_day" not in services.catalog.current
    assert services.catalog.registry.procedure("party_day") is None
