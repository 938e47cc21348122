"""Serve reply suggestions in tiers: the brain's champion replies, then the brand's scripts.

Every suggestion served is recorded with its source (champion, script, generated).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence

from salesbrain.brain import Brain
from salesbrain.db import Database
from salesbrain.db.acceptance import record_events
from salesbrain.db.access import record_suggestions
from salesbrain.db.scripts import Script, list_scripts
from salesbrain.schema import Conversation, Turn, turns_of
from salesbrain.suggest.tiers import TieredSuggestion, needs_reply, tiered_suggestions
from salesbrain.suggest.types import SuggestInput, Suggestion
from service.core.context import INLINE_ID
from service.core.metrics import Metrics
from service.schemas import TURN_LIMIT, SuggestionOut, SuggestResponse


def new_suggestion_id() -> str:
    # Minted per serving: the brain's own ids are stable per context and reply, so two guides
    # (or two requests) shown the same reply still get feedback rows of their own.
    return "sg_" + secrets.token_hex(12)


def active_scripts(store: Database, intent: str | None) -> list[Script]:
    """The scripts tier 2 may offer: the intent's, or every active one for no clear intent."""
    known = intent is not None and intent != "other"
    return list_scripts(store, intent=intent if known else None, status="active")


def compliance_check(brain: Brain) -> Callable[[str], bool] | None:
    """Scripts and filled slots pass the brain's compliance stage before they are shown."""
    stage = getattr(brain, "stages", {}).get("compliance")
    if stage is None:
        return None
    return lambda text: not stage.predict([text])[0]


def unsure_replies(brain: Brain, turns: Sequence[Turn],
                   k: int) -> Callable[[], Sequence[Suggestion]] | None:
    """The ranker's best replies below its confidence cut: the last tier, asked only when the
    champion replies and the scripts have nothing."""
    stage = getattr(brain, "stages", {}).get("suggest")
    if stage is None:
        return None
    return lambda: stage.top_replies([SuggestInput(tuple(turns), k)], generate=False,
                                     include_public=False)[0]


def serve_suggestions(store: Database, brain: Brain, metrics: Metrics, conversation: Conversation,
                      k: int, key_id: str | None = None) -> SuggestResponse:
    """Suggest, record the suggestions, and record them served to `key_id` when a key asked
    (live pushes record that per stream, as each stream delivers them)."""
    turns = turns_of(conversation)[-TURN_LIMIT:]
    started = time.perf_counter()
    result = brain.suggest(turns, k=k)
    wanted = needs_reply(turns, result.intent)
    scripts = active_scripts(store, result.intent) if wanted else []
    tiered = tiered_suggestions(turns, result.intent, result.suggestions, scripts, k,
                                compliance_check(brain), unsure_replies(brain, turns, k))
    metrics.suggest_latency.observe(time.perf_counter() - started)
    stored_id = None if conversation.conversation_id == INLINE_ID else conversation.conversation_id
    served = [_out(s) for s in tiered[:k]]
    record_suggestions(store, [
        {"suggestion_id": s.suggestion_id, "conversation_id": stored_id,
         "guide_id": conversation.guide_id or None, "text": s.text, "source": s.source,
         "score": s.score, "brain_version": brain.version, "intent": s.intent or result.intent}
        for s in served
    ])
    if key_id is not None:
        record_events(store, [s.suggestion_id for s in served], "served", key_id,
                      conversation.guide_id or None)
    return SuggestResponse(conversation_id=stored_id, intent=result.intent,
                           brain_version=brain.version, needs_reply=wanted, suggestions=served)


def _out(s: TieredSuggestion) -> SuggestionOut:
    return SuggestionOut(suggestion_id=new_suggestion_id(), text=s.text, score=s.score,
                         source=s.source, source_label=s.source_label, intent=s.intent,
                         bank_reply_id=s.bank_reply_id, script_id=s.script_id,
                         confident=s.confident)
