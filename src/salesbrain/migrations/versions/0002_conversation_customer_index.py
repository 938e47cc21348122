"""Index conversations by customer: sessionisation looks up each customer's latest conversation.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_conversations_customer", "conversations", ["tenant", "customer_id"])


def downgrade() -> None:
    op.drop_index("ix_conversations_customer", table_name="conversations")
