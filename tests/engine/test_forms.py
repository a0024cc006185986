"""Form validation: every field type, with the same rules for browser text and typed JSON."""

from __future__ import annotations

import pytest

from flowengine.definitions.model import FieldDef, Option
from flowengine.engine.forms import validate_form
from flowengine.errors import ValidationFailed

FIELDS = (
    FieldDef("name", "姓名", "string", required=True, max_length=4),
    FieldDef("count", "人数", "integer", min=3, max=9),
    FieldDef("ratio", "比例", "number", min=0, max=1),
    FieldDef("public", "是否公示", "boolean"),
    FieldDef("day", "日期", "date", min="2026-01-01"),
    FieldDef("month", "月份", "month"),
    FieldDef("method", "方式", "choice", options=(Option("secret", "无记名投票"), Option("show", "举手"))),
    FieldDef("duties", "分工", "multichoice", options=(Option("org", "组织委员"), Option("pub", "宣传委员"))),
    FieldDef(
        "rows",
        "名单",
        "list",
        min_items=1,
        max_items=2,
        fields=(FieldDef("n", "姓名", "string", required=True),),
    ),
)


def test_browser_text_is_coerced() -> None:
    got = validate_form(
        FIELDS,
        {
            "name": " 张明 ",
            "count": "5",
            "ratio": "0.2",
            "public": "on",
            "day": "2026-03-15",
            "month": "2026-12",
            "method": "secret",
            "duties": ["org", "pub"],
            "rows": [{"n": "李红"}],
        },
    )
    assert got == {
        "name": "张明",
        "count": 5,
        "ratio": 0.2,
        "public": True,
        "day": "2026-03-15",
        "month": "2026-12",
        "method": "secret",
        "duties": ["org", "pub"],
        "rows": [{"n": "李红"}],
    }


def test_optional_blanks_are_none_or_empty() -> None:
    got = validate_form(FIELDS, {"name": "王"})
    assert got["count"] is None and got["duties"] == [] and got["rows"] == []


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": ""}, "name", "请填写“姓名”"),
        ({"name": "欧阳修远方"}, "name", "不能超过 4 个字（现为 5 个字）"),
        ({"count": 2}, "count", "不能小于 3"),
        ({"count": 5.5}, "count", "请输入整数"),
        ({"count": True}, "count", "请输入整数"),
        ({"ratio": "x"}, "ratio", "请输入数字"),
        ({"public": "maybe"}, "public", "请选择是或否"),
        ({"day": "2025-12-31"}, "day", "不能早于 2026-01-01"),
        ({"month": "2026-13"}, "month", "请输入年月，格式如 2026-03"),
        ({"method": "vote"}, "method", "请从以下选项中选择：无记名投票、举手"),
        ({"duties": ["org", "boss"]}, "duties", "无效选项：boss"),
        ({"rows": [{"n": "a"}, {"n": "b"}, {"n": "c"}]}, "rows", "最多填写 2 行（现为 3 行）"),
        ({"rows": [{"n": ""}]}, "rows[0].n", "请填写“姓名”"),
        ({"rows": [{"n": "a", "x": 1}]}, "rows[0].x", "未知字段（该步骤的表单中没有此项）"),
    ],
)
def test_each_problem_is_named_by_its_field(data: dict, field: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        validate_form(FIELDS, {"name": "张明", **data})
    assert err.value.errors[field] == message
