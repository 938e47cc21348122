"""On Postgres, a trigram GIN index over message texts, so conversation search's ILIKE terms
use an index instead of scanning every message (SQLite has its FTS5 index since 0005).

`pg_trgm` is a trusted extension (Postgres 13 and later): a database owner may create it.
Where it cannot be created, the upgrade goes on without the index and search stays a scan.

Revision ID: 0008_postgres_trigram_search
Revises: 0007_customer_birthdays
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0008_postgres_trigram_search"
down_revision = "0007_customer_birthdays"
branch_labels = None
depends_on = None

INDEX = "ix_messages_text_trigram"
logger = logging.getLogger(__name__)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    try:
        with bind.begin_nested():  # a savepoint: a refused extension leaves the rest intact
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
            bind.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {INDEX} ON messages "
                                 "USING gin (text gin_trgm_ops)"))
    except sa.exc.DBAPIError as error:
        logger.warning("pg_trgm unavailable (%s): conversation search scans messages",
                       type(error.orig).__name__)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
