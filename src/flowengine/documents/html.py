"""Lay an :class:`OfficialDocument` out as HTML, the way :mod:`.layout` lays it out as a .docx.

The browser preview of a document (before its step is submitted, and after it was issued) is this
rendering of the very model the .docx is made from, block for block: every paragraph of the .docx is one
element carrying ``data-para`` here, in the same order and with the same text, so that what a reviewer
reads on the screen is what will print (a test compares the two paragraph by paragraph).

The 公文 look follows GB/T 9704 as :mod:`.layout` describes it: an A4 page with the 版心 margins, the red
发文机关标志 scaled to one line, the 发文字号 (centred on a downward document, flush left with the 签发人 on
the right on an upward one), the red rule, the title in 2号 小标宋 broken where the meaning allows, the
主送机关, the body in 3号 仿宋 indented two characters with 黑体 headings, the signature and date placed two
characters from the right, and the 版记 between rules. Sizes are in points and millimetres; the stylesheet
(``web/static/css/gongwen.css``) scales the page down to a phone's width.
"""

from __future__ import annotations

from html import escape

from flowengine.chinese import chinese_date
from flowengine.documents.layout import (
    BODY_PT,
    LINE_PT,
    NOTE_PT,
    SEAL_SPACE_LINES,
    TEXT_WIDTH_PT,
    _mark_size,
    _text_width,
    title_lines,
)
from flowengine.documents.model import OfficialDocument, Paragraph

_EMPHASIS_CLASS = {"": "", "heading": "gw-heading", "subheading": "gw-subheading", "bold": "gw-bold"}


def _spans(para: Paragraph) -> str:
    out = []
    for span in para.spans:
        cls = _EMPHASIS_CLASS.get(span.emphasis, "")
        text = escape(span.text)
        out.append(f'<span class="{cls}">{text}</span>' if cls else text)
    return "".join(out)


def _p(cls: str, inner: str, style: str = "") -> str:
    styled = f' style="{style}"' if style else ""
    return f'<p class="{cls}" data-para{styled}>{inner}</p>'


def render_html(doc: OfficialDocument) -> str:
    """The document as an HTML fragment (an ``<article>``): the 版头, 主体 and 版记 of the .docx."""
    parts: list[str] = []
    size, scale = _mark_size(doc.mark)
    parts.append(
        _p(
            "gw-mark",
            f'<span class="gw-mark-text">{escape(doc.mark)}</span>',
            f"--gw-mark-size: {size:.1f}pt; --gw-mark-scale: {scale / 100:.2f}; --gw-mark-chars: {max(len(doc.mark), 1)}",
        )
    )
    right = (
        f"签发人：{doc.signer}"
        if doc.signer is not None
        else (chinese_date(doc.date) if doc.internal else "")
    )
    if right and _text_width(doc.number) + _text_width(right) + 3 * BODY_PT > TEXT_WIDTH_PT:
        signer = (
            f'签发人：<span class="gw-kaiti">{escape(doc.signer)}</span>'
            if doc.signer is not None
            else escape(right)
        )
        parts.append(_p("gw-above-number", signer))
        right = ""
    if doc.signer is not None or doc.internal:
        inner = f'<span class="gw-number-text">{escape(doc.number)}</span>'
        if right:
            who = (
                f'签发人：<span class="gw-kaiti">{escape(doc.signer)}</span>'
                if doc.signer is not None
                else escape(right)
            )
            inner += f'<span class="gw-signer">{who}</span>'
        parts.append(_p("gw-number gw-number-up", inner))
    else:
        parts.append(
            _p("gw-number gw-number-down", f'<span class="gw-number-text">{escape(doc.number)}</span>')
        )
    parts.append('<hr class="gw-red-rule" aria-hidden="true">')
    lines = title_lines(doc.title, keep=doc.title_keep)
    parts.append(_p("gw-title", "<br>".join(escape(line) for line in lines)))
    if doc.recipient:
        parts.append(_p("gw-recipient", f"{escape(doc.recipient)}："))
    else:
        parts.append('<div class="gw-blank" aria-hidden="true"></div>')
    for para in doc.body:
        parts.append(_p("gw-body" + (" gw-indent" if para.indent else ""), _spans(para)))
    parts += _closing(doc)
    for para in doc.attendance:
        label = para.spans[0].text if para.spans else ""
        style = f"--gw-hang: {_text_width(label):.1f}pt"
        parts.append(_p("gw-attendance", _spans(para), style))
    # The 扫码验真 block and the 版记 stand at the foot of the (last) page, as the .docx frames them.
    foot = (_verification(doc) if doc.verification is not None else "") + _colophon(doc)
    parts.append(f'<div class="gw-foot">{foot}</div>')
    css = "gw-internal" if doc.internal else ("gw-down" if doc.direction == "down" else "gw-up")
    return (
        f'<article class="gongwen {css}" lang="zh-CN" data-testid="gongwen" '
        f'aria-label="{escape(doc.kind)}：{escape(doc.title)}">'
        f'<div class="gw-page">{"".join(parts)}</div></article>'
    )


def _closing(doc: OfficialDocument) -> list[str]:
    """发文机关署名 and 成文日期, placed as :func:`.layout._signature_and_date` places them."""
    if doc.internal:
        return []
    out = []
    date = chinese_date(doc.date)
    em = BODY_PT
    date_w = _text_width(date)
    if doc.sealed:
        # §7.3.5.1: the date four characters from the right, the signature centred on it, room for the seal.
        date_left = TEXT_WIDTH_PT - 4 * em - date_w
        room = f"margin-top: {SEAL_SPACE_LINES * LINE_PT:.1f}pt; "
        if doc.signature:
            sig_w = _text_width(doc.signature)
            sig_left = min(max(date_left + (date_w - sig_w) / 2, 0), TEXT_WIDTH_PT - sig_w)
            out.append(
                _p("gw-signature gw-sealed", escape(doc.signature), f"{room}--gw-left: {sig_left:.1f}pt")
            )
            room = ""
        out.append(_p("gw-date gw-sealed", escape(date), f"{room}--gw-left: {max(date_left, 0):.1f}pt"))
    elif doc.signature:
        sig_w = _text_width(doc.signature)
        sig_left = TEXT_WIDTH_PT - 2 * em - sig_w
        date_left = sig_left + 2 * em
        if date_left + date_w > TEXT_WIDTH_PT - 2 * em:
            date_left = TEXT_WIDTH_PT - 2 * em - date_w
            sig_left = date_left - 2 * em
        out.append(_p("gw-signature", escape(doc.signature), f"--gw-left: {max(sig_left, 0):.1f}pt"))
        out.append(_p("gw-date", escape(date), f"--gw-left: {max(date_left, 0):.1f}pt"))
    else:
        out.append(_p("gw-date gw-date-right", escape(date)))
    if doc.note:
        out.append(_p("gw-note", escape(doc.note)))
    return out


def _verification(doc: OfficialDocument) -> str:
    """验证码 and QR code above the 版记, as :func:`.layout._verification` prints them."""
    import segno  # only documents that carry a verification need it

    v = doc.verification
    assert v is not None
    label = f"扫码验真　验证码：{v.code}"
    if v.where:
        label = f"扫码或在 {v.where} 输入验证码 {v.code} 验真"
    if not v.payload:  # a preview: the code is drawn when the document is issued
        picture = '<span class="gw-qr gw-qr-pending" aria-hidden="true"></span>'
    else:
        qr = segno.make(v.payload, error="m", micro=False).svg_data_uri(scale=4, border=2)
        picture = f'<img class="gw-qr" src="{escape(qr)}" alt="验真二维码（验证码 {escape(v.code)}）">'
    return f'<p class="gw-verify" data-para><span>{escape(label)}</span>{picture}</p>'


def _colophon(doc: OfficialDocument) -> str:
    rows = []
    if doc.copies_to:
        rows.append(f'<p class="gw-colophon-row" data-para>抄送：{escape("，".join(doc.copies_to))}。</p>')
    rows.append(
        f'<p class="gw-colophon-row gw-printed" data-para><span>{escape(doc.printed_by)}</span>'
        f"<span>{escape(chinese_date(doc.date))}印发</span></p>"
    )
    return f'<footer class="gw-colophon">{"".join(rows)}</footer>'


#: Sizes the stylesheet uses, for reference (points): body 3号, line pitch, 版记 4号.
SIZES = {"body": BODY_PT, "line": LINE_PT, "note": NOTE_PT}

__all__ = ["render_html"]
