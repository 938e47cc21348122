"""Which conversation a suggest or analyze request is about, as the caller may see it."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import HTTPException

from salesbrain.db import Database
from salesbrain.db.access import can_see_guide, visible_conversation
from salesbrain.ingest.redact import redact
from salesbrain.schema import Conversation, Message, Role
from salesbrain.security import KeyRole, Principal
from service.schemas import ConversationRef

INLINE_ID = "inline"


def resolve_conversation(store: Database, principal: Principal,
                         ref: ConversationRef) -> Conversation:
    """The stored conversation (404 when absent or not the caller's) or the inline messages."""
    if ref.conversation_id is not None:
        found = visible_conversation(store, principal, ref.conversation_id)
        if found is None:
            raise HTTPException(404, f"conversation_id: no conversation {ref.conversation_id!r}")
        return found
    guide_id = _inline_guide(store, principal, ref.guide_id)
    now = datetime.now(UTC)
    messages = tuple(
        # Stored text is redacted at ingestion; inline text gets the same treatment.
        Message(f"m{i}", guide_id, "", Role(turn.role), now, text=redact(turn.text).text)
        for i, turn in enumerate(ref.messages or [])
    )
    return Conversation(INLINE_ID, guide_id, "", messages, source="inline")


def _inline_guide(store: Database, principal: Principal, requested: str | None) -> str:
    if principal.role is KeyRole.GUIDE:
        if requested not in (None, principal.guide_id):
            raise HTTPException(403, "guide_id: a guide key speaks for its own guide only")
        return principal.guide_id or ""
    if requested is not None and not can_see_guide(store, principal, requested):
        raise HTTPException(404, f"guide_id: no guide {requested!r}")
    return requested or ""
