"""The workbench: each suggestion's intent, and what happened to it (served to a key,
displayed, inserted, edited, dismissed).

Revision ID: 0004_workbench
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_workbench"
down_revision = "0003_scripts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("suggestions", sa.Column("intent", sa.String(length=32), nullable=True))
    op.create_table(
        "suggestion_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("suggestion_id", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("key_id", sa.String(length=32), nullable=True),
        sa.Column("guide_id", sa.String(length=128), nullable=True),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_suggestion_events_suggestion", "suggestion_events",
                    ["tenant", "suggestion_id", "event"], unique=False)
    op.create_index("ix_suggestion_events_time", "suggestion_events",
                    ["tenant", "created_ms"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_suggestion_events_time", table_name="suggestion_events")
    op.drop_index("ix_suggestion_events_suggestion", table_name="suggestion_events")
    op.drop_table("suggestion_events")
    with op.batch_alter_table("suggestions") as batch:
        batch.drop_column("intent")
