"""Data of a whole branch re-election that satisfies every rule of workflows/branch_election.yaml.

Dates are relative to today, because the procedure's rules are: a study or a meeting cannot be in the
future, the planned 党员大会 must fall within the current term, candidates must have joined the Party
more than a year ago. Candidates are listed in 姓氏笔画 order (丁 2, 王 4, 田 5, 刘 6, 李 7, 周 8 strokes).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flowengine.service import Services
from flowengine.service.identity.directory import parse_org_tree
from tests.support import PASSWORD, World

TODAY = dt.date.today()


def _month(offset: int) -> str:
    year, month = divmod(TODAY.month - 1 + offset, 12)
    return f"{TODAY.year + year}-{month + 1:02d}"


BRANCH = "郑州市第二十四中学第一党支部"
TREE = [
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
        "name": BRANCH,
        "type": "branch",
        "parent": "school24",
        "approver": "gw",
        "full_members": 12,
        "probationary_members": 1,
        "term_start": (TODAY - dt.timedelta(days=3 * 365 - 60)).isoformat(),
        "term_end": (TODAY + dt.timedelta(days=60)).isoformat(),
    },
    {
        "code": "b2",
        "name": "郑州市第二十四中学第二党支部",
        "type": "branch",
        "parent": "school24",
        "approver": "gw",
        "full_members": 9,
        "term_start": "2024-03-05",
        "term_end": "2027-03-04",
    },
]
USERS = [
    ("sec1", "张明", [("secretary", "b1")]),
    ("sec2", "李红", [("secretary", "b2")]),
    ("handler", "王建国", [("handler", "gw")]),
    ("leader", "赵志刚", [("leader", "gw")]),
    ("auditor", "孙立", [("auditor", "gw")]),
    ("discipline", "钱进", [("discipline", "gw")]),
]

#: The pseudo-action of a step that answers the countersign (会签) of the current state, not an action.
SIGN = "sign"

CANDIDATES = [
    {
        "name": "丁建华",
        "gender": "男",
        "birth_year": "1978",
        "education": "大学本科",
        "post": "教务处主任",
        "joined_party": "2003-06-18",
    },
    {
        "name": "王丽",
        "gender": "女",
        "birth_year": "1985",
        "education": "研究生",
        "post": "高一年级组长",
        "joined_party": "2008-05-04",
    },
    {
        "name": "田野",
        "gender": "男",
        "birth_year": "1982",
        "education": "大学本科",
        "post": "语文教研组长",
        "joined_party": "2006-07-01",
    },
    {
        "name": "刘洋",
        "gender": "男",
        "birth_year": "1988",
        "education": "研究生",
        "post": "团委书记",
        "joined_party": "2011-12-20",
    },
    {
        "name": "李红梅",
        "gender": "女",
        "birth_year": "1980",
        "education": "大学本科",
        "post": "数学教师",
        "joined_party": "2005-10-08",
    },
    {
        "name": "周强",
        "gender": "男",
        "birth_year": "1990",
        "education": "大学本科",
        "post": "物理教师",
        "joined_party": "2015-06-30",
    },
]
YES = {"丁建华": "12", "王丽": "11", "田野": "10", "刘洋": "10", "李红梅": "9", "周强": "3"}
ELECTED = ["丁建华", "王丽", "田野", "刘洋", "李红梅"]
today = TODAY.isoformat()

# (user, action, form values as the browser posts them, comment)
STEPS: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "sec1",
        "record_study",
        {
            "study_date": today,
            "meeting_kind": "委员会会议",
            "full_members": "12",
            "probationary_members": "1",
            "on_time": "true",
            "summary": "支部委员会研究决定按期换届：新一届支部委员会设委员5名，其中书记1名、副书记1名；委员候选人6名，差额选举。",
        },
        "",
    ),
    (
        "sec1",
        "submit_request1",
        {
            "document_number": "二十四中一支〔2026〕3号",
            "planned_month": _month(1),
            "agenda": "听取和审查支部委员会工作报告；选举产生新一届支部委员会",
            "committee_size": "5",
            "secretary_count": "1",
            "deputy_count": "1",
            "candidate_count": "6",
            "election_method": "委员由党员大会以无记名投票差额选举产生；书记、副书记由新一届支部委员会第一次全体会议等额选举产生",
        },
        "当否，请批示。",
    ),
    ("handler", "forward_request1", {"opinion": "换届时间、名额和选举办法符合规定。"}, ""),
    (
        "leader",
        "approve_request1",
        {"reply_number": "郑教工委〔2026〕21号", "opinion": "同意按期换届。"},
        "同意",
    ),
    (
        "sec1",
        "record_nomination",
        {
            "recommendation_date": today,
            "recommenders": "12",
            "recommendation": "全体党员民主推荐，按得票多少提出初步人选。",
            "deliberation": "支部委员会反复酝酿，征求了党外教师意见。",
            "inspection": "对初步人选进行了考察，均符合条件。",
            "publicity": "false",
        },
        "",
    ),
    (
        "sec1",
        "submit_request2",
        {
            "document_number": "二十四中一支〔2026〕5号",
            "full_members": "12",
            "probationary_members": "1",
            "process": "经民主推荐、反复酝酿、征求党外群众意见和考察，确定委员候选人预备人选6名。",
            "candidates": CANDIDATES,
            "secretary_candidate": "丁建华",
            "deputy_candidates": [{"name": "王丽"}],
        },
        "当否，请批示。",
    ),
    # The 工委's 纪检 side gives its 党风廉政意见 on each candidate (a countersign on the review of 请示②).
    ("discipline", SIGN, {"opinions": [{"name": c["name"], "view": "无意见"} for c in CANDIDATES]}, ""),
    ("handler", "forward_request2", {"opinion": "人选符合条件。"}, ""),
    ("leader", "approve_request2", {"reply_number": "郑教工委〔2026〕27号"}, "同意"),
    (
        "sec1",
        "record_vote",
        {
            "meeting_date": today,
            "entitled": "12",
            "present": "12",
            "ballots_issued": "12",
            "ballots_returned": "12",
            "invalid_ballots": "0",
            "votes": [{"name": n["name"], "yes": YES[n["name"]]} for n in CANDIDATES],
            "elected": [{"name": n} for n in ELECTED],
        },
        "",
    ),
    (
        "sec1",
        "record_first_meeting",
        {
            "meeting_date": today,
            "chair": "田野",
            "present": "5",
            "secretary": "丁建华",
            "secretary_yes": "5",
            "deputies": [{"name": "王丽", "yes": "5"}],
            "duties": [
                {"name": "丁建华", "duty": "书记"},
                {"name": "王丽", "duty": "副书记"},
                {"name": "田野", "duty": "组织委员"},
                {"name": "刘洋", "duty": "宣传委员"},
                {"name": "李红梅", "duty": "纪检委员"},
            ],
        },
        "",
    ),
    (
        "sec1",
        "submit_report",
        {
            "document_number": "二十四中一支〔2026〕8号",
            "course": "应到会有选举权党员12名，实到12名；发出选票12张，收回12张，均有效。丁建华、王丽、田野、刘洋、李红梅当选支部委员；第一次全体会议选举丁建华为书记、王丽为副书记。",
        },
        "",
    ),
    ("handler", "forward_report", {"opinion": "选举程序符合规定。"}, ""),
    (
        "leader",
        "approve_report",
        {"reply_number": "郑教工委〔2026〕35号", "opinion": "同意丁建华任书记、王丽任副书记，委员备案。"},
        "同意",
    ),
]


def build_election_world(services: Services) -> World:
    now = services.flow.clock()
    services.directory.import_orgs(parse_org_tree(TREE), now)
    world = World()
    for spec in TREE:
        world.orgs[spec["code"]] = services.directory.org_id(spec["code"])
    for username, name, roles in USERS:
        world.users[username] = services.directory.add_user(username, name, PASSWORD, roles, now=now)
    return world
