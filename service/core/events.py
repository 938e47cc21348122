"""Live events for the workbench: a message arrived, fresh suggestions are ready.

`EventBus` is the seam. `LocalEventBus` serves one process (the embedded default: ingestion and
streams share an event loop). Several service processes need a shared backend behind the same
two methods (PostgreSQL LISTEN/NOTIFY or Redis pub/sub), publishing the same JSON payloads.

Events are filtered per subscriber by tenant here and by guide in the stream, so a key only ever
receives what it may read.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger(__name__)
QUEUE_LIMIT = 256


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """One event of a tenant about one guide's conversation; `data` goes out as JSON."""

    tenant: str
    guide_id: str
    kind: str  # "conversation" (the inbox and the chat changed) or "suggestions"
    data: dict[str, Any]


@dataclass(eq=False)
class Subscription:
    tenant: str
    queue: asyncio.Queue[LiveEvent | None] = field(
        default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    overflowed: bool = False

    async def next(self, timeout_s: float) -> LiveEvent | None:
        """The next event, or None when none came within the timeout or the bus closed."""
        try:
            return await asyncio.wait_for(self.queue.get(), timeout_s)
        except TimeoutError:
            return None


class EventBus(Protocol):
    def publish(self, event: LiveEvent) -> None: ...

    def subscribe(self, tenant: str) -> Any: ...  # a context manager yielding a Subscription


class LocalEventBus:
    """In-process publish/subscribe; publish and subscribe run on the service's event loop."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[Subscription]] = {}

    def publish(self, event: LiveEvent) -> None:
        for subscription in list(self._subscribers.get(event.tenant, ())):
            try:
                subscription.queue.put_nowait(event)
            except asyncio.QueueFull:
                # A reader that fell this far behind reconnects and reloads rather than
                # holding memory for it.
                subscription.overflowed = True
                log.warning("live stream fell behind; closing it", extra={"tenant": event.tenant})

    @contextmanager
    def subscribe(self, tenant: str) -> Iterator[Subscription]:
        subscription = Subscription(tenant)
        self._subscribers.setdefault(tenant, set()).add(subscription)
        try:
            yield subscription
        finally:
            self._subscribers[tenant].discard(subscription)

    def subscribers(self, tenant: str) -> int:
        return len(self._subscribers.get(tenant, ()))
