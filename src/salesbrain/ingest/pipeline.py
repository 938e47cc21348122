"""Ingestion: parse -> quarantine the bad -> de-duplicate -> redact -> sessionise -> store.

Streaming in batches keeps memory flat whatever the file size; each batch is one transaction,
so an interrupted run loses at most the batch in flight and re-running it stores only what is
missing (message ids are the de-duplication key).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from salesbrain.db.database import Database
from salesbrain.ingest.plain import read_plain_csv, read_plain_jsonl
from salesbrain.ingest.records import (
    ConsentEvent,
    IncomingMessage,
    Parsed,
    Recall,
    RecordError,
    Rejected,
    Skipped,
)
from salesbrain.ingest.redact import Redaction, redact_message, redact_messages
from salesbrain.ingest.research import read_jddc, read_stc3
from salesbrain.ingest.sessions import DEFAULT_GAP_S, Sessionizer
from salesbrain.ingest.tables import (
    BRAND_TABLES,
    GUIDES,
    OPTIONAL_BRAND_TABLES,
    TableSpec,
    read_table,
)
from salesbrain.ingest.wecom import StaffDirectory, read_wecom

log = logging.getLogger(__name__)

FORMATS = ("auto", "wecom", "jsonl", "csv", "jddc", "stc3")
NO_CONSENT = "no_consent"


@dataclass(slots=True)
class IngestSummary:
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    redacted: int = 0
    events: int = 0

    def add(self, other: IngestSummary) -> None:
        for key, value in asdict(other).items():
            setattr(self, key, getattr(self, key) + value)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def detect_format(path: Path) -> str:
    """Guess a file's format from its name and first bytes."""
    name = path.name.lower()
    if name.endswith((".tsv", ".txt")):
        return "jddc"
    if name.endswith(".csv"):
        return "csv"
    with path.open("rb") as handle:
        head = handle.read(4096).decode("utf-8", errors="ignore").lstrip("\ufeff \r\n\t")
    if head.startswith("[") and '"turns"' in head:
        return "stc3"
    if '"msgtype"' in head or '"chatdata"' in head or '"msgtime"' in head:
        return "wecom"
    if head.startswith("{"):
        return "jsonl"
    raise RecordError(f"{path}: cannot tell its format; pass --format")


def reader_for(fmt: str, staff: StaffDirectory) -> Callable[[Path], Iterator[Parsed]]:
    readers: dict[str, Callable[[Path], Iterator[Parsed]]] = {
        "wecom": lambda p: read_wecom(p, staff),
        "jsonl": read_plain_jsonl,
        "csv": read_plain_csv,
        "jddc": read_jddc,
        "stc3": read_stc3,
    }
    if fmt not in readers:
        raise RecordError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return readers[fmt]


class Ingestor:
    """Ingests files into one tenant's store; one instance per run."""

    def __init__(
        self, store: Database, *, gap_s: int = DEFAULT_GAP_S, batch_size: int = 5000,
        progress: bool = False,
    ) -> None:
        self.store = store
        self.gap_s = gap_s
        self.batch_size = batch_size
        self.progress = progress
        self._pending_recalls: set[str] = set()

    def ingest_messages(self, path: Path, fmt: str = "auto") -> IngestSummary:
        if not path.is_file():
            raise RecordError(f"{path}: no such file")
        fmt = detect_format(path) if fmt == "auto" else fmt
        staff = StaffDirectory({g.guide_id for g in self.store.guides()})
        if fmt == "wecom" and not staff.staff_ids:
            log.warning("no guide roster loaded: ids starting with wm/wo are taken as customers")
        run = MessageRun(self, path, fmt)
        parsed = reader_for(fmt, staff)(path)
        with tqdm(desc=path.name, unit="rec", disable=not self.progress, mininterval=1.0) as bar:
            for record in parsed:
                run.take(record)
                bar.update(1)
            run.flush()
        return run.summary

    def ingest_table(self, path: Path, spec: TableSpec) -> IngestSummary:
        summary = IngestSummary()
        rows, rejected = [], []
        for line, row, reason in read_table(path, spec):
            summary.read += 1
            if row is None:
                rejected.append(quarantine_row(path, Rejected(line, reason)))
            else:
                rows.append(row)
            if len(rows) >= self.batch_size:
                summary.stored += spec.write(self.store, spec.table, rows)
                rows = []
        summary.stored += spec.write(self.store, spec.table, rows)
        summary.quarantined = len(rejected)
        summary.duplicates = summary.read - summary.stored - summary.quarantined
        self.store.add_quarantine(rejected)
        return summary

    def ingest_brand_tables(self, directory: Path) -> dict[str, IngestSummary]:
        """The guides, orders and tasks tables of a brand export directory, and its member
        file where there is one."""
        directory = Path(directory)
        optional = [(name, spec) for name, spec in OPTIONAL_BRAND_TABLES
                    if (directory / name).is_file()]
        return {name: self.ingest_table(directory / name, spec)
                for name, spec in (*BRAND_TABLES, *optional)}


class MessageRun:
    """State of one file's ingestion: the batch in flight and the running summary."""

    def __init__(self, ingestor: Ingestor, path: Path, fmt: str) -> None:
        self.ingestor = ingestor
        self.store = ingestor.store
        self.path = path
        self.summary = IngestSummary()
        self.batch: list[IncomingMessage] = []
        self.rejected: list[dict[str, Any]] = []
        self.refused = self.store.refused_consent()
        self.no_consent: set[str] = set()  # messages sent while their customer refused archiving
        self.consents: list[ConsentEvent] = []
        self.sessions = Sessionizer(self.store, ingestor.gap_s, source=fmt)
        self.redaction_memo: dict[str, Redaction] = {}  # repeated texts are redacted once

    def take(self, record: Parsed) -> None:
        self.summary.read += 1
        if isinstance(record, IncomingMessage) and _has_nul(record):
            record = Rejected(record.line, "NUL character in a field (not storable text)")
        if isinstance(record, IncomingMessage):
            if record.customer_id in self.refused:
                self.no_consent.add(record.msgid)
            self.batch.append(record)
            if len(self.batch) >= self.ingestor.batch_size:
                self.flush()
        elif isinstance(record, Rejected):
            self.summary.quarantined += 1
            self.rejected.append(quarantine_row(self.path, record))
        elif isinstance(record, ConsentEvent):
            # Later messages are scrubbed as they are taken; earlier ones when the batch lands.
            (self.refused.discard if record.consent else self.refused.add)(record.customer_id)
            self.consents.append(record)
            self.summary.events += 1
        elif isinstance(record, Recall):
            self.ingestor._pending_recalls.add(record.pre_msgid)
            self.summary.events += 1
        elif isinstance(record, Skipped):
            self.summary.events += 1

    def flush(self) -> None:
        new = self._new_messages()
        self.sessions.prefetch(new)
        new.sort(key=lambda m: m.ts_ms)
        redactions = self._redactions(new)
        rows = [self._row(message, redactions.get(message.msgid)) for message in new]
        self.summary.stored += self.store.write_batch(rows, self.sessions.dirty_rows())
        self.store.set_consents([(e.customer_id, e.consent, e.ts_ms) for e in self.consents])
        self.store.add_quarantine(self.rejected)
        pending = self.ingestor._pending_recalls
        if pending:
            pending -= self.store.mark_recalled(sorted(pending))
        self.batch, self.rejected, self.consents = [], [], []
        self.no_consent.clear()

    def _new_messages(self) -> list[IncomingMessage]:
        existing = self.store.existing_msgids([m.msgid for m in self.batch])
        seen: set[str] = set()
        new = []
        for message in self.batch:
            if message.msgid in existing or message.msgid in seen:
                self.summary.duplicates += 1
                continue
            seen.add(message.msgid)
            new.append(message)
        return new

    def _redactions(self, messages: list[IncomingMessage]) -> dict[str, Redaction]:
        """The batch's texts redacted at once, by msgid (none for a refused customer's)."""
        kept = [m for m in messages if m.text and m.msgid not in self.no_consent]
        texts = redact_messages([m.text for m in kept], self.redaction_memo)
        return {m.msgid: redaction for m, redaction in zip(kept, texts, strict=True)}

    def _row(self, message: IncomingMessage, redaction: Redaction | None) -> dict[str, Any]:
        text, kinds = message.text, ""
        if message.msgid in self.no_consent:
            text, kinds = "", NO_CONSENT
        elif redaction is not None and redaction.spans:
            text = redaction.text
            kinds = ",".join(sorted({span.kind for span in redaction.spans}))
            self.summary.redacted += 1
        return {
            "msgid": message.msgid,
            "conversation_id": self.sessions.assign(message),
            "guide_id": message.guide_id,
            "customer_id": message.customer_id,
            "role": message.role.value,
            "ts_ms": message.ts_ms,
            "type": message.type.value,
            "text": text,
            "room_id": message.room_id,
            "recalled": False,
            "redactions": kinds,
            "meta": message.meta or None,
        }


def _has_nul(message: IncomingMessage) -> bool:
    fields = (message.msgid, message.guide_id, message.customer_id, message.text, message.room_id,
              message.conversation_id)
    return any("\x00" in value for value in fields)


def quarantine_row(path: Path, rejected: Rejected) -> dict[str, Any]:
    return {
        "source_file": str(path),
        "line": rejected.line,
        "reason": rejected.reason[:500],
        "raw": redact_message(rejected.raw).text[:2000] if rejected.raw else "",
    }


def ingest_guides(store: Database, path: Path) -> IngestSummary:
    return Ingestor(store).ingest_table(path, GUIDES)


def ingest_all(ingestor: Ingestor, paths: Iterable[Path], fmt: str) -> IngestSummary:
    total = IngestSummary()
    for path in paths:
        total.add(ingestor.ingest_messages(path, fmt))
    return total
