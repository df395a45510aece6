"""regions on sources and articles; stored division scores and the 1-3 sentence summary

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("source") as batch:
        batch.add_column(sa.Column("region", sa.String(), nullable=True))
    with op.batch_alter_table("article") as batch:
        batch.add_column(sa.Column("region", sa.String(), nullable=True))
        batch.add_column(
            sa.Column("division_scores", sa.JSON(), nullable=False, server_default="{}")
        )
        batch.add_column(sa.Column("summary", sa.JSON(), nullable=False, server_default="[]"))
        batch.create_index("ix_article_region", ["region"])


def downgrade() -> None:
    with op.batch_alter_table("article") as batch:
        batch.drop_index("ix_article_region")
        batch.drop_column("summary")
        batch.drop_column("division_scores")
        batch.drop_column("region")
    with op.batch_alter_table("source") as batch:
        batch.drop_column("region")
