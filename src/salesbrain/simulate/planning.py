"""HQ's outreach tasks and the calendar of conversations, planned before any message is written.

Planning first keeps the timing rules easy to guarantee:
- conversations with the same customer start at least `MIN_GAP_MS` apart, and each one ends
  before the next one's start minus 12 hours (its deadline), so sessions never blur;
- a task that the guide skipped leaves its window silent: no conversation with that customer
  starts between `assigned_ts - 36 h` and `due_ts`, so "the guide messaged the customer inside
  the window" is exactly "the task was executed".
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from salesbrain.simulate import catalog
from salesbrain.simulate.brand import DAY_MS, Brand, Customer

HOUR_MS = 3_600_000
MIN_GAP_MS = 72 * HOUR_MS
MAX_CONVERSATION_MS = 24 * HOUR_MS
SESSION_GAP_MS = 12 * HOUR_MS
BLOCK_BEFORE_MS = 36 * HOUR_MS
TZ_OFFSET_MS = 8 * HOUR_MS  # Asia/Shanghai, no daylight saving

TASK_DAYS = {"birthday": 3, "same_period_last_year": 5, "dormant_recall": 7,
             "new_member_welcome": 2, "campaign": 3}
INBOUND_PER_30_DAYS = {"regular": 4.0, "new_member": 3.2, "birthday": 3.2,
                       "same_period_last_year": 2.8, "dormant": 0.12}
# When customers write: quiet nights, a lunch bump and a busy evening.
CUSTOMER_HOURS = (0.2, 0.1, 0.05, 0.03, 0.03, 0.05, 0.2, 0.5, 1.0, 1.5, 2.0, 2.2, 2.5, 2.0, 1.8,
                  1.8, 1.8, 1.7, 1.8, 2.3, 2.8, 3.0, 2.4, 1.2)


# (start, kind, guide, customers, task_id, task_kind, roomid), before deadlines are known
Draft = tuple[int, str, int, tuple[int, ...], str, str, str]


@dataclass(frozen=True, slots=True)
class Task:
    task_id: str
    guide: int
    customer: int
    kind: str
    assigned_ms: int
    due_ms: int
    executed: bool


@dataclass(frozen=True, slots=True)
class Plan:
    """One conversation to generate.

    `kind`: inbound (the customer writes first), outreach (an HQ task), proactive (the guide
    writes first on her own) or group; `task_kind` names the outreach opener to use.
    """

    start_ms: int
    kind: str
    guide: int
    customers: tuple[int, ...]
    task_id: str
    task_kind: str
    roomid: str
    deadline_ms: int
    order_limit_ms: int  # an attributed order must come before this (the next conversation)


class Calendar:
    """Per-customer conversation starts and silent windows, with the spacing rules."""

    def __init__(self, n_customers: int) -> None:
        self.starts: list[list[int]] = [[] for _ in range(n_customers)]
        self.blocked: dict[int, list[tuple[int, int]]] = {}

    def is_free(self, customer: int, t: int) -> bool:
        starts = self.starts[customer]
        i = bisect.bisect_left(starts, t)
        if i < len(starts) and starts[i] - t < MIN_GAP_MS:
            return False
        if i > 0 and t - starts[i - 1] < MIN_GAP_MS:
            return False
        return all(not lo <= t <= hi for lo, hi in self.blocked.get(customer, ()))

    def book(self, customer: int, t: int) -> None:
        bisect.insort(self.starts[customer], t)

    def next_start(self, customer: int, t: int) -> int | None:
        starts = self.starts[customer]
        i = bisect.bisect_right(starts, t)
        return starts[i] if i < len(starts) else None


def local_day_start(start_ms: int) -> int:
    return start_ms - (start_ms + TZ_OFFSET_MS) % DAY_MS


def assign_tasks(rng: random.Random, brand: Brand, start_ms: int, days: int) -> list[Task]:
    """HQ's one-to-one outreach tasks, each executed or skipped by its guide."""
    day0 = local_day_start(start_ms)
    end_ms = start_ms + days * DAY_MS
    drafts: list[tuple[int, int, str, int]] = []  # (assigned, customer, kind, due)
    taken: dict[int, int] = {}  # customer -> due of her task, so task windows never overlap

    def add(customer: Customer, kind: str, day: int) -> None:
        assigned = day0 + day * DAY_MS + 9 * HOUR_MS
        due = assigned + TASK_DAYS[kind] * DAY_MS - 9 * HOUR_MS - 1000
        if assigned >= start_ms and due <= end_ms and customer.index not in taken:
            taken[customer.index] = due
            drafts.append((assigned, customer.index, kind, due))

    for customer in brand.customers:
        _segment_task(rng, customer, days, day0, add)
    for campaign in catalog.CAMPAIGNS:
        if 0 <= campaign.first_day <= days - TASK_DAYS["campaign"]:
            for customer in brand.customers:
                if customer.segment in ("regular", "same_period_last_year") and rng.random() < 0.3:
                    add(customer, "campaign", campaign.first_day)
    drafts.sort()
    return [Task(f"T{i + 1:06d}", brand.customers[c].guide, c, kind, assigned, due,
                 rng.random() < brand.guides[brand.customers[c].guide].p_execute)
            for i, (assigned, c, kind, due) in enumerate(drafts)]


def _segment_task(rng: random.Random, customer: Customer, days: int, day0: int,
                  add: Callable[[Customer, str, int], None]) -> None:
    segment = customer.segment
    if segment == "birthday" and customer.birthday_day is not None:
        add(customer, "birthday", max(0, customer.birthday_day - 2))
    elif segment == "same_period_last_year" and rng.random() < 0.8:
        add(customer, "same_period_last_year", rng.randrange(max(1, days - 4)))
    elif segment == "dormant" and rng.random() < 0.6:
        add(customer, "dormant_recall", rng.randrange(max(1, days - 6)))
    elif segment == "new_member" and customer.joined_ms is not None:
        add(customer, "new_member_welcome", (customer.joined_ms - day0) // DAY_MS + 1)


def plan_conversations(rng: random.Random, brand: Brand, tasks: list[Task], start_ms: int,
                       days: int) -> list[Plan]:
    """Every conversation of the period, sorted by start time."""
    end_ms = start_ms + days * DAY_MS
    calendar = Calendar(len(brand.customers))
    drafts: list[Draft] = []
    for task in tasks:
        if not task.executed:
            window = (task.assigned_ms - BLOCK_BEFORE_MS, task.due_ms)
            calendar.blocked.setdefault(task.customer, []).append(window)
    for task in tasks:
        if task.executed:
            t = _time_in_window(rng, task.assigned_ms + 600_000, task.due_ms - 2 * HOUR_MS)
            calendar.book(task.customer, t)
            drafts.append((t, "outreach", task.guide, (task.customer,), task.task_id, task.kind,
                           ""))
    _plan_groups(rng, brand, calendar, start_ms, days, drafts)
    _plan_one_to_one(rng, brand, calendar, start_ms, days, drafts)
    drafts.sort()
    # Replaced in place: at a million messages, holding drafts and plans together costs tens of MB.
    plans: list[Any] = drafts
    for i, draft in enumerate(drafts):
        plans[i] = _finish(calendar, draft, end_ms)
    return plans


def _finish(calendar: Calendar, draft: Draft, end_ms: int) -> Plan:
    t, kind, guide, customers, task_id, task_kind, roomid = draft
    nexts = [n for n in (calendar.next_start(c, t) for c in customers) if n is not None]
    limit = min(nexts, default=end_ms + 30 * DAY_MS)
    deadline = min(end_ms, t + MAX_CONVERSATION_MS, limit - SESSION_GAP_MS)
    return Plan(t, kind, guide, customers, task_id, task_kind, roomid, deadline,
                min(limit - 60_000, end_ms - 1000))


def _plan_groups(rng: random.Random, brand: Brand, calendar: Calendar, start_ms: int, days: int,
                 drafts: list[Draft]) -> None:
    end_ms = start_ms + days * DAY_MS
    for group in brand.groups:
        for _ in range(_poisson(rng, 1.5 * days / 30)):
            t = _guide_time(rng, start_ms, days)
            members = group.members
            joined = max((brand.customers[c].joined_ms or 0) for c in members)
            in_period = joined + HOUR_MS < t < end_ms - 600_000
            if in_period and all(calendar.is_free(c, t) for c in members):
                for c in group.members:
                    calendar.book(c, t)
                drafts.append((t, "group", group.guide, tuple(group.members), "", "campaign",
                               group.roomid))


def _plan_one_to_one(rng: random.Random, brand: Brand, calendar: Calendar, start_ms: int,
                     days: int, drafts: list[Draft]) -> None:
    end_ms = start_ms + days * DAY_MS
    for customer in brand.customers:
        guide = brand.guides[customer.guide]
        rate = INBOUND_PER_30_DAYS[customer.segment] * customer.activity
        proactive_rate = 0.0 if customer.segment == "dormant" else 0.7 * (0.3 + guide.talent)
        wishes = [("inbound", _customer_time(rng, start_ms, days))
                  for _ in range(_poisson(rng, rate * days / 30))]
        wishes += [("proactive", _guide_time(rng, start_ms, days))
                   for _ in range(_poisson(rng, proactive_rate * days / 30))]
        joined = customer.joined_ms or 0
        for kind, t in wishes:
            if joined + HOUR_MS < t < end_ms - 600_000 and calendar.is_free(customer.index, t):
                calendar.book(customer.index, t)
                task_kind = "proactive" if kind == "proactive" else ""
                drafts.append((t, kind, customer.guide, (customer.index,), "", task_kind, ""))


def _customer_time(rng: random.Random, start_ms: int, days: int) -> int:
    day0 = local_day_start(start_ms)
    hour = rng.choices(range(24), CUSTOMER_HOURS)[0]
    t = day0 + rng.randrange(days + 1) * DAY_MS + hour * HOUR_MS + rng.randrange(HOUR_MS)
    return max(t, start_ms + rng.randrange(HOUR_MS))


def _guide_time(rng: random.Random, start_ms: int, days: int) -> int:
    day0 = local_day_start(start_ms)
    t = day0 + rng.randrange(days + 1) * DAY_MS + rng.randrange(10 * HOUR_MS, 21 * HOUR_MS)
    return max(t, start_ms + rng.randrange(HOUR_MS))


def _time_in_window(rng: random.Random, lo: int, hi: int) -> int:
    """A working-hours moment in [lo, hi], falling back to any moment when the window is short."""
    for _ in range(8):
        t = rng.randint(lo, max(lo, hi))
        if 10 <= (t + TZ_OFFSET_MS) % DAY_MS // HOUR_MS < 21:
            return t
    return rng.randint(lo, max(lo, hi))


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: the means here are small."""
    limit, k, p = pow(2.718281828459045, -mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k
