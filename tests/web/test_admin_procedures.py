"""Administration of procedures in the browser (issue 15.9): each organization's settings of a procedure
(validated against the definition's settings, audited, used by the organization's next request), a new
version of a definition uploaded (refused with file:line when broken; shown with its diagram and a diff,
then activated, while running requests keep their version), and the definitions page in words."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from lxml import html as lxml_html
from sqlalchemy import select

from flowengine.persistence.models import AuditEvent, Organization
from flowengine.service import Services, open_services
from flowengine.service.requests.flow import effective_settings
from tests.support import World
from tests.support.paths import FIXTURE_WORKFLOWS
from tests.support.web import GOOD_DATA, Browser, snapshot

LEAVE = (FIXTURE_WORKFLOWS / "leave_request.yaml").read_text(encoding="utf-8")


def _events(services: Services, kind: str) -> list[AuditEvent]:
    with services.db.read() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.id)))


def _org_settings(services: Services, org_id: int) -> dict[str, object]:
    with services.db.read() as s:
        org = s.get(Organization, org_id)
        assert org is not None
        return dict(org.settings or {})


def test_an_org_setting_is_validated_audited_and_used_by_the_next_request(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    admin = browser("admin")
    url = f"/admin/orgs/{world.orgs['b1']}/settings"
    page = admin.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-testid="settings-leave_request"' in html and "审核时限" in html and "默认值：3" in html
    assert "review_days" not in lxml_html.fromstring(html).text_content()  # titles, not raw names

    # Refused: a word where a number of days belongs, and zero days; nothing changes.
    before = snapshot(services)
    for wrong in ("七", "0"):
        refused = admin.post(url, {"workflow": "leave_request", "s-review_days": wrong})
        assert refused.status_code == 422
        text = refused.get_data(as_text=True)
        assert 'data-testid="form-errors"' in text and "审核时限" in text
        assert f'value="{wrong}"' in text  # what was typed is kept
    assert snapshot(services) == before and _events(services, "org_settings") == []

    saved = admin.post(url, {"workflow": "leave_request", "s-review_days": "7"})
    assert saved.status_code == 302
    assert _org_settings(services, world.orgs["b1"]) == {"leave_request": {"review_days": 7}}
    [event] = _events(services, "org_settings")
    assert event.chain == "admin" and event.org_id == world.orgs["b1"]
    assert event.data == {
        "workflow": "leave_request",
        "version": 1,
        "changes": {"review_days": {"from": None, "to": 7}},
    }
    assert "审核时限：沿用 → 7" in (event.comment or "")
    assert "本组织设为：7" in admin.get(url).get_data(as_text=True)

    # The next request of b1 is given 7 working days to review; b2's keeps the default 3.
    t0 = services.flow.clock()
    b1 = services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"]).id
    services.flow.act(b1, "submit", world.users["sec1"], GOOD_DATA, expected_version=1)
    b2 = services.flow.start("leave_request", world.orgs["b2"], world.users["sec2"]).id
    services.flow.act(b2, "submit", world.users["sec2"], GOOD_DATA, expected_version=1)
    [t1] = services.flow.get(b1, world.users["sec1"]).open_tasks
    [t2] = services.flow.get(b2, world.users["sec2"]).open_tasks
    assert t1.due_at and t2.due_at and t1.due_at > t2.due_at
    assert (t1.due_at - t0).days >= 7 > (t2.due_at - t0).days

    # Empty inherits again (an audited change too); a superior's value is shown as inherited.
    assert admin.post(url, {"workflow": "leave_request", "s-review_days": ""}).status_code == 302
    assert _org_settings(services, world.orgs["b1"]) == {}
    school = admin.post(
        f"/admin/orgs/{world.orgs['school24']}/settings", {"workflow": "leave_request", "s-review_days": "5"}
    )
    assert school.status_code == 302
    inherited = admin.get(url).get_data(as_text=True)
    assert "设为：5" in inherited and "本组织沿用：5" in inherited
    assert len(_events(services, "org_settings")) == 3

    # Only an administrator.
    sec1 = browser("sec1")
    assert sec1.get(url).status_code == 403
    assert sec1.post(url, {"workflow": "leave_request", "s-review_days": "9"}).status_code == 403


def _upload(admin: Browser, text: str, filename: str = "leave_request.yaml") -> tuple[int, str]:
    admin.get("/admin/definitions/upload")
    response = admin.post(
        "/admin/definitions/upload",
        {"file": (__import__("io").BytesIO(text.encode("utf-8")), filename)},
        content_type="multipart/form-data",
    )
    return response.status_code, response.get_data(as_text=True)


def test_a_broken_definition_is_refused_with_file_and_line(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    admin = browser("admin")
    before = snapshot(services)
    broken = LEAVE.replace("version: 1", "version: 2").replace("assignee: reviewer", "assignee: nobody_here")
    line = next(i for i, t in enumerate(broken.splitlines(), 1) if "assignee: nobody_here" in t)
    status, html = _upload(admin, broken)
    assert status == 422
    assert f"leave_request.yaml:{line}" in html and "nobody_here" in html
    # The same version number as the running one is refused at the version's line.
    status, html = _upload(admin, LEAVE.replace("title: 请假申请（测试）", "title: 请假申请（改）"))
    assert status == 422 and "leave_request.yaml:4" in html and "版本号须大于正在运行的第 1 版" in html
    # Not YAML at all.
    status, html = _upload(admin, "name: [unclosed\n")
    assert status == 422 and "leave_request.yaml:" in html
    assert snapshot(services) == before and _events(services, "definition_publish") == []
    assert services.catalog.current["leave_request"].version == 1


def test_a_valid_definition_is_shown_then_becomes_the_new_version(
    browser: Callable[[str | None], Browser], services: Services, world: World, tmp_path: Path
) -> None:
    running = services.flow.start("leave_request", world.orgs["b1"], world.users["sec1"]).id
    admin = browser("admin")
    new = (
        LEAVE.replace("version: 1", "version: 2")
        .replace("title: 领导审批", "title: 分管领导审批")
        .replace("default: 3", "default: 4")
    )
    status, html = _upload(admin, new)
    assert status == 200, html
    assert 'data-testid="definition-valid"' in html and 'class="mermaid"' in html
    assert "步骤改名：“领导审批” → “分管领导审批”" in html
    assert "设置“审核时限”的默认值：3 → 4" in html
    assert '<span class="diff-add">+    default: 4</span>' in html or "diff-add" in html
    assert services.catalog.current["leave_request"].version == 1  # shown, not activated

    source = re.search(r'<textarea name="source" hidden aria-hidden="true">(.*?)</textarea>', html, re.S)
    assert source is not None
    import html as html_lib

    activated = admin.post(
        "/admin/definitions/activate",
        {"filename": "leave_request.yaml", "source": html_lib.unescape(source.group(1))},
    )
    assert activated.status_code == 302
    assert services.catalog.current["leave_request"].version == 2
    [event] = _events(services, "definition_publish")
    assert event.chain == "admin" and event.data and event.data["version"] == 2

    # The running request keeps version 1 and goes on; the next one starts on version 2.
    assert services.flow.get(running, world.users["sec1"]).definition_version == 1
    services.flow.act(running, "submit", world.users["sec1"], GOOD_DATA, expected_version=1)
    fresh = services.flow.start("leave_request", world.orgs["b2"], world.users["sec2"])
    assert fresh.definition_version == 2
    listing = admin.get("/admin/definitions").get_data(as_text=True)
    assert listing.count("当前版本") == 2  # this procedure's v2 and the other procedure's only version

    # A restart keeps the activated version although the folder still holds version 1.
    again = open_services(services.settings)
    try:
        assert again.catalog.current["leave_request"].version == 2
        with again.db.read() as s:
            org = s.get(Organization, world.orgs["b1"])
            assert org is not None
            assert effective_settings(again.catalog.current["leave_request"], org)["review_days"] == 4
    finally:
        again.close()


def test_definitions_page_is_in_words(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    d = services.catalog.current["election_postponement"]
    page = browser("admin").get(f"/admin/definitions/election_postponement/{d.version}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for sd in d.settings.values():
        assert sd.description in html
    assert "{'" not in html and "': " not in html  # no Python dicts
    checks = [c for a in d.actions for c in a.checks]
    assert checks, "the postponement declares checks"
    for c in checks:
        assert c.spec is not None and c.spec.title and c.spec.title in html
    assert "支部：3" in html  # term_years {branch: 3, …} in words
    assert "上传新版本" in browser("admin").get("/admin/definitions").get_data(as_text=True)
