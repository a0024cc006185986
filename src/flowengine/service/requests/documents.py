"""Issue the documents an action produces: number, text, .docx, storage and audit — in the action's transaction.

``FlowService.act`` calls :meth:`DocumentService.produce` after the action's own audit event, inside the
same transaction: a document exists exactly when the step that issued it was recorded, and a step refused
by a check or lost to a concurrent action leaves neither a document nor a used number behind.

Numbering (发文字号)
-------------------
Every document takes the next serial of its issuer's register for the year (China date), kept in
``document_counters`` per (issuer, year): the first document an organization issues in 2027 is number 1
again. The number printed on the document is:

* the number the user typed in the form field the definition names as the document's ``number_field`` (the
  请示文号, the 批复文号 …), when one is given — the issuing office keeps its own register, which also
  numbers documents issued outside flowengine, and the system cannot know those numbers;
* otherwise the allocated one, ``{代字}〔{year}〕{serial}号``, where the 代字 is the organization's
  ``doc_prefix`` or, when none is set, an abbreviation of its name
  (:func:`flowengine.documents.numbering.derived_prefix`, which says why).

An administrator sets the 代字 and where this year's register continues (the office may have numbered
documents outside flowengine): the organization form, ``organizations:`` in an import file, or
``flowengine orgs numbering``.

扫码验真
--------
Every document carries a verification code (:func:`new_code`: ten characters of Crockford's base 32, about
50 bits, so that codes cannot be guessed even without the rate limit) and a QR code of the public
verification page's address for it. Both are part of the rendered file, so the hash the audit trail
records covers them.

The serial is allocated either way, so every issue has its own row in the register and a document issued
again after a return (a corrected 请示) is a new document with a new serial, and with a new printed number
unless the user typed the old one again; the earlier issue is kept. An allocated number that a user
already typed on another document of the same issuer is skipped.

Concurrency: the counter is advanced by one ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` statement,
which on PostgreSQL takes the counter row's lock until the transaction ends (two concurrent issuers of one
organization are serialized there, different organizations do not wait on each other); on SQLite every
write transaction is already serialized (``BEGIN IMMEDIATE``). The unique key (issuer_id, year, serial)
of ``documents`` makes a duplicate impossible whatever happens.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import re
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Table, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from flowengine import documents as docs
from flowengine.chinese import CHINA, china_date
from flowengine.clock import Clock, utcnow
from flowengine.definitions.model import ActionDef, DocumentDef, WorkflowDefinition
from flowengine.documents.numbering import prefix_of, printed_number
from flowengine.engine.checks import CheckContext, run_checks
from flowengine.engine.forms import validate_form
from flowengine.engine.roles import OrgInfo, resolve_role
from flowengine.errors import CheckFailed, InvalidAction, NotFound, PermissionDenied
from flowengine.persistence.db import Database
from flowengine.persistence.models import (
    AuditEvent,
    Document,
    DocumentCounter,
    Instance,
    Organization,
    Signature,
    User,
)
from flowengine.registry import Composer
from flowengine.service import access, audit
from flowengine.service.catalog import Catalog
from flowengine.service.requests import steps
from flowengine.service.requests.flow import effective_settings, org_info
from flowengine.vocabulary import STEP_KINDS

#: The columns a listing reads (never the content: a list of documents does not load their bytes).
_LISTED = (
    Document.id,
    Document.instance_id,
    Document.name,
    Document.title,
    Document.kind,
    Document.action,
    Document.issuer_id,
    Document.year,
    Document.serial,
    Document.number,
    Document.filename,
    Document.sha256,
    Document.created_at,
    Document.verify_code,
)
MIMETYPE = docs.MIMETYPE
log = logging.getLogger(__name__)
#: What a preview prints where the issued document will carry its verification code.
PENDING_CODE = "（提交后生成）"


@dataclass(frozen=True)
class DocumentView:
    """A stored document as lists and downloads show it (without its bytes)."""

    id: int
    instance_id: int
    name: str
    title: str
    kind: str
    action: str
    issuer_id: int
    issuer_name: str
    year: int
    serial: int
    number: str
    filename: str
    sha256: str
    size: int
    created_at: dt.datetime
    verify_code: str | None = None  # 扫码验真 (None for documents issued before it existed)

    @property
    def issued_on(self) -> dt.date:
        """The day it was issued, in China."""
        return self.created_at.astimezone(CHINA).date()


@dataclass(frozen=True)
class Preview:
    """A document as it would be issued now (nothing stored): its declared title and its model."""

    declared_title: str
    document: docs.OfficialDocument
    issuer_name: str
    #: The number is the one typed in the form (else the one the register would give next).
    typed: bool


@dataclass(frozen=True)
class StoredModel:
    """An issued document's model (None for a document issued before models were stored: then its
    paragraphs as the .docx holds them), and whether rendering the model again gives the stored file."""

    document: docs.OfficialDocument | None
    reproduces_file: bool
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class DocumentFile:
    view: DocumentView
    content: bytes


#: Crockford's base 32: no I, L, O, U, so a code read off paper is not mistyped.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 10


def new_code() -> str:
    """A fresh verification code, printed as ABCDE-FGHJK."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normal_code(text: str) -> str | None:
    """A code as typed (lower case, without the dash, O for 0 …) in its printed form, or None."""
    t = re.sub(r"[\s\-–—_]", "", text or "").upper().translate(str.maketrans("OIL", "011"))
    if len(t) != CODE_LENGTH or not set(t) <= set(CODE_ALPHABET):
        return None
    return f"{t[:5]}-{t[5:]}"


def verify_path(code: str) -> str:
    """The public verification page of ``code``, relative to the site's root."""
    return f"/verify/{code}"


def safe_filename(title: str, number: str) -> str:
    """关于……的请示（三十一中高二支〔2026〕5号）.docx, without characters a file system refuses."""
    name = re.sub(r'[\\/:*?"<>|\r\n\t]+', "", f"{title}（{number}）")
    return f"{name[:200]}.docx"


class DocumentService:
    """Produces documents inside actions (:class:`flowengine.service.requests.flow.DocumentProducer`) and serves them."""

    def __init__(
        self, db: Database, catalog: Catalog, clock: Clock = utcnow, public_url: str | None = None
    ) -> None:
        self.db = db
        self.catalog = catalog
        self.clock = clock
        #: The site's public address (FLOWENGINE_PUBLIC_URL): the QR code then opens its verification page.
        self.public_url = (public_url or "").rstrip("/") or None

    def verification_for(self, code: str) -> docs.Verification:
        """What a document with ``code`` prints: the QR code's payload and where the code can be typed."""
        if self.public_url:
            return docs.Verification(
                code, f"{self.public_url}{verify_path(code)}", f"{self.public_url}/verify"
            )
        return docs.Verification(code, code)

    # ---- producing -------------------------------------------------------------------------------------

    def produce(
        self,
        s: Session,
        *,
        instance_id: int,
        definition: WorkflowDefinition,
        action: ActionDef,
        org: OrgInfo,
        data: Mapping[str, Any],
        now: dt.datetime,
        actor_id: int | None,
        actor_name: str,
    ) -> None:
        """Issue each document ``action`` declares, numbered, rendered, stored and chained in the audit trail."""
        history = steps.history(s.connection(), instance_id)
        for name, declared, issuer, ctx, compose, year, serial in self._contexts(
            s,
            instance_id=instance_id,
            definition=definition,
            action=action,
            org=org,
            data=data,
            history=history,
            now=now,
            actor_name=actor_name,
            allocate=True,
        ):
            document = compose(ctx)
            number = ctx.number
            content = docs.render(document)
            digest = hashlib.sha256(content).hexdigest()
            stored = Document(
                instance_id=instance_id,
                name=name,
                title=document.title,
                kind=declared.kind,
                action=action.name,
                issuer_id=issuer.id,
                year=year,
                serial=serial,
                number=number,
                model=document.as_dict(),
                filename=safe_filename(document.title, number),
                content=content,
                sha256=digest,
                created_at=now,
                verify_code=ctx.verification.code if ctx.verification else None,
            )
            s.add(stored)
            s.flush()
            audit.append(
                s,
                at=now,
                kind="document",
                instance_id=instance_id,
                actor_id=actor_id,
                actor_name=actor_name,
                org_id=issuer.id,
                action=action.name,
                comment=f"生成《{document.title}》（{number}）",
                data={
                    "document": name,
                    "title": document.title,
                    "number": number,
                    "sha256": digest,
                    "document_id": stored.id,
                    "verify_code": ctx.verification.code if ctx.verification else None,
                },
            )

    def _contexts(
        self,
        s: Session,
        *,
        instance_id: int,
        definition: WorkflowDefinition,
        action: ActionDef,
        org: OrgInfo,
        data: Mapping[str, Any],
        history: tuple[tuple[str, Mapping[str, Any]], ...],
        now: dt.datetime,
        actor_name: str,
        allocate: bool,
    ) -> Iterator[tuple[str, DocumentDef, Organization, docs.DocumentContext, Composer, int, int]]:
        """The context of each document ``action`` declares and its package composes.

        ``allocate``: advance the issuer's register (issuing); otherwise the number is the one the register
        would give next, nothing written (a preview).
        """
        orgs = self._orgs(s, org)
        row = orgs[org.id]
        settings = effective_settings(definition, row, [orgs[i] for i in _ancestor_ids(row) if i in orgs])
        superior_id = org.approver_id or org.parent_id
        for name in action.documents:
            declared = definition.documents.get(name)
            compose = self.catalog.registry.composer(definition.package, name) if declared else None
            if declared is None or compose is None:
                continue  # the procedure package composes no text for this document (yet)
            # Up (请示, 报告) and inside (纪要): issued by the organization; down (批复): by its superior.
            upward = not declared.downward
            issuer = orgs[org.id] if upward else orgs.get(superior_id or -1)
            if issuer is None:
                continue  # an organization without a superior cannot receive a 批复 (resolve_role refused earlier)
            year = china_date(now).year
            serial, allocated = self._allocate(s, issuer, year) if allocate else self._peek(s, issuer, year)
            typed = _typed_number(data.get(action.name) or {}, declared.number_field)
            number = typed or allocated
            issued_on, signer = self._issued_on(
                s, instance_id, definition, action, org, issuer.id, now, actor_name
            )
            code = self._fresh_code(s)
            subject = access.subject_record(s.connection(), instance_id)
            ctx = docs.DocumentContext(
                workflow=definition.name,
                name=name,
                declared_title=declared.title,
                kind=declared.kind,
                direction=declared.direction,
                action=action.name,
                org=_ref(orgs[org.id]),
                issuer=_ref(issuer),
                recipient=(
                    None
                    if declared.direction == "internal"
                    else _ref(orgs[superior_id])
                    if upward and superior_id in orgs
                    else (None if upward else _ref(orgs[org.id]))
                ),
                superior=_ref(orgs[superior_id]) if superior_id in orgs else None,
                parent=_ref(orgs[org.parent_id]) if org.parent_id in orgs else None,
                data=data,
                history=history,
                settings=settings,
                number=number,
                issued_on=issued_on,
                signer=signer,
                earlier=self._earlier(s, instance_id),
                signatures=self._signatures(s, instance_id),
                verification=self.verification_for(code),
                subject_name=subject.name if subject is not None else "",
                subject=subject.data if subject is not None else {},
            )
            yield name, declared, issuer, ctx, compose, year, serial

    def _peek(self, s: Session, issuer: Organization, year: int) -> tuple[int, str]:
        """The serial and number :meth:`_allocate` would give now, without advancing the register."""
        prefix = prefix_of(issuer.doc_prefix, issuer.name)
        serial = (
            s.scalar(
                select(DocumentCounter.last).where(
                    DocumentCounter.issuer_id == issuer.id, DocumentCounter.year == year
                )
            )
            or 0
        )
        while True:
            serial += 1
            number = printed_number(prefix, year, serial)
            taken = s.scalar(
                select(Document.id).where(Document.issuer_id == issuer.id, Document.number == number).limit(1)
            )
            if taken is None:
                return serial, number

    def _orgs(self, s: Session, org: OrgInfo) -> dict[int, Organization]:
        """The organization, its ancestors, its approving body: every organization a document may name."""
        own = s.get(Organization, org.id)
        if own is None:
            raise NotFound(f"组织 {org.id} 不存在。")
        ids = set(_ancestor_ids(own)) | {i for i in (org.approver_id, org.parent_id) if i}
        found = (
            {o.id: o for o in s.scalars(select(Organization).where(Organization.id.in_(ids)))} if ids else {}
        )
        return {**found, own.id: own}

    @staticmethod
    def _fresh_code(s: Session) -> str:
        """A verification code no document has yet (a clash of 50 random bits is all but impossible)."""
        while True:
            code = new_code()
            if s.scalar(select(Document.id).where(Document.verify_code == code)) is None:
                return code

    def _allocate(self, s: Session, issuer: Organization, year: int) -> tuple[int, str]:
        """The next serial of ``issuer`` in ``year`` and its printed number (skipping numbers typed by hand)."""
        prefix = prefix_of(issuer.doc_prefix, issuer.name)
        while True:
            serial = self.next_serial(s, issuer.id, year)
            number = printed_number(prefix, year, serial)
            taken = s.scalar(
                select(Document.id).where(Document.issuer_id == issuer.id, Document.number == number).limit(1)
            )
            if taken is None:
                return serial, number

    def next_serial(self, s: Session, issuer_id: int, year: int) -> int:
        """Advance and return the register of ``issuer_id`` for ``year`` (one atomic upsert; see module doc)."""
        table = DocumentCounter.__table__
        assert isinstance(table, Table)
        dialect = s.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = (
            insert(table)
            .values(issuer_id=issuer_id, year=year, last=1)
            .on_conflict_do_update(
                index_elements=[table.c.issuer_id, table.c.year], set_={"last": table.c.last + 1}
            )
            .returning(table.c.last)
        )
        return int(s.execute(stmt).scalar_one())

    def _earlier(self, s: Session, instance_id: int) -> dict[str, docs.Issued]:
        """The latest issue of each document this request produced before, for citing (《title》（number））."""
        out: dict[str, docs.Issued] = {}
        for d in s.scalars(select(Document).where(Document.instance_id == instance_id).order_by(Document.id)):
            out[d.name] = docs.Issued(d.name, d.title, d.number, china_date(d.created_at))
        return out

    @staticmethod
    def _signatures(s: Session, instance_id: int) -> tuple[docs.Signed, ...]:
        """Each signer's latest answer per countersign step: a step signed again after a return cites the
        answers of its last round."""
        latest: dict[tuple[str, int | None, str, int], docs.Signed] = {}
        rows = s.execute(
            select(Signature, Organization.name)
            .join(Organization, Organization.id == Signature.org_id)
            .where(Signature.instance_id == instance_id)
            .order_by(Signature.id)
        ).all()
        for sig, org_name in rows:
            key = (sig.state, sig.user_id, sig.role, sig.org_id)
            latest.pop(key, None)  # re-inserted last: the order stays that of the latest answers
            latest[key] = docs.Signed(
                sig.state, sig.actor_name, sig.role, org_name, sig.decision, dict(sig.data or {}), sig.comment
            )
        return tuple(latest.values())

    def _issued_on(
        self,
        s: Session,
        instance_id: int,
        definition: WorkflowDefinition,
        action: ActionDef,
        org: OrgInfo,
        issuer_id: int,
        now: dt.datetime,
        actor_name: str,
    ) -> tuple[dt.date, str]:
        """The 成文日期 and the 签发人: today and the actor, unless the document is the organization's but
        the superior's step produces it.

        A 备案报告 is declared on the superior's 予以备案: the report itself is the organization's, written
        and signed when it handed the matter over, so it is dated the day the request entered the step being
        acted on and signed by whoever of the organization sent it there — never by the superior's handler.
        """
        acting = resolve_role(definition.roles[action.role], org).org_id
        if acting == issuer_id:
            return china_date(now), actor_name
        entered = s.execute(
            select(AuditEvent.at, AuditEvent.actor_name)
            .where(
                AuditEvent.chain == audit.chain_of(instance_id),
                AuditEvent.kind.in_(tuple(STEP_KINDS)),
                AuditEvent.to_state.in_(action.sources),
            )
            .order_by(AuditEvent.seq.desc())
            .limit(1)
        ).one_or_none()
        if entered is None:
            return china_date(now), actor_name
        return china_date(entered.at), entered.actor_name or actor_name

    # ---- previewing ------------------------------------------------------------------------------------

    def preview(
        self, instance_id: int, action_name: str, user_id: int, data: Mapping[str, Any]
    ) -> list[Preview]:
        """The documents ``action_name`` would issue if submitted now with ``data`` — composed and laid out
        exactly as :meth:`produce` would, numbered with the number the register would give next (or the one
        typed in the form) — and nothing written: no number used, no file, no audit event.

        The form is validated as the step would validate it (ValidationFailed with the messages per field);
        the caller checks that the person may take the action (the request page's rule).
        """
        with self.db.read() as s:
            self._require_user(s, user_id)
            self._require_visible(s, instance_id, user_id)
            inst = s.get(Instance, instance_id)
            assert inst is not None
            definition = self.catalog.by_row(inst.definition)
            try:
                act = definition.action(action_name)
            except KeyError:
                raise NotFound(f"没有名为“{action_name}”的办理事项。") from None
            if inst.state not in act.sources:
                raise InvalidAction(
                    f"当前步骤为“{definition.state(inst.state).title}”，不能预览“{act.title}”的文书。"
                )
            cleaned = validate_form(act.form, data)
            info = org_info(inst.org)
            now = self.clock()
            conn = s.connection()
            orgs = self._orgs(s, info)
            settings = effective_settings(
                definition, orgs[info.id], [orgs[i] for i in _ancestor_ids(orgs[info.id]) if i in orgs]
            )
            # The step's own checks: a step they would refuse issues no document, so it has no preview.
            check_ctx = CheckContext(
                info,
                cleaned,
                dict(inst.data or {}),
                settings,
                china_date(now),
                act.name,
                history=steps.history(conn, instance_id) if steps.needs_history(act) else (),
                procedure=definition.params,
            )
            failures = run_checks(act.checks, check_ctx)
            if failures:
                raise CheckFailed(failures)
            new_data = dict(inst.data or {})
            if act.form:
                new_data[act.name] = cleaned
            history = (*steps.history(conn, instance_id), (act.name, cleaned))
            user = s.get(User, user_id)
            assert user is not None
            out = []
            for _, declared, issuer, ctx, compose, _, _ in self._contexts(
                s,
                instance_id=instance_id,
                definition=definition,
                action=act,
                org=info,
                data=new_data,
                history=history,
                now=now,
                actor_name=user.display_name,
                allocate=False,
            ):
                try:
                    document = compose(ctx)
                except Exception as exc:  # a composer meeting data its checks did not foresee
                    log.warning("preview of %s/%s failed: %r", definition.name, ctx.name, exc)
                    raise InvalidAction(
                        f"暂不能按当前填写的内容生成“{declared.title}”的预览，请检查表单后再试。"
                    ) from None
                typed = _typed_number(cleaned, declared.number_field) is not None
                if document.verification is not None:
                    # The verification code is drawn when the document is issued (unguessable, one per
                    # issue): the preview says so instead of showing a code that will never be valid.
                    document = replace(
                        document,
                        verification=replace(document.verification, code=PENDING_CODE, payload=""),
                    )
                out.append(Preview(declared.title, document, issuer.name, typed))
            return out

    def previewable(self, definition: WorkflowDefinition) -> dict[str, tuple[str, ...]]:
        """For each action of ``definition`` that issues documents with text, their kinds (请示, 批复 …):
        what its "预览" button names."""
        out: dict[str, tuple[str, ...]] = {}
        for act in definition.actions:
            kinds = tuple(
                definition.documents[n].kind
                for n in act.documents
                if n in definition.documents and self.catalog.registry.composer(definition.package, n)
            )
            if kinds:
                out[act.name] = tuple(dict.fromkeys(kinds))
        return out

    def model_of(self, document_id: int, user_id: int) -> StoredModel:
        """An issued document's model for its preview, and whether it still renders to the stored file."""
        with self.db.read() as s:
            row = s.execute(
                select(Document.instance_id, Document.model, Document.content, Document.sha256).where(
                    Document.id == document_id
                )
            ).one_or_none()
            if row is None:
                self._require_user(s, user_id)
                raise NotFound(f"文件 {document_id} 不存在，或您无权查看。")
            try:
                self._require_visible(s, row.instance_id, user_id)
            except NotFound:
                raise NotFound(f"文件 {document_id} 不存在，或您无权查看。") from None
            if row.model is None:
                return StoredModel(None, False, _docx_paragraphs(bytes(row.content)))
            document = docs.OfficialDocument.from_dict(row.model)
            same = hashlib.sha256(docs.render(document)).hexdigest() == row.sha256
            return StoredModel(document, same, ())

    # ---- reading ---------------------------------------------------------------------------------------

    def list_for(self, instance_id: int, user_id: int) -> list[DocumentView]:
        """Every document of the request, in the order issued (earlier issues of a redone step included)."""
        with self.db.read() as s:
            self._require_visible(s, instance_id, user_id)
            rows = s.execute(
                select(
                    *_LISTED,
                    func.length(Document.content).label("size"),
                    Organization.name.label("issuer_name"),
                )
                .join(Organization, Organization.id == Document.issuer_id)
                .where(Document.instance_id == instance_id)
                .order_by(Document.id)
            )
            return [DocumentView(**r._mapping) for r in rows]

    def get(self, document_id: int, user_id: int) -> DocumentFile:
        """One document with its bytes, for whoever may see its request (NotFound otherwise)."""
        with self.db.read() as s:
            row = s.execute(
                select(*_LISTED, Document.content, Organization.name.label("issuer_name"))
                .join(Organization, Organization.id == Document.issuer_id)
                .where(Document.id == document_id)
            ).one_or_none()
            if row is None:
                self._require_user(s, user_id)
                raise NotFound(f"文件 {document_id} 不存在，或您无权查看。")
            try:
                self._require_visible(s, row.instance_id, user_id)
            except NotFound:
                raise NotFound(f"文件 {document_id} 不存在，或您无权查看。") from None
            fields = dict(row._mapping)
            content = bytes(fields.pop("content"))
            return DocumentFile(DocumentView(**fields, size=len(content)), content)

    def _require_user(self, s: Session, user_id: int) -> None:
        user = s.get(User, user_id)
        if user is None or not user.is_active:
            raise PermissionDenied("用户不存在或已停用。")

    def _require_visible(self, s: Session, instance_id: int, user_id: int) -> None:
        """A document is visible to whoever may see its request (:func:`flowengine.service.access.may_see`)."""
        who = access.caller(s.connection(), user_id)
        row = s.execute(
            select(Organization.path, Organization.approver_id)
            .join(Instance, Instance.org_id == Organization.id)
            .where(Instance.id == instance_id)
        ).one_or_none()
        if row is None or not access.may_see(who.held, row.path, row.approver_id):
            raise NotFound(f"申请 {instance_id} 不存在，或您无权查看。")


def _typed_number(form: Mapping[str, Any], field: str | None) -> str | None:
    """The number the acting person typed in the document's declared ``number_field``, if any."""
    value = form.get(field) if field else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _docx_paragraphs(content: bytes) -> tuple[str, ...]:
    """The text of each non-empty paragraph of a stored .docx, tables included, in reading order."""
    from docx import Document as read_docx

    d = read_docx(io.BytesIO(content))
    out = [p.text for p in d.paragraphs if p.text.strip()]
    out += [
        p.text
        for t in d.tables
        for row in t.rows
        for cell in row.cells
        for p in cell.paragraphs
        if p.text.strip()
    ]
    return tuple(out)


def _ancestor_ids(org: Organization) -> list[int]:
    return [int(x) for x in org.path.strip("/").split("/")[:-1] if x]


def _ref(o: Organization) -> docs.OrgRef:
    return docs.OrgRef(
        id=o.id,
        name=o.name,
        type=o.type,
        term_start=o.term_start,
        term_end=o.term_end,
        full_members=o.full_members,
        probationary_members=o.probationary_members,
        doc_prefix=o.doc_prefix,
        contact_name=o.contact_name,
        contact_phone=o.contact_phone,
    )


__all__ = [
    "DocumentFile",
    "DocumentService",
    "DocumentView",
    "MIMETYPE",
    "Preview",
    "StoredModel",
    "printed_number",
]
