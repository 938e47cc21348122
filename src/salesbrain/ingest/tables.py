"""The brand's side tables: guide roster, orders feed, outreach tasks (CSV with a header)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salesbrain.ingest.records import RecordError, decoded_lines, parse_timestamp_ms, require_text


@dataclass(frozen=True, slots=True)
class TableSpec:
    table: str
    required: tuple[str, ...]
    convert: Callable[[dict[str, str]], dict[str, Any]]


def _guide(row: dict[str, str]) -> dict[str, Any]:
    return {
        "guide_id": require_text(row.get("guide_id"), "guide_id"),
        "name": row.get("name") or "",
        "store_id": row.get("store_id") or "",
        "region": row.get("region") or "",
    }


def _order(row: dict[str, str]) -> dict[str, Any]:
    try:
        amount = float(row.get("amount") or "")
    except ValueError as error:
        raise RecordError(f"amount {row.get('amount')!r} is not a number") from error
    if amount < 0:
        raise RecordError(f"amount {amount} is negative")
    return {
        "order_id": require_text(row.get("order_id"), "order_id"),
        "customer_id": require_text(row.get("customer_id"), "customer_id"),
        "ts_ms": parse_timestamp_ms(row.get("ts"), "ts"),
        "amount": amount,
        "channel": row.get("channel") or "",
    }


def _task(row: dict[str, str]) -> dict[str, Any]:
    assigned = parse_timestamp_ms(row.get("assigned_ts"), "assigned_ts")
    due = parse_timestamp_ms(row.get("due_ts"), "due_ts")
    if due < assigned:
        raise RecordError("due_ts is before assigned_ts")
    return {
        "task_id": require_text(row.get("task_id"), "task_id"),
        "guide_id": require_text(row.get("guide_id"), "guide_id"),
        "customer_id": require_text(row.get("customer_id"), "customer_id"),
        "kind": require_text(row.get("kind"), "kind"),
        "assigned_ms": assigned,
        "due_ms": due,
    }


GUIDES = TableSpec("guides", ("guide_id",), _guide)
ORDERS = TableSpec("orders", ("order_id", "customer_id", "ts", "amount"), _order)
TASKS = TableSpec(
    "outreach_tasks", ("task_id", "guide_id", "customer_id", "kind", "assigned_ts", "due_ts"), _task
)
# The tables of a brand export directory (as the simulator writes one), in loading order.
BRAND_TABLES: tuple[tuple[str, TableSpec], ...] = (
    ("guides.csv", GUIDES), ("orders.csv", ORDERS), ("tasks.csv", TASKS))


def read_table(path: Path, spec: TableSpec) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """Yield (line, row or None, reason); a file without the required columns fails at once."""
    rejected: list[tuple[int, str]] = []

    def good_lines() -> Iterator[str]:
        for line, text, reason in decoded_lines(path):
            if text is None:
                rejected.append((line, reason))
                continue
            yield text + "\n"

    reader = csv.DictReader(good_lines())
    missing = [c for c in spec.required if c not in (reader.fieldnames or [])]
    if missing:
        raise RecordError(f"{path}: missing column(s) {', '.join(missing)}")
    for row in reader:
        while rejected:
            line, reason = rejected.pop(0)
            yield line, None, reason
        try:
            yield reader.line_num, spec.convert(row), ""
        except RecordError as error:
            yield reader.line_num, None, str(error)
    for line, reason in rejected:
        yield line, None, reason
