"""The tenant's scoring facts and the results built on them, kept until its data changes.

`StampedCache` holds, per tenant and kind, one value tagged with the store's data stamp (new
messages, labels, orders, tasks or guides change it). A stale or missing value is taken from
the snapshot `salesbrain analyze` materialised at the current stamp
(`salesbrain.scoring.materialise`), so a restarted or second replica reads it instead of
scoring the brand again; only when there is none is it computed here. The leaderboard's
periods, coaching, segments, trends and every guide's drill-down share one facts pass.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from salesbrain.db import Database
from salesbrain.db.snapshots import current_stamp
from salesbrain.schema import Guide
from salesbrain.scoring import ConversationFacts, ScorecardTable, facts_from_store, score_guides
from salesbrain.scoring.materialise import read_materialised

T = TypeVar("T")


class StampedCache:
    """Per tenant and kind, a value recomputed (or read from its snapshot) only when the
    tenant's data changed."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], tuple[str, Any]] = {}
        self._lock = threading.RLock()  # a computation may read another kind (facts)

    def get(self, store: Database, kind: str, compute: Callable[[], T],
            from_snapshot: Callable[[Any], T] | None = None) -> T:
        """The value of `kind`: cached, else `from_snapshot(decoded snapshot)` when `analyze`
        materialised `kind` at the current stamp, else `compute()`."""
        stamp = current_stamp(store)
        key = (store.tenant, kind)
        with self._lock:  # one computation per tenant at a time; later callers reuse it
            found = self._cache.get(key)
            if found is None or found[0] != stamp:
                stored = (read_materialised(store, kind, stamp)
                          if from_snapshot is not None else None)
                value = from_snapshot(stored) if stored is not None else compute()
                self._drop_stale(store.tenant, stamp)
                found = self._cache[key] = (stamp, value)
            return found[1]  # type: ignore[no-any-return]

    def _drop_stale(self, tenant: str, stamp: str) -> None:
        """Forget the tenant's values of an older stamp (e.g. months no longer asked for)."""
        for key in [k for k, (held, _) in self._cache.items() if k[0] == tenant and held != stamp]:
            del self._cache[key]

    def facts(self, store: Database) -> ConversationFacts:
        return self.get(store, "facts", lambda: facts_from_store(store), lambda found: found)

    def roster(self, store: Database) -> list[Guide]:
        """The tenant's guides (the data stamp counts them)."""
        return self.get(store, "roster", store.guides)

    def overall_scores(self, store: Database) -> ScorecardTable:
        """Every guide's scorecard over the whole period, which champions are chosen by
        (coaching and the recall openers share it)."""
        return self.get(store, "overall_scores", lambda: score_guides(
            self.facts(store), self.roster(store), {"period": "all"}))

