"""A guide's inbox: her conversations, latest first, each with its last message, whether it waits
for her reply, and the orders behind the customer's tags.

Visibility is `access.visible_guide_ids`: a guide sees her own conversations, a manager his
stores', an admin the tenant's. Search runs over the stored (already redacted) text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, or_, select

from salesbrain.db import tables as t
from salesbrain.db.access import Viewer, visible_guide_ids
from salesbrain.db.database import Database, from_ms
from salesbrain.db.search import like_pattern
from salesbrain.schema import Order, Role


@dataclass(frozen=True, slots=True)
class InboxEntry:
    conversation_id: str
    guide_id: str
    customer_id: str
    ended_ms: int
    n_messages: int
    last_role: str
    last_text: str
    last_ms: int
    waiting_since_ms: int | None  # the first customer message after the guide's last reply


def inbox(store: Database, viewer: Viewer, *, q: str | None = None,
          limit: int = 50) -> list[InboxEntry]:
    """The viewer's conversations, the most recently active first."""
    heads = _heads(store, viewer, q, limit)
    last = _tail_messages(store, [h.conversation_id for h in heads])
    return [_entry(head, last.get(head.conversation_id, [])) for head in heads]


def _heads(store: Database, viewer: Viewer, q: str | None, limit: int) -> list[Any]:
    c = t.conversations.c
    query: Select[Any] = select(c.conversation_id, c.guide_id, c.customer_id, c.ended_ms,
                                c.n_messages).where(c.tenant == store.tenant)
    visible = visible_guide_ids(store, viewer)
    if visible is not None:
        query = query.where(c.guide_id.in_(sorted(visible)))
    if q:
        m = t.messages.c
        pattern = like_pattern(q)
        matching = select(m.conversation_id).where(
            m.tenant == store.tenant, m.text.like(pattern, escape="\\"))
        query = query.where(or_(c.conversation_id.in_(matching),
                                c.customer_id.like(pattern, escape="\\")))
    query = query.order_by(c.ended_ms.desc(), c.conversation_id).limit(limit)
    with store.engine.connect() as conn:
        return list(conn.execute(query))


def _tail_messages(store: Database, ids: Sequence[str]) -> dict[str, list[Any]]:
    """Each conversation's messages, newest first (recalled ones left out)."""
    m = t.messages.c
    query = (select(m.conversation_id, m.role, m.text, m.ts_ms)
             .where(m.tenant == store.tenant, m.conversation_id.in_(list(ids)),
                    m.recalled.is_(False))
             .order_by(m.conversation_id, m.ts_ms.desc(), m.msgid.desc()))
    grouped: dict[str, list[Any]] = {}
    with store.engine.connect() as conn:
        for row in conn.execute(query):
            grouped.setdefault(row.conversation_id, []).append(row)
    return grouped


def _entry(head: Any, newest_first: list[Any]) -> InboxEntry:
    last = newest_first[0] if newest_first else None
    waiting: int | None = None
    for message in newest_first:
        if message.role != Role.CUSTOMER.value:
            break
        waiting = message.ts_ms
    return InboxEntry(head.conversation_id, head.guide_id, head.customer_id, head.ended_ms,
                      head.n_messages, last.role if last else "", last.text if last else "",
                      last.ts_ms if last else head.ended_ms, waiting)


def customers_orders(store: Database, customer_ids: Sequence[str]) -> list[Order]:
    """Every order of these customers, oldest first."""
    o = t.orders.c
    query = select(o.order_id, o.customer_id, o.ts_ms, o.amount, o.channel).where(
        o.tenant == store.tenant, o.customer_id.in_(sorted(set(customer_ids)))
    ).order_by(o.ts_ms, o.order_id)
    with store.engine.connect() as conn:
        return [Order(r.order_id, r.customer_id, from_ms(r.ts_ms), r.amount, r.channel)
                for r in conn.execute(query)]


def updated_since(store: Database, since_ms: int, limit: int) -> list[InboxEntry]:
    """Conversations written at or after `since_ms` (an ingestion's start), newest first."""
    c = t.conversations.c
    query = (select(c.conversation_id, c.guide_id, c.customer_id, c.ended_ms, c.n_messages)
             .where(c.tenant == store.tenant, c.updated_ms >= since_ms)
             .order_by(c.ended_ms.desc(), c.conversation_id).limit(limit))
    with store.engine.connect() as conn:
        heads = list(conn.execute(query))
    last = _tail_messages(store, [h.conversation_id for h in heads])
    return [_entry(head, last.get(head.conversation_id, [])) for head in heads]
