"""What the workbench sees when customer messages arrive: inbox rows and fresh suggestions.

After an ingestion (POST /v1/messages, plain or WeCom archive records) answers, the service
publishes one `conversation` event per conversation the batch touched, and for the newest ones
that now wait for the guide's reply it suggests replies for that guide and pushes them. The
work runs after the answer, so the ingesting client never waits for the brain.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from starlette.concurrency import run_in_threadpool

from salesbrain.brain import Brain
from salesbrain.db import Database
from salesbrain.db.acceptance import record_events
from salesbrain.db.inbox import InboxEntry, updated_since
from salesbrain.security import Principal
from service.core.events import LiveEvent
from service.core.state import ServiceState
from service.core.suggesting import serve_suggestions

log = logging.getLogger(__name__)
MAX_CONVERSATION_EVENTS = 500
LIVE_K = 3


async def after_ingest(state: ServiceState, store: Database, brain: Brain, since_ms: int) -> None:
    try:
        entries = await run_in_threadpool(updated_since, store, since_ms, MAX_CONVERSATION_EVENTS)
        for entry in entries:
            state.bus.publish(LiveEvent(store.tenant, entry.guide_id, "conversation",
                                        inbox_row(entry)))
        waiting = [e for e in entries if e.waiting_since_ms is not None]
        for entry in waiting[:state.settings.live_suggest_limit]:
            data = await run_in_threadpool(suggest_for, state, store, brain, entry)
            if data is not None:
                state.bus.publish(LiveEvent(store.tenant, entry.guide_id, "suggestions", data))
    except Exception:  # a failed push must not pass unnoticed, nor break the next ingestion
        log.exception("live update after ingestion failed", extra={"tenant": store.tenant})


def inbox_row(entry: InboxEntry) -> dict[str, Any]:
    return asdict(entry)


def suggest_for(state: ServiceState, store: Database, brain: Brain,
                entry: InboxEntry) -> dict[str, Any] | None:
    conversation = store.conversation(entry.conversation_id)
    if conversation is None:
        return None
    served = serve_suggestions(store, brain, state.metrics, conversation, LIVE_K)
    return served.model_dump(mode="json")


def record_delivery(store: Database, principal: Principal, event: LiveEvent) -> None:
    """A stream delivered pushed suggestions: they now count as served to its key."""
    ids = [s["suggestion_id"] for s in event.data.get("suggestions", [])]
    record_events(store, ids, "served", principal.key_id, event.guide_id)
