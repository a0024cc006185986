"""Helpers shared by the tests: a controllable clock and a small organization tree with users.

Everything a test module shares with another lives in this package (fixtures stay in ``conftest.py``;
no module imports a test module or a conftest, see ``tests/test_test_layout.py``):

- ``paths``: the repository root, the fixture and the shipped workflows, the PostgreSQL URL;
- ``service``: requests of the fixture procedure (leave_request) through the service;
- ``definitions``: the fixture definition as text and a copy of it with one mistake of each kind;
- ``supervision``: the supervision overview's expected states, from the tables alone;
- ``rules``: the context a rule sees, and running one rule;
- ``city``: the city tree for the shipped procedures, a walk through a request, the grade-two branch's data;
- ``documents``: complete re-elections for the document tests;
- ``web``: the web tests' CSRF-aware client, requests in known states, a snapshot of the database;
- ``openapi``: the API tests' client and the check of every answer against the OpenAPI document;
- ``election``: a whole branch re-election's data, relative to today (API and browser tests);
- ``e2e`` and ``e2e_forms``: the browser tests' server handle, login, screenshots, and form filling.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flowengine.service import Services
from flowengine.service.identity.directory import parse_org_tree

PASSWORD = "correct-horse-1"


class Clock:
    """A clock the test moves by hand (the service reads it for every timestamp and deadline)."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2026, 9, 21, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in China

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


@dataclass
class World:
    """Ids of a small tree: a work committee with two branches, and one user per role."""

    orgs: dict[str, int] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)


SMALL_TREE = [
    {"code": "gw", "name": "中共郑州市委教育工作委员会", "type": "work_committee"},
    {
        "code": "school24",
        "name": "中共郑州市第二十四中学委员会",
        "type": "committee",
        "parent": "gw",
        "full_members": 86,
        "term_start": "2021-06-20",
        "term_end": "2026-06-19",
    },
    {
        "code": "b1",
        "name": "郑州市第二十四中学第一党支部",
        "type": "branch",
        "parent": "school24",
        "approver": "gw",
        "full_members": 12,
        "probationary_members": 1,
        "term_start": "2023-10-10",
        "term_end": "2026-10-09",
    },
    {
        "code": "b2",
        "name": "郑州市第二十四中学第二党支部",
        "type": "branch",
        "parent": "school24",
        "approver": "gw",
        "full_members": 6,
        "term_start": "2023-10-10",
        "term_end": "2026-10-09",
    },
]

SMALL_USERS = [
    ("sec1", "张明", [("secretary", "b1")]),
    ("sec2", "李红", [("secretary", "b2")]),
    ("handler", "王建国", [("handler", "gw")]),
    ("leader", "赵志刚", [("leader", "gw")]),
    ("auditor", "孙立", [("auditor", "gw")]),
    ("admin", "周敏", [("admin", "gw")]),
    ("nobody", "钱多", []),
]


def build_world(services: Services, now: dt.datetime) -> World:
    services.directory.import_orgs(parse_org_tree(SMALL_TREE), now)
    world = World()
    for spec in SMALL_TREE:
        world.orgs[spec["code"]] = services.directory.org_id(spec["code"])
    for username, name, roles in SMALL_USERS:
        world.users[username] = services.directory.add_user(username, name, PASSWORD, roles, now=now)
    return world
