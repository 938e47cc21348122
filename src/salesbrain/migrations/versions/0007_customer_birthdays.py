"""Customer birthdays (month and day only) from the member file, for the birthday recall group.

Revision ID: 0007_customer_birthdays
Revises: 0006_dashboard_snapshots
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_customer_birthdays"
down_revision = "0006_dashboard_snapshots"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("customers", sa.Column("birthday", sa.String(length=5), nullable=True))


def downgrade() -> None:
    # batch mode: SQLite drops a column by copying the table.
    with op.batch_alter_table("customers") as batch:
        batch.drop_column("birthday")
