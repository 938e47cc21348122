"""One page of conversation search results with the labels and snippet of each hit."""

from __future__ import annotations

from salesbrain.db import Database
from salesbrain.db.database import from_ms
from salesbrain.db.search import (
    SearchFilters,
    conversation_intents,
    first_matches,
    search_conversations,
)
from service.insight_schemas import SearchHit, SearchPage

SNIPPET_CHARS = 120


def search_page(store: Database, filters: SearchFilters, page: int,
                page_size: int) -> SearchPage:
    total, rows = search_conversations(store, filters, offset=(page - 1) * page_size,
                                       limit=page_size)
    ids = [row.conversation_id for row in rows]
    snippets = first_matches(store, ids, filters.q)
    intents = conversation_intents(store, ids)
    stores = {g.guide_id: g.store_id for g in store.guides()}
    hits = [SearchHit(conversation_id=row.conversation_id, guide_id=row.guide_id,
                      store_id=stores.get(row.guide_id, ""), customer_id=row.customer_id,
                      started_at=from_ms(row.started_ms), ended_at=from_ms(row.ended_ms),
                      n_messages=row.n_messages,
                      snippet=snippets.get(row.conversation_id, "")[:SNIPPET_CHARS],
                      intents=intents.get(row.conversation_id, []), outcome=row.outcome or None,
                      sentiment=row.sentiment, compliance_hits=int(row.compliance_hits or 0))
            for row in rows]
    return SearchPage(total=total, page=page, page_size=page_size, hits=hits)
