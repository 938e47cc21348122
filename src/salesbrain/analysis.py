"""Label the store incrementally: only conversations that changed since the brain last saw them.

Compute, then attach: `Brain.analyze_many` returns typed results; `save_analyses` writes them.
"""

from __future__ import annotations

import time
from collections.abc import Collection, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from tqdm import tqdm

from salesbrain.attribution import attribute_orders
from salesbrain.brain import Brain, ConversationAnalysis
from salesbrain.db import Database
from salesbrain.db.activity import guide_touches
from salesbrain.db.database import now_ms
from salesbrain.db.labels import pending_conversations, replace_labels
from salesbrain.scoring.materialise import ensure_materialised

__all__ = ["analyze_batch", "analyze_store", "attributed_conversations", "pending_conversations",
           "save_analyses"]


def attributed_conversations(store: Database) -> set[str]:
    return {a.conversation_id for a in attribute_orders(guide_touches(store), store.orders())}


def save_analyses(
    store: Database, analyses: Sequence[ConversationAnalysis], brain_version: str
) -> None:
    stamp = now_ms()
    replace_labels(store, [_conversation_row(a, brain_version, stamp) for a in analyses],
                   [row for a in analyses for row in _message_rows(a, brain_version)])


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


def analyze_batch(store: Database, brain: Brain, conversation_ids: Sequence[str],
                  attributed: Collection[str]) -> tuple[int, int]:
    """Label these conversations and replace their stored labels in one transaction.

    Running a batch again replaces its labels rather than adding to them, so a batch whose
    worker died may simply be run again. Returns (conversations, messages) read.
    """
    conversations = list(store.conversations(conversation_ids=list(conversation_ids)))
    flags = [c.conversation_id in attributed for c in conversations]
    save_analyses(store, brain.analyze_many(conversations, attributed_orders=flags),
                  brain.version)
    return len(conversations), sum(len(c.messages) for c in conversations)


def analyze_store(
    store: Database, brain_dir: Path, *, progress: bool = False, batch_size: int = 64,
    precision: str | None = None, materialise: bool = True,
) -> dict[str, Any]:
    """Analyse what changed; returns counts and throughput. Then, with `materialise`, store
    what the manager's dashboard reads (`salesbrain.scoring.materialise`) unless it is current;
    its timings are the report's "dashboard" (None when it was current)."""
    import torch

    brain = Brain.from_pretrained(brain_dir, precision=precision)
    started = time.perf_counter()
    pending = pending_conversations(store, brain.version)
    attributed = attributed_conversations(store) if pending else set()
    n_messages = 0
    with tqdm(total=len(pending), unit="conv", disable=not progress, desc="analyze") as bar:
        for batch in batches(pending, batch_size):
            n_conversations, n_read = analyze_batch(store, brain, batch, attributed)
            n_messages += n_read
            bar.update(n_conversations)
    report = {**analysis_report(brain.version, len(pending), n_messages,
                                time.perf_counter() - started),
              **brain_settings(brain), "threads": torch.get_num_threads()}
    if materialise:
        report["dashboard"] = ensure_materialised(store)
    return report


def analysis_report(version: str, conversations: int, messages: int,
                    seconds: float) -> dict[str, Any]:
    return {
        "brain": version,
        "conversations": conversations,
        "messages": messages,
        "seconds": round(seconds, 2),
        "messages_per_s": round(messages / seconds, 1) if seconds > 0 and messages else 0.0,
    }


def brain_settings(brain: Brain) -> dict[str, Any]:
    """The arithmetic the brain's encoders run in, for the report."""
    return {"intent_precision": getattr(brain.stages.get("intent"), "precision_", None),
            "quality_precision": getattr(brain.stages.get("quality"), "precision_", None)}


def batches(ids: Sequence[str], size: int) -> list[list[str]]:
    """`ids` in consecutive batches of at most `size`, in order."""
    if size <= 0:
        raise ValueError("batch size must be positive")
    return [list(ids[start : start + size]) for start in range(0, len(ids), size)]
