"""Issue 16 (web and identity): server-side sessions, sign-in throttling, token expiry and scope.

Tokens created before this revision get an expiry FLOWENGINE_TOKEN_DAYS' default (90 days) from the
upgrade, and the ``write`` scope they had in effect.

Revision ID: 0010_issue16a
Revises: 0009_issue16b
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

import flowengine.persistence.models

revision = "0010_issue16a"
down_revision = "0009_issue16b"
branch_labels = None
depends_on = None

_UTC = flowengine.persistence.models.UTCDateTime


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _UTC(), nullable=False),
        sa.Column("last_seen_at", _UTC(), nullable=False),
        sa.Column("ended_at", _UTC(), nullable=True),
        sa.Column("end_reason", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_web_sessions_key_hash")),
    )
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.create_index("ix_web_sessions_user", ["user_id", "ended_at"], unique=False)
    op.create_table(
        "auth_throttle",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", _UTC(), nullable=False),
        sa.Column("blocked_until", _UTC(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_auth_throttle")),
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", _UTC(), nullable=True))
        batch_op.add_column(sa.Column("scope", sa.String(length=16), server_default="write", nullable=False))
    tokens = sa.table("api_tokens", sa.column("expires_at", _UTC()))
    expiry = dt.datetime.now(dt.UTC) + dt.timedelta(days=90)
    op.get_bind().execute(tokens.update().values(expires_at=expiry))
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.alter_column("expires_at", existing_type=_UTC(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_column("scope")
        batch_op.drop_column("expires_at")
    op.drop_table("auth_throttle")
    with op.batch_alter_table("web_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_web_sessions_user")
    op.drop_table("web_sessions")
