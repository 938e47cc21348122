"""Coaching: where a guide's conversations end worse than the champions', with examples.

For every guide and every customer intent (and customer segment) the share of her
conversations that ended well (purchased, store visit, resolved) is shrunk toward the brand's
rate on that intent (beta-binomial, as in the scorecard), then compared with the champions'
pooled rate on the same intent. Gaps of at least `min_lag` on at least `min_conversations`
conversations become coaching points, the largest expected gain (gap x volume) first. Each
point carries two or three of her conversations on that intent that did not end well and one
champion conversation on it that did, to be shown side by side.

Intents come from the message labels (`ConversationInputs.intents`); without them only the
segment dimension has points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from salesbrain.db.database import Database
from salesbrain.schema import Conversation
from salesbrain.scoring.champions import GOOD_OUTCOMES, Champion
from salesbrain.scoring.facts import ConversationFacts
from salesbrain.scoring.shrinkage import beta_binomial
from salesbrain.taxonomy import INTENT_KEYS, OUTCOME_KEYS

MIN_CHAMPION_CONVERSATIONS = 3


@dataclass(frozen=True, slots=True)
class CoachingPoint:
    guide_id: str
    dimension: str  # "intent" or "segment"
    key: str  # the intent or segment
    n_conversations: int
    guide_rate: float  # shrunk share of her conversations on it that ended well
    champion_rate: float
    lag: float
    guide_examples: tuple[str, ...]  # her conversation ids that did not end well, newest first
    champion_example: str | None  # a champion's conversation on it that ended well


@dataclass(frozen=True)
class SideBySide:
    point: CoachingPoint
    guide_conversations: list[Conversation]
    champion_conversation: Conversation | None


def coaching_points(
    facts: ConversationFacts,
    champions: Sequence[Champion],
    *,
    min_conversations: int = 5,
    min_lag: float = 0.1,
    examples: int = 3,
) -> dict[str, list[CoachingPoint]]:
    """Coaching points per guide id (champions themselves are not coached)."""
    champion_ids = {c.guide_id for c in champions}
    is_champion = np.array([g in champion_ids for g in facts.guide_ids], dtype=bool)
    good = np.isin(facts.outcome, [OUTCOME_KEYS.index(o) for o in GOOD_OUTCOMES])
    points: dict[str, list[CoachingPoint]] = {}
    dimensions = (("intent", facts.intent.astype(np.int64), list(INTENT_KEYS)),
                  ("segment", facts.segment.astype(np.int64), facts.segment_names))
    for dimension, keys, names in dimensions:
        gaps = _Gaps(facts, keys, len(names), good, is_champion)
        for guide, key in gaps.lagging(min_conversations, min_lag):
            guide_id = facts.guide_ids[guide]
            points.setdefault(guide_id, []).append(CoachingPoint(
                guide_id, dimension, names[key], int(gaps.n[guide, key]),
                float(gaps.rate[guide, key]), float(gaps.champion_rate[key]),
                float(gaps.champion_rate[key] - gaps.rate[guide, key]),
                tuple(gaps.examples(guide, key, examples)), gaps.champion_example(key)))
    for found in points.values():
        found.sort(key=lambda p: -p.lag * p.n_conversations)
    return points


class _Gaps:
    """Rates per (guide, key) against the champions' rate per key, with example lookup."""

    def __init__(self, facts: ConversationFacts, keys: np.ndarray, n_keys: int,
                 good: np.ndarray, is_champion: np.ndarray) -> None:
        self.facts = facts
        labelled = keys >= 0
        n_guides = len(facts.guide_ids)
        cell = facts.guide.astype(np.int64) * n_keys + keys
        size = n_guides * n_keys
        self.n = np.bincount(cell[labelled], minlength=size).reshape(n_guides, n_keys)
        wins = np.bincount(cell[labelled & good], minlength=size).reshape(n_guides, n_keys)
        self.rate = np.column_stack([beta_binomial(wins[:, k], self.n[:, k]).mean
                                     for k in range(n_keys)]) if n_keys else self.n.astype(float)
        champion_n = self.n[is_champion].sum(axis=0)
        self.champion_rate = np.where(champion_n >= MIN_CHAMPION_CONVERSATIONS,
                                      wins[is_champion].sum(axis=0) / np.maximum(champion_n, 1),
                                      np.nan)
        self.is_champion = is_champion
        self.n_keys = n_keys
        rows = np.flatnonzero(labelled)
        newest_first = rows[np.lexsort((-facts.started_ms[rows], keys[rows], facts.guide[rows]))]
        self._sorted, self._sorted_cell = newest_first, cell[newest_first]
        self._cell_good = good[newest_first]
        self._champion_examples = self._pick_champion_examples(keys, good)

    def lagging(self, min_conversations: int, min_lag: float) -> list[tuple[int, int]]:
        gap = self.champion_rate[None, :] - self.rate
        chosen = (self.n >= min_conversations) & (gap >= min_lag) & ~self.is_champion[:, None]
        return [(int(g), int(k)) for g, k in zip(*np.nonzero(chosen), strict=True)]

    def examples(self, guide: int, key: int, limit: int) -> list[str]:
        cell = guide * self.n_keys + key
        lo, hi = np.searchsorted(self._sorted_cell, [cell, cell + 1])
        bad = self._sorted[lo:hi][~self._cell_good[lo:hi]]
        return [self.facts.conversation_ids[i] for i in bad[:limit]]

    def champion_example(self, key: int) -> str | None:
        found = self._champion_examples.get(key)
        return None if found is None else self.facts.conversation_ids[found]

    def _pick_champion_examples(self, keys: np.ndarray, good: np.ndarray) -> dict[int, int]:
        chosen = np.flatnonzero(good & self.is_champion[self.facts.guide] & (keys >= 0))
        newest = chosen[np.argsort(-self.facts.started_ms[chosen], kind="stable")]
        picked: dict[int, int] = {}
        for i in newest:
            picked.setdefault(int(keys[i]), int(i))
        return picked


def side_by_side(store: Database, point: CoachingPoint) -> SideBySide:
    """Fetch a coaching point's conversations: hers that went wrong beside a champion's."""
    ids = list(point.guide_examples) + ([point.champion_example] if point.champion_example else [])
    found = {c.conversation_id: c for c in store.conversations(conversation_ids=ids)}
    mine = [found[i] for i in point.guide_examples if i in found]
    return SideBySide(point, mine, found.get(point.champion_example or ""))
