"""Audit seals: append-only, chained seals over the audit events up to a cutoff (chain heads per period).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import flowengine.persistence.models
from flowengine.persistence.triggers import drop_append_only_triggers, install_append_only_triggers

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_seals",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("sealed_at", flowengine.persistence.models.UTCDateTime(), nullable=False),
        sa.Column("cutoff", flowengine.persistence.models.UTCDateTime(), nullable=False),
        sa.Column("after_event_id", sa.BigInteger(), nullable=False),
        sa.Column("last_event_id", sa.BigInteger(), nullable=False),
        sa.Column("event_count", sa.Integer(), nullable=False),
        sa.Column("events_digest", sa.String(length=64), nullable=False),
        sa.Column("heads", sa.Text(), nullable=False),
        sa.Column("prev_digest", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_seals")),
    )
    install_append_only_triggers(op.get_bind(), "audit_seals")


def downgrade() -> None:
    drop_append_only_triggers(op.get_bind(), "audit_seals")
    op.drop_table("audit_seals")
