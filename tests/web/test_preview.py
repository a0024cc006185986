"""Document preview (issue 15.7): before the step is submitted ("预览请示", from the form as filled in, nothing
saved) and after (the issued document), rendered from the same model as the .docx — the preview's text is
the .docx's text, paragraph by paragraph."""

from __future__ import annotations

from collections.abc import Callable

from flowengine.service import Services
from tests.support import World
from tests.support.gongwen import docx_paragraphs, html_paragraphs
from tests.support.web import POSTPONEMENT, Browser, snapshot

FORM = {
    "document_number": "",  # the register gives the number: the preview shows the one it would give
    "kind": POSTPONEMENT["kind"],
    "current_term_end": POSTPONEMENT["current_term_end"],
    "new_term_end": POSTPONEMENT["new_term_end"],
    "reasons": POSTPONEMENT["reasons"],
}


def test_preview_before_submitting_is_the_document_that_is_then_issued(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    iid = services.flow.start("election_postponement", world.orgs["b1"], world.users["sec1"]).id
    sec1 = browser("sec1")
    page = sec1.get(f"/requests/{iid}").get_data(as_text=True)
    assert 'data-testid="preview-submit_request"' in page and "预览请示" in page
    before = snapshot(services)

    response = sec1.post(f"/requests/{iid}/actions/submit_request/preview", {"version": "1", **FORM})
    assert response.status_code == 200
    preview = response.get_data(as_text=True)
    assert "尚未提交" in preview and preview.count('data-testid="gongwen"') == 1
    assert snapshot(services) == before  # nothing saved: no document, no number used, no event
    assert services.documents.list_for(iid, world.users["sec1"]) == []

    submit = sec1.post(f"/requests/{iid}/actions/submit_request", {"version": "1", **FORM})
    assert submit.status_code == 302
    [doc] = services.documents.list_for(iid, world.users["sec1"])
    issued = services.documents.get(doc.id, world.users["sec1"]).content
    paragraphs = docx_paragraphs(issued)
    # Paragraph by paragraph the same, but for the verification code, which is drawn when it is issued.
    code = [i for i, p in enumerate(paragraphs) if p.startswith("扫码")]
    shown = html_paragraphs(preview)
    assert [p for i, p in enumerate(shown) if i not in code] == [
        p for i, p in enumerate(paragraphs) if i not in code
    ]
    assert all("验证码" in paragraphs[i] and "提交后生成" in shown[i] for i in code)
    assert doc.number in "".join(paragraphs) and "关于延期进行换届选举的请示" in "".join(paragraphs)

    # After: the issued document, from its stored model, for whoever may see the request.
    for user in ("sec1", "handler", "auditor"):
        shown = browser(user).get(f"/requests/{iid}/documents/{doc.id}/preview")
        assert shown.status_code == 200, user
        html = shown.get_data(as_text=True)
        assert html_paragraphs(html) == paragraphs, user
        assert "与存档文件一致" in html
    assert 'data-testid="document-preview"' in sec1.get(f"/requests/{iid}").get_data(as_text=True)


def test_preview_of_an_invalid_form_names_the_fields_and_saves_nothing(
    browser: Callable[[str | None], Browser], services: Services, world: World
) -> None:
    iid = services.flow.start("election_postponement", world.orgs["b1"], world.users["sec1"]).id
    sec1 = browser("sec1")
    sec1.get(f"/requests/{iid}")
    before = snapshot(services)
    response = sec1.post(
        f"/requests/{iid}/actions/submit_request/preview",
        {"version": "1", **FORM, "reasons": "", "new_term_end": "明年"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-testid="preview-errors"' in html and 'data-testid="gongwen"' not in html
    assert "理由" in html  # the field named by its label
    assert snapshot(services) == before
    # A step its checks would refuse issues no document: the check's reason instead of a preview.
    too_late = sec1.post(
        f"/requests/{iid}/actions/submit_request/preview",
        {"version": "1", **FORM, "new_term_end": "2029-12-31"},
    )
    assert too_late.status_code == 422
    page = too_late.get_data(as_text=True)
    assert 'data-testid="preview-errors"' in page and 'data-testid="gongwen"' not in page
    assert snapshot(services) == before
    # Only who may take the step may preview it.
    handler, sec2 = browser("handler"), browser("sec2")
    handler.get(f"/requests/{iid}")
    sec2.get("/done")
    url = f"/requests/{iid}/actions/submit_request/preview"
    assert handler.post(url, {"version": "1", **FORM}).status_code == 403
    assert sec2.post(url, {"version": "1", **FORM}).status_code == 404
