"""Two brands in one database: no store query lets one tenant's rows reach the other.

Both tenants use the same conversation, message, guide and suggestion ids with different
content, so a query that forgot its tenant (or joined across tenants) would mix them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from salesbrain.db import Database
from salesbrain.db.access import record_feedback, record_suggestions, served_feedback
from salesbrain.db.activity import (
    conversation_sizes,
    conversation_times,
    data_stamp,
    guide_touches,
    message_contents,
    message_conversations,
)
from salesbrain.db.labels import (
    conversation_labels,
    customer_intents,
    message_intents,
    pending_conversations,
    replace_labels,
)

QUERIES: dict[str, Callable[[Database], Any]] = {
    "pending_conversations": lambda s: pending_conversations(s, "v1"),
    "conversation_labels": lambda s: sorted(conversation_labels(s), key=repr),
    "customer_intents": lambda s: list(customer_intents(s)),
    "message_intents": message_intents,
    "guide_touches": lambda s: sorted(guide_touches(s)),
    "conversation_times": lambda s: list(conversation_times(s)),
    "message_conversations": lambda s: sorted(message_conversations(s)),
    "message_contents": message_contents,
    "conversation_sizes": conversation_sizes,
    "data_stamp": data_stamp,
    "served_feedback": lambda s: [tuple(row) for row in served_feedback(s)],
}


def seed(store: Database, brand: str, offset_ms: int, n_conversations: int) -> None:
    """A small brand: two guides, conversations, labels, an order, a task, feedback."""
    store.upsert_rows("guides", [{"guide_id": g, "name": f"{brand}{g}", "store_id": "s1",
                                  "region": brand} for g in ("g1", "g2")])
    store.upsert_rows("orders", [{"order_id": "o1", "customer_id": "wm1",
                                  "ts_ms": 5_000 + offset_ms, "amount": 99.0, "channel": ""}])
    store.upsert_rows("outreach_tasks", [{"task_id": "t1", "guide_id": "g1",
                                          "customer_id": "wm1", "kind": "recall",
                                          "assigned_ms": 0, "due_ms": 10_000}])
    conversations, messages = [], []
    for n in range(1, n_conversations + 1):
        guide = "g2" if n % 2 == 0 else "g1"
        cid, customer, start = f"c{n}", f"wm{n}", 1_000 * n + offset_ms
        conversations.append({"conversation_id": cid, "guide_id": guide, "customer_id": customer,
                              "room_id": "", "started_ms": start, "ended_ms": start + 60,
                              "n_messages": 2, "source": brand})
        for k, role in enumerate(("customer", "guide")):
            messages.append({"msgid": f"m{n}{k}", "conversation_id": cid, "guide_id": guide,
                             "customer_id": customer, "role": role, "ts_ms": start + 60 * k,
                             "type": "text", "text": f"{brand}的第{n}{k}条", "room_id": "",
                             "recalled": False, "redactions": "", "meta": None})
    store.write_batch(messages, conversations)
    label = {"outcome": "purchased", "outcome_source": brand[:16], "sentiment": 0.5,
             "quality": float(offset_ms), "compliance_hits": offset_ms, "brain_version": "v1"}
    # c1 is analysed by this brain, c2 by another one, c3 not at all: all three are pending
    # reasons, and only c1 is not.
    replace_labels(store, [{**label, "conversation_id": "c1", "analyzed_ms": 10**15},
                           {**label, "conversation_id": "c2", "analyzed_ms": 10**15,
                            "brain_version": "v0"}],
                   [{"msgid": "m10", "intent": brand, "probability": 0.9, "uncertain": False,
                     "sentiment": None, "compliance": None, "brain_version": "v1"}])
    record_suggestions(store, [{"suggestion_id": "s1", "conversation_id": "c1", "guide_id": "g1",
                                "text": f"{brand}的建议", "source": "bank", "score": 0.9,
                                "brain_version": "v1"}])
    record_feedback(store, "s1", "edit", f"{brand}改过的回复", "g1")


@pytest.fixture
def brands(any_store: Database) -> tuple[Database, Database]:
    other = any_store.for_tenant(f"{any_store.tenant}_other_{uuid.uuid4().hex[:6]}")
    other.ensure_tenant()
    return any_store, other


@pytest.mark.parametrize("query", sorted(QUERIES))
def test_another_tenants_rows_never_reach_a_query(brands: tuple[Database, Database],
                                                  query: str) -> None:
    mine, theirs = brands
    read = QUERIES[query]
    seed(mine, "甲", 0, 3)
    alone = read(mine)
    assert alone, f"{query} read nothing: the test would prove nothing"
    seed(theirs, "乙", 7, 4)
    assert read(mine) == alone  # their rows neither show up nor replace mine
    assert read(theirs) != alone
    assert "甲" not in repr(read(theirs)) and "乙" not in repr(read(mine))


def test_the_pending_conversations_are_the_unanalysed_and_the_stale(
        brands: tuple[Database, Database]) -> None:
    mine, theirs = brands
    seed(mine, "甲", 0, 3)
    seed(theirs, "乙", 7, 4)
    assert pending_conversations(mine, "v1") == ["c2", "c3"]
    assert pending_conversations(theirs, "v1") == ["c2", "c3", "c4"]
