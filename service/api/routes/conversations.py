"""Stored conversations, as far as the caller's key may see them, with their stored labels."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from salesbrain.db.access import conversation_heads, visible_conversation
from salesbrain.db.database import from_ms
from salesbrain.db.labels import StoredMessageLabel, labels_of_messages
from salesbrain.db.search import SearchFilters, Sentiment
from salesbrain.schema import Message
from salesbrain.taxonomy import INTENT_KEYS, OUTCOME_KEYS
from service.api.csv_export import Format, csv_response
from service.api.deps import AnyKey, TenantStore
from service.api.routes.dashboard import bad_query
from service.api.scope import day_ms, guide_scope
from service.core.searching import search_page
from service.insight_schemas import SearchHit, SearchPage
from service.schemas import ConversationHead, ConversationOut, MessageOut

router = APIRouter(prefix="/v1", tags=["conversations"])

Filter = Annotated[str | None, Query(min_length=1, max_length=160)]
SearchText = Annotated[str | None, Query(min_length=1, max_length=200,
                                         description="words that must all occur")]
Day = Annotated[date | None, Query(description="YYYY-MM-DD, in the brand's time zone")]


@router.get("/conversations", response_model=list[ConversationHead])
def list_conversations(principal: AnyKey, store: TenantStore, customer_id: Filter = None,
                       guide_id: Filter = None,
                       limit: Annotated[int, Query(ge=1, le=200)] = 20) -> list[ConversationHead]:
    """Newest first; e.g. the sidebar finds the open chat with a customer by `customer_id`."""
    heads = conversation_heads(store, principal, customer_id=customer_id, guide_id=guide_id,
                               limit=limit)
    return [ConversationHead(**h, started_at=from_ms(h["started_ms"]),
                             ended_at=from_ms(h["ended_ms"])) for h in heads]


@router.get("/conversations/search", response_model=SearchPage)
def search_conversations(principal: AnyKey, store: TenantStore, q: SearchText = None,
                         intent: Filter = None, outcome: Filter = None,
                         sentiment: Annotated[Sentiment | None, Query()] = None,
                         compliance: Annotated[bool | None, Query()] = None,
                         guide_id: Filter = None, store_id: Filter = None, since: Day = None,
                         until: Day = None, page: Annotated[int, Query(ge=1)] = 1,
                         page_size: Annotated[int, Query(ge=1, le=200)] = 20,
                         output: Format = "json") -> SearchPage | Response:
    """Conversations whose redacted text holds every word of `q`, narrowed by labels, guide,
    store and dates (`since`/`until`, days in the brand's time zone), newest first."""
    _check_label("intent", intent, INTENT_KEYS)
    _check_label("outcome", outcome, OUTCOME_KEYS)
    filters = SearchFilters(q=q, intent=intent, outcome=outcome, sentiment=sentiment,
                            compliance=compliance,
                            guide_ids=guide_scope(store, principal, store_id, guide_id),
                            since_ms=day_ms(since), until_ms=day_ms(until, end=True))
    found = search_page(store, filters, page, page_size)
    if output == "json":
        return found
    return csv_response([h.model_dump() for h in found.hits], list(SearchHit.model_fields),
                        f"search-page{page}.csv")


def _check_label(name: str, value: str | None, known: tuple[str, ...]) -> None:
    if value is not None and value not in known:
        raise bad_query(name, f"no {name} {value!r}; one of {', '.join(known)}")


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
