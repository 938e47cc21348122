"""The guide's workbench read models: the inbox with customer tags, and acceptance.

Acceptance counts, per guide, intent and source, the suggestions displayed and what the guide did
with them. AI-assisted sales are the orders attributed (`salesbrain.attribution`, last touch,
7 days) to conversations in which the guide used a suggestion, as drafted or edited.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from salesbrain.attribution import attribute_orders
from salesbrain.db import Database
from salesbrain.db.acceptance import SuggestionFate, sales_evidence, suggestion_fates
from salesbrain.db.database import from_ms
from salesbrain.db.inbox import InboxEntry, customers_orders
from salesbrain.scoring.outreach import monthly_recall
from service.schemas import (
    Acceptance,
    AcceptanceRow,
    AssistedSales,
    CustomerTagsOut,
    InboxItem,
)


def inbox_items(store: Database, entries: list[InboxEntry],
                today: datetime | None = None) -> list[InboxItem]:
    owners = {e.customer_id: e.guide_id for e in entries}
    tags = customer_tags(store, owners, today or datetime.now(UTC))
    return [InboxItem(conversation_id=e.conversation_id, guide_id=e.guide_id,
                      customer_id=e.customer_id, n_messages=e.n_messages, last_role=e.last_role,
                      last_text=e.last_text, last_at=from_ms(e.last_ms),
                      waiting=e.waiting_since_ms is not None,
                      waiting_since=from_ms(e.waiting_since_ms) if e.waiting_since_ms else None,
                      tags=tags[e.customer_id]) for e in entries]


def customer_tags(store: Database, owners: dict[str, str],
                  today: datetime) -> dict[str, CustomerTagsOut]:
    orders = customers_orders(store, list(owners))
    latest = {}
    for order in orders:  # oldest first: the last one written wins
        latest[order.customer_id] = order
    recall = monthly_recall(orders, owners, today.date(), store.birthdays(list(owners)))
    groups = {task.customer_id: task.group for tasks in recall.values() for task in tasks}
    return {customer: CustomerTagsOut(
        last_purchase_at=latest[customer].ts if customer in latest else None,
        last_purchase_amount=latest[customer].amount if customer in latest else None,
        recall_group=groups.get(customer)) for customer in owners}


def acceptance(store: Database, guide_ids: frozenset[str] | None,
               since: datetime | None) -> Acceptance:
    since_ms = int(since.timestamp() * 1000) if since else None
    fates = suggestion_fates(store, guide_ids, since_ms)
    return Acceptance(since=since,
                      by_guide=_rows(fates, lambda f: f.guide_id),
                      by_intent=_rows(fates, lambda f: f.intent or "unknown"),
                      by_source=_rows(fates, lambda f: f.source),
                      assisted_sales=assisted_sales(store, fates))


def _rows(fates: Iterable[SuggestionFate],
          key: Callable[[SuggestionFate], str]) -> list[AcceptanceRow]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for fate in fates:
        for event in fate.events:
            counts[key(fate)][event] += 1
    rows = []
    for name in sorted(counts):
        c = counts[name]
        used = c["inserted"] + c["edited"]
        rows.append(AcceptanceRow(key=name, displayed=c["displayed"], inserted=c["inserted"],
                                  edited=c["edited"], dismissed=c["dismissed"],
                                  acceptance_rate=used / c["displayed"] if c["displayed"]
                                  else None))
    return rows


def assisted_sales(store: Database, fates: Iterable[SuggestionFate]) -> list[AssistedSales]:
    assisted: dict[str, str] = {}  # conversation -> guide
    for fate in fates:
        if fate.accepted_ms is not None and fate.conversation_id:
            assisted[fate.conversation_id] = fate.guide_id
    evidence = sales_evidence(store, sorted(assisted))
    credited = [a for a in attribute_orders(evidence.touches, evidence.orders)
                if a.conversation_id in assisted]
    per_guide: dict[str, AssistedSales] = {
        guide: AssistedSales(guide_id=guide, conversations=0, orders=0, amount=0.0)
        for guide in sorted(set(assisted.values()))}
    for guide in assisted.values():
        per_guide[guide].conversations += 1
    for attribution in credited:
        row = per_guide[assisted[attribution.conversation_id]]
        row.orders += 1
        row.amount += attribution.amount
    return list(per_guide.values())
