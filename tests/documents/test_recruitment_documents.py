"""发展党员's documents — the 公示, the 接收预备党员的决议, the 批复 of admission, of an extension and of the
转正 — opened as Word would open them, each checked for its issuer, title, the person and the dates worked
out from the data (预备期 one year from the 支部大会, extended by six months)."""

from __future__ import annotations

from tests.support import Clock
from tests.support.city import Org
from tests.support.documents import G2, ZZ31, cn, text_of
from tests.support.recruitment import Person, conversion, meeting, talk, to_meeting, to_prospect


def test_the_four_documents_of_one_person(city: Org, clock: Clock) -> None:
    services = city.services
    p = to_meeting(to_prospect(Person.apply(services, city, clock, "2025-03-03")), "2026-05-20", "2026-05-25")
    p.on("2026-06-05").act(
        "majun", "hold_admission_meeting", meeting("2026-06-05", yes=8, resolution_number="")
    )
    p.on("2026-06-20").act("hexiaoli", "record_organizer_talk", talk("2026-06-20"))
    p.on("2026-07-10").act(
        "hexiaoli",
        "approve_admission",
        {"decided_on": "2026-07-10", "reply_number": "三十一中党〔2026〕21号"},
    )
    services.escalator.sweep(p.on("2027-06-05").clock.now)
    p.refresh()
    p.on("2027-06-15").act(
        "majun", "hold_conversion_meeting", conversion("2027-06-15", "extend", yes=7, months=6)
    )
    p.on("2027-07-01").act("hexiaoli", "approve_conversion", {"decided_on": "2027-07-01"})
    services.escalator.sweep(p.on("2027-12-05").clock.now)
    p.refresh()
    p.on("2027-12-10").act("majun", "hold_conversion_meeting", conversion("2027-12-10", "convert", yes=6))
    p.on("2028-01-10").act("hexiaoli", "approve_conversion", {"decided_on": "2028-01-10"})
    assert p.state == "full_member"

    docs = services.documents.list_for(p.id, city.users["sunli"])
    assert [d.name for d in docs] == [
        "publicity_notice",
        "admission_resolution",
        "admission_reply",
        "conversion_reply",
        "conversion_reply",
    ]
    notice, resolution, admission, extension, converted = docs
    assert (notice.issuer_name, resolution.issuer_name) == (ZZ31, G2)
    assert (admission.issuer_name, admission.number) == (ZZ31, "三十一中党〔2026〕21号")

    lines = text_of(city, notice)
    assert "关于拟接收李晓雨同志为中共预备党员的公示" in lines
    assert "李晓雨，女，汉族，1996年5月生，大学本科，高二年级语文教师。" in lines
    assert any(f"公示时间：{cn('2026-05-25')}至{cn('2026-05-29')}（5个工作日）" in line for line in lines)
    assert "入党介绍人：张丽华、刘建军。" in lines
    assert lines[0] == ZZ31 and ZZ31 in lines[3:] and cn("2026-05-25") in lines

    lines = text_of(city, resolution)
    assert "关于接收李晓雨同志为中共预备党员的决议" in lines
    assert any("应到会有表决权的正式党员11名，实到9名" in line for line in lines)
    assert any(
        "赞成8票，反对0票，弃权0票。赞成票超过应到会有表决权的正式党员的半数" in line for line in lines
    )

    lines = text_of(city, admission)
    assert "关于同意接收李晓雨同志为中共预备党员的批复" in lines
    assert f"{G2}：" in lines
    assert any(f"预备期自{cn('2026-06-05')}至{cn('2027-06-04')}" in line for line in lines)
    assert "此复。" in lines

    lines = text_of(city, extension)
    assert "关于延长李晓雨同志预备期的批复" in lines
    assert any(f"同意延长李晓雨同志的预备期6个月，延长至{cn('2027-12-04')}" in line for line in lines)

    lines = text_of(city, converted)
    assert "关于同意李晓雨同志转为中共正式党员的批复" in lines
    assert any(f"同意李晓雨同志按期转为中共正式党员，党龄自{cn('2027-12-05')}算起" in line for line in lines)
