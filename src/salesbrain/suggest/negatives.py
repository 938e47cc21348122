"""Wrong replies that look right: the nearest replies of other conversations, never a
near-duplicate of the true reply (identical after normalisation, or character-bigram Jaccard
at or above the threshold) nor one sent in the same conversation.

Used to fit the fusion on hard groups (`salesbrain.suggest.fitting`) and to evaluate on them
(`salesbrain.evaluation.hard_negatives`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from salesbrain.suggest.lexical import count_matrix, normalize
from salesbrain.suggest.types import ReplyPair

NEAR_DUPLICATE = 0.5  # the project's near-duplicate Jaccard (SuggestSettings.near_duplicate)
_BUCKETS = 1 << 22


@dataclass(frozen=True)
class ReplyPool:
    """Distinct held-out replies (first spelling kept) and the conversations that sent each."""

    replies: tuple[str, ...]
    conversations: tuple[frozenset[str], ...]

    @classmethod
    def of(cls, pairs: Sequence[ReplyPair]) -> ReplyPool:
        spelling: dict[str, str] = {}
        senders: dict[str, set[str]] = {}
        for pair in pairs:
            key = normalize(pair.reply)
            if not key:
                continue
            spelling.setdefault(key, pair.reply)
            senders.setdefault(key, set()).add(pair.conversation_id)
        keys = list(spelling)
        return cls(tuple(spelling[k] for k in keys), tuple(frozenset(senders[k]) for k in keys))

    def index(self, reply: str) -> int:
        """The pool row of a reply (by normalised text); a reply not in the pool fails."""
        if not hasattr(self, "_rows"):
            object.__setattr__(self, "_rows",
                               {normalize(r): i for i, r in enumerate(self.replies)})
        return self._rows[normalize(reply)]  # type: ignore[attr-defined]

    def __len__(self) -> int:
        return len(self.replies)


def bigram_jaccard_matrix(texts: Sequence[str], others: Sequence[str]) -> np.ndarray:
    """(len(texts), len(others)) character-bigram Jaccard, by sparse products."""
    a, b = _bigram_sets(texts), _bigram_sets(others)
    overlap = (a @ b.T).toarray()
    size_a = np.asarray(a.sum(axis=1)).ravel()[:, None]
    size_b = np.asarray(b.sum(axis=1)).ravel()[None, :]
    union = size_a + size_b - overlap
    return np.where(union > 0, overlap / np.maximum(union, 1), 0.0)


def _bigram_sets(texts: Sequence[str]) -> sparse.csr_matrix:
    matrix = count_matrix(texts, _BUCKETS, orders=(2,))
    matrix.data = np.ones_like(matrix.data)
    return matrix


def negative_mask(pairs: Sequence[ReplyPair], pool: ReplyPool,
                  threshold: float = NEAR_DUPLICATE) -> np.ndarray:
    """(pairs, pool) booleans: may this pool reply be a wrong answer for this pair?"""
    similar = bigram_jaccard_matrix([p.reply for p in pairs], pool.replies) >= threshold
    normal = [normalize(r) for r in pool.replies]
    mask = ~similar
    for i, pair in enumerate(pairs):
        same = normalize(pair.reply)
        for j, (text, senders) in enumerate(zip(normal, pool.conversations, strict=True)):
            if text == same or pair.conversation_id in senders:
                mask[i, j] = False
    return mask


def nearest_negatives(pairs: Sequence[ReplyPair], pool: ReplyPool,
                      similarities: Sequence[np.ndarray], count: int,
                      threshold: float = NEAR_DUPLICATE) -> list[list[int] | None]:
    """Per pair, `count` allowed pool rows nearest under `similarities` (each a (pairs, pool)
    matrix), taken in turn from each ranking; None where too few are allowed."""
    mask = negative_mask(pairs, pool, threshold)
    orders = [np.argsort(-s, axis=1, kind="stable") for s in similarities]
    chosen_per_pair: list[list[int] | None] = []
    for i in range(len(pairs)):
        chosen: list[int] = []
        cursors = [0] * len(orders)
        while len(chosen) < count and any(c < len(pool) for c in cursors):
            for k, order in enumerate(orders):
                while cursors[k] < len(pool):
                    j = int(order[i, cursors[k]])
                    cursors[k] += 1
                    if mask[i, j] and j not in chosen:
                        chosen.append(j)
                        break
                if len(chosen) == count:
                    break
        chosen_per_pair.append(chosen if len(chosen) == count else None)
    return chosen_per_pair
