"""What the service builds once at start-up and shares between requests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from salesbrain.db import Database
from service.core.config import Settings
from service.core.events import EventBus, LocalEventBus
from service.core.facts import StampedCache
from service.core.metrics import Metrics
from service.core.ratelimit import RateLimiter
from service.core.reports import Reports, ScoringReports
from service.core.stream import StreamTokens
from service.core.wecom import WeComSigner


@dataclass
class ServiceState:
    settings: Settings
    engine: Engine
    metrics: Metrics
    limiter: RateLimiter
    reports: Reports
    facts: StampedCache  # shared by the reports and the drill-down
    bus: EventBus = field(default_factory=LocalEventBus)
    stream_tokens: StreamTokens = field(default_factory=StreamTokens)
    wecom: WeComSigner | None = None  # None: not configured, the page works outside WeCom only
    # Live-update work started after an ingestion answered; kept so it is not collected.
    background: set[asyncio.Task[None]] = field(default_factory=set)
    # One ingestion at a time per tenant: sessionisation reads, then writes, conversation state.
    _ingest_locks: dict[str, asyncio.Lock] = field(default_factory=dict)

    def ingest_lock(self, tenant: str) -> asyncio.Lock:
        return self._ingest_locks.setdefault(tenant, asyncio.Lock())

    def in_background(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self.background.add(task)
        task.add_done_callback(self.background.discard)


def build_state(settings: Settings, metrics: Metrics) -> ServiceState:
    """Open (and migrate) the database; nothing here touches the brain."""
    store = Database.open(settings.db_url, tenant=settings.operator_tenant)
    limiter = RateLimiter(settings.rate_per_second, settings.rate_burst)
    facts = StampedCache()
    return ServiceState(settings, store.engine, metrics, limiter, ScoringReports(facts), facts,
                        wecom=wecom_signer(settings))


def wecom_signer(settings: Settings) -> WeComSigner | None:
    if settings.wecom_secret is None:
        return None
    return WeComSigner(settings.wecom_corp_id or "", settings.wecom_agent_id or "",
                       settings.wecom_secret.get_secret_value(), settings.wecom_trusted_hosts)
