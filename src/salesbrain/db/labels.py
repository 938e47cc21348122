"""A tenant's analysis labels: what `salesbrain analyze` writes and what scoring reads.

Every query takes its tenant from the `Database` it is given, so none can read or write another
tenant's labels.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, or_, select

from salesbrain.db import tables as t
from salesbrain.db.database import Database
from salesbrain.schema import Role


@dataclass(frozen=True, slots=True)
class StoredConversationLabels:
    """One conversation's row of `conversation_labels`, as `analyze` wrote it."""

    conversation_id: str
    outcome: str  # "" when the brain had no outcome stage
    outcome_source: str
    sentiment: float | None
    quality: float | None
    compliance_hits: int
    brain_version: str


def pending_conversations(store: Database, brain_version: str) -> list[str]:
    """Conversations never analysed, changed since, or analysed by another brain; oldest first."""
    c, lab = t.conversations.c, t.conversation_labels.c
    join = t.conversations.outerjoin(
        t.conversation_labels,
        and_(lab.tenant == c.tenant, lab.conversation_id == c.conversation_id),
    )
    query = (
        select(c.conversation_id)
        .select_from(join)
        .where(c.tenant == store.tenant)
        .where(
            or_(
                lab.conversation_id.is_(None),
                lab.analyzed_ms < c.updated_ms,
                lab.brain_version != brain_version,
            )
        )
        .order_by(c.started_ms, c.conversation_id)
    )
    with store.engine.connect() as conn:
        return list(conn.scalars(query))


def replace_labels(store: Database, conversation_rows: Sequence[dict[str, Any]],
                   message_rows: Sequence[dict[str, Any]]) -> None:
    """Replace the labels of these conversations and messages in one transaction.

    Rows are the label tables' columns without `tenant` (the store adds its own)."""
    ids = [row["conversation_id"] for row in conversation_rows]
    msgids = [row["msgid"] for row in message_rows]
    lab, ml = t.conversation_labels.c, t.message_labels.c
    with store.engine.begin() as conn:
        conn.execute(delete(t.conversation_labels).where(
            lab.tenant == store.tenant, lab.conversation_id.in_(ids)))
        if msgids:
            conn.execute(delete(t.message_labels).where(
                ml.tenant == store.tenant, ml.msgid.in_(msgids)))
            conn.execute(t.message_labels.insert(),
                         [{**row, "tenant": store.tenant} for row in message_rows])
        if conversation_rows:
            conn.execute(t.conversation_labels.insert(),
                         [{**row, "tenant": store.tenant} for row in conversation_rows])


def conversation_labels(store: Database) -> Iterator[StoredConversationLabels]:
    """Every analysed conversation's labels."""
    lab = t.conversation_labels.c
    query = select(lab.conversation_id, lab.outcome, lab.outcome_source, lab.sentiment,
                   lab.quality, lab.compliance_hits, lab.brain_version).where(
        lab.tenant == store.tenant)
    with store.engine.connect() as conn:
        for row in conn.execute(query):
            yield StoredConversationLabels(
                row.conversation_id, row.outcome, row.outcome_source, row.sentiment,
                row.quality, int(row.compliance_hits or 0), row.brain_version)


def customer_intents(store: Database) -> Iterator[tuple[str, str]]:
    """(conversation id, intent) of each labelled customer message, in conversation order."""
    m, ml = t.messages.c, t.message_labels.c
    query = (
        select(m.conversation_id, ml.intent)
        .join(t.message_labels, (ml.tenant == m.tenant) & (ml.msgid == m.msgid))
        .where(m.tenant == store.tenant, m.role == Role.CUSTOMER.value)
        .order_by(m.conversation_id, m.ts_ms, m.msgid)
    )
    with store.engine.connect() as conn:
        yield from ((row[0], row[1]) for row in conn.execute(query))


def message_intents(store: Database) -> dict[str, str]:
    """Every labelled message's intent by msgid ("" for a guide message labelled for
    compliance only)."""
    ml = t.message_labels.c
    query = select(ml.msgid, ml.intent).where(ml.tenant == store.tenant)
    with store.engine.connect() as conn:
        return {msgid: intent for msgid, intent in conn.execute(query)}


@dataclass(frozen=True, slots=True)
class StoredMessageLabel:
    """What `analyze` stored for one message."""

    intent: str
    probability: float
    uncertain: bool
    sentiment: float | None


def labels_of_messages(store: Database, msgids: Sequence[str]) -> dict[str, StoredMessageLabel]:
    """The stored labels of these messages, by msgid (unlabelled messages are left out)."""
    ml = t.message_labels.c
    found: dict[str, StoredMessageLabel] = {}
    ids = list(msgids)
    with store.engine.connect() as conn:
        for start in range(0, len(ids), 900):
            query = select(ml.msgid, ml.intent, ml.probability, ml.uncertain, ml.sentiment).where(
                ml.tenant == store.tenant, ml.msgid.in_(ids[start : start + 900]))
            for row in conn.execute(query):
                found[row.msgid] = StoredMessageLabel(row.intent, float(row.probability),
                                                      bool(row.uncertain), row.sentiment)
    return found


def message_label_rows(store: Database) -> list[Any]:
    """Every message label of the tenant (msgid, intent, probability, sentiment, compliance),
    in msgid order: what two analysis runs are compared on."""
    ml = t.message_labels.c
    query = (select(ml.msgid, ml.intent, ml.probability, ml.sentiment, ml.compliance)
             .where(ml.tenant == store.tenant).order_by(ml.msgid))
    with store.engine.connect() as conn:
        return list(conn.execute(query).all())
