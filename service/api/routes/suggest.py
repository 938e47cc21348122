"""Reply suggestions for the guide, and what the guide did with them."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException

from salesbrain.db.access import record_feedback, visible_suggestion
from salesbrain.ingest.redact import redact
from service.api.deps import AnyKey, BrainDep, StateDep, TenantStore
from service.core.context import resolve_conversation
from service.core.suggesting import serve_suggestions
from service.schemas import FeedbackRequest, FeedbackResponse, SuggestRequest, SuggestResponse

router = APIRouter(prefix="/v1", tags=["suggestions"])


@router.post("/suggest", response_model=SuggestResponse)
def post_suggest(body: SuggestRequest, principal: AnyKey, store: TenantStore, brain: BrainDep,
                 state: StateDep) -> SuggestResponse:
    """Ranked reply drafts for a stored conversation or for inline messages.

    Every suggestion is recorded; its `suggestion_id` is what POST /v1/feedback expects.
    """
    conversation = resolve_conversation(store, principal, body)
    return serve_suggestions(store, brain, state.metrics, conversation, body.k)


@router.post("/feedback", response_model=FeedbackResponse, status_code=201)
def post_feedback(body: FeedbackRequest, principal: AnyKey, store: TenantStore) -> FeedbackResponse:
    """Accepted as is, edited (with the text actually sent) or ignored."""
    suggestion = visible_suggestion(store, principal, body.suggestion_id)
    if suggestion is None:
        raise HTTPException(404, f"suggestion_id: no suggestion {body.suggestion_id!r}")
    sent = redact(body.sent_text).text if body.sent_text is not None else None
    record_feedback(store, body.suggestion_id, body.action, sent,
                    principal.guide_id or suggestion.guide_id)
    return FeedbackResponse(suggestion_id=body.suggestion_id, action=body.action)
