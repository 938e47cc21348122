"""The three monthly recall groups, as task lists per guide.

At the start of each month every guide gets the customers to contact one to one:

- `birthday`: the customer's birthday falls in the month (birthday gift, member coupon);
- `same_period_last_year`: she bought in the same calendar month last year (seasonal
  re-purchase);
- `lapsed_two_years`: she has bought before, but nothing in the two years before the month
  (win-back).

Each task carries the reason in the words the guide reads (e.g. "去年同期 2025-11-05 购买
629 元"). A customer is put in one group only, in that order of priority, so nobody gets three
messages in a month. Her guide is the one she last talked to (`customer_owners`); customers
nobody talked to are listed under the guide id "" for cloud guides to take.

Birthdays are not in the message archive or the order feed; they come from the brand's member
file (a CSV with `customer_id,birthday`, the birthday as YYYY-MM-DD or MM-DD), stored as month
and day by `salesbrain ingest --members` (`Database.birthdays`) or read here by
`read_birthdays`. Without it the birthday group is empty.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from salesbrain.schema import Order
from salesbrain.scoring.facts import ConversationFacts

RECALL_GROUPS: dict[str, str] = {
    "birthday": "生日当月",
    "same_period_last_year": "去年同期购买",
    "lapsed_two_years": "两年未购",
}
BRAND_TZ = timezone(timedelta(hours=8))
MonthDay = tuple[int, int]


@dataclass(frozen=True, slots=True)
class RecallTask:
    guide_id: str
    customer_id: str
    group: str
    reason: str


def monthly_recall(
    orders: Iterable[Order],
    owners: Mapping[str, str],
    month: date,
    birthdays: Mapping[str, MonthDay] | None = None,
) -> dict[str, list[RecallTask]]:
    """Recall tasks per guide id for the month containing `month`."""
    start = datetime(month.year, month.month, 1, tzinfo=BRAND_TZ)
    last_year = start.replace(year=start.year - 1)
    last_year_end = _next_month(last_year)
    lapsed_before = start.replace(year=start.year - 2)
    bought_last_year: dict[str, Order] = {}
    last_order: dict[str, Order] = {}
    for order in orders:
        if order.ts >= start:
            continue
        if last_year <= order.ts < last_year_end:
            bought_last_year.setdefault(order.customer_id, order)
        if order.customer_id not in last_order or order.ts > last_order[order.customer_id].ts:
            last_order[order.customer_id] = order
    chosen: dict[str, tuple[str, str]] = {}
    for customer, (birth_month, day) in (birthdays or {}).items():
        if birth_month == start.month:
            chosen[customer] = ("birthday", f"生日 {birth_month:02d}-{day:02d}")
    for customer, order in bought_last_year.items():
        chosen.setdefault(customer, ("same_period_last_year",
                                     f"去年同期 {_day(order.ts)} 购买 {order.amount:.0f} 元"))
    for customer, order in last_order.items():
        if order.ts < lapsed_before:
            chosen.setdefault(customer, ("lapsed_two_years",
                                         f"上次购买 {_day(order.ts)}，两年未购"))
    tasks: dict[str, list[RecallTask]] = {}
    for customer in sorted(chosen):
        group, reason = chosen[customer]
        guide = owners.get(customer, "")
        tasks.setdefault(guide, []).append(RecallTask(guide, customer, group, reason))
    return tasks


def customer_owners(facts: ConversationFacts) -> dict[str, str]:
    """Each customer's guide: the one of her most recent conversation."""
    order = np.argsort(facts.started_ms, kind="stable")
    owners: dict[str, str] = {}
    for i in order:
        owners[facts.customer_ids[facts.customer[i]]] = facts.guide_ids[facts.guide[i]]
    return owners


def read_birthdays(path: Path) -> dict[str, MonthDay]:
    """The member file's birthdays: CSV with `customer_id` and `birthday` columns."""
    birthdays: dict[str, MonthDay] = {}
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or not {"customer_id", "birthday"} <= set(reader.fieldnames):
            raise ValueError(f"{path}: needs the columns customer_id and birthday")
        for line, row in enumerate(reader, start=2):
            birthdays[row["customer_id"]] = _month_day(row["birthday"], f"{path}:{line}")
    return birthdays


def write_recall_tasks(tasks: Mapping[str, list[RecallTask]], path: Path, month: date) -> Path:
    """Write the tasks as an outreach tasks CSV (`salesbrain ingest --tasks`) for the month."""
    start = datetime(month.year, month.month, 1, 9, tzinfo=BRAND_TZ)
    due = _next_month(start.replace(hour=0)) - timedelta(seconds=1)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["task_id", "guide_id", "customer_id", "kind", "assigned_ts", "due_ts"])
        number = 0
        for guide in sorted(tasks):
            for task in tasks[guide]:
                number += 1
                writer.writerow([f"R{start:%Y%m}-{number:06d}", guide, task.customer_id,
                                 task.group, start.isoformat(), due.isoformat()])
    return path


def _next_month(moment: datetime) -> datetime:
    if moment.month == 12:
        return moment.replace(year=moment.year + 1, month=1)
    return moment.replace(month=moment.month + 1)


def _day(ts: datetime) -> str:
    return ts.astimezone(BRAND_TZ).date().isoformat()


def _month_day(text: str, where: str) -> MonthDay:
    parts = text.strip().split("-")
    try:
        month, day = (int(p) for p in parts[-2:])
        date(2000, month, day)  # a leap year, so 02-29 is accepted
    except ValueError as error:
        # the value is left out: a birthday is personal data, and errors end up in logs
        raise ValueError(f"{where}: birthday is not YYYY-MM-DD or MM-DD") from error
    return month, day
