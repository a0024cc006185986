"""Organizations, users and role assignments: the administrator's side of the service API."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flowengine.chinese import china_date
from flowengine.documents.numbering import derived_prefix
from flowengine.errors import NotFound, ValidationFailed
from flowengine.persistence.db import Database
from flowengine.persistence.models import Document, DocumentCounter, Organization, RoleAssignment, User
from flowengine.service.identity.admins import admin_event, require_admin
from flowengine.service.identity.passwords import hash_password, password_problem
from flowengine.vocabulary import ORG_TYPES, ROLES


@dataclass(frozen=True)
class OrgSpec:
    code: str
    name: str
    type: str
    parent: str | None = None
    approver: str | None = None
    full_members: int = 0
    probationary_members: int = 0
    term_start: dt.date | None = None
    term_end: dt.date | None = None
    settings: Mapping[str, Any] | None = None
    doc_prefix: str | None = None
    doc_next_serial: int | None = None
    contact_name: str | None = None
    contact_phone: str | None = None


# ---- document numbering and the 附注 contact: one check for the form, the import and the command line ----

#: The numbering fields of an organization, as the form, an import file and the command line name them.
NUMBERING_FIELDS = ("doc_prefix", "doc_next_serial", "contact_name", "contact_phone")
_PREFIX_FORBIDDEN = set("〔〕[]()（）【】0123456789０１２３４５６７８９号")
_PHONE_CHARS = set("0123456789-+ ()（）转")


def numbering_problems(values: Mapping[str, Any]) -> dict[str, str]:
    """What is wrong with the numbering fields as typed (each message names the field); the sequence is
    checked against the register in :func:`apply_numbering`."""
    errors: dict[str, str] = {}
    prefix = str(values.get("doc_prefix") or "").strip()
    if len(prefix) > 20:
        errors["doc_prefix"] = "发文代字不能超过 20 字"
    elif prefix and (set(prefix) & _PREFIX_FORBIDDEN or any(c.isspace() for c in prefix)):
        errors["doc_prefix"] = "发文代字只写机关代字（如“三十一中党委”），不含年份、括号、序号或空格"
    raw = str(values.get("doc_next_serial") if values.get("doc_next_serial") is not None else "").strip()
    if raw and (not raw.isdigit() or int(raw) < 1 or int(raw) > 99999):
        errors["doc_next_serial"] = f"下一发文序号应为 1 至 99999 的整数，而不是 {raw!r}"
    name = str(values.get("contact_name") or "").strip()
    if len(name) > 50:
        errors["contact_name"] = "联系人不能超过 50 字"
    phone = str(values.get("contact_phone") or "").strip()
    if len(phone) > 40:
        errors["contact_phone"] = "联系电话不能超过 40 个字符"
    elif phone and (not set(phone) <= _PHONE_CHARS or sum(c.isdigit() for c in phone) < 5):
        errors["contact_phone"] = f"联系电话只能包含数字、“-”“+”、空格、括号或“转”，而不是 {phone!r}"
    return errors


def next_serial_of(s: Session, org_id: int, year: int) -> int:
    """The serial the organization's next document of ``year`` takes."""
    last = s.scalar(
        select(DocumentCounter.last).where(DocumentCounter.issuer_id == org_id, DocumentCounter.year == year)
    )
    return (last or 0) + 1


def apply_numbering(
    s: Session, org: Organization, values: Mapping[str, Any], now: dt.datetime, errors: dict[str, str]
) -> dict[str, Any]:
    """Set the organization's 代字, contact and, when given, the next serial of this year's register.

    The next serial may skip ahead (the office numbered documents outside flowengine) or go back to an
    unused number, never to one already issued this year: the register's (issuer, year, serial) is unique.
    Returns what changed (for the audit event); adds to ``errors`` and changes nothing when refused.
    """
    errors.update(numbering_problems(values))
    year = china_date(now).year
    raw = str(values.get("doc_next_serial") if values.get("doc_next_serial") is not None else "").strip()
    wanted = int(raw) if raw.isdigit() and "doc_next_serial" not in errors else None
    current = next_serial_of(s, org.id, year) if org.id is not None else 1
    if wanted is not None and wanted != current and org.id is not None:
        used = s.scalar(
            select(func.max(Document.serial)).where(Document.issuer_id == org.id, Document.year == year)
        )
        if used is not None and wanted <= used:
            errors["doc_next_serial"] = (
                f"{year}年已发文至第 {used} 号，下一发文序号须大于 {used}（现为 {current}）"
            )
    if errors:
        return {}
    changes: dict[str, Any] = {}
    for key in ("doc_prefix", "contact_name", "contact_phone"):
        if key not in values:
            continue
        new = str(values.get(key) or "").strip() or None
        if getattr(org, key) != new:
            changes[key] = {"from": getattr(org, key), "to": new}
            setattr(org, key, new)
    if wanted is not None and wanted != current:
        if org.id is None:
            s.flush()
        counter = s.get(DocumentCounter, (org.id, year))
        if counter is None:
            s.add(DocumentCounter(issuer_id=org.id, year=year, last=wanted - 1))
        else:
            counter.last = wanted - 1
        changes["doc_next_serial"] = {"year": year, "from": current, "to": wanted}
    return changes


def _date(value: Any, where: str, errors: dict[str, str]) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        errors[where] = f"日期格式应为 YYYY-MM-DD，而不是 {value!r}"
        return None


def _typed(value: Any) -> Any:
    """Setting values read as text become numbers and booleans again (``"10"`` → 10)."""
    if isinstance(value, Mapping):
        return {str(k): _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
        for kind in (int, float):
            try:
                return kind(text)
            except ValueError:
                pass
    return value


def _count(value: Any, where: str, errors: dict[str, str]) -> int:
    """A member count; YAML files may give it as text (they are read without type guessing)."""
    if value in (None, ""):
        return 0
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit():
        errors[where] = f"应为非负整数，而不是 {value!r}"
        return 0
    return int(text)


def parse_org_tree(items: Iterable[Mapping[str, Any]], known: Iterable[str] = ()) -> list[OrgSpec]:
    """Validate an organization list (from YAML) fully before anything is written.

    ``known`` holds the codes already in the database, so a file may add schools under an existing
    committee without repeating the whole tree.
    """
    errors: dict[str, str] = {}
    specs: list[OrgSpec] = []
    codes: set[str] = set()
    existing = set(known)
    for i, item in enumerate(items):
        where = f"organizations[{i}]"
        if not isinstance(item, Mapping):
            errors[where] = "每个组织应为一个映射（code、name、type…）"
            continue
        for key in ("code", "name", "type"):
            if not item.get(key):
                errors[f"{where}.{key}"] = "必填"
        if item.get("type") and item["type"] not in ORG_TYPES:
            errors[f"{where}.type"] = f"未知组织类型 {item['type']!r}，可选：{', '.join(ORG_TYPES)}"
        code = str(item.get("code", ""))
        if code in codes:
            errors[f"{where}.code"] = f"编码 {code!r} 重复"
        codes.add(code)
        counts = {}
        for key in ("full_members", "probationary_members"):
            counts[key] = _count(item.get(key), f"{where}.{key}", errors)
        known = {
            "code",
            "name",
            "type",
            "parent",
            "approver",
            "full_members",
            "probationary_members",
            "term_start",
            "term_end",
            "settings",
            *NUMBERING_FIELDS,
        }
        for key in item:
            if key not in known:
                errors[f"{where}.{key}"] = "未知字段"
        for key, message in numbering_problems(item).items():
            errors[f"{where}.{key}"] = message
        serial = str(item.get("doc_next_serial") or "").strip()
        specs.append(
            OrgSpec(
                code=code,
                name=str(item.get("name", "")),
                type=str(item.get("type", "")),
                parent=item.get("parent"),
                approver=item.get("approver"),
                full_members=counts["full_members"],
                probationary_members=counts["probationary_members"],
                term_start=_date(item.get("term_start"), f"{where}.term_start", errors),
                term_end=_date(item.get("term_end"), f"{where}.term_end", errors),
                settings=_typed(item.get("settings") or {}),
                doc_prefix=str(item.get("doc_prefix") or "").strip() or None,
                doc_next_serial=int(serial) if serial.isdigit() else None,
                contact_name=str(item.get("contact_name") or "").strip() or None,
                contact_phone=str(item.get("contact_phone") or "").strip() or None,
            )
        )
    for i, spec in enumerate(specs):
        for key in ("parent", "approver"):
            ref = getattr(spec, key)
            if ref and ref not in codes and ref not in existing:
                errors.setdefault(
                    f"organizations[{i}].{key}",
                    f"引用了不存在的组织编码 {ref!r}（须已在系统中或在本文件中定义）",
                )
    if errors:
        raise ValidationFailed(errors, "组织架构文件有误，未导入任何内容。")
    return specs


# ---- the administrator's screens ------------------------------------------------------------------
#
# Every change below is made by a named administrator, checked here (not in a view), and recorded on the
# ``admin`` audit chain with what changed, in the same transaction as the change itself: an auditor can
# tell who moved a branch under another committee or gave someone the leader's role, and when.

ORG_FORM_FIELDS = (
    "code",
    "name",
    "type",
    "parent_id",
    "approver_id",
    "full_members",
    "probationary_members",
    "term_start",
    "term_end",
    *NUMBERING_FIELDS,
)
_CODE_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")


def new_user(
    s: Session,
    *,
    username: str,
    display_name: str,
    email: str,
    password: str,
    confirm: str,
    now: dt.datetime,
    admin: User | None,
    roles: Iterable[tuple[str, str]] = (),
    client_addr: str | None = None,
) -> int:
    """The one way a user comes into being (web, API, command line, demo): every field checked, the password
    policy applied, the roles' organizations found, and one ``user_create`` audit event."""
    username, display_name, email = username.strip(), display_name.strip(), (email or "").strip()
    errors: dict[str, str] = {}
    if not username:
        errors["username"] = "请填写用户名"
    elif len(username) > 64 or not set(username) <= _CODE_CHARS:
        errors["username"] = "用户名只能包含字母、数字、下划线、点或连字符，最多 64 位"
    elif s.scalar(select(User.id).where(User.username == username)) is not None:
        errors["username"] = f"用户名 {username} 已存在"
    if not display_name:
        errors["display_name"] = "请填写姓名"
    elif len(display_name) > 100:
        errors["display_name"] = "姓名不能超过 100 字"
    if email and ("@" not in email or len(email) > 200 or " " in email):
        errors["email"] = "邮箱地址格式不正确"
    problem = password_problem(password, username, display_name)
    if problem:
        errors["password"] = problem
    elif password != confirm:
        errors["confirm_password"] = "两次输入的密码不一致"
    assignments = []
    for role, code in roles:
        org = s.scalar(select(Organization).where(Organization.code == code))
        if role not in ROLES:
            errors["role"] = f"未知角色 {role!r}，可选：{', '.join(ROLES)}"
        elif org is None:
            errors["org"] = f"组织编码 {code!r} 不存在"
        else:
            assignments.append(RoleAssignment(role=role, org_id=org.id))
    if errors:
        raise ValidationFailed(errors, "用户未创建。")
    user = User(
        username=username,
        display_name=display_name,
        email=email or None,
        password_hash=hash_password(password),
        is_active=True,
        failed_logins=0,
        created_at=now,
        roles=assignments,
    )
    s.add(user)
    s.flush()
    admin_event(
        s,
        admin,
        "user_create",
        now,
        comment=f"新建用户 {username}（{user.display_name}）",
        data={
            "user_id": user.id,
            "username": username,
            "display_name": user.display_name,
            "email": user.email,
            **({"roles": [[r.role, r.org_id] for r in assignments]} if assignments else {}),
        },
        client_addr=client_addr,
    )
    return user.id


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


@dataclass(frozen=True)
class OrgEdit:
    """An organization as its edit form shows it (text values, as typed or as stored)."""

    id: int | None
    values: Mapping[str, str]
    active_requests: int = 0
    #: The 代字 documents use while none is set (an abbreviation of the name).
    derived_prefix: str = ""


class OrgAdmin:
    """Creating and editing organizations: validation beside each field, the tree kept consistent."""

    db: Database
    clock: Any

    def org_form(self, actor_id: int, org_id: int) -> OrgEdit:
        with self.db.read() as s:
            require_admin(s, actor_id)
            org = s.get(Organization, org_id)
            if org is None:
                raise NotFound(f"组织 {org_id} 不存在。")
            values = {
                "code": org.code,
                "name": org.name,
                "type": org.type,
                "parent_id": str(org.parent_id or ""),
                "approver_id": str(org.approver_id or ""),
                "full_members": str(org.full_members),
                "probationary_members": str(org.probationary_members),
                "term_start": org.term_start.isoformat() if org.term_start else "",
                "term_end": org.term_end.isoformat() if org.term_end else "",
                "doc_prefix": org.doc_prefix or "",
                "doc_next_serial": str(next_serial_of(s, org.id, china_date(self.clock()).year)),
                "contact_name": org.contact_name or "",
                "contact_phone": org.contact_phone or "",
            }
            return OrgEdit(org.id, values, derived_prefix=derived_prefix(org.name))

    def save_org(  # noqa: C901 — the administrator's form field by field, each with its own message; read top to bottom
        self,
        actor_id: int,
        org_id: int | None,
        form: Mapping[str, str],
        now: dt.datetime,
        client_addr: str | None = None,
    ) -> int:
        """Create (``org_id`` None) or update an organization; ValidationFailed names each bad field."""
        with self.db.write() as s:
            admin = require_admin(s, actor_id)
            org = s.get(Organization, org_id) if org_id is not None else None
            if org_id is not None and org is None:
                raise NotFound(f"组织 {org_id} 不存在。")
            errors: dict[str, str] = {}
            v = {k: str(form.get(k) or "").strip() for k in ORG_FORM_FIELDS}
            code = org.code if org is not None else v["code"]
            if org is None:
                if not code:
                    errors["code"] = "请填写组织编码"
                elif len(code) > 64 or not set(code) <= _CODE_CHARS:
                    errors["code"] = "编码只能包含字母、数字、下划线、点或连字符，最多 64 位"
                elif s.scalar(select(Organization.id).where(Organization.code == code)) is not None:
                    errors["code"] = f"编码 {code} 已被其他组织使用"
            if not v["name"]:
                errors["name"] = "请填写组织名称"
            elif len(v["name"]) > 200:
                errors["name"] = "组织名称不能超过 200 字"
            if v["type"] not in ORG_TYPES:
                errors["type"] = "请选择组织类型"
            parent = self._ref(s, v["parent_id"], "parent_id", "上级组织", errors)
            approver = self._ref(s, v["approver_id"], "approver_id", "审批机关", errors)
            if (
                org is not None
                and parent is not None
                and (parent.id == org.id or parent.path.startswith(org.path))
            ):
                errors["parent_id"] = "上级组织不能是本组织或其下级组织"
            if org is not None and approver is not None and approver.id == org.id:
                errors["approver_id"] = "审批机关不能是本组织"
            if parent is None and not errors.get("parent_id") and v["type"] != "work_committee":
                errors["parent_id"] = "除党委（工委）外，组织须有上级组织"
            counts = {k: _count(v[k], k, errors) for k in ("full_members", "probationary_members")}
            for k in counts:
                if k in errors:
                    errors[k] = "请填写非负整数"
            start = _date(v["term_start"], "term_start", errors)
            end = _date(v["term_end"], "term_end", errors)
            for k in ("term_start", "term_end"):
                if k in errors:
                    errors[k] = "请选择有效日期（年-月-日）"
            if start and end and end <= start:
                errors["term_end"] = "任期届满日期应晚于任期开始日期"
            errors.update(numbering_problems(v))
            if errors:
                raise ValidationFailed(errors, "组织信息有误，未保存。")
            new = {
                "name": v["name"],
                "type": v["type"],
                "parent_id": parent.id if parent else None,
                "approver_id": approver.id if approver else None,
                **counts,
                "term_start": start,
                "term_end": end,
            }
            if org is None:
                org = Organization(code=code, created_at=now, path="", settings={})
                s.add(org)
                old: dict[str, Any] = {}
            else:
                old = {k: getattr(org, k) for k in new}
            for k, value in new.items():
                setattr(org, k, value)
            s.flush()
            old_path = org.path
            org.path = f"{parent.path if parent else '/'}{org.id}/"
            if old_path and old_path != org.path:  # moved: everything below moves with it
                for child in s.scalars(
                    select(Organization).where(
                        Organization.path.like(f"{old_path}%"), Organization.id != org.id
                    )
                ):
                    child.path = org.path + child.path[len(old_path) :]
            changes = {
                k: {"from": _json(old.get(k)), "to": _json(value)}
                for k, value in new.items()
                if old.get(k) != value
            }
            numbering = {k: v[k] for k in NUMBERING_FIELDS if k in form}
            errors = {}
            changes |= apply_numbering(s, org, numbering, now, errors)
            if errors:
                raise ValidationFailed(errors, "组织信息有误，未保存。")
            admin_event(
                s,
                admin,
                "org_change" if old else "org_create",
                now,
                org_id=org.id,
                comment=f"{'修改' if old else '新建'}组织“{org.name}”（{code}）",
                data={"code": code, "changes": changes},
                client_addr=client_addr,
            )
            return org.id

    @staticmethod
    def _ref(s: Session, raw: str, field: str, label: str, errors: dict[str, str]) -> Organization | None:
        if not raw:
            return None
        org = s.get(Organization, int(raw)) if raw.isdigit() else None
        if org is None:
            errors[field] = f"所选{label}不存在"
        return org


@dataclass(frozen=True)
class RoleHeld:
    id: int
    role: str
    role_title: str
    org_id: int
    org_name: str


@dataclass(frozen=True)
class UserDetail:
    id: int
    username: str
    display_name: str
    email: str | None
    is_active: bool
    locked_until: dt.datetime | None
    created_at: dt.datetime
    roles: tuple[RoleHeld, ...]


class UserAdmin:
    """Creating users and giving or taking their roles (role × organization)."""

    db: Database

    def user_detail(self, actor_id: int, user_id: int) -> UserDetail:
        with self.db.read() as s:
            require_admin(s, actor_id)
            user = s.get(User, user_id)
            if user is None:
                raise NotFound(f"用户 {user_id} 不存在。")
            rows = s.execute(
                select(RoleAssignment.id, RoleAssignment.role, RoleAssignment.org_id, Organization.name)
                .join(Organization, Organization.id == RoleAssignment.org_id)
                .where(RoleAssignment.user_id == user_id)
                .order_by(Organization.path, RoleAssignment.role)
            )
            roles = tuple(RoleHeld(r.id, r.role, ROLES.get(r.role, r.role), r.org_id, r.name) for r in rows)
            return UserDetail(
                user.id,
                user.username,
                user.display_name,
                user.email,
                user.is_active,
                user.locked_until,
                user.created_at,
                roles,
            )

    def create_user(
        self, actor_id: int, form: Mapping[str, str], now: dt.datetime, client_addr: str | None = None
    ) -> int:
        """A new user with a first password (to be changed by them); ValidationFailed names each bad field."""
        with self.db.write() as s:
            admin = require_admin(s, actor_id)
            return new_user(
                s,
                username=str(form.get("username") or ""),
                display_name=str(form.get("display_name") or ""),
                email=str(form.get("email") or ""),
                password=str(form.get("password") or ""),
                confirm=str(form.get("confirm_password") or ""),
                now=now,
                admin=admin,
                client_addr=client_addr,
            )

    def grant_role(
        self,
        actor_id: int,
        user_id: int,
        role: str,
        org_id: str,
        now: dt.datetime,
        client_addr: str | None = None,
    ) -> None:
        with self.db.write() as s:
            admin = require_admin(s, actor_id)
            user = s.get(User, user_id)
            if user is None:
                raise NotFound(f"用户 {user_id} 不存在。")
            errors: dict[str, str] = {}
            if role not in ROLES:
                errors["role"] = "请选择角色"
            org = s.get(Organization, int(org_id)) if org_id.isdigit() else None
            if org is None:
                errors["org_id"] = "请选择组织"
            if (
                not errors
                and org is not None
                and s.scalar(
                    select(RoleAssignment.id).where(
                        RoleAssignment.user_id == user_id,
                        RoleAssignment.role == role,
                        RoleAssignment.org_id == org.id,
                    )
                )
                is not None
            ):
                errors["role"] = f"{user.display_name}已是{org.name}的{ROLES[role]}"
            if errors:
                raise ValidationFailed(errors, "角色未授予。")
            assert org is not None
            s.add(RoleAssignment(user_id=user_id, role=role, org_id=org.id))
            s.flush()
            admin_event(
                s,
                admin,
                "role_grant",
                now,
                org_id=org.id,
                comment=f"授予 {user.username}（{user.display_name}）{org.name}的{ROLES[role]}角色",
                data={"user_id": user_id, "role": role, "org_id": org.id},
                client_addr=client_addr,
            )

    def revoke_role(
        self,
        actor_id: int,
        user_id: int,
        assignment_id: int,
        now: dt.datetime,
        client_addr: str | None = None,
    ) -> None:
        with self.db.write() as s:
            admin = require_admin(s, actor_id)
            held = s.get(RoleAssignment, assignment_id)
            if held is None or held.user_id != user_id:
                raise NotFound(f"用户 {user_id} 没有编号为 {assignment_id} 的角色。")
            if held.role == "admin" and _active_admins(s) <= {user_id}:
                raise ValidationFailed(
                    {"role": "这是最后一位系统管理员的管理员角色，撤销后将无人能维护系统"}, "角色未撤销。"
                )
            user, org = s.get(User, user_id), s.get(Organization, held.org_id)
            assert user is not None and org is not None
            role = held.role
            data = {"user_id": user_id, "role": role, "org_id": held.org_id}
            s.delete(held)
            s.flush()
            admin_event(
                s,
                admin,
                "role_revoke",
                now,
                org_id=org.id,
                comment=f"撤销 {user.username}（{user.display_name}）{org.name}的{ROLES.get(role)}角色",
                data=data,
                client_addr=client_addr,
            )


def _active_admins(s: Session) -> set[int]:
    return set(
        s.scalars(
            select(RoleAssignment.user_id)
            .join(User, User.id == RoleAssignment.user_id)
            .where(RoleAssignment.role == "admin", User.is_active.is_(True))
        )
    )


class Directory(OrgAdmin, UserAdmin):
    """The organization tree and the people in it: imports (CLI) and the administrator's screens (web, API)."""

    def __init__(self, db: Database, clock: Any = None) -> None:
        self.db = db
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))

    def import_orgs(self, specs: list[OrgSpec], now: dt.datetime) -> tuple[int, int]:
        """Create or update organizations by code, parents first; returns (created, updated)."""
        created = updated = 0
        with self.db.write() as s:
            by_code = {o.code: o for o in s.scalars(select(Organization))}
            pending = list(specs)
            while pending:
                progressed = False
                for spec in list(pending):
                    if spec.parent and spec.parent not in by_code:
                        continue
                    org = by_code.get(spec.code)
                    if org is None:
                        org = Organization(code=spec.code, created_at=now, path="")
                        s.add(org)
                        created += 1
                    else:
                        updated += 1
                    parent = by_code.get(spec.parent) if spec.parent else None
                    org.name, org.type = spec.name, spec.type
                    org.parent_id = parent.id if parent else None
                    org.full_members, org.probationary_members = spec.full_members, spec.probationary_members
                    org.term_start, org.term_end = spec.term_start, spec.term_end
                    org.settings = dict(spec.settings or {})
                    s.flush()
                    org.path = f"{parent.path if parent else '/'}{org.id}/"
                    numbering = {
                        k: getattr(spec, k) for k in NUMBERING_FIELDS if getattr(spec, k) is not None
                    }
                    problems: dict[str, str] = {}
                    apply_numbering(s, org, numbering, now, problems)
                    if problems:
                        raise ValidationFailed(
                            {f"{spec.code}.{k}": v for k, v in problems.items()},
                            "组织架构文件有误，未导入任何内容。",
                        )
                    by_code[spec.code] = org
                    pending.remove(spec)
                    progressed = True
                if not progressed:
                    raise ValidationFailed({p.code: f"上级 {p.parent!r} 形成循环或不存在" for p in pending})
            for spec in specs:
                if spec.approver:
                    if spec.approver not in by_code:
                        raise ValidationFailed({spec.code: f"审批组织 {spec.approver!r} 不存在"})
                    by_code[spec.code].approver_id = by_code[spec.approver].id
        return created, updated

    def add_user(
        self,
        username: str,
        display_name: str,
        password: str,
        roles: Iterable[tuple[str, str]] = (),
        email: str | None = None,
        now: dt.datetime | None = None,
    ) -> int:
        """A user with (role, organization code) assignments, from the command line or an import: the same
        checks, password policy and audit event as an administrator's :meth:`create_user`."""
        with self.db.write() as s:
            return new_user(
                s,
                username=username,
                display_name=display_name or username,
                email=email or "",
                password=password,
                confirm=password,
                now=now or dt.datetime.now(dt.UTC),
                admin=None,
                roles=roles,
            )

    def user_id(self, username: str) -> int:
        with self.db.read() as s:
            uid = s.scalar(select(User.id).where(User.username == username))
            if uid is None:
                raise NotFound(f"用户 {username!r} 不存在。")
            return uid

    def numbering(
        self, code: str, values: Mapping[str, Any], now: dt.datetime
    ) -> tuple[dict[str, Any], Mapping[str, Any]]:
        """Set an organization's 代字, next serial of this year and 附注 contact from the command line (only the
        keys given); returns (what changed, the numbering now in force). Audited as the command line's."""
        with self.db.write() as s:
            org = self.session_org(s, code)
            errors: dict[str, str] = {}
            changes = apply_numbering(s, org, values, now, errors)
            if errors:
                raise ValidationFailed(errors, "发文编号设置有误，未作任何修改。")
            if changes:
                admin_event(
                    s,
                    None,
                    "org_change",
                    now,
                    org_id=org.id,
                    comment=f"修改组织“{org.name}”（{code}）的发文编号",
                    data={"code": code, "changes": changes},
                )
            year = china_date(now).year
            state = {
                "name": org.name,
                "doc_prefix": org.doc_prefix,
                "prefix_in_force": org.doc_prefix or derived_prefix(org.name),
                "year": year,
                "next_serial": next_serial_of(s, org.id, year),
                "contact_name": org.contact_name,
                "contact_phone": org.contact_phone,
            }
            return changes, state

    def org_codes(self) -> set[str]:
        """Every organization code in the database: what an imported file may refer to as parent."""
        with self.db.read() as s:
            return set(s.scalars(select(Organization.code)))

    def org_id(self, code: str) -> int:
        with self.db.read() as s:
            oid = s.scalar(select(Organization.id).where(Organization.code == code))
            if oid is None:
                raise NotFound(f"组织编码 {code!r} 不存在。")
            return oid

    def session_org(self, s: Session, code: str) -> Organization:
        org = s.scalar(select(Organization).where(Organization.code == code))
        if org is None:
            raise NotFound(f"组织编码 {code!r} 不存在。")
        return org
