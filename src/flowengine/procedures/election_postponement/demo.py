"""A demo postponement: a 总支 whose term ran out in June, with the 工委's approval to re-elect by December."""

from __future__ import annotations

from typing import Any


def seed(seeder: Any) -> None:
    clock, act = seeder.clock, seeder.act
    # 6. 一〇三中学党总支: its term ran out in June; the 工委 approved postponing the re-election.
    clock.on("2026-06-08")
    inst = seeder.start("election_postponement", "zz103", "gaoyan")
    inst = act(
        inst,
        "gaoyan",
        "submit_request",
        dict(
            kind="postpone",
            current_term_end="2026-06-29",
            new_term_end="2026-12-31",
            reasons="学校正在进行校区调整，党员组织关系尚未理顺，申请延期至2026年12月换届。",
        ),
        "当否，请批示。",
    )
    clock.on("2026-06-10")
    inst = act(inst, "wangjianguo", "forward", {"opinion": "理由充分，延期不超过一年，建议同意。"})
    clock.on("2026-06-12")
    act(
        inst,
        "zhaozhigang",
        "approve",
        {"reply_number": "郑教工委〔2026〕41号", "opinion": "同意延期至2026年12月31日前完成换届。"},
        "同意",
    )
