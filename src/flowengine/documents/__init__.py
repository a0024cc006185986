"""Official documents (公文): the model of a document and its GB/T 9704 layout, pure of any procedure.

Pure on purpose — python-docx and the data, no database, no web — so that prose and layout can be tested
without a request. Each procedure package writes its own documents' prose (a *composer* per document,
registered in its :class:`flowengine.registry.Procedure`); :func:`render` lays any of them out as a .docx
in the GB/T 9704 format (:mod:`.layout`), and :mod:`.common` frames a body into a complete document from
the direction the definition declares (up to the superior, down from it, or kept inside).
"""

from __future__ import annotations

from flowengine.documents.layout import MIMETYPE, render
from flowengine.documents.model import (
    DocumentContext,
    Issued,
    OfficialDocument,
    OrgRef,
    Paragraph,
    Signed,
    Span,
    Verification,
)

__all__ = [
    "MIMETYPE",
    "DocumentContext",
    "Issued",
    "Signed",
    "OfficialDocument",
    "OrgRef",
    "Paragraph",
    "Span",
    "Verification",
    "render",
]
