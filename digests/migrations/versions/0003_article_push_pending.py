"""article.push_pending: a new article and "its instant pushes are due" are one durable fact

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing articles were pushed (or lost) by the code before this one: nothing is due.
    with op.batch_alter_table("article") as batch:
        batch.add_column(
            sa.Column("push_pending", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_index("ix_article_push_pending", ["push_pending"])


def downgrade() -> None:
    with op.batch_alter_table("article") as batch:
        batch.drop_index("ix_article_push_pending")
        batch.drop_column("push_pending")
