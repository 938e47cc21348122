"""Per-conversation facts on hand-built conversations: questions, replies, tasks, attribution."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest
from handbuilt import T0, at, conversation

from salesbrain.attribution import attribute_orders, touches_of
from salesbrain.schema import Guide, Order, OutreachTask
from salesbrain.scoring import ConversationInputs, FactsBuilder
from salesbrain.taxonomy import OUTCOME_KEYS

DAY = 86_400.0


def build(conversations, orders=(), tasks=(), inputs=None):
    roster = [Guide("g1", "一", "S1", "东"), Guide("g2", "二", "S1", "东")]
    return FactsBuilder(roster, orders, tasks, inputs).add_all(conversations).build()


def test_bursts_replies_and_reply_times() -> None:
    script = [("c", 0), ("c", 10), ("g", 70),  # one question (burst), answered after 70 s
              ("c", 600), ("c", 1200), ("g", 1300),  # unanswered, then a nudge answered in 100 s
              ("s", 1400), ("c", 2000)]  # system message ignored; last question unanswered
    facts = build([conversation("cv1", "g1", "u1", script)])
    assert (facts.questions[0], facts.answered[0], facts.guide_messages[0]) == (4, 2, 2)
    assert sorted(facts.response_s.tolist()) == [70.0, 100.0]


def test_recalled_messages_do_not_count() -> None:
    script = [("c", 0), ("g", 30), ("c", 300)]
    facts = build([conversation("cv1", "g1", "u1", script, recalled=[1])])
    assert (facts.questions[0], facts.answered[0], facts.guide_messages[0]) == (2, 0, 0)


def test_task_executed_only_by_a_one_to_one_message_inside_its_window() -> None:
    tasks = [
        OutreachTask("t1", "g1", "u1", "birthday", at(-3600), at(3600)),  # message at 0: done
        OutreachTask("t2", "g1", "u1", "campaign", at(DAY), at(2 * DAY)),  # nothing then
        OutreachTask("t3", "g1", "u2", "campaign", at(-3600), at(3600)),  # group chat only
        OutreachTask("t4", "g2", "u1", "campaign", at(-3600), at(3600)),  # another guide's
    ]
    conversations = [conversation("cv1", "g1", "u1", [("g", 0), ("c", 60)]),
                     conversation("cv2", "g1", "u2", [("g", 0)], room="wr1")]
    facts = build(conversations, tasks=tasks)
    executed = dict(zip(facts.task_ids, facts.task_executed.tolist(), strict=True))
    assert executed == {"t1": True, "t2": False, "t3": False, "t4": False}


def test_attribution_last_touch_inside_seven_days_wins() -> None:
    conversations = [
        conversation("cv1", "g1", "u1", [("c", 0), ("g", 60)]),
        conversation("cv2", "g2", "u1", [("c", 2 * DAY), ("g", 2 * DAY + 60)]),
        conversation("cv3", "g1", "u2", [("g", 0)]),
    ]
    orders = [Order("o1", "u1", at(3 * DAY), 300.0),  # both touched; g2's touch is the last
              Order("o2", "u2", at(8 * DAY), 900.0),  # 8 days after the only touch: nobody
              Order("o3", "u2", at(-DAY), 50.0)]  # before any touch: nobody
    facts = build(conversations, orders=orders)
    gmv = dict(zip(facts.conversation_ids, facts.gmv.tolist(), strict=True))
    assert gmv == {"cv1": 0.0, "cv2": 300.0, "cv3": 0.0}


def test_kept_touches_credit_exactly_what_all_touches_credit() -> None:
    rng = np.random.default_rng(3)
    conversations, orders = [], []
    for i in range(60):
        start = float(rng.uniform(0, 20 * DAY))
        script = [("c", start)] + [("g", start + float(s)) for s in sorted(rng.uniform(0, DAY, 4))]
        guide, customer = f"g{1 + i % 2}", f"u{i % 7}"
        conversations.append(conversation(f"cv{i:02d}", guide, customer, script))
    for j in range(40):
        orders.append(Order(f"o{j}", f"u{j % 7}", at(float(rng.uniform(0, 25 * DAY))), 10.0 + j))
    facts = build(conversations, orders=orders)
    expected = {c.conversation_id: 0.0 for c in conversations}
    for credit in attribute_orders(touches_of(conversations), orders, timedelta(days=7)):
        expected[credit.conversation_id] += credit.amount
    assert dict(zip(facts.conversation_ids, facts.gmv.tolist(), strict=True)) == pytest.approx(
        expected)


def test_outcomes_from_labels_else_by_the_documented_rule() -> None:
    conversations = [
        conversation("bought", "g1", "u1", [("c", 0), ("g", 60)]),
        conversation("silent", "g1", "u2", [("g", 0)]),
        conversation("talked", "g1", "u3", [("c", 0), ("g", 60)]),
        conversation("labelled", "g1", "u4", [("c", 0), ("g", 60)]),
    ]
    facts = build(conversations, orders=[Order("o1", "u1", at(DAY), 99.0)],
                  inputs=ConversationInputs(outcomes={"labelled": "store_visit"}))
    outcomes = {cid: OUTCOME_KEYS[code] for cid, code in
                zip(facts.conversation_ids, facts.outcome.tolist(), strict=True)}
    assert outcomes == {"bought": "purchased", "silent": "no_reply", "talked": "lost",
                        "labelled": "store_visit"}
    assert facts.inferred_outcomes == 3


def test_unknown_taxonomy_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown taxonomy key"):
        build([conversation("cv1", "g1", "u1", [("c", 0)])],
              inputs=ConversationInputs(outcomes={"cv1": "sold"}))


def test_customer_segment_from_order_history_or_input() -> None:
    conversations = [conversation("cv1", "g1", "u1", [("c", 0)]),
                     conversation("cv2", "g1", "u2", [("c", 0)]),
                     conversation("cv3", "g1", "u3", [("c", 0)])]
    facts = build(conversations, orders=[Order("o0", "u1", T0 - timedelta(days=400), 1.0)],
                  inputs=ConversationInputs(customer_segments={"u3": "birthday"}))
    names = [facts.segment_names[s] for s in facts.segment]
    assert names == ["returning", "new", "birthday"]
