"""Where scoring gets its per-conversation labels: the store's label tables and the stages.

`facts_from_store` is the one entry point the report, the API and the evaluations use: it
reads the analysis labels the store already holds, lays the caller's labels over them, and
streams every conversation once through `FactsBuilder`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import select

from salesbrain.schema import Conversation, MessageType, Role, turns_of
from salesbrain.scoring.facts import ConversationFacts, ConversationInputs, FactSettings, Labellers
from salesbrain.scoring.features import FactsBuilder, Timeline
from salesbrain.store import tables as t
from salesbrain.store.store import Store

# Intents that say little about what the customer came for; a conversation's intent is its
# first customer message with any other intent (or the first labelled one when none has).
_BACKGROUND_INTENTS = frozenset({"greeting", "thanks_closing", "other"})
_YIELD_PER = 20_000


def labels_from_store(store: Store) -> ConversationInputs:
    """Outcome, compliance hits, quality and sentiment per conversation, plus intents."""
    labels = t.conversation_labels.c
    query = select(labels.conversation_id, labels.outcome, labels.compliance_hits,
                   labels.quality, labels.sentiment).where(labels.tenant == store.tenant)
    outcomes: dict[str, str] = {}
    hits: dict[str, int] = {}
    quality: dict[str, float] = {}
    sentiment: dict[str, float] = {}
    with store.engine.connect() as conn:
        for row in conn.execute(query):
            if row.outcome:  # "" when the brain had no outcome stage
                outcomes[row.conversation_id] = row.outcome
            hits[row.conversation_id] = int(row.compliance_hits or 0)
            if row.quality is not None:
                quality[row.conversation_id] = float(row.quality)
            if row.sentiment is not None:
                sentiment[row.conversation_id] = float(row.sentiment)
    return ConversationInputs(outcomes=outcomes, compliance_hits=hits, quality=quality,
                              sentiment=sentiment, intents=conversation_intents(store))


def conversation_intents(store: Store) -> dict[str, str]:
    """Each labelled conversation's main customer intent, from the message labels."""
    m, ml = t.messages.c, t.message_labels.c
    query = (
        select(m.conversation_id, ml.intent)
        .join(t.message_labels, (ml.tenant == m.tenant) & (ml.msgid == m.msgid))
        .where(m.tenant == store.tenant, m.role == Role.CUSTOMER.value)
        .order_by(m.conversation_id, m.ts_ms, m.msgid)
    )
    first: dict[str, str] = {}
    main: dict[str, str] = {}
    with store.engine.connect() as conn:
        for cid, intent in conn.execute(query):
            if not intent:
                continue
            first.setdefault(cid, intent)
            if intent not in _BACKGROUND_INTENTS:
                main.setdefault(cid, intent)
    return {**first, **main}


def facts_from_store(
    store: Store,
    inputs: ConversationInputs | None = None,
    labellers: Labellers | None = None,
    settings: FactSettings | None = None,
) -> ConversationFacts:
    """One streaming pass over the tenant's conversations; `inputs` override stored labels.

    Without labellers the pass reads only who wrote when (`timelines`), not the texts.
    """
    known = labels_from_store(store)
    if inputs is not None:
        known = known.overridden_by(inputs)
    builder = FactsBuilder(store.guides(), store.orders(), store.outreach_tasks(), known,
                           labellers, settings)
    if labellers is not None and (labellers.quality or labellers.compliance):
        return builder.add_all(store.conversations()).build()
    return builder.add_timelines(timelines(store)).build()


def timelines(store: Store) -> Iterator[Timeline]:
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
            yield Timeline(cid, guide_id, customer_id, room_id,
                           [row[1] == customer for row in items], [row[2] for row in items])


def quality_labeller(stage: Any) -> Callable[[Sequence[Conversation]], list[float]]:
    """Adapt a quality stage (`predict(turn tuples) -> [.quality]`) to the facts builder."""

    def label(conversations: Sequence[Conversation]) -> list[float]:
        batch = [tuple(turns_of(c)) for c in conversations]
        return [p.quality for p in stage.predict(batch)]

    return label


def compliance_labeller(stage: Any) -> Callable[[Conversation], int]:
    """Adapt the compliance stage: hits in the guide's texts plus red-packet rule hits.

    Recalled messages count too: the customer may well have read them before the recall.
    """

    def count(conversation: Conversation) -> int:
        guide = [m for m in conversation.messages if m.role is Role.GUIDE]
        texts = [m.text for m in guide if m.text]
        hits = sum(len(found) for found in stage.predict(texts)) if texts else 0
        others = [m for m in guide if m.type is not MessageType.TEXT]
        return hits + sum(stage.red_packet_hit(m) is not None for m in others)

    return count
