"""扫码验真: anyone holding a document, or only its verification code, can check it against the archive.

The answer names only what the paper shows anyway — the title, the 发文字号, the issuing organization and
the date — and whether the file matches the audit trail; never a person, the request, or its steps.

* By code (typed, or opened from the QR code): the stored file's SHA-256 is computed again and compared
  with the one the ``document`` audit event recorded when the document was issued. ``intact`` is true when
  they agree (the archive's copy is the one issued).
* By upload (the .docx someone received): its code is read from the file (the core property
  ``identifier``, else the printed 验证码 line), the file's SHA-256 compared with the issued one. An
  untouched copy matches; a copy changed in any byte (a name, a number, a date) does not. A file without a
  code is looked up by its hash alone.

Every call counts against the caller's allowance (:mod:`flowengine.service.ops.ratelimit`), before any
lookup, so that codes cannot be tried by the thousand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from flowengine.chinese import china_date
from flowengine.errors import ValidationFailed
from flowengine.persistence.db import Database
from flowengine.persistence.models import AuditEvent, Document, Organization
from flowengine.service.audit.trail import chain_of
from flowengine.service.ops.ratelimit import RateLimiter
from flowengine.service.requests.documents import normal_code

#: Largest upload looked at (a generated document is some 40 kB).
MAX_UPLOAD = 10 * 1024 * 1024
SCOPE = "verify"
_CODE_IN_TEXT = re.compile(r"验证码[：:\s]*([0-9A-Za-z]{5}-?[0-9A-Za-z]{5})")


@dataclass(frozen=True)
class Verdict:
    """What the public verification page may say about a document."""

    code: str
    title: str
    number: str
    issuer: str
    issued_on: dt.date
    #: The archive's copy hashes to what the audit trail recorded when the document was issued.
    intact: bool
    #: For an upload: the uploaded file is byte for byte the issued one (None when only a code was given).
    upload_matches: bool | None = None


class DocumentVerifier:
    def __init__(self, db: Database, limiter: RateLimiter) -> None:
        self.db = db
        self.limiter = limiter

    def by_code(self, text: str, client: str) -> Verdict | None:
        """The document with this code, or None (a malformed code is refused with a message)."""
        self.limiter.hit(SCOPE, client)
        code = normal_code(text)
        if code is None:
            raise ValidationFailed(
                {"code": "验证码为 10 位字母或数字（如 7K3QD-M9XTA），请核对后重新输入"}, "验证码格式不正确。"
            )
        with self.db.read() as s:
            doc = s.scalar(select(Document).where(Document.verify_code == code))
            return self._verdict(s, doc) if doc is not None else None

    def by_upload(self, content: bytes, client: str) -> Verdict | None:
        """The document an uploaded .docx claims (or is) to be, with whether it is byte for byte the issued
        one; None when neither its code nor its hash is known."""
        self.limiter.hit(SCOPE, client)
        if not content:
            raise ValidationFailed({"file": "请选择要核验的 .docx 文件"}, "未收到文件。")
        if len(content) > MAX_UPLOAD:
            raise ValidationFailed({"file": "文件超过 10 MB，不是本系统生成的公文"}, "文件过大。")
        code = code_in_docx(content)
        digest = hashlib.sha256(content).hexdigest()
        with self.db.read() as s:
            doc = None
            if code is not None:
                doc = s.scalar(select(Document).where(Document.verify_code == code))
            if doc is None:
                doc = s.scalar(select(Document).where(Document.sha256 == digest).limit(1))
            if doc is None:
                return None
            verdict = self._verdict(s, doc)
            issued = self._issued_hash(s, doc)
            matches = digest == doc.sha256 and (issued is None or issued == digest)
            return Verdict(**{**verdict.__dict__, "upload_matches": matches})

    def _verdict(self, s: Session, doc: Document) -> Verdict:
        issuer = s.scalar(select(Organization.name).where(Organization.id == doc.issuer_id)) or ""
        issued = self._issued_hash(s, doc)
        stored = hashlib.sha256(bytes(doc.content)).hexdigest()
        return Verdict(
            code=doc.verify_code or "",
            title=doc.title,
            number=doc.number,
            issuer=issuer,
            issued_on=china_date(doc.created_at),
            intact=issued is not None and issued == stored == doc.sha256,
        )

    @staticmethod
    def _issued_hash(s: Session, doc: Document) -> str | None:
        """The SHA-256 the ``document`` audit event recorded when ``doc`` was issued."""
        events = s.scalars(
            select(AuditEvent.data).where(
                AuditEvent.chain == chain_of(doc.instance_id), AuditEvent.kind == "document"
            )
        )
        for data in events:
            if isinstance(data, dict) and data.get("document_id") == doc.id:
                value = data.get("sha256")
                return str(value) if value else None
        return None


def code_in_docx(content: bytes) -> str | None:
    """The verification code a .docx carries: its core property ``identifier``, else the printed line."""
    try:
        parts = zipfile.ZipFile(io.BytesIO(content))
        names = set(parts.namelist())
    except (zipfile.BadZipFile, ValueError):
        raise ValidationFailed(
            {"file": "文件不是 .docx 格式（Word 文档），无法核验"}, "文件格式不正确。"
        ) from None
    try:
        if "docProps/core.xml" in names:
            root = etree.fromstring(parts.read("docProps/core.xml"))
            for el in root.iter("{http://purl.org/dc/elements/1.1/}identifier"):
                code = normal_code(el.text or "")
                if code:
                    return code
        if "word/document.xml" in names:
            text = "".join(etree.fromstring(parts.read("word/document.xml")).itertext())
            m = _CODE_IN_TEXT.search(text)
            if m:
                return normal_code(m.group(1))
    except (etree.XMLSyntaxError, KeyError, zipfile.BadZipFile):
        return None
    return None


__all__ = ["MAX_UPLOAD", "DocumentVerifier", "Verdict", "code_in_docx"]
