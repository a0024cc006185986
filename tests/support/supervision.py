"""The supervision overview's expected states, computed from the tables alone (plain SQL over the rows,
not through the supervision module), on the demo data's day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import text

from flowengine.chinese import CHINA, china_date
from flowengine.service import Services

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=CHINA).astimezone(dt.UTC)


def expected_states(services: Services, root_code: str) -> dict[str, set[str]]:
    """Each status and flag of the organizations under ``root_code``, from the tables alone."""
    today = china_date(NOW)
    with services.db.read() as s:
        root_path = s.execute(
            text("SELECT path FROM organizations WHERE code = :c"), {"c": root_code}
        ).scalar_one()
        orgs = {
            r.id: r
            for r in s.execute(
                text(
                    "SELECT id, name, term_start, term_end FROM organizations WHERE path LIKE :p AND code <> :c "
                    "AND type IN ('branch', 'general_branch', 'committee')"
                ),
                {"p": f"{root_path}%", "c": root_code},
            )
        }
        active = {
            r.org_id: r.id
            for r in s.execute(
                text(
                    "SELECT org_id, id FROM instances WHERE status = 'active' "
                    "AND workflow IN ('branch_election', 'election_postponement')"
                )
            )
        }
        done = s.execute(
            text("SELECT org_id, workflow, state, completed_at FROM instances WHERE status = 'completed'")
        ).all()
        overdue_instances = {
            r[0]
            for r in s.execute(
                text("SELECT instance_id FROM tasks WHERE closed_at IS NULL AND due_at <= :now"),
                {"now": NOW.replace(tzinfo=None)},
            )
        }
        returns = dict(
            s.execute(
                text(
                    "SELECT instance_id, count(*) FROM audit_events WHERE kind = 'return' "
                    "GROUP BY instance_id"
                )
            ).all()
        )

    def day(value: object) -> dt.date:
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        assert isinstance(value, dt.datetime)
        return china_date(value.replace(tzinfo=dt.UTC))

    def as_date(value: object) -> dt.date | None:
        return dt.date.fromisoformat(value) if isinstance(value, str) else value  # type: ignore[return-value]

    out: dict[str, set[str]] = {
        k: set()
        for k in (
            "in_progress",
            "completed",
            "postponed",
            "not_started",
            "term_expired",
            "step_overdue",
            "returned_often",
        )
    }
    for oid, o in orgs.items():
        start, end = as_date(o.term_start), as_date(o.term_end)
        if oid in active:
            out["in_progress"].add(o.name)
            if active[oid] in overdue_instances:
                out["step_overdue"].add(o.name)
            if returns.get(active[oid], 0) > 2:
                out["returned_often"].add(o.name)
        elif any(
            r.org_id == oid and r.workflow == "branch_election" and start and day(r.completed_at) >= start
            for r in done
        ):
            out["completed"].add(o.name)
        elif (
            any(
                r.org_id == oid
                and r.workflow == "election_postponement"
                and r.state == "approved"
                and start
                and day(r.completed_at) >= start
                for r in done
            )
            and end
            and end >= today
        ):
            out["postponed"].add(o.name)
        else:
            out["not_started"].add(o.name)
            if end and end < today:
                out["term_expired"].add(o.name)
    return out
