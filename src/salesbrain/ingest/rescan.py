"""`salesbrain redact --rescan`: today's redactor (rules and name tagger) over what is stored.

The paging and rewriting live with the store (`salesbrain.db.rescan`); this module only
chooses the redactor, so that a rescan always matches what ingestion stores today.
"""

from __future__ import annotations

from collections.abc import Callable

from salesbrain.db import Database
from salesbrain.db.rescan import BATCH, RescanSummary, rescan_tables
from salesbrain.ingest.redact import Redaction, redact_message

__all__ = ["RescanSummary", "rescan_store"]


def rescan_store(store: Database, batch_size: int = BATCH,
                 redactor: Callable[[str], Redaction] = redact_message) -> RescanSummary:
    """Re-redact every stored chat text of `store`'s tenant (see `salesbrain.db.rescan`)."""
    return rescan_tables(store, redactor, batch_size)
