"""The 督导通报: a superior organization's bulletin on how its units' re-elections stand.

A supervision group used to phone units and write "除某校、某校未按时报送外，其它学校均已完成" by hand. The
facts now come from the supervision queries (:mod:`flowengine.service.reads.supervision`) as plain data; this
module only writes the prose — counts, then the late units by name grouped by unit type with their step
and days overdue — and hands an :class:`OfficialDocument` to the same GB/T 9704 layout as every other
document, so the bulletin looks like the 批复 the same office issues.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flowengine.chinese import chinese_date
from flowengine.documents.common import masthead
from flowengine.documents.model import OfficialDocument, OrgRef, Paragraph, Span

KIND = "通报"
_NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class LateUnit:
    name: str
    type_title: str  # 基层党委 | 党总支 | 党支部
    step: str  # the step it is stuck at, or 任期届满未启动换届
    days_overdue: int
    waiting_on: str = ""  # who must act now, when a procedure is running


@dataclass(frozen=True)
class BulletinFacts:
    issuer: str
    issuer_type: str
    doc_prefix: str | None
    date_from: dt.date
    date_to: dt.date
    today: dt.date
    checked: int
    completed: int
    in_progress: int
    postponed: int
    not_started: int
    late: tuple[LateUnit, ...]


_day = chinese_date


def _numeral(i: int) -> str:
    return _NUMERALS[i] if i < len(_NUMERALS) else str(i + 1)


#: The screens' shorthand for the documents of 两请示一报告三批复, and what a bulletin calls them.
_SHORTHAND = {
    "请示①": "换届选举请示",
    "请示②": "候选人预备人选请示",
    "批复①": "批复换届选举请示",
    "批复②": "批复候选人预备人选请示",
    "批复③": "批复选举结果报告",
}
_VACANT = "（未配备人员）"


def step_phrase(step: str) -> str:
    """A step's title as a bulletin writes it: 上级审核请示① → 上级审核换届选举请示, without the screens'
    circled numbers or their asides (起草换届选举请示（请示①） → 起草换届选举请示)."""
    text = re.sub(r"（[^（）]*[①②③][^（）]*）", "", step)
    for short, full in _SHORTHAND.items():
        text = text.replace(short, full)
    return text


def waiting_phrase(waiting_on: str) -> str:
    """待……办理 for each party a step waits on; a post nobody holds is said so in words."""
    parts = [p for p in waiting_on.split("；") if p]
    vacant = any(p.endswith(_VACANT) for p in parts)
    who = "、".join(p.removesuffix(_VACANT) for p in parts)
    return f"待{who}办理" + ("（尚未配备人员）" if vacant else "")


def groups(late: tuple[LateUnit, ...]) -> list[tuple[str, list[LateUnit]]]:
    """Late units grouped by type, keeping the order they were given in (the service sorts them)."""
    out: dict[str, list[LateUnit]] = {}
    for unit in late:
        out.setdefault(unit.type_title, []).append(unit)
    return list(out.items())


def compose_bulletin(facts: BulletinFacts, number: str) -> OfficialDocument:
    """The bulletin's text: overall counts, the late units by name, and what is required of them."""
    period = f"{_day(facts.date_from)}至{_day(facts.date_to)}"
    body: list[Paragraph] = [
        Paragraph.of(
            f"为推动基层党组织按期换届，根据《中国共产党基层组织选举工作条例》和有关规定，{facts.issuer}对{period}"
            f"所属基层党组织换届选举工作进行了督导。现将有关情况通报如下。"
        )
    ]
    body.append(
        Paragraph.item(
            "一、总体情况。",
            (
                f"本次督导共检查基层党组织{facts.checked}个。截至{_day(facts.today)}，已完成换届{facts.completed}个，"
                f"正在履行换届程序{facts.in_progress}个，经批准延期换届{facts.postponed}个，尚未启动换届{facts.not_started}个。"
            ),
        )
    )
    if facts.late:
        names = "、".join(u.name for u in facts.late)
        body.append(
            Paragraph.item(
                "二、存在的问题。",
                (
                    f"除{names}未按时完成换届有关工作外，其他单位均按规定时限推进。未按时完成的{len(facts.late)}个单位"
                    "情况如下："
                ),
            )
        )
        for i, (title, units) in enumerate(groups(facts.late)):
            body.append(Paragraph((Span(f"（{_numeral(i)}）{title}（{len(units)}个）", "subheading"),)))
            for unit in units:
                waiting = f"，{waiting_phrase(unit.waiting_on)}" if unit.waiting_on else ""
                body.append(
                    Paragraph.of(
                        f"{unit.name}：{step_phrase(unit.step)}{waiting}，已逾期{unit.days_overdue}天。"
                    )
                )
        body.append(
            Paragraph.item(
                "三、工作要求。",
                (
                    "请上述单位高度重视，立即对照问题整改，抓紧履行换届程序，整改情况及时报告"
                    f"{facts.issuer}。任期届满的，应按期换届；确需延期换届的，须报上级党组织批准。各级党组织承办人要按时限审核"
                    "下级报送的请示和报告，不得积压。"
                ),
            )
        )
    else:
        body.append(
            Paragraph.item(
                "二、工作要求。",
                (
                    "检查的单位均按规定时限推进换届工作，未发现超期情况。各单位要继续严格执行任期制度，任期届满前按规定提出"
                    "换届请示，确需延期换届的，须报上级党组织批准。"
                ),
            )
        )
    issuer = OrgRef(0, facts.issuer, facts.issuer_type)
    return OfficialDocument(
        kind=KIND,
        mark=masthead(issuer, "down"),
        number=number,
        title=f"关于{facts.date_from.year}年基层党组织换届选举工作督导情况的通报"
        if facts.date_from.year == facts.date_to.year
        else "关于基层党组织换届选举工作督导情况的通报",
        recipient="各基层党委、党总支、党支部",
        body=tuple(body),
        signature=facts.issuer,
        date=facts.today,
        printed_by=facts.issuer,
        author=facts.issuer,
        direction="down",
    )
