"""The HTML rendering of a document (its browser preview) has the .docx's paragraphs, with the same text.

Built over the document shapes :mod:`flowengine.documents.layout` distinguishes: an upward 请示 with its
签发人 beside the number (and above it when both do not fit one line), a downward 批复 with 抄送, a 纪要
dated in the masthead with its 出席 list, a long title broken over two lines, headings in the body.
"""

from __future__ import annotations

import datetime as dt

import pytest

from flowengine.documents import OfficialDocument, Paragraph, Span, render
from flowengine.documents.html import render_html
from flowengine.documents.model import Verification
from tests.support.gongwen import docx_paragraphs, html_paragraphs


def _doc(**kw: object) -> OfficialDocument:
    base: dict[str, object] = dict(
        kind="请示",
        mark="中共郑州市第三十一中学高二年级支部委员会文件",
        number="三十一中高二支〔2026〕5号",
        title="关于郑州市第三十一中学高二年级党支部召开党员大会进行换届选举的请示",
        recipient="中共郑州市第三十一中学委员会",
        body=(
            Paragraph.of("我支部委员会任期将于2026年12月届满。"),
            Paragraph((Span("一、召开时间。", "heading"), Span("2026年12月10日。"))),
            Paragraph.of("妥否，请批示。"),
        ),
        signature="中共郑州市第三十一中学高二年级支部委员会",
        date=dt.date(2026, 11, 30),
        printed_by="中共郑州市第三十一中学高二年级支部委员会",
        signer="李红",
        note="（联系人：马骏，电话：13800138000）",
        direction="up",
    )
    base.update(kw)
    return OfficialDocument(**base)  # type: ignore[arg-type]


SHAPES = {
    "up-with-signer": _doc(),
    "up-signer-above": _doc(number="中共郑州市第三十一中学高二年级支部委员会〔2026〕15号", signer="欧阳明月"),
    "down-with-copies": _doc(
        kind="批复",
        signer=None,
        direction="down",
        note=None,
        copies_to=("中共郑州市委教育工委组织部", "郑州市第三十一中学纪委"),
    ),
    "minutes": _doc(
        kind="纪要",
        mark="中共郑州市第三十一中学委员会会议纪要",
        recipient=None,
        signature=None,
        signer=None,
        note=None,
        direction="internal",
        attendance=(Paragraph((Span("出席：", "heading"), Span("张明、王建国、赵志刚"))),),
    ),
    "html-special-characters": _doc(body=(Paragraph.of("<script>alert(1)</script> & “引号”"),)),
    "sealed-with-verification": _doc(
        kind="批复",
        signer=None,
        direction="down",
        sealed=True,
        title_keep=("郑州市第三十一中学高二年级党支部",),
        verification=Verification(
            "K7Q2-9XWM", "https://dj.example.cn/verify/K7Q2-9XWM", "dj.example.cn/verify"
        ),
        copies_to=("郑州市第三十一中学纪委",),
    ),
    "sealed-code-only": _doc(sealed=True, verification=Verification("K7Q2-9XWM", "K7Q2-9XWM")),
}


@pytest.mark.parametrize("name", SHAPES)
def test_html_has_the_docx_paragraphs(name: str) -> None:
    doc = SHAPES[name]
    page = f"<html><body>{render_html(doc)}</body></html>"
    assert html_paragraphs(page) == docx_paragraphs(render(doc))


def test_html_escapes_the_text_and_marks_the_parts() -> None:
    out = render_html(SHAPES["html-special-characters"])
    assert "<script>" not in out and "&lt;script&gt;" in out
    up = render_html(SHAPES["up-with-signer"])
    assert 'class="gw-mark"' in up and "gw-red-rule" in up and "gw-number-up" in up and "gw-heading" in up
    assert "gw-number-down" in render_html(SHAPES["down-with-copies"])
    sealed = render_html(SHAPES["sealed-with-verification"])
    assert "gw-sealed" in sealed and 'class="gw-qr" src="data:image/svg+xml' in sealed


def test_the_model_survives_storage() -> None:
    for doc in SHAPES.values():
        again = OfficialDocument.from_dict(doc.as_dict())
        assert again == doc and render(again) == render(doc)
