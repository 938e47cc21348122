"""The script library (话术库): approved replies per intent, mined from champions or written.

Revision ID: 0003_scripts
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_scripts"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scripts",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("script_id", sa.String(length=32), nullable=False),
        sa.Column("intent", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "script_id"),
    )
    op.create_index("ix_scripts_intent", "scripts", ["tenant", "intent", "status"])


def downgrade() -> None:
    op.drop_index("ix_scripts_intent", table_name="scripts")
    op.drop_table("scripts")
