"""What a generated document is made of, before it is laid out: plain data, no python-docx, no database.

The composers (one module per procedure) turn a request's step data into an :class:`OfficialDocument`;
:mod:`flowengine.documents.layout` turns that into a .docx in the GB/T 9704 format. Keeping the two apart
lets a test read the prose without opening a file, and lets the layout change without touching the prose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from flowengine.chinese import chinese_date

#: Emphasis of a run of text: GB/T 9704 sets 一级标题 in 黑体, 二级标题 in 楷体, 三级标题 in bold 仿宋.
EMPHASES = ("", "heading", "subheading", "bold")


@dataclass(frozen=True)
class Span:
    text: str
    emphasis: str = ""


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the body: runs of text, indented two characters unless ``indent`` is false."""

    spans: tuple[Span, ...]
    indent: bool = True

    @classmethod
    def of(cls, text: str, *, indent: bool = True) -> Paragraph:
        return cls((Span(text),), indent)

    @classmethod
    def item(cls, heading: str, text: str) -> Paragraph:
        """A numbered item written inline: the heading (一、召开时间。) in 黑体, then its text."""
        return cls((Span(heading, "heading"), Span(text)))

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


@dataclass(frozen=True)
class Verification:
    """What a document carries so that anyone holding it can check it (扫码验真).

    ``code`` is the short verification code printed under the QR code; ``payload`` what the QR code
    encodes (the public verification page's address for the code, or the code alone when the deployment
    has no public address); ``where`` the address a reader types the code into, printed beside it.
    """

    code: str
    payload: str
    where: str = ""


@dataclass(frozen=True)
class OfficialDocument:
    """A 公文 as issued: the 版头 (mark, number), the 主体 (title to date) and the 版记 (抄送, 印发)."""

    kind: str  # 请示 | 报告 | 批复 | 纪要, as printed; the layout follows ``direction``
    mark: str  # 发文机关标志, e.g. 中共郑州市委教育工作委员会文件 or …会议纪要
    number: str  # 发文字号
    title: str
    recipient: str | None  # 主送机关 (None for 纪要)
    body: tuple[Paragraph, ...]
    signature: str | None  # 发文机关署名 (None for 纪要)
    date: dt.date  # 成文日期
    printed_by: str  # 印发机关
    signer: str | None = None  # 签发人, printed beside the number of an upward document (请示, 报告)
    note: str | None = None  # 附注, e.g. （联系人：马骏）
    attendance: tuple[Paragraph, ...] = ()  # 纪要: 出席, 缺席, 列席
    copies_to: tuple[str, ...] = ()  # 抄送机关
    author: str = ""  # the file's author property (the issuing organization)
    #: up (请示, 报告), down (批复) or internal (纪要: dated in the masthead, not signed).
    direction: str = "up"
    #: Laid out for a seal (GB/T 9704 §7.3.5.1): the 成文日期 four characters from the right, the 署名 centred
    #: above it, three blank lines above them where the 印章 is pressed. A 请示 and a 批复 are sealed.
    sealed: bool = False
    #: Names the title must not be broken inside (the organizations it names), longest first.
    title_keep: tuple[str, ...] = ()
    #: The 扫码验真 block: a QR code and a short code anyone holding the paper can check.
    verification: Verification | None = None

    @property
    def internal(self) -> bool:
        return self.direction == "internal"

    @property
    def text(self) -> str:
        """Every line of the document as plain text, in reading order (for tests and for search)."""
        lines = [self.mark, self.number, self.title]
        if self.recipient:
            lines.append(f"{self.recipient}：")
        lines += [p.text for p in self.body]
        if self.signature:
            lines.append(self.signature)
        lines.append(chinese_date(self.date))
        if self.note:
            lines.append(self.note)
        lines += [p.text for p in self.attendance]
        if self.verification is not None:
            lines.append(f"验证码：{self.verification.code}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON data (stored with the issued file, so that its preview is the model it was made of)."""
        raw = asdict(self)
        raw["date"] = self.date.isoformat()
        return raw

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> OfficialDocument:
        def paragraphs(items: Any) -> tuple[Paragraph, ...]:
            return tuple(
                Paragraph(
                    tuple(Span(str(s["text"]), str(s.get("emphasis", ""))) for s in p["spans"]),
                    bool(p["indent"]),
                )
                for p in items or ()
            )

        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in raw.items() if k in known}
        values["date"] = dt.date.fromisoformat(str(raw["date"]))
        values["body"] = paragraphs(raw.get("body"))
        values["attendance"] = paragraphs(raw.get("attendance"))
        values["copies_to"] = tuple(raw.get("copies_to") or ())
        values["title_keep"] = tuple(raw.get("title_keep") or ())
        v = raw.get("verification")
        values["verification"] = (
            Verification(str(v["code"]), str(v["payload"]), str(v.get("where") or "")) if v else None
        )
        return cls(**values)


@dataclass(frozen=True)
class OrgRef:
    """An organization as a document names it."""

    id: int
    name: str
    type: str  # work_committee | committee | general_branch | branch
    term_start: dt.date | None = None
    term_end: dt.date | None = None
    full_members: int = 0
    probationary_members: int = 0
    doc_prefix: str | None = None  # 发文机关代字
    contact_name: str | None = None  # 附注's 联系人 (the acting person when unset)
    contact_phone: str | None = None  # 附注's 联系电话


@dataclass(frozen=True)
class Issued:
    """A document the request produced earlier, as a later one cites it: 《title》（number）."""

    name: str
    title: str
    number: str
    date: dt.date


@dataclass(frozen=True)
class Signed:
    """One signer's latest answer on a countersign step (会签), as a document cites it ("经征求纪检部门意见")."""

    state: str
    name: str
    role: str
    org_name: str
    decision: str  # approve | return
    data: Mapping[str, Any]
    comment: str | None


@dataclass(frozen=True)
class DocumentContext:
    """Everything a composer may read: the request's data, who issues the document, to whom, and when.

    ``data`` holds the latest submission of each step (keyed by action name); ``history`` every step
    submitted, oldest first, so that rounds of 另行选举 and a failed 书记 vote can be told in order.
    """

    workflow: str
    name: str  # the definition's document key, e.g. request1
    declared_title: str  # the title the definition declares
    kind: str
    direction: str  # as the definition declares: up, down or internal
    action: str
    org: OrgRef  # the request's organization
    issuer: OrgRef
    recipient: OrgRef | None
    superior: OrgRef | None  # the approving organization (approver, else parent)
    parent: OrgRef | None
    data: Mapping[str, Mapping[str, Any]]
    history: tuple[tuple[str, Mapping[str, Any]], ...]
    settings: Mapping[str, Any]
    number: str
    issued_on: dt.date
    signer: str  # the person who performed the action
    earlier: Mapping[str, Issued] = field(default_factory=dict)
    signatures: tuple[Signed, ...] = ()  # every countersign's latest answers, oldest first
    verification: Verification | None = None  # the 扫码验真 block the document carries
    #: The person the request is about (its definition's ``subject``): name and personal data; empty for a
    #: request about its organization.
    subject_name: str = ""
    subject: Mapping[str, Any] = field(default_factory=dict)

    def step(self, action: str) -> Mapping[str, Any]:
        return self.data.get(action) or {}

    def signed_on(self, state: str) -> tuple[Signed, ...]:
        """The answers of the countersign on ``state`` (empty when it had none)."""
        return tuple(sg for sg in self.signatures if sg.state == state)
