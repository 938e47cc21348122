"""Ingesting records that arrive in memory (an HTTP batch) rather than from a file.

The same path as file ingestion: parse each record with the source's parser, then
de-duplicate, redact, sessionise and store in transactions of `batch_size` messages. A record
that fails to parse is returned with its index and reason and quarantined under `source`, so a
re-sent batch quarantines nothing twice and stores only what is missing.

>>> from salesbrain.db import Database
>>> store = Database.open("sqlite://", tenant="acme")
>>> records = [{"guide_id": "g1", "customer_id": "c1", "role": "customer",
...             "ts": "2024-05-01T10:00:00", "text": "在吗"}, {"role": "guide"}]
>>> parsed = parse_records(records, "plain", staff_of(store))
>>> result = ingest_records(store, parsed, "api:demo", "plain")
>>> result.summary.as_dict()["stored"], [(e.index, e.reason) for e in result.errors]
(1, [(1, "missing field 'guide_id'")])
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from salesbrain.db.database import Database
from salesbrain.ingest.pipeline import Ingestor, IngestSummary, MessageRun
from salesbrain.ingest.plain import parse_plain
from salesbrain.ingest.records import Parsed, RecordError, Rejected
from salesbrain.ingest.sessions import DEFAULT_GAP_S
from salesbrain.ingest.wecom import StaffDirectory, parse_record

RECORD_FORMATS = ("wecom", "plain")


@dataclass(frozen=True, slots=True)
class RecordFailure:
    """A record that was not stored: its 0-based index in the batch and why."""

    index: int
    reason: str


@dataclass(slots=True)
class BatchResult:
    summary: IngestSummary
    errors: list[RecordFailure] = field(default_factory=list)


def staff_of(store: Database) -> StaffDirectory:
    return StaffDirectory({guide.guide_id for guide in store.guides()})


def parse_records(
    records: Iterable[Any], fmt: str, staff: StaffDirectory, start: int = 0
) -> Iterator[Parsed]:
    """Parse in-memory records (objects, or NDJSON lines as bytes).

    The `line` of each result is the record's 0-based index in the batch, from `start`.
    """
    if fmt not in RECORD_FORMATS:
        raise RecordError(f"unknown record format {fmt!r}; choose one of {RECORD_FORMATS}")
    for index, item in enumerate(records, start=start):
        record, reason = _as_record(item)
        if record is None:
            if reason:
                yield Rejected(index, reason)
            continue
        try:
            if fmt == "wecom":
                yield parse_record(record, index, staff)
            else:
                yield parse_plain(record, index)
        except RecordError as error:
            yield Rejected(index, str(error), json.dumps(record, ensure_ascii=False)[:2000])


def _as_record(item: Any) -> tuple[dict[str, Any] | None, str]:
    """A record given as an object or as one line of JSON bytes; blank lines are no records."""
    if isinstance(item, bytes):
        if not item.strip():
            return None, ""
        try:
            item = json.loads(item)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            return None, f"malformed JSON: {error}"
    if not isinstance(item, dict):
        return None, "expected a JSON object"
    if has_nul(item):
        return None, "contains a NUL character (\\u0000), which text fields cannot hold"
    return item, ""


def has_nul(value: Any) -> bool:
    """Whether a string anywhere in `value` holds U+0000 (PostgreSQL text cannot store it)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v) for v in value)
    return False


class RecordIngestion:
    """One ingestion run over records fed in chunks; call `finish()` after the last chunk."""

    def __init__(self, store: Database, source: str, fmt: str, *, gap_s: int = DEFAULT_GAP_S,
                 batch_size: int = 5000) -> None:
        ingestor = Ingestor(store, gap_s=gap_s, batch_size=batch_size)
        # `source` stands where a file path would: quarantine rows name it.
        self._run = MessageRun(ingestor, Path(source), fmt)
        self.errors: list[RecordFailure] = []

    def feed(self, parsed: Iterable[Parsed]) -> None:
        for record in parsed:
            if isinstance(record, Rejected):
                self.errors.append(RecordFailure(record.line, record.reason))
            self._run.take(record)

    def finish(self) -> BatchResult:
        self._run.flush()
        return BatchResult(self._run.summary, self.errors)


def ingest_records(store: Database, records: Iterable[Parsed], source: str, fmt: str = "", *,
                   gap_s: int = DEFAULT_GAP_S, batch_size: int = 5000) -> BatchResult:
    """Ingest parsed records; each `batch_size` messages are one transaction.

    `source` names the batch in quarantine rows; `fmt` is recorded on new conversations.
    """
    run = RecordIngestion(store, source, fmt, gap_s=gap_s, batch_size=batch_size)
    run.feed(records)
    return run.finish()
