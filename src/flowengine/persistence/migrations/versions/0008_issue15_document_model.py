"""The model of each issued document (its parts as plain data), so that its preview is what it was made of.

Revision ID: 0008_issue15_document_model
Revises: 0007_issue13_approval_verbs
Create Date: 2026-12-01 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_issue15_document_model"
down_revision = "0007_issue13_approval_verbs"
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.add_column("documents", sa.Column("model", _JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("model")
