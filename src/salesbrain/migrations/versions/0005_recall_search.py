"""Recall task statuses, and on SQLite a trigram full-text index over message texts.

The index is an external-content FTS5 table over `messages` (rowid), kept in step by
triggers, so ingestion needs no change; Postgres searches with ILIKE instead.

Revision ID: 0005_recall_search
Revises: 0004_workbench
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_recall_search"
down_revision = "0004_workbench"
branch_labels = None
depends_on = None

FTS_STATEMENTS = (
    "CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages', "
    "content_rowid='rowid', tokenize='trigram')",
    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN "
    "INSERT INTO messages_fts(rowid, text) VALUES (new.rowid, new.text); END",
    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);"
    " END",
    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.rowid, old.text);"
    " INSERT INTO messages_fts(rowid, text) VALUES (new.rowid, new.text); END",
    "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')",
)


def upgrade() -> None:
    op.create_table(
        "recall_statuses",
        sa.Column("tenant", sa.String(length=64), nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("guide_id", sa.String(length=128), nullable=False),
        sa.Column("customer_id", sa.String(length=128), nullable=False),
        sa.Column("recall_group", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "task_id"),
    )
    op.create_index("ix_recall_statuses_month", "recall_statuses", ["tenant", "month"],
                    unique=False)
    if op.get_bind().dialect.name == "sqlite":
        for statement in FTS_STATEMENTS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS messages_fts_{name}")
        op.execute("DROP TABLE IF EXISTS messages_fts")
    op.drop_index("ix_recall_statuses_month", table_name="recall_statuses")
    op.drop_table("recall_statuses")
