"""Label the store incrementally: only conversations that changed since the brain last saw them.

Compute, then attach: `Brain.analyze_many` returns typed results; `save_analyses` writes them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import and_, delete, or_, select
from tqdm import tqdm

from salesbrain.attribution import Touch, attribute_orders
from salesbrain.brain import Brain, ConversationAnalysis
from salesbrain.store import Store
from salesbrain.store import tables as t
from salesbrain.store.store import from_ms, now_ms


def pending_conversations(store: Store, brain_version: str) -> list[str]:
    """Conversations never analysed, changed since, or analysed by another brain."""
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


def guide_touches(store: Store) -> Iterator[Touch]:
    """Every guide message as an attribution touch, streamed from the store."""
    m = t.messages.c
    query = (
        select(m.conversation_id, m.guide_id, m.customer_id, m.ts_ms)
        .where(m.tenant == store.tenant, m.role == "guide")
        .execution_options(yield_per=10_000)
    )
    with store.engine.connect() as conn:
        for row in conn.execute(query):
            yield Touch(row.conversation_id, row.guide_id, row.customer_id, from_ms(row.ts_ms))


def attributed_conversations(store: Store) -> set[str]:
    return {a.conversation_id for a in attribute_orders(guide_touches(store), store.orders())}


def save_analyses(
    store: Store, analyses: Sequence[ConversationAnalysis], brain_version: str
) -> None:
    stamp = now_ms()
    conversation_rows = [_conversation_row(a, brain_version, stamp) for a in analyses]
    message_rows = [row for a in analyses for row in _message_rows(a, brain_version)]
    ids = [a.conversation_id for a in analyses]
    msgids = [row["msgid"] for row in message_rows]
    with store.engine.begin() as conn:
        lab, ml = t.conversation_labels.c, t.message_labels.c
        conn.execute(
            delete(t.conversation_labels).where(
                lab.tenant == store.tenant, lab.conversation_id.in_(ids)
            )
        )
        if msgids:
            conn.execute(
                delete(t.message_labels).where(ml.tenant == store.tenant, ml.msgid.in_(msgids))
            )
            conn.execute(
                t.message_labels.insert(), [{**r, "tenant": store.tenant} for r in message_rows]
            )
        conn.execute(
            t.conversation_labels.insert(),
            [{**r, "tenant": store.tenant} for r in conversation_rows],
        )


def _conversation_row(analysis: ConversationAnalysis, version: str, stamp: int) -> dict[str, Any]:
    return {
        "conversation_id": analysis.conversation_id,
        "outcome": analysis.outcome or "",
        "outcome_source": analysis.outcome_source or "",
        "sentiment": analysis.sentiment,
        "quality": analysis.quality,
        "compliance_hits": sum(len(c.hits) for c in analysis.compliance),
        "analyzed_ms": stamp,
        "brain_version": version,
    }


def _message_rows(analysis: ConversationAnalysis, version: str) -> list[dict[str, Any]]:
    hits = {c.msgid: [asdict(h) for h in c.hits] for c in analysis.compliance}
    rows: list[dict[str, Any]] = [
        {
            "msgid": i.msgid,
            "intent": i.intent,
            "probability": i.probability,
            "uncertain": i.uncertain,
            "sentiment": analysis.message_sentiment.get(i.msgid),
            "compliance": None,
            "brain_version": version,
        }
        for i in analysis.intents
    ]
    # Guide messages carry compliance hits but no intent.
    rows += [
        {
            "msgid": msgid,
            "intent": "",
            "probability": 0.0,
            "uncertain": False,
            "sentiment": None,
            "compliance": found,
            "brain_version": version,
        }
        for msgid, found in hits.items()
    ]
    return rows


def analyze_store(
    store: Store, brain_dir: Path, *, progress: bool = False, batch_size: int = 64,
    precision: str | None = None,
) -> dict[str, Any]:
    """Analyse what changed; returns counts and throughput."""
    import torch

    brain = Brain.load(brain_dir, precision=precision)
    started = time.perf_counter()
    pending = pending_conversations(store, brain.version)
    attributed = attributed_conversations(store) if pending else set()
    n_messages = 0
    with tqdm(total=len(pending), unit="conv", disable=not progress, desc="analyze") as bar:
        for start in range(0, len(pending), batch_size):
            conversations = list(
                store.conversations(conversation_ids=pending[start : start + batch_size])
            )
            flags = [c.conversation_id in attributed for c in conversations]
            analyses = brain.analyze_many(conversations, attributed_orders=flags)
            save_analyses(store, analyses, brain.version)
            n_messages += sum(len(c.messages) for c in conversations)
            bar.update(len(conversations))
    seconds = time.perf_counter() - started
    return {
        "brain": brain.version,
        "conversations": len(pending),
        "messages": n_messages,
        "seconds": round(seconds, 2),
        "messages_per_s": round(n_messages / seconds, 1) if seconds > 0 and n_messages else 0.0,
        "intent_precision": getattr(brain.stages.get("intent"), "precision_", None),
        "quality_precision": getattr(brain.stages.get("quality"), "precision_", None),
        "threads": torch.get_num_threads(),
    }
