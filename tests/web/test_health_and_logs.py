"""/healthz (no login, no secrets, 200/503 by part) and one structured log line per request."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable, Iterator

import pytest
from flask import Flask

from flowengine.logs import JsonFormatter, TextFormatter, configure_logging, gunicorn_logconfig
from flowengine.scheduler import heartbeat_age, sweep_once
from flowengine.service import Services
from tests.support import World
from tests.support.web import GOOD_DATA, Browser, submitted


def test_healthz_without_scheduler_is_503_naming_it(app: Flask) -> None:
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "fail"
    assert (
        body["database"]["ok"] is True and body["database"]["schema"] == body["database"]["expected_schema"]
    )
    assert {d["name"] for d in body["definitions"]["loaded"]} == {
        "leave_request",
        "election_postponement",
    }  # the web tests load both
    assert {d["name"]: d["version"] for d in body["definitions"]["loaded"]} == {
        "leave_request": 1,
        "election_postponement": 2,
    }
    assert body["scheduler"] == {
        "ok": False,
        "checked": True,
        "max_age_seconds": 300,
        "heartbeat_age_seconds": None,
        "error": "no scheduler has ever completed a sweep",
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_after_a_sweep_is_200_and_reveals_no_secret(app: Flask, services: Services) -> None:
    sweep_once(services, "test-scheduler")
    age = heartbeat_age(services)
    assert age is not None
    response = app.test_client().get("/healthz")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_data(as_text=True)
    assert json.loads(body)["status"] == "ok"
    url = services.settings.database_url
    for secret in (url, "postgres@", "sqlite:///", str(services.settings.data_dir), "test-secret"):
        assert secret not in body


def test_healthz_scope_web_leaves_the_scheduler_out_of_the_status(app: Flask) -> None:
    response = app.test_client().get("/healthz?scope=web")
    assert response.status_code == 200
    assert response.get_json()["scheduler"]["checked"] is False


def test_healthz_reports_an_unreachable_database_as_503(
    app: Flask, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse() -> None:
        raise ConnectionRefusedError("secret-host:5432 refused")

    monkeypatch.setattr(services.db.engine, "connect", refuse)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"] == {
        "ok": False,
        "dialect": services.db.dialect,
        "error": "database unreachable (ConnectionRefusedError)",
    }
    assert "secret-host" not in response.get_data(as_text=True)


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """Capture the root logger's output as JSON lines, restoring the handlers afterwards."""
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging({"FLOWENGINE_LOG_FORMAT": "json", "FLOWENGINE_LOG_LEVEL": "INFO"}, stream=stream)
    try:
        yield stream
    finally:
        for h in list(root.handlers):
            root.removeHandler(h)
        for h in saved:
            root.addHandler(h)
        root.setLevel(level)


def request_lines(stream: io.StringIO) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    return [line for line in lines if line["logger"] == "flowengine.web.request"]


def test_each_request_is_one_json_line_with_user_and_duration(
    json_log: io.StringIO, browser: Callable[[str | None], Browser]
) -> None:
    b = browser("sec1")
    json_log.truncate(0)
    json_log.seek(0)
    response = b.get("/", headers={"X-Request-ID": "req-from-proxy-0001"})
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "req-from-proxy-0001"
    (line,) = request_lines(json_log)
    assert line["request_id"] == "req-from-proxy-0001"
    assert isinstance(line["user_id"], int)
    assert (line["method"], line["path"], line["status"]) == ("GET", "/", 200)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["level"] == "INFO" and "time" in line and "pid" in line


def test_a_refused_request_is_logged_too_and_bad_ids_are_replaced(
    json_log: io.StringIO, browser: Callable[[str | None], Browser]
) -> None:
    b = browser(None)
    response = b.post("/logout", token=False, headers={"X-Request-ID": "<script>bad id</script>"})
    assert response.status_code == 400  # no CSRF token
    (line,) = request_lines(json_log)
    assert line["status"] == 400 and "user_id" not in line  # nobody signed in
    assert line["request_id"] == response.headers["X-Request-ID"] != "<script>bad id</script>"
    assert len(str(line["request_id"])) == 32


def test_records_logged_during_a_request_carry_its_id(json_log: io.StringIO, app: Flask) -> None:
    @app.route("/_log_probe")
    def probe() -> str:
        logging.getLogger("flowengine.probe").warning("inside %s", "the request")
        return "ok"

    response = app.test_client().get("/_log_probe")
    lines = [json.loads(x) for x in json_log.getvalue().splitlines()]
    probe_line = next(x for x in lines if x["logger"] == "flowengine.probe")
    assert probe_line["message"] == "inside the request"
    assert probe_line["request_id"] == response.headers["X-Request-ID"]


def test_formatters_and_settings() -> None:
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "失败 %s", ("一次",), None)
    record.status = 500
    out = json.loads(JsonFormatter().format(record))
    assert out["message"] == "失败 一次" and out["status"] == 500 and out["level"] == "ERROR"
    assert TextFormatter().format(record).endswith("x: 失败 一次 [status=500]")
    config = gunicorn_logconfig({"FLOWENGINE_LOG_FORMAT": "json", "FLOWENGINE_LOG_LEVEL": "warning"})
    assert config["formatters"]["flowengine"]["()"] is JsonFormatter and config["root"]["level"] == "WARNING"


def test_bad_log_settings_fall_back_with_a_warning() -> None:
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    stream = io.StringIO()
    try:
        configure_logging({"FLOWENGINE_LOG_FORMAT": "xml", "FLOWENGINE_LOG_LEVEL": "LOUD"}, stream=stream)
        assert root.level == logging.INFO
        text = stream.getvalue()
        assert "FLOWENGINE_LOG_FORMAT='xml'" in text and "FLOWENGINE_LOG_LEVEL='LOUD'" in text
    finally:
        for h in list(root.handlers):
            root.removeHandler(h)
        for h in saved:
            root.addHandler(h)
        root.setLevel(level)


def test_library_chatter_stays_out_of_the_log_unless_debugging(
    json_log: io.StringIO, services: Services, world: World
) -> None:
    submitted(services, world)  # an action fires a dozen transitions callbacks, each logged at INFO
    assert not [line for line in json_log.getvalue().splitlines() if '"logger": "transitions' in line]
    config = gunicorn_logconfig({"FLOWENGINE_LOG_LEVEL": "info"})
    assert config["loggers"]["transitions"]["level"] == "WARNING"
    assert gunicorn_logconfig({"FLOWENGINE_LOG_LEVEL": "debug"})["loggers"]["transitions"]["level"] == "DEBUG"
    try:
        configure_logging({"FLOWENGINE_LOG_FORMAT": "json", "FLOWENGINE_LOG_LEVEL": "DEBUG"}, stream=json_log)
        other = services.flow.start("leave_request", world.orgs["b2"], world.users["sec2"]).id
        services.flow.act(other, "submit", world.users["sec2"], GOOD_DATA, expected_version=1)
        assert [line for line in json_log.getvalue().splitlines() if '"logger": "transitions' in line]
    finally:
        configure_logging({"FLOWENGINE_LOG_FORMAT": "json", "FLOWENGINE_LOG_LEVEL": "INFO"}, stream=json_log)
