"""In a real browser: the administrator sets an organization's 发文代字, next serial and contact; the next
document carries them; anyone, without signing in, checks that document on the verification page by its
code and by uploading it, and a changed copy is refused. Screenshots at 1366 and 390 px."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page

from flowengine.service import Services
from tests.support import PASSWORD, World
from tests.support.e2e import ARTIFACTS, LiveServer, login, screenshot
from tests.support.election import build_election_world
from tests.support.paths import SHIPPED_WORKFLOWS


def _world(services: Services) -> World:
    world = build_election_world(services)
    world.users["admin"] = services.directory.add_user("admin", "周敏", PASSWORD, [("admin", "gw")])
    return world


def _both_widths(page: Page, name: str) -> None:
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1366, "height": 900})


def test_numbering_set_by_the_administrator_and_the_public_verification_page(
    start_server: Callable[[Path, Callable[[Services], World]], LiveServer], new_page: Callable[[], Page]
) -> None:
    server = start_server(SHIPPED_WORKFLOWS, _world)
    services, world = server.services, server.world
    admin = new_page()
    login(admin, server, "admin")
    admin.goto(f"{server.url}/admin/orgs/{world.orgs['b1']}")
    numbering = admin.get_by_test_id("numbering")
    assert "二十四中一支" in numbering.inner_text()  # the abbreviation in force while none is set
    admin.get_by_label("发文代字").fill("二十四中一支部")
    year = dt.date.today().year
    admin.get_by_label(f"{year}年下一发文序号").fill("0")
    admin.get_by_label("联系电话").fill("0371-6")
    admin.get_by_test_id("save-org").click()
    assert admin.get_by_test_id("form-errors").is_visible()
    _both_widths(admin, "admin-org-numbering-errors")
    admin.get_by_label(f"{year}年下一发文序号").fill("12")
    admin.get_by_label("联系人").fill("张明")
    admin.get_by_label("联系电话").fill("0371-66112233")
    admin.get_by_test_id("save-org").click()
    admin.wait_for_url(f"{server.url}/admin/orgs#org-{world.orgs['b1']}")
    admin.goto(f"{server.url}/admin/orgs/{world.orgs['b1']}")
    assert f"二十四中一支部〔{year}〕12号" in admin.get_by_test_id("number-example").inner_text()
    _both_widths(admin, "admin-org-numbering")

    # The branch asks to postpone its re-election: the 请示 carries the number and the contact.
    term_end = dt.date.today() + dt.timedelta(days=60)
    iid = services.flow.start("election_postponement", world.orgs["b1"], world.users["sec1"]).id
    services.flow.act(
        iid,
        "submit_request",
        world.users["sec1"],
        {
            "kind": "postpone",
            "current_term_end": term_end.isoformat(),
            "new_term_end": (term_end + dt.timedelta(days=90)).isoformat(),
            "reasons": "学校整体搬迁至新校区，党员分散在两个校区，难以按期召开党员大会。",
        },
        expected_version=1,
    )
    [doc] = services.documents.list_for(iid, world.users["sec1"])
    assert doc.number == f"二十四中一支部〔{year}〕12号" and doc.verify_code
    content = services.documents.get(doc.id, world.users["sec1"]).content

    # Anyone: by the code (as the QR code opens it), then by uploading the file and a changed copy.
    public = new_page()
    public.goto(f"{server.url}/verify/{doc.verify_code}")
    result = public.get_by_test_id("verify-result")
    assert result.get_attribute("data-verdict") == "match"
    assert public.get_by_test_id("verify-number").inner_text() == doc.number
    assert "张明" not in public.content()
    _both_widths(public, "verify-by-code")

    original = ARTIFACTS / "verify-original.docx"
    original.write_bytes(content)
    public.goto(f"{server.url}/verify")
    public.get_by_label(".docx 文件").set_input_files(str(original))
    public.get_by_test_id("verify-file-submit").click()
    assert public.get_by_test_id("verify-result").get_attribute("data-verdict") == "match"
    assert "完全一致" in public.get_by_test_id("verify-outcome").inner_text()

    changed = ARTIFACTS / "verify-changed.docx"
    changed.write_bytes(_changed(content))
    public.get_by_label(".docx 文件").set_input_files(str(changed))
    public.get_by_test_id("verify-file-submit").click()
    assert public.get_by_test_id("verify-result").get_attribute("data-verdict") == "mismatch"
    assert "不一致" in public.get_by_test_id("verify-outcome").inner_text()
    _both_widths(public, "verify-upload-changed")
    assert admin.js_errors == [] and public.js_errors == []  # type: ignore[attr-defined]


def _changed(content: bytes) -> bytes:
    """The file with one character added to its text, as an edit in Word would."""
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace("印发".encode(), "印发 ".encode(), 1)
            dst.writestr(info, data)
    return out.getvalue()
