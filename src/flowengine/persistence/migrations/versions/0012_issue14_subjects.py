"""Requests about a person: the ``subjects`` table (the minimum personal data), ``instances.subject_id``
(one running request per person rather than per organization), and the position of a state's timer.

Revision ID: 0012_issue14
Revises: 0011_issue15
Create Date: 2026-12-01 17:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import flowengine.persistence.models

revision = "0012_issue14"
down_revision = "0011_issue15"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = flowengine.persistence.models.UTCDateTime
_ACTIVE = "status = 'active'"
_ACTIVE_ORG = "status = 'active' AND subject_id IS NULL"


def _one_active(where: str) -> None:
    op.drop_index("uq_instances_one_active", table_name="instances")
    op.create_index(
        "uq_instances_one_active",
        "instances",
        ["workflow", "org_id"],
        unique=True,
        postgresql_where=sa.text(where),
        sqlite_where=sa.text(where),
    )


def upgrade() -> None:
    op.create_table(
        "subjects",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("data", _JSON, nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_subjects_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subjects")),
    )
    op.create_index(op.f("ix_subjects_org_id"), "subjects", ["org_id"], unique=False)
    with op.batch_alter_table("instances") as batch:
        batch.add_column(sa.Column("subject_id", _BIG, nullable=True))
        batch.create_foreign_key(op.f("fk_instances_subject_id_subjects"), "subjects", ["subject_id"], ["id"])
    _one_active(_ACTIVE_ORG)
    with op.batch_alter_table("timers") as batch:
        batch.add_column(sa.Column("position", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("timers") as batch:
        batch.drop_column("position")
    _one_active(_ACTIVE)
    with op.batch_alter_table("instances") as batch:
        batch.drop_constraint(op.f("fk_instances_subject_id_subjects"), type_="foreignkey")
        batch.drop_column("subject_id")
    op.drop_index(op.f("ix_subjects_org_id"), table_name="subjects")
    op.drop_table("subjects")
