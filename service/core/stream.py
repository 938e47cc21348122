"""GET /v1/stream: Server-Sent Events for one key, carrying only what that key may read.

A browser's EventSource cannot send headers, and a key in a URL ends up in access logs. So the
page mints a short-lived stream token with its key (POST /v1/stream/token) and opens the stream
with the token; the key itself never travels in a URL. The token is good for connecting (and
reconnecting) until it expires; an open stream re-checks its key and closes once it is revoked.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from starlette.concurrency import run_in_threadpool

from salesbrain.security import Principal
from service.core.events import EventBus, LiveEvent

KeyCheck = Callable[[], bool]  # True while the key is live
GuidesInScope = Callable[[], frozenset[str] | None]  # None: every guide of the tenant
Delivered = Callable[[LiveEvent], None]


@dataclass
class StreamTokens:
    """Tokens minted for authenticated keys, each good for `ttl_s` seconds (one process)."""

    _tokens: dict[str, tuple[Principal, float]] = field(default_factory=dict)

    def mint(self, principal: Principal, ttl_s: float) -> str:
        now = time.monotonic()
        self._tokens = {k: v for k, v in self._tokens.items() if v[1] > now}
        token = "sst_" + secrets.token_urlsafe(24)
        self._tokens[token] = (principal, now + ttl_s)
        return token

    def redeem(self, token: str) -> Principal | None:
        found = self._tokens.get(token)
        if found is None or found[1] <= time.monotonic():
            return None
        return found[0]


def sse(kind: str, data: object) -> str:
    return f"event: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@dataclass
class LiveStream:
    """One open stream: its key's scope, how to re-check the key, what to record on delivery."""

    principal: Principal
    key_alive: KeyCheck
    guides_in_scope: GuidesInScope
    delivered: Delivered
    recheck_s: float

    async def events(self, bus: EventBus) -> AsyncIterator[str]:
        scope = await run_in_threadpool(self.guides_in_scope)
        with bus.subscribe(self.principal.tenant) as subscription:
            yield "retry: 3000\n\n" + sse("ready", {"role": self.principal.role.value})
            while True:
                event = await subscription.next(self.recheck_s)
                if subscription.overflowed or not await run_in_threadpool(self.key_alive):
                    yield sse("closed", {"reason": "revoked" if not subscription.overflowed
                                         else "behind"})
                    return
                if event is None:
                    yield ": keep-alive\n\n"
                    scope = await run_in_threadpool(self.guides_in_scope)
                elif scope is None or event.guide_id in scope:
                    if event.kind == "suggestions":
                        await run_in_threadpool(self.delivered, event)
                    yield sse(event.kind, event.data)
