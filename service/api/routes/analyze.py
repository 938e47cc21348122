"""Understanding one conversation: intents, sentiment, compliance, outcome, quality."""

from __future__ import annotations

from fastapi import APIRouter

from salesbrain.db.access import order_attributed
from service.api.deps import AnyKey, BrainDep, TenantStore
from service.core.context import INLINE_ID, resolve_conversation
from service.schemas import AnalysisOut, AnalyzeRequest

router = APIRouter(prefix="/v1", tags=["analysis"])


@router.post("/analyze", response_model=AnalysisOut)
def post_analyze(body: AnalyzeRequest, principal: AnyKey, store: TenantStore,
                 brain: BrainDep) -> AnalysisOut:
    """Analyse a stored conversation (orders count for its outcome) or inline messages."""
    conversation = resolve_conversation(store, principal, body)
    stored = conversation.conversation_id != INLINE_ID
    analysis = brain.analyze(conversation, attributed_order=stored and order_attributed(
        store, conversation))
    result = AnalysisOut.model_validate(analysis, from_attributes=True)
    return result.model_copy(update={"brain_version": brain.version})
