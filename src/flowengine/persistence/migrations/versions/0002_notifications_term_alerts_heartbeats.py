"""Notifications, term-watch alerts and scheduler heartbeats (escalation).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 01:18:39.031619
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import flowengine.persistence.models

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "scheduler_heartbeats",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("beat_at", flowengine.persistence.models.UTCDateTime(), nullable=False),
        sa.Column(
            "last_counts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_heartbeats")),
    )
    op.create_table(
        "term_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("term_end", sa.Date(), nullable=False),
        sa.Column("created_at", flowengine.persistence.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_term_alerts_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_term_alerts")),
        sa.UniqueConstraint("org_id", "kind", "term_end", name="uq_term_alerts_org_kind_term"),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("instance_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("org_id", sa.Integer(), nullable=True),
        sa.Column("created_at", flowengine.persistence.models.UTCDateTime(), nullable=False),
        sa.Column("read_at", flowengine.persistence.models.UTCDateTime(), nullable=True),
        sa.Column("emailed_at", flowengine.persistence.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instances.id"], name=op.f("fk_notifications_instance_id_instances")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_notifications_org_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_unsent",
            ["emailed_at"],
            unique=False,
            postgresql_where=sa.text("emailed_at IS NULL"),
            sqlite_where=sa.text("emailed_at IS NULL"),
        )
        batch_op.create_index(
            "ix_notifications_user_unread", ["user_id", "read_at", "created_at"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_notifications_user_unread")
        batch_op.drop_index(
            "ix_notifications_unsent",
            postgresql_where=sa.text("emailed_at IS NULL"),
            sqlite_where=sa.text("emailed_at IS NULL"),
        )

    op.drop_table("notifications")
    op.drop_table("term_alerts")
    op.drop_table("scheduler_heartbeats")
