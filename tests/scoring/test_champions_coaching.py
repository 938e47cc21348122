"""Champions, coaching points, store segments and the monthly recall lists."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from handbuilt import at, conversation

from salesbrain.schema import Guide, Order, OutreachTask
from salesbrain.scoring import ConversationInputs, FactsBuilder, score_guides
from salesbrain.scoring.champions import champion_conversation_ids, find_champions
from salesbrain.scoring.coaching import coaching_points
from salesbrain.scoring.outreach import (
    customer_owners,
    monthly_recall,
    read_birthdays,
    write_recall_tasks,
)
from salesbrain.scoring.segments import store_segments
from salesbrain.taxonomy import OUTCOME_KEYS

# guide -> (store, conversations, share ending well on product questions, on logistics)
PLAN = {
    "star": ("S1", 40, 0.9, 0.9),
    "weak": ("S1", 40, 0.1, 0.9),  # lags on product questions only
    "tiny": ("S1", 4, 1.0, 1.0),  # perfect, but too few conversations to be a champion
    "solid": ("S2", 40, 0.6, 0.6),
    "slack": ("S2", 40, 0.5, 0.5),
}
ROSTER = [Guide(g, g, store, "东") for g, (store, *_) in PLAN.items()]


def _facts():
    conversations, outcomes, intents = [], {}, {}
    for guide, (_, n, product, logistics) in PLAN.items():
        for k in range(n):
            cid = f"{guide}-{k:02d}"
            script = [("c", 3600 * k), ("g", 3600 * k + 30)]
            conversations.append(conversation(cid, guide, f"{guide}-u{k}", script))
            intent, rate = ("product_inquiry", product) if k % 2 == 0 else ("logistics", logistics)
            intents[cid] = intent
            won = (k // 2) < rate * (n / 2)
            outcomes[cid] = ("purchased" if intent == "product_inquiry" else "resolved") if won \
                else "lost"
    inputs = ConversationInputs(outcomes=outcomes, intents=intents)
    return FactsBuilder(ROSTER, [], [], inputs).add_all(conversations).build()


def test_champions_per_store_need_volume() -> None:
    facts = _facts()
    table = score_guides(facts, ROSTER, {"period": "all"})
    champions = find_champions(table, ROSTER, by="store", top=1, min_conversations=10)
    assert {(c.group, c.guide_id) for c in champions} == {("S1", "star"), ("S2", "solid")}
    brand = find_champions(table, ROSTER, by="brand", top=2, min_conversations=10)
    assert [c.rank for c in brand] == [1, 2] and brand[0].guide_id == "star"
    ids = champion_conversation_ids(facts, champions[:1])
    assert ids and all(i.startswith("star-") for i in ids)
    lost = {cid for cid, code in zip(facts.conversation_ids, facts.outcome, strict=True)
            if OUTCOME_KEYS[code] == "lost"}
    assert not set(ids) & lost
    assert len(ids) == 36  # 18 of 20 product questions bought, 18 of 20 logistics resolved


def test_coaching_points_name_the_lagging_intent_with_examples() -> None:
    facts = _facts()
    table = score_guides(facts, ROSTER, {"period": "all"})
    champions = find_champions(table, ROSTER, by="store", min_conversations=10)
    points = coaching_points(facts, champions, min_conversations=5, min_lag=0.2)
    weak = [p for p in points["weak"] if p.dimension == "intent"]
    assert [p.key for p in weak] == ["product_inquiry"]  # logistics is as good as the champions'
    point = weak[0]
    assert point.champion_rate > point.guide_rate + 0.2
    assert 2 <= len(point.guide_examples) <= 3
    assert all(e.startswith("weak-") for e in point.guide_examples)
    assert point.champion_example is not None and point.champion_example.startswith(
        ("star-", "solid-"))
    assert "star" not in points and "solid" not in points


def test_store_segments_and_actions() -> None:
    # store -> (executes her outreach tasks, share of conversations that buy)
    stores = {"A": (True, 0.6), "B": (True, 0.1), "C": (False, 0.1), "D": (False, 0.6)}
    roster = [Guide(f"g{store}", "", store, "东") for store in stores]
    conversations, outcomes, tasks = [], {}, []
    for store, (executes, rate) in stores.items():
        guide = f"g{store}"
        for k in range(40):
            cid, customer = f"{guide}-{k}", f"{guide}-u{k}"
            conversations.append(conversation(cid, guide, customer, [("g", 7200 * k),
                                                                    ("c", 7200 * k + 60)]))
            outcomes[cid] = "purchased" if k < rate * 40 else "lost"
            start = at(7200 * k - 60) if executes else at(7200 * k + 3600)
            tasks.append(OutreachTask(f"t{cid}", guide, customer, "campaign", start,
                                      at(7200 * k + 5400)))
    facts = FactsBuilder(roster, [], tasks, ConversationInputs(outcomes=outcomes)).add_all(
        conversations).build()
    found = {s.store_id: (s.segment, s.action) for s in store_segments(facts, roster)}
    assert found == {"A": ("willing_and_able", "cooperate"), "B": ("willing_not_able", "coach"),
                     "C": ("neither", "take_over"), "D": ("able_not_willing", "take_over")}


def test_monthly_recall_groups(tmp_path: Path) -> None:
    orders = [
        Order("o1", "u_last_year", datetime(2025, 11, 12, 3, tzinfo=UTC), 300.0),
        Order("o2", "u_lapsed", datetime(2024, 5, 1, tzinfo=UTC), 80.0),
        Order("o3", "u_recent", datetime(2026, 9, 1, tzinfo=UTC), 80.0),
        Order("o4", "u_recent", datetime(2024, 5, 1, tzinfo=UTC), 80.0),
        Order("o5", "u_birthday", datetime(2025, 11, 2, tzinfo=UTC), 10.0),
    ]
    members = tmp_path / "members.csv"
    members.write_text("customer_id,birthday\nu_birthday,1990-11-20\nu_other,03-02\n")
    birthdays = read_birthdays(members)
    tasks = monthly_recall(orders, {"u_last_year": "g1", "u_birthday": "g1"}, date(2026, 11, 1),
                           birthdays)
    groups = {t.customer_id: (t.guide_id, t.group) for ts in tasks.values() for t in ts}
    assert groups == {"u_birthday": ("g1", "birthday"),
                      "u_last_year": ("g1", "same_period_last_year"),
                      "u_lapsed": ("", "lapsed_two_years")}
    written = write_recall_tasks(tasks, tmp_path / "recall.csv", date(2026, 11, 1))
    lines = written.read_text().splitlines()
    assert lines[0] == "task_id,guide_id,customer_id,kind,assigned_ts,due_ts"
    assert len(lines) == 4 and "2026-11-30T23:59:59+08:00" in lines[1]


def test_birthday_file_errors_name_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "members.csv"
    bad.write_text("customer_id,birthday\nu1,13-45\n")
    with pytest.raises(ValueError, match="members.csv:2"):
        read_birthdays(bad)


def test_customer_owner_is_the_latest_guide() -> None:
    conversations = [conversation("a", "g1", "u1", [("c", 0)]),
                     conversation("b", "g2", "u1", [("c", 5000)])]
    facts = FactsBuilder(ROSTER, [], []).add_all(conversations).build()
    assert customer_owners(facts) == {"u1": "g2"}
