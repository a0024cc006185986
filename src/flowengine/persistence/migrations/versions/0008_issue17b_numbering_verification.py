"""Documents ready to seal and to verify: an organization's 附注 contact (联系人, 联系电话), each document's
verification code (扫码验真), and the hit counters of the rate limiter that guards the public verification
page across every worker.

The 发文代字 was already a column (``organizations.doc_prefix``); the sequence an organization's register
continues from lives in ``document_counters`` (per issuer and year), which an administrator may now set.

Revision ID: 0008_issue17b
Revises: 0007_issue13_approval_verbs
Create Date: 2026-12-01 17:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_issue17b"
down_revision = "0007_issue13_approval_verbs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("organizations") as batch:
        batch.add_column(sa.Column("contact_name", sa.String(length=50), nullable=True))
        batch.add_column(sa.Column("contact_phone", sa.String(length=40), nullable=True))
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("verify_code", sa.String(length=16), nullable=True))
    op.create_index("ix_documents_verify_code", "documents", ["verify_code"], unique=True)
    op.create_index("ix_documents_sha256", "documents", ["sha256"], unique=False)
    op.create_table(
        "rate_limit_hits",
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("client", sa.String(length=64), nullable=False),
        sa.Column("window", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "client", "window", name=op.f("pk_rate_limit_hits")),
    )


def downgrade() -> None:
    op.drop_table("rate_limit_hits")
    op.drop_index("ix_documents_sha256", table_name="documents")
    op.drop_index("ix_documents_verify_code", table_name="documents")
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("verify_code")
    with op.batch_alter_table("organizations") as batch:
        batch.drop_column("contact_phone")
        batch.drop_column("contact_name")
