"""Dashboard snapshots: what `analyze` materialises for the manager's pages.

Revision ID: 0006_dashboard_snapshots
Revises: 0005_recall_search
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_dashboard_snapshots"
down_revision = "0005_recall_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dashboard_snapshots",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("stamp", sa.String(length=512), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "kind"),
    )


def downgrade() -> None:
    op.drop_table("dashboard_snapshots")
