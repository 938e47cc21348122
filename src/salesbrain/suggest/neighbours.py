"""Past conversations as evidence: a bank reply fits when champions sent it after a similar
context (the retrieval approach of the JDDC competition systems, and a memory the model can
lean on for replies it has seen).

For every bank reply we keep the contexts it answered; a conversation's neighbour score for
the reply is the best TF-IDF cosine between the conversation and one of those contexts, once
over the recent turns and once over the customer's last message alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from salesbrain.suggest.lexical import BM25Index, tfidf_rows

NEIGHBOUR_FEATURES: tuple[str, ...] = ("neighbour_context", "neighbour_last")


class ContextNeighbours:
    def __init__(self, index: BM25Index, contexts: Sequence[str], lasts: Sequence[str],
                 bank_rows: Sequence[int]) -> None:
        self.contexts, self.lasts = list(contexts), list(lasts)
        self.bank_rows = np.asarray(bank_rows, dtype=np.int64)
        self.context_matrix = tfidf_rows(index, self.contexts).T.tocsr()
        self.last_matrix = tfidf_rows(index, self.lasts).T.tocsr()
        self.index = index

    def bank_scores(self, contexts: Sequence[str], lasts: Sequence[str],
                    bank_size: int) -> np.ndarray:
        """(queries, bank replies, 2): best neighbour cosine per bank reply."""
        out = np.zeros((len(contexts), bank_size, 2), dtype=np.float32)
        if not len(self.bank_rows):
            return out
        for j, (texts, matrix) in enumerate(((contexts, self.context_matrix),
                                             (lasts, self.last_matrix))):
            similarity = (tfidf_rows(self.index, list(texts)) @ matrix).toarray()
            for i in range(len(contexts)):
                np.maximum.at(out[i, :, j], self.bank_rows, similarity[i])
        return out

    def state(self) -> dict:
        return {"contexts": self.contexts, "lasts": self.lasts,
                "bank_rows": self.bank_rows.tolist()}

    @classmethod
    def from_state(cls, index: BM25Index, state: dict) -> ContextNeighbours:
        return cls(index, state["contexts"], state["lasts"], state["bank_rows"])
