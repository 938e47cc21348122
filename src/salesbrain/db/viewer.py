"""Reads behind the manager's conversation viewer: one conversation's stored labels.

Every query takes its tenant from the `Database` it is given, so a viewer can never show
another tenant's labels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from salesbrain.db import tables as t
from salesbrain.db.database import Database
from salesbrain.db.labels import StoredConversationLabels


@dataclass(frozen=True, slots=True)
class StoredMessageLabels:
    """One message's row of `message_labels`: intent for customers, hits for guides."""

    msgid: str
    intent: str  # "" for a guide message
    probability: float
    uncertain: bool
    sentiment: float | None
    compliance: list[dict[str, Any]] = field(default_factory=list)


def message_labels_of(store: Database, msgids: Sequence[str]) -> dict[str, StoredMessageLabels]:
    """The stored labels of these messages, by msgid (unlabelled messages are absent)."""
    if not msgids:
        return {}
    ml = t.message_labels.c
    query = select(ml.msgid, ml.intent, ml.probability, ml.uncertain, ml.sentiment,
                   ml.compliance).where(ml.tenant == store.tenant, ml.msgid.in_(list(msgids)))
    with store.engine.connect() as conn:
        return {row.msgid: StoredMessageLabels(
                    row.msgid, row.intent, float(row.probability), bool(row.uncertain),
                    row.sentiment, list(row.compliance or []))
                for row in conn.execute(query)}


def conversation_labels_of(store: Database,
                           conversation_id: str) -> StoredConversationLabels | None:
    """One conversation's stored labels, or None when `analyze` has not seen it."""
    lab = t.conversation_labels.c
    query = select(lab.conversation_id, lab.outcome, lab.outcome_source, lab.sentiment,
                   lab.quality, lab.compliance_hits, lab.brain_version).where(
        lab.tenant == store.tenant, lab.conversation_id == conversation_id)
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    return StoredConversationLabels(row.conversation_id, row.outcome, row.outcome_source,
                                    row.sentiment, row.quality, int(row.compliance_hits or 0),
                                    row.brain_version)
