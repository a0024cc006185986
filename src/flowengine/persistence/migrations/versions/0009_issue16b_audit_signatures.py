"""Keyed seals and inserts that cannot replace: each audit seal may carry the signature of a key the database
does not hold (``key_id``, ``signature``); on SQLite, a trigger per audit table refuses an insert whose key
is taken (``INSERT OR REPLACE`` would otherwise delete the row it replaces without firing its DELETE
trigger).

Revision ID: 0009_issue16b
Revises: 0008_issue17b
Create Date: 2026-12-01 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from flowengine.persistence.triggers import (
    APPEND_ONLY_TABLES,
    drop_no_replace_trigger,
    install_no_replace_trigger,
)

revision = "0009_issue16b"
down_revision = "0008_issue17b"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Adding nullable columns rewrites no row and touches no trigger (seals written before stay unsigned).
    op.add_column("audit_seals", sa.Column("key_id", sa.String(length=80), nullable=True))
    op.add_column("audit_seals", sa.Column("signature", sa.Text(), nullable=True))
    for table in APPEND_ONLY_TABLES:
        install_no_replace_trigger(op.get_bind(), table)


def downgrade() -> None:
    for table in APPEND_ONLY_TABLES:
        drop_no_replace_trigger(op.get_bind(), table)
    op.drop_column("audit_seals", "signature")
    op.drop_column("audit_seals", "key_id")
