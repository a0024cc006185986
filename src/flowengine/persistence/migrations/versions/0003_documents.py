"""Generated documents (请示/报告/批复) with their numbers, and per-issuer yearly counters.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 01:44:14.136983
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import flowengine.persistence.models

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "document_counters",
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["organizations.id"], name=op.f("fk_document_counters_issuer_id_organizations")
        ),
        sa.PrimaryKeyConstraint("issuer_id", "year", name=op.f("pk_document_counters")),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("instance_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("issuer_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("serial", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=80), nullable=False),
        sa.Column("filename", sa.String(length=300), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", flowengine.persistence.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"], ["instances.id"], name=op.f("fk_documents_instance_id_instances")
        ),
        sa.ForeignKeyConstraint(
            ["issuer_id"], ["organizations.id"], name=op.f("fk_documents_issuer_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("issuer_id", "year", "serial", name="uq_documents_issuer_year_serial"),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index("ix_documents_instance", ["instance_id", "created_at"], unique=False)

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("doc_prefix", sa.String(length=40), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_column("doc_prefix")

    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ix_documents_instance")

    op.drop_table("documents")
    op.drop_table("document_counters")
