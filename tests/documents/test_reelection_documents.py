"""Every document of a completed re-election (两请示一报告三批复), opened as Word would open it.

Each test walks a re-election through the service API with the data of ``tests/workflows`` and checks the
generated .docx files: title, 主送 line, number and date, and the numbers and names the text must carry,
all taken from the data the steps submitted (never typed twice in the test).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import random
import threading
from typing import Any

import docx
import pytest
from sqlalchemy import select, update

from flowengine.documents.layout import BODY_PT, TEXT_WIDTH_PT, _text_width
from flowengine.engine.ballot_order import order_by_surname_strokes
from flowengine.errors import NotFound
from flowengine.persistence.models import DocumentCounter, Organization
from flowengine.service.requests.steps import STEP_KINDS
from tests.support import Clock
from tests.support.city import CANDIDATES, REQUEST1, Org, Walk
from tests.support.documents import (
    EXTRA_VOTE,
    FIRST_MEETING,
    G2,
    GW,
    RE_VOTE,
    REQUEST2,
    TIE_VOTE,
    VOTE,
    YES,
    ZYL,
    ZZ31,
    cn,
    docs_of,
    head,
    issued,
    reelect_with_committee,
    reelect_without_committee,
    text_of,
)


def test_every_document_of_a_reelection_with_a_committee(city: Org, clock: Clock) -> None:
    w = reelect_with_committee(city.services, city, clock)
    docs = docs_of(city, w)
    assert [d.name for d in docs] == [
        "request1",
        "request1",
        "reply1",
        "request2",
        "reply2",
        "report",
        "reply3",
    ]
    assert [d.number for d in docs] == [
        "三十一中高二支〔2026〕1号",
        "三十一中高二支〔2026〕2号",
        "三十一中党〔2026〕18号",
        "三十一中高二支〔2026〕3号",
        "三十一中党〔2026〕23号",
        "三十一中高二支〔2026〕4号",
        "三十一中党〔2026〕31号",
    ]
    assert [(d.issuer_name, d.serial) for d in docs] == [
        (G2, 1),
        (G2, 2),
        (ZZ31, 1),
        (G2, 3),
        (ZZ31, 2),
        (G2, 4),
        (ZZ31, 3),
    ]
    assert [d.issued_on.isoformat() for d in docs] == [
        "2026-09-21",
        "2026-09-22",
        "2026-09-24",
        "2026-10-12",
        "2026-10-14",
        "2026-11-12",
        "2026-11-16",
    ]
    _, first, reply1, request2, reply2, report, reply3 = docs

    # 请示①, as submitted again after the return: to the school committee, with the approved numbers.
    lines = text_of(city, first)
    assert head(lines, "关于召开党员大会进行换届选举的请示") == (
        "关于召开党员大会进行换届选举的请示",
        f"{ZZ31}：",
    )
    assert lines[0] == G2 and lines[1] == f"{first.number}\t签发人：马骏"
    body = "".join(lines)
    start, end = (
        dt.date.fromisoformat(REQUEST1["current_term_start"]),
        dt.date.fromisoformat(REQUEST1["current_term_end"]),
    )
    assert (
        f"本届支部委员会于{cn(str(start))}经党员大会选举产生，任期{end.year - start.year}年，将于{cn(str(end))}届满"
        in body
    )
    assert "我支部现有党员13名，其中正式党员11名、预备党员2名。" in body
    assert f"拟于{REQUEST1['planned_month'][:4]}年{int(REQUEST1['planned_month'][5:])}月召开党员大会" in body
    assert "（一）听取和审查支部委员会工作报告；（二）选举产生新一届支部委员会。" in body
    seats, candidates = REQUEST1["committee_size"], REQUEST1["candidate_count"]
    assert (
        f"新一届支部委员会拟由{seats}名委员组成，其中书记{REQUEST1['secretary_count']}名、"
        f"副书记{REQUEST1['deputy_count']}名。"
    ) in body
    assert (
        f"委员候选人预备人选{candidates}名，多于应选人数{candidates - seats}名，"
        f"差额比例为{(candidates - seats) * 100 // seats}%。"
    ) in body
    assert REQUEST1["election_method"] in body
    end_at = lines.index("当否，请批示。")
    assert lines[end_at + 1 : end_at + 4] == [G2, cn("2026-09-22"), "（联系人：马骏）"]
    issued(lines, "2026-09-22")

    # 批复①: from the school committee to the branch, citing the 请示 it answers by its number.
    lines = text_of(city, reply1)
    title = f"关于同意{G2}召开党员大会进行换届选举的批复"
    assert head(lines, title) == (title, f"{G2}：")
    assert lines[0] == f"{ZZ31}文件" and lines[1] == "三十一中党〔2026〕18号"
    body = "".join(lines)
    assert f"你支部《关于召开党员大会进行换届选举的请示》（{first.number}）收悉。经研究，批复如下：" in body
    assert f"同意新一届支部委员会由{seats}名委员组成" in body
    end_at = lines.index("此复。")
    assert lines[end_at + 1 : end_at + 3] == [ZZ31, cn("2026-09-24")]
    issued(lines, "2026-09-24")

    # 请示②: the candidates in 姓氏笔画 order, each with a short biography; the 书记/副书记 candidates.
    lines = text_of(city, request2)
    assert head(lines, "关于委员会委员候选人预备人选的请示")[1] == f"{ZZ31}："
    body = "".join(lines)
    names = order_by_surname_strokes(random.sample([c["name"] for c in CANDIDATES], len(CANDIDATES)))
    assert names == [c["name"] for c in CANDIDATES]
    assert f"委员候选人预备人选为{'、'.join(names)}，共{len(names)}名。" in body
    assert (
        f"其中，{REQUEST2['secretary_candidate']}同志为书记候选人预备人选，吴敏同志为副书记候选人预备人选。"
        in body
    )
    bios = [line for line in lines if any(line.startswith(f"{n}，") for n in names)]
    assert [b.split("，")[0] for b in bios] == names
    for c, bio in zip(CANDIDATES, bios, strict=True):
        joined = dt.date.fromisoformat(c["joined_party"])
        assert bio == (
            f"{c['name']}，{c['gender']}，{c['birth_year']}年出生，{c['education']}学历，"
            f"{joined.year}年{joined.month}月入党，现任{c['post']}。"
        )
    assert f"《关于同意{G2}召开党员大会进行换届选举的批复》（{reply1.number}）" in body
    assert "2026年9月28日，我支部组织11名党员进行了民主推荐。" in body
    issued(lines, "2026-10-12")

    # 批复②: the same six names in the same order.
    lines = text_of(city, reply2)
    title = f"关于{G2}委员会委员候选人预备人选的批复"
    assert head(lines, title) == (title, f"{G2}：")
    body = "".join(lines)
    assert (
        f"同意{'、'.join(names)}{len(names)}名同志为你支部新一届支部委员会委员候选人预备人选（按姓氏笔画为序）。"
        in body
    )
    assert f"（{request2.number}）收悉。经研究并征求纪检部门意见，批复如下：" in body

    # 报告: attendance, ballots, each candidate's votes, the 另行选举 round, the first meeting, duties.
    lines = text_of(city, report)
    assert head(lines, "关于选举结果的报告") == ("关于选举结果的报告", f"{ZZ31}：")
    assert lines[1] == f"{report.number}\t签发人：马骏"
    body = "".join(lines)
    assert (
        f"大会应到会有选举权的党员{VOTE['entitled']}名，实到会{VOTE['present']}名，超过应到会人数的五分之四"
        in body
    )
    assert f"大会共发出选票{VOTE['ballots_issued']}张，收回{VOTE['ballots_returned']}张，均为有效票。" in body
    assert "各候选人得票情况（按姓氏笔画为序）：" + "，".join(f"{n}{YES[n]}票" for n in names) + "。" in body
    first_round = [e["name"] for e in VOTE["elected"]]
    assert f"{'、'.join(first_round)}{len(first_round)}名同志当选。" in body
    assert f"当选人数少于应选名额（应选{seats}名，当选{len(first_round)}名）。" in body
    rest = order_by_surname_strokes([v["name"] for v in EXTRA_VOTE["votes"]])
    assert (
        f"对不足的{seats - len(first_round)}个名额，大会在未当选的候选人中另行选举，候选人为{'、'.join(rest)}同志。"
        in body
    )
    assert "刘建军同志得票超过实到会有选举权党员的半数，当选。" in body
    assert "再次投票" not in body  # a 另行选举 is no re-vote among the tied
    # The 大会进行情况 the secretary wrote with the report is in it, under the meeting's basic facts.
    assert "2026年11月10日召开党员大会，选举产生新一届支部委员会。" in lines
    assert (
        f"本轮共发出选票{EXTRA_VOTE['ballots_issued']}张，收回{EXTRA_VOTE['ballots_returned']}张，"
        f"其中有效票{EXTRA_VOTE['ballots_returned'] - EXTRA_VOTE['invalid_ballots']}张、"
        f"无效票{EXTRA_VOTE['invalid_ballots']}张。"
    ) in body
    assert "，".join(f"{v['name']}{v['yes']}票" for v in EXTRA_VOTE["votes"]) in body
    members = order_by_surname_strokes(first_round + [e["name"] for e in EXTRA_VOTE["elected"]])
    assert f"新一届支部委员会由{'、'.join(members)}{len(members)}名同志组成（按姓氏笔画为序）。" in body
    assert (
        f"由{FIRST_MEETING['chair']}同志主持，到会委员{FIRST_MEETING['present']}名。会议以无记名投票方式等额选举"
        f"{FIRST_MEETING['secretary']}同志为书记（得{FIRST_MEETING['secretary_yes']}票）、"
        f"吴敏同志为副书记（得4票）。"
    ) in body
    assert "，".join(f"{d['name']}同志任{d['duty']}" for d in FIRST_MEETING["duties"]) in body
    assert "四、其他事项。大会邀请校党委组织委员到会指导。" in lines and "特此报告。" in lines
    issued(lines, "2026-11-12")

    # 批复③: approves the 书记/副书记, files the members, states the term the organization now has.
    lines = text_of(city, reply3)
    title = f"关于{G2}换届选举结果的批复"
    assert head(lines, title) == (title, f"{G2}：")
    body = "".join(lines)
    assert f"你支部《关于选举结果的报告》（{report.number}）收悉。" in body
    assert f"一、同意{FIRST_MEETING['secretary']}同志任{G2}书记，吴敏同志任副书记。" in lines
    assert (
        f"二、你支部新一届支部委员会由{'、'.join(members)}{len(members)}名同志组成（按姓氏笔画为序），予以备案。"
        in lines
    )
    term_start, term_end = city.term("g2")
    assert term_start is not None and term_end is not None
    assert f"自{cn(str(term_start))}起计算，至{cn(str(term_end))}届满。" in body
    issued(lines, "2026-11-16")


def test_every_document_of_a_reelection_without_a_committee(city: Org, clock: Clock) -> None:
    """The branch has no 代字: its numbers use its name. The first 书记 candidate fails; both rounds are told."""
    w = reelect_without_committee(city.services, city, clock)
    docs = docs_of(city, w)
    assert [d.name for d in docs] == [
        "request1",
        "reply1",
        "request2",
        "reply2",
        "request2",
        "reply2",
        "report",
        "reply3",
    ]
    assert [d.number for d in docs] == [
        "众意路小学支〔2026〕1号",
        "郑教工委〔2026〕41号",
        "众意路小学支〔2026〕2号",
        "郑教工委〔2026〕47号",
        "众意路小学支〔2026〕3号",
        "郑教工委〔2026〕52号",
        "众意路小学支〔2026〕4号",
        "郑教工委〔2026〕60号",
    ]
    assert [d.serial for d in docs] == [1, 1, 2, 2, 3, 3, 4, 4]
    request1, reply1, _, _, request2, reply2, report, reply3 = docs

    lines = text_of(city, request1)
    assert head(lines, "关于召开党员大会进行换届选举的请示")[1] == f"{GW}："
    body = "".join(lines)
    assert (
        "我支部现有党员6名，其中正式党员5名、预备党员1名。因正式党员不足7名，我支部不设支部委员会。" in body
    )
    assert "现任支部书记于2023年12月12日经党员大会选举产生，任期3年，将于2026年12月11日届满。" in body
    assert "由党员大会直接选举产生支部书记1名，不设副书记。" in body
    assert "委员会组成" not in body and "差额比例" not in body

    lines = text_of(city, reply1)
    assert lines[0] == f"{GW}文件"
    assert "同意你支部不设支部委员会，由党员大会直接选举产生支部书记1名。" in "".join(lines)

    lines = text_of(city, request2)
    title = "关于支部书记候选人预备人选的请示"
    assert head(lines, title) == (title, f"{GW}：")
    assert "经研究，拟推荐邓宇同志为支部书记候选人预备人选。" in "".join(lines)
    assert "邓宇，女，1986年出生，大学本科学历，2009年11月入党，现任教务主任。" in lines

    lines = text_of(city, reply2)
    title = f"关于{ZYL}书记候选人预备人选的批复"
    assert head(lines, title) == (title, f"{ZYL}：")
    assert f"（{request2.number}）收悉" in "".join(lines)
    assert "同意邓宇同志为你支部书记候选人预备人选。" in lines  # a single item is not numbered

    lines = text_of(city, report)
    body = "".join(lines)
    assert f"《关于{ZYL}书记候选人预备人选的批复》（{reply2.number}）" in body
    assert (
        "2026年10月9日，我支部召开党员大会选举支部书记，书记候选人曹雪同志得赞成票2票，未超过实到会有选举权党员（5名）"
        "的半数，未能当选。"
    ) in body
    assert "大会应到会有选举权的党员5名，实到会5名，超过应到会人数的五分之四，符合规定。" in body
    assert (
        "书记候选人邓宇同志得赞成票5票、不赞成票0票、弃权票0票，超过实到会有选举权党员的半数，当选为支部书记。"
        in body
    )
    issued(lines, "2026-10-29")

    lines = text_of(city, reply3)
    title = f"关于{ZYL}换届选举结果的批复"
    assert head(lines, title) == (title, f"{ZYL}：")
    body = "".join(lines)
    assert f"一、同意邓宇同志任{ZYL}书记。" in lines and "予以备案" not in body
    assert "二、支部书记任期3年，自2026年10月28日起计算，至2029年10月27日届满。" in lines
    assert city.term("zyl") == (dt.date(2026, 10, 28), dt.date(2029, 10, 27))
    issued(lines, "2026-11-02")


def test_each_issuing_action_issues_its_documents_once_with_their_hash_in_the_trail(
    city: Org, clock: Clock
) -> None:
    services = city.services
    w = reelect_with_committee(services, city, clock)
    definition = services.flow.definition_of(w.instance.id, city.users["sunli"])
    trail = services.flow.trail(w.instance.id, city.users["sunli"])
    issuing = [
        e
        for e in trail
        if e.kind in STEP_KINDS and e.action and e.action != "start" and definition.action(e.action).documents
    ]
    events = [e for e in trail if e.kind == "document"]
    docs = docs_of(city, w)
    assert [e.action for e in issuing] == [e.action for e in events] == [d.action for d in docs]
    for step, event, doc in zip(issuing, events, docs, strict=True):
        assert event.seq > step.seq and event.actor_name == step.actor_name and event.org_id == doc.issuer_id
        content = services.documents.get(doc.id, city.users["majun"]).content
        digest = hashlib.sha256(content).hexdigest()
        assert doc.sha256 == digest and doc.size == len(content)
        assert event.data == {
            "document": doc.name,
            "title": doc.title,
            "number": doc.number,
            "sha256": digest,
            "document_id": doc.id,
            "verify_code": doc.verify_code,
        }
        assert event.comment == f"生成《{doc.title}》（{doc.number}）"
        assert doc.filename == f"{doc.title}（{doc.number}）.docx"
    assert services.ledger.verify(w.instance.id).ok


def test_a_request_returned_and_submitted_again_is_a_new_document_and_the_first_is_kept(
    city: Org, clock: Clock
) -> None:
    w = reelect_with_committee(city.services, city, clock)
    first, again = docs_of(city, w)[:2]
    assert (first.name, again.name) == ("request1", "request1")
    assert (first.number, again.number) == ("三十一中高二支〔2026〕1号", "三十一中高二支〔2026〕2号")
    assert first.sha256 != again.sha256
    # Each issue says what it said: the first had the method the handler returned it for.
    assert "五、选举办法。差额选举。" in text_of(city, first)
    assert f"五、选举办法。{REQUEST1['election_method']}" in text_of(city, again)
    # The 批复 cites the issue it answers.
    assert f"（{again.number}）收悉" in "".join(text_of(city, docs_of(city, w)[2]))


def test_numbers_typed_on_the_forms_are_printed_and_the_register_still_counts(
    city: Org, clock: Clock
) -> None:
    """A typed number is the office's own; typed again on the resubmission, it is printed again."""
    w = reelect_with_committee(city.services, city, clock, typed_numbers=True)
    docs = [d for d in docs_of(city, w) if d.issuer_name == G2]
    assert [(d.name, d.number, d.serial) for d in docs] == [
        ("request1", REQUEST1["document_number"], 1),
        ("request1", REQUEST1["document_number"], 2),
        ("request2", REQUEST2["document_number"], 3),
        ("report", "三十一中高二支〔2026〕9号", 4),
    ]


def test_an_allocated_number_a_user_already_typed_is_skipped(city: Org, clock: Clock) -> None:
    services = city.services
    w = Walk.start(services, city, clock, "election_postponement", "g2", "majun")
    request = {
        "kind": "postpone",
        "current_term_end": "2026-11-27",
        "new_term_end": "2027-03-31",
        "reasons": "学校2026年下半年整体搬迁至新校区，党员分散在两个校区，难以按期召开党员大会。",
    }
    w.act("majun", "submit_request", {**request, "document_number": "三十一中高二支〔2026〕2号"})
    w.act("hexiaoli", "return_request", comment="请写明延期的具体期限。")
    w.act("majun", "submit_request", request)
    typed, allocated = docs_of(city, w)
    assert (typed.number, typed.serial) == ("三十一中高二支〔2026〕2号", 1)
    assert (allocated.number, allocated.serial) == ("三十一中高二支〔2026〕3号", 3)


def test_serials_count_per_issuer_and_start_again_each_year(city: Org, clock: Clock) -> None:
    services = city.services
    reelect_with_committee(services, city, clock)
    # January 2027: the branch asks to postpone its next re-election; its register starts at 1 again.
    w = Walk.start(services, city, clock, "election_postponement", "g2", "majun")
    w.on("2027-01-05").act(
        "majun",
        "submit_request",
        {
            "kind": "postpone",
            "current_term_end": "2029-11-09",
            "new_term_end": "2030-03-31",
            "reasons": "学校2029年下半年整体搬迁至新校区，党员分散在两个校区，难以按期召开党员大会。",
        },
    )
    w.on("2027-01-06").act("hexiaoli", "forward")
    w.on("2027-01-07").act("liweidong", "approve", {"reply_number": "三十一中党〔2027〕2号"})
    request, reply = docs_of(city, w)
    assert (request.number, request.year, request.serial) == ("三十一中高二支〔2027〕1号", 2027, 1)
    assert (reply.number, reply.year, reply.serial) == ("三十一中党〔2027〕2号", 2027, 1)
    with services.db.read() as s:
        counters = {(c.issuer_id, c.year): c.last for c in s.scalars(select(DocumentCounter))}
    assert counters == {
        (city.orgs["g2"], 2026): 4,
        (city.orgs["zz31"], 2026): 3,
        (city.orgs["g2"], 2027): 1,
        (city.orgs["zz31"], 2027): 1,
    }
    lines = text_of(city, request)
    assert head(lines, "关于延期进行换届选举的请示")[1] == f"{ZZ31}："
    body = "".join(lines)
    assert "我支部本届支部委员会于2026年11月10日选举产生，任期将于2029年11月9日届满。" in body
    assert "拟延期进行换届选举，本届任期届满日期调整为2030年3月31日，延期约4个月。" in body
    lines = text_of(city, reply)
    title = f"关于同意{G2}延期进行换届选举的批复"
    assert head(lines, title) == (title, f"{G2}：")
    assert (
        f"你支部《关于延期进行换届选举的请示》（{request.number}）收悉。经研究，同意你支部延期进行换届选举，"
        f"本届支部委员会任期届满日期调整为2030年3月31日。"
    ) in lines


def test_concurrent_issuers_never_share_a_serial(city: Org) -> None:
    """Eight transactions advance one register at once: each gets its own serial, none is lost."""
    services = city.services
    barrier = threading.Barrier(8)
    got: list[int] = []
    errors: list[BaseException] = []

    def issue() -> None:
        try:
            barrier.wait()
            with services.db.write() as s:
                got.append(services.documents.next_serial(s, city.orgs["gw"], 2026))
        except BaseException as exc:  # reported below: a thread's exception would otherwise vanish
            errors.append(exc)

    threads = [threading.Thread(target=issue) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(got) == list(range(1, 9))


def test_only_those_who_may_see_the_request_may_list_or_read_its_documents(city: Org, clock: Clock) -> None:
    services = city.services
    w = reelect_with_committee(services, city, clock, return_request1=False)
    docs = docs_of(city, w)
    for user in (
        "majun",
        "hexiaoli",
        "liweidong",
        "wangjianguo",
        "sunli",
    ):  # the branch, its school, the city
        assert [d.id for d in services.documents.list_for(w.instance.id, city.users[user])] == [
            d.id for d in docs
        ]
        assert services.documents.get(docs[0].id, city.users[user]).view == docs[0]
    for user in ("caoxue", "gaoyan"):  # secretaries of other branches
        with pytest.raises(NotFound):
            services.documents.list_for(w.instance.id, city.users[user])
        with pytest.raises(NotFound):
            services.documents.get(docs[0].id, city.users[user])
    with pytest.raises(NotFound):
        services.documents.get(max(d.id for d in docs) + 1, city.users["sunli"])


def test_a_refused_step_issues_nothing_and_uses_no_number(city: Org, clock: Clock) -> None:
    services = city.services
    w = Walk.start(services, city, clock, "branch_election", "g2", "majun")
    w.act(
        "majun",
        "record_study",
        {
            "study_date": "2026-09-21",
            "meeting_kind": "委员会会议",
            "full_members": 11,
            "probationary_members": 2,
            "on_time": True,
            "summary": "按期换届。",
        },
    )
    bad: dict[str, Any] = {**REQUEST1, "candidate_count": REQUEST1["committee_size"]}
    with pytest.raises(Exception, match="差额|至少"):
        w.act("majun", "submit_request1", bad)
    assert docs_of(city, w) == []
    w.act("majun", "submit_request1", REQUEST1)
    [doc] = docs_of(city, w)
    assert doc.serial == 1


# ---- issue 17: the prose of every kind of round, the 大会进行情况, the 委员分工 prefilled, seal and 附注 ----


def test_a_tie_at_the_cut_off_is_reported_as_a_re_vote_among_the_tied(city: Org, clock: Clock) -> None:
    """条例 第二十九条: 如遇票数相等不能确定当选人时，应当就票数相等的被选举人再次投票，得票多的当选. The report
    said "当选人数少于应选名额" and read as if the tied candidates had failed the majority."""
    w = reelect_with_committee(city.services, city, clock, vote=TIE_VOTE, rounds=(RE_VOTE,))
    report = next(d for d in docs_of(city, w) if d.name == "report")
    body = "".join(text_of(city, report))
    tied = order_by_surname_strokes([v["name"] for v in RE_VOTE["votes"]])
    assert tied == ["刘建军", "张丽华", "郑书华"]
    first = order_by_surname_strokes([e["name"] for e in TIE_VOTE["elected"]])
    assert f"{'、'.join(first)}{len(first)}名同志当选。" in body
    assert (
        f"{'、'.join(tied)}3名同志得票相等且均超过实到会有选举权党员的半数，应选名额尚余2名，不能确定当选人。"
        in body
    )
    assert (
        f"大会对得票相等的{'、'.join(tied)}同志再次投票。本轮共发出选票10张，收回10张，均为有效票。" in body
    )
    assert "得票情况：张丽华7票，刘建军6票，郑书华3票。刘建军、张丽华同志得票多，当选。" in body
    assert "当选人数少于应选名额" not in body and "另行选举" not in body and "未能当选" not in body
    members = order_by_surname_strokes(first + ["张丽华", "刘建军"])
    assert f"新一届支部委员会由{'、'.join(members)}5名同志组成（按姓氏笔画为序）。" in body


def test_the_duties_of_the_first_meeting_are_prefilled_with_every_elected_member(
    city: Org, clock: Clock
) -> None:
    w = reelect_with_committee(city.services, city, clock, until_first_meeting=True)
    [first] = [a for a in w.actions("majun") if a.name == "record_first_meeting"]
    elected = [e["name"] for e in VOTE["elected"]] + [e["name"] for e in EXTRA_VOTE["elected"]]
    assert first.prefill["duties"] == [{"name": n} for n in elected]


def test_a_request_is_sealed_and_carries_its_contact_and_telephone_a_report_is_not_sealed(
    city: Org, clock: Clock
) -> None:
    with city.services.db.write() as s:
        s.execute(
            update(Organization)
            .where(Organization.id == city.orgs["g2"])
            .values(contact_name="王志强", contact_phone="0371-63821234")
        )
    w = reelect_with_committee(city.services, city, clock)
    docs = {d.name: d for d in docs_of(city, w)}
    for name, sealed in (("request1", True), ("reply1", True), ("reply2", True), ("report", False)):
        d = docx.Document(io.BytesIO(city.services.documents.get(docs[name].id, city.users["sunli"]).content))
        texts = [p.text for p in d.paragraphs]
        at = texts.index(cn(docs[name].issued_on.isoformat()))
        # Sealed (GB/T 9704 §7.3.5.1): the date 4 characters from the right; unsealed (§7.3.5.2): the
        # signature above it 2 characters from the right.
        line = d.paragraphs[at if sealed else at - 1]
        right = TEXT_WIDTH_PT - line.paragraph_format.left_indent.pt - _text_width(line.text)
        assert right == pytest.approx((4 if sealed else 2) * BODY_PT, abs=0.1), name
    lines = text_of(city, docs["request1"])
    assert "（联系人：王志强，联系电话：0371-63821234）" in lines
