"""The plain message schema, as JSONL or CSV.

Columns (JSON keys): `guide_id`, `customer_id`, `role` (`guide` | `customer`), `ts` (ISO 8601,
epoch seconds or epoch milliseconds), `text`; optional `msgid` (default: a hash of the record,
so re-ingesting the same file stays idempotent), `conversation_id` (default: sessionised by
inactivity gap), `type` (default `text`), `room_id`.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from salesbrain.ingest.records import (
    IncomingMessage,
    Parsed,
    RecordError,
    Rejected,
    check_length,
    decoded_lines,
    json_lines,
    parse_timestamp_ms,
    require_text,
)
from salesbrain.schema import MessageType, Role

PLAIN_COLUMNS = (
    "msgid",
    "conversation_id",
    "guide_id",
    "customer_id",
    "role",
    "ts",
    "type",
    "text",
)


def read_plain_jsonl(path: Path) -> Iterator[Parsed]:
    for line, record, reason, raw in json_lines(path):
        if record is None:
            yield Rejected(line, reason, raw[:2000])
            continue
        yield _parse_or_reject(record, line)


def read_plain_csv(path: Path) -> Iterator[Parsed]:
    rejected: list[Rejected] = []

    def good_lines() -> Iterator[str]:
        for line, text, reason in decoded_lines(path):
            if text is None:
                rejected.append(Rejected(line, reason))
                continue
            yield text + "\n"

    lines = good_lines()
    reader = csv.DictReader(lines)
    for row in reader:
        yield from _drain(rejected)
        if None in row:
            yield Rejected(reader.line_num, "more fields than the header names", str(row)[:2000])
            continue
        yield _parse_or_reject(dict(row), reader.line_num)
    yield from _drain(rejected)


def _drain(rejected: list[Rejected]) -> Iterator[Rejected]:
    while rejected:
        yield rejected.pop(0)


def _parse_or_reject(record: dict[str, Any], line: int) -> Parsed:
    try:
        return parse_plain(record, line)
    except RecordError as error:
        return Rejected(line, str(error), json.dumps(record, ensure_ascii=False)[:2000])


def parse_plain(record: dict[str, Any], line: int) -> IncomingMessage:
    guide = require_text(record.get("guide_id"), "guide_id")
    customer = require_text(record.get("customer_id"), "customer_id")
    role_name = require_text(record.get("role"), "role")
    if role_name not in (Role.GUIDE, Role.CUSTOMER):
        raise RecordError(f"role must be 'guide' or 'customer', got {role_name!r}")
    ts_ms = parse_timestamp_ms(record.get("ts"), "ts")
    text = record.get("text")
    if not isinstance(text, str):
        raise RecordError("missing field 'text'")
    kind_name = record.get("type") or "text"
    try:
        kind = MessageType(kind_name)
    except ValueError as error:
        raise RecordError(f"unknown message type {kind_name!r}") from error
    msgid = record.get("msgid") or _content_id(guide, customer, role_name, ts_ms, text)
    return IncomingMessage(
        str(msgid),
        guide,
        customer,
        Role(role_name),
        ts_ms,
        kind,
        check_length(text),
        line,
        room_id=str(record.get("room_id") or ""),
        conversation_id=str(record.get("conversation_id") or ""),
    )


def _content_id(guide: str, customer: str, role: str, ts_ms: int, text: str) -> str:
    digest = hashlib.sha1(f"{guide}\x00{customer}\x00{role}\x00{ts_ms}\x00{text}".encode())
    return "h:" + digest.hexdigest()[:24]
