"""``flowengine`` command line: database, definitions, organizations, users, demo, web server.

Exit codes: 0 success; 1 the thing checked is invalid (``workflows validate``); 2 bad arguments or bad
input (unknown role, malformed file): nothing was changed.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from flowengine.chinese import CHINA
from flowengine.config import Settings
from flowengine.definitions.schema import schema_json
from flowengine.errors import DefinitionError, FlowEngineError, ValidationFailed
from flowengine.files import open_private
from flowengine.vocabulary import ROLES


def fail(message: str, code: int = 2) -> NoReturn:
    click.echo(f"错误：{message}", err=True)
    sys.exit(code)


def _services(ctx: click.Context, **kwargs: Any) -> Any:
    from flowengine.service import open_services

    try:
        return open_services(ctx.obj, **kwargs)
    except DefinitionError as exc:
        fail("流程定义有误：\n" + "\n".join(f"  {p}" for p in exc.problems), 1)
    except FlowEngineError as exc:
        fail(exc.message, 1)


@click.group()
@click.version_option(package_name="flowengine")
@click.pass_context
def main(ctx: click.Context) -> None:
    """flowengine：党组织换届选举（两请示一报告三批复）、“三重一大”等程序的流程审批引擎。"""
    try:
        ctx.obj = Settings.from_env()
    except FlowEngineError as exc:
        fail(exc.message)


# ---- db --------------------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """数据库结构（Alembic 迁移）。"""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@click.pass_obj
def db_upgrade(settings: Settings, revision: str) -> None:
    """升级数据库结构到最新版本（PostgreSQL 部署时每个版本执行一次）。"""
    from flowengine.persistence import migrate
    from flowengine.persistence.db import Database

    database = Database(settings.database_url)
    try:
        before = migrate.current_revision(database.engine)
        migrate.upgrade(database.engine, revision)
        after = migrate.current_revision(database.engine)
    finally:
        database.dispose()
    click.echo(f"数据库结构：{before or '空'} → {after}")


@db.command("current")
@click.pass_obj
def db_current(settings: Settings) -> None:
    """显示数据库当前结构版本。"""
    from flowengine.persistence import migrate
    from flowengine.persistence.db import Database

    database = Database(settings.database_url)
    try:
        click.echo(
            f"当前 {migrate.current_revision(database.engine) or '空'}，最新 {migrate.head_revision()}"
        )
    finally:
        database.dispose()


@db.command("copy")
@click.option(
    "--to",
    "target_url",
    required=True,
    metavar="URL",
    help="目标数据库（如 postgresql+psycopg://user:pass@host/flowengine），须为空库",
)
@click.pass_obj
def db_copy(settings: Settings, target_url: str) -> None:
    """把当前数据库（FLOWENGINE_DATABASE_URL，默认 SQLite 文件）完整复制到一个空的 PostgreSQL 数据库。

    目标库会先升级到最新表结构；按外键顺序逐表复制并保留编号，随后校验目标库的审计哈希链并核对行数。
    复制在一个事务中进行：失败时目标库保持为空。复制期间请停止 Web 与催办进程。
    """
    from sqlalchemy.exc import ArgumentError

    from flowengine.service import copy_database

    def progress(table: str, rows: int) -> None:
        if rows % 50000 == 0:
            click.echo(f"  {table}：已复制 {rows} 行", err=True)

    try:
        result = copy_database(settings.database_url, target_url, progress=progress)
    except ArgumentError as exc:
        fail(f"--to 不是有效的数据库地址：{exc}")
    except FlowEngineError as exc:
        fail(exc.message, 1)
    for table, n in result.source_counts.items():
        copied = result.target_counts.get(table)
        mark = "✓" if copied == n else "✗"
        click.echo(f"{mark} {table}: {n} → {copied}")
    audit_report = result.audit
    assert audit_report is not None
    for b in audit_report.breaks:
        click.echo(f"✗ {b}", err=True)
    if not result.ok:
        fail("复制后的数据库未通过核对（见上）：请勿切换到该数据库。", 1)
    click.echo(
        f"✓ 已复制 {sum(result.target_counts.values())} 行；目标库审计记录 {audit_report.chains} 条链、"
        f"{audit_report.events} 条记录，全部完好。将 FLOWENGINE_DATABASE_URL 设为目标库即可切换。"
    )


@db.command("grant")
@click.argument("role")
@click.option("--sql", "show_sql", is_flag=True, help="只打印将执行的 SQL，不执行")
@click.pass_obj
def db_grant(settings: Settings, role: str, show_sql: bool) -> None:
    """（PostgreSQL）授予应用角色 ROLE 运行所需的最小权限：审计表只能查询和插入。

    以表的所有者角色连接（FLOWENGINE_DATABASE_URL 设为所有者的地址，与 db upgrade 相同），每次 db upgrade
    之后运行一次；Web 与调度进程以 ROLE 连接，无法停用或替换审计表的触发器。
    """
    from flowengine.service import grant_app_role

    try:
        grants = grant_app_role(settings.database_url, role, execute=not show_sql)
    except FlowEngineError as exc:
        fail(exc.message)
    if show_sql:
        click.echo(";\n".join(grants.statements) + ";")
        return
    for table, privileges in grants.tables.items():
        click.echo(f"  {grants.schema}.{table}: {privileges}")
    for warning in grants.warnings:
        click.echo(f"提示：{warning}", err=True)
    click.echo(
        f"已授予角色 {role} 在模式 {grants.schema} 上的应用权限（表的所有者为 {grants.owner}）："
        "审计表只能查询和插入。"
    )


# ---- workflows -------------------------------------------------------------------------------------


@main.group()
def workflows() -> None:
    """流程定义（workflows/*.yaml）。"""


@workflows.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.pass_obj
def workflows_validate(settings: Settings, paths: tuple[Path, ...]) -> None:
    """校验流程定义文件，一次列出全部错误（文件:行号 (YAML 路径): 说明）；有错时退出码为 1。"""
    from flowengine.registry import discover
    from flowengine.service import definition_files, validate_paths

    targets = list(paths) or [settings.workflows_dir]
    files = definition_files(targets)
    if not files:
        fail(f"{', '.join(map(str, targets))} 中没有 .yaml 流程定义文件", 2)
    registry = discover(settings.procedures_path)
    # Without paths: the deployment's folder and the YAML its procedure packages carry.
    loaded, problems = validate_paths(targets, registry, None if paths else registry.definition_files())
    for d in loaded:
        click.echo(
            f"✓ {d.file}: {d.name} v{d.version}（{d.title}）：{len(d.states)} 个状态，{len(d.actions)} 个操作"
        )
    for p in problems:
        click.echo(str(p), err=True)
    if problems:
        click.echo(f"{len(problems)} 处错误。", err=True)
        sys.exit(1)


@workflows.command("list")
@click.pass_context
def workflows_list(ctx: click.Context) -> None:
    """列出已载入的流程及其版本。"""
    services = _services(ctx)
    try:
        for d in services.catalog.current.values():
            click.echo(f"{d.name}\tv{d.version}\t{d.title}\t{d.file}")
    finally:
        services.close()


@workflows.command("show")
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def workflows_show(settings: Settings, name: str, fmt: str) -> None:
    """显示一个流程的状态、操作、表单与时限。"""
    from flowengine.service import validate_paths

    loaded, problems = validate_paths([settings.workflows_dir])
    found = next((d for d in loaded if d.name == name), None)
    if found is None:
        known = ", ".join(d.name for d in loaded) or "无"
        fail(
            f"没有名为 {name!r} 的流程（已有：{known}）" + ("；另有定义文件未通过校验" if problems else ""), 2
        )
    assert found is not None
    if fmt == "json":
        click.echo(json.dumps(_definition_json(found), ensure_ascii=False, indent=2))
        return
    click.echo(f"{found.title}（{found.name} v{found.version}）")
    if found.description:
        click.echo(found.description)
    click.echo("\n状态：")
    for s in found.states:
        flags = "（起始）" if s.initial else ("（结束）" if s.final else "")
        who = f" — 办理：{found.roles[s.assignee].title}" if s.assignee else ""
        due = ""
        if s.deadline:
            unit = "个工作日" if s.deadline.unit == "working_days" else "天"
            due = f"，时限 {s.deadline.days}{unit}"
        click.echo(f"  {s.name}: {s.title}{flags}{who}{due}")
    click.echo("\n操作：")
    for a in found.actions:
        dest = " / ".join(b.to for b in a.branches)
        click.echo(f"  {a.name}: {a.title}  {', '.join(a.sources)} → {dest}  [{found.roles[a.role].title}]")
        for f in a.form:
            click.echo(f"      - {f.label}（{f.name}，{f.type}{'，必填' if f.required else ''}）")
        for c in a.checks:
            click.echo(f"      ✓ 检查 {c.name}")


def _definition_json(d: Any) -> dict[str, Any]:
    def field(f: Any) -> dict[str, Any]:
        out = {
            k: getattr(f, k)
            for k in (
                "name",
                "label",
                "type",
                "required",
                "min",
                "max",
                "min_length",
                "max_length",
                "pattern",
                "min_items",
                "max_items",
                "prefill",
            )
        }
        out["options"] = [{"value": o.value, "label": o.label} for o in f.options]
        out["fields"] = [field(c) for c in f.fields]
        return {k: v for k, v in out.items() if v not in (None, [], False) or k == "required"}

    return {
        "name": d.name,
        "title": d.title,
        "version": d.version,
        "states": [
            {"name": s.name, "title": s.title, "initial": s.initial, "final": s.final} for s in d.states
        ],
        "actions": [
            {
                "name": a.name,
                "title": a.title,
                "from": list(a.sources),
                "to": list(a.destinations),
                "role": a.role,
                "form": [field(f) for f in a.form],
                "checks": [c.name for c in a.checks],
            }
            for a in d.actions
        ],
    }


@workflows.command("schema")
def workflows_schema() -> None:
    """输出流程定义格式的 JSON Schema（与 workflows/schema.json 相同）。"""
    click.echo(schema_json(), nl=False)


# ---- orgs and users --------------------------------------------------------------------------------


@main.group()
def orgs() -> None:
    """组织架构。"""


@orgs.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def orgs_import(ctx: click.Context, file: Path) -> None:
    """从 YAML 文件导入组织架构（按编码新增或更新；文件有误时不导入任何内容）。

    文件格式：``organizations:`` 下每项含 code、name、type、parent、approver、full_members、
    probationary_members、term_start、term_end，以及可选的 doc_prefix（发文代字）、doc_next_serial
    （本年下一发文序号）、contact_name、contact_phone（请示附注的联系人、联系电话）。
    """
    from flowengine.service import parse_org_tree

    try:
        # typ="base" keeps every scalar as text, so a bad date is reported by field, not by the parser.
        loaded = YAML(typ="base").load(file.read_text(encoding="utf-8"))
    except (YAMLError, UnicodeDecodeError) as exc:
        fail(f"{file} 不是有效的 YAML：{exc}")
    items = loaded.get("organizations") if isinstance(loaded, dict) else None
    if not isinstance(items, list):
        fail(f"{file} 应包含 organizations: 列表")
    services = _services(ctx)
    try:
        specs = parse_org_tree(items, known=services.directory.org_codes())
    except ValidationFailed as exc:
        services.close()
        fail(f"{file}：{exc.summary}\n" + "\n".join(f"  {k}: {v}" for k, v in exc.errors.items()))
    try:
        created, updated = services.directory.import_orgs(specs, dt.datetime.now(dt.UTC))
    except ValidationFailed as exc:
        fail("\n".join(f"{k}: {v}" for k, v in exc.errors.items()))
    finally:
        services.close()
    click.echo(f"已导入 {file}：新增 {created} 个组织，更新 {updated} 个。")


@orgs.command("numbering")
@click.argument("code")
@click.option("--prefix", default=None, help="发文代字，如 三十一中党委（传空字符串则清除，改用名称缩写）")
@click.option("--next", "next_serial", default=None, help="本年下一发文序号（不能回到已用过的序号）")
@click.option("--contact", default=None, help="请示附注中的联系人（传空字符串则清除）")
@click.option("--phone", default=None, help="请示附注中的联系电话（传空字符串则清除）")
@click.pass_context
def orgs_numbering(
    ctx: click.Context,
    code: str,
    prefix: str | None,
    next_serial: str | None,
    contact: str | None,
    phone: str | None,
) -> None:
    """查看或设置组织的发文代字、本年发文序号和请示附注的联系人、联系电话。

    不带选项时只显示当前设置。例：flowengine orgs numbering zz31 --prefix 三十一中党委 --next 38
    """
    given = {
        key: value
        for key, value in (
            ("doc_prefix", prefix),
            ("doc_next_serial", next_serial),
            ("contact_name", contact),
            ("contact_phone", phone),
        )
        if value is not None
    }
    services = _services(ctx)
    try:
        changes, state = services.directory.numbering(code, given, dt.datetime.now(dt.UTC))
    except ValidationFailed as exc:
        fail(f"{exc.summary}\n" + "\n".join(f"  {k}: {v}" for k, v in exc.errors.items()))
    except FlowEngineError as exc:
        fail(exc.message)
    finally:
        services.close()
    own = state["doc_prefix"] or f"未设置（使用名称缩写“{state['prefix_in_force']}”）"
    click.echo(f"{state['name']}（{code}）")
    click.echo(f"  发文代字：{own}")
    click.echo(
        f"  {state['year']}年下一文号：{state['prefix_in_force']}〔{state['year']}〕{state['next_serial']}号"
    )
    click.echo(f"  联系人：{state['contact_name'] or '未设置（使用经办人）'}")
    click.echo(f"  联系电话：{state['contact_phone'] or '未设置'}")
    if given:
        click.echo(f"已修改 {len(changes)} 项。" if changes else "设置未变。")


@main.group()
def users() -> None:
    """用户与角色。"""


@users.command("add")
@click.argument("username")
@click.option("--name", "display_name", default="", help="显示姓名（默认同用户名）")
@click.option("--role", "roles", multiple=True, type=click.Choice(sorted(ROLES)), help="角色，可多次给出")
@click.option("--org", "org_codes", multiple=True, help="组织编码，与 --role 一一对应")
@click.option("--email", default=None)
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码（用于脚本）")
@click.pass_context
def users_add(
    ctx: click.Context,
    username: str,
    display_name: str,
    roles: tuple[str, ...],
    org_codes: tuple[str, ...],
    email: str | None,
    password_stdin: bool,
) -> None:
    """新增用户；密码从提示输入或标准输入读取，从不作为命令行参数。"""
    if len(roles) != len(org_codes):
        fail(f"--role 与 --org 须成对给出（现有 {len(roles)} 个角色、{len(org_codes)} 个组织）")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")
    services = _services(ctx)
    try:
        services.directory.add_user(
            username,
            display_name or username,
            password,
            list(zip(roles, org_codes, strict=True)),
            email=email,
        )
    except ValidationFailed as exc:
        fail(f"{exc.summary}\n" + "\n".join(f"  {k}: {v}" for k, v in exc.errors.items()))
    finally:
        services.close()
    pairs = "，".join(f"{ROLES[r]}@{o}" for r, o in zip(roles, org_codes, strict=True)) or "无角色"
    click.echo(f"已新增用户 {username}（{pairs}）。")


@users.command("token")
@click.argument("username")
@click.option("--name", default=None, help="新令牌的名称（用途，如“报表脚本”）")
@click.option("--revoke", "revoke_id", type=int, default=None, help="吊销该用户编号为 ID 的令牌")
@click.option("--list", "show_list", is_flag=True, help="列出该用户的令牌（不显示令牌本身）")
@click.option("--days", type=int, default=None, help="新令牌的有效期（天；默认 FLOWENGINE_TOKEN_DAYS）")
@click.option("--read-only", is_flag=True, help="新令牌只读（只能 GET）")
@click.pass_context
def users_token(
    ctx: click.Context,
    username: str,
    name: str | None,
    revoke_id: int | None,
    show_list: bool,
    days: int | None,
    read_only: bool,
) -> None:
    """为用户创建 API 令牌（仅显示一次，库中只存其哈希），或吊销、列出令牌。"""
    if sum((name is not None, revoke_id is not None, show_list)) != 1:
        fail("请给出 --name NAME（创建）、--revoke ID（吊销）或 --list（列出）中的一项")
    services = _services(ctx)
    try:
        user_id = services.directory.user_id(username)
        if show_list:
            for t in services.tokens.list_for(user_id):
                state = (
                    f"已吊销 {t.revoked_at:%Y-%m-%d %H:%M}Z"
                    if t.revoked_at
                    else ("已过期" if t.expired else f"有效至 {t.expires_at:%Y-%m-%d %H:%M}Z")
                )
                used = f"{t.last_used_at:%Y-%m-%d %H:%M}Z" if t.last_used_at else "从未使用"
                click.echo(f"{t.id}\tfe_{t.prefix}_…\t{t.name}\t{t.scope_title}\t{state}\t最近使用：{used}")
        elif revoke_id is not None:
            revoked = services.tokens.revoke(revoke_id, user_id)
            click.echo(f"已吊销 {username} 的令牌 {revoked.id}（{revoked.name}，fe_{revoked.prefix}_…）。")
        else:
            created = services.tokens.create(
                user_id, name or "", days=days, scope="read" if read_only else "write"
            )
            click.echo(created.token)
            click.echo(
                f"已为 {username} 创建令牌 {created.view.id}（{created.view.name}）。令牌只显示这一次，请妥善保存；"
                "请求时以 Authorization: Bearer 令牌 发送。",
                err=True,
            )
    except ValidationFailed as exc:
        fail(f"{exc.summary}\n" + "\n".join(f"  {k}: {v}" for k, v in exc.errors.items()))
    except FlowEngineError as exc:
        fail(exc.message)
    finally:
        services.close()


# ---- audit -----------------------------------------------------------------------------------------


@main.group()
def audit() -> None:
    """审计记录：校验哈希链与封存、封存、导出。"""


def _parse_at(at: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(at)
    except ValueError:
        fail(f"--at 应为 ISO 8601 时间（如 2026-10-11T08:00+08:00），而不是 {at!r}")
    if moment.tzinfo is None:
        fail("--at 须带时区（如 +08:00 或 Z）")
    return moment


def _parse_anchor(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> dict[int, str]:
    anchors: dict[int, str] = {}
    for value in values:
        seq, sep, digest = value.partition("=")
        if not sep or not seq.strip().isdigit() or len(digest.strip()) != 64:
            raise click.BadParameter(f"应为 封存号=摘要（64 位十六进制），而不是 {value!r}", ctx, param)
        anchors[int(seq)] = digest.strip()
    return anchors


def _key_ring(path: Path | None) -> Any:
    from flowengine.service import KeyRing

    if path is None:
        return None
    try:
        return KeyRing.load(path)
    except FlowEngineError as exc:
        fail(exc.message)


def _echo_signatures(report: Any) -> None:
    """Which keys signed the seals, and whether their signatures were checked."""
    if report.keys is None:
        if report.signed:
            click.echo(
                f"  封存签名未核对：未配置审计公钥（FLOWENGINE_AUDIT_PUBLIC_KEYS 或 --public-keys）；"
                f"签名密钥 {'、'.join(report.signed)}。"
            )
        elif report.seals:
            click.echo("  封存均未签名：能改写数据库的人可重新计算全部哈希与封存（见 docs/security.md）。")
        return
    for kid, n in report.signed.items():
        click.echo(f"  密钥 {report.keys.name(kid)}：签名 {n} 个封存，签名有效。")
    if report.unsigned_seals:
        click.echo(f"  另有 {report.unsigned_seals} 个配置密钥前的封存未签名，由其后已签名封存的摘要链担保。")


@audit.command("verify")
@click.option("--instance", "instance_id", type=int, default=None, help="只校验该申请的记录")
@click.option(
    "--export",
    "export_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="校验一份导出文件（CSV 或 JSON），无需数据库",
)
@click.option(
    "--expect-seal",
    "anchors",
    multiple=True,
    metavar="N=DIGEST",
    callback=_parse_anchor,
    help="第 N 号封存的摘要应为 DIGEST（此前由 audit seal 打印并在库外留存），可多次给出",
)
@click.option(
    "--public-keys",
    "public_keys",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="用该文件中的公钥核对封存签名（默认 FLOWENGINE_AUDIT_PUBLIC_KEYS）",
)
@click.pass_context
def audit_verify(
    ctx: click.Context,
    instance_id: int | None,
    export_file: Path | None,
    anchors: dict[int, str],
    public_keys: Path | None,
) -> None:
    """重新计算每条哈希链和每个封存并核对封存签名，指出被修改、删除、插入或重排的记录；发现问题时退出码为 1。"""
    from flowengine.service import load_export, verify_events

    if export_file is not None:
        if anchors:
            fail("--expect-seal 只能用于校验数据库，不能与 --export 同用")
        try:
            events, heads = load_export(export_file)
            report = verify_events(events, sealed_heads=heads)
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            fail(f"{export_file} 无法读取为审计导出文件：{exc}")
        source = str(export_file)
    else:
        keys = _key_ring(public_keys)
        services = _services(ctx)
        try:
            report = services.ledger.verify(instance_id, anchors=anchors, keys=keys)
        finally:
            services.close()
        source = "数据库" + (f"（申请 {instance_id}）" if instance_id is not None else "")
    for b in report.breaks:
        click.echo(f"✗ {b}", err=True)
    if not report.ok:
        click.echo(
            f"{source}：{report.chains} 条链、{report.events} 条记录中发现 {len(report.breaks)} 处问题。",
            err=True,
        )
        sys.exit(1)
    click.echo(f"✓ {source}：{report.chains} 条链、{report.events} 条记录，全部完好。")
    last = report.last_seal
    if last is not None:
        click.echo(
            f"  已核对 {report.seals} 个封存；最近为第 {last.seq} 号（截至事件 {last.last_event_id}，"
            f"封存于 {last.sealed_at.astimezone(CHINA):%Y-%m-%d %H:%M}），"
            f"摘要 {last.digest}；其后 {report.unsealed} 条记录尚未封存。"
        )
        _echo_signatures(report)
    elif export_file is None:
        click.echo("  尚无封存：末尾事件被删除或补写在封存之前无法发现（调度进程每次扫描时封存）。")


@audit.command("seal")
@click.option("--at", "at", default=None, help="以该时刻（ISO 8601，带时区）作为当前时间，不得晚于现在")
@click.pass_context
def audit_seal(ctx: click.Context, at: str | None) -> None:
    """封存早于宽限期（默认 5 分钟）的全部审计记录：此后删除或补写其中任何一条都会被 audit verify 发现。"""
    now = _parse_at(at) if at else None
    services = _services(ctx)
    try:
        if now is not None and now > services.flow.clock():
            fail("--at 不得晚于当前时间：封存不能超前于尚未写入的记录")
        seals = services.sealer.seal(now)
    except FlowEngineError as exc:
        fail(exc.message, 1)
    finally:
        services.close()
    if not seals:
        click.echo("没有需要封存的新记录。")
        return
    for seal in seals:
        signed = f"，由密钥 {seal.key_id} 签名" if seal.key_id else "，未签名"
        click.echo(
            f"第 {seal.seq} 号封存：事件 {seal.after_event_id + 1}–{seal.last_event_id}（{seal.event_count} 条），"
            f"摘要 {seal.digest}{signed}"
        )
    click.echo(
        "请在库外留存最后一个摘要（如 audit verify --expect-seal "
        f"{seals[-1].seq}={seals[-1].digest}），以便发现整段改写。"
    )


@audit.command("keygen")
@click.option(
    "--private-key",
    "private_key",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="私钥文件（默认 FLOWENGINE_AUDIT_SIGNING_KEY），权限 0600",
)
@click.option(
    "--public-keys",
    "public_keys",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="公钥文件（默认 FLOWENGINE_AUDIT_PUBLIC_KEYS），新公钥追加在末尾",
)
@click.option("--rotate", is_flag=True, help="替换已有私钥（轮换）；旧公钥保留在公钥文件中，用于核对旧封存")
@click.option("--comment", default=None, help="公钥的备注（默认 flowengine audit 日期）")
@click.pass_obj
def audit_keygen(
    settings: Settings, private_key: Path | None, public_keys: Path | None, rotate: bool, comment: str | None
) -> None:
    """生成（或 --rotate 轮换）签署审计封存的 Ed25519 密钥：私钥只放在运行调度进程的主机上，不进数据库。"""
    from flowengine.service import generate_audit_key

    private_key = private_key or settings.audit_signing_key
    public_keys = public_keys or settings.audit_public_keys
    if private_key is None or public_keys is None:
        fail(
            "请用 --private-key 与 --public-keys 指定文件，或设置 FLOWENGINE_AUDIT_SIGNING_KEY 与 FLOWENGINE_AUDIT_PUBLIC_KEYS"
        )
    assert private_key is not None and public_keys is not None
    if comment is not None and ("\n" in comment or "\r" in comment):
        fail("--comment 不能含换行")
    try:
        new = generate_audit_key(private_key, public_keys, rotate=rotate, comment=comment)
    except FlowEngineError as exc:
        fail(exc.message)
    click.echo(new.key.line)
    click.echo(
        f"已生成审计签名密钥 {new.key.id}：私钥 {new.private_path}（权限 0600），公钥已加入 {new.public_keys_path}。",
        err=True,
    )
    if new.retired is not None:
        click.echo(
            f"旧密钥 {new.retired.id} 的私钥已被替换；其公钥保留在 {new.public_keys_path} 中，它签过的封存仍可核对。",
            err=True,
        )
    click.echo(
        "请重启调度进程：此后的封存以新密钥签名。把公钥文件复制给核对审计记录的人（audit verify --public-keys）。",
        err=True,
    )


@audit.command("export")
@click.option("--instance", "instance_ids", type=int, multiple=True, help="申请编号，可多次给出（默认全部）")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), required=True)
@click.pass_context
def audit_export(ctx: click.Context, instance_ids: tuple[int, ...], fmt: str, out: Path) -> None:
    """导出审计记录（CSV 为带 BOM 的 UTF-8，可直接用 Excel 打开），含哈希，可离线校验。"""
    services = _services(ctx)
    try:
        with open_private(out, "w", encoding="utf-8", newline="") as fh:
            n = services.ledger.export(fh, fmt, instance_ids=list(instance_ids) or None)
    finally:
        services.close()
    click.echo(f"已导出 {n} 条记录到 {out}")


# ---- demo and server -------------------------------------------------------------------------------


@main.command()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """载入演示数据（市委教育工委、各学校党组织与支部、各角色用户）到空数据库。"""
    from flowengine.demo import load_demo

    services = _services(ctx)
    try:
        summary = load_demo(services)
    except FlowEngineError as exc:
        fail(exc.message)
    finally:
        services.close()
    click.echo(
        f"已载入演示数据：{summary.organizations} 个组织，{summary.users} 个用户，{summary.instances} 个申请。"
    )
    click.echo(f"登录密码均为 {summary.password}，例如：")
    for username, role in (
        ("zhangming", "支部书记（二十四中第一党支部）"),
        ("wangjianguo", "市委教育工委承办人"),
        ("zhaozhigang", "市委教育工委分管领导"),
        ("sunli", "纪检/巡察"),
        ("admin", "系统管理员"),
    ):
        click.echo(f"  {username:<12} {role}")


@main.command()
@click.option("--once", is_flag=True, required=True, help="执行一次扫描后退出（供 cron 与测试使用）")
@click.option("--at", "at", default=None, help="以该时刻（ISO 8601，如 2026-10-11T08:00+08:00）作为当前时间")
@click.pass_context
def escalate(ctx: click.Context, once: bool, at: str | None) -> None:
    """扫描到期事项：时限前催办、超期上报，检查任期届满，并封存审计记录（可多个进程同时运行，不会重复）。"""
    now = _parse_at(at) if at else None
    services = _services(ctx)
    try:
        counts = services.escalator.sweep(now)
    except FlowEngineError as exc:  # e.g. --at before the last seal's cutoff: nothing was written
        fail(exc.message)
    finally:
        services.close()
    click.echo(json.dumps(counts.as_dict(), ensure_ascii=False))


@main.command()
@click.option("--interval", default=60, show_default=True, type=click.IntRange(min=1), help="扫描间隔（秒）")
@click.pass_context
def scheduler(ctx: click.Context, interval: int) -> None:
    """作为独立进程定时运行催办与上报（生产环境中与 Web 进程分开运行，只运行一个或多个均安全）。"""
    from flowengine.logs import configure_logging
    from flowengine.scheduler import run_forever

    configure_logging()
    services = _services(ctx)
    try:
        run_forever(services, interval)
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        services.close()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--demo", "with_demo", is_flag=True, help="数据库为空时先载入演示数据")
@click.option(
    "--scheduler/--no-scheduler",
    "with_scheduler",
    default=None,
    help="在开发服务器内运行催办扫描（内置 SQLite 默认开启；生产环境请单独运行 flowengine scheduler）",
)
@click.option(
    "--production",
    is_flag=True,
    help="以 gunicorn 多进程方式运行（生产环境，PostgreSQL）；不在 Web 进程内运行催办扫描",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="--production 的工作进程数（默认 FLOWENGINE_WEB_WORKERS 或 2×CPU+1）",
)
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    with_demo: bool,
    with_scheduler: bool | None,
    production: bool,
    workers: int | None,
) -> None:
    """启动 Web 界面（默认为开发服务器；--production 为 gunicorn 多进程，配置见 docs/deployment.md）。"""
    from flowengine.demo import load_demo
    from flowengine.logs import configure_logging
    from flowengine.web import create_app

    if production:
        _serve_production(ctx, host, port, workers, with_demo, with_scheduler)
        return
    if workers is not None:
        fail("--workers 只能与 --production 一起使用")
    configure_logging()
    services = _services(ctx)
    if with_demo:
        try:
            summary = load_demo(services)
            click.echo(
                f"已载入演示数据，登录密码均为 {summary.password}（如 zhangming、wangjianguo、sunli、admin）。"
            )
        except FlowEngineError:
            click.echo("数据库已有数据，未重复载入演示数据。")
    app = create_app(services)
    if with_scheduler if with_scheduler is not None else ctx.obj.is_sqlite:
        from flowengine.scheduler import start_background

        start_background(services)
        click.echo("催办扫描已在本进程内运行（每 60 秒）。")
    click.echo(f"flowengine 已启动：http://{host}:{port}/ （数据库 {ctx.obj.database_url}）")
    app.run(host=host, port=port, debug=False, use_reloader=False)


def _serve_production(
    ctx: click.Context,
    host: str,
    port: int,
    workers: int | None,
    with_demo: bool,
    with_scheduler: bool | None,
) -> None:

    from flowengine.web import production

    if with_demo or with_scheduler:
        fail("--production 不载入演示数据，也不在 Web 进程内运行催办扫描：请另行运行 flowengine scheduler")
    services = _services(ctx)  # PostgreSQL: refuses an outdated schema (workers never migrate)
    try:
        production.prepare(services)
    finally:
        services.close()
    if ctx.obj.is_sqlite:
        click.echo(
            "提示：生产环境请使用 PostgreSQL（FLOWENGINE_DATABASE_URL）；SQLite 只适合单机小规模使用。",
            err=True,
        )
    if not ctx.obj.secret_key:
        click.echo(
            "提示：未设置 FLOWENGINE_SECRET_KEY，使用数据目录中的密钥文件；多台服务器须设置同一密钥。",
            err=True,
        )
    argv = production.gunicorn_argv(host, port, workers)
    click.echo(
        f"flowengine（生产模式）：http://{host}:{port}/ ，{workers or '默认数量的'}个工作进程；"
        "催办扫描请另行运行 flowengine scheduler。"
    )
    production.exec_gunicorn(argv)


if __name__ == "__main__":  # pragma: no cover
    main()
