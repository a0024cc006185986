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
from dataclasses import replace
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.shared import Mm, Pt
from lxml import etree

from flowengine.documents import OfficialDocument, Paragraph, Span, Verification, render
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
        "关于郑州市第三十一中学高二年级党支部",
        "委员会委员候选人预备人选的批复",
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
    "关于2026年基层党组织换届选举工作督导情况的通报": ["关于2026年基层党组织换届选举", "工作督导情况的通报"],
}


@pytest.mark.parametrize("title", list(LONG_TITLES))
def test_a_long_title_breaks_between_words_and_each_line_fits(title: str) -> None:
    lines = title_lines(title)
    assert lines == LONG_TITLES[title]
    assert all(_text_width(line, TITLE_PT) <= TEXT_WIDTH_PT for line in lines)
    widths = [_text_width(line, TITLE_PT) for line in lines]
    assert widths == sorted(widths, reverse=True)  # 梯形: the longer line on top
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
    [p] = [p for p in d.paragraphs if p.text.endswith("印发")]
    pf = p.paragraph_format
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


# ---- issue 17: titles that name an organization, the 版记 at the foot, the sealed signature, the 附注 ----

CPC_BRANCH = "中共郑州市第三十一中学高二年级党支部"


@pytest.mark.parametrize(
    ("title", "lines"),
    [
        # The name stands whole on the upper, longer line (it broke inside the name, shorter line on top).
        (
            f"关于{CPC_BRANCH}委员会委员候选人预备人选的批复",
            [f"关于{CPC_BRANCH}", "委员会委员候选人预备人选的批复"],
        ),
        (f"关于{CPC_BRANCH}换届选举结果的批复", [f"关于{CPC_BRANCH}", "换届选举结果的批复"]),
        # 关于同意 + the name is wider than a line: two lines, the upper the longer, broken at a unit of the
        # name (before its 党支部), not 关于同意 alone on top.
        (
            f"关于同意{CPC_BRANCH}召开党员大会进行换届选举的批复",
            ["关于同意中共郑州市第三十一中学高二年级", "党支部召开党员大会进行换届选举的批复"],
        ),
    ],
)
def test_a_title_keeps_the_organization_name_whole_and_the_longer_line_on_top(
    title: str, lines: list[str]
) -> None:
    assert title_lines(title, keep=(CPC_BRANCH,)) == lines
    d = _open(replace(_doc(title), title_keep=(CPC_BRANCH,)))
    [p] = [p for p in d.paragraphs if p.text.replace("\n", "") == title]
    assert p.text.split("\n") == lines


def _frame(p: docx.text.paragraph.Paragraph) -> dict[str, str] | None:
    fp = p._p.pPr.find(f"{W}framePr") if p._p.pPr is not None else None
    return None if fp is None else {k.replace(W, ""): v for k, v in fp.attrib.items()}


def test_the_colophon_stands_in_frames_at_the_foot_of_the_last_page() -> None:
    """GB/T 9704 §7.4: the 版记 at the foot of the last page (it stood mid-page after the text), its rules
    the width of the 版心: thick above the 抄送, thin between, thick below the 印发 line."""
    doc = replace(_doc("关于同意召开党员大会进行换届选举的批复"), copies_to=("中共郑州市委教育工作委员会",))
    d = _open(doc)
    paragraphs = d.paragraphs
    copies = next(i for i, p in enumerate(paragraphs) if p.text.startswith("抄送："))
    printed = next(i for i, p in enumerate(paragraphs) if p.text.endswith("印发"))
    assert printed == copies + 1 and not d.tables
    width = str(int(Mm(156).twips))
    common = {"w": width, "wrap": "notBeside", "vAnchor": "margin", "hAnchor": "margin"}
    # The 印发 row at the bottom of the 版心, the 抄送 row one row (28 pt and its rules) above it.
    assert _frame(paragraphs[printed]) == {**common, "xAlign": "center", "yAlign": "bottom"}
    row_top = Mm(225).pt - 2 * (28 + 1.5)
    assert _frame(paragraphs[copies]) == {**common, "x": "0", "y": str(int(row_top * 20))}

    def rule(p: docx.text.paragraph.Paragraph, side: str) -> str | None:
        el = p._p.pPr.find(f"{W}pBdr/{W}{side}")
        return None if el is None else el.get(f"{W}sz")

    assert (rule(paragraphs[copies], "top"), rule(paragraphs[copies], "bottom")) == ("8", "4")
    assert (rule(paragraphs[printed], "top"), rule(paragraphs[printed], "bottom")) == (None, "8")
    # The frames' anchor follows them, one point high and empty, and nothing else does.
    assert [p.text for p in paragraphs[printed + 1 :]] == [""]
    assert paragraphs[-1].paragraph_format.line_spacing.pt == 1.0
    assert _frame(paragraphs[-1]) is None
    # Without a 抄送 the 印发 row alone, at the bottom, ruled above and below.
    d = _open(_doc("关于同意召开党员大会进行换届选举的批复"))
    [only] = [p for p in d.paragraphs if _frame(p) is not None]
    assert only.text.endswith("印发") and (rule(only, "top"), rule(only, "bottom")) == ("8", "8")


def _closing(d: docx.document.Document, doc: OfficialDocument) -> tuple[Any, Any]:
    texts = [p.text for p in d.paragraphs]
    i = texts.index(doc.signature)
    return d.paragraphs[i], d.paragraphs[i + 1]


def test_a_sealed_document_dates_four_characters_from_the_right_and_centres_the_signature() -> None:
    """GB/T 9704-2012 §7.3.5.1: 成文日期右空四字, the 署名 centred on it, room for the 印章 above."""
    doc = replace(_doc("关于同意召开党员大会进行换届选举的批复"), sealed=True)
    sig, day = _closing(_open(doc), doc)
    date = "2026年11月30日"
    assert day.text == date
    day_left = day.paragraph_format.left_indent.pt
    assert day_left + _text_width(date) == pytest.approx(TEXT_WIDTH_PT - 4 * BODY_PT, abs=0.1)
    sig_left = sig.paragraph_format.left_indent.pt
    sig_centre = sig_left + _text_width(doc.signature) / 2
    assert sig_centre == pytest.approx(day_left + _text_width(date) / 2, abs=0.1)
    assert sig.paragraph_format.space_before.pt == 2 * 28  # two blank lines: the seal's top within a line
    assert day.paragraph_format.space_before.pt == 0


def test_an_unsealed_document_keeps_the_signature_two_characters_from_the_right() -> None:
    """§7.3.5.2, unchanged for documents without a seal (a 报告, a 纪要's kin)."""
    doc = replace(_doc("关于同意召开党员大会进行换届选举的批复"), sealed=False)
    sig, day = _closing(_open(doc), doc)
    sig_left = sig.paragraph_format.left_indent.pt
    assert sig_left + _text_width(doc.signature) == pytest.approx(TEXT_WIDTH_PT - 2 * BODY_PT, abs=0.1)
    assert day.paragraph_format.left_indent.pt == pytest.approx(sig_left + 2 * BODY_PT, abs=0.1)
    assert sig.paragraph_format.space_before.pt == 28


def test_the_note_stands_below_the_date_two_characters_in() -> None:
    doc = replace(
        _doc("关于召开党员大会进行换届选举的请示", kind="请示"),
        sealed=True,
        note="（联系人：马骏，联系电话：0371-63821234）",
    )
    d = _open(doc)
    texts = [p.text for p in d.paragraphs]
    i = texts.index(doc.note)
    assert texts[i - 1] == "2026年11月30日"
    assert d.paragraphs[i].paragraph_format.left_indent.pt == 2 * BODY_PT


def test_the_verification_block_carries_a_qr_code_that_scans_to_its_payload() -> None:
    """扫码验真: the QR image in the .docx decodes (zxing-cpp) to the payload; the code is printed beside it
    and stored as the file's identifier."""
    import zxingcpp
    from PIL import Image

    v = Verification(
        "7K3QD-M9XTA", "https://oa.example.cn/verify/7K3QD-M9XTA", "https://oa.example.cn/verify"
    )
    content = render(replace(_doc("关于同意召开党员大会进行换届选举的批复"), verification=v))
    d = docx.Document(io.BytesIO(content))
    [image] = [r.target_part.blob for r in d.part.rels.values() if "image" in r.reltype]
    [found] = zxingcpp.read_barcodes(Image.open(io.BytesIO(image)))
    assert found.text == v.payload
    [p] = [p for p in d.paragraphs if "7K3QD-M9XTA" in p.text]
    # In a frame of its own, right-aligned, just above the 版记's frame.
    assert _frame(p) is not None and "y" in _frame(p) and p.paragraph_format.alignment == 2
    assert d.core_properties.identifier == "7K3QD-M9XTA"
    # Above the 版记 rows, in the same frame.
    texts = [q.text for q in d.paragraphs]
    assert texts.index(p.text) < next(i for i, t in enumerate(texts) if t.endswith("印发"))
