"""Generated replies as candidates beside the bank's, ranked on one scale.

The generator writes a few replies per conversation (beam search). Each is scored by the same
ranker and the same "retrieval" fusion as the bank replies it competes with, from the same
features: BM25, TF-IDF and bigram overlap with the conversation, length, the dense cosine of
the dual encoder, and the bank evidence (prior uses and the contexts in which champions sent
it). A generated text has no bank entry of its own, so it inherits the bank evidence of the
bank reply it nearly duplicates (char-bigram Jaccard above the stage's threshold) and gets
none otherwise. The fusion learned that champions' frequent replies are more often right, so a
novel generated sentence starts behind a frequent bank reply that fits equally well; it wins
when its overlap with the conversation and its dense score make up for that. No weight is
tuned in favour of generation: the fusion and the abstention calibration were fitted on bank
candidates only, and the calibrated probability of a generated reply is read from the same
calibrator, so abstention treats both sources alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from salesbrain.suggest.ranker import Ranked, Ranker
from salesbrain.suggest.reply_generator import ReplyGenerator
from salesbrain.suggest.types import SuggestInput, dense_query


@dataclass(frozen=True)
class Candidate:
    text: str
    bank_row: int  # -1 for a generated reply


@dataclass(frozen=True)
class CandidateList:
    """One conversation's candidates of both sources, best first, with fused scores."""

    candidates: tuple[Candidate, ...]
    scores: np.ndarray


def bank_only(ranked: Ranked, bank_texts: Sequence[str]) -> CandidateList:
    candidates = tuple(Candidate(bank_texts[int(r)], int(r)) for r in ranked.rows)
    return CandidateList(candidates, np.asarray(ranked.scores, dtype=np.float64))


def generate_replies(generator: ReplyGenerator, batch: Sequence[SuggestInput],
                     per_request: int) -> list[list[str]]:
    """`per_request` beams per conversation, from the recent turns with role marks."""
    settings = generator.settings
    contexts = [dense_query(item.turns, settings.context_turns, settings.max_context_chars)
                for item in batch]
    return generator.generate(contexts, num_return_sequences=per_request)


def with_generated(ranker: Ranker, batch: Sequence[SuggestInput], ranked: Sequence[Ranked],
                   bank_texts: Sequence[str], generated: Sequence[Sequence[str]],
                   parts: str) -> list[CandidateList]:
    """Merge each conversation's generated replies into its ranked bank candidates.

    A generated text identical to a bank candidate already listed is dropped (the bank reply
    carries an id a manager can review); the rest are scored and sorted in.
    """
    out = []
    for item, result, texts in zip(batch, ranked, generated, strict=True):
        merged = bank_only(result, bank_texts)
        listed = {c.text for c in merged.candidates}
        fresh = [t for t in dict.fromkeys(texts) if t not in listed]
        if fresh:
            merged = _merge(merged, fresh, _scores(ranker, item, fresh, parts))
        out.append(merged)
    return out


def _scores(ranker: Ranker, item: SuggestInput, texts: list[str], parts: str) -> np.ndarray:
    features = ranker.group_features([(item.turns, texts)], use_dense=parts != "lexical")[0]
    return ranker.combine(features, parts, "retrieval")


def _merge(bank: CandidateList, texts: list[str], scores: np.ndarray) -> CandidateList:
    candidates = bank.candidates + tuple(Candidate(t, -1) for t in texts)
    all_scores = np.concatenate([bank.scores, np.asarray(scores, dtype=np.float64)])
    order = np.argsort(-all_scores, kind="stable")
    return CandidateList(tuple(candidates[i] for i in order), all_scores[order])
