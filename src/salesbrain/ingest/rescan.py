"""`salesbrain redact --rescan`: today's redactor (rules and name tagger) over what is stored.

The paging and rewriting live with the store (`salesbrain.store.rescan`); this module only
chooses the redactor, so that a rescan always matches what ingestion stores today.
"""

from __future__ import annotations

from collections.abc import Callable

from salesbrain.ingest.redact import Redaction, redact_message
from salesbrain.store import Store
from salesbrain.store.rescan import BATCH, RescanSummary, rescan_tables

__all__ = ["RescanSummary", "rescan_store"]


def rescan_store(store: Store, batch_size: int = BATCH,
                 redactor: Callable[[str], Redaction] = redact_message) -> RescanSummary:
    """Re-redact every stored chat text of `store`'s tenant (see `salesbrain.store.rescan`)."""
    return rescan_tables(store, redactor, batch_size)
