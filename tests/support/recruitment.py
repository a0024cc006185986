"""发展党员 through the service: the applicant's start form and each step's data, for the workflow, document,
supervision and browser tests (the city tree of ``tests.support.city``: the grade-two branch g2, 11 full
members, approved by the school's Party committee zz31, whose handler is 何晓丽)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flowengine.service import Services
from flowengine.service.views import InstanceView
from tests.support import Clock
from tests.support.city import Org, china_noon

WORKFLOW = "member_recruitment"


def applicant(
    name: str = "李晓雨", applied: str = "2025-02-26", received: str = "2025-03-03"
) -> dict[str, Any]:
    return {
        "applicant_name": name,
        "gender": "女",
        "birth_date": "1996-05-14",
        "ethnicity": "汉族",
        "education": "大学本科",
        "post": "高二年级语文教师",
        "application_date": applied,
        "received_on": received,
    }


def talk(day: str) -> dict[str, Any]:
    return {"talked_on": day, "talker": "马骏", "talk_notes": "了解了申请人的入党动机和基本情况。"}


def activist(day: str) -> dict[str, Any]:
    return {
        "decided_on": day,
        "recommended_by": "党员推荐",
        "contacts": [{"name": "张丽华", "full_member": True}, {"name": "吴敏", "full_member": True}],
    }


def prospect(day: str) -> dict[str, Any]:
    return {
        "decided_on": day,
        "views_heard": True,
        "introducers": [{"name": "张丽华", "full_member": True}, {"name": "刘建军", "full_member": True}],
    }


def pre_review(day: str) -> dict[str, Any]:
    return {
        "review_concluded_on": day,
        "review_result": "passed",
        "review_summary": "经函调和外调，本人及主要社会关系政治历史清楚，政治审查合格。",
        "training_from": day,
        "training_to": day,
        "training_days": 3,
        "training_hours": 24,
        "examined_on": day,
    }


def meeting(day: str, yes: int, entitled: int = 11, present: int = 9, **extra: Any) -> dict[str, Any]:
    return {
        "meeting_date": day,
        "volunteer_form_filled": True,
        "voting_members": entitled,
        "attending": present,
        "admission_yes": yes,
        "admission_no": 0,
        "admission_abstain": 0,
        "resolution_text": "同意接收李晓雨同志为中共预备党员。",
        **extra,
    }


def conversion(
    day: str, decision: str, yes: int, months: int | None = None, entitled: int = 11
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "application_received_on": day,
        "meeting_date": day,
        "voting_members": entitled,
        "attending": 9,
        "conversion_decision": decision,
        "conversion_yes": yes,
        "conversion_no": 0,
        "conversion_abstain": 0,
        "resolution_text": "支部大会讨论了预备党员的转正问题。",
    }
    if months is not None:
        data["extension_months"] = months
    return data


class Person:
    """One applicant's request, acted on by the people who hold each step, on the days the test names."""

    def __init__(self, services: Services, city: Org, clock: Clock, instance: InstanceView) -> None:
        self.services, self.city, self.clock, self.instance = services, city, clock, instance

    @classmethod
    def apply(
        cls,
        services: Services,
        city: Org,
        clock: Clock,
        day: str,
        org: str = "g2",
        user: str = "majun",
        **form: Any,
    ) -> Person:
        clock.now = china_noon(day)
        data = {
            **applicant(
                received=day, applied=(dt.date.fromisoformat(day) - dt.timedelta(days=3)).isoformat()
            ),
            **form,
        }
        inst = services.flow.start(WORKFLOW, city.orgs[org], city.users[user], data)
        return cls(services, city, clock, inst)

    @property
    def id(self) -> int:
        return self.instance.id

    @property
    def state(self) -> str:
        return self.instance.state

    def on(self, day: str) -> Person:
        self.clock.now = china_noon(day)
        return self

    def act(
        self, user: str, action: str, data: dict[str, Any] | None = None, comment: str | None = None
    ) -> str:
        self.instance = self.services.flow.act(
            self.id, action, self.city.users[user], data, comment, expected_version=self.instance.version
        )
        return self.instance.state

    def refresh(self) -> str:
        self.instance = self.services.flow.get(self.id, self.city.users["hexiaoli"])
        return self.instance.state


def publicity_data(day: str) -> dict[str, Any]:
    return {"opinion": "预审合格。", "discipline_consulted": True, "publicity_from": day}


def to_prospect(p: Person, talk_day: str = "2025-03-20", activist_day: str = "2025-04-10") -> Person:
    """From the application to a 发展对象 filed with the committee (a year and a day after the activist)."""
    p.on(talk_day).act("majun", "record_first_talk", talk(talk_day))
    p.on(activist_day).act("majun", "appoint_activist", activist(activist_day))
    p.act("hexiaoli", "file_activist", {"opinion": "同意备案。"})
    year = (dt.date.fromisoformat(activist_day).replace(year=int(activist_day[:4]) + 1)).isoformat()
    p.on(year).act("majun", "propose_prospect", prospect(year))
    p.act("hexiaoli", "file_prospect", {"opinion": "同意备案。"})
    return p


def to_meeting(p: Person, review_day: str, publicity_from: str) -> Person:
    """From a 发展对象 to the 支部大会 step: 预审, and a 公示 the sweep ends."""
    p.on(review_day).act("majun", "submit_pre_review", pre_review(review_day))
    p.on(publicity_from).act("hexiaoli", "pass_pre_review", publicity_data(publicity_from))
    end = dt.date.fromisoformat(publicity_from) + dt.timedelta(days=12)
    p.services.escalator.sweep(china_noon(end.isoformat()))
    p.refresh()
    return p
