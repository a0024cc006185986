"""Read a document's text paragraph by paragraph, from its .docx and from its HTML preview, to compare them."""

from __future__ import annotations

import io
import re

import docx
from lxml import html as lxml_html

_BLANKS = re.compile(r"\s+")


def _norm(text: str) -> str:
    """Text without the blanks layout adds (the tab before 签发人, a title's line break, HTML indentation)."""
    return _BLANKS.sub("", text)


def docx_paragraphs(content: bytes) -> list[str]:
    """Every non-empty paragraph of the body, then of the 版记 table, in reading order."""
    d = docx.Document(io.BytesIO(content))
    out = [p.text for p in d.paragraphs if p.text.strip()]
    out += [
        p.text
        for t in d.tables
        for row in t.rows
        for cell in row.cells
        for p in cell.paragraphs
        if p.text.strip()
    ]
    return [_norm(t) for t in out]


def html_paragraphs(page: str, index: int = 0) -> list[str]:
    """The ``data-para`` blocks of the ``index``-th 公文 on a page."""
    tree = lxml_html.fromstring(page)
    article = tree.xpath('//article[contains(concat(" ", @class, " "), " gongwen ")]')[index]
    return [_norm(el.text_content()) for el in article.xpath(".//*[@data-para]")]
