"""Order attribution ("enabled performance", 赋能业绩; taxonomy v1, section 2).

An order counts for a conversation when the same customer orders, on any channel, within the
attribution window after a guide's touch (a guide message) in that conversation:
``touch.ts <= order.ts <= touch.ts + window``. When several touches qualify, the last touch
before the order wins (``rule="last_touch"``) or the first one (``rule="first_touch"``).

Touches are grouped per customer and sorted once; each order is then a binary search, so
millions of touches cost one sort.

>>> from datetime import datetime, timedelta
>>> day = datetime(2024, 5, 1)
>>> touches = [Touch("c1", "g1", "u1", day), Touch("c2", "g2", "u1", day + timedelta(days=2))]
>>> [a.guide_id for a in attribute_orders(touches, [Order("o1", "u1", day.replace(day=4), 99.0)])]
['g2']
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, NamedTuple

from salesbrain.schema import Conversation, Order, Role

AttributionRule = Literal["last_touch", "first_touch"]
DEFAULT_WINDOW = timedelta(days=7)


class Touch(NamedTuple):
    """A guide message in a conversation: the moment a guide touched a customer."""

    conversation_id: str
    guide_id: str
    customer_id: str
    ts: datetime


@dataclass(frozen=True, slots=True)
class Attribution:
    order_id: str
    guide_id: str
    conversation_id: str
    amount: float
    touch_ts: datetime


class _CustomerTouches(NamedTuple):
    times: list[datetime]
    touches: list[Touch]


def touches_of(conversations: Iterable[Conversation]) -> list[Touch]:
    """One touch per guide message, as attribution reads a conversation."""
    return [
        Touch(c.conversation_id, m.guide_id or c.guide_id, c.customer_id, m.ts)
        for c in conversations
        for m in c.messages
        if m.role is Role.GUIDE and not m.recalled
    ]


def attribute_orders(
    touches: Iterable[Touch | tuple[str, str, str, datetime]],
    orders: Iterable[Order],
    window: timedelta = DEFAULT_WINDOW,
    rule: AttributionRule = "last_touch",
) -> list[Attribution]:
    """Credit each order to one guide touch; orders with no touch in the window are left out.

    The result keeps the orders' input order. Ties between touches at the same instant are
    broken by conversation id then guide id, so the result never depends on input order.
    """
    if rule not in ("last_touch", "first_touch"):
        raise ValueError(f"unknown attribution rule {rule!r}: use 'last_touch' or 'first_touch'")
    if window < timedelta(0):
        raise ValueError(f"attribution window must not be negative, got {window}")
    by_customer = _index_by_customer(touches)
    credited = []
    for order in orders:
        touch = _winning_touch(by_customer.get(order.customer_id), order.ts, window, rule)
        if touch is not None:
            credited.append(Attribution(order.order_id, touch.guide_id, touch.conversation_id,
                                        order.amount, touch.ts))
    return credited


def _index_by_customer(
    touches: Iterable[Touch | tuple[str, str, str, datetime]],
) -> dict[str, _CustomerTouches]:
    grouped: dict[str, list[Touch]] = defaultdict(list)
    for raw in touches:
        touch = raw if isinstance(raw, Touch) else Touch(*raw)
        grouped[touch.customer_id].append(touch)
    index = {}
    for customer_id, items in grouped.items():
        items.sort(key=lambda t: (t.ts, t.conversation_id, t.guide_id))
        index[customer_id] = _CustomerTouches([t.ts for t in items], items)
    return index


def _winning_touch(
    customer: _CustomerTouches | None, order_ts: datetime, window: timedelta,
    rule: AttributionRule,
) -> Touch | None:
    if customer is None:
        return None
    end = bisect_right(customer.times, order_ts)  # touches at or before the order
    start = bisect_left(customer.times, order_ts - window)  # ... and not older than the window
    if start >= end:
        return None
    return customer.touches[end - 1] if rule == "last_touch" else customer.touches[start]
