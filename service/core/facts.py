"""The tenant's scoring facts, shared by the reports and the drill-down.

`facts_from_store` reads every conversation of a tenant once; the facts are kept per tenant
until its data changes (new messages, labels, orders, tasks or guides), so the leaderboard's
periods, coaching and every guide's drill-down reuse one pass over the store.
"""

from __future__ import annotations

import threading

from salesbrain.db import Database
from salesbrain.db.activity import data_stamp
from salesbrain.scoring import ConversationFacts, facts_from_store


class FactsCache:
    """The tenant's scoring facts, recomputed only when its data changed."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[object, ConversationFacts]] = {}
        self._lock = threading.Lock()

    def facts(self, store: Database) -> ConversationFacts:
        stamp = data_stamp(store)
        with self._lock:  # one computation per tenant at a time; later callers reuse it
            found = self._cache.get(store.tenant)
            if found is None or found[0] != stamp:
                found = self._cache[store.tenant] = (stamp, facts_from_store(store))
            return found[1]
