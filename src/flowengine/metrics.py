"""Supervision metrics: what a procedure package tells a superior about the units below it.

A metric is pure: the service gathers what it may read (the organizations in the supervisor's scope, the
requests of the metric's procedures there with their data, open deadlines and returns, each with the
settings in force for its organization) into a :class:`MetricInput`, and the metric returns a
:class:`Board` of plain tables. The supervision page, its Excel export and the JSON API render any board
the same way, so a new procedure's metric needs no template, no route and no query of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flowengine.definitions.model import WorkflowDefinition


@dataclass(frozen=True)
class OrgRecord:
    """An organization of the scope, in tree order, as a metric sees it."""

    id: int
    code: str
    name: str
    type: str
    type_title: str
    depth: int
    full_members: int
    probationary_members: int
    term_start: dt.date | None
    term_end: dt.date | None
    #: The organization that approves for it (its approving body set in the tree, else its parent).
    approver_id: int | None = None
    approver_name: str = ""


@dataclass(frozen=True)
class OpenTask:
    state: str
    state_title: str
    opened_at: dt.datetime
    due_at: dt.datetime | None


@dataclass(frozen=True)
class RequestRecord:
    """A request of one of the metric's procedures, with what a metric may count."""

    id: int
    org_id: int
    workflow: str
    version: int
    title: str
    state: str
    state_title: str
    status: str
    data: Mapping[str, Mapping[str, Any]]
    created_at: dt.datetime
    completed_at: dt.datetime | None
    #: The settings in force for the request's organization (definition defaults, then the tree's).
    settings: Mapping[str, Any]
    open_tasks: tuple[OpenTask, ...] = ()
    returns: int = 0
    #: When the request entered each state it has been in (the latest entry), China time.
    entered: Mapping[str, dt.datetime] = field(default_factory=dict)
    #: The person the request is about, where its subject is a person (``None`` for an organization).
    subject: str | None = None


@dataclass(frozen=True)
class MetricInput:
    today: dt.date
    now: dt.datetime
    date_from: dt.date
    date_to: dt.date
    orgs: tuple[OrgRecord, ...]
    requests: tuple[RequestRecord, ...]
    definitions: Mapping[str, WorkflowDefinition]

    def org(self, org_id: int) -> OrgRecord:
        for o in self.orgs:
            if o.id == org_id:
                return o
        raise KeyError(org_id)


@dataclass(frozen=True)
class Table:
    """One table of a board. ``links`` gives, per row, the request it is about (or ``None``); the cell in
    column ``link_column`` then links to it. ``highlight`` marks rows that need action (shown in red)."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    empty: str = "无记录。"
    counted: bool = False
    links: tuple[int | None, ...] = ()
    link_column: int = 0
    highlight: bool = False
    #: Columns holding numbers (right-aligned, summed in the export's last row when ``totals``).
    numeric: tuple[int, ...] = ()


@dataclass(frozen=True)
class Board:
    tables: tuple[Table, ...]
    #: Headline figures (label, value), shown above the tables.
    figures: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Metric:
    """A supervision view of a procedure: ``key`` is its address (``/supervision/<key>``)."""

    key: str
    title: str
    description: str
    workflows: tuple[str, ...]
    compute: Callable[[MetricInput], Board]
    #: Whether the view is about a period (a from–to date filter); otherwise it is as of today.
    period: bool = True
