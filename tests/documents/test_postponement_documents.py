"""The 延期（提前）换届 documents — the 请示 and its 批复 — opened as Word would open them.

A branch with a committee asks to postpone its re-election and is approved with an opinion; a branch
without one asks to hold it early. Each document is checked for its masthead, number, title, 主送 line,
the term dates and the length of the shift worked out from the data, and its signature and date.
"""

from __future__ import annotations

import datetime as dt

import pytest

from flowengine.documents.prose import months_between
from flowengine.errors import ValidationFailed
from tests.support import Clock
from tests.support.city import Org, Walk
from tests.support.documents import G2, GW, ZYL, ZZ31, cn, docs_of, head, issued, text_of

REASONS = "学校2026年下半年整体搬迁至新校区，高二年级党员分散在两个校区，难以按期召开党员大会，拟待搬迁完成后进行换届。"


def test_postponement_request_and_reply(city: Org, clock: Clock) -> None:
    services = city.services
    w = Walk.start(services, city, clock, "election_postponement", "g2", "majun")
    request = {
        "kind": "postpone",
        "current_term_end": "2026-11-27",
        "new_term_end": "2027-03-31",
        "reasons": REASONS,
    }
    w.on("2026-09-22").act("majun", "submit_request", request)
    w.on("2026-09-23").act("hexiaoli", "forward", {"opinion": "理由充分，建议同意延期至2027年3月底。"})
    opinion = "延期期间，本届支部委员会要继续履行职责，做好党员教育管理工作。"
    w.on("2026-09-25").act(
        "liweidong", "approve", {"reply_number": "三十一中党〔2026〕19号", "opinion": opinion}
    )
    asked, reply = docs_of(city, w)
    assert (asked.name, asked.number, asked.issuer_name) == ("request", "三十一中高二支〔2026〕1号", G2)
    assert (reply.name, reply.number, reply.issuer_name) == ("reply", "三十一中党〔2026〕19号", ZZ31)
    start, end = city.term("g2")
    assert start is not None and end == dt.date.fromisoformat(
        request["new_term_end"]
    )  # the approval moved it
    new_end = cn(request["new_term_end"])
    months = months_between(dt.date.fromisoformat(request["current_term_end"]), end)
    assert months == 4

    lines = text_of(city, asked)
    assert lines[0] == G2 and lines[1] == f"{asked.number}\t签发人：马骏"
    assert head(lines, "关于延期进行换届选举的请示") == ("关于延期进行换届选举的请示", f"{ZZ31}：")
    assert (
        f"我支部本届支部委员会于{cn(str(start))}选举产生，任期将于{cn(request['current_term_end'])}届满。"
        in lines
    )
    assert REASONS in lines
    assert (
        f"根据《中国共产党基层组织选举工作条例》第三条规定，经研究，我支部拟延期进行换届选举，本届任期届满日期调整为"
        f"{new_end}，延期约{months}个月。"
    ) in lines
    end_at = lines.index("当否，请批示。")
    assert lines[end_at + 1 : end_at + 4] == [G2, cn("2026-09-22"), "（联系人：马骏）"]
    issued(lines, "2026-09-22")

    lines = text_of(city, reply)
    assert lines[0] == f"{ZZ31}文件" and lines[1] == reply.number  # a 批复 is centred, without 签发人
    title = f"关于同意{G2}延期进行换届选举的批复"
    assert head(lines, title) == (title, f"{G2}：")
    assert (
        f"你支部《关于延期进行换届选举的请示》（{asked.number}）收悉。经研究，同意你支部延期进行换届选举，"
        f"本届支部委员会任期届满日期调整为{new_end}。"
    ) in lines
    assert opinion in lines
    assert (
        f"请你支部抓紧做好换届选举各项准备工作，在{new_end}前完成换届选举，并严格按照“两请示一报告三批复”程序"
        f"报我委审批。"
    ) in lines
    end_at = lines.index("此复。")
    assert lines[end_at + 1 : end_at + 3] == [ZZ31, cn("2026-09-25")]
    assert not any(line.startswith("抄送") for line in lines)  # the school committee is the branch's parent
    issued(lines, "2026-09-25")


def test_advance_request_and_reply_of_a_branch_without_a_committee(city: Org, clock: Clock) -> None:
    services = city.services
    w = Walk.start(services, city, clock, "election_postponement", "zyl", "caoxue")
    reasons = "支部书记曹雪同志将于2026年11月调任其他学校，为保证支部工作连续，拟在其调任前完成换届。"
    w.on("2026-09-22").act(
        "caoxue",
        "submit_request",
        {
            "kind": "advance",
            "current_term_end": "2026-12-11",
            "new_term_end": "2026-10-31",
            "reasons": reasons,
        },
    )
    w.act("wangjianguo", "forward")
    w.on("2026-09-24").act("zhaozhigang", "approve", {"reply_number": "郑教工委〔2026〕44号"})
    asked, reply = docs_of(city, w)
    assert asked.number == "众意路小学支〔2026〕1号"  # no 代字: an abbreviation of the name

    lines = text_of(city, asked)
    assert lines[1] == f"{asked.number}\t签发人：曹雪"
    assert head(lines, "关于提前进行换届选举的请示")[1] == f"{GW}："
    # Five full members: no committee, so the term is the 书记's.
    assert "我支部现任支部书记于2023年12月12日选举产生，任期将于2026年12月11日届满。" in lines
    assert reasons in lines
    assert "我支部拟提前进行换届选举，于2026年10月31日前完成换届，提前约1个月。" in "".join(lines)
    assert "本届支部委员会" not in "".join(lines)
    issued(lines, "2026-09-22")

    lines = text_of(city, reply)
    assert lines[0] == f"{GW}文件" and lines[1] == "郑教工委〔2026〕44号"
    title = f"关于同意{ZYL}提前进行换届选举的批复"
    assert head(lines, title) == (title, f"{ZYL}：")
    assert (
        f"你支部《关于提前进行换届选举的请示》（{asked.number}）收悉。经研究，同意你支部提前进行换届选举，"
        "于2026年10月31日前完成换届。"
    ) in lines
    end_at = lines.index("此复。")
    assert lines[end_at + 1 : end_at + 3] == [GW, cn("2026-09-24")]
    issued(lines, "2026-09-24")


def test_the_prefix_sequence_and_contact_an_administrator_sets_are_what_the_next_request_carries(
    city: Org, clock: Clock
) -> None:
    services = city.services
    changes, state = services.directory.numbering(
        "zyl",
        {
            "doc_prefix": "众小支",
            "doc_next_serial": "7",
            "contact_name": "邓宇",
            "contact_phone": "0371-55660001",
        },
        clock(),
    )
    assert set(changes) == {"doc_prefix", "doc_next_serial", "contact_name", "contact_phone"}
    assert state["next_serial"] == 7
    w = Walk.start(services, city, clock, "election_postponement", "zyl", "caoxue")
    w.on("2026-09-22").act(
        "caoxue",
        "submit_request",
        {
            "kind": "advance",
            "current_term_end": "2026-12-11",
            "new_term_end": "2026-10-31",
            "reasons": "支部书记将于11月调任其他学校，拟提前换届。",
        },
    )
    [asked] = docs_of(city, w)
    assert (asked.number, asked.serial) == ("众小支〔2026〕7号", 7)
    lines = text_of(city, asked)
    assert "（联系人：邓宇，联系电话：0371-55660001）" in lines
    # The register cannot go back to a number issued this year (the serials are unique per issuer and year).
    with pytest.raises(ValidationFailed) as refused:
        services.directory.numbering("zyl", {"doc_next_serial": "7"}, clock())
    assert refused.value.errors == {
        "doc_next_serial": "2026年已发文至第 7 号，下一发文序号须大于 7（现为 8）"
    }
    assert services.directory.numbering("zyl", {}, clock())[1]["next_serial"] == 8
