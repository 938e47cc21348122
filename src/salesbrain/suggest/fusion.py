"""Fusion of lexical and dense evidence into one ranking score, and its calibration.

Features of a (conversation, candidate reply) pair are bounded so that one set of weights
serves short and long conversations alike. The weights are a conditional logit (softmax over
each group of candidates, the true reply as the target) fitted on validation conversations
that neither the encoder nor the bank saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, sparse
from scipy.special import log_softmax

from salesbrain.suggest.lexical import (
    BM25Index,
    bigram_set,
    count_matrix,
    jaccard,
    normalize,
    tfidf_rows,
)

_PRIOR_BUCKETS = 1 << 20

LEXICAL_FEATURES: tuple[str, ...] = (
    "bm25_context", "bm25_last", "tfidf_context", "tfidf_last", "jaccard_last",
    "jaccard_context", "reply_length", "reply_prior",
)
DENSE_FEATURES: tuple[str, ...] = ("dense",)


class PriorIndex:
    """How often champions send a reply: the uses of its near-duplicates in the bank."""

    def __init__(self, texts: Sequence[str], uses: Sequence[int], threshold: float) -> None:
        self.matrix = _bigram_matrix(texts)
        self.sizes = np.asarray(self.matrix.sum(axis=1)).ravel()
        self.log_uses = np.log1p(np.asarray(uses, dtype=np.float32))
        self.threshold = threshold

    def nearest(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Per text, the bank row with the highest bigram Jaccard (-1 if none) and that value."""
        best_row = np.full(len(texts), -1)
        best = np.zeros(len(texts))
        if not len(texts) or not len(self.sizes):
            return best_row, best
        query = _bigram_matrix(texts)
        sizes = np.asarray(query.sum(axis=1)).ravel()
        overlap = (query @ self.matrix.T).tocoo()
        value = overlap.data / np.maximum(sizes[overlap.row] + self.sizes[overlap.col]
                                          - overlap.data, 1)
        order = np.lexsort((-value, overlap.row))
        rows = overlap.row[order]
        first = np.ones(len(rows), dtype=bool)
        first[1:] = rows[1:] != rows[:-1]
        best_row[rows[first]] = overlap.col[order][first]
        best[rows[first]] = value[order][first]
        return best_row, best

    def bank_rows(self, texts: Sequence[str]) -> np.ndarray:
        """The bank reply each text is a near-duplicate of, or -1."""
        rows, value = self.nearest(texts)
        return np.where(value > self.threshold, rows, -1)

    def lookup(self, texts: Sequence[str]) -> np.ndarray:
        """log(1 + uses) of the most used bank reply within the near-duplicate threshold."""
        prior = np.zeros(len(texts), dtype=np.float32)
        if not len(texts) or not len(self.sizes):
            return prior
        query = _bigram_matrix(texts)
        sizes = np.asarray(query.sum(axis=1)).ravel()
        overlap = (query @ self.matrix.T).tocoo()
        union = sizes[overlap.row] + self.sizes[overlap.col] - overlap.data
        near = overlap.data > self.threshold * np.maximum(union, 1)
        np.maximum.at(prior, overlap.row[near], self.log_uses[overlap.col[near]])
        return prior


def _bigram_matrix(texts: Sequence[str]) -> sparse.csr_matrix:
    matrix = count_matrix((t for t in texts), _PRIOR_BUCKETS, orders=(2,))
    matrix.data = np.ones_like(matrix.data)
    return matrix


class CandidateTexts:
    """Candidate replies with their lexical representations computed once."""

    def __init__(self, index: BM25Index, texts: Sequence[str], prior: np.ndarray,
                 bank_rows: np.ndarray | None = None) -> None:
        self.texts = list(texts)
        self.prior = np.asarray(prior, dtype=np.float32)
        # the bank reply each candidate stands for (-1: none), for the neighbour evidence
        self.bank_rows = (np.full(len(self.texts), -1) if bank_rows is None
                          else np.asarray(bank_rows))
        # candidates x terms, cheap to slice by candidate; the transpose, cheap to search
        self.bm25_rows = index.documents(self.texts).tocsr()
        self.bm25 = self.bm25_rows.T.tocsr()
        self.tfidf_rows = tfidf_rows(index, self.texts).tocsr()
        self.grams = [bigram_set(t) for t in self.texts]
        self.log_length = np.log1p([len(normalize(t)) for t in self.texts]).astype(np.float32)


@dataclass(frozen=True)
class QueryText:
    context: str
    last: str


def lexical_features(index: BM25Index, queries: Sequence[QueryText], candidates: CandidateTexts,
                     rows: Sequence[np.ndarray]) -> list[np.ndarray]:
    """One (len(rows[i]), 8) matrix per query: its candidates' lexical features."""
    texts = [q.context for q in queries] + [q.last for q in queries]
    query_terms = index.queries(texts)
    # BM25 divided by the query's total IDF: the share of the query's information matched.
    idf_mass = np.asarray(query_terms @ index.idf_[:, None]).ravel() + 1e-6
    tfidf = tfidf_rows(index, texts)
    n = len(queries)
    out = []
    for i, query in enumerate(queries):
        cols = rows[i]
        both = query_terms[[i, n + i]]
        bm25 = (candidates.bm25_rows[cols] @ both.T).toarray().T / idf_mass[[i, n + i], None]
        cos = (candidates.tfidf_rows[cols] @ tfidf[[i, n + i]].T).toarray().T
        context_grams, last_grams = bigram_set(query.context), bigram_set(query.last)
        jac_last = [jaccard(last_grams, candidates.grams[c]) for c in cols]
        jac_ctx = [jaccard(context_grams, candidates.grams[c]) for c in cols]
        out.append(np.column_stack([bm25[0], bm25[1], cos[0], cos[1], jac_last, jac_ctx,
                                    candidates.log_length[cols], candidates.prior[cols],
                                    ]).astype(np.float32))
    return out


class Fusion:
    """A linear score over standardised features, fitted as a conditional logit."""

    def __init__(self, names: Sequence[str], l2: float = 1e-2) -> None:
        self.names, self.l2 = tuple(names), l2

    def fit(self, groups: Sequence[np.ndarray], true_index: Sequence[int]) -> Fusion:
        stacked = np.vstack(groups).astype(np.float64)
        self.mean_ = stacked.mean(axis=0)
        self.std_ = stacked.std(axis=0) + 1e-6
        standard = [(g - self.mean_) / self.std_ for g in groups]

        def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
            total, grad = 0.0, np.zeros_like(w)
            for x, t in zip(standard, true_index, strict=True):
                logp = log_softmax(x @ w)
                total -= logp[t]
                grad -= x[t] - np.exp(logp) @ x
            n = len(standard)
            return total / n + self.l2 * w @ w, grad / n + 2 * self.l2 * w

        start = np.zeros(stacked.shape[1])
        result = optimize.minimize(loss, start, jac=True, method="L-BFGS-B")
        self.weights_ = result.x
        return self

    def score(self, features: np.ndarray) -> np.ndarray:
        return ((features - self.mean_) / self.std_) @ self.weights_

    def state(self) -> dict:
        return {"names": list(self.names), "l2": self.l2, "mean": self.mean_.tolist(),
                "std": self.std_.tolist(), "weights": self.weights_.tolist()}

    @classmethod
    def from_state(cls, state: dict) -> Fusion:
        fusion = cls(state["names"], state["l2"])
        fusion.mean_ = np.asarray(state["mean"])
        fusion.std_ = np.asarray(state["std"])
        fusion.weights_ = np.asarray(state["weights"])
        return fusion


class Calibrator:
    """P(a champion would send this reply) from its fused score and its share of the top list.

    Logistic regression on validation conversations; `threshold_` is the lowest probability of
    a list's first suggestion at which the lists were right (`list_correct`: by default, their
    first suggestion was) at least `target_precision` of the time.
    """

    def fit(self, features: np.ndarray, correct: np.ndarray, top_mask: np.ndarray,
            target_precision: float, list_correct: np.ndarray | None = None) -> Calibrator:
        from sklearn.linear_model import LogisticRegression

        if len(np.unique(correct)) < 2:  # all right or all wrong: only the base rate is known
            rate = float(np.clip(np.mean(correct), 1e-3, 1 - 1e-3)) if len(correct) else 0.5
            self.coef_ = np.zeros(features.shape[1])
            self.intercept_ = float(np.log(rate / (1 - rate)))
        else:
            model = LogisticRegression(C=1.0).fit(features, correct)
            self.coef_ = model.coef_.ravel()
            self.intercept_ = float(model.intercept_[0])
        top_prob = self.probability(features[top_mask])
        list_correct = correct[top_mask] if list_correct is None else list_correct
        self.threshold_ = precision_threshold(top_prob, list_correct, target_precision)
        return self

    def probability(self, features: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-(features @ self.coef_ + self.intercept_)))

    def state(self) -> dict:
        return {"coef": self.coef_.tolist(), "intercept": self.intercept_,
                "threshold": self.threshold_}

    @classmethod
    def from_state(cls, state: dict) -> Calibrator:
        calibrator = cls()
        calibrator.coef_ = np.asarray(state["coef"])
        calibrator.intercept_ = float(state["intercept"])
        calibrator.threshold_ = float(state["threshold"])
        return calibrator


def calibration_features(fused: np.ndarray) -> np.ndarray:
    """Per candidate of one ranked list: its score, softmax share and margin to the best."""
    share = np.exp(log_softmax(fused))
    return np.column_stack([fused, share, fused - fused.max()])


def precision_threshold(probability: np.ndarray, correct: np.ndarray, target: float) -> float:
    """The smallest cut whose kept items reach `target` precision (1.0+ when none does)."""
    if target <= 0:
        return 0.0
    order = np.argsort(-probability)
    hits = np.cumsum(correct[order])
    precision = hits / np.arange(1, len(order) + 1)
    reaching = np.nonzero(precision >= target)[0]
    if len(reaching) == 0:
        return 1.01
    return float(probability[order][reaching.max()])
