"""What the command line tells a person: a few short lines per command result.

`voice()` says whether this run speaks JSON (`--json`) or to people; the `*_lines` functions
turn the result a command prints as JSON into the lines a person reads instead (the JSON
itself never changes shape here); `one_line_errors()` turns a user's mistake into one line.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import json
import logging
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

import typer

from salesbrain.logs import configure_logging

# Loggers whose progress (INFO) `-v` shows; everything else stays at WARNING.
OWN_LOGGERS = ("salesbrain", "service")
# Errors that come from what the user asked for: bad paths, settings, versions, records.
USER_ERRORS: tuple[type[Exception], ...] = (OSError, ValueError)


@dataclass(frozen=True)
class Voice:
    """How this run speaks: JSON for machines or lines for people, and how much."""

    json: bool = False
    verbose: bool = False


_VOICE: contextvars.ContextVar[Voice | None] = contextvars.ContextVar("voice", default=None)


def speak(json_lines: bool, verbose: bool) -> None:
    """Set this run's voice (the root options) and log accordingly."""
    _VOICE.set(Voice(json=json_lines, verbose=verbose))
    configure_logging(json_lines=json_lines, verbose=verbose, own=OWN_LOGGERS)


def voice(json_flag: bool = False) -> Voice:
    """This run's voice, where a command's own `--json` also switches to JSON."""
    current = _VOICE.get() or Voice()
    if json_flag and not current.json:
        speak(json_lines=True, verbose=current.verbose)
    return _VOICE.get() or current


def fail(message: str) -> NoReturn:
    """Exit non-zero with a one-line reason."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=1)


@contextlib.contextmanager
def one_line_errors(*also: type[Exception]) -> Iterator[None]:
    """A user's mistake (`USER_ERRORS`, and `also`) ends the command with `error: <reason>`;
    with -v the traceback comes first."""
    try:
        yield
    except (*USER_ERRORS, *also) as error:
        if voice().verbose:
            traceback.print_exc()
        fail(str(error).splitlines()[0] if str(error).strip() else type(error).__name__)


def say(speaker: Voice, result: Any, lines: list[str]) -> None:
    """The command's result: JSON for machines, short lines for people."""
    if speaker.json:
        typer.echo(json.dumps(result, ensure_ascii=False, default=str))
    else:
        for line in lines:
            typer.echo(line)


def simulation_lines(summary: Mapping[str, Any], guides: int, customers: int,
                     days: int) -> list[str]:
    out = summary["out_dir"]
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(summary.get("outcomes", {}).items()))
    return [
        f"simulated a brand of {guides} guides and {customers} customers over {days} days "
        f"(seed {summary['seed']}) in {out}/",
        f"  {summary['messages']} messages in {summary['conversations']} conversations; "
        f"{summary['tasks']} outreach tasks ({summary['execution_rate']:.0%} executed); "
        f"{summary['orders']} orders ({summary['attributed_orders']} attributed to a chat)",
        f"  outcomes: {outcomes or 'none'}",
        f"next: salesbrain ingest {out}/archive.jsonl --guides {out}/guides.csv "
        f"--orders {out}/orders.csv --tasks {out}/tasks.csv --members {out}/members.csv",
    ]


def ingestion_lines(summary: Mapping[str, int]) -> list[str]:
    lines = [
        f"ingested {summary['read']} records: {summary['stored']} stored, "
        f"{summary['duplicates']} already there, {summary['quarantined']} quarantined, "
        f"{summary['redacted']} redacted, {summary['events']} events"
    ]
    if summary["quarantined"]:
        lines.append("  see `salesbrain quarantine list` for each record's file, line and reason")
    return lines


def analysis_lines(report: Mapping[str, Any]) -> list[str]:
    dashboard = report.get("dashboard")
    materialised = ([f"dashboard materialised for {dashboard['conversations']} conversations "
                     f"in {dashboard['seconds']} s"] if dashboard else [])
    if not report["conversations"]:
        return [f"nothing changed since brain {report['brain']} last looked", *materialised]
    precisions = ", ".join(f"{stage} {report[f'{stage}_precision']}"
                           for stage in ("intent", "quality") if report.get(f"{stage}_precision"))
    return [
        f"analysed {report['conversations']} conversations ({report['messages']} messages) with "
        f"brain {report['brain']} in {report['seconds']} s",
        f"  {report['messages_per_s']} messages/s on "
        + (f"{report['workers']} Ray worker{'s' if report['workers'] > 1 else ''}, each on "
           if report.get("workers") else "")
        + f"{report['threads']} threads"
        + (f"; {precisions}" if precisions else ""),
        *materialised,
    ]


def training_lines(result: Mapping[str, Any]) -> list[str]:
    seconds = result.get("train_seconds", {})
    timings = ", ".join(f"{name} {seconds.get(name, 0):.0f} s" for name in result["stages"])
    live = "live" if result["live"] else "not live: `salesbrain models promote " \
        f"{result['version']}` makes it so"
    return [f"brain {result['version']} in {result['brain_dir']} ({live})",
            f"  trained: {timings}",
            f"  evaluated on {len(result['eval'])} held-out sets"
            if result["eval"] else "  not evaluated (no held-out data)"]


def metric_lines(metrics: Mapping[str, Any], indent: str = "") -> list[str]:
    """Metrics one per line; nested ones (per class) indented under their key."""
    lines = []
    for key, value in metrics.items():
        if isinstance(value, Mapping):
            lines.append(f"{indent}{key}:")
            lines.extend(metric_lines(value, indent + "  "))
        else:
            lines.append(f"{indent}{key}: {value}")
    return lines


class LogLines(io.TextIOBase):
    """A text stream that logs each complete line it is written, so a job's printed progress
    joins the structured log instead of mixing into stdout."""

    def __init__(self, logger: logging.Logger, level: int = logging.INFO) -> None:
        self.logger, self.level, self.pending = logger, level, ""

    def write(self, text: str) -> int:
        *lines, self.pending = (self.pending + text).split("\n")
        for line in lines:
            if line.strip():
                self.logger.log(self.level, line.rstrip())
        return len(text)

    def flush(self) -> None:
        if self.pending.strip():
            self.logger.log(self.level, self.pending.rstrip())
        self.pending = ""
