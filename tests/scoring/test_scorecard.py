"""Scorecard math: components on known data, shrinkage, bands, weights, periods, groups."""

from __future__ import annotations

import numpy as np
import pytest
from handbuilt import at, conversation

from salesbrain.schema import Guide, Order, OutreachTask
from salesbrain.scoring import ConversationInputs, FactsBuilder, score_guides, weights_from
from salesbrain.scoring.periods import period_index
from salesbrain.scoring.shrinkage import beta_binomial, median_rank_bounds, wilson

DAY = 86_400.0
ROSTER = [Guide("g1", "一", "S1", "东"), Guide("g2", "二", "S2", "东")]


def card_of(table, guide_id):
    return next(card for card in table.cards() if card.group_id == guide_id)


def test_components_on_hand_built_conversations() -> None:
    conversations = [
        conversation("a1", "g1", "u1", [("c", 0), ("g", 30), ("c", 400), ("g", 490)]),
        conversation("a2", "g1", "u2", [("c", DAY), ("g", DAY + 50), ("c", DAY + 900)]),
        conversation("b1", "g2", "u3", [("c", 0), ("g", 600)]),
    ]
    tasks = [OutreachTask("t1", "g1", "u1", "birthday", at(-60), at(60)),
             OutreachTask("t2", "g1", "u9", "birthday", at(-60), at(60))]
    inputs = ConversationInputs(outcomes={"a1": "store_visit", "a2": "lost", "b1": "resolved"},
                                compliance_hits={"a2": 2})
    facts = FactsBuilder(ROSTER, [Order("o1", "u2", at(2 * DAY), 250.0)], tasks,
                         inputs).add_all(conversations).build()
    card = card_of(score_guides(facts, ROSTER, {"period": "all"}), "g1")
    c = card.components
    assert c["first_response_s"].value == 50.0  # median of 30, 90, 50
    assert c["first_response_s"].n == 3
    assert c["reply_coverage"].value == pytest.approx(3 / 4) and c["reply_coverage"].n == 4
    assert c["task_execution_rate"].value == 0.5 and c["task_execution_rate"].n == 2
    assert c["conversion_rate"].value == 0.5 and c["conversion_rate"].n == 2
    assert c["attributed_gmv"].value == 250.0
    assert c["compliance_violations"].value == 2
    assert c["quality"] is None
    assert card.n_conversations == 2
    assert any("quality omitted" in note for note in card.notes)
    for component in (v for v in c.values() if v is not None):
        assert component.low <= component.value <= component.high


def _brand(extra: dict[str, tuple[int, str]]) -> tuple:
    """20 ordinary guides converting 1 in 5, plus `extra` guides with n conversations each."""
    conversations, outcomes, roster = [], {}, []
    plan = {f"g{i:02d}": (50, "mixed") for i in range(20)} | extra
    for guide, (n, kind) in plan.items():
        roster.append(Guide(guide, guide, "S1", "东"))
        for k in range(n):
            cid = f"{guide}-{k}"
            script = [("c", k), ("g", k + 60)]
            conversations.append(conversation(cid, guide, f"{guide}u{k}", script))
            win = kind == "all" or (kind == "mixed" and k % 5 == 0)
            outcomes[cid] = "purchased" if win else "lost"
    facts = FactsBuilder(roster, [], [], ConversationInputs(outcomes=outcomes)).add_all(
        conversations).build()
    return facts, roster


@pytest.mark.parametrize("kind", ["all", "none"])
def test_shrinkage_ranks_three_conversations_behind_three_hundred(kind: str) -> None:
    facts, roster = _brand({"few": (3, kind), "many": (300, kind)})
    table = score_guides(facts, roster, {"period": "all"})
    few, many = card_of(table, "few"), card_of(table, "many")
    assert few.components["conversion_rate"].value == many.components["conversion_rate"].value
    if kind == "all":  # both 100 %: only the large book is evidence of skill
        assert few.components["conversion_rate"].estimate < many.components[
            "conversion_rate"].estimate
        assert few.rank > many.rank
    else:  # both 0 %: only the large book is evidence of weakness
        assert few.rank < many.rank
    assert few.score_high - few.score_low > many.score_high - many.score_low


def test_beta_binomial_prior_strength_and_limits() -> None:
    shrunk = beta_binomial(np.array([3, 300, 10, 10]), np.array([3, 300, 50, 50]))
    assert 2.0 <= shrunk.prior_strength <= 500.0
    assert shrunk.mean[0] < shrunk.mean[1] <= 1.0
    assert np.all(shrunk.sd > 0)


def test_wilson_and_median_bounds() -> None:
    low, high = wilson(np.array([0, 3, 0]), np.array([0, 3, 10]))
    assert np.isnan(low[0]) and np.isnan(high[0])
    assert high[1] == pytest.approx(1.0) and 0.3 < low[1] < 0.5
    assert low[2] == pytest.approx(0.0)
    lo, hi = median_rank_bounds(np.array([1, 100]))
    assert (lo[0], hi[0]) == (0, 0)
    assert lo[1] < 50 <= hi[1] and hi[1] < 100


def test_weights_override_is_strict() -> None:
    assert weights_from({"conversion_rate": 0.5}).conversion_rate == 0.5
    with pytest.raises(ValueError, match="unknown setting"):
        weights_from({"conversion": 0.5})
    with pytest.raises(TypeError):
        weights_from({"conversion_rate": "high"})
    with pytest.raises(ValueError, match="non-negative"):
        weights_from({"conversion_rate": -1.0})
    with pytest.raises(ValueError, match="period"):
        score_guides(_brand({})[0], (), {"period": "fortnight"})


def test_weights_change_the_ranking() -> None:
    conversations = [
        conversation(f"fast{i}", "g1", f"u{i}", [("c", 0), ("g", 10)]) for i in range(30)
    ] + [conversation(f"slow{i}", "g2", f"v{i}", [("c", 0), ("g", 3000)]) for i in range(30)]
    outcomes = {f"slow{i}": "purchased" if i % 2 else "lost" for i in range(30)}
    outcomes |= {f"fast{i}": "purchased" if i % 10 == 0 else "lost" for i in range(30)}
    facts = FactsBuilder(ROSTER, [], [], ConversationInputs(outcomes=outcomes)).add_all(
        conversations).build()
    speed = {name: 0.0 for name in ("reply_coverage", "task_execution_rate", "conversion_rate",
                                    "attributed_gmv", "quality", "compliance_violations")}
    by_speed = score_guides(facts, ROSTER, {"period": "all"}, speed)
    by_sales = score_guides(facts, ROSTER, {"period": "all"}, {"first_response_s": 0.0})
    assert card_of(by_speed, "g1").rank == 1
    assert card_of(by_sales, "g2").rank == 1


def test_weekly_periods_start_on_monday_in_brand_time() -> None:
    monday_early = int(at(-3 * 3600).timestamp() * 1000)  # Monday 07:00 in Shanghai
    monday = int(at(0).timestamp() * 1000)
    before = int(at(-11 * 3600).timestamp() * 1000)  # Sunday 23:00 in Shanghai
    index, labels = period_index(np.array([before, monday_early, monday]), "week")
    assert labels == ["2026-09-28", "2026-10-05"]
    assert index.tolist() == [0, 1, 1]


def test_scorecards_by_store_pool_their_guides() -> None:
    facts, _ = _brand({})
    roster = [Guide(f"g{i:02d}", "", f"S{i % 2}", "东") for i in range(20)]
    table = score_guides(facts, roster, {"period": "all", "group_by": "store"})
    assert sorted(table.group_ids) == ["S0", "S1"]
    assert sorted(table.n_conversations.tolist()) == [500, 500]
