"""POST /v1/messages: a JSON batch, or NDJSON streamed in chunks of bounded size.

Each chunk is parsed and stored in its own transaction, so a large stream holds one chunk in
memory and a crash loses at most the chunk in flight; re-sending the batch stores only what
is missing (message ids de-duplicate). Failed records come back with their index and reason.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool

from salesbrain.brain import Brain
from salesbrain.db import Database
from salesbrain.db.database import now_ms
from salesbrain.ingest.batch import BatchResult, RecordIngestion, parse_records, staff_of
from salesbrain.ingest.records import MAX_LINE_BYTES
from service.core.live import after_ingest
from service.core.state import ServiceState
from service.schemas import IngestResult, MessageBatch, RecordErrorOut

MAX_ERRORS_SHOWN = 200


def batch_digest(records: list[Any]) -> str:
    canonical = json.dumps(records, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


async def ingest_batch(state: ServiceState, store: Database, batch: MessageBatch,
                       brain: Brain) -> IngestResult:
    limit = state.settings.max_batch_records
    if len(batch.records) > limit:
        raise HTTPException(413, f"records: {len(batch.records)} records exceed the batch limit of "
                                 f"{limit}; stream larger batches as application/x-ndjson")
    batch_id = batch.batch_id or batch_digest(batch.records)
    async with state.ingest_lock(store.tenant):
        run = await run_in_threadpool(_start, state, store, batch_id, batch.format)
        since_ms = now_ms()
        await run_in_threadpool(_feed, run, store, batch.records, batch.format, 0)
        result = await run_in_threadpool(run.finish)
    _push_live(state, store, brain, since_ms, result)
    return _result(batch_id, result)


async def ingest_stream(state: ServiceState, store: Database, lines: AsyncIterator[bytes],
                        fmt: str, batch_id: str | None, brain: Brain) -> IngestResult:
    """Ingest NDJSON: one record per line, `ingest_chunk_records` records per transaction."""
    chunk_size = state.settings.ingest_chunk_records
    digest = hashlib.sha256()
    async with state.ingest_lock(store.tenant):
        run = await run_in_threadpool(_start, state, store, batch_id or "stream", fmt)
        index, chunk, since_ms = 0, [], now_ms()
        async for line in lines:
            digest.update(line)
            chunk.append(line)
            if len(chunk) >= chunk_size:
                await run_in_threadpool(_feed, run, store, chunk, fmt, index)
                index, chunk = index + len(chunk), []
        await run_in_threadpool(_feed, run, store, chunk, fmt, index)
        result = await run_in_threadpool(run.finish)
    _push_live(state, store, brain, since_ms, result)
    return _result(batch_id or digest.hexdigest()[:32], result)


def _push_live(state: ServiceState, store: Database, brain: Brain, since_ms: int,
               result: BatchResult) -> None:
    if result.summary.stored:
        state.in_background(after_ingest(state, store, brain, since_ms))


def _start(state: ServiceState, store: Database, batch_id: str, fmt: str) -> RecordIngestion:
    return RecordIngestion(store, f"api:{batch_id}", fmt, gap_s=state.settings.session_gap_s,
                           batch_size=state.settings.ingest_chunk_records)


def _feed(run: RecordIngestion, store: Database, records: list[Any], fmt: str, start: int) -> None:
    run.feed(parse_records(records, fmt, staff_of(store), start=start))


async def ndjson_lines(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """Split a byte stream into lines without ever holding more than one long line."""
    pending = b""
    async for data in chunks:
        pending += data
        *lines, pending = pending.split(b"\n")
        for line in lines:
            yield line
        if len(pending) > MAX_LINE_BYTES:
            raise HTTPException(413, f"body: an NDJSON line exceeds {MAX_LINE_BYTES} bytes")
    if pending:
        yield pending


def _result(batch_id: str, result: BatchResult) -> IngestResult:
    errors = [RecordErrorOut(index=e.index, reason=e.reason) for e in result.errors]
    return IngestResult(batch_id=batch_id, **result.summary.as_dict(),
                        errors=errors[:MAX_ERRORS_SHOWN],
                        errors_truncated=len(errors) > MAX_ERRORS_SHOWN)
