"""扫码验真: the QR code on a generated document opens the public verification page, which confirms an
untouched document and refuses a changed one, says nothing about the people, and limits every client.

The documents are real: a branch's 延期换届 请示 and its 批复, issued through the service. The QR code is read
out of the .docx image with zxing-cpp, as a phone would read it off the paper.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable
from urllib.parse import urlparse

import docx
import pytest
import zxingcpp
from PIL import Image

from flowengine.service import Services
from flowengine.service.requests.documents import DocumentView
from flowengine.web import create_app
from tests.support import Clock
from tests.support.city import Org, Walk, build_city, china_noon
from tests.support.documents import docs_of
from tests.support.paths import SHIPPED_WORKFLOWS
from tests.support.web import Browser

PUBLIC = "https://oa.example.cn"


def _issue(services: Services, clock: Clock) -> tuple[Org, list[DocumentView]]:
    clock.now = china_noon("2026-09-21")
    city = build_city(services, clock.now)
    w = Walk.start(services, city, clock, "election_postponement", "g2", "majun")
    w.on("2026-09-22").act(
        "majun",
        "submit_request",
        {
            "kind": "postpone",
            "current_term_end": "2026-11-27",
            "new_term_end": "2027-03-31",
            "reasons": "学校整体搬迁至新校区，难以按期召开党员大会。",
        },
    )
    w.on("2026-09-23").act("hexiaoli", "forward", {"opinion": "理由充分。"})
    w.on("2026-09-25").act("liweidong", "approve", {"reply_number": "三十一中党〔2026〕19号"})
    return city, docs_of(city, w)


@pytest.fixture
def issued(make_services: Callable[..., Services], clock: Clock) -> tuple[Services, Org, list[DocumentView]]:
    services = make_services(SHIPPED_WORKFLOWS, public_url=PUBLIC, verify_rate_limit="50/minute")
    city, docs = _issue(services, clock)
    return services, city, docs


def _anonymous(services: Services) -> Browser:
    return Browser(create_app(services, config={"SECRET_KEY": "test-secret", "TESTING": True}).test_client())


def _content(services: Services, city: Org, doc: DocumentView) -> bytes:
    return services.documents.get(doc.id, city.users["sunli"]).content


def _scan(content: bytes) -> str:
    """The QR code's payload, read from the image embedded in the .docx."""
    d = docx.Document(io.BytesIO(content))
    [image] = [r.target_part.blob for r in d.part.rels.values() if "image" in r.reltype]
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(image)))
    return str(code.text)


def _changed(content: bytes, old: str, new: str) -> bytes:
    """The same .docx with one word of its text changed, as someone editing it in Word would."""
    src = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode())
            dst.writestr(info, data)
    return out.getvalue()


def _verdict(html: str) -> str | None:
    found = re.search(r'data-verdict="(\w+)"', html)
    return found.group(1) if found else None


def test_the_qr_code_opens_the_page_that_confirms_the_document_and_names_no_person(
    issued: tuple[Services, Org, list[DocumentView]],
) -> None:
    services, city, docs = issued
    for doc in docs:
        assert doc.verify_code and re.fullmatch(
            r"[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}", doc.verify_code
        )
        content = _content(services, city, doc)
        payload = _scan(content)
        assert payload == f"{PUBLIC}/verify/{doc.verify_code}"
        page = _anonymous(services).get(urlparse(payload).path)  # no login
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and _verdict(html) == "match"
        for shown in (
            doc.title,
            doc.number,
            doc.issuer_name,
            f"{doc.issued_on.year}年{doc.issued_on.month}月",
        ):
            assert shown in html
        # Only the title, number, issuer and date: no signer, contact, applicant or text of the request.
        for private in ("马骏", "何晓丽", "李卫东", "搬迁", "签发人", "联系人"):
            assert private not in html
        # The code printed under the QR code is the same, and typed in lower case without its dash it works.
        assert f"验证码 {doc.verify_code}" in "".join(
            p.text for p in docx.Document(io.BytesIO(content)).paragraphs
        )
        typed = doc.verify_code.replace("-", "").lower()
        again = _anonymous(services).get(f"/verify?code={typed}")
        assert again.status_code == 200 and _verdict(again.get_data(as_text=True)) == "match"


def test_an_uploaded_document_is_confirmed_untouched_and_refused_once_changed(
    issued: tuple[Services, Org, list[DocumentView]],
) -> None:
    services, city, docs = issued
    reply = next(d for d in docs if d.name == "reply")
    content = _content(services, city, reply)
    b = _anonymous(services)
    b.get("/verify")

    def upload(data: bytes, name: str = "批复.docx") -> tuple[int, str]:
        r = b.post("/verify", {"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
        return r.status_code, r.get_data(as_text=True)

    status, html = upload(content)
    assert status == 200 and _verdict(html) == "match" and "完全一致" in html and reply.number in html
    # One character of the text changed (the term's new end date): found by its code, refused.
    status, html = upload(_changed(content, "2027年3月31日", "2027年6月30日"))
    assert status == 200 and _verdict(html) == "mismatch" and "不一致" in html and reply.number in html
    # Not a .docx at all: a clear message at the file field, 422.
    status, html = upload(b"%PDF-1.4 not a word file", "scan.pdf")
    assert status == 422 and "文件不是 .docx 格式" in html
    # A .docx flowengine never issued: not recognised.
    other = io.BytesIO()
    docx.Document().save(other)
    status, html = upload(other.getvalue(), "other.docx")
    assert status == 404 and "未能识别该文件" in html


def test_a_code_that_does_not_exist_or_is_malformed_is_answered_plainly(
    issued: tuple[Services, Org, list[DocumentView]],
) -> None:
    services, _, _ = issued
    b = _anonymous(services)
    r = b.get("/verify/ABCDE-FGHJK")
    assert r.status_code == 404 and "未找到验证码" in r.get_data(as_text=True)
    r = b.get("/verify/12345")
    assert r.status_code == 422 and "验证码为 10 位字母或数字" in r.get_data(as_text=True)


def test_the_page_is_rate_limited_across_workers(
    make_services: Callable[..., Services], clock: Clock
) -> None:
    """Two app processes over one database (two gunicorn workers) share one allowance per client."""
    first = make_services(SHIPPED_WORKFLOWS, verify_rate_limit="3/minute")
    _, docs = _issue(first, clock)
    second = make_services(SHIPPED_WORKFLOWS, verify_rate_limit="3/minute")
    code = docs[0].verify_code
    workers = [_anonymous(first), _anonymous(second)]
    statuses = [workers[i % 2].get(f"/verify/{code}").status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = workers[0].get(f"/verify/{code}")
    assert refused.status_code == 429 and "请求过于频繁" in refused.get_data(as_text=True)
    assert docs[0].title not in refused.get_data(as_text=True)
    # Another client is not held back by this one.
    other = workers[1].get(f"/verify/{code}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200
    clock.now += dt.timedelta(minutes=1)  # the next window
    assert workers[1].get(f"/verify/{code}").status_code == 200
