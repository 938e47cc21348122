"""Ingestion over HTTP: WeCom archive messages or the plain schema, idempotent."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import ValidationError

from service.api.deps import AdminKey, BrainDep, StateDep, TenantStore
from service.api.errors import body_errors
from service.core.ingestion import ingest_batch, ingest_stream, ndjson_lines
from service.core.limits import NDJSON
from service.schemas import IngestResult, MessageBatch

router = APIRouter(prefix="/v1", tags=["ingestion"])

_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": MessageBatch.model_json_schema()},
    NDJSON: {"schema": {"type": "string", "description": "one record per line"}},
}}}
BatchFormat = Annotated[Literal["wecom", "plain"] | None, Query(description="NDJSON only")]
BatchId = Annotated[str | None, Query(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]


@router.post("/messages", response_model=IngestResult, openapi_extra=_BODY)
async def post_messages(request: Request, state: StateDep, store: TenantStore, _: AdminKey,
                        brain: BrainDep, format: BatchFormat = None,
                        batch_id: BatchId = None) -> IngestResult:
    """Ingest a batch; re-sending it stores nothing twice. Errors name each record's index.

    Conversations that now wait for their guide's reply get suggestions pushed on
    GET /v1/stream once the batch is stored."""
    if request.headers.get("content-type", "").startswith(NDJSON):
        if format is None:
            raise HTTPException(422, "format: the query parameter is required for NDJSON")
        return await ingest_stream(state, store, ndjson_lines(request.stream()), format,
                                   batch_id, brain)
    try:
        batch = MessageBatch.model_validate_json(await request.body())
    except ValidationError as error:
        raise body_errors(error) from None
    return await ingest_batch(state, store, batch, brain)
