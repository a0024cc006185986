"""The administrator keeps the organization tree, users and roles: each change is validated beside its field,
changes nothing when refused, and is written to the audit trail (chain ``admin``) with who did it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from flowengine.chinese import china_date
from flowengine.persistence.models import AuditEvent, Organization, RoleAssignment, User
from flowengine.service import Services
from flowengine.service.audit.ledger import AuditLedger
from tests.support import PASSWORD, World
from tests.support.web import Browser, snapshot

NEW_BRANCH = {
    "code": "b3",
    "name": "郑州市第二十四中学第三党支部",
    "type": "branch",
    "parent_id": "{school24}",
    "approver_id": "{gw}",
    "full_members": "9",
    "probationary_members": "2",
    "term_start": "2024-05-06",
    "term_end": "2027-05-05",
}


def _form(template: dict[str, str], world: World) -> dict[str, str]:
    return {k: v.format(**{c: i for c, i in world.orgs.items()}) for k, v in template.items()}


def _admin_events(services: Services) -> list[AuditEvent]:
    """Administrators' changes made through the web (the users the test world set up from the command line
    are audited in the same chain, with no acting user)."""
    with services.db.read() as s:
        rows = list(
            s.scalars(
                select(AuditEvent)
                .where(AuditEvent.chain == "admin", AuditEvent.actor_id.is_not(None))
                .order_by(AuditEvent.seq)
            )
        )
        s.expunge_all()
        return rows


def _org(services: Services, code: str) -> Organization:
    with services.db.read() as s:
        org = s.scalar(select(Organization).where(Organization.code == code))
        assert org is not None
        s.expunge(org)
        return org


def test_admin_creates_an_organization_and_the_change_is_audited(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    b = browser("admin")
    page = b.get(f"/admin/orgs/new?parent={world.orgs['school24']}").get_data(as_text=True)
    assert 'data-testid="org-form"' in page and f'<option value="{world.orgs["school24"]}" selected' in page
    response = b.post("/admin/orgs/new", _form(NEW_BRANCH, world))
    assert response.status_code == 302, response.get_data(as_text=True)
    org = _org(services, "b3")
    assert (org.name, org.type, org.parent_id, org.approver_id) == (
        "郑州市第二十四中学第三党支部",
        "branch",
        world.orgs["school24"],
        world.orgs["gw"],
    )
    assert (org.full_members, org.probationary_members, org.term_end) == (9, 2, dt.date(2027, 5, 5))
    assert org.path == f"/{world.orgs['gw']}/{world.orgs['school24']}/{org.id}/"
    tree = b.get("/admin/orgs").get_data(as_text=True)
    assert (
        "郑州市第二十四中学第三党支部" in tree
        and "2024年5月6日 至 2027年5月5日" in tree
        and "已新建组织" in tree
    )
    [event] = _admin_events(services)
    assert (event.kind, event.actor_id, event.role, event.org_id) == (
        "org_create",
        world.users["admin"],
        "admin",
        org.id,
    )
    assert event.data is not None and event.data["changes"]["term_end"] == {"from": None, "to": "2027-05-05"}
    assert AuditLedger(services.db).verify().ok


def test_bad_organization_fields_are_named_beside_each_field_and_change_nothing(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    b = browser("admin")
    b.get("/admin/orgs/new")
    before = snapshot(services)
    bad = {
        **_form(NEW_BRANCH, world),
        "code": "b1",
        "name": "",
        "type": "club",
        "full_members": "-3",
        "probationary_members": "两",
        "term_start": "2027-01-01",
        "term_end": "2026-01-01",
        "approver_id": "99999",
    }
    response = b.post("/admin/orgs/new", bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    expected = {
        "code": "编码 b1 已被其他组织使用",
        "name": "请填写组织名称",
        "type": "请选择组织类型",
        "full_members": "请填写非负整数",
        "probationary_members": "请填写非负整数",
        "term_end": "任期届满日期应晚于任期开始日期",
        "approver_id": "所选审批机关不存在",
    }
    for field, message in expected.items():
        assert f'data-error-for="{field}">{message}<' in html, field
    assert 'value="两"' in html and 'value="2027-01-01"' in html  # what was typed is kept
    assert snapshot(services) == before and _admin_events(services) == []


def test_admin_edits_an_organization_moving_it_moves_its_subtree(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    b = browser("admin")
    page = b.get(f"/admin/orgs/{world.orgs['school24']}").get_data(as_text=True)
    assert (
        'value="中共郑州市第二十四中学委员会"' in page and 'value="2026-06-19"' in page and "readonly" in page
    )
    # The committee cannot be put under its own branch.
    moved_under_child = {
        "name": "中共郑州市第二十四中学委员会",
        "type": "committee",
        "parent_id": str(world.orgs["b1"]),
        "full_members": "86",
        "probationary_members": "0",
        "term_start": "2021-06-20",
        "term_end": "2026-06-19",
    }
    refused = b.post(f"/admin/orgs/{world.orgs['school24']}", moved_under_child)
    assert refused.status_code == 422
    assert "上级组织不能是本组织或其下级组织" in refused.get_data(as_text=True)

    # A new committee; the school committee (and its branches) move under it, with new terms and counts.
    b.get("/admin/orgs/new")
    district = {
        "code": "dist",
        "name": "中共郑州市二七区教育工作委员会",
        "type": "work_committee",
        "parent_id": str(world.orgs["gw"]),
        "full_members": "0",
        "probationary_members": "0",
        "term_start": "",
        "term_end": "",
    }
    assert b.post("/admin/orgs/new", district).status_code == 302
    dist = _org(services, "dist")
    b.get(f"/admin/orgs/{world.orgs['school24']}")
    edited = {
        **moved_under_child,
        "parent_id": str(dist.id),
        "full_members": "90",
        "term_start": "2026-06-18",
        "term_end": "2031-06-17",
    }
    assert b.post(f"/admin/orgs/{world.orgs['school24']}", edited).status_code == 302
    school = _org(services, "school24")
    assert (school.parent_id, school.full_members, school.term_end) == (dist.id, 90, dt.date(2031, 6, 17))
    assert _org(services, "b1").path == f"{school.path}{world.orgs['b1']}/"
    assert school.path == f"/{world.orgs['gw']}/{dist.id}/{school.id}/"
    events = _admin_events(services)
    assert [e.kind for e in events] == ["org_create", "org_change"]
    assert events[1].data is not None and events[1].data["changes"] == {
        "parent_id": {"from": world.orgs["gw"], "to": dist.id},
        "full_members": {"from": 86, "to": 90},
        "term_start": {"from": "2021-06-20", "to": "2026-06-18"},
        "term_end": {"from": "2026-06-19", "to": "2031-06-17"},
    }


def test_admin_creates_a_user_and_assigns_and_removes_roles(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    b = browser("admin")
    b.get("/admin/users/new")
    response = b.post(
        "/admin/users/new",
        {
            "username": "sec3",
            "display_name": "陈静",
            "email": "chen@example.org",
            "password": "new-secret-9",
            "confirm_password": "new-secret-9",
        },
    )
    assert response.status_code == 302
    uid = services.directory.user_id("sec3")
    assert response.headers["Location"].endswith(f"/admin/users/{uid}")
    page = b.get(f"/admin/users/{uid}").get_data(as_text=True)
    assert "尚无角色" in page
    assert (
        b.post(
            f"/admin/users/{uid}/roles", {"role": "secretary", "org_id": str(world.orgs["b2"])}
        ).status_code
        == 302
    )
    duplicate = b.post(f"/admin/users/{uid}/roles", {"role": "secretary", "org_id": str(world.orgs["b2"])})
    assert (
        duplicate.status_code == 422
        and "陈静已是郑州市第二十四中学第二党支部的书记" in duplicate.get_data(as_text=True)
    )
    page = b.get(f"/admin/users/{uid}").get_data(as_text=True)
    assert (
        page.count('data-testid="role"') == 1
        and "郑州市第二十四中学第二党支部 · <strong>书记</strong>" in page
    )

    # The new secretary signs in and may start for the branch.
    sec3 = browser(None)
    assert sec3.login("sec3", "new-secret-9").status_code == 302
    assert sec3.get("/requests/new/leave_request").status_code == 200

    with services.db.read() as s:
        [assignment] = s.scalars(select(RoleAssignment.id).where(RoleAssignment.user_id == uid))
    b.get(f"/admin/users/{uid}")
    assert b.post(f"/admin/users/{uid}/roles/{assignment}/revoke").status_code == 302
    assert sec3.get("/requests/new/leave_request").status_code == 403
    assert [e.kind for e in _admin_events(services)] == ["user_create", "role_grant", "role_revoke"]
    grant = _admin_events(services)[1]
    assert grant.data == {"user_id": uid, "role": "secretary", "org_id": world.orgs["b2"]}
    assert grant.actor_name == "周敏"


def test_bad_user_fields_are_named_and_change_nothing(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    b = browser("admin")
    b.get("/admin/users/new")
    before = snapshot(services)
    response = b.post(
        "/admin/users/new",
        {
            "username": "sec1",
            "display_name": "",
            "email": "not-an-address",
            "password": "short",
            "confirm_password": "short",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    for field, message in {
        "username": "用户名 sec1 已存在",
        "display_name": "请填写姓名",
        "email": "邮箱地址格式不正确",
        "password": "密码至少 8 位",
    }.items():
        assert f'data-error-for="{field}">{message}<' in html, field
    assert 'value="not-an-address"' in html and "short" not in html.split('id="f-password"')[1][:200]
    b.get(f"/admin/users/{world.users['sec1']}")
    bad_role = b.post(f"/admin/users/{world.users['sec1']}/roles", {"role": "pope", "org_id": "x"})
    html = bad_role.get_data(as_text=True)
    assert bad_role.status_code == 422
    assert 'data-error-for="role">请选择角色<' in html and 'data-error-for="org_id">请选择组织<' in html
    assert snapshot(services) == before and _admin_events(services) == []


def test_reset_password_ends_sessions_and_lifts_the_lock(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    sec1 = browser("sec1")
    guesser = browser(None)
    for _ in range(5):
        guesser.login("sec1", "wrong-password")
    assert "锁定" in guesser.login("sec1", PASSWORD).get_data(as_text=True)
    b = browser("admin")
    b.get(f"/admin/users/{world.users['sec1']}")
    mismatch = b.post(
        f"/admin/users/{world.users['sec1']}/password",
        {"new_password": "fresh-start-7", "confirm_password": "fresh-start-8"},
    )
    assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.get_data(as_text=True)
    ok = b.post(
        f"/admin/users/{world.users['sec1']}/password",
        {"new_password": "fresh-start-7", "confirm_password": "fresh-start-7"},
    )
    assert ok.status_code == 302
    assert sec1.get("/").status_code == 302  # the old session ended with the old password
    assert browser(None).login("sec1", "fresh-start-7").status_code == 302  # and the lock is lifted
    [event] = _admin_events(services)
    assert event.kind == "password_reset" and event.data == {"user_id": world.users["sec1"]}
    assert "fresh-start-7" not in str(event.comment) + str(event.data)


def test_disable_and_enable_a_user(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    sec2 = browser("sec2")
    b = browser("admin")
    b.get(f"/admin/users/{world.users['sec2']}")
    assert b.post(f"/admin/users/{world.users['sec2']}/active", {"active": "0"}).status_code == 302
    assert sec2.get("/").status_code == 302  # signed out at the next request
    refused = browser(None).login("sec2")
    assert refused.status_code == 401 and "该账户已停用" in refused.get_data(as_text=True)
    assert "已停用" in b.get(f"/admin/users/{world.users['sec2']}").get_data(as_text=True)
    assert b.post(f"/admin/users/{world.users['sec2']}/active", {"active": "1"}).status_code == 302
    assert browser(None).login("sec2").status_code == 302
    own = b.post(f"/admin/users/{world.users['admin']}/active", {"active": "0"})
    assert own.status_code == 422 and "不能停用自己的账户" in own.get_data(as_text=True)
    with services.db.read() as s:
        assert s.scalar(select(User.is_active).where(User.id == world.users["admin"])) is True
    assert [e.kind for e in _admin_events(services)] == ["user_disable", "user_enable"]


def test_the_last_administrator_keeps_the_admin_role(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    b = browser("admin")
    with services.db.read() as s:
        [held] = s.scalars(select(RoleAssignment.id).where(RoleAssignment.user_id == world.users["admin"]))
    b.get(f"/admin/users/{world.users['admin']}")
    before = snapshot(services)
    response = b.post(f"/admin/users/{world.users['admin']}/roles/{held}/revoke")
    assert response.status_code == 422 and "最后一位系统管理员" in response.get_data(as_text=True)
    assert snapshot(services) == before


ADMIN_POSTS: list[tuple[str, dict[str, Any]]] = [
    ("/admin/orgs/new", NEW_BRANCH),
    ("/admin/orgs/{b1}", {**NEW_BRANCH, "name": "改名"}),
    (
        "/admin/users/new",
        {
            "username": "x1",
            "display_name": "某人",
            "password": "long-enough-1",
            "confirm_password": "long-enough-1",
        },
    ),
    ("/admin/users/{sec2}/roles", {"role": "leader", "org_id": "{gw}"}),
    ("/admin/users/{sec1}/roles/{sec1_role}/revoke", {}),
    ("/admin/users/{sec1}/password", {"new_password": "taken-over-1", "confirm_password": "taken-over-1"}),
    ("/admin/users/{sec1}/active", {"active": "0"}),
]


def test_only_an_administrator_may_change_anything(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    with services.db.read() as s:
        [sec1_role] = s.scalars(
            select(RoleAssignment.id).where(RoleAssignment.user_id == world.users["sec1"])
        )
    ids = {**world.orgs, **world.users, "sec1_role": sec1_role}
    before = snapshot(services)
    for user in ("sec1", "sec2", "handler", "leader", "auditor", "nobody"):
        b = browser(user)
        b.get("/", follow_redirects=True)
        for template, form in ADMIN_POSTS:
            path = template.format(**ids)
            data = {k: v.format(**ids) for k, v in form.items()}
            assert b.post(path, data).status_code == 403, (user, path)
    assert snapshot(services) == before and _admin_events(services) == []


def test_admin_sets_the_document_prefix_the_sequence_and_the_contact(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    b = browser("admin")
    org = _org(services, "b1")
    page = b.get(f"/admin/orgs/{org.id}").get_data(as_text=True)
    year = china_date(services.flow.clock()).year
    # No 代字 yet: the form says which abbreviation documents use meanwhile, and the next serial is 1.
    assert 'data-testid="numbering"' in page and "按组织名称缩写" in page
    assert 'name="doc_next_serial_was" value="1"' in page
    form = {
        "code": org.code,
        "name": org.name,
        "type": org.type,
        "parent_id": str(org.parent_id or ""),
        "approver_id": str(org.approver_id or ""),
        "full_members": str(org.full_members),
        "probationary_members": str(org.probationary_members),
        "term_start": "",
        "term_end": "",
        "doc_prefix": "实小支",
        "doc_next_serial": "38",
        "doc_next_serial_was": "1",
        "contact_name": "冯莉",
        "contact_phone": "0371-63925501",
    }
    response = b.post(f"/admin/orgs/{org.id}", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    saved = _org(services, "b1")
    assert (saved.doc_prefix, saved.contact_name, saved.contact_phone) == ("实小支", "冯莉", "0371-63925501")
    page = b.get(f"/admin/orgs/{org.id}").get_data(as_text=True)
    assert f"实小支〔{year}〕38号" in page and 'name="doc_next_serial_was" value="38"' in page
    [event] = _admin_events(services)
    assert event.data is not None and event.data["changes"]["doc_next_serial"] == {
        "year": year,
        "from": 1,
        "to": 38,
    }
    assert event.data["changes"]["doc_prefix"] == {"from": None, "to": "实小支"}

    # Bad values are named beside their fields, and nothing changes.
    before = snapshot(services)
    bad = {**form, "doc_prefix": "实小支〔2026〕", "doc_next_serial": "0", "doc_next_serial_was": "38"}
    bad["contact_phone"] = "电话"
    response = b.post(f"/admin/orgs/{org.id}", bad)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'data-error-for="doc_prefix">发文代字只写机关代字' in html
    assert 'data-error-for="doc_next_serial">下一发文序号应为 1 至 99999 的整数' in html
    assert 'data-error-for="contact_phone">联系电话只能包含数字' in html
    assert 'name="doc_next_serial_was" value="38"' in html  # still what the register said
    assert snapshot(services) == before and _org(services, "b1").doc_prefix == "实小支"
