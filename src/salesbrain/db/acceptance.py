"""What happened to each suggestion, and the rows acceptance and AI-assisted sales are read from.

A suggestion is `served` to a key (the answer to its request, or a live push on its stream);
only that key may then report it `displayed`, `inserted`, `edited` or `dismissed`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from salesbrain.db import tables as t
from salesbrain.db.database import Database, from_ms, now_ms
from salesbrain.schema import Order

EVENTS = ("served", "displayed", "inserted", "edited", "dismissed")


def record_events(store: Database, suggestion_ids: Sequence[str], event: str,
                  key_id: str | None, guide_id: str | None) -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown suggestion event {event!r}: use one of {', '.join(EVENTS)}")
    stamp = now_ms()
    rows = [{"tenant": store.tenant, "suggestion_id": s, "event": event, "key_id": key_id,
             "guide_id": guide_id, "created_ms": stamp} for s in suggestion_ids]
    if rows:
        with store.engine.begin() as conn:
            conn.execute(t.suggestion_events.insert(), rows)


def served_to_key(store: Database, suggestion_id: str, key_id: str) -> bool:
    e = t.suggestion_events.c
    query = select(e.id).where(e.tenant == store.tenant, e.suggestion_id == suggestion_id,
                               e.event == "served", e.key_id == key_id).limit(1)
    with store.engine.connect() as conn:
        return conn.execute(query).first() is not None


@dataclass(frozen=True, slots=True)
class SuggestionFate:
    """One suggestion with the events it received (other than being served)."""

    suggestion_id: str
    guide_id: str
    conversation_id: str | None
    intent: str
    source: str
    events: frozenset[str]
    accepted_ms: int | None  # the first insert or edit


def suggestion_fates(store: Database, guide_ids: frozenset[str] | None,
                     since_ms: int | None = None) -> list[SuggestionFate]:
    """Every suggestion of these guides (None: all) that was displayed or acted on."""
    s, e = t.suggestions.c, t.suggestion_events.c
    query = (select(s.suggestion_id, s.guide_id, s.conversation_id, s.intent, s.source, e.event,
                    e.created_ms)
             .join(t.suggestion_events,
                   (e.tenant == s.tenant) & (e.suggestion_id == s.suggestion_id))
             .where(s.tenant == store.tenant, e.event != "served", s.guide_id.is_not(None)))
    if guide_ids is not None:
        query = query.where(s.guide_id.in_(sorted(guide_ids)))
    if since_ms is not None:
        query = query.where(s.created_ms >= since_ms)
    grouped: dict[str, list[Any]] = {}
    with store.engine.connect() as conn:
        for row in conn.execute(query.order_by(e.id)):
            grouped.setdefault(row.suggestion_id, []).append(row)
    return [_fate(rows) for rows in grouped.values()]


def _fate(rows: list[Any]) -> SuggestionFate:
    first = rows[0]
    accepted = [r.created_ms for r in rows if r.event in ("inserted", "edited")]
    return SuggestionFate(first.suggestion_id, first.guide_id, first.conversation_id,
                          first.intent or "", first.source, frozenset(r.event for r in rows),
                          min(accepted) if accepted else None)


@dataclass(frozen=True, slots=True)
class SalesEvidence:
    """Orders of some customers and every guide touch of theirs, for attribution."""

    orders: list[Order]
    touches: list[tuple[str, str, str, Any]]  # conversation, guide, customer, ts


def sales_evidence(store: Database, conversation_ids: Sequence[str]) -> SalesEvidence:
    """The orders of these conversations' customers and all their guide messages."""
    c, o, m = t.conversations.c, t.orders.c, t.messages.c
    customers = select(c.customer_id).where(c.tenant == store.tenant,
                                            c.conversation_id.in_(list(conversation_ids)))
    orders_query = select(o.order_id, o.customer_id, o.ts_ms, o.amount, o.channel).where(
        o.tenant == store.tenant, o.customer_id.in_(customers))
    touches_query = select(m.conversation_id, m.guide_id, m.customer_id, m.ts_ms).where(
        m.tenant == store.tenant, m.customer_id.in_(customers), m.role == "guide",
        m.recalled.is_(False))
    with store.engine.connect() as conn:
        orders = [Order(r.order_id, r.customer_id, from_ms(r.ts_ms), r.amount, r.channel)
                  for r in conn.execute(orders_query)]
        touches = [(r.conversation_id, r.guide_id, r.customer_id, from_ms(r.ts_ms))
                   for r in conn.execute(touches_query)] if orders else []
    return SalesEvidence(orders, touches)
