"""Reply suggestions for the guide, and what the guide did with them."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from salesbrain.db.acceptance import record_events, served_to_key
from salesbrain.db.access import record_feedback, visible_suggestion
from salesbrain.ingest.redact import redact
from service.api.deps import AnyKey, BrainDep, StateDep, TenantStore
from service.core.context import resolve_conversation
from service.core.suggesting import serve_suggestions
from service.schemas import FeedbackRequest, FeedbackResponse, SuggestRequest, SuggestResponse

router = APIRouter(prefix="/v1", tags=["suggestions"])
EVENT_OF_ACTION = {"display": "displayed", "accept": "inserted", "edit": "edited",
                   "ignore": "dismissed"}


@router.post("/suggest", response_model=SuggestResponse)
def post_suggest(body: SuggestRequest, principal: AnyKey, store: TenantStore, brain: BrainDep,
                 state: StateDep) -> SuggestResponse:
    """Ranked reply drafts for a stored conversation or for inline messages.

    Every suggestion is recorded; its `suggestion_id` is what POST /v1/feedback expects.
    """
    conversation = resolve_conversation(store, principal, body)
    return serve_suggestions(store, brain, state.metrics, conversation, body.k,
                             principal.key_id)


@router.post("/feedback", response_model=FeedbackResponse, status_code=201)
def post_feedback(body: FeedbackRequest, principal: AnyKey, store: TenantStore) -> FeedbackResponse:
    """Displayed, used as drafted, used after an edit (with the text actually sent), or
    dismissed. Only the key a suggestion was served to may report on it."""
    suggestion = visible_suggestion(store, principal, body.suggestion_id)
    if suggestion is None or not served_to_key(store, body.suggestion_id, principal.key_id):
        raise HTTPException(404, f"suggestion_id: no suggestion {body.suggestion_id!r} was "
                                 "served to this key")
    guide_id = principal.guide_id or suggestion.guide_id
    if body.action != "display":
        sent = redact(body.sent_text).text if body.sent_text is not None else None
        record_feedback(store, body.suggestion_id, body.action, sent, guide_id)
    record_events(store, [body.suggestion_id], EVENT_OF_ACTION[body.action], principal.key_id,
                  guide_id)
    return FeedbackResponse(suggestion_id=body.suggestion_id, action=body.action)
