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
  headings in 黑体; without a seal, the 发文机关署名 two characters from the right one line below the body,
  and the 成文日期 below it starting two characters to the right of the signature's first character
  (the signature moves left when the date is longer); the 附注 below the date, two characters in.
* 版记: 抄送 and 印发机关/印发日期 in 4号 (14 pt) 仿宋 between a thick, a thin and a thick rule, after the
  text (not floated to the foot of the page, which LibreOffice does not honour).
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
from docx.enum.table import WD_TABLE_ALIGNMENT
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
    lines = title_lines(doc.title)
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


#: Where a title may be broken: after the name of an organization (rank 0), after a phrase that closes
#: a unit of meaning (rank 1), after 的 (rank 2). Never inside a word, as a reader's wrap would do.
_TITLE_BREAKS = (
    re.compile(r"(?:党支部|党总支|委员会|党委|工委)(?!委员会|委员)"),
    re.compile(r"关于同意|关于|党组织|换届选举|中学|小学|学院|学校|年级|工作|事项|情况"),
    re.compile(r"的"),
)


def title_lines(title: str, width: float | None = None) -> list[str]:
    """The title's lines as GB/T 9704 §7.3.3 sets them: broken where the meaning allows, never inside a
    word, the upper line the longer (梯形). A title that fits one line stays on one."""
    width = TEXT_WIDTH_PT if width is None else width
    if _text_width(title, TITLE_PT) <= width:
        return [title]
    for pattern in _TITLE_BREAKS:
        cuts = [
            m.end()
            for m in pattern.finditer(title)
            if 4 <= m.end() <= len(title) - 4 and _text_width(title[: m.end()], TITLE_PT) <= width
        ]
        if cuts:
            cut = max(cuts)
            return [title[:cut], *title_lines(title[cut:], width)]
    return [title]  # no sensible place: the reader wraps it


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
    """发文机关署名 and 成文日期 as GB/T 9704 §7.3.5.2 places them for a document without a seal."""
    out: list[DocxParagraph] = []
    if doc.internal:  # dated in the masthead; minutes are not signed (GB/T 9704 §10.3)
        return out
    date = _date(doc.date)
    em = BODY_PT
    date_w = _text_width(date)
    if doc.signature:
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
        note = _paragraph(d, align=WD_ALIGN_PARAGRAPH.LEFT)
        note.paragraph_format.left_indent = Pt(2 * em)
        _run(note, doc.note)
        out.append(note)
    return out


# ---- 版记 and page numbers ----------------------------------------------------------------------------


def _colophon(d: Document, doc: OfficialDocument) -> None:
    """抄送 and 印发 rows between rules, after the body.

    GB/T 9704 puts the 版记 at the foot of the last page. A table floated to the page bottom does that in
    Word but LibreOffice drops it, so the 版记 follows the text after a blank line instead: a layout every
    reader opens the same way.
    """
    rows: list[tuple[str, str | None]] = []
    if doc.copies_to:
        rows.append((f"抄送：{'，'.join(doc.copies_to)}。", None))
    printed = f"{_date(doc.date)}印发"
    rows.append((doc.printed_by, printed))
    spacer = _paragraph(d)
    spacer.paragraph_format.keep_with_next = True
    table = d.add_table(rows=len(rows), cols=1)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    tbl_pr = table._tbl.tblPr
    _put(tbl_pr, parse_xml(f'<w:tblW {nsdecls("w")} w:w="{int(Mm(156).twips)}" w:type="dxa"/>'))
    thick, thin = 8, 4  # eighths of a point: 1 pt (≈0.35 mm) and 0.5 pt (≈0.25 mm in print)
    _put(
        tbl_pr,
        parse_xml(
            f'<w:tblBorders {nsdecls("w")}><w:top w:val="single" w:sz="{thick}" w:space="0" w:color="000000"/>'
            f'<w:left w:val="nil"/><w:bottom w:val="single" w:sz="{thick}" w:space="0" w:color="000000"/>'
            f'<w:right w:val="nil"/><w:insideH w:val="single" w:sz="{thin}" w:space="0" w:color="000000"/>'
            f'<w:insideV w:val="nil"/></w:tblBorders>'
        ),
    )
    _put(
        tbl_pr,
        parse_xml(
            f'<w:tblCellMar {nsdecls("w")}><w:left w:w="0" w:type="dxa"/><w:right w:w="0" w:type="dxa"/>'
            f"</w:tblCellMar>"
        ),
    )
    for row, (left, right) in zip(table.rows, rows, strict=True):
        cell = row.cells[0]
        cell.width = Mm(156)
        p = cell.paragraphs[0]
        pf = p.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(LINE_PT)
        pf.left_indent = Pt(NOTE_PT)
        pf.right_indent = Pt(NOTE_PT)
        _off_grid(p)  # a row is one 4号 line, not two grid lines
        if right is not None:
            # 印发日期 flush right one character in (GB/T 9704 §7.4.3): the right-aligned tab stop sits
            # at the right indent, measured from the cell's left edge.
            pf.tab_stops.add_tab_stop(Pt(TEXT_WIDTH_PT - NOTE_PT), WD_TAB_ALIGNMENT.RIGHT)
            _run(p, f"{left}\t{right}", size=NOTE_PT, spacing=None)
        else:
            _run(p, left, size=NOTE_PT, spacing=None)


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
