"""The 督导通报: generated from the demo data, it names exactly the late units, grouped by unit type."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable

import docx
from sqlalchemy import text

from flowengine.demo import load_demo
from flowengine.documents.bulletin import (
    BulletinFacts,
    LateUnit,
    compose_bulletin,
    step_phrase,
    waiting_phrase,
)
from flowengine.service import Services
from flowengine.service.reads.supervision import Supervision
from tests.support import Clock
from tests.support.paths import ROOT, SHIPPED_WORKFLOWS
from tests.support.supervision import NOW, expected_states

UNIT_LINE = re.compile(r"^(.+?)：(.+?)，(?:待(.+?)办理(?:（尚未配备人员）)?，)?已逾期(\d+)天。$")


def test_bulletin_names_exactly_the_late_units(make_services: Callable[..., Services], clock: Clock) -> None:
    clock.now = NOW
    services = make_services(SHIPPED_WORKFLOWS)
    load_demo(services, clock())
    with services.db.read() as s:
        handler = s.execute(text("SELECT id FROM users WHERE username = 'wangjianguo'")).scalar_one()
        org_types = dict(s.execute(text("SELECT name, type FROM organizations")).all())
    expected = expected_states(services, "zzjgw")
    result = Supervision(services.db, services.catalog, services.flow.clock).bulletin(
        handler, dt.date(2026, 1, 1), dt.date(2026, 12, 31), "郑教工委〔2026〕3号"
    )
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts" / "supervision-bulletin.docx").write_bytes(result.content)

    lines = [p.text for p in docx.Document(io.BytesIO(result.content)).paragraphs if p.text.strip()]
    units = [m.groups() for m in (UNIT_LINE.match(line) for line in lines) if m]
    named = {u[0] for u in units}
    assert named == expected["term_expired"] | expected["step_overdue"]
    assert not named & expected["returned_often"] - expected["step_overdue"]  # returned is not late
    assert lines[0] == "中共郑州市委教育工作委员会文件" and lines[1] == "郑教工委〔2026〕3号"
    # Grouped by unit type, committees before branches, each group headed with its count.
    headings = [line for line in lines if re.match(r"^（[一二三四五六七八九十]）", line)]
    order = [org_types[u[0]] for u in units]
    assert order == sorted(order, key=["committee", "general_branch", "branch"].index)
    assert len(headings) == len(set(order))
    for heading in headings:
        title, count = re.match(r"^（.）(.+?)（(\d+)个）$", heading).groups()  # type: ignore[union-attr]
        assert int(count) == sum(
            1
            for t in order
            if {"committee": "基层党委", "general_branch": "党总支", "branch": "党支部"}[t] == title
        )
    # The step and days overdue of each unit are those of the supervision rows.
    facts = result.facts
    assert {(u.name, step_phrase(u.step), u.days_overdue) for u in facts.late} == {
        (u[0], u[1], int(u[3])) for u in units
    }
    # The bulletin is prose: none of the screens' circled numbers or bracketed notes about vacant posts.
    assert not any(re.search(r"[①②③]|（未配备人员）", line) for line in lines)
    counts = next(line for line in lines if line.startswith("一、总体情况。"))
    assert f"共检查基层党组织{facts.checked}个" in counts and f"已完成换届{facts.completed}个" in counts
    assert (
        f"正在履行换届程序{facts.in_progress}个" in counts and f"尚未启动换届{facts.not_started}个" in counts
    )


def test_bulletin_without_late_units_says_so() -> None:
    facts = BulletinFacts(
        "中共郑州市第二十四中学委员会",
        "committee",
        "二十四中党委",
        dt.date(2026, 1, 1),
        dt.date(2026, 6, 30),
        dt.date(2026, 7, 1),
        3,
        3,
        0,
        0,
        0,
        (),
    )
    doc = compose_bulletin(facts, "二十四中党委〔2026〕9号")
    assert "未发现超期情况" in doc.text and "存在的问题" not in doc.text
    late = compose_bulletin(
        BulletinFacts(
            **{
                **facts.__dict__,
                "completed": 2,
                "not_started": 1,
                "late": (LateUnit("某支部", "党支部", "任期届满未启动换届", 12),),
            }
        ),
        "x",
    )
    assert (
        "除某支部未按时完成换届有关工作外" in late.text
        and "某支部：任期届满未启动换届，已逾期12天。" in late.text
    )


def test_bulletin_writes_steps_and_waiting_parties_as_prose() -> None:
    assert step_phrase("上级审核请示①") == "上级审核换届选举请示"
    assert step_phrase("起草换届选举请示（不设委员会，请示①）") == "起草换届选举请示"
    assert step_phrase("上级批复③") == "上级批复选举结果报告"
    assert step_phrase("召开党员大会选举委员会") == "召开党员大会选举委员会"
    assert waiting_phrase("郑州市第三十一中学高中部党总支承办人（未配备人员）") == (
        "待郑州市第三十一中学高中部党总支承办人办理（尚未配备人员）"
    )
    assert (
        waiting_phrase("何晓丽（中共郑州市第三十一中学委员会承办人）")
        == "待何晓丽（中共郑州市第三十一中学委员会承办人）办理"
    )
    facts = BulletinFacts(
        "中共郑州市委教育工作委员会",
        "work_committee",
        "郑教工委",
        dt.date(2026, 1, 1),
        dt.date(2026, 12, 31),
        dt.date(2026, 11, 23),
        2,
        1,
        1,
        0,
        0,
        (
            LateUnit(
                "郑州市第三十一中学高二年级党支部",
                "党支部",
                "上级审核请示①",
                7,
                "郑州市第三十一中学高中部党总支承办人（未配备人员）",
            ),
        ),
    )
    assert (
        "郑州市第三十一中学高二年级党支部：上级审核换届选举请示，待郑州市第三十一中学高中部党总支承办人办理"
        "（尚未配备人员），已逾期7天。"
    ) in compose_bulletin(facts, "郑教工委〔2026〕3号").text
