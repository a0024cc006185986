"""The GB/T 9704 layout of a rendered .docx, checked where a LibreOffice rendering showed it wrong.

Each test opens the file the way Word reads it (python-docx and the raw XML) and checks one rule of the
standard the renderer once broke: the mark's distance from the top of the 版心, a long title broken
inside a word, a two-line title spread over four grid lines, the 印发日期 two characters in instead of
one, the 出席 list run straight under the text, property elements in an order Word refuses, and East
Asian text declared Japanese.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.shared import Mm, Pt
from lxml import etree

from flowengine.documents import OfficialDocument, Paragraph, Span, render
from flowengine.documents.layout import BODY_PT, NOTE_PT, TEXT_WIDTH_PT, TITLE_PT, _text_width, title_lines

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _doc(title: str, *, kind: str = "批复", attendance: tuple[Paragraph, ...] = ()) -> OfficialDocument:
    minutes = kind == "纪要"
    return OfficialDocument(
        kind=kind,
        mark="中共郑州市第三十一中学委员会" + ("会议纪要" if minutes else "文件"),
        number="三十一中党〔2026〕23号",
        title=title,
        recipient=None if minutes else "郑州市第三十一中学高二年级党支部",
        body=(Paragraph.of("你支部《关于委员会委员候选人预备人选的请示》收悉。"), Paragraph.of("此复。")),
        signature=None if minutes else "中共郑州市第三十一中学委员会",
        date=dt.date(2026, 11, 30),
        printed_by="中共郑州市第三十一中学委员会",
        attendance=attendance,
        author="中共郑州市第三十一中学委员会",
        direction="internal" if minutes else "down",
    )


def _open(doc: OfficialDocument) -> docx.document.Document:
    return docx.Document(io.BytesIO(render(doc)))


# Titles of the shipped documents long enough to need two lines, and where a clerk breaks them.
LONG_TITLES = {
    "关于郑州市第三十一中学高二年级党支部委员会委员候选人预备人选的批复": [
        "关于郑州市第三十一中学高二年级",
        "党支部委员会委员候选人预备人选的批复",
    ],
    "关于同意郑州市第三十一中学高二年级党支部召开党员大会进行换届选举的批复": [
        "关于同意郑州市第三十一中学高二年级党支部",
        "召开党员大会进行换届选举的批复",
    ],
    "关于同意郑东新区众意路小学党支部延期进行换届选举的批复": [
        "关于同意郑东新区众意路小学党支部",
        "延期进行换届选举的批复",
    ],
    "关于郑州市第三十一中学高二年级党支部换届选举结果的批复": [
        "关于郑州市第三十一中学高二年级党支部",
        "换届选举结果的批复",
    ],
    "关于2026年基层党组织换届选举工作督导情况的通报": ["关于2026年基层党组织换届选举工作", "督导情况的通报"],
}


@pytest.mark.parametrize("title", list(LONG_TITLES))
def test_a_long_title_breaks_between_words_and_each_line_fits(title: str) -> None:
    lines = title_lines(title)
    assert lines == LONG_TITLES[title]
    assert all(_text_width(line, TITLE_PT) <= TEXT_WIDTH_PT for line in lines)
    # In the file: one paragraph, the lines separated by a line break, off the 28 pt grid so that they
    # are set 35 pt apart rather than two grid lines (56 pt).
    d = _open(_doc(title))
    [p] = [p for p in d.paragraphs if p.text.replace("\n", "") == title]
    assert p.text.split("\n") == lines
    assert p._p.pPr.find(f"{W}snapToGrid").get(f"{W}val") == "0"
    assert p.paragraph_format.line_spacing.pt < 2 * 28


def test_a_title_that_fits_one_line_is_not_broken() -> None:
    assert title_lines("关于召开党员大会进行换届选举的请示") == ["关于召开党员大会进行换届选举的请示"]
    assert title_lines("关于教务处、德育处中层干部任免的会议纪要") == [
        "关于教务处、德育处中层干部任免的会议纪要"
    ]


def test_the_mark_stands_35_mm_below_the_top_of_the_text_block() -> None:
    d = _open(_doc("关于同意召开党员大会进行换届选举的批复"))
    mark = d.paragraphs[0]
    assert mark.text == "中共郑州市第三十一中学委员会文件"
    size = mark.runs[0].font.size.pt
    leading = mark.paragraph_format.line_spacing.pt - size
    assert mark.paragraph_format.space_before.pt + leading == pytest.approx(Mm(35).pt, abs=0.5)


def test_the_printing_date_is_one_character_from_the_right() -> None:
    d = _open(_doc("关于同意召开党员大会进行换届选举的批复"))
    [cell] = [c for row in d.tables[-1].rows for c in row.cells if c.text.endswith("印发")]
    pf = cell.paragraphs[0].paragraph_format
    [tab] = list(pf.tab_stops)
    assert pf.right_indent.pt == NOTE_PT and pf.left_indent.pt == NOTE_PT  # 印发机关 one character in
    assert tab.position.pt == pytest.approx(
        TEXT_WIDTH_PT - pf.right_indent.pt, abs=0.1
    )  # the date ends there


def test_the_attendance_follows_a_blank_line_and_runs_on_under_the_names() -> None:
    names = "、".join(f"成员{i}" for i in range(1, 16))
    doc = _doc(
        "关于教务处中层干部任免的会议纪要",
        kind="纪要",
        attendance=(
            Paragraph((Span("出席：", "heading"), Span(names))),
            Paragraph((Span("缺席：", "heading"), Span("周立群（公出）"))),
        ),
    )
    d = _open(doc)
    texts = [p.text for p in d.paragraphs]
    at = texts.index(f"出席：{names}")
    assert texts[at - 1] == "" and texts[at - 2] == "此复。"
    for p in d.paragraphs[at : at + 2]:
        pf = p.paragraph_format
        assert pf.first_line_indent.pt == -3 * BODY_PT  # the label hangs out of the block …
        assert pf.left_indent.pt == 5 * BODY_PT  # … two characters in, and the names align after it
        assert p.runs[0].text.endswith("：") and p.runs[0].font.name == "黑体"


def _sequences() -> dict[str, list[str]]:
    """The schema's order of each property element's children, as python-docx's own source declares it."""
    import docx.oxml.table
    import docx.oxml.text.font
    import docx.oxml.text.parfmt

    out = {}
    for name, module, cls in (
        ("pPr", docx.oxml.text.parfmt, "CT_PPr"),
        ("rPr", docx.oxml.text.font, "CT_RPr"),
        ("tblPr", docx.oxml.table, "CT_TblPr"),
    ):
        source = Path(module.__file__).read_text(encoding="utf-8")
        body = source[source.index(f"class {cls}(") :]
        seq = re.search(r"_tag_seq = \((.*?)\)", body, re.S)
        assert seq is not None
        out[name] = re.findall(r'"w:(\w+)"', seq.group(1))
    return out


@pytest.mark.parametrize("kind", ["批复", "纪要"])
def test_property_elements_are_in_the_order_word_requires(kind: str) -> None:
    """Word rejects a file whose w:pPr, w:rPr or w:tblPr children are out of the schema's order."""
    attendance = (Paragraph((Span("出席：", "heading"), Span("杨帆、何晓丽"))),) if kind == "纪要" else ()
    content = render(
        _doc("关于同意郑东新区众意路小学党支部延期进行换届选举的批复", kind=kind, attendance=attendance)
    )
    parts = zipfile.ZipFile(io.BytesIO(content))
    checked = 0
    for part in ("word/document.xml", "word/styles.xml", "word/footer1.xml", "word/footer2.xml"):
        if part not in parts.namelist():
            continue
        root = etree.fromstring(parts.read(part))
        for name, seq in _sequences().items():
            order = [f"{W}{t}" for t in seq]
            for el in root.iter(f"{W}{name}"):
                if el.getparent() is not None and el.getparent().tag == f"{W}pPrChange":
                    continue
                tags = [c.tag for c in el if c.tag in order]
                positions = [order.index(t) for t in tags]
                assert positions == sorted(positions), f"{part} {name}: {[t.replace(W, '') for t in tags]}"
                checked += 1
    assert checked > 50


def test_east_asian_text_is_declared_simplified_chinese() -> None:
    content = render(_doc("关于同意召开党员大会进行换届选举的批复"))
    parts = zipfile.ZipFile(io.BytesIO(content))
    for part in ("word/styles.xml", "word/settings.xml"):
        xml = parts.read(part).decode()
        assert "ja-JP" not in xml
        assert re.search(r'w:eastAsia="zh-CN"', xml)


def test_body_text_is_3_hao_with_a_two_character_indent() -> None:
    d = _open(_doc("关于同意召开党员大会进行换届选举的批复"))
    [p] = [p for p in d.paragraphs if p.text.startswith("你支部")]
    assert p.paragraph_format.first_line_indent == Pt(2 * BODY_PT)
    assert {r.font.size.pt for r in p.runs} == {BODY_PT}
