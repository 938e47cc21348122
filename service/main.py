"""The HTTP service: `salesbrain serve`, or `uvicorn --factory service.main:create_app`.

The brain is loaded once, before the first request; a missing or broken brain stops start-up
with the reason. Tests replace the brain through `app.dependency_overrides[get_brain_slot]`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import anyio.to_thread
import uvicorn
from fastapi import FastAPI
from pydantic import ValidationError

from salesbrain import __version__
from salesbrain.brain import Brain
from salesbrain.db import resolve_db_url
from salesbrain.registry import BrainRegistry
from service.api.deps import get_brain_slot
from service.api.errors import install_error_handlers
from service.api.routes import (
    analyze,
    conversations,
    dashboard,
    guides,
    health,
    insights,
    keys,
    messages,
    models,
    recall,
    scripts,
    suggest,
    web,
    wecom,
    workbench,
)
from service.core.brains import BrainSlot, BrainUnavailable, initial_brain_dir, load_brain
from service.core.config import Settings, describe
from service.core.limits import BodyLimitMiddleware, NulGuardMiddleware
from service.core.metrics import Metrics, MetricsMiddleware
from service.core.state import build_state

log = logging.getLogger(__name__)
ROUTERS = (messages, suggest, scripts, analyze, conversations, dashboard, guides, models, keys,
           health, workbench, wecom, insights, recall, web)


def open_brain_slot(settings: Settings, metrics: Metrics, brain: Brain | None = None) -> BrainSlot:
    registry = BrainRegistry(settings.models_root)
    if brain is None:
        brain = load_brain(initial_brain_dir(settings.brain_dir, registry))
    metrics.set_brain(brain.version)
    log.info("serving brain", extra={"version": brain.version, "stages": brain.stage_names})
    return BrainSlot(brain, registry, on_swap=lambda new: metrics.set_brain(new.version))


async def follow_registry(slot: BrainSlot, every_s: float) -> None:
    """Swap to the live brain whenever another replica promotes or rolls back."""
    while True:
        await asyncio.sleep(every_s)
        try:
            await anyio.to_thread.run_sync(slot.follow_registry)
        except Exception:  # a bad read this time must not stop the following ones
            log.exception("reading the brain registry failed")


def create_app(settings: Settings | None = None, brain: Brain | None = None) -> FastAPI:
    """The app; `brain` is one already loaded (else the lifespan loads it)."""
    settings = settings or Settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        import torch  # here, so that importing the app stays cheap

        torch.set_num_threads(settings.torch_threads)
        app.state.service = build_state(settings, metrics)
        following = None
        if get_brain_slot not in app.dependency_overrides:
            app.state.brains = open_brain_slot(settings, metrics, brain)
            if settings.registry_poll_s > 0:
                following = asyncio.create_task(
                    follow_registry(app.state.brains, settings.registry_poll_s))
        yield
        if following is not None:
            following.cancel()
        app.state.service.engine.dispose()

    app = FastAPI(title="salesbrain", version=__version__, lifespan=lifespan,
                  description="Reply suggestions, conversation analysis and guide scorecards.")
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes,
                       max_stream_bytes=settings.max_stream_bytes)
    app.add_middleware(NulGuardMiddleware)
    app.add_middleware(MetricsMiddleware, metrics=metrics)
    install_error_handlers(app)
    app.state.metrics = metrics
    for module in ROUTERS:
        app.include_router(module.router)
    return app


def run(brain: Path | None, host: str, port: int, db: str | None) -> None:
    """Serve until interrupted; unsafe settings or a missing brain exit with the reason."""
    try:
        settings = Settings(brain_dir=brain, host=host, port=port, db_url=resolve_db_url(db))
        registry = BrainRegistry(settings.models_root)
        loaded = load_brain(initial_brain_dir(settings.brain_dir, registry))
    except ValidationError as error:
        raise SystemExit(f"error: {describe(error)}") from None
    except BrainUnavailable as error:
        raise SystemExit(f"error: {error}") from None
    uvicorn.run(create_app(settings, loaded), host=settings.host, port=settings.port,
                proxy_headers=settings.behind_tls_proxy, server_header=False, workers=1,
                # open live streams must not hold a shutdown forever
                timeout_graceful_shutdown=5)
