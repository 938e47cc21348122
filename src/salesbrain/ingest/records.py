"""What parsers emit, and the line readers they share.

Parsers never raise on bad input: a bad record becomes a `Rejected` naming its line and reason,
so one broken line never costs the records around it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from salesbrain.schema import MessageType, Role

MAX_LINE_BYTES = 1 << 20
MAX_TEXT_CHARS = 10_000


@dataclass(slots=True)
class IncomingMessage:
    """A parsed message, not yet redacted nor assigned to a conversation."""

    msgid: str
    guide_id: str
    customer_id: str
    role: Role
    ts_ms: int
    type: MessageType
    text: str
    line: int
    room_id: str = ""
    conversation_id: str = ""  # set by sources that carry their own sessions
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ConsentEvent:
    customer_id: str
    consent: bool
    ts_ms: int
    line: int


@dataclass(slots=True)
class Recall:
    """The message `pre_msgid` was withdrawn by its sender: keep it, mark it recalled."""

    pre_msgid: str
    line: int


@dataclass(slots=True)
class Skipped:
    """A well-formed record that carries no chat content (e.g. a WeCom `switch` event)."""

    line: int
    what: str


@dataclass(slots=True)
class Rejected:
    line: int
    reason: str
    raw: str = ""


Parsed = IncomingMessage | ConsentEvent | Recall | Skipped | Rejected


class RecordError(ValueError):
    """A record-level problem; its message is the quarantine reason."""


def decoded_lines(path: Path) -> Iterator[tuple[int, str | None, str]]:
    """Yield (line number, text or None, reason) for each line, decoding strictly as UTF-8.

    Undecodable or oversized lines come back as None with the reason, and reading goes on.
    """
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if len(raw) > MAX_LINE_BYTES:
                yield number, None, f"line of {len(raw)} bytes exceeds {MAX_LINE_BYTES}"
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                yield number, None, f"invalid UTF-8 at byte {error.start}"
                continue
            if number == 1:
                text = text.removeprefix("\ufeff")
            yield number, text.rstrip("\r\n"), ""


def json_lines(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str, str]]:
    """Yield (line, object or None, reason, raw) for a JSONL file; blank lines are skipped."""
    for number, text, reason in decoded_lines(path):
        if text is None:
            yield number, None, reason, ""
            continue
        if not text.strip():
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            yield number, None, f"malformed JSON: {error.msg} at column {error.colno}", text
            continue
        if not isinstance(value, dict):
            yield number, None, "expected a JSON object", text
            continue
        yield number, value, "", text


def json_array_items(path: Path, key: str = "") -> Iterator[tuple[int, Any, str]]:
    """Stream the items of a top-level JSON array (or of the array under `key`) with flat memory.

    Yields (item index starting at 1, item or None, reason). A syntax error ends the stream
    with one rejection, since nothing after it can be located reliably.
    """
    decoder = json.JSONDecoder()
    with path.open("r", encoding="utf-8") as handle:
        buffer = handle.read(1 << 16).lstrip("\ufeff")
        position = _array_start(buffer, key)
        index = 0
        while True:
            position = _skip_separators(buffer, position)
            if position >= len(buffer) - 1 or buffer.startswith("]", position):
                more = handle.read(1 << 16)
                if not more and (position >= len(buffer) or buffer.startswith("]", position)):
                    return
                buffer, position = buffer[position:] + more, 0
                continue
            try:
                item, end = decoder.raw_decode(buffer, position)
            except json.JSONDecodeError as error:
                more = handle.read(1 << 16)
                if more:
                    buffer, position = buffer[position:] + more, 0
                    continue
                yield index + 1, None, f"malformed JSON: {error.msg}"
                return
            index += 1
            yield index, item, ""
            position = end
            if position > (1 << 20):
                buffer, position = buffer[position:], 0


def _array_start(buffer: str, key: str) -> int:
    if key:
        marker = buffer.find(f'"{key}"')
        if marker < 0:
            raise RecordError(f"no {key!r} array found")
        start = buffer.find("[", marker)
    else:
        start = buffer.find("[")
    if start < 0:
        raise RecordError("expected a JSON array")
    return start + 1


def _skip_separators(buffer: str, position: int) -> int:
    while position < len(buffer) and buffer[position] in " \t\r\n,":
        position += 1
    return position


def parse_timestamp_ms(value: Any, field_name: str = "ts") -> int:
    """Epoch seconds, epoch milliseconds or ISO 8601 (naive means UTC) -> epoch milliseconds."""
    if isinstance(value, bool) or value is None or value == "":
        raise RecordError(f"missing or empty {field_name}")
    if isinstance(value, int | float) or (isinstance(value, str) and _is_number(value)):
        number = float(value)
        # WeCom exports use milliseconds; some re-exports use seconds.
        return int(number * 1000) if number < 1e11 else int(number)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as error:
            raise RecordError(f"{field_name} {value!r} is not a timestamp") from error
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return int(parsed.timestamp() * 1000)
    raise RecordError(f"{field_name} {value!r} is not a timestamp")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def require_text(value: Any, field_name: str) -> str:
    if not isinstance(value, str) or not value:
        raise RecordError(f"missing field {field_name!r}")
    return value


def check_length(text: str) -> str:
    if len(text) > MAX_TEXT_CHARS:
        raise RecordError(f"text of {len(text)} characters exceeds the {MAX_TEXT_CHARS} limit")
    return text
