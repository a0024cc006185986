"""The parts of a document every composer shares: who signs, how it is marked, the closing lines.

A composer decides the title and writes the body; :func:`frame` adds what follows from the kind of
document and from who issues it, so that every 请示 carries its 签发人 and contact, every 批复 its copy to
the organization's parent when another body approved, and so on, without each composer repeating it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from flowengine.documents.model import DocumentContext, Issued, OfficialDocument, OrgRef, Paragraph

#: Organization types that issue documents under a 文件 masthead (a Party committee and above); a
#: branch's documents carry its name alone.
_FILE_MASTHEAD = ("work_committee", "committee")

#: Kinds issued under a seal by default (党政机关公文处理工作条例 第九条: 公文除会议纪要和以电报形式发出的
#: 以外，应当加盖印章; a 请示 and a 批复 always are). A 报告 of a branch is often sent unsealed, and 纪要 never
#: are; ``frame(sealed=...)`` decides otherwise for one document.
SEALED_KINDS = ("请示", "批复")


def masthead(issuer: OrgRef, direction: str) -> str:
    """The 发文机关标志: …会议纪要 for a document kept inside the organization, …文件 for a committee's."""
    if direction == "internal":
        return f"{issuer.name}会议纪要"
    return f"{issuer.name}文件" if issuer.type in _FILE_MASTHEAD else issuer.name


def frame(
    ctx: DocumentContext,
    title: str,
    body: Sequence[Paragraph],
    *,
    attendance: Sequence[Paragraph] = (),
    copies_to: Iterable[str] = (),
    contact: bool = False,
    sealed: bool | None = None,
) -> OfficialDocument:
    """The complete document around ``body``: masthead, number, recipient, signature, date, colophon.

    ``contact`` adds the 附注 with the contact person and telephone, which a 请示 carries so the superior
    can ask back (条例 第九条（八）: 附注 states "需要说明的事项"; GB/T 9704-2012 §7.3.6 places it, in
    parentheses two characters in, on the line below the 成文日期; practice, and GB/T 9704-1999 before it,
    requires a 请示's 联系人和联系电话 there). ``sealed`` (by default: a 请示 or a 批复) lays the signature
    out for the 印章.
    """
    upward = ctx.direction == "up"
    minutes = ctx.direction == "internal"
    if sealed is None:
        sealed = ctx.kind in SEALED_KINDS and not minutes
    return OfficialDocument(
        kind=ctx.kind,
        mark=masthead(ctx.issuer, ctx.direction),
        number=ctx.number,
        title=title,
        recipient=None if minutes or ctx.recipient is None else ctx.recipient.name,
        body=tuple(body),
        signature=None if minutes else ctx.issuer.name,
        date=ctx.issued_on,
        printed_by=ctx.issuer.name,
        signer=ctx.signer if upward else None,
        note=contact_note(ctx) if contact else None,
        attendance=tuple(attendance),
        copies_to=tuple(copies_to),
        author=ctx.issuer.name,
        direction=ctx.direction,
        sealed=bool(sealed),
        title_keep=named_in_title(ctx),
        verification=ctx.verification,
    )


def contact_note(ctx: DocumentContext) -> str | None:
    """（联系人：马骏，联系电话：0371-63821234）: the issuer's contact if one is set, else the acting person."""
    who = (ctx.issuer.contact_name or "").strip() or ctx.signer
    phone = (ctx.issuer.contact_phone or "").strip()
    parts = [f"联系人：{who}"] if who else []
    if phone:
        parts.append(f"联系电话：{phone}")
    return f"（{'，'.join(parts)}）" if parts else None


def named_in_title(ctx: DocumentContext) -> tuple[str, ...]:
    """The organizations a title may name, longest first: a title is never broken inside one."""
    names = {o.name for o in (ctx.org, ctx.issuer, ctx.recipient, ctx.superior, ctx.parent) if o is not None}
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


def reply_copies(ctx: DocumentContext) -> tuple[str, ...]:
    """A 批复 from an approving body other than the parent is copied to the parent (it must know)."""
    if ctx.parent is not None and ctx.superior is not None and ctx.parent.id != ctx.superior.id:
        return (ctx.parent.name,)
    return ()


def cited(doc: Issued | None, fallback: str) -> str:
    """《title》（number）, the way a reply or a later request cites an earlier document."""
    if doc is None:
        return fallback
    return f"《{doc.title}》（{doc.number}）"


def last_step(ctx: DocumentContext, *actions: str) -> tuple[str, Mapping[str, Any]]:
    """The latest submission among ``actions`` (the with- or without-committee variant of a step)."""
    for action, data in reversed(ctx.history):
        if action in actions:
            return action, data
    for action in actions:
        if action in ctx.data:
            return action, ctx.data[action]
    return actions[0], {}


def since(ctx: DocumentContext, action: str) -> list[tuple[str, Mapping[str, Any]]]:
    """Steps submitted from the latest ``action`` on (that step included), oldest first."""
    for i in range(len(ctx.history) - 1, -1, -1):
        if ctx.history[i][0] == action:
            return list(ctx.history[i:])
    return []


def as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None
