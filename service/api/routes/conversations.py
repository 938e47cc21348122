"""Stored conversations, as far as the caller's key may see them, with their stored labels."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query

from salesbrain.db.access import conversation_heads, visible_conversation
from salesbrain.db.database import from_ms
from salesbrain.db.labels import StoredMessageLabel, labels_of_messages
from salesbrain.schema import Message
from service.api.deps import AnyKey, TenantStore
from service.schemas import ConversationHead, ConversationOut, MessageOut

router = APIRouter(prefix="/v1", tags=["conversations"])

Filter = Annotated[str | None, Query(min_length=1, max_length=160)]


@router.get("/conversations", response_model=list[ConversationHead])
def list_conversations(principal: AnyKey, store: TenantStore, customer_id: Filter = None,
                       guide_id: Filter = None,
                       limit: Annotated[int, Query(ge=1, le=200)] = 20) -> list[ConversationHead]:
    """Newest first; e.g. the sidebar finds the open chat with a customer by `customer_id`."""
    heads = conversation_heads(store, principal, customer_id=customer_id, guide_id=guide_id,
                               limit=limit)
    return [ConversationHead(**h, started_at=from_ms(h["started_ms"]),
                             ended_at=from_ms(h["ended_ms"])) for h in heads]


@router.get("/conversations/{conversation_id}", response_model=ConversationOut)
def get_conversation(conversation_id: str, principal: AnyKey,
                     store: TenantStore) -> ConversationOut:
    conversation = visible_conversation(store, principal, conversation_id)
    if conversation is None:
        raise HTTPException(404, f"conversation_id: no conversation {conversation_id!r}")
    labels = labels_of_messages(store, [m.msgid for m in conversation.customer_messages()])
    return ConversationOut(
        conversation_id=conversation.conversation_id, guide_id=conversation.guide_id,
        customer_id=conversation.customer_id, room_id=conversation.room_id,
        source=conversation.source,
        messages=[message_out(m, labels.get(m.msgid)) for m in conversation.messages],
    )


def message_out(message: Message, label: StoredMessageLabel | None) -> MessageOut:
    """A message with the intent and sentiment `analyze` stored for it, where it did."""
    return MessageOut(msgid=message.msgid, role=message.role.value, ts=message.ts,
                      type=message.type.value, text=message.text, recalled=message.recalled,
                      redactions=list(message.redactions),
                      intent=label.intent if label and label.intent else None,
                      sentiment=label.sentiment if label else None)
