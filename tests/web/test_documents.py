"""The request page lists the documents as generated and stored (number, issuer, SHA-256) and serves each
.docx byte for byte; the trail's JSON download is the audit ledger's own export, which verifies offline."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from click.testing import CliRunner
from docx import Document as Docx

from flowengine.cli import main
from flowengine.service import Services
from flowengine.service.audit.ledger import read_export, verify_events
from flowengine.service.requests.documents import MIMETYPE
from tests.support import Clock, World
from tests.support.web import POSTPONEMENT, Browser, postponement_submitted, submitted

TITLE = "关于延期进行换届选举的请示"  # the issued title names what is asked for


def test_request_page_lists_stored_documents_and_serves_the_docx(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    iid = postponement_submitted(services, world)
    [doc] = services.documents.list_for(iid, world.users["sec1"])
    assert doc.number == POSTPONEMENT["document_number"]
    for user in ("sec1", "handler", "auditor"):
        b = browser(user)
        html = b.get(f"/requests/{iid}").get_data(as_text=True)
        assert html.count('data-testid="document"') == 1, user
        assert TITLE in html and "二十四中一支〔2026〕7号" in html and doc.sha256[:16] in html
        assert f'href="/requests/{iid}/documents/{doc.id}"' in html
        # The timeline names the document as issued, not as the definition declares it in general.
        assert "产生文书：关于延期进行换届选举的请示（二十四中一支〔2026〕7号）" in html
        assert "关于延期（提前）进行换届选举的请示" not in html

        response = b.get(f"/requests/{iid}/documents/{doc.id}")
        assert response.status_code == 200, user
        assert response.mimetype == MIMETYPE
        disposition = response.headers["Content-Disposition"]
        assert disposition.startswith("attachment;")
        assert f"filename*=UTF-8''{quote(doc.filename)}" in disposition  # RFC 5987: the Chinese name survives
        body = response.get_data()
        assert hashlib.sha256(body).hexdigest() == doc.sha256
    [event] = [e for e in services.flow.trail(iid, world.users["auditor"]) if e.kind == "document"]
    assert event.data is not None and event.data["sha256"] == doc.sha256
    text = "\n".join(p.text for p in Docx(io.BytesIO(body)).paragraphs)
    assert TITLE in text and "二十四中一支〔2026〕7号" in text and "中共郑州市委教育工作委员会" in text


def test_a_document_is_only_served_under_its_own_request(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    iid = postponement_submitted(services, world)
    other = submitted(services, world)
    [doc] = services.documents.list_for(iid, world.users["sec1"])
    b = browser("sec1")
    assert b.get(f"/requests/{other}/documents/{doc.id}").status_code == 404
    assert b.get(f"/requests/{iid}/documents/{doc.id + 1000}").status_code == 404
    assert browser("sec2").get(f"/requests/{iid}/documents/{doc.id}").status_code == 404


def test_a_procedure_without_documents_says_so(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    iid = submitted(services, world)  # the test procedure declares a 批复 but nobody composes its text
    services.flow.act(iid, "approve", world.users["handler"], comment="同意", expected_version=2)
    html = browser("sec1").get(f"/requests/{iid}").get_data(as_text=True)
    assert "尚未产生文书。" in html and 'data-testid="document"' not in html


def test_trail_json_is_the_ledger_export_and_verifies_offline(
    browser: Callable[[str | None], Browser], services: Services, world: World, tmp_path: Path
) -> None:
    iid = postponement_submitted(services, world)
    submitted(services, world)  # another request: its events are not in this one's export
    response = browser("auditor").get(f"/requests/{iid}/trail.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    path = tmp_path / "trail.json"
    path.write_bytes(raw)
    events = read_export(path)
    assert [e["kind"] for e in events] == ["start", "action", "document"]
    assert {e["chain"] for e in events} == {f"instance:{iid}"}
    assert "生成《关于延期进行换届选举的请示》（二十四中一支〔2026〕7号）" in raw.decode("utf-8")
    assert verify_events(events).ok

    # The same events `flowengine audit export` writes, and `flowengine audit verify --export` accepts them.
    cli_out = tmp_path / "cli.json"
    env = {
        "FLOWENGINE_DATABASE_URL": services.settings.database_url,
        "FLOWENGINE_DATA_DIR": str(tmp_path),
        "FLOWENGINE_WORKFLOWS_DIR": str(services.settings.workflows_dir),
        "FLOWENGINE_RULE_MODULES": "",
    }
    runner = CliRunner()
    exported = runner.invoke(
        main,
        ["audit", "export", "--instance", str(iid), "--format", "json", "--out", str(cli_out)],
        env=env,
        catch_exceptions=False,
    )
    assert exported.exit_code == 0, exported.output
    from_cli, from_web = json.loads(cli_out.read_bytes()), json.loads(raw)
    assert from_cli["events"] == from_web["events"] and from_cli["seal_heads"] == from_web["seal_heads"]
    verified = runner.invoke(
        main, ["audit", "verify", "--export", str(path)], env=env, catch_exceptions=False
    )
    assert verified.exit_code == 0 and "全部完好" in verified.output

    # An edited cell is caught by the same check.
    path.write_bytes(raw.replace("二十四中一支〔2026〕7号".encode(), "二十四中一支〔2026〕8号".encode()))
    tampered = runner.invoke(
        main, ["audit", "verify", "--export", str(path)], env=env, catch_exceptions=False
    )
    assert tampered.exit_code == 1


def test_timeline_shows_chinese_kinds_never_raw_ones(
    browser: Callable[[str | None], Browser], services: Services, world: World, clock: Clock
) -> None:
    iid = submitted(services, world)
    clock.advance(days=2, hours=12)
    assert services.escalator.sweep().reminders == 1  # a reminder on the request's chain
    clock.advance(days=6)
    assert services.escalator.sweep().escalations == 1  # and an escalation
    html = browser("auditor").get(f"/requests/{iid}").get_data(as_text=True)
    assert "催办提醒" in html and "超期督办" in html
    kinds = [k for k in html.split('data-testid="timeline-kind">')[1:]]
    shown = [k.split("<", 1)[0] for k in kinds]
    assert shown and all(k and not k.isascii() for k in shown), shown
    for raw in ("reminder", "escalation", "action"):
        assert f">{raw}<" not in html
