"""Trends summed from daily aggregates equal the sums over the conversations themselves."""

from __future__ import annotations

import numpy as np
import pytest

from eval.bench_scoring import synthetic_facts
from salesbrain.scoring.daily import (
    EDGES,
    daily_activity,
    median_reply_s,
    reply_bins,
    trend_sums,
)
from salesbrain.scoring.facts import ConversationFacts
from salesbrain.scoring.periods import period_index
from salesbrain.taxonomy import INTENT_KEYS, OUTCOME_KEYS


@pytest.fixture(scope="module")
def facts() -> ConversationFacts:
    return synthetic_facts(30, 45, seed=3)


def exact(facts: ConversationFacts, guide_ids: set[str] | None, period: str) -> list[dict]:
    """The same sums straight from the conversations."""
    codes = [k for k, g in enumerate(facts.guide_ids) if guide_ids is None or g in guide_ids]
    rows = np.flatnonzero(np.isin(facts.guide, codes))
    index, labels = period_index(facts.started_ms[rows], period)
    of_row = np.full(len(facts), -1)
    of_row[rows] = index
    reply_period = of_row[facts.response_conversation]
    found = []
    for p, label in enumerate(labels):
        mine = rows[index == p]
        intents = np.bincount(facts.intent[mine], minlength=len(INTENT_KEYS))
        outcomes = np.bincount(facts.outcome[mine], minlength=len(OUTCOME_KEYS))
        found.append({"period": label, "conversations": len(mine),
                      "intents": nonzero(INTENT_KEYS, intents),
                      "outcomes": nonzero(OUTCOME_KEYS, outcomes),
                      "replies": facts.response_s[reply_period == p]})
    return found


def nonzero(keys: tuple[str, ...], counts: np.ndarray) -> dict[str, int]:
    return {k: int(v) for k, v in zip(keys, counts, strict=True) if v}


@pytest.mark.parametrize("period", ["week", "month"])
@pytest.mark.parametrize("chosen", [None, 4])
def test_trend_sums_equal_the_conversations_sums(facts: ConversationFacts, period: str,
                                                 chosen: int | None) -> None:
    guide_ids = None if chosen is None else set(facts.guide_ids[3:3 + chosen])
    summed = trend_sums(daily_activity(facts), guide_ids, period)
    expected = exact(facts, guide_ids, period)
    assert [s.period for s in summed] == [e["period"] for e in expected]
    for sums, want in zip(summed, expected, strict=True):
        assert (sums.conversations, sums.intents, sums.outcomes) == (
            want["conversations"], want["intents"], want["outcomes"])
        assert sums.replies == len(want["replies"])
        assert sums.median_reply_s == pytest.approx(float(np.median(want["replies"])), rel=0.08)


def test_daily_rows_sum_back_to_the_brand(facts: ConversationFacts) -> None:
    daily = daily_activity(facts)
    assert daily.conversations.sum() == len(facts)
    assert daily.reply_count.sum() == len(facts.response_s)
    assert np.all(np.diff(daily.day) >= 0)  # sorted by day, which the period sums rely on


def test_nobody_in_scope_gives_no_points(facts: ConversationFacts) -> None:
    assert trend_sums(daily_activity(facts), {"nobody"}, "week") == []


def test_the_median_of_a_histogram_lies_in_the_right_bin() -> None:
    seconds = np.array([3.0, 40.0, 41.0, 42.0, 9_000.0])
    histogram = np.bincount(reply_bins(seconds), minlength=len(EDGES) + 1)
    assert 40.0 * 0.9 < median_reply_s(histogram) < 42.0 * 1.1
    assert median_reply_s(np.zeros(len(EDGES) + 1)) is None
