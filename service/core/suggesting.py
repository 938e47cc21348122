"""Serve reply suggestions: rank with the brain, record every suggestion served, answer."""

from __future__ import annotations

import secrets
import time

from salesbrain.brain import Brain
from salesbrain.db import Database
from salesbrain.db.acceptance import record_events
from salesbrain.db.access import record_suggestions
from salesbrain.schema import Conversation, turns_of
from service.core.context import INLINE_ID
from service.core.metrics import Metrics
from service.schemas import TURN_LIMIT, SuggestionOut, SuggestResponse


def new_suggestion_id() -> str:
    # Minted per serving: the brain's own ids are stable per context and reply, so two guides
    # (or two requests) shown the same reply still get feedback rows of their own.
    return "sg_" + secrets.token_hex(12)


def serve_suggestions(store: Database, brain: Brain, metrics: Metrics, conversation: Conversation,
                      k: int, key_id: str | None = None) -> SuggestResponse:
    """Suggest, record the suggestions, and record them served to `key_id` when a key asked
    (live pushes record that per stream, as each stream delivers them)."""
    turns = turns_of(conversation)[-TURN_LIMIT:]
    started = time.perf_counter()
    result = brain.suggest(turns, k=k)
    metrics.suggest_latency.observe(time.perf_counter() - started)
    stored_id = None if conversation.conversation_id == INLINE_ID else conversation.conversation_id
    served = [
        SuggestionOut(suggestion_id=new_suggestion_id(), text=s.text, score=float(s.score),
                      source=str(s.source), bank_reply_id=s.bank_reply_id)
        for s in result.suggestions[:k]
    ]
    record_suggestions(store, [
        {"suggestion_id": s.suggestion_id, "conversation_id": stored_id,
         "guide_id": conversation.guide_id or None, "text": s.text, "source": s.source,
         "score": s.score, "brain_version": brain.version, "intent": result.intent}
        for s in served
    ])
    if key_id is not None:
        record_events(store, [s.suggestion_id for s in served], "served", key_id,
                      conversation.guide_id or None)
    return SuggestResponse(conversation_id=stored_id, intent=result.intent,
                           brain_version=brain.version, suggestions=served)
