"""The approval verbs: countersign signatures, delegations, copies, state timers, actions held for 后加签,
and the kind (step, sign, added), parent, mode and note of a task.

Revision ID: 0007_issue13_approval_verbs
Revises: 0006
Create Date: 2026-12-01 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import flowengine.persistence.models

revision = "0007_issue13_approval_verbs"
down_revision = "0006"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
_BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
UTC = flowengine.persistence.models.UTCDateTime


def upgrade() -> None:
    op.add_column("tasks", sa.Column("kind", sa.String(length=16), server_default="step", nullable=False))
    op.add_column("tasks", sa.Column("parent_task_id", _BIG, nullable=True))
    op.add_column("tasks", sa.Column("mode", sa.String(length=8), nullable=True))
    op.add_column("tasks", sa.Column("note", sa.Text(), nullable=True))
    op.create_table(
        "signatures",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("instance_id", _BIG, nullable=False),
        sa.Column("task_id", _BIG, nullable=False),
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("data", _JSON, nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("at", UTC(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instances.id"], name=op.f("fk_signatures_instance_id_instances")
        ),
        sa.ForeignKeyConstraint(
            ["org_id"], ["organizations.id"], name=op.f("fk_signatures_org_id_organizations")
        ),
        sa.ForeignKeyConstraint(["task_id"], ["tasks.id"], name=op.f("fk_signatures_task_id_tasks")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_signatures_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signatures")),
        sa.UniqueConstraint("task_id", name=op.f("uq_signatures_task_id")),
    )
    op.create_index("ix_signatures_instance", "signatures", ["instance_id", "state"], unique=False)
    op.create_table(
        "delegations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delegator_id", sa.Integer(), nullable=False),
        sa.Column("delegate_id", sa.Integer(), nullable=False),
        sa.Column("workflow", sa.String(length=64), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("revoked_at", UTC(), nullable=True),
        sa.ForeignKeyConstraint(["delegate_id"], ["users.id"], name=op.f("fk_delegations_delegate_id_users")),
        sa.ForeignKeyConstraint(
            ["delegator_id"], ["users.id"], name=op.f("fk_delegations_delegator_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegations")),
    )
    op.create_index("ix_delegations_delegate", "delegations", ["delegate_id", "ends_on"], unique=False)
    op.create_table(
        "copies",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("instance_id", _BIG, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=True),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("read_at", UTC(), nullable=True),
        sa.ForeignKeyConstraint(["by_id"], ["users.id"], name=op.f("fk_copies_by_id_users")),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instances.id"], name=op.f("fk_copies_instance_id_instances")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_copies_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_copies")),
    )
    op.create_index("ix_copies_instance", "copies", ["instance_id"], unique=False)
    op.create_index("ix_copies_user", "copies", ["user_id", "read_at"], unique=False)
    op.create_table(
        "timers",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("instance_id", _BIG, nullable=False),
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=True),
        sa.Column("due_at", UTC(), nullable=False),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("fired_at", UTC(), nullable=True),
        sa.Column("cancelled_at", UTC(), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("lease_expires_at", UTC(), nullable=True),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instances.id"], name=op.f("fk_timers_instance_id_instances")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timers")),
    )
    op.create_index(
        "ix_timers_due",
        "timers",
        ["due_at"],
        unique=False,
        postgresql_where=sa.text("fired_at IS NULL AND cancelled_at IS NULL"),
        sqlite_where=sa.text("fired_at IS NULL AND cancelled_at IS NULL"),
    )
    op.create_index("ix_timers_instance", "timers", ["instance_id", "state"], unique=False)
    op.create_table(
        "held_actions",
        sa.Column("id", _BIG, nullable=False),
        sa.Column("instance_id", _BIG, nullable=False),
        sa.Column("state", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("data", _JSON, nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("client_addr", sa.String(length=64), nullable=True),
        sa.Column("created_at", UTC(), nullable=False),
        sa.Column("released_at", UTC(), nullable=True),
        sa.Column("cancelled_at", UTC(), nullable=True),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"], name=op.f("fk_held_actions_actor_id_users")),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instances.id"], name=op.f("fk_held_actions_instance_id_instances")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_held_actions")),
    )
    op.create_index("ix_held_actions_instance", "held_actions", ["instance_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_held_actions_instance", table_name="held_actions")
    op.drop_table("held_actions")
    op.drop_index("ix_timers_instance", table_name="timers")
    op.drop_index(
        "ix_timers_due",
        table_name="timers",
        postgresql_where=sa.text("fired_at IS NULL AND cancelled_at IS NULL"),
        sqlite_where=sa.text("fired_at IS NULL AND cancelled_at IS NULL"),
    )
    op.drop_table("timers")
    op.drop_index("ix_copies_user", table_name="copies")
    op.drop_index("ix_copies_instance", table_name="copies")
    op.drop_table("copies")
    op.drop_index("ix_delegations_delegate", table_name="delegations")
    op.drop_table("delegations")
    op.drop_index("ix_signatures_instance", table_name="signatures")
    op.drop_table("signatures")
    with op.batch_alter_table("tasks") as batch:
        batch.drop_column("note")
        batch.drop_column("mode")
        batch.drop_column("parent_task_id")
        batch.drop_column("kind")
