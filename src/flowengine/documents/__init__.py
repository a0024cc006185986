"""Official documents (公文) generated from a request's steps: 请示, 报告, 批复, 会议纪要.

Pure on purpose — python-docx and the data, no database, no web — so that the prose and the layout can be
tested without a request, and the service layer (``flowengine.service.requests.documents``) decides only numbers,
storage and who may read them.

* :func:`compose` writes a document's text from a :class:`DocumentContext`, with a composer per procedure
  (:mod:`.branch_election`, :mod:`.major_decision`, :mod:`.election_postponement`). A document is prose
  that says what each step's data means, so a definition added in YAML gets generated documents only once
  someone writes its composer (:func:`has_composer`); until then its steps issue none.
* :func:`render` lays it out as a .docx in the GB/T 9704 format (:mod:`.layout`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from flowengine.documents import branch_election, election_postponement, major_decision
from flowengine.documents.layout import MIMETYPE, render
from flowengine.documents.model import (
    DocumentContext,
    Issued,
    OfficialDocument,
    OrgRef,
    Paragraph,
    Span,
)

Composer = Callable[[DocumentContext], OfficialDocument]

#: The composers of each shipped procedure's documents, by (definition name, document key).
COMPOSERS: Mapping[tuple[str, str], Composer] = {
    **{("branch_election", k): f for k, f in branch_election.COMPOSERS.items()},
    **{("major_decision", k): f for k, f in major_decision.COMPOSERS.items()},
    **{("election_postponement", k): f for k, f in election_postponement.COMPOSERS.items()},
}


def has_composer(workflow: str, document: str) -> bool:
    return (workflow, document) in COMPOSERS


def compose(ctx: DocumentContext) -> OfficialDocument:
    """The document ``ctx`` describes, written by its procedure's composer."""
    return COMPOSERS[(ctx.workflow, ctx.name)](ctx)


__all__ = [
    "COMPOSERS",
    "MIMETYPE",
    "DocumentContext",
    "Issued",
    "OfficialDocument",
    "OrgRef",
    "Paragraph",
    "Span",
    "compose",
    "has_composer",
    "render",
]
