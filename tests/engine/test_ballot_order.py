"""Tests for the 姓氏笔画 ballot ordering (flowengine.engine.ballot_order)."""

from __future__ import annotations

import logging
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from flowengine.engine import ballot_order
from flowengine.engine.ballot_order import (
    COMPOUND_SURNAMES,
    order_by_surname_strokes,
    order_records_by_surname_strokes,
    stroke_count,
    stroke_key,
    stroke_sequence,
    surname_of,
)

LOGGER_NAME = "flowengine.engine.ballot_order"

# Standard stroke counts of the simplified forms (通用规范汉字表), written out
# independently of the data package so that a wrong or swapped table fails.
EXPECTED_STROKES = {
    "丁": 2, "于": 3, "万": 3, "马": 3,
    "王": 4, "韦": 4, "方": 4, "尹": 4, "邓": 4, "毛": 4, "孔": 4,
    "龙": 5, "叶": 5, "冯": 5, "田": 5, "卢": 5, "石": 5, "付": 5, "白": 5, "史": 5,
    "刘": 6, "孙": 6, "朱": 6, "许": 6, "吕": 6, "任": 6, "江": 6, "闫": 6, "向": 6, "汤": 6,
    "李": 7, "张": 7, "陈": 7, "杨": 7, "吴": 7, "何": 7, "宋": 7, "肖": 7, "余": 7, "杜": 7,
    "苏": 7, "沈": 7, "陆": 7, "汪": 7, "邹": 7, "邱": 7, "邵": 7, "严": 7,
    "周": 8, "林": 8, "罗": 8, "郑": 8, "范": 8, "金": 8, "孟": 8, "武": 8,
    "赵": 9, "胡": 9, "姚": 9, "姜": 9, "钟": 9, "段": 9, "侯": 9, "贺": 9, "郝": 9,
    "徐": 10, "郭": 10, "高": 10, "唐": 10, "袁": 10, "贾": 10, "夏": 10, "秦": 10, "陶": 10,
    "顾": 10, "钱": 10, "莫": 10,
    "黄": 11, "梁": 11, "曹": 11, "崔": 11, "龚": 11,
    "谢": 12, "韩": 12, "彭": 12, "曾": 12, "董": 12, "蒋": 12, "程": 12, "覃": 12,
    "雷": 13,
    "蔡": 14, "谭": 14, "廖": 14, "熊": 14,
    "潘": 15, "黎": 15,
    "薛": 16,
    "魏": 17, "戴": 17,
}  # fmt: skip

# 中共二十届中央政治局委员名单（按姓氏笔画为序）, as published.
# fmt: off
POLITBURO_20 = [
    "丁薛祥", "习近平", "马兴瑞", "王毅", "王沪宁", "尹力", "石泰峰", "刘国中", "李希", "李强", "李干杰", "李书磊",
    "李鸿忠", "何卫东", "何立峰", "张又侠", "张国清", "陈文清", "陈吉宁", "陈敏尔", "赵乐际", "袁家军", "黄坤明", "蔡奇",
]
# fmt: on


# --- data -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("char", "strokes"), sorted(EXPECTED_STROKES.items()))
def test_stroke_count_of_common_surnames(char: str, strokes: int) -> None:
    assert stroke_count(char) == strokes


def test_stroke_sequences_use_heng_shu_pie_dian_zhe_codes() -> None:
    assert stroke_sequence("王") == "1121"  # 横 横 竖 横
    assert stroke_sequence("于") == "112"
    assert stroke_sequence("万") == "153"
    assert stroke_sequence("马") == "551"
    assert stroke_sequence("丁") == "12"


def test_data_comes_from_the_full_library_table_not_a_short_list() -> None:
    # The whole CJK Unified Ideographs block U+4E00..U+9FA5, traditional forms included.
    assert stroke_count("龘") == 48
    assert stroke_count("黃") == 12
    assert stroke_count("劉") == 15
    assert stroke_count("鄭") == 14


def test_known_data_error_is_corrected() -> None:
    # bh.txt lists 达 with 5 strokes; it is 大 (3) + 辶 (3).
    assert stroke_count("达") == 6
    assert stroke_sequence("达") == "134454"


def test_unknown_character_has_no_count() -> None:
    assert stroke_count("𠀾") is None  # CJK Extension B, outside the data
    assert stroke_sequence("A") is None


# --- surnames -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "surname"),
    [
        ("王伟", "王"),
        ("欧阳娜娜", "欧阳"),
        ("司马光", "司马"),
        ("上官婉儿", "上官"),
        ("诸葛亮", "诸葛"),
        ("令狐冲", "令狐"),
        ("慕容复", "慕容"),
        ("长孙无忌", "长孙"),
        ("欧阳", "欧"),  # two characters: surname 欧 + given name 阳
        ("欧明", "欧"),
        (" 欧阳　修 ", "欧阳"),  # padding spaces are ignored
        ("", ""),
    ],
)
def test_surname_of(name: str, surname: str) -> None:
    assert surname_of(name) == surname


def test_compound_surname_list_covers_the_common_ones() -> None:
    common = {
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "令狐",
        "司徒",
        "夏侯",
        "长孙",
        "宇文",
    }
    assert common <= COMPOUND_SURNAMES
    assert all(len(s) == 2 for s in COMPOUND_SURNAMES)


# --- ordering -------------------------------------------------------------------------------------


def test_orders_by_surname_stroke_count_first() -> None:
    names = ["魏征", "李白", "王维", "丁一", "马超", "黄忠", "赵云", "郑和", "龙飞", "刘备"]
    assert order_by_surname_strokes(names) == [
        "丁一",
        "马超",
        "王维",
        "龙飞",
        "刘备",
        "李白",
        "郑和",
        "赵云",
        "黄忠",
        "魏征",
    ]


def test_stroke_count_beats_stroke_order() -> None:
    # 马 starts with 折 (5) but has 3 strokes; 王 starts with 横 (1) but has 4.
    assert order_by_surname_strokes(["王五", "马六"]) == ["马六", "王五"]


def test_equal_counts_are_broken_by_first_strokes_heng_shu_pie_dian_zhe() -> None:
    # Three 3-stroke surnames: 于 一一丨 (112) < 万 一乛丿 (153) < 马 乛乛一 (551).
    assert order_by_surname_strokes(["马云", "万里", "于丹"]) == ["于丹", "万里", "马云"]
    # Seven-stroke surnames starting 横 李, 撇 何, 点 汪, 折 张.
    assert order_by_surname_strokes(["张三", "汪洋", "何平", "李四"]) == ["李四", "何平", "汪洋", "张三"]
    # Same first stroke: the second stroke decides (于 112 before 万 153).
    assert stroke_key("于一") < stroke_key("万一")


def test_given_names_are_compared_after_the_surname() -> None:
    assert order_by_surname_strokes(["张三", "张一", "张二"]) == ["张一", "张二", "张三"]
    assert order_by_surname_strokes(["李鸿忠", "李干杰", "李书磊"]) == ["李干杰", "李书磊", "李鸿忠"]


def test_single_character_given_names_come_first_within_a_surname() -> None:
    # As in the published lists: 王毅 (毅 15 strokes) before 王沪宁 (沪 7).
    assert order_by_surname_strokes(["王沪宁", "王毅"]) == ["王毅", "王沪宁"]
    assert order_by_surname_strokes(["李干杰", "李强", "李希"]) == ["李希", "李强", "李干杰"]


def test_reproduces_a_published_list_in_surname_stroke_order() -> None:
    shuffled = POLITBURO_20[:]
    random.Random(20).shuffle(shuffled)
    assert order_by_surname_strokes(shuffled) == POLITBURO_20
    assert order_by_surname_strokes(reversed(POLITBURO_20)) == POLITBURO_20


def test_compound_surname_is_compared_as_a_unit() -> None:
    # Char by char, 欧阳一 (阳 6 strokes) would precede 欧德 (德 15); as a unit
    # every 欧 comes before every 欧阳.
    assert order_by_surname_strokes(["欧阳一", "欧德"]) == ["欧德", "欧阳一"]
    # Two compound surnames sharing 司: 马 (3) before 徒 (10).
    assert order_by_surname_strokes(["司徒雷", "司马光"]) == ["司马光", "司徒雷"]
    # Same compound surname: the given names decide.
    assert order_by_surname_strokes(["欧阳锋", "欧阳修", "欧阳克"]) == ["欧阳克", "欧阳修", "欧阳锋"]
    # 欧阳修 is surname 欧阳 + 单名 修, so it is not pushed behind 欧阳娜娜 as a 双名 would be.
    assert order_by_surname_strokes(["欧阳娜娜", "欧阳修"]) == ["欧阳修", "欧阳娜娜"]


def test_full_name_is_the_final_tie_break() -> None:
    # 己 and 已 have the same strokes (乛一乛): only the full name can separate them.
    assert stroke_sequence("己") == stroke_sequence("已")
    expected = ["王己", "王已"]
    assert order_by_surname_strokes(["王已", "王己"]) == expected
    assert order_by_surname_strokes(["王己", "王已"]) == expected


def test_padding_and_compatibility_forms_do_not_change_the_order() -> None:
    assert stroke_key("王　伟")[:3] == stroke_key("王伟")[:3]
    assert order_by_surname_strokes(["李四", "王　伟"]) == ["王　伟", "李四"]
    # U+F90A (CJK compatibility ideograph 金) is folded onto 金 by NFKC.
    assert stroke_key("\uf90a一")[:3] == stroke_key("金一")[:3]


def test_minority_name_separator_is_skipped() -> None:
    key = stroke_key("阿依古丽·买买提")
    assert len(key[2]) == 6
    assert order_by_surname_strokes(["阿依古丽·买买提", "王伟"]) == ["王伟", "阿依古丽·买买提"]


def test_explicit_surname_overrides_the_guess() -> None:
    assert stroke_key("东方红", surname="东")[0] == stroke_key("东红")[0]
    assert stroke_key("东方红")[0] != stroke_key("东方红", surname="东")[0]
    with pytest.raises(ValueError):
        stroke_key("王伟", surname="李")


def test_blank_name_is_rejected() -> None:
    with pytest.raises(ValueError):
        stroke_key("  ")
    with pytest.raises(ValueError):
        order_by_surname_strokes(["王伟", ""])


# --- unknown characters ---------------------------------------------------------------------------


def test_unknown_characters_sort_last_and_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    names = ["𠀾小明", "魏征", "X王", "丁一"]
    with caplog.at_level(logging.WARNING, logger=LOGGER_NAME):
        ordered = order_by_surname_strokes(names)
    # Unknown surnames come after every known one, ordered by code point.
    assert ordered == ["丁一", "魏征", "X王", "𠀾小明"]
    warned = " ".join(r.getMessage() for r in caplog.records if r.name == LOGGER_NAME)
    assert "U+2003E" in warned
    assert "U+0058" in warned
    assert all(r.levelno == logging.WARNING for r in caplog.records if r.name == LOGGER_NAME)


def test_unknown_character_in_given_name_sorts_after_known_ones(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger=LOGGER_NAME):
        ordered = order_by_surname_strokes(["王𠀾", "王龘", "王一"])
    assert ordered == ["王一", "王龘", "王𠀾"]
    assert any("U+2003E" in r.getMessage() for r in caplog.records)


def test_unknown_characters_order_deterministically() -> None:
    names = ["王𠀾", "王𠀍", "王𠀀"]
    assert (
        order_by_surname_strokes(names)
        == order_by_surname_strokes(reversed(names))
        == ["王𠀀", "王𠀍", "王𠀾"]
    )


def test_known_names_do_not_warn(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger=LOGGER_NAME):
        order_by_surname_strokes(POLITBURO_20)
    assert not [r for r in caplog.records if r.name == LOGGER_NAME]


# --- records --------------------------------------------------------------------------------------


def test_records_are_ordered_by_name_and_stable_for_namesakes() -> None:
    records = [
        {"id": 1, "name": "李四"},
        {"id": 2, "name": "王伟"},
        {"id": 3, "name": "丁一"},
        {"id": 4, "name": "王伟"},
        {"id": 5, "name": "王伟"},
    ]
    ordered = order_records_by_surname_strokes(records)
    assert [r["id"] for r in ordered] == [3, 2, 4, 5, 1]
    assert all(any(o is r for r in records) for o in ordered)  # the records themselves, not copies
    assert [r["id"] for r in records] == [1, 2, 3, 4, 5]  # input untouched
    reordered = order_records_by_surname_strokes(list(reversed(records)))
    assert [r["id"] for r in reordered] == [3, 5, 4, 2, 1]


def test_records_with_another_field_and_a_generator() -> None:
    records = ({"xm": n, "n": i} for i, n in enumerate(["马云", "于丹", "万里"]))
    assert [r["xm"] for r in order_records_by_surname_strokes(records, field="xm")] == [
        "于丹",
        "万里",
        "马云",
    ]


def test_records_surname_field_settles_ambiguous_names() -> None:
    records = [{"name": "东方红", "surname": "东"}, {"name": "东方明", "surname": ""}, {"name": "东一"}]
    ordered = order_records_by_surname_strokes(records, surname_field="surname")
    # 东方红 is read as 东 + 方红 (双名), so after 东一 (单名); 东方明 stays a 复姓 (after every 东).
    assert [r["name"] for r in ordered] == ["东一", "东方红", "东方明"]


def test_records_missing_or_bad_field() -> None:
    with pytest.raises(KeyError):
        order_records_by_surname_strokes([{"name": "王伟"}, {"xm": "李四"}])
    with pytest.raises(TypeError):
        order_records_by_surname_strokes([{"name": None}])


# --- purity ---------------------------------------------------------------------------------------


def test_module_imports_alone_without_web_or_database_libraries() -> None:
    src = Path(ballot_order.__file__).resolve().parents[2]
    code = (
        "import sys\n"
        "from flowengine.engine.ballot_order import order_by_surname_strokes as o\n"
        "assert o(['王五', '丁一']) == ['丁一', '王五']\n"
        "bad = {'flask', 'sqlalchemy', 'apscheduler', 'alembic'} & set(sys.modules)\n"
        "assert not bad, bad\n"
    )
    env = {**os.environ, "PYTHONPATH": str(src)}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
