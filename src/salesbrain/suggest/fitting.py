"""The learning steps of reply suggestion, in the order `SuggestStage.fit` runs them."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch

from salesbrain.schema import Role
from salesbrain.suggest.dense import DenseTraining, DualEncoder, train_dual_encoder
from salesbrain.suggest.fusion import (
    Calibrator,
    CandidateTexts,
    Fusion,
    calibration_features,
)
from salesbrain.suggest.lexical import BM25Index, bigram_set, jaccard, normalize
from salesbrain.suggest.negatives import ReplyPool, nearest_negatives
from salesbrain.suggest.neighbours import NEIGHBOUR_FEATURES, ContextNeighbours
from salesbrain.suggest.ranker import LEXICAL_NAMES, Ranker
from salesbrain.suggest.types import ReplyPair, SuggestSettings, dense_query, dense_reply

Progress = Callable[[str], None]
RankingGroup = tuple[ReplyPair, tuple[str, ...], int]
BANK_EVIDENCE = ("reply_prior", *NEIGHBOUR_FEATURES)


def ranking_groups(pairs: Sequence[ReplyPair], group_size: int, near_duplicate: float,
                   seed: int) -> list[RankingGroup]:
    """Each guide reply with replies from other conversations, near-duplicates never negatives."""
    rng = random.Random(seed)
    guide = [p for p in pairs if p.reply_role is Role.GUIDE]
    groups = []
    for pair in guide:
        grams, negatives = bigram_set(pair.reply), []
        for _ in range(50 * group_size):
            other = guide[rng.randrange(len(guide))]
            if (other.conversation_id == pair.conversation_id or other.reply in negatives
                    or jaccard(grams, bigram_set(other.reply)) > near_duplicate):
                continue
            negatives.append(other.reply)
            if len(negatives) == group_size - 1:
                break
        if negatives:
            true_index = rng.randrange(len(negatives) + 1)
            candidates = negatives[:true_index] + [pair.reply] + negatives[true_index:]
            groups.append((pair, tuple(candidates), true_index))
    return groups


def hard_ranking_groups(ranker: Ranker, pairs: Sequence[ReplyPair], group_size: int,
                        near_duplicate: float, seed: int) -> list[RankingGroup]:
    """Each guide reply of `pairs` with the replies of their other conversations nearest to it
    or to its context, by BM25 and by the encoder when there is one, in turn; near-duplicates
    of it are never negatives.

    Negatives come from the same held-out pairs, not from the bank: a bank reply carries its
    prior and its past contexts, which a held-out true reply lacks, and the fusion would learn
    to tell the two apart instead of to rank."""
    guide = [p for p in pairs if p.reply_role is Role.GUIDE and normalize(p.reply)]
    pool = ReplyPool.of(guide)
    if len(pool) < group_size:
        return []
    texts = list(pool.replies)
    replies = [p.reply for p in guide]
    contexts = [ranker.query(p.context).context for p in guide]
    similarities = [ranker.bm25.score(replies, texts), ranker.bm25.score(contexts, texts)]
    pool_vectors = ranker.encode_replies(texts)
    context_vectors = ranker.encode_contexts([p.context for p in guide])
    if pool_vectors is not None and context_vectors is not None:
        own = pool_vectors[[pool.index(r) for r in replies]]
        similarities += [own @ pool_vectors.T, context_vectors @ pool_vectors.T]
    rng, groups = random.Random(seed), []
    for pair, chosen in zip(guide, nearest_negatives(guide, pool, similarities, group_size - 1,
                                                     near_duplicate), strict=True):
        if chosen is not None:
            candidates = [pool.replies[j] for j in chosen]
            true_index = rng.randrange(len(candidates) + 1)
            candidates.insert(true_index, pair.reply)
            groups.append((pair, tuple(candidates), true_index))
    return groups


def fit_bm25(pairs: Sequence[ReplyPair], bank_replies: Sequence[str], buckets: int) -> BM25Index:
    corpus = [p.reply for p in pairs] + [p.context[-1].text for p in pairs if p.context]
    return BM25Index(buckets=buckets).fit(corpus + list(bank_replies))


def mine_hard_negatives(bm25: BM25Index, pairs: Sequence[ReplyPair], replies: list[str],
                        reply_of: list[int], settings: SuggestSettings) -> list[int]:
    """Per pair, a lexically close reply from another conversation that is not a near-duplicate.

    Drawn from ranks 3-30 rather than the very top, where paraphrases of the true reply crowd.
    """
    rng = random.Random(settings.seed)
    conversations_of: dict[int, set[str]] = {}
    for pair, r in zip(pairs, reply_of, strict=True):
        conversations_of.setdefault(r, set()).add(pair.conversation_id)
    documents = bm25.documents(replies).T.tocsr()
    grams = [bigram_set(t) for t in replies]
    negatives = []
    for start in range(0, len(pairs), 512):
        chunk = pairs[start : start + 512]
        scores = (bm25.queries([" ".join(t.text for t in p.context[-2:]) for p in chunk])
                  @ documents).toarray()
        for offset, pair in enumerate(chunk):
            true = reply_of[start + offset]
            ranked = np.argsort(-scores[offset])[:30]
            options = [r for r in ranked[2:] if r != true
                       and pair.conversation_id not in conversations_of.get(int(r), set())
                       and jaccard(grams[true], grams[r]) <= settings.near_duplicate]
            negatives.append(int(rng.choice(options)) if options else -1)
    return negatives


def fit_encoder(pairs: Sequence[ReplyPair], bm25: BM25Index, settings: SuggestSettings,
                work_dir: Path, log: Progress, bank_texts: Sequence[str] = (),
                device: str = "cpu") -> tuple[DualEncoder, dict[str, torch.Tensor]]:
    """Prune e5 to the corpus, cache the frozen layers, fine-tune the top layers.

    Returns the encoder and the cached frozen-layer states of the replies it saw, keyed by
    reply text, so that embedding the bank can skip those layers."""
    s = settings

    def query_text(pair: ReplyPair) -> str:
        return dense_query(pair.context, s.dense_turns, s.max_context_chars, s.role_marks)

    # the vocabulary keeps every piece of every text the stage will see, not only the sample
    corpus = [query_text(p) for p in pairs]
    replies_seen = [p.reply for p in pairs] + list(bank_texts)
    corpus += [dense_reply(t, s.max_reply_chars) for t in replies_seen]
    learn_from = [p for p in pairs if s.customer_replies or p.reply_role is Role.GUIDE]
    if s.encoder_pairs and len(learn_from) > s.encoder_pairs:
        learn_from = random.Random(s.seed).sample(learn_from, s.encoder_pairs)
    contexts = [query_text(p) for p in learn_from]
    replies = sorted({dense_reply(p.reply, s.max_reply_chars) for p in learn_from})
    position = {t: i for i, t in enumerate(replies)}
    reply_of = [position[dense_reply(p.reply, s.max_reply_chars)] for p in learn_from]
    encoder = DualEncoder.from_base(corpus, work_dir, s.frozen_layers)
    if s.epochs <= 0 or s.frozen_layers >= len(encoder.layers):
        log("encoder: used as pretrained (no trainable layers or no epochs)")
        return encoder, {}
    encoder.model.to(device)  # the frozen layers run there once too, to cache their states
    log(f"encoder: {encoder.model.config.vocab_size} pieces kept; caching frozen layers for "
        f"{len(contexts)} contexts, {len(replies)} replies")
    context_states = encoder.lower_states(contexts, "query", s.max_context_tokens)
    reply_states = encoder.lower_states(replies, "passage", s.max_reply_tokens)
    negatives = (mine_hard_negatives(bm25, learn_from, replies, reply_of, s)
                 if s.hard_negatives else [-1] * len(learn_from))
    triples = list(zip(range(len(learn_from)), reply_of, negatives, strict=True))
    training = DenseTraining(epochs=s.epochs, batch_size=s.batch_size,
                             learning_rate=s.learning_rate, near_duplicate=s.near_duplicate,
                             seed=s.seed, device=device)
    losses = train_dual_encoder(encoder, context_states, reply_states, triples, replies, training,
                                progress=_step_logger(log))
    log(f"encoder: {len(losses)} steps, loss {np.mean(losses[:10]):.3f} -> "
        f"{np.mean(losses[-10:]):.3f}")
    return encoder, dict(zip(replies, reply_states, strict=True))


def fit_fusions(ranker: Ranker, selection: Sequence[RankingGroup]) -> None:
    """Selection weights (given candidates), over every feature and over lexical ones only."""
    features = ranker.group_features([(pair.context, cands) for pair, cands, _ in selection])
    truth = [t for _, _, t in selection]
    _fit_pair(ranker, "", features, truth)


def _fit_pair(ranker: Ranker, prefix: str, features: list[np.ndarray], truth: list[int]) -> None:
    lexical = [f[:, : len(LEXICAL_NAMES)] for f in features]
    ranker.fusions[prefix + "lexical"] = Fusion(LEXICAL_NAMES).fit(lexical, truth)
    if ranker.encoder is not None:
        ranker.fusions[prefix + "fused"] = Fusion(ranker.feature_names).fit(features, truth)


def fit_retrieval_fusion(ranker: Ranker, pairs: Sequence[ReplyPair], candidates: CandidateTexts,
                         embeddings: np.ndarray | None, settings: SuggestSettings,
                         negatives: int = 30, extra: Sequence[RankingGroup] = ()) -> int:
    """Retrieval weights: the bank reply closest to what the champion sent against the other
    replies the shortlist proposes (near-duplicates of the champion's reply left out: they are
    right answers too). Only replies with a near-duplicate in the bank can teach this; `extra`
    groups of given candidates (hard-negative groups of held-out replies) teach the weights of
    the other evidence (their prior and neighbour features are zeroed). Returns the number of
    groups used."""
    if ranker.prior is None:
        raise ValueError("attach the bank's prior index before fitting retrieval")
    guide = [p for p in pairs if p.reply_role is Role.GUIDE]
    nearest, similarity = ranker.prior.nearest([p.reply for p in guide])
    covered = [(p, int(r)) for p, r, v in zip(guide, nearest, similarity, strict=True)
               if v > settings.near_duplicate]
    rng = random.Random(settings.seed)
    sample = rng.sample(covered, min(len(covered), settings.calibration_conversations))
    if not sample and not extra:  # no champion reply recurs in the bank: as given candidates
        for name in ("lexical", "fused"):
            if name in ranker.fusions:
                ranker.fusions["retrieval_" + name] = ranker.fusions[name]
        return 0
    features: list[np.ndarray] = []
    truth: list[int] = []
    if sample:
        features, truth = _shortlist_groups(ranker, sample, candidates, embeddings, settings,
                                            negatives, rng)
    if extra:
        features += [_without_bank_evidence(ranker, f) for f in ranker.group_features(
            [(pair.context, group) for pair, group, _ in extra])]
        truth += [t for _, _, t in extra]
    _fit_pair(ranker, "retrieval_", features, truth)
    return len(features)


def _without_bank_evidence(ranker: Ranker, features: np.ndarray) -> np.ndarray:
    """Held-out true replies are rarely in the bank, so in their groups the prior and the past
    contexts would only mark the wrong answers; zeroed, those weights learn from bank groups."""
    out = features.copy()
    out[:, [ranker.feature_names.index(n) for n in BANK_EVIDENCE]] = 0.0
    return out


def _shortlist_groups(ranker: Ranker, sample: Sequence[tuple[ReplyPair, int]],
                      candidates: CandidateTexts, embeddings: np.ndarray | None,
                      settings: SuggestSettings, negatives: int, rng: random.Random
                      ) -> tuple[list[np.ndarray], list[int]]:
    """Features of each champion reply's bank row (first) and shortlisted wrong replies."""
    usable = np.ones(len(candidates.texts), dtype=bool)
    contexts = [p.context for p, _ in sample]
    short = ranker.shortlist(contexts, candidates, embeddings, usable)
    rows, truth = [], []
    for (pair, positive), proposed in zip(sample, short.rows, strict=True):
        grams = bigram_set(pair.reply)
        wrong = [int(r) for r in proposed
                 if jaccard(grams, candidates.grams[r]) <= settings.near_duplicate]
        wrong = rng.sample(wrong, min(negatives, len(wrong)))
        rows.append(np.asarray([positive] + wrong))
        truth.append(0)
    dense = None
    vectors = ranker.encode_contexts(contexts) if embeddings is not None else None
    if vectors is not None and embeddings is not None:
        dense = [embeddings[r] @ v for r, v in zip(rows, vectors, strict=True)]
    return ranker.features(contexts, candidates, rows, dense, short.neighbours), truth


def fit_calibrator(ranker: Ranker, pairs: Sequence[ReplyPair], candidates: CandidateTexts,
                   embeddings: np.ndarray | None, settings: SuggestSettings,
                   parts: str = "fused") -> Calibrator:
    """A suggestion counts as right when it is a near-duplicate of what the champion sent.

    Scores are per suggestion; the abstention cut is per list: it is set on the first
    suggestion's probability so that the lists shown hold the champion's reply (among their
    `max_suggestions`) at least `target_precision` of the time. Many replies would do where a
    champion sent one, so this undercounts good lists: the cut errs on the side of silence.
    """
    guide = [p for p in pairs if p.reply_role is Role.GUIDE]
    rng = random.Random(settings.seed + 1)
    sample = rng.sample(guide, min(len(guide), settings.calibration_conversations))
    usable = np.ones(len(candidates.texts), dtype=bool)
    ranked = ranker.retrieve([p.context for p in sample], candidates, embeddings, usable, parts)
    features, correct, top, list_hits = [], [], [], []
    for pair, result in zip(sample, ranked, strict=True):
        keep = min(settings.max_suggestions, len(result.rows))
        if keep == 0:
            continue
        grams = bigram_set(pair.reply)
        features.append(calibration_features(result.scores)[:keep])
        hits = [jaccard(grams, candidates.grams[r]) > settings.near_duplicate
                for r in result.rows[:keep]]
        correct += hits
        list_hits.append(any(hits))
        top += [True] + [False] * (keep - 1)
    labels = np.asarray(correct, dtype=int)
    stacked = np.vstack(features) if features else np.zeros((0, 3))
    return Calibrator().fit(stacked, labels, np.asarray(top, dtype=bool),
                            settings.target_precision, np.asarray(list_hits, dtype=int))


def _step_logger(log: Progress) -> Callable[[int, float], None]:
    state = {"step": 0, "loss": 0.0}

    def step(_: int, loss: float) -> None:
        state["step"] += 1
        state["loss"] = 0.9 * state["loss"] + 0.1 * loss if state["step"] > 1 else loss
        if state["step"] % 20 == 0:
            log(f"encoder: step {state['step']}, loss {state['loss']:.3f}")

    return step


def context_neighbours(ranker: Ranker, pairs: Sequence[ReplyPair]) -> ContextNeighbours | None:
    """The contexts of the training guide replies that have a near-duplicate in the bank."""
    if ranker.prior is None:
        return None
    guide = [p for p in pairs if p.reply_role is Role.GUIDE]
    rows = ranker.prior.bank_rows([p.reply for p in guide])
    kept = [(p, int(r)) for p, r in zip(guide, rows, strict=True) if r >= 0]
    queries = [ranker.query(p.context) for p, _ in kept]
    return ContextNeighbours(ranker.bm25, [q.context for q in queries],
                             [q.last for q in queries], [r for _, r in kept])
