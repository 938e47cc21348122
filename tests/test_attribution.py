"""Attribution: window edges, several guides, ties, rules and the no-touch case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from salesbrain.attribution import Touch, attribute_orders, touches_of
from salesbrain.schema import Conversation, Message, Order, Role

T0 = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def order(order_id: str, customer: str, ts: datetime, amount: float = 100.0) -> Order:
    return Order(order_id, customer, ts, amount)


def test_order_inside_window_is_credited_to_the_touching_guide() -> None:
    touches = [Touch("c1", "g1", "u1", T0)]
    [credit] = attribute_orders(touches, [order("o1", "u1", T0 + timedelta(days=3), 250.0)])
    assert (credit.order_id, credit.guide_id, credit.conversation_id) == ("o1", "g1", "c1")
    assert credit.amount == 250.0 and credit.touch_ts == T0


@pytest.mark.parametrize(
    ("delay", "credited"),
    [
        (timedelta(0), True),
        (WEEK, True),
        (WEEK + timedelta(seconds=1), False),
        (-timedelta(seconds=1), False),
    ],
)
def test_window_edges_are_inclusive_and_orders_before_the_touch_do_not_count(
    delay: timedelta, credited: bool
) -> None:
    result = attribute_orders([Touch("c1", "g1", "u1", T0)], [order("o1", "u1", T0 + delay)])
    assert bool(result) is credited


def test_last_touch_wins_by_default_and_first_touch_is_configurable() -> None:
    touches = [
        ("c2", "g2", "u1", T0 + timedelta(days=2)),
        ("c1", "g1", "u1", T0),
        ("c3", "g3", "u1", T0 + timedelta(days=5)),  # after the order: never credited
    ]
    orders = [order("o1", "u1", T0 + timedelta(days=4))]
    assert attribute_orders(touches, orders)[0].guide_id == "g2"
    assert attribute_orders(touches, orders, rule="first_touch")[0].guide_id == "g1"


def test_first_touch_ignores_touches_older_than_the_window() -> None:
    touches = [Touch("c1", "g1", "u1", T0), Touch("c2", "g2", "u1", T0 + timedelta(days=6))]
    orders = [order("o1", "u1", T0 + timedelta(days=10))]
    assert attribute_orders(touches, orders, rule="first_touch")[0].guide_id == "g2"


def test_orders_without_a_touch_of_the_same_customer_are_left_out() -> None:
    touches = [Touch("c1", "g1", "u1", T0)]
    later = T0 + timedelta(hours=1)
    orders = [order("o1", "u2", later), order("o2", "u1", later)]
    assert [a.order_id for a in attribute_orders(touches, orders)] == ["o2"]
    assert attribute_orders([], orders) == []


def test_custom_window_and_simultaneous_touches_are_deterministic() -> None:
    touches = [Touch("c9", "g9", "u1", T0), Touch("c1", "g1", "u1", T0)]
    orders = [order("o1", "u1", T0 + timedelta(days=2))]
    assert attribute_orders(touches, orders, window=timedelta(days=1)) == []
    assert attribute_orders(touches, orders)[0].guide_id == "g9"
    assert attribute_orders(list(reversed(touches)), orders)[0].guide_id == "g9"


def test_bad_rule_and_negative_window_fail() -> None:
    with pytest.raises(ValueError, match="rule"):
        attribute_orders([], [], rule="linear")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="window"):
        attribute_orders([], [], window=-WEEK)


def test_touches_come_from_guide_messages_only() -> None:
    def msg(i: int, role: Role, recalled: bool = False) -> Message:
        return Message(f"m{i}", "g1", "u1", role, T0 + timedelta(minutes=i), recalled=recalled)

    conversation = Conversation(
        "c1", "g1", "u1", (msg(0, Role.CUSTOMER), msg(1, Role.GUIDE), msg(2, Role.GUIDE, True))
    )
    assert touches_of([conversation]) == [Touch("c1", "g1", "u1", T0 + timedelta(minutes=1))]


def test_many_customers_each_get_their_own_last_touch() -> None:
    touches = [Touch(f"c{i}", f"g{i % 7}", f"u{i % 100}", T0 + timedelta(hours=i))
               for i in range(5000)]
    orders = [order(f"o{k}", f"u{k}", T0 + timedelta(hours=4950 + k)) for k in range(100)]
    credits = attribute_orders(touches, orders)
    assert len(credits) == 100
    for credit, ordered in zip(credits, orders, strict=True):
        expected = max((t for t in touches if t.customer_id == ordered.customer_id
                        and t.ts <= ordered.ts), key=lambda t: t.ts)
        assert credit.conversation_id == expected.conversation_id
