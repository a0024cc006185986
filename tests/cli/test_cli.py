"""The command line as an administrator uses it: clear messages, exit 1 for invalid definitions, 2 for bad
arguments, and nothing changed by a refused command."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, func, select

from flowengine.cli import main
from flowengine.config import Settings
from flowengine.persistence.models import ApiToken, Organization, User
from flowengine.service import open_services
from tests.support.definitions import broken_copy, line_containing
from tests.support.paths import FIXTURE_WORKFLOWS, SHIPPED_WORKFLOWS


@pytest.fixture
def run(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {
        "FLOWENGINE_DATABASE_URL": database_url,
        "FLOWENGINE_DATA_DIR": str(tmp_path),
        "FLOWENGINE_WORKFLOWS_DIR": str(SHIPPED_WORKFLOWS),
        "FLOWENGINE_RULE_MODULES": "",
    }

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, list(args), env=env, input=input, catch_exceptions=False)

    invoke("db", "upgrade")
    return invoke


def count(database_url: str, model: type) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(model)) or 0
    finally:
        engine.dispose()


def test_validate_shipped_workflows_passes(run) -> None:  # type: ignore[no-untyped-def]
    result = run("workflows", "validate", str(SHIPPED_WORKFLOWS))
    assert result.exit_code == 0, result.output
    assert "✓" in result.output


def test_validate_broken_copy_reports_every_error_with_file_and_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = broken_copy()
    path = tmp_path / "broken.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("workflows", "validate", str(path), str(FIXTURE_WORKFLOWS))
    assert result.exit_code == 1
    for needle, message in [
        ("to: nowhere", "unknown state 'nowhere' in transition 'escalate'"),
        ("name: archived", "unreachable state 'archived'"),
        ("name: limbo", "state 'limbo' has no way out and is not final"),
        ("title: 再次批准", "duplicate action 'approve'"),
        ("role: janitor", "unknown role 'janitor'"),
        ("no_such_check", "unknown check 'no_such_check'"),
    ]:
        assert f"{path}:{line_containing(text, needle)} " in result.output and message in result.output, (
            message
        )
    assert "6 处错误" in result.output


def test_validate_without_yaml_files_is_a_usage_error(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("workflows", "validate", str(empty))
    assert result.exit_code == 2 and "没有 .yaml" in result.output


def test_orgs_import_and_users_add(run, database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tree = tmp_path / "orgs.yaml"
    tree.write_text(
        "organizations:\n"
        "  - {code: gw, name: 中共郑州市委教育工作委员会, type: work_committee}\n"
        "  - {code: b1, name: 郑州市实验小学党支部, type: branch, parent: gw, full_members: 23,"
        " term_start: 2024-06-20, term_end: 2027-06-19}\n",
        encoding="utf-8",
    )
    result = run("orgs", "import", str(tree))
    assert result.exit_code == 0 and "新增 2 个组织" in result.output
    result = run(
        "users",
        "add",
        "fengli",
        "--name",
        "冯莉",
        "--role",
        "secretary",
        "--org",
        "b1",
        "--password-stdin",
        input="a-long-password\n",
    )
    assert result.exit_code == 0, result.output
    assert count(database_url, User) == 1

    # A later file adds a school under the committee already imported, without repeating the tree.
    more = tmp_path / "more.yaml"
    more.write_text(
        "organizations:\n  - {code: b2, name: 郑州市第二中学党支部, type: branch, parent: gw}\n",
        encoding="utf-8",
    )
    result = run("orgs", "import", str(more))
    assert result.exit_code == 0 and "新增 1 个组织" in result.output, result.output
    assert count(database_url, Organization) == 3
    orphan = tmp_path / "orphan.yaml"
    orphan.write_text(
        "organizations:\n  - {code: b3, name: 支部, type: branch, parent: nowhere}\n", encoding="utf-8"
    )
    result = run("orgs", "import", str(orphan))
    assert (
        result.exit_code == 2 and "organizations[0].parent" in result.output and "'nowhere'" in result.output
    )
    assert count(database_url, Organization) == 3


def test_bad_input_changes_nothing(run, database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tree = tmp_path / "orgs.yaml"
    tree.write_text(
        "organizations:\n"
        "  - {code: gw, name: 工委, type: work_committee}\n"
        "  - {code: b1, name: 支部, type: cell, parent: nowhere, term_end: 2027-13-01}\n",
        encoding="utf-8",
    )
    result = run("orgs", "import", str(tree))
    assert result.exit_code == 2
    assert "organizations[1].type" in result.output and "organizations[1].parent" in result.output
    assert "organizations[1].term_end" in result.output
    assert count(database_url, Organization) == 0

    result = run(
        "users", "add", "x", "--role", "wizard", "--org", "gw", "--password-stdin", input="password123\n"
    )
    assert result.exit_code == 2 and "wizard" in result.output
    result = run(
        "users", "add", "x", "--role", "handler", "--org", "gw", "--password-stdin", input="password123\n"
    )
    assert result.exit_code == 2 and "组织编码 'gw' 不存在" in result.output
    result = run("users", "add", "x", "--role", "handler", "--password-stdin", input="password123\n")
    assert result.exit_code == 2 and "成对" in result.output
    assert count(database_url, User) == 0


def test_password_is_never_an_argument(run) -> None:  # type: ignore[no-untyped-def]
    result = run("users", "add", "x", "--password", "secret")
    assert result.exit_code == 2 and "No such option" in result.output


def test_demo_loads_once(run, database_url: str) -> None:  # type: ignore[no-untyped-def]
    result = run("demo")
    assert result.exit_code == 0, result.output
    assert "demo-2026" in result.output and "zhangming" in result.output
    assert count(database_url, Organization) >= 15
    again = run("demo")
    assert again.exit_code == 2 and "已有组织数据" in again.output


def test_workflows_show_unknown_name(run) -> None:  # type: ignore[no-untyped-def]
    result = run("workflows", "show", "no_such_procedure")
    assert result.exit_code == 2 and "no_such_procedure" in result.output


def test_users_token_creates_lists_and_revokes(run, database_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    tree = tmp_path / "orgs.yaml"
    tree.write_text(
        "organizations:\n  - {code: gw, name: 中共郑州市委教育工作委员会, type: work_committee}\n",
        encoding="utf-8",
    )
    assert run("orgs", "import", str(tree)).exit_code == 0
    for username in ("wangjianguo", "zhaozhigang"):
        added = run(
            "users",
            "add",
            username,
            "--role",
            "handler",
            "--org",
            "gw",
            "--password-stdin",
            input="a-long-password\n",
        )
        assert added.exit_code == 0, added.output
    services = open_services(
        Settings(database_url=database_url, data_dir=tmp_path, workflows_dir=SHIPPED_WORKFLOWS)
    )
    try:
        owner = services.directory.user_id("wangjianguo")

        created = run("users", "token", "wangjianguo", "--name", "报表脚本")
        assert created.exit_code == 0, created.output
        token = created.stdout.strip()  # stdout is the token alone, for a script to capture
        assert token.startswith("fe_") and "\n" not in token
        assert "令牌只显示这一次" in created.stderr and "报表脚本" in created.stderr
        assert services.tokens.authenticate(token).user_id == owner  # the token works: it is the owner's

        listed = run("users", "token", "wangjianguo", "--list")
        assert listed.exit_code == 0, listed.output
        [line] = listed.stdout.splitlines()
        [view] = services.tokens.list_for(owner)
        assert line.startswith(f"{view.id}\tfe_{view.prefix}_…\t报表脚本\t读写\t有效至 ")
        assert token not in listed.output and token.rsplit("_", 1)[1] not in listed.output

        # Refused: an unknown user, no or two operations, a token id of someone else, an unknown id.
        for args, message in [
            (("nobody-here", "--name", "x"), "用户 'nobody-here' 不存在"),
            (("nobody-here", "--list"), "用户 'nobody-here' 不存在"),
            (("wangjianguo",), "--name NAME"),
            (("wangjianguo", "--name", "x", "--list"), "--name NAME"),
            (("zhaozhigang", "--revoke", str(view.id)), f"令牌 {view.id} 不存在"),
            (("wangjianguo", "--revoke", "999999"), "令牌 999999 不存在"),
            (("wangjianguo", "--name", "  "), "请填写令牌名称"),
        ]:
            refused = run("users", "token", *args)
            assert refused.exit_code == 2 and message in refused.output, (args, refused.output)
        assert count(database_url, ApiToken) == 1
        assert services.tokens.authenticate(token).user_id == owner  # still valid after the refused revoke

        revoked = run("users", "token", "wangjianguo", "--revoke", str(view.id))
        assert revoked.exit_code == 0 and f"已吊销 wangjianguo 的令牌 {view.id}" in revoked.output, (
            revoked.output
        )
        assert services.tokens.authenticate(token) is None
        assert "\t已吊销 " in run("users", "token", "wangjianguo", "--list").stdout
    finally:
        services.close()


def test_orgs_numbering_shows_and_sets_the_prefix_the_sequence_and_the_contact(  # type: ignore[no-untyped-def]
    run, database_url: str, tmp_path: Path
) -> None:
    tree = tmp_path / "orgs.yaml"
    tree.write_text(
        "organizations:\n"
        "  - {code: gw, name: 中共郑州市委教育工作委员会, type: work_committee, doc_prefix: 郑教工委,"
        " doc_next_serial: 41, contact_name: 何晓丽, contact_phone: 0371-67188001}\n"
        "  - {code: b1, name: 郑州市实验小学党支部, type: branch, parent: gw}\n",
        encoding="utf-8",
    )
    assert run("orgs", "import", str(tree)).exit_code == 0
    result = run("orgs", "numbering", "gw")
    assert result.exit_code == 0, result.output
    year = dt.datetime.now(dt.UTC).year
    assert "发文代字：郑教工委" in result.output and f"郑教工委〔{year}〕41号" in result.output
    assert "联系电话：0371-67188001" in result.output
    # No 代字 set: the abbreviation of the name is in force, and shown as such.
    result = run("orgs", "numbering", "b1")
    assert (
        "未设置（使用名称缩写“实验小学支”）" in result.output and f"实验小学支〔{year}〕1号" in result.output
    )
    result = run("orgs", "numbering", "b1", "--prefix", "实小支", "--next", "12", "--phone", "0371-63925501")
    assert result.exit_code == 0 and "已修改 3 项。" in result.output, result.output
    assert f"实小支〔{year}〕12号" in result.output
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            row = conn.execute(
                select(Organization.doc_prefix, Organization.contact_phone).where(Organization.code == "b1")
            ).one()
    finally:
        engine.dispose()
    assert tuple(row) == ("实小支", "0371-63925501")
    # Bad values: each named, nothing changed.
    result = run("orgs", "numbering", "b1", "--prefix", "实小支〔2026〕", "--next", "0", "--phone", "call me")
    assert result.exit_code == 2
    assert (
        "doc_prefix: 发文代字只写机关代字" in result.output
        and "doc_next_serial: 下一发文序号应为" in result.output
    )
    assert "contact_phone: 联系电话只能包含数字" in result.output
    assert f"实小支〔{year}〕12号" in run("orgs", "numbering", "b1").output
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "organizations:\n  - {code: b2, name: 支部, type: branch, parent: gw, doc_next_serial: many}\n",
        encoding="utf-8",
    )
    result = run("orgs", "import", str(bad))
    assert result.exit_code == 2 and "organizations[0].doc_next_serial" in result.output
    assert run("orgs", "numbering", "nowhere").exit_code == 2
