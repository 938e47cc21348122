"""The brand's side tables: guide roster, orders feed, outreach tasks, member file (CSV with a
header)."""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from salesbrain.db.database import Database
from salesbrain.ingest.records import RecordError, decoded_lines, parse_timestamp_ms, require_text

Rows = list[dict[str, Any]]
BIRTHDAY = re.compile(r"(?:(\d{4})-)?(\d{1,2})-(\d{1,2})")


def insert_new(store: Database, table: str, rows: Rows) -> int:
    """Rows whose key is stored already are left alone (orders and tasks never change)."""
    return store.upsert_rows(table, rows)


def replace_birthdays(store: Database, _table: str, rows: Rows) -> int:
    """A member's birthday replaces the stored one: members correct and remove theirs."""
    return store.set_birthdays(rows)


@dataclass(frozen=True, slots=True)
class TableSpec:
    table: str
    required: tuple[str, ...]
    convert: Callable[[dict[str, str]], dict[str, Any]]
    write: Callable[[Database, str, Rows], int] = insert_new  # -> rows stored or changed


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


def _member(row: dict[str, str]) -> dict[str, Any]:
    text = (row.get("birthday") or "").strip()
    return {"customer_id": require_text(row.get("customer_id"), "customer_id"),
            "birthday": month_day(text) if text else None}


def month_day(text: str) -> str:
    """A birthday as YYYY-MM-DD or MM-DD -> "MM-DD": the year is checked, then dropped.

    The reason of a bad one leaves the value out: it is personal data, and reasons are logged.

    >>> month_day("1990-03-07"), month_day("2-29")
    ('03-07', '02-29')
    """
    match = BIRTHDAY.fullmatch(text)
    try:
        if match is None:
            raise ValueError("not a date")
        year, month, day = match.groups()
        date(int(year or 2000), int(month), int(day))  # 2000 is a leap year: 02-29 is fine
    except ValueError:
        raise RecordError("birthday is not a date as YYYY-MM-DD or MM-DD") from None
    return f"{int(month):02d}-{int(day):02d}"


GUIDES = TableSpec("guides", ("guide_id",), _guide)
ORDERS = TableSpec("orders", ("order_id", "customer_id", "ts", "amount"), _order)
TASKS = TableSpec(
    "outreach_tasks", ("task_id", "guide_id", "customer_id", "kind", "assigned_ts", "due_ts"), _task
)
# Birthdays only: an empty birthday clears the stored one.
MEMBERS = TableSpec("customers", ("customer_id", "birthday"), _member, replace_birthdays)
# The tables of a brand export directory (as the simulator writes one), in loading order.
BRAND_TABLES: tuple[tuple[str, TableSpec], ...] = (
    ("guides.csv", GUIDES), ("orders.csv", ORDERS), ("tasks.csv", TASKS))
# Tables a brand export may leave out (a brand without a member file has no birthdays).
OPTIONAL_BRAND_TABLES: tuple[tuple[str, TableSpec], ...] = (("members.csv", MEMBERS),)


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
