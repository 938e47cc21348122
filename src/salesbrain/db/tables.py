"""SQLAlchemy table definitions: the single source of the storage schema.

Times are stored as epoch milliseconds (BIGINT): exact, index-friendly, and identical on SQLite
and Postgres. Every row belongs to a tenant and every primary key starts with the tenant, so a
query that forgets the tenant cannot use an index and shows up in review.
Alembic migrations in `salesbrain/migrations` are generated from this metadata.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

tenants = Table(
    "tenants",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("display_name", String(200), nullable=False, default=""),
    Column("created_ms", BigInteger, nullable=False),
)

guides = Table(
    "guides",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("guide_id", String(128), primary_key=True),
    Column("name", String(200), nullable=False, default=""),
    Column("store_id", String(128), nullable=False, default=""),
    Column("region", String(128), nullable=False, default=""),
)

customers = Table(
    "customers",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("customer_id", String(128), primary_key=True),
    # None: never stated; False: refused archiving, so no text is kept or used for training.
    Column("consent", Boolean, nullable=True),
    Column("consent_ms", BigInteger, nullable=True),
    # "MM-DD" from the brand's member file, for the birthday recall group: the year is personal
    # data the recall does not need, so it is never stored. None: not known.
    Column("birthday", String(5), nullable=True),
)

conversations = Table(
    "conversations",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("conversation_id", String(160), primary_key=True),
    Column("guide_id", String(128), nullable=False),
    Column("customer_id", String(128), nullable=False),
    Column("room_id", String(128), nullable=False, default=""),
    Column("started_ms", BigInteger, nullable=False),
    Column("ended_ms", BigInteger, nullable=False),
    Column("n_messages", Integer, nullable=False, default=0),
    Column("source", String(32), nullable=False, default=""),
    Column("updated_ms", BigInteger, nullable=False),
    Index("ix_conversations_pair", "tenant", "guide_id", "customer_id", "room_id", "ended_ms"),
    Index("ix_conversations_updated", "tenant", "updated_ms"),
    Index("ix_conversations_customer", "tenant", "customer_id"),
)

messages = Table(
    "messages",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("msgid", String(160), primary_key=True),
    Column("conversation_id", String(160), nullable=False),
    Column("guide_id", String(128), nullable=False),
    Column("customer_id", String(128), nullable=False),
    Column("role", String(16), nullable=False),
    Column("ts_ms", BigInteger, nullable=False),
    Column("type", String(16), nullable=False),
    Column("text", Text, nullable=False, default=""),
    Column("room_id", String(128), nullable=False, default=""),
    Column("recalled", Boolean, nullable=False, default=False),
    Column("redactions", String(200), nullable=False, default=""),
    Column("meta", JSON, nullable=True),
    Index("ix_messages_conversation", "tenant", "conversation_id", "ts_ms"),
    Index("ix_messages_customer", "tenant", "customer_id", "ts_ms"),
)

orders = Table(
    "orders",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("order_id", String(128), primary_key=True),
    Column("customer_id", String(128), nullable=False),
    Column("ts_ms", BigInteger, nullable=False),
    Column("amount", Float, nullable=False),
    Column("channel", String(64), nullable=False, default=""),
    Index("ix_orders_customer", "tenant", "customer_id", "ts_ms"),
)

outreach_tasks = Table(
    "outreach_tasks",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("task_id", String(128), primary_key=True),
    Column("guide_id", String(128), nullable=False),
    Column("customer_id", String(128), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("assigned_ms", BigInteger, nullable=False),
    Column("due_ms", BigInteger, nullable=False),
    Index("ix_tasks_guide", "tenant", "guide_id"),
)

quarantine = Table(
    "quarantine",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant", String(64), nullable=False),
    Column("source_file", String(500), nullable=False),
    Column("line", Integer, nullable=False),
    Column("reason", String(500), nullable=False),
    # The raw record, redacted and truncated: quarantine must not become a leak of personal data.
    Column("raw", Text, nullable=False, default=""),
    Column("created_ms", BigInteger, nullable=False),
    UniqueConstraint("tenant", "source_file", "line", "reason", name="uq_quarantine_record"),
)

message_labels = Table(
    "message_labels",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("msgid", String(160), primary_key=True),
    Column("intent", String(32), nullable=False),
    Column("probability", Float, nullable=False),
    Column("uncertain", Boolean, nullable=False),
    Column("sentiment", Float, nullable=True),
    Column("compliance", JSON, nullable=True),
    Column("brain_version", String(64), nullable=False),
)

conversation_labels = Table(
    "conversation_labels",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("conversation_id", String(160), primary_key=True),
    Column("outcome", String(32), nullable=False),
    Column("outcome_source", String(16), nullable=False),
    Column("sentiment", Float, nullable=True),
    Column("quality", Float, nullable=True),
    Column("compliance_hits", Integer, nullable=False, default=0),
    Column("analyzed_ms", BigInteger, nullable=False),
    Column("brain_version", String(64), nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("tenant", String(64), nullable=False),
    Column("key_hash", String(128), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("guide_id", String(128), nullable=True),
    Column("store_ids", JSON, nullable=True),
    Column("label", String(200), nullable=False, default=""),
    Column("created_ms", BigInteger, nullable=False),
    Column("revoked", Boolean, nullable=False, default=False),
)

suggestions = Table(
    "suggestions",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("suggestion_id", String(64), primary_key=True),
    Column("conversation_id", String(160), nullable=True),
    Column("guide_id", String(128), nullable=True),
    Column("text", Text, nullable=False),
    Column("source", String(16), nullable=False),
    Column("score", Float, nullable=False),
    Column("brain_version", String(64), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("intent", String(32), nullable=True),  # the intent the suggestion answers
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant", String(64), nullable=False),
    Column("suggestion_id", String(64), nullable=False),
    Column("action", String(16), nullable=False),
    Column("sent_text", Text, nullable=True),
    Column("guide_id", String(128), nullable=True),
    Column("created_ms", BigInteger, nullable=False),
    Index("ix_feedback_suggestion", "tenant", "suggestion_id"),
)

scripts = Table(
    "scripts",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("script_id", String(32), primary_key=True),
    Column("intent", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("status", String(16), nullable=False),  # active | retired
    Column("source", String(16), nullable=False),  # mined | manual
    Column("uses", Integer, nullable=False, default=0),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
    Index("ix_scripts_intent", "tenant", "intent", "status"),
)

# What happened to a suggestion: `served` to a key (by a request or a live push; feedback from
# any other key is refused), then `displayed`, `inserted`, `edited` or `dismissed` on the page.
suggestion_events = Table(
    "suggestion_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant", String(64), nullable=False),
    Column("suggestion_id", String(64), nullable=False),
    Column("event", String(16), nullable=False),
    Column("key_id", String(32), nullable=True),
    Column("guide_id", String(128), nullable=True),
    Column("created_ms", BigInteger, nullable=False),
    Index("ix_suggestion_events_suggestion", "tenant", "suggestion_id", "event"),
    Index("ix_suggestion_events_time", "tenant", "created_ms"),
)

# What a guide did with a monthly recall task (`salesbrain.scoring.outreach`): the tasks are
# computed from orders each month, so only the guide's answer is stored, keyed by the task id.
recall_statuses = Table(
    "recall_statuses",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("task_id", String(64), primary_key=True),
    Column("month", String(7), nullable=False),  # YYYY-MM
    Column("guide_id", String(128), nullable=False),
    Column("customer_id", String(128), nullable=False),
    Column("recall_group", String(32), nullable=False),
    Column("status", String(16), nullable=False),  # done | skipped
    Column("updated_ms", BigInteger, nullable=False),
    Index("ix_recall_statuses_month", "tenant", "month"),
)

# What `salesbrain analyze` materialises for the manager's dashboard once per data change
# (`salesbrain.scoring.materialise`): the scoring facts, scorecards per period kind, store
# segments and daily aggregates, each valid for the `data_stamp` it was computed at.
dashboard_snapshots = Table(
    "dashboard_snapshots",
    metadata,
    Column("tenant", String(64), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("stamp", String(512), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("payload", LargeBinary, nullable=False),
)

# On SQLite a trigram FTS5 index over messages.text (kept by triggers, see migration 0005)
# backs conversation search; it is not SQLAlchemy metadata, so schema comparisons skip it.
MESSAGE_SEARCH_TABLE = "messages_fts"
# On Postgres a pg_trgm GIN index over messages.text backs it instead (migration 0008).
MESSAGE_TRIGRAM_INDEX = "ix_messages_text_trigram"


def declared_name(name: str | None, type_: str, _parents: object = None) -> bool:
    """Alembic's `include_name`: leave the search indexes (SQLite's FTS5 tables and their
    shadow tables, Postgres's trigram index) out."""
    if type_ == "index" and name == MESSAGE_TRIGRAM_INDEX:
        return False
    return not (type_ == "table" and name is not None
                and name.startswith(MESSAGE_SEARCH_TABLE))
