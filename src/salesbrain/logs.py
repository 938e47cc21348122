"""How salesbrain speaks on stderr: short lines for people, JSON lines for machines.

    configure_logging()                       # warnings as `warning: ...` lines
    configure_logging(verbose=True)           # and progress (INFO) as plain lines
    configure_logging(json_lines=True)        # one JSON object per record

stdout is left alone: it carries a command's result (the CLI contract's JSON lines).
`quiet_transformers()` hides transformers' own progress bars and warnings while a model
loads or saves; the library wraps its loads in it, so nothing is silenced globally.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TextIO

# Attributes every LogRecord has; anything else on a record came from `extra=` and is data.
_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class HumanLines(logging.Formatter):
    """`message` for progress, `warning: message` / `error: message` for what needs a look."""

    def format(self, record: logging.LogRecord) -> str:
        line = record.getMessage()
        data = _extra(record)
        if data:
            line += " (" + ", ".join(f"{key} {value}" for key, value in data.items()) + ")"
        if record.levelno >= logging.WARNING:
            line = f"{record.levelname.lower()}: {line}"
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return line


class JsonLines(logging.Formatter):
    """One JSON object per record: ts, level, logger, message and the record's `extra` data."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(_extra(record))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _extra(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _RECORD_FIELDS}


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is at the time of the record (tests swap it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _: TextIO) -> None:
        pass


def configure_logging(
    *, json_lines: bool = False, verbose: bool = False, own: Iterable[str] = ("salesbrain",)
) -> None:
    """Send log records to stderr, replacing what an earlier call installed.

    Other libraries stay at WARNING; the `own` logger namespaces show INFO when `verbose`.
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, StderrHandler)]:
        root.removeHandler(handler)
    handler = StderrHandler()
    handler.setFormatter(JsonLines() if json_lines else HumanLines())
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for name in own:
        logging.getLogger(name).setLevel(logging.INFO if verbose else logging.WARNING)
    # Python warnings become records too, so a JSON log stays one object per line.
    logging.captureWarnings(json_lines)


@contextmanager
def quiet_transformers() -> Iterator[None]:
    """Hide transformers' progress bars ("Loading weights") and warnings inside the block."""
    from transformers.utils import logging as hf_logging

    verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()
