"""Harder tests of reply ranking on held-out pairs: mined negatives and the whole reply pool.

Random negatives (nine replies drawn from other conversations) are mostly about something
else, so a ranker can pass them by topic alone. Two harder protocols use the same held-out
(context, reply) pairs:

- hard negatives: nine replies from the pool of held-out replies that rank nearest to the
  true reply or to the context under given similarities (BM25 and zero-shot e5 in
  `eval.reply_ranking`), taken in turn from each ranking;
- full pool: the true reply ranked against every reply of the pool (recall@1/5/20).

In both, a pool reply is never a negative for a context when it was sent in that context's
own conversation or is a near-duplicate of the true reply (identical after normalisation, or
character-bigram Jaccard at or above `threshold`): such replies could be right answers too.
The pool holds each reply once (by normalised text), with every conversation that sent it.

>>> pairs = [ReplyPair((Turn(Role.CUSTOMER, "有M码吗"),), "M码有货", "a"),
...          ReplyPair((Turn(Role.CUSTOMER, "几天到"),), "三天到货", "b")]
>>> pool = ReplyPool.of(pairs)
>>> [g.candidates for g in pool_groups(pairs, pool)]
[('M码有货', '三天到货'), ('三天到货', 'M码有货')]
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import numpy as np

from salesbrain.evaluation.response_selection import SelectionGroup
from salesbrain.schema import Role, Turn
from salesbrain.suggest.lexical import normalize
from salesbrain.suggest.negatives import (
    NEAR_DUPLICATE,
    ReplyPool,
    bigram_jaccard_matrix,
    nearest_negatives,
    negative_mask,
)
from salesbrain.suggest.types import ReplyPair

__all__ = ["NEAR_DUPLICATE", "ReplyPool", "bigram_jaccard_matrix", "bootstrap_interval",
           "hard_negative_groups", "held_out_guide_pairs", "negative_mask", "pool_groups",
           "random_negative_groups", "recall_hits"]


def _group(pair: ReplyPair, negatives: Sequence[str], rng: random.Random) -> SelectionGroup:
    true_index = rng.randrange(len(negatives) + 1)
    candidates = list(negatives[:true_index]) + [pair.reply] + list(negatives[true_index:])
    return SelectionGroup(pair.context, tuple(candidates), true_index)


def hard_negative_groups(pairs: Sequence[ReplyPair], pool: ReplyPool,
                         similarities: Sequence[np.ndarray], size: int = 10,
                         threshold: float = NEAR_DUPLICATE, seed: int = 0
                         ) -> list[SelectionGroup]:
    """Per pair, the true reply and `size - 1` negatives nearest under `similarities` (each a
    (pairs, pool) matrix), taken in turn from each ranking, allowed ones only; the true reply's
    position is drawn at random. A pair with too few allowed replies gets no group."""
    rng = random.Random(seed)
    return [_group(pair, [pool.replies[j] for j in chosen], rng)
            for pair, chosen in zip(pairs, nearest_negatives(pairs, pool, similarities, size - 1,
                                                             threshold), strict=True)
            if chosen is not None]


def random_negative_groups(pairs: Sequence[ReplyPair], pool: ReplyPool, size: int = 10,
                           threshold: float = NEAR_DUPLICATE, seed: int = 0
                           ) -> list[SelectionGroup]:
    """Per pair, the true reply and `size - 1` allowed pool replies drawn at random."""
    mask = negative_mask(pairs, pool, threshold)
    rng, groups = random.Random(seed), []
    for i, pair in enumerate(pairs):
        allowed = np.nonzero(mask[i])[0].tolist()
        if len(allowed) >= size - 1:
            chosen = rng.sample(allowed, size - 1)
            groups.append(_group(pair, [pool.replies[j] for j in chosen], rng))
    return groups


def pool_groups(pairs: Sequence[ReplyPair], pool: ReplyPool,
                threshold: float = NEAR_DUPLICATE) -> list[SelectionGroup]:
    """Per pair, the true reply first, then every allowed pool reply: the rank of the true
    reply in such a group is its rank in the whole pool."""
    mask = negative_mask(pairs, pool, threshold)
    return [SelectionGroup(pair.context,
                           (pair.reply, *(pool.replies[j] for j in np.nonzero(mask[i])[0])), 0)
            for i, pair in enumerate(pairs)]


def recall_hits(ranks: Sequence[int], k: int) -> np.ndarray:
    """Per context, 1.0 when the true reply ranks in the top k."""
    return (np.asarray(ranks) <= k).astype(np.float64)


def bootstrap_interval(values: Sequence[float] | np.ndarray, resamples: int = 1000,
                       level: float = 0.95, seed: int = 0) -> tuple[float, float]:
    """Percentile interval of the mean, resampling contexts with replacement."""
    data = np.asarray(values, dtype=np.float64)
    if data.size == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    means = data[rng.integers(0, data.size, size=(resamples, data.size))].mean(axis=1)
    tail = (1 - level) / 2 * 100
    return (float(np.percentile(means, tail)), float(np.percentile(means, 100 - tail)))


def held_out_guide_pairs(test_pairs: Sequence[dict], sources: Sequence[str]) -> list[ReplyPair]:
    """Guide replies of the held-out rows (`pairs_of` dicts) of the given sources."""
    return [ReplyPair(tuple(Turn(Role(r), t) for r, t in row["context"]), row["reply"],
                      row["conversation_id"], Role.GUIDE)
            for row in test_pairs if row["reply_role"] == "guide" and row["source"] in sources
            and normalize(row["reply"])]
