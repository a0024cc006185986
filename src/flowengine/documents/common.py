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
) -> OfficialDocument:
    """The complete document around ``body``: masthead, number, recipient, signature, date, colophon.

    ``contact`` adds the 附注 with the contact person, which a 请示 carries so the superior can ask back.
    """
    upward = ctx.direction == "up"
    minutes = ctx.direction == "internal"
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
        note=f"（联系人：{ctx.signer}）" if contact and ctx.signer else None,
        attendance=tuple(attendance),
        copies_to=tuple(copies_to),
        author=ctx.issuer.name,
        direction=ctx.direction,
    )


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
