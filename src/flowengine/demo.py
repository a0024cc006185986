"""A realistic demo: Zhengzhou's 市委教育工委 with schools' Party organizations, branches and users.

Names come from the city's own 2022–2023 bulletins (../shared/domain/setting.md). Term dates are chosen so
that the demo shows every situation a supervisor cares about: terms ending soon, terms already expired
with no re-election started, branches too small to have a committee, and requests in progress.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from flowengine.chinese import CHINA
from flowengine.errors import FlowEngineError
from flowengine.persistence.models import Organization
from flowengine.service import Services, parse_org_tree

DEMO_PASSWORD = "demo-2026"

ORGS: list[dict[str, Any]] = [
    {"code": "zzjgw", "name": "中共郑州市委教育工作委员会", "type": "work_committee"},
    # A school Party committee whose own 5-year term has run out (超期未换届): a supervision finding.
    {
        "code": "zz24",
        "name": "中共郑州市第二十四中学委员会",
        "type": "committee",
        "parent": "zzjgw",
        "full_members": 86,
        "probationary_members": 3,
        "term_start": "2021-06-18",
        "term_end": "2026-06-17",
    },
    {
        "code": "zz24-b1",
        "name": "郑州市第二十四中学第一党支部",
        "type": "branch",
        "parent": "zz24",
        "approver": "zzjgw",
        "full_members": 12,
        "probationary_members": 1,
        "term_start": "2023-12-20",
        "term_end": "2026-12-19",
    },
    {
        "code": "zz24-b2",
        "name": "郑州市第二十四中学第二党支部",
        "type": "branch",
        "parent": "zz24",
        "approver": "zzjgw",
        "full_members": 6,
        "probationary_members": 1,
        "term_start": "2023-12-20",
        "term_end": "2026-12-19",
    },
    {
        "code": "zz24-retired",
        "name": "郑州市第二十四中学离退休党支部",
        "type": "branch",
        "parent": "zz24",
        "full_members": 15,
        "term_start": "2023-05-10",
        "term_end": "2026-05-09",
    },
    {
        "code": "zz31",
        "name": "中共郑州市第三十一中学委员会",
        "type": "committee",
        "parent": "zzjgw",
        "full_members": 104,
        "probationary_members": 2,
        "term_start": "2022-09-15",
        "term_end": "2027-09-14",
    },
    {
        "code": "zz31-high",
        "name": "郑州市第三十一中学高中部党总支",
        "type": "general_branch",
        "parent": "zz31",
        "full_members": 58,
        "term_start": "2024-03-01",
        "term_end": "2027-02-28",
    },
    {
        "code": "zz31-high-g1",
        "name": "郑州市第三十一中学高一年级党支部",
        "type": "branch",
        "parent": "zz31-high",
        "full_members": 9,
        "term_start": "2024-03-05",
        "term_end": "2027-03-04",
    },
    {
        "code": "zz31-high-g2",
        "name": "郑州市第三十一中学高二年级党支部",
        "type": "branch",
        "parent": "zz31-high",
        "full_members": 11,
        "probationary_members": 2,
        "term_start": "2023-11-28",
        "term_end": "2026-11-27",
    },
    {
        "code": "zz103",
        "name": "郑州市第一〇三中学党总支",
        "type": "general_branch",
        "parent": "zzjgw",
        "full_members": 52,
        "term_start": "2023-06-30",
        "term_end": "2026-06-29",
    },
    {
        "code": "zz103-b1",
        "name": "郑州市第一〇三中学第一党支部",
        "type": "branch",
        "parent": "zz103",
        "full_members": 27,
        "term_start": "2024-01-12",
        "term_end": "2027-01-11",
    },
    {
        "code": "zz103-b2",
        "name": "郑州市第一〇三中学第二党支部",
        "type": "branch",
        "parent": "zz103",
        "full_members": 25,
        "term_start": "2024-01-12",
        "term_end": "2027-01-11",
    },
    {
        "code": "zz18",
        "name": "郑州市第十八中学党支部",
        "type": "branch",
        "parent": "zzjgw",
        "full_members": 21,
        "probationary_members": 1,
        "term_start": "2023-12-28",
        "term_end": "2026-12-27",
    },
    {
        "code": "zzsy",
        "name": "郑州市实验小学党支部",
        "type": "branch",
        "parent": "zzjgw",
        "full_members": 23,
        "term_start": "2024-06-20",
        "term_end": "2027-06-19",
    },
    {
        "code": "zzsf-fx",
        "name": "郑州师范学院附属小学党支部",
        "type": "branch",
        "parent": "zzjgw",
        "full_members": 17,
        "term_start": "2023-09-08",
        "term_end": "2026-09-07",
    },
    {
        "code": "zdzyl",
        "name": "郑东新区众意路小学党支部",
        "type": "branch",
        "parent": "zzjgw",
        "full_members": 5,
        "probationary_members": 1,
        "term_start": "2024-04-16",
        "term_end": "2027-04-15",
    },
    {
        "code": "zzkj",
        "name": "中共郑州市科技工业学校委员会",
        "type": "committee",
        "parent": "zzjgw",
        "full_members": 131,
        "term_start": "2022-12-01",
        "term_end": "2027-11-30",
    },
    {
        "code": "zzkj-b1",
        "name": "郑州市科技工业学校机电专业党支部",
        "type": "branch",
        "parent": "zzkj",
        "full_members": 14,
        "term_start": "2024-02-26",
        "term_end": "2027-02-25",
    },
]

#: 发文字号代字 of each demo organization, so generated numbers read like 郑教工委〔2026〕3号.
DOC_PREFIXES: dict[str, str] = {
    "zzjgw": "郑教工委",
    "zz24": "二十四中党委",
    "zz24-b1": "二十四中一支",
    "zz24-b2": "二十四中二支",
    "zz24-retired": "二十四中离退休支",
    "zz31": "三十一中党委",
    "zz31-high": "三十一中高中总支",
    "zz31-high-g1": "三十一中高一支",
    "zz31-high-g2": "三十一中高二支",
    "zz103": "一〇三中总支",
    "zz103-b1": "一〇三中一支",
    "zz103-b2": "一〇三中二支",
    "zz18": "十八中支",
    "zzsy": "实验小学支",
    "zzsf-fx": "师院附小支",
    "zdzyl": "众意路小学支",
    "zzkj": "科技工业学校党委",
    "zzkj-b1": "科技工业学校机电支",
}

# (username, display name, [(role, org code)]); usernames are what people type at the login page.
USERS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("admin", "系统管理员", [("admin", "zzjgw")]),
    ("wangjianguo", "王建国", [("handler", "zzjgw")]),
    ("zhaozhigang", "赵志刚", [("leader", "zzjgw")]),
    ("sunli", "孙立", [("auditor", "zzjgw")]),
    ("lijian", "李健", [("discipline", "zzjgw")]),
    ("liuhaiyan", "刘海燕", [("secretary", "zz24")]),
    ("chenjing", "陈静", [("handler", "zz24")]),
    ("sunhui", "孙慧", [("discipline", "zz24")]),
    ("zhangming", "张明", [("secretary", "zz24-b1")]),
    ("lihong", "李红", [("secretary", "zz24-b2")]),
    ("guowei", "郭伟", [("secretary", "zz24-retired")]),
    ("yangfan", "杨帆", [("secretary", "zz31")]),
    ("hexiaoli", "何晓丽", [("handler", "zz31"), ("committee_member", "zz31")]),
    ("wuxia", "吴霞", [("discipline", "zz31")]),
    ("liweidong", "李卫东", [("leader", "zz31")]),
    ("zhoupeng", "周鹏", [("secretary", "zz31-high")]),
    ("xuli", "徐丽", [("secretary", "zz31-high-g1")]),
    ("majun", "马骏", [("secretary", "zz31-high-g2")]),
    ("gaoyan", "高燕", [("secretary", "zz103")]),
    ("luoqiang", "罗强", [("secretary", "zz103-b1")]),
    ("songjia", "宋佳", [("secretary", "zz103-b2")]),
    ("hanlei", "韩磊", [("secretary", "zz18")]),
    ("fengli", "冯莉", [("secretary", "zzsy")]),
    ("dengyu", "邓宇", [("secretary", "zzsf-fx")]),
    ("caoxue", "曹雪", [("secretary", "zdzyl")]),
    ("pengbo", "彭博", [("secretary", "zzkj")]),
    ("zengqing", "曾庆", [("secretary", "zzkj-b1")]),
]


@dataclass(frozen=True)
class DemoSummary:
    organizations: int
    users: int
    instances: int
    password: str


class _DemoClock:
    """Lets the demo's requests carry the dates on which their steps would really have happened."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def on(self, day: str, hour: int = 10) -> None:
        self.now = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=CHINA).astimezone(
            dt.UTC
        )


class Seeder:
    """What a procedure package's demo uses: the people, the organizations, a clock set to each step's day.

    ``start`` and ``act`` go through the service exactly as people would, so the demo's requests carry
    real audit trails, documents and deadlines.
    """

    def __init__(self, services: Services, users: dict[str, int], clock: _DemoClock) -> None:
        self.services = services
        self.users = users
        self.clock = clock
        self.started = 0

    def org(self, code: str) -> int:
        return self.services.directory.org_id(code)

    def configure(self, code: str, workflow: str, settings: dict[str, Any]) -> None:
        """Give a demo organization settings of its own for ``workflow`` (e.g. a yearly plan)."""
        spec = dict(next(o for o in ORGS if o["code"] == code))
        spec["settings"] = {**(spec.get("settings") or {}), workflow: settings}
        known = [o["code"] for o in ORGS]
        self.services.directory.import_orgs(parse_org_tree([spec], known), self.clock())

    def has(self, workflow: str) -> bool:
        return workflow in self.services.catalog.current

    def start(self, workflow: str, org: str, user: str, data: dict[str, Any] | None = None) -> Any:
        self.started += 1
        return self.services.flow.start(workflow, self.org(org), self.users[user], data)

    def act(
        self,
        inst: Any,
        user: str,
        action: str,
        data: dict[str, Any] | None = None,
        comment: str | None = None,
    ) -> Any:
        return self.services.flow.act(
            inst.id, action, self.users[user], data, comment, expected_version=inst.version
        )


def load_demo(services: Services, now: dt.datetime | None = None) -> DemoSummary:
    """Load the demo into an empty database (refuses to mix demo data into real data).

    The organizations and people are here; each procedure package adds its own requests (its ``demo``),
    for every procedure whose definition is loaded.
    """
    now = now or services.flow.clock()
    with services.db.read() as s:
        if (s.scalar(select(func.count()).select_from(Organization)) or 0) > 0:
            raise FlowEngineError(
                "数据库中已有组织数据，演示数据只能载入空数据库（可换一个 FLOWENGINE_DATA_DIR）。"
            )
    services.directory.import_orgs(parse_org_tree(ORGS), now)
    with services.db.write() as s:
        for org in s.scalars(select(Organization).where(Organization.code.in_(list(DOC_PREFIXES)))):
            org.doc_prefix = DOC_PREFIXES[org.code]
    users = {
        u: services.directory.add_user(u, name, DEMO_PASSWORD, roles, now=now) for u, name, roles in USERS
    }
    flow = services.flow
    real_clock, clock = flow.clock, _DemoClock(now)
    seeder = Seeder(services, users, clock)
    flow.clock = clock
    try:
        for procedure in services.registry.procedures.values():
            if procedure.demo is not None and any(
                d.package == procedure.name for d in services.catalog.current.values()
            ):
                procedure.demo(seeder)
    finally:
        flow.clock = real_clock
    return DemoSummary(len(ORGS), len(USERS), seeder.started, DEMO_PASSWORD)
