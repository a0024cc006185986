"""Lay an :class:`OfficialDocument` out as a .docx in the format of GB/T 9704-2012《党政机关公文格式》.

What the standard fixes and this module reproduces:

* A4 paper; 版心 156 × 225 mm, so margins of 37 mm (top), 28 mm (left, 订口), 26 mm (right), 35 mm (bottom).
* Body in 3号 (16 pt) 仿宋_GB2312, 22 lines of 28 characters a page: an exact 28 pt line pitch, and a
  0.25 pt tighter character spacing so that 28 full-width characters fit the 156 mm line.
* 版头: the 发文机关标志 in red 小标宋 centred; two lines below it the 发文字号 — centred on a downward
  document, or flush left (空一字) with the 签发人 flush right (空一字) on an upward one (请示, 报告);
  4 mm below, a red rule the width of the 版心.
* 主体: the title in 2号 (22 pt) 小标宋 centred two lines below the rule; the 主送机关 one line below it,
  flush left, ending in a full-width colon; body paragraphs indented two characters, first-level
  headings in 黑体; the 发文机关署名 and 成文日期 as below; the 附注 below the date, two characters in.
* 版记: 抄送 and 印发机关/印发日期 in 4号 (14 pt) 仿宋 between a thick, a thin and a thick rule, in a frame
  at the foot of the last page; above it the 扫码验真 block (QR code and verification code).
* Signature: laid out for the 印章 (§7.3.5.1) on a sealed document (请示, 批复), without it (§7.3.5.2)
  otherwise.
* 页码: "— 1 —" in 4号 半角宋体 below the 版心, right on odd pages and left on even pages, one
  character in.

Fonts are named as Chinese offices install them (仿宋_GB2312, 方正小标宋简体, 黑体, 楷体_GB2312), each with
the name of the font Windows ships as an alternative in the file's font table, so a machine without the
GB2312 fonts still picks 仿宋 / 宋体 / 楷体 rather than a Latin default.

The output is byte-for-byte reproducible: the same document gives the same file (fixed zip timestamps and
core properties), so a stored file's hash can be checked by rendering its data again.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable
from typing import Any

from docx import Document as new_document
from docx.document import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run
from lxml import etree

from flowengine.chinese import chinese_date
from flowengine.documents.model import OfficialDocument, Paragraph

MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

FANGSONG = "仿宋_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
HEITI = "黑体"
KAITI = "楷体_GB2312"
SONGTI = "宋体"
#: Font-table alternatives (w:altName) for machines without the GB2312 / 方正 fonts.
_ALT_NAMES = {FANGSONG: "仿宋", XIAOBIAOSONG: "宋体", KAITI: "楷体", HEITI: "SimHei", SONGTI: "SimSun"}

BODY_PT = 16.0  # 3号
TITLE_PT = 22.0  # 2号
NOTE_PT = 14.0  # 4号
LINE_PT = 28.0
TITLE_LINE_PT = 35.0  # the lines of a two-line title, closer than two grid lines
SEAL_SPACE_LINES = 2  # a sealed signature stands two blank lines below the text, room for the 印章
MARK_TOP_PT = Mm(35).pt  # the 发文机关标志's upper edge below the top of the 版心
CHAR_SPACING_TWIPS = -5  # -0.25 pt: 28 characters of 3号 fit the 156 mm line
TEXT_WIDTH_PT = Mm(156).pt
RED = RGBColor(0xFF, 0x00, 0x00)
_EMPHASIS_FONT = {"": FANGSONG, "heading": HEITI, "subheading": KAITI, "bold": FANGSONG}


def render(doc: OfficialDocument) -> bytes:
    """The .docx bytes of ``doc``, laid out per GB/T 9704, identical for identical input."""
    d = new_document()
    _page_setup(d)
    _defaults(d)
    _font_table(d)
    _masthead(d, doc)
    _title_and_recipient(d, doc)
    body = [_body_paragraph(d, p) for p in doc.body]
    closing = _signature_and_date(d, doc)
    if body:
        for kept in [body[-1], *closing[:-1]]:
            kept.paragraph_format.keep_with_next = True  # never a signature alone on a page
    if doc.attendance:
        _paragraph(d)  # GB/T 9704 §10.3: the 出席 list one blank line below the text
    for line in doc.attendance:
        _attendance_paragraph(d, line)
    _colophon(d, doc)
    _page_numbers(d)
    props = d.core_properties
    props.title = doc.title
    props.author = props.last_modified_by = doc.author
    props.subject = doc.number
    props.category = doc.kind
    props.comments = ""
    props.keywords = doc.kind
    props.identifier = doc.verification.code if doc.verification is not None else ""
    stamp = dt.datetime.combine(doc.date, dt.time(0, 0))
    props.created = props.modified = stamp
    props.revision = 1
    out = io.BytesIO()
    d.save(out)
    return _reproducible(out.getvalue(), stamp)


# ---- page, styles, fonts ----------------------------------------------------------------------------


def _page_setup(d: Document) -> None:
    s = d.sections[0]
    s.start_type = WD_SECTION_START.NEW_PAGE
    s.page_width, s.page_height = Mm(210), Mm(297)
    s.top_margin, s.bottom_margin = Mm(37), Mm(35)
    s.left_margin, s.right_margin = Mm(28), Mm(26)
    s.header_distance = Mm(15)
    s.footer_distance = Mm(24)  # the page number's 一字线 about 7 mm below the 版心
    grid = s._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        s._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(int(LINE_PT * 20)))


def _defaults(d: Document) -> None:
    normal = d.styles["Normal"]
    font = normal.font
    font.size = Pt(BODY_PT)
    _set_fonts(normal.element.get_or_add_rPr(), FANGSONG)
    rpr = normal.element.get_or_add_rPr()
    _put(rpr, _element("w:lang", val="en-US", eastAsia="zh-CN"))
    # The template's defaults say the East Asian text is Japanese (ja-JP): a reader without the Chinese
    # fonts then substitutes Japanese glyph forms. Every default says Simplified Chinese.
    defaults = d.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        for lang in defaults.iter(qn("w:lang")):
            lang.set(qn("w:eastAsia"), "zh-CN")
    for lang in d.settings.element.iter(qn("w:themeFontLang")):
        lang.set(qn("w:eastAsia"), "zh-CN")
    pf = normal.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(LINE_PT)
    pf.widow_control = False  # a 公文 page holds exactly 22 lines


def _font_table(d: Document) -> None:
    """Declare the Chinese fonts with the names of their common alternatives (w:altName)."""
    part = d.part.part_related_by(RT.FONT_TABLE)
    root = parse_xml(part.blob)
    for name, alt in _ALT_NAMES.items():
        root.append(
            parse_xml(
                f'<w:font {nsdecls("w")} w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
                f'<w:family w:val="{"swiss" if name == HEITI else "modern"}"/><w:pitch w:val="fixed"/></w:font>'
            )
        )
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _set_fonts(rpr: object, east_asia: str, ascii_font: str | None = None) -> None:
    fonts = rpr.find(qn("w:rFonts"))  # type: ignore[attr-defined]
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)  # type: ignore[attr-defined]
    latin = ascii_font or east_asia
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:cs"), latin)


#: The order of the children of w:pPr, w:rPr and w:tblPr (ECMA-376 CT_PPrBase, CT_RPr, CT_TblPr).
_ORDER = {
    "pPr": (
        "pStyle",
        "keepNext",
        "keepLines",
        "pageBreakBefore",
        "framePr",
        "widowControl",
        "numPr",
        "suppressLineNumbers",
        "pBdr",
        "shd",
        "tabs",
        "suppressAutoHyphens",
        "kinsoku",
        "wordWrap",
        "overflowPunct",
        "topLinePunct",
        "autoSpaceDE",
        "autoSpaceDN",
        "bidi",
        "adjustRightInd",
        "snapToGrid",
        "spacing",
        "ind",
        "contextualSpacing",
        "mirrorIndents",
        "suppressOverlap",
        "jc",
        "textDirection",
        "textAlignment",
        "textboxTightWrap",
        "outlineLvl",
        "divId",
        "cnfStyle",
        "rPr",
        "sectPr",
        "pPrChange",
    ),
    "rPr": (
        "rStyle",
        "rFonts",
        "b",
        "bCs",
        "i",
        "iCs",
        "caps",
        "smallCaps",
        "strike",
        "dstrike",
        "outline",
        "shadow",
        "emboss",
        "imprint",
        "noProof",
        "snapToGrid",
        "vanish",
        "webHidden",
        "color",
        "spacing",
        "w",
        "kern",
        "position",
        "sz",
        "szCs",
        "highlight",
        "u",
        "effect",
        "bdr",
        "shd",
        "fitText",
        "vertAlign",
        "rtl",
        "cs",
        "em",
        "lang",
        "eastAsianLayout",
        "specVanish",
        "oMath",
    ),
    "tblPr": (
        "tblStyle",
        "tblpPr",
        "tblOverlap",
        "bidiVisual",
        "tblStyleRowBandSize",
        "tblStyleColBandSize",
        "tblW",
        "jc",
        "tblCellSpacing",
        "tblInd",
        "tblBorders",
        "shd",
        "tblLayout",
        "tblCellMar",
        "tblLook",
        "tblCaption",
        "tblDescription",
        "tblPrChange",
    ),
}


def _put(parent: Any, child: Any) -> Any:
    """Put ``child`` into a property element (w:pPr, w:rPr, w:tblPr) where the schema orders it, replacing
    one of the same name: Word refuses a file whose property elements are out of order."""
    name = f"w:{etree.QName(child).localname}"
    old = parent.find(qn(name))
    if old is not None:
        parent.remove(old)
    seq = tuple(f"w:{t}" for t in _ORDER.get(etree.QName(parent).localname, ()))
    if name in seq:
        parent.insert_element_before(child, *seq[seq.index(name) + 1 :])
    else:
        parent.append(child)
    return child


def _element(tag: str, **attrs: str) -> Any:
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    return el


def _run(
    p: DocxParagraph,
    text: str,
    font: str = FANGSONG,
    size: float = BODY_PT,
    *,
    bold: bool = False,
    color: RGBColor | None = None,
    spacing: int | None = CHAR_SPACING_TWIPS,
    scale: int | None = None,
) -> Run:
    r = p.add_run(text)
    r.font.size = Pt(size)
    r.font.bold = bold
    if color is not None:
        r.font.color.rgb = color
    rpr = r._r.get_or_add_rPr()
    _set_fonts(rpr, font, SONGTI if font == SONGTI else None)
    if spacing:
        _put(rpr, _element("w:spacing", val=str(spacing)))
    if scale and scale != 100:
        _put(rpr, _element("w:w", val=str(scale)))
    return r


def _paragraph(
    d: Document,
    *,
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
    before: float = 0,
    line: float = LINE_PT,
) -> DocxParagraph:
    p = d.add_paragraph()
    pf = p.paragraph_format
    pf.alignment = align
    pf.space_before = Pt(before)
    pf.space_after = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(line)
    return p


def _off_grid(p: DocxParagraph) -> None:
    """Lines of this paragraph keep their own pitch instead of snapping to the 28 pt document grid (a
    two-line title would otherwise be set 56 pt apart)."""
    _put(p._p.get_or_add_pPr(), _element("w:snapToGrid", val="0"))


def _border(p: DocxParagraph, side: str, *, size_eighths: int, color: str, space_pt: int = 0) -> None:
    ppr = p._p.get_or_add_pPr()
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = _put(ppr, OxmlElement("w:pBdr"))
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), "single")
    edge.set(qn("w:sz"), str(size_eighths))
    edge.set(qn("w:space"), str(space_pt))
    edge.set(qn("w:color"), color)
    bdr.append(edge)


# ---- 版头 -------------------------------------------------------------------------------------------


def _mark_size(text: str) -> tuple[float, int]:
    """Point size and horizontal scale (%) of the 发文机关标志 so that it fits one line of the 版心."""
    width = TEXT_WIDTH_PT - 4
    n = max(len(text), 1)
    size = 36.0 if n * 36 <= width else max(26.0, float(int(width / n)))
    scale = min(100, int(width * 100 / (n * size)))
    return size, scale


def _masthead(d: Document, doc: OfficialDocument) -> None:
    size, scale = _mark_size(doc.mark)
    # The mark's upper edge 35 mm below the top of the 版心 (GB/T 9704 §7.2.4): the space before the
    # first paragraph, less the leading a reader puts above the glyphs of an exact-height line.
    line = size * 1.25
    mark = _paragraph(d, align=WD_ALIGN_PARAGRAPH.CENTER, before=MARK_TOP_PT - (line - size), line=line)
    _off_grid(mark)
    _run(mark, doc.mark, XIAOBIAOSONG, size, color=RED, spacing=None, scale=scale)
    # 发文字号 two lines below the mark; the red rule 4 mm below the number.
    before = 2 * LINE_PT
    right = f"签发人：{doc.signer}" if doc.signer is not None else (_date(doc.date) if doc.internal else "")
    if right and _text_width(doc.number) + _text_width(right) + 3 * BODY_PT > TEXT_WIDTH_PT:
        # Too long for one line: the 签发人 (or date) goes on the line above, flush right, as GB/T 9704
        # stacks several 签发人 above the number.
        above = _paragraph(d, align=WD_ALIGN_PARAGRAPH.RIGHT, before=before)
        above.paragraph_format.right_indent = Pt(BODY_PT)
        if doc.signer is not None:
            _run(above, "签发人：", spacing=None)
            _run(above, doc.signer, KAITI, spacing=None)
        else:
            _run(above, right, spacing=None)
        before, right = 0, ""
    number = _paragraph(d, before=before)
    if doc.signer is not None or doc.internal:
        # 上行文: the number flush left one character in, 签发人 flush right one character in; 纪要 put
        # their date where the 签发人 would be, since they carry no signature block.
        number.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
        number.paragraph_format.left_indent = Pt(BODY_PT)
        _run(number, doc.number, spacing=None)
        if right:
            number.paragraph_format.tab_stops.add_tab_stop(
                Pt(TEXT_WIDTH_PT - BODY_PT), WD_TAB_ALIGNMENT.RIGHT
            )
            if doc.signer is not None:
                _run(number, "\t签发人：", spacing=None)
                _run(number, doc.signer, KAITI, spacing=None)
            else:
                _run(number, f"\t{right}", spacing=None)
    else:
        number.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(number, doc.number, spacing=None)
    _border(number, "bottom", size_eighths=12, color="FF0000", space_pt=11)


def _title_and_recipient(d: Document, doc: OfficialDocument) -> None:
    title = _paragraph(d, align=WD_ALIGN_PARAGRAPH.CENTER, before=2 * LINE_PT, line=TITLE_LINE_PT)
    _off_grid(title)
    lines = title_lines(doc.title, keep=doc.title_keep)
    for i, text in enumerate(lines):
        r = _run(title, text, XIAOBIAOSONG, TITLE_PT, spacing=None)
        if i < len(lines) - 1:
            r.add_break()
    title.paragraph_format.keep_with_next = True
    if doc.recipient:
        to = _paragraph(d, align=WD_ALIGN_PARAGRAPH.LEFT, before=LINE_PT)
        _run(to, f"{doc.recipient}：")
    else:
        _paragraph(d)  # 纪要: one blank line between the title and the text


#: Words of the titles flowengine writes: a title is broken only at the edge of one of these or of an
#: organization's name, never inside (a reader's automatic wrap breaks anywhere). Longest first.
_TITLE_WORDS = tuple(
    sorted(
        (
            "关于",
            "同意",
            "召开",
            "党员大会",
            "党员代表大会",
            "进行",
            "换届选举",
            "换届",
            "选举结果",
            "选举",
            "纪律检查委员会",
            "委员会",
            "委员",
            "候选人",
            "预备人选",
            "书记",
            "副书记",
            "延期",
            "提前",
            "有关",
            "事项",
            "情况",
            "工作",
            "督导",
            "基层",
            "党组织",
            "会议",
            "纪要",
            "的",
            "请示",
            "批复",
            "报告",
            "通报",
            "结果",
            "重大",
            "决策",
            "任免",
            "中层",
            "干部",
            "不设",
            "设立",
            "党支部",
            "党总支",
            "党委",
        ),
        key=lambda w: (-len(w), w),
    )
)
_BODIES = ("党支部", "党总支", "党委", "委员会", "纪律检查委员会")
#: Places inside an organization's name where it may be broken when it cannot stand whole on a line:
#: after the school or office (…中学|…高二年级党支部), before the Party body.
_NAME_UNITS = re.compile(
    r"(?:中学|小学|学校|学院|大学|幼儿园|中心|年级|新区|市|区|县)(?=.)|(?=党支部|党总支|委员会$)"
)


def _title_cuts(title: str, keep: tuple[str, ...]) -> dict[int, int]:
    """Where ``title`` may be broken, each with its cost: 0 at the edge of a kept name or of a word, 2 inside
    a kept name (at one of its units: …第三十一中学|高二年级党支部). Positions inside a word are absent."""
    n = len(title)
    inside: set[int] = set()
    edges: dict[int, int] = {}
    names: list[tuple[int, int]] = []
    for name in keep:
        at = title.find(name) if name else -1
        while at >= 0:
            end = at + len(name)
            edges[at] = edges[end] = 0
            names.append((at, end))
            at = title.find(name, end)
    i = 0
    while i < n:
        word = next((w for w in _TITLE_WORDS if title.startswith(w, i)), None)
        if word is None:
            i += 1
            continue
        # Before 党支部, 委员会 …: the Party body is part of the name that precedes it (a name not in
        # ``keep`` is recognised by them), so a break there costs as much as one inside a name.
        edges.setdefault(i, 2 if word in _BODIES else 0)
        edges.setdefault(i + len(word), 0)
        inside |= set(range(i + 1, i + len(word)))
        i += len(word)
    in_names = {c for at, end in names for c in range(at + 1, end)}
    cuts = {c: cost for c, cost in edges.items() if 0 < c < n and c not in inside and c not in in_names}
    for at, end in names:  # a name is broken only where it cannot stand whole, at its units, at a cost
        for m in _NAME_UNITS.finditer(title, at, end):
            if at < m.end() < end:
                cuts.setdefault(m.end(), 2)
    return cuts


def title_lines(title: str, width: float | None = None, keep: tuple[str, ...] = ()) -> list[str]:
    """The title's lines as GB/T 9704 §7.3.3 sets them (标题回行时，要做到词意完整，排列对称，长短适宜;
    梯形): broken only between words, each line no longer than the one above, never inside an
    organization's name in ``keep`` unless no such layout keeps it whole (then at one of its units), as
    few lines as that allows and as even as the words allow. A title that fits one line stays on one."""
    width = TEXT_WIDTH_PT if width is None else width
    if _text_width(title, TITLE_PT) <= width:
        return [title]
    cuts = _title_cuts(title, keep)
    positions = sorted(cuts)
    best: tuple[tuple[float, ...], list[str]] | None = None

    def consider(lines: list[str], cost: int) -> None:
        nonlocal best
        widths = [_text_width(line, TITLE_PT) for line in lines]
        upside_down = sum(1 for a, b in zip(widths, widths[1:], strict=False) if b > a)
        key = (float(upside_down), float(cost), float(len(lines)), max(widths) - min(widths))
        if best is None or key < best[0]:
            best = (key, lines)

    def split(start: int, lines: list[str], cost: int) -> None:
        rest = title[start:]
        if _text_width(rest, TITLE_PT) <= width:
            consider([*lines, rest], cost)
            return
        if len(lines) >= 3:
            return
        for c in positions:
            if c > start and _text_width(title[start:c], TITLE_PT) <= width:
                split(c, [*lines, title[start:c]], cost + cuts[c])

    split(0, [], 0)
    return best[1] if best is not None else [title]  # no place to break: the reader wraps it


# ---- 主体 -------------------------------------------------------------------------------------------


def _body_paragraph(d: Document, para: Paragraph) -> DocxParagraph:
    p = _paragraph(d)
    if para.indent:
        p.paragraph_format.first_line_indent = Pt(2 * BODY_PT)
        ind = p._p.get_or_add_pPr().find(qn("w:ind"))
        if ind is not None:  # in characters too, so the indent follows the font size in Word
            ind.set(qn("w:firstLineChars"), "200")
    for span in para.spans:
        _run(p, span.text, _EMPHASIS_FONT.get(span.emphasis, FANGSONG), bold=span.emphasis == "bold")
    return p


def _attendance_paragraph(d: Document, para: Paragraph) -> DocxParagraph:
    """出席：names — the label two characters in, the names that run on aligned after its colon."""
    p = _paragraph(d)
    label = para.spans[0].text if para.spans else ""
    pf = p.paragraph_format
    pf.left_indent = Pt(2 * BODY_PT + _text_width(label))
    pf.first_line_indent = Pt(-_text_width(label))
    for span in para.spans:
        _run(p, span.text, _EMPHASIS_FONT.get(span.emphasis, FANGSONG), bold=span.emphasis == "bold")
    return p


_date = chinese_date


def _text_width(text: str, size: float = BODY_PT) -> float:
    """Printed width of a line: full-width characters one em, ASCII digits and letters half an em."""
    return sum(size / 2 if ord(ch) < 0x2E80 else size for ch in text)


def _signature_and_date(d: Document, doc: OfficialDocument) -> list[DocxParagraph]:
    """发文机关署名 and 成文日期, laid out for a seal (§7.3.5.1) or without one (§7.3.5.2); the 附注 below."""
    out: list[DocxParagraph] = []
    if doc.internal:  # dated in the masthead; minutes are not signed (GB/T 9704 §10.3)
        return out
    date = _date(doc.date)
    em = BODY_PT
    date_w = _text_width(date)
    if doc.sealed:
        # GB/T 9704-2012 §7.3.5.1 (加盖印章的公文): the 成文日期 four characters from the right; the 署名
        # centred on the date above it; the seal (about 42 mm, 4¼ lines) pressed on both, its top within one
        # line of the text, the signature and date a little below its centre. Two blank lines above the
        # signature leave that room: with the seal's top half a line under the text, its centre falls on
        # the signature's line and the date stands inside its lower half.
        date_left = TEXT_WIDTH_PT - 4 * em - date_w
        if doc.signature:
            sig_w = _text_width(doc.signature)
            sig_left = min(max(date_left + (date_w - sig_w) / 2, 0), TEXT_WIDTH_PT - sig_w)
            sig = _paragraph(d, align=WD_ALIGN_PARAGRAPH.LEFT, before=SEAL_SPACE_LINES * LINE_PT)
            sig.paragraph_format.left_indent = Pt(sig_left)
            _run(sig, doc.signature, spacing=None)
            out.append(sig)
            day = _paragraph(d, align=WD_ALIGN_PARAGRAPH.LEFT)
        else:
            day = _paragraph(d, align=WD_ALIGN_PARAGRAPH.LEFT, before=SEAL_SPACE_LINES * LINE_PT)
        day.paragraph_format.left_indent = Pt(max(date_left, 0))
    elif doc.signature:
        # §7.3.5.2 (不加盖印章的公文): the signature two characters from the right one line below the text,
        # the date below it starting two characters right of the signature's first character.
        sig_w = _text_width(doc.signature)
        sig_left = TEXT_WIDTH_PT - 2 * em - sig_w
        date_left = sig_left + 2 * em
        if date_left + date_w > TEXT_WIDTH_PT - 2 * em:  # the date is longer: move the signature left
            date_left = TEXT_WIDTH_PT - 2 * em - date_w
            sig_left = date_left - 2 * em
        sig = _paragraph(d, align=WD_ALIGN_PARAGRAPH.LEFT, before=LINE_PT)
        sig.paragraph_format.left_indent = Pt(max(sig_left, 0))
        _run(sig, doc.signature, spacing=None)
        out.append(sig)
        day = _paragraph(d, align=WD_ALIGN_PARAGRAPH.LEFT)
        day.paragraph_format.left_indent = Pt(max(date_left, 0))
    else:
        day = _paragraph(d, align=WD_ALIGN_PARAGRAPH.RIGHT, before=LINE_PT)
        day.paragraph_format.right_indent = Pt(2 * em)
    _run(day, date, spacing=None)
    out.append(day)
    if doc.note:
        # §7.3.6: the 附注 in parentheses, two characters in, on the line below the date.
        note = _paragraph(d, align=WD_ALIGN_PARAGRAPH.LEFT)
        note.paragraph_format.left_indent = Pt(2 * em)
        _run(note, doc.note)
        out.append(note)
    return out


# ---- 版记 and page numbers ----------------------------------------------------------------------------


def _colophon(d: Document, doc: OfficialDocument) -> None:
    """The 扫码验真 block and the 版记 (抄送, 印发机关 and 印发日期 between rules) at the foot of the last page.

    GB/T 9704 §7.4 puts the 版记 at the foot of the last page, its rules the width of the 版心. Each row is a
    frame (w:framePr) of one paragraph, placed at the bottom of the 版心 on the page of the paragraph that
    follows (the 印发 row) or a row's height above the one below it: Word and LibreOffice both place such
    frames there and flow the text above them. (A floating table does the same in Word, but LibreOffice
    keeps a table as wide as the 版心 in the text flow; and LibreOffice keeps several paragraphs in one
    frame only when their properties are identical, which rows with different rules are not.) The QR code
    stands in a frame of its own above the rows.
    """
    rows = []
    if doc.copies_to:
        rows.append(f"抄送：{'，'.join(doc.copies_to)}。")
    rows.append(f"{doc.printed_by}\t{_date(doc.date)}印发")
    bottom = Mm(225).pt
    if doc.verification is not None:
        top = bottom - len(rows) * COLOPHON_ROW_PT - QR_BLOCK_PT
        _verification(d, doc, _frame(x="0", y=str(int(top * 20))))
    thick, thin = 8, 4  # eighths of a point: 1 pt (≈0.35 mm) and 0.5 pt (≈0.25 mm in print)
    for i, text in enumerate(rows):
        last = i == len(rows) - 1
        above = len(rows) - i  # rows from this one's top to the foot of the 版心
        where = (
            {"xAlign": "center", "yAlign": "bottom"}
            if last
            else {"x": "0", "y": str(int((bottom - above * COLOPHON_ROW_PT) * 20))}
        )
        p = _paragraph(d, align=WD_ALIGN_PARAGRAPH.LEFT)
        _put(p._p.get_or_add_pPr(), _frame(**where))
        pf = p.paragraph_format
        pf.left_indent = Pt(NOTE_PT)
        pf.right_indent = Pt(NOTE_PT)
        _off_grid(p)  # a row is one 4号 line, not two grid lines
        if i == 0:
            _border(p, "top", size_eighths=thick, color="000000")
        _border(p, "bottom", size_eighths=thick if last else thin, color="000000")
        if "\t" in text:
            # 印发日期 flush right one character in (GB/T 9704 §7.4.3): the right-aligned tab stop sits at
            # the right indent, measured from the frame's left edge.
            pf.tab_stops.add_tab_stop(Pt(TEXT_WIDTH_PT - NOTE_PT), WD_TAB_ALIGNMENT.RIGHT)
        _run(p, text, size=NOTE_PT, spacing=None)
    # The frames' anchor: a paragraph of its own, one point high, so that it adds no line of its own.
    _paragraph(d, line=1.0)


#: The height of a 版记 row: one 28 pt line and its rules.
COLOPHON_ROW_PT = LINE_PT + 1.5


def _frame(**where: str) -> Any:
    """A w:framePr the width of the 版心, placed relative to it (``where``: xAlign/yAlign or x/y in twips)."""
    return _element(
        "w:framePr", w=str(int(Mm(156).twips)), wrap="notBeside", vAnchor="margin", hAnchor="margin", **where
    )


#: Side of the printed QR code: large enough for a phone camera at reading distance.
QR_SIDE = Mm(18)
QR_BLOCK_PT = 72.0  # the room kept for the QR code's line above the 版记: its 51 pt, the text, some air


def _verification(d: Document, doc: OfficialDocument, frame: Any) -> None:
    """验证码 and QR code, flush right above the 版记: the code printed so it can be typed without a camera."""
    import segno  # only documents that carry a verification need it

    v = doc.verification
    assert v is not None
    png = io.BytesIO()
    segno.make(v.payload, error="m", micro=False).save(png, kind="png", scale=4, border=2)
    png.seek(0)
    p = _paragraph(d, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _put(p._p.get_or_add_pPr(), frame)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # the line as tall as the picture
    _off_grid(p)
    label = f"扫码验真　验证码：{v.code}"
    if v.where:
        label = f"扫码或在 {v.where} 输入验证码 {v.code} 验真"
    _run(p, f"{label}  ", size=NOTE_PT - 2, spacing=None)
    p.add_run().add_picture(png, width=QR_SIDE, height=QR_SIDE)


def _field(p: DocxParagraph, instruction: str, shown: str) -> None:
    def char(kind: str) -> None:
        r = _run(p, "", SONGTI, NOTE_PT, spacing=None)
        fc = OxmlElement("w:fldChar")
        fc.set(qn("w:fldCharType"), kind)
        r._r.append(fc)

    char("begin")
    r = _run(p, "", SONGTI, NOTE_PT, spacing=None)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    r._r.append(instr)
    char("separate")
    _run(p, shown, SONGTI, NOTE_PT, spacing=None)
    char("end")


def _page_numbers(d: Document) -> None:
    """ "— N —" at the foot: right-aligned on odd pages, left-aligned on even pages, one character in."""
    d.settings.odd_and_even_pages_header_footer = True
    s = d.sections[0]
    for footer, align in (
        (s.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (s.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        pf = p.paragraph_format
        pf.alignment = align
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        pf.first_line_indent = Pt(0)
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            pf.right_indent = Pt(NOTE_PT)
        else:
            pf.left_indent = Pt(NOTE_PT)
        _run(p, "— ", SONGTI, NOTE_PT, spacing=None)
        _field(p, "PAGE", "1")
        _run(p, " —", SONGTI, NOTE_PT, spacing=None)


def _reproducible(data: bytes, stamp: dt.datetime) -> bytes:
    """The same zip with every entry dated ``stamp`` and in a fixed order, so equal documents hash equal."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    when = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in _ordered(src.namelist()):
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()


def _ordered(names: Iterable[str]) -> list[str]:
    """[Content_Types].xml first (as Office writes it), the rest in name order."""
    names = list(names)
    head = [n for n in names if n == "[Content_Types].xml"]
    return head + sorted(n for n in names if n != "[Content_Types].xml")


__all__ = ["MIMETYPE", "render"]
