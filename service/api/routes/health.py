"""Liveness, readiness (with the brain version) and Prometheus metrics."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException, Response
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import text

from service.api.deps import BrainSlotDep, StateDep
from service.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health)
def healthz(slot: BrainSlotDep) -> Health:
    return Health(status="ok", brain_version=slot.current.version)


@router.get("/readyz", response_model=Health)
async def readyz(state: StateDep, slot: BrainSlotDep, response: Response) -> Health:
    """Ready when the database answers; reports the brain served and the registry's live one."""
    try:
        await run_in_threadpool(_ping, state)
    except Exception:  # noqa: BLE001 - any database failure means not ready
        response.status_code = 503
        return Health(status="database unavailable", brain_version=slot.current.version)
    live = await run_in_threadpool(slot.registry.live_version)
    return Health(status="ready", brain_version=slot.current.version, live_version=live)


def _ping(state: StateDep) -> None:
    with state.engine.connect() as conn:
        conn.execute(text("SELECT 1"))


@router.get("/metrics", include_in_schema=False)
def metrics(state: StateDep,
            authorization: Annotated[str | None, Header()] = None) -> Response:
    token = state.settings.metrics_token
    if token is not None:
        expected = f"Bearer {token.get_secret_value()}"
        if not hmac.compare_digest((authorization or "").encode(), expected.encode()):
            raise HTTPException(401, "authorization: /metrics needs the metrics token")
    return Response(state.metrics.exposition(), media_type="text/plain; version=0.0.4")
