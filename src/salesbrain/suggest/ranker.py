"""Scoring candidate replies for a conversation: lexical features, dense cosine, fusion.

Two rankings share one feature set but not one set of weights, because their candidates
differ: `score_groups` ranks given candidates (response selection, where wrong replies come
from unrelated conversations) with the "selection" fusion; `retrieve` ranks a whole reply bank
through a shortlist (BM25 top-N plus dense top-N, so a 50,000-reply bank costs two matrix
products and one encoder pass) with the "retrieval" fusion, fitted against exactly such
shortlists, where the wrong replies look lexically close.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from salesbrain.schema import Turn
from salesbrain.suggest.dense import DualEncoder
from salesbrain.suggest.fusion import (
    DENSE_FEATURES,
    LEXICAL_FEATURES,
    CandidateTexts,
    Fusion,
    PriorIndex,
    QueryText,
    lexical_features,
)
from salesbrain.suggest.lexical import BM25Index
from salesbrain.suggest.neighbours import NEIGHBOUR_FEATURES, ContextNeighbours
from salesbrain.suggest.types import (
    SuggestSettings,
    dense_query,
    dense_reply,
    last_customer_text,
    lexical_query,
)

PARTS: tuple[str, ...] = ("lexical", "dense", "fused")
LEXICAL_NAMES: tuple[str, ...] = LEXICAL_FEATURES + NEIGHBOUR_FEATURES


@dataclass
class Ranked:
    """One conversation's ranked candidates, best first: bank rows and fused scores."""

    rows: np.ndarray
    scores: np.ndarray


@dataclass
class Shortlist:
    rows: list[np.ndarray]
    dense: list[np.ndarray] | None
    neighbours: np.ndarray | None


class Ranker:
    def __init__(self, settings: SuggestSettings, bm25: BM25Index,
                 encoder: DualEncoder | None = None) -> None:
        self.settings, self.bm25, self.encoder = settings, bm25, encoder
        self.fusions: dict[str, Fusion] = {}
        self.prior: PriorIndex | None = None
        self.neighbours: ContextNeighbours | None = None
        self.bank_size = 0

    @property
    def feature_names(self) -> tuple[str, ...]:
        return LEXICAL_NAMES + (DENSE_FEATURES if self.encoder is not None else ())

    def attach_bank(self, texts: Sequence[str], uses: Sequence[int],
                    neighbours: ContextNeighbours | None) -> None:
        """The bank's replies (for the prior and candidate mapping) and their past contexts."""
        self.prior = PriorIndex(texts, uses, self.settings.near_duplicate)
        self.neighbours, self.bank_size = neighbours, len(texts)

    def parts(self) -> tuple[str, ...]:
        return PARTS if self.encoder is not None else ("lexical",)

    def query(self, turns: Sequence[Turn]) -> QueryText:
        return QueryText(lexical_query(turns, self.settings.lexical_turns),
                         last_customer_text(turns))

    def candidate_texts(self, texts: Sequence[str], prior: np.ndarray | None = None,
                        bank_rows: np.ndarray | None = None) -> CandidateTexts:
        """Candidates with their evidence; outside texts are matched to bank replies."""
        if prior is None and self.prior is not None:
            prior, bank_rows = self.prior.lookup(texts), self.prior.bank_rows(texts)
        if prior is None:
            prior = np.zeros(len(texts), dtype=np.float32)
        return CandidateTexts(self.bm25, texts, prior, bank_rows)

    def neighbour_scores(self, queries: Sequence[QueryText]) -> np.ndarray | None:
        if self.neighbours is None or not self.bank_size:
            return None
        return self.neighbours.bank_scores([q.context for q in queries],
                                           [q.last for q in queries], self.bank_size)

    def encode_contexts(self, contexts: Sequence[Sequence[Turn]]) -> np.ndarray | None:
        if self.encoder is None:
            return None
        s = self.settings
        texts = [dense_query(t, s.dense_turns, s.max_context_chars, s.role_marks)
                 for t in contexts]
        return self.encoder.encode(texts, "query", s.max_context_tokens)

    def encode_replies(self, texts: Sequence[str], cache: dict | None = None,
                       ) -> np.ndarray | None:
        """Reply vectors; `cache` maps reply text to frozen-layer states already computed."""
        if self.encoder is None:
            return None
        s = self.settings
        clean = [dense_reply(t, s.max_reply_chars) for t in texts]
        if cache:
            return self.encoder.encode_reusing(clean, "passage", s.max_reply_tokens, cache)
        return self.encoder.encode(clean, "passage", s.max_reply_tokens)

    def group_features(self, items: Sequence[tuple[Sequence[Turn], Sequence[str]]],
                       use_dense: bool = True) -> list[np.ndarray]:
        """Feature matrices of given candidates, one per conversation."""
        texts = sorted({c for _, cands in items for c in cands})
        position = {t: i for i, t in enumerate(texts)}
        candidates = self.candidate_texts(texts)
        rows = [np.asarray([position[c] for c in cands]) for _, cands in items]
        dense = None
        queries = self.encode_contexts([turns for turns, _ in items]) if use_dense else None
        replies = self.encode_replies(texts) if use_dense else None
        if queries is not None and replies is not None:
            dense = [replies[r] @ q for q, r in zip(queries, rows, strict=True)]
        return self.features([turns for turns, _ in items], candidates, rows, dense)

    def features(self, contexts: Sequence[Sequence[Turn]], candidates: CandidateTexts,
                 rows: Sequence[np.ndarray], dense: Sequence[np.ndarray] | None,
                 neighbours: np.ndarray | None = None) -> list[np.ndarray]:
        """Per conversation, a (candidates, features) matrix in `feature_names` order."""
        queries = [self.query(t) for t in contexts]
        lexical = lexical_features(self.bm25, queries, candidates, rows)
        neighbours = self.neighbour_scores(queries) if neighbours is None else neighbours
        out = []
        for i, (x, cols) in enumerate(zip(lexical, rows, strict=True)):
            bank_rows = candidates.bank_rows[cols]
            near = np.zeros((len(cols), len(NEIGHBOUR_FEATURES)), dtype=np.float32)
            if neighbours is not None:
                known = bank_rows >= 0
                near[known] = neighbours[i, bank_rows[known]]
            parts = [x, near] + ([dense[i][:, None]] if dense is not None else [])
            out.append(np.column_stack(parts))
        return out

    def combine(self, features: np.ndarray, parts: str, task: str) -> np.ndarray:
        """Scores for `task` "selection" or "retrieval" from the named part of the evidence."""
        if parts == "dense":
            return features[:, self.feature_names.index("dense")].astype(np.float64)
        prefix = "" if task == "selection" else "retrieval_"
        if parts == "lexical" or self.encoder is None or features.shape[1] == len(LEXICAL_NAMES):
            return self.fusions[prefix + "lexical"].score(features[:, : len(LEXICAL_NAMES)])
        return self.fusions[prefix + "fused"].score(features)

    def score_groups(self, items: Sequence[tuple[Sequence[Turn], Sequence[str]]],
                     parts: str = "fused") -> list[np.ndarray]:
        """Scores of given candidates for each conversation (higher is better)."""
        features = self.group_features(items, use_dense=parts != "lexical")
        return [self.combine(f, parts, "selection") for f in features]

    def shortlist(self, contexts: Sequence[Sequence[Turn]], candidates: CandidateTexts,
                  embeddings: np.ndarray | None, usable: np.ndarray,
                  use_dense: bool = True) -> Shortlist:
        """BM25 top-N plus dense top-N of the usable bank rows, per conversation."""
        allowed = np.nonzero(usable)[0]
        queries = [self.query(t) for t in contexts]
        lexical = (self.bm25.queries([q.context for q in queries]) @ candidates.bm25).toarray()
        use_dense = use_dense and embeddings is not None and self.encoder is not None
        vectors = self.encode_contexts(contexts) if use_dense else None
        similarities = embeddings @ vectors.T if vectors is not None else None
        neighbours = self.neighbour_scores(queries)
        rows, dense = [], []
        for i in range(len(contexts)):
            chosen = _top(lexical[i, allowed], self.settings.shortlist)
            if neighbours is not None:
                chosen = np.union1d(chosen, _top(neighbours[i, allowed, 0],
                                                 self.settings.shortlist))
            if similarities is not None:
                similarity = similarities[allowed, i]
                chosen = np.union1d(chosen, _top(similarity, self.settings.shortlist))
                dense.append(similarity[chosen])
            rows.append(allowed[chosen])
        return Shortlist(rows, dense if similarities is not None else None, neighbours)

    def retrieve(self, contexts: Sequence[Sequence[Turn]], candidates: CandidateTexts,
                 embeddings: np.ndarray | None, usable: np.ndarray,
                 parts: str = "fused") -> list[Ranked]:
        """Rank the usable bank rows for each conversation through a shortlist."""
        if not usable.any():
            return [Ranked(np.zeros(0, dtype=int), np.zeros(0)) for _ in contexts]
        short = self.shortlist(contexts, candidates, embeddings, usable, parts != "lexical")
        features = self.features(contexts, candidates, short.rows, short.dense,
                                 short.neighbours)
        ranked = []
        for row, feature in zip(short.rows, features, strict=True):
            scores = self.combine(feature, parts, "retrieval")
            order = np.argsort(-scores, kind="stable")
            ranked.append(Ranked(row[order], scores[order]))
        return ranked


def _top(values: np.ndarray, k: int) -> np.ndarray:
    if len(values) <= k:
        return np.arange(len(values))
    return np.argpartition(-values, k - 1)[:k]
