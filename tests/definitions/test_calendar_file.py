"""The holiday file: a published schedule read with every mistake reported at once, with its line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from flowengine.config import Settings
from flowengine.definitions.calendar_file import load_calendar_file
from flowengine.engine import calendar
from flowengine.errors import DefinitionError
from flowengine.service import open_services
from tests.support.paths import SHIPPED_WORKFLOWS

D = dt.date

GOOD = """\
# 国务院办公厅关于2031年部分节假日安排的通知（示例）
2031:
  source: 国办发明电〔2030〕7号
  holidays:
    - 2031-01-01
    - 2031-01-22..2031-01-29
  workdays:
    - 2031-01-19
    - 2031-02-08
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "holidays.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_published_schedule_is_read(tmp_path: Path) -> None:
    supplement = load_calendar_file(write(tmp_path, GOOD))
    assert supplement.years == {2031}
    assert supplement.sources == {2031: "国办发明电〔2030〕7号"}
    assert len(supplement.holidays) == 1 + 8 and D(2031, 1, 29) in supplement.holidays
    assert supplement.workdays == {D(2031, 1, 19), D(2031, 2, 8)}


def test_every_mistake_is_reported_with_its_line(tmp_path: Path) -> None:
    text = """\
2031:
  holidays:
    - 2031-01-01
    - 2031-02-30
    - 2032-01-01
    - 2031-01-29..2031-01-22
    - 2031-05-01..2031-05-05
  workdays:
    - 2031-01-20
    - 2031-05-03
  note: x
spring:
  holidays: []
2032:
  workdays: []
"""
    with pytest.raises(DefinitionError) as err:
        load_calendar_file(write(tmp_path, text))
    got = [(p.line, p.message) for p in err.value.problems]
    assert all(p.file.endswith("holidays.yaml") for p in err.value.problems)
    assert got == [
        (11, "未知的项“note”（可用：holidays、workdays、source）"),
        (4, "“2031-02-30”不是有效日期：day is out of range for month"),
        (5, "2032-01-01 不属于 2031 年"),
        (6, "区间“2031-01-29..2031-01-22”的结束日期早于开始日期"),
        (9, "2031-01-20 是工作日（周一至周五），调休上班日只能是周六或周日"),
        (1, "2031-05-03 同时列为放假日和调休上班日"),
    ] + [(12, "“spring”不是年份"), (14, "2032 年缺少 holidays（放假日期）")]


def test_a_file_that_is_not_yaml_or_not_there_is_named(tmp_path: Path) -> None:
    with pytest.raises(DefinitionError) as err:
        load_calendar_file(write(tmp_path, "2031:\n  holidays: [2031-01-01\n"))
    [problem] = err.value.problems
    assert problem.line is not None and "YAML 语法错误" in problem.message
    with pytest.raises(DefinitionError) as err:
        load_calendar_file(tmp_path / "missing.yaml")
    assert "无法读取节假日文件" in str(err.value)


def test_services_install_the_configured_file(tmp_path: Path) -> None:
    settings = Settings(
        f"sqlite:///{tmp_path / 'db.sqlite3'}",
        tmp_path,
        SHIPPED_WORKFLOWS,
        calendar_file=write(tmp_path, GOOD),
    )
    services = open_services(settings)
    try:
        assert not calendar.is_working_day(D(2031, 1, 22))
        assert calendar.last_known_year() == 2031
    finally:
        services.close()
        calendar.install_supplement(None)
    assert calendar.is_working_day(D(2031, 1, 22))
    assert (
        Settings.from_env({"FLOWENGINE_CALENDAR_FILE": str(tmp_path / "h.yaml")}).calendar_file
        == tmp_path / "h.yaml"
    )
