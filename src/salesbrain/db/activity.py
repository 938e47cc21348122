"""Lean reads of a tenant's messages: who wrote when, which message sits in which conversation.

These stream plain columns instead of building `Conversation` objects, for the passes that
read every message of a tenant (attribution, scoring, audits). Every query takes its tenant
from the `Database` it is given.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import func, select

from salesbrain.attribution import Touch
from salesbrain.db import tables as t
from salesbrain.db.database import Database, from_ms
from salesbrain.schema import Role

_YIELD_PER = 20_000


@dataclass(frozen=True, slots=True)
class ConversationTimes:
    """Who wrote when in one conversation: recalled and system messages left out."""

    conversation_id: str
    guide_id: str
    customer_id: str
    room_id: str
    from_customer: list[bool]
    ts_ms: list[int]


def guide_touches(store: Database) -> Iterator[Touch]:
    """Every guide message as an attribution touch (recalled ones too), streamed."""
    m = t.messages.c
    query = (
        select(m.conversation_id, m.guide_id, m.customer_id, m.ts_ms)
        .where(m.tenant == store.tenant, m.role == Role.GUIDE.value)
        .execution_options(yield_per=10_000)
    )
    with store.engine.connect() as conn:
        for row in conn.execute(query):
            yield Touch(row.conversation_id, row.guide_id, row.customer_id, from_ms(row.ts_ms))


def conversation_times(store: Database) -> Iterator[ConversationTimes]:
    """Every conversation's timeline from one ordered query over the messages."""
    c, m = t.conversations.c, t.messages.c
    heads_query = select(c.conversation_id, c.guide_id, c.customer_id, c.room_id).where(
        c.tenant == store.tenant)
    query = (
        select(m.conversation_id, m.role, m.ts_ms)
        .where(m.tenant == store.tenant, m.recalled.is_(False), m.role != Role.SYSTEM.value)
        .order_by(m.conversation_id, m.ts_ms, m.msgid)
    )
    customer = Role.CUSTOMER.value
    with store.engine.connect() as conn:
        heads = {row[0]: row[1:] for row in conn.execute(heads_query)}
        rows = conn.execution_options(stream_results=True, yield_per=_YIELD_PER).execute(query)
        for cid, group in groupby(rows, key=itemgetter(0)):
            items = list(group)
            guide_id, customer_id, room_id = heads[cid]
            yield ConversationTimes(cid, guide_id, customer_id, room_id,
                                    [row[1] == customer for row in items],
                                    [row[2] for row in items])


def message_conversations(store: Database) -> Iterator[tuple[str, str]]:
    """(msgid, conversation id) of every stored message."""
    m = t.messages.c
    query = select(m.msgid, m.conversation_id).where(m.tenant == store.tenant)
    with store.engine.connect() as conn:
        yield from ((row[0], row[1]) for row in conn.execute(query))


def message_contents(store: Database) -> dict[str, tuple[str, str, bool]]:
    """msgid -> (conversation id, stored text, recalled) of every stored message."""
    m = t.messages.c
    query = select(m.msgid, m.conversation_id, m.text, m.recalled).where(
        m.tenant == store.tenant)
    with store.engine.connect() as conn:
        return {r.msgid: (r.conversation_id, r.text, bool(r.recalled))
                for r in conn.execute(query)}


def conversation_sizes(store: Database) -> dict[str, int]:
    """conversation id -> the message count stored on the conversation."""
    c = t.conversations.c
    query = select(c.conversation_id, c.n_messages).where(c.tenant == store.tenant)
    with store.engine.connect() as conn:
        return {r.conversation_id: r.n_messages for r in conn.execute(query)}


def data_stamp(store: Database) -> tuple[Any, ...]:
    """Changes whenever anything scoring reads changes (messages, labels, orders, tasks,
    guides)."""
    c, lab = t.conversations.c, t.conversation_labels.c
    queries = [
        select(func.max(c.updated_ms), func.count()).where(c.tenant == store.tenant),
        select(func.max(lab.analyzed_ms), func.count()).where(lab.tenant == store.tenant),
        *(select(func.count()).select_from(table).where(table.c.tenant == store.tenant)
          for table in (t.orders, t.outreach_tasks, t.guides)),
    ]
    with store.engine.connect() as conn:
        return tuple(value for query in queries for value in conn.execute(query).one())


def guide_openings(store: Database, per_conversation: int = 4) -> dict[str, str]:
    """conversation id -> the guide's first `per_conversation` text messages, joined by newlines.

    Only the opening: later messages can thank the customer for a purchase already made, which
    would tell a model the outcome instead of how the guide answered."""
    m = t.messages.c
    query = (select(m.conversation_id, m.text)
             .where(m.tenant == store.tenant, m.role == "guide", m.type == "text",
                    m.recalled.is_(False))
             .order_by(m.conversation_id, m.ts_ms))
    openings: dict[str, list[str]] = {}
    with store.engine.connect() as conn:
        for row in conn.execute(query):
            texts = openings.setdefault(row.conversation_id, [])
            if len(texts) < per_conversation and row.text:
                texts.append(row.text)
    return {cid: "\n".join(texts) for cid, texts in openings.items() if texts}
