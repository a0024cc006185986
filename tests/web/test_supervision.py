"""The supervision page over the demo data: counts and names, scope, refusals, exports and the bulletin."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable

import docx
import openpyxl
import pytest
from flask import Flask
from sqlalchemy import text

from flowengine.demo import DEMO_PASSWORD, load_demo
from flowengine.service import Services
from flowengine.web import create_app
from tests.support import Clock
from tests.support.paths import SHIPPED_WORKFLOWS
from tests.support.supervision import NOW, expected_states
from tests.support.web import Browser

ISO_DATE = re.compile(r"\d{4}-\d{1,2}-\d{1,2}")
ROW = re.compile(r'<tr data-org="([^"]+)" data-status="([^"]+)"( class="overdue-row")?')
COUNT = re.compile(r'data-count="([a-z_]+)">(\d+)<')


@pytest.fixture
def demo_app(make_services: Callable[..., Services], clock: Clock) -> tuple[Flask, Services]:
    clock.now = NOW
    services = make_services(SHIPPED_WORKFLOWS)
    load_demo(services, clock())
    return create_app(services, config={"SECRET_KEY": "test-secret", "TESTING": True}), services


def signed_in(app: Flask, username: str) -> Browser:
    b = Browser(app.test_client())
    assert b.login(username, DEMO_PASSWORD).status_code == 302
    return b


def _codes(services: Services, names: set[str]) -> set[str]:
    with services.db.read() as s:
        return {c for c, n in s.execute(text("SELECT code, name FROM organizations")) if n in names}


def test_page_shows_the_counts_and_names_of_the_tables(demo_app: tuple[Flask, Services]) -> None:
    app, services = demo_app
    expected = expected_states(services, "zzjgw")
    page = signed_in(app, "wangjianguo").get("/supervision/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    counts = {k: int(v) for k, v in COUNT.findall(html)}
    for status in ("in_progress", "completed", "postponed", "not_started"):
        assert counts[status] == len(expected[status]), status
    late = expected["term_expired"] | expected["step_overdue"]
    assert counts["late"] == len(late)
    rows = ROW.findall(html)
    assert {code for code, _, _ in rows} == _codes(
        services,
        set().union(*(expected[k] for k in ("in_progress", "completed", "postponed", "not_started"))),
    )
    assert {code for code, _, red in rows if red} == _codes(services, late)
    for name in late:
        assert name in html
    assert "郑州市第三十一中学高中部党总支承办人（未配备人员）" in html
    # Charts carry their data for the shipped Chart.js; no inline script is needed.
    assert html.count("data-chart=") == 3 and "vendor/chartjs/chart.umd.min.js" in html
    assert 'href="/supervision/"' in html  # the navigation offers the page to a supervisor

    filtered = signed_in(app, "wangjianguo").get("/supervision/?status=late").get_data(as_text=True)
    assert {code for code, _, _ in ROW.findall(filtered)} == _codes(services, late)


def test_pages_show_dates_the_chinese_way(demo_app: tuple[Flask, Services]) -> None:
    app, services = demo_app
    b = signed_in(app, "wangjianguo")
    html = b.get("/supervision/").get_data(as_text=True)
    table = html[html.index('data-testid="supervision-table"') : html.index('data-testid="bulletin-form"')]
    assert ISO_DATE.findall(table) == []
    with services.db.read() as s:
        term_end = s.execute(text("SELECT term_end FROM organizations WHERE code = 'zz24'")).scalar_one()
    day = dt.date.fromisoformat(str(term_end))
    row = table[table.index('data-org="zz24"') :]
    assert f'<td class="text-nowrap">{day.year}年{day.month}月{day.day}日</td>' in row[: row.index("</tr>")]
    assert "已完成（批复③ 2026年9月4日）" in table and "已批准延期至2026年12月31日" in table
    assert re.search(r"，时限 \d{4}年\d{1,2}月\d{1,2}日", table)  # a running step's due day
    assert "（截至2026年11月23日）" in html
    decisions = b.get("/supervision/decisions?from=2026-01-01&to=2026-12-31").get_data(as_text=True)
    unfiled = decisions[decisions.index('data-testid="decisions-unfiled"') :]
    assert ISO_DATE.findall(unfiled) == [] and re.search(r"<td>2026年\d{1,2}月\d{1,2}日</td>", unfiled)


def test_a_handler_sees_only_their_subtree_and_a_secretary_is_refused(
    demo_app: tuple[Flask, Services],
) -> None:
    app, services = demo_app
    html = signed_in(app, "chenjing").get("/supervision/").get_data(as_text=True)
    assert {code for code, _, _ in ROW.findall(html)} == {"zz24-b1", "zz24-b2", "zz24-retired"}
    other = services.directory.org_id("zz31")
    assert signed_in(app, "chenjing").get(f"/supervision/?org={other}").status_code == 404
    secretary = signed_in(app, "zhangming")
    for url in (
        "/supervision/",
        "/supervision/export.csv",
        "/supervision/export.xlsx",
        "/supervision/decisions",
        "/supervision/bulletin.docx?number=x",
    ):
        assert secretary.get(url).status_code == 403, url
    assert "/supervision/" not in secretary.get("/").get_data(as_text=True)  # no link for who may not open it


def test_exports_hold_the_filtered_rows(demo_app: tuple[Flask, Services]) -> None:
    app, services = demo_app
    b = signed_in(app, "sunli")
    html = b.get("/supervision/?status=in_progress&sort=overdue&dir=desc").get_data(as_text=True)
    shown = [code for code, _, _ in ROW.findall(html)]
    names = {c: n for c, n in zip(*_names(services), strict=True)}
    response = b.get("/supervision/export.csv?status=in_progress&sort=overdue&dir=desc")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0][0] == "组织" and [r[0] for r in table[1:]] == [names[c] for c in shown]
    assert all(r[4] == "换届中" for r in table[1:])
    # Exports are for spreadsheets and scripts: date columns stay ISO (CSV) or real dates (.xlsx).
    assert table[0][3] == "任期届满" and all(
        re.fullmatch(r"\d{4}-\d{2}-\d{2}", r[3]) for r in table[1:] if r[3]
    )
    xlsx = b.get("/supervision/export.xlsx?status=in_progress&sort=overdue&dir=desc")
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.get_data())).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert [r[0] for r in values[1:]] == [names[c] for c in shown]
    assert all(isinstance(r[3], dt.datetime) for r in values[1:] if r[3] is not None)
    assert [r[8] or 0 for r in values[1:]] == sorted((r[8] or 0 for r in values[1:]), reverse=True)


def _names(services: Services) -> tuple[list[str], list[str]]:
    with services.db.read() as s:
        rows = s.execute(text("SELECT code, name FROM organizations ORDER BY code")).all()
    return [r[0] for r in rows], [r[1] for r in rows]


def test_bad_parameters_are_named_and_produce_nothing(demo_app: tuple[Flask, Services]) -> None:
    app, _ = demo_app
    b = signed_in(app, "wangjianguo")
    page = b.get("/supervision/?sort=password&status=bogus")
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "排序方式“password”无效" in html and "状态筛选“bogus”无效" in html
    assert b.get("/supervision/export.csv?status=bogus").status_code == 422
    empty = b.get("/supervision/bulletin.docx?from=2026-01-01&to=2026-12-31&number=")
    assert empty.status_code == 422 and "发文字号" in empty.get_data(as_text=True)
    wrong = b.get("/supervision/bulletin.docx?from=2026-13-01&number=x")
    assert wrong.status_code == 422 and "2026-13-01" in wrong.get_data(as_text=True)


def test_bulletin_download_names_the_late_units(demo_app: tuple[Flask, Services]) -> None:
    app, services = demo_app
    expected = expected_states(services, "zzjgw")
    response = signed_in(app, "zhaozhigang").get(
        "/supervision/bulletin.docx?from=2026-01-01&to=2026-12-31&number=郑教工委〔2026〕3号"
    )
    assert response.status_code == 200
    assert response.mimetype.endswith("wordprocessingml.document")
    body = "\n".join(p.text for p in docx.Document(io.BytesIO(response.get_data())).paragraphs)
    named = {n for n in _names(services)[1] if f"{n}：" in body}
    assert named == expected["term_expired"] | expected["step_overdue"]
    assert "郑教工委〔2026〕3号" in body and "督导情况的通报" in body
    assert dt.date(2026, 11, 23).isoformat() not in body  # dates are written the Chinese way
    assert "2026年11月23日" in body


def test_decisions_page(demo_app: tuple[Flask, Services]) -> None:
    app, _ = demo_app
    b = signed_in(app, "sunli")
    page = b.get("/supervision/decisions?from=2026-01-01&to=2026-12-31")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "应备案未备案（1）" in html
    unfiled = html[html.index('data-testid="decisions-unfiled"') :]
    assert "关于教务处中层干部任免的议题" in unfiled and "关于采购高二物理实验室设备的议题" not in unfiled
    backwards = b.get("/supervision/decisions?from=2026-12-31&to=2026-01-01")
    assert backwards.status_code == 422 and "结束日期不能早于开始日期" in backwards.get_data(as_text=True)
    xlsx = b.get("/supervision/decisions.xlsx?from=2026-01-01&to=2026-12-31")
    assert xlsx.status_code == 200
