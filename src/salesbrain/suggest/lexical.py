"""Character n-gram evidence: normalisation, Jaccard overlap and a hashed BM25 index.

Chinese chat has no reliable word boundaries, so every lexical signal works on characters and
character bigrams. Terms are hashed into a fixed number of buckets, which keeps the persisted
state to one IDF vector and makes scoring a sparse matrix product.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence

import numpy as np
from scipy import sparse

_SPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """NFKC, lower case, no whitespace (ECD separates words by spaces; chat does not)."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).lower()


def char_ngrams(text: str, orders: Sequence[int] = (2,)) -> list[str]:
    """Character n-grams of the normalised text; a one-character text yields itself."""
    clean = normalize(text)
    grams: list[str] = []
    for n in orders:
        grams.extend(clean[i : i + n] for i in range(len(clean) - n + 1))
    if not grams and clean:
        grams.append(clean)
    return grams


def bigram_set(text: str) -> frozenset[str]:
    return frozenset(char_ngrams(text, (2,)))


def jaccard(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def bigram_jaccard(a: str, b: str) -> float:
    return jaccard(bigram_set(a), bigram_set(b))


def term_ids(text: str, buckets: int, orders: Sequence[int] = (1, 2)) -> list[int]:
    """Stable hashed ids of the text's character n-grams (crc32, independent of the run)."""
    return [zlib.crc32(g.encode("utf-8")) % buckets for g in char_ngrams(text, orders)]


def count_matrix(texts: Iterable[str], buckets: int,
                 orders: Sequence[int] = (1, 2)) -> sparse.csr_matrix:
    """Rows = texts, columns = hashed character n-gram counts (uni+bigrams by default)."""
    indptr, indices = [0], []
    for text in texts:
        indices.extend(term_ids(text, buckets, orders))
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float32)
    matrix = sparse.csr_matrix(
        (data, np.asarray(indices, dtype=np.int64), np.asarray(indptr)),
        shape=(len(indptr) - 1, buckets),
    )
    matrix.sum_duplicates()
    return matrix


class BM25Index:
    """Okapi BM25 of a query text against candidate texts over hashed character n-grams.

    >>> index = BM25Index(buckets=1024).fit(["尺码偏大", "今天发货", "明天到货"])
    >>> scores = index.score(["这个尺码大吗"], ["尺码偏大", "今天发货"])
    >>> bool(scores[0, 0] > scores[0, 1])
    True
    """

    def __init__(self, buckets: int = 1 << 18, k1: float = 1.2, b: float = 0.75) -> None:
        self.buckets, self.k1, self.b = buckets, k1, b

    def fit(self, corpus: Sequence[str]) -> BM25Index:
        counts = count_matrix(corpus, self.buckets)
        doc_freq = np.bincount(counts.indices, minlength=self.buckets).astype(np.float64)
        n_docs = max(len(corpus), 1)
        self.idf_ = np.log1p((n_docs - doc_freq + 0.5) / (doc_freq + 0.5)).astype(np.float32)
        lengths = np.asarray(counts.sum(axis=1)).ravel()
        self.avg_len_ = float(lengths.mean()) if len(lengths) else 1.0
        return self

    def documents(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Candidate side: saturated, length-normalised term frequencies times IDF."""
        counts = count_matrix(texts, self.buckets).astype(np.float32)
        lengths = np.asarray(counts.sum(axis=1)).ravel()
        norm = self.k1 * (1 - self.b + self.b * lengths / max(self.avg_len_, 1e-6))
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        tf = counts.data
        counts.data = (tf * (self.k1 + 1) / (tf + norm[rows])) * self.idf_[counts.indices]
        return counts

    def queries(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Query side: each distinct term once (binary), as in classic BM25."""
        counts = count_matrix(texts, self.buckets)
        counts.data = np.ones_like(counts.data)
        return counts

    def score(self, queries: Sequence[str], candidates: Sequence[str]) -> np.ndarray:
        return (self.queries(queries) @ self.documents(candidates).T).toarray()

    def state(self) -> dict[str, np.ndarray]:
        return {"idf": self.idf_, "avg_len": np.asarray([self.avg_len_], dtype=np.float32)}

    @classmethod
    def from_state(cls, state: dict[str, np.ndarray], k1: float = 1.2,
                   b: float = 0.75) -> BM25Index:
        index = cls(buckets=int(state["idf"].shape[0]), k1=k1, b=b)
        index.idf_ = state["idf"].astype(np.float32)
        index.avg_len_ = float(state["avg_len"][0])
        return index


def tfidf_rows(index: BM25Index, texts: Sequence[str]) -> sparse.csr_matrix:
    """L2-normalised TF-IDF rows (sublinear tf) sharing the BM25 index's IDF."""
    counts = count_matrix(texts, index.buckets).astype(np.float32)
    counts.data = (1 + np.log(counts.data)) * index.idf_[counts.indices]
    norms = np.sqrt(np.asarray(counts.multiply(counts).sum(axis=1)).ravel())
    return sparse.diags(1 / np.maximum(norms, 1e-9)) @ counts
