"""Orders not caused by a conversation: the segment's purchase history and background buying.

History gives the segments their meaning in the data (a dormant customer's last order is over
two years old; a same-period customer bought in this season last year). Background orders
during the period avoid every window that would attribute them to a guide (from a
conversation's first guide message to 7 days after its last), so the truth's attribution is
exactly what the attribution rule computes.
"""

from __future__ import annotations

import random
from datetime import date
from operator import itemgetter

from salesbrain.simulate import catalog
from salesbrain.simulate.brand import DAY_MS, Brand, Customer
from salesbrain.simulate.planning import HOUR_MS, local_day_start

Order = tuple[int, int, float, str]  # (ts_ms, customer index, amount, channel)
TouchWindows = list[list[tuple[int, int]]]  # per customer: (first touch, last touch + 7 days)
BACKGROUND_PER_30_DAYS = {"regular": 0.45, "new_member": 0.25, "birthday": 0.45,
                          "same_period_last_year": 0.35, "dormant": 0.02}


def random_amount(rng: random.Random) -> float:
    product = rng.choice(catalog.PRODUCTS)
    quantity = rng.choices((1, 2, 3), (0.8, 0.16, 0.04))[0]
    discount = rng.choice((1.0, 0.95, 0.9, 0.88, 0.85, 0.8))
    return round(product.price * quantity * discount, 2)


def _store_hours(rng: random.Random, day_start_ms: int) -> int:
    return day_start_ms + rng.randint(10 * HOUR_MS, 22 * HOUR_MS - 1000)


def _channel(rng: random.Random) -> str:
    return rng.choices(catalog.BACKGROUND_CHANNELS, catalog.BACKGROUND_CHANNEL_WEIGHTS)[0]


def history_orders(rng: random.Random, brand: Brand, start_ms: int, days: int) -> list[Order]:
    """Orders before the period (and new members' joining purchase) that define segments."""
    day0 = local_day_start(start_ms)
    orders: list[Order] = []
    for customer in brand.customers:
        for day in _history_days(rng, customer, days):
            ts = _store_hours(rng, day0 + day * DAY_MS)
            orders.append((ts, customer.index, random_amount(rng), _channel(rng)))
        if customer.joined_ms is not None and rng.random() < 0.6:
            orders.append((customer.joined_ms, customer.index, random_amount(rng), "store"))
    return orders


def _history_days(rng: random.Random, customer: Customer, days: int) -> list[int]:
    segment = customer.segment
    if segment == "regular":
        return [-rng.randint(20, 330) for _ in range(rng.randint(1, 4))]
    if segment == "same_period_last_year":
        extra = [-rng.randint(40, 300)] if rng.random() < 0.5 else []
        return [-365 + rng.randrange(max(1, days))] + extra
    if segment == "dormant":
        return [-rng.randint(731, 1100) for _ in range(rng.randint(1, 2))]
    if segment == "birthday":
        return [-rng.randint(20, 360) for _ in range(rng.randint(0, 2))]
    return []


def background_orders(rng: random.Random, brand: Brand, windows: TouchWindows, start_ms: int,
                      days: int) -> list[Order]:
    """Orders during the period on any channel, outside every attribution window."""
    day0 = local_day_start(start_ms)
    end_ms = start_ms + days * DAY_MS
    orders: list[Order] = []
    for customer in brand.customers:
        mean = BACKGROUND_PER_30_DAYS[customer.segment] * customer.activity * days / 30
        for _ in range(_count(rng, mean)):
            ts = _store_hours(rng, day0 + rng.randrange(days + 1) * DAY_MS)
            in_period = max(start_ms, customer.joined_ms or 0) < ts < end_ms
            if in_period and _unattributed(ts, windows[customer.index]):
                orders.append((ts, customer.index, random_amount(rng), _channel(rng)))
    return orders


def _unattributed(ts: int, windows: list[tuple[int, int]]) -> bool:
    return all(not lo <= ts <= hi for lo, hi in windows)


def _count(rng: random.Random, mean: float) -> int:
    whole = int(mean)
    return whole + (rng.random() < mean - whole)


def sort_orders(orders: list[tuple[Order, str | None]]) -> None:
    """Time order, in place (then customer, amount, channel; the sort is stable for full ties)."""
    orders.sort(key=itemgetter(0))


def order_id(serial: int, ts_ms: int) -> str:
    """The id of the `serial`-th order (from 0) in time order: SO<local yyyymmdd><serial>."""
    days_since_epoch = (ts_ms + 8 * HOUR_MS) // DAY_MS
    day = date.fromordinal(days_since_epoch + _EPOCH_ORDINAL).strftime("%Y%m%d")
    return f"SO{day}{serial + 1:07d}"


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
