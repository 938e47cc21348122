"""The guide's workbench: her inbox, the live stream, and acceptance of suggestions."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import StreamingResponse

from salesbrain.db import Database
from salesbrain.db.access import api_key_row, can_see_guide, visible_guide_ids
from salesbrain.db.inbox import inbox
from salesbrain.security import Principal
from service.api.deps import AnyKey, StateDep, TenantStore
from service.core.live import record_delivery
from service.core.state import ServiceState
from service.core.stream import LiveStream
from service.core.workbench import acceptance, inbox_items
from service.schemas import Acceptance, Inbox, StreamToken

router = APIRouter(prefix="/v1", tags=["workbench"])
StreamTokenParam = Annotated[str, Query(min_length=1, max_length=64)]


@router.get("/inbox", response_model=Inbox)
def get_inbox(principal: AnyKey, store: TenantStore,
              q: Annotated[str | None, Query(min_length=1, max_length=100)] = None,
              limit: Annotated[int, Query(ge=1, le=200)] = 50) -> Inbox:
    """The caller's conversations, latest first; `q` searches the (redacted) text and ids."""
    return Inbox(items=inbox_items(store, inbox(store, principal, q=q, limit=limit)))


@router.get("/acceptance", response_model=Acceptance)
def get_acceptance(principal: AnyKey, store: TenantStore, since: datetime | None = None,
                   guide_id: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
                   ) -> Acceptance:
    """Suggestions displayed, used and dismissed, and AI-assisted sales; a guide sees herself,
    and `guide_id` narrows the report to one guide the caller may see."""
    if guide_id is not None and not can_see_guide(store, principal, guide_id):
        raise HTTPException(404, f"no guide {guide_id!r} visible to this key")
    guides = frozenset([guide_id]) if guide_id else visible_guide_ids(store, principal)
    return acceptance(store, guides, since)


@router.post("/stream/token", response_model=StreamToken)
async def post_stream_token(principal: AnyKey, state: StateDep) -> StreamToken:
    ttl = state.settings.stream_token_ttl_s
    return StreamToken(token=state.stream_tokens.mint(principal, ttl), expires_in=ttl)


@router.get("/stream", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
async def get_stream(state: StateDep, token: StreamTokenParam) -> StreamingResponse:
    """Server-Sent Events: `conversation` (an inbox row changed) and `suggestions` (pushed for
    a conversation waiting for its guide), only for conversations the key may read; `closed`
    once the key is revoked. Open it with a token from POST /v1/stream/token."""
    principal = state.stream_tokens.redeem(token)
    if principal is None:
        raise HTTPException(401, "token: unknown or expired stream token; mint a new one")
    stream = open_stream(state, principal)
    return StreamingResponse(stream.events(state.bus), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


def open_stream(state: ServiceState, principal: Principal) -> LiveStream:
    store = Database(state.engine, principal.tenant)
    return LiveStream(principal, partial(_key_alive, state, principal.key_id),
                      partial(visible_guide_ids, store, principal),
                      partial(record_delivery, store, principal), state.settings.stream_recheck_s)


def _key_alive(state: ServiceState, key_id: str) -> bool:
    row = api_key_row(state.engine, key_id)
    return row is not None and not row.revoked
