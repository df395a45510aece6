"""Digest snapshots for "Lainnya" pages, announcement read receipts, message buttons, pausing

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import digests.store.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("message_body") as batch:
        batch.add_column(sa.Column("reply_markup", sa.JSON(), nullable=True))
    with op.batch_alter_table("subscriber") as batch:
        batch.add_column(
            sa.Column("paused_until", digests.store.types.UTCDateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "digest_snapshot",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.Column("created_at", digests.store.types.UTCDateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_digest_snapshot_created_at", "digest_snapshot", ["created_at"])
    op.create_table(
        "broadcast_ack",
        sa.Column("broadcast_id", sa.Integer(), sa.ForeignKey("broadcast.id"), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), primary_key=True),
        sa.Column("read_at", digests.store.types.UTCDateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("broadcast_ack")
    op.drop_index("ix_digest_snapshot_created_at", table_name="digest_snapshot")
    op.drop_table("digest_snapshot")
    with op.batch_alter_table("subscriber") as batch:
        batch.drop_column("paused_until")
    with op.batch_alter_table("message_body") as batch:
        batch.drop_column("reply_markup")
