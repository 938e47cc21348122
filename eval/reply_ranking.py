"""Reply ranking on held-out real pairs: random negatives, hard negatives, the whole pool, ECD.

Run (the stage from `python -m salesbrain.jobs.train_suggest --preset small --out DIR`):
    python -m eval.reply_ranking --stage-dir var/suggest_small/suggest --sample 300
    # several stages side by side: repeat --stage-dir (rows named by each stage's parent dir)

The pairs are the guide replies of the held-out ("test") conversations of the dialogues split
(`salesbrain.datasets.splits`), JDDC sample and STC-3 by default; `--sample` contexts are
drawn from them, and the pool is every distinct held-out reply of those sets. Per context:

- random: the true reply and 9 pool replies drawn at random (R10@1, R10@5);
- hard: the true reply and 9 pool replies nearest to it or to the context by BM25 (IDF of the
  pool) and by zero-shot e5, in turn (`salesbrain.evaluation.hard_negatives`); these are
  adversarial to the BM25 and e5 baselines by construction;
- pool: the true reply against the whole pool (recall@1/5/20);
- ECD: the held-out conversations of the ECD sample, true reply against its retrieved negative
  (R2@1; a handful of contexts, an extra check only).

Negatives never come from the context's own conversation nor are near-duplicates of the true
reply. Each cell is a mean over contexts with a 95% bootstrap interval over contexts.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from salesbrain.datasets.dialogues import pairs_of, read_all, split_dialogues
from salesbrain.datasets.ecd import FILE as ECD_FILE
from salesbrain.datasets.splits import TEST
from salesbrain.evaluation.hard_negatives import (
    ReplyPool,
    bootstrap_interval,
    hard_negative_groups,
    held_out_guide_pairs,
    pool_groups,
    random_negative_groups,
    recall_hits,
)
from salesbrain.evaluation.response_selection import (
    SelectionGroup,
    load_suggest_stage,
    rank_of_true,
    read_groups,
)
from salesbrain.paths import shared_data_dir
from salesbrain.suggest.lexical import BM25Index, tfidf_rows
from salesbrain.suggest.types import ReplyPair

Scores = list[np.ndarray]
SOURCES = ("jddc", "stc3")
COLUMNS = (("random", 1), ("random", 5), ("hard", 1), ("hard", 5),
           ("pool", 1), ("pool", 5), ("pool", 20), ("ecd", 1))


def recent(turns: Sequence, count: int = 3) -> str:
    return " ".join(t.text for t in turns[-count:])


class E5Memo:
    """Zero-shot e5 vectors, each text encoded once per run."""

    def __init__(self) -> None:
        from salesbrain.encoder import load_encoder

        self.encoder, self.memo = load_encoder(), {}  # type: ignore[var-annotated]

    def __call__(self, texts: Sequence[str], kind: str) -> np.ndarray:
        missing = sorted({t for t in texts if (kind, t) not in self.memo})
        if missing:
            vectors = self.encoder.encode(missing, kind=kind, max_length=128)  # type: ignore[arg-type]
            self.memo.update(((kind, t), v) for t, v in zip(missing, vectors, strict=True))
        return np.stack([self.memo[(kind, t)] for t in texts]) if texts else np.zeros((0, 384))


def candidate_scorer(score: Callable[[list[str], list[str]], np.ndarray]
                     ) -> Callable[[Sequence[SelectionGroup]], Scores]:
    """A scorer from `score(queries, texts) -> (queries, texts)`, each text scored once."""
    def scorer(groups: Sequence[SelectionGroup]) -> Scores:
        texts = sorted({c for g in groups for c in g.candidates})
        position = {t: i for i, t in enumerate(texts)}
        matrix = score([recent(g.context) for g in groups], texts)
        return [matrix[i, [position[c] for c in g.candidates]] for i, g in enumerate(groups)]
    return scorer


def baseline_scorers(bm25: BM25Index, e5: E5Memo) -> dict[str, Callable]:
    rng = np.random.default_rng(0)
    return {
        "random": lambda groups: [rng.random(len(g.candidates)) for g in groups],
        "bm25": candidate_scorer(lambda q, t: bm25.score(q, t)),
        "tfidf": candidate_scorer(
            lambda q, t: (tfidf_rows(bm25, q) @ tfidf_rows(bm25, t).T).toarray()),
        "e5 zero-shot": candidate_scorer(lambda q, t: e5(q, "query") @ e5(t, "passage").T),
    }


def stage_scores(stage, groups: Sequence[SelectionGroup], label: str = "stage"  # noqa: ANN001
                 ) -> dict[str, Scores]:
    """The stage's parts from one feature computation: dense alone, and the fusion with the
    weights `score_candidates` uses (selection) and the ones `predict` ranks its bank with."""
    ranker = stage.ranker_
    features = ranker.group_features([(g.context, g.candidates) for g in groups])
    return {f"{label} dense": [ranker.combine(f, "dense", "selection") for f in features],
            f"{label} fused": [ranker.combine(f, "fused", "selection") for f in features],
            f"{label} fused (bank weights)": [ranker.combine(f, "fused", "retrieval")
                                              for f in features]}


def held_out_pairs(data_dir: Path) -> tuple[list[dict], set[str]]:
    """The held-out rows of every dialogue set, and the held-out conversation ids."""
    held = split_dialogues(read_all(data_dir))[TEST]
    return [row for d in held for row in pairs_of(d)], {d.conversation_id for d in held}


def ecd_held_out_groups(data_dir: Path, held_out: set[str]) -> list[SelectionGroup]:
    """ECD sample groups whose conversation (as `datasets.dialogues` keys it) is held out."""
    def key(g: SelectionGroup) -> str:
        turns = [t.text for t in g.context] + [g.candidates[g.true_index]]
        return "ecd:" + "|".join(turns[:3])
    return [g for g in read_groups(data_dir / ECD_FILE) if key(g) in held_out]


def mining_similarities(pairs: Sequence[ReplyPair], pool: ReplyPool, e5: E5Memo
                        ) -> list[np.ndarray]:
    """(pairs, pool) similarities to mine negatives by: BM25 and e5, from reply and context."""
    bm25 = BM25Index().fit(list(pool.replies))
    replies, contexts = [p.reply for p in pairs], [recent(p.context) for p in pairs]
    pool_vectors = e5(list(pool.replies), "passage")
    return [bm25.score(replies, list(pool.replies)), bm25.score(contexts, list(pool.replies)),
            e5(replies, "passage") @ pool_vectors.T, e5(contexts, "query") @ pool_vectors.T]


def cell(hits: np.ndarray) -> dict:
    low, high = bootstrap_interval(hits)
    return {"mean": float(hits.mean()) if hits.size else float("nan"), "low": low,
            "high": high, "n": int(hits.size)}


def evaluate(stages: dict[str, Any], protocols: dict[str, list[SelectionGroup]],
             e5: E5Memo) -> dict:
    """Every scorer runs once over the groups of all protocols (each text encoded once); the
    lexical baselines use the first stage's IDF (from its training replies)."""
    groups = [g for part in protocols.values() for g in part]
    first = next(iter(stages.values()))
    scores = {name: scorer(groups) for name, scorer in baseline_scorers(first.bm25_, e5).items()}
    for label, stage in stages.items():
        scores.update(stage_scores(stage, groups, label))
    results: dict[str, dict] = {}
    for name, per_group in scores.items():
        ranks = [rank_of_true(s, g.true_index) for s, g in zip(per_group, groups, strict=True)]
        start = 0
        for protocol, part in protocols.items():
            mine = ranks[start : start + len(part)]
            start += len(part)
            for k in (k for column, k in COLUMNS if column == protocol):
                results.setdefault(name, {})[f"{protocol}@{k}"] = cell(recall_hits(mine, k))
    return results


def table(results: dict, sizes: dict) -> str:
    header = ["ranker"] + [f"{c} R@{k}" if c != "ecd" else "ECD R2@1" for c, k in COLUMNS]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name, row in results.items():
        if name.startswith("_"):
            continue
        cells = [row.get(f"{c}@{k}") for c, k in COLUMNS]
        lines.append("| " + " | ".join([name] + [
            f"{x['mean']:.3f} [{x['low']:.2f}, {x['high']:.2f}]" if x else "-" for x in cells])
            + " |")
    lines.append("contexts: " + ", ".join(f"{k} {v}" for k, v in sizes.items()))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage-dir", type=Path, required=True, action="append",
                        help="suggest stage or brain; repeat to compare stages in one table")
    parser.add_argument("--data-dir", type=Path, default=shared_data_dir())
    parser.add_argument("--sample", type=int, default=300, help="held-out contexts (0 = all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    torch.set_num_threads(1)
    started = time.perf_counter()
    rows, held_ids = held_out_pairs(args.data_dir)
    everything = held_out_guide_pairs(rows, SOURCES)
    pool = ReplyPool.of(everything)
    pairs = everything if not args.sample or args.sample >= len(everything) else \
        random.Random(args.seed).sample(everything, args.sample)
    e5 = E5Memo()
    protocols = {
        "random": random_negative_groups(pairs, pool, seed=args.seed),
        "hard": hard_negative_groups(pairs, pool, mining_similarities(pairs, pool, e5),
                                     seed=args.seed),
        "pool": pool_groups(pairs, pool),
        "ecd": ecd_held_out_groups(args.data_dir, held_ids),
    }
    labels = (["stage"] if len(args.stage_dir) == 1
              else [f"stage {Path(d).resolve().parent.name}" for d in args.stage_dir])
    stages = {label: load_suggest_stage(d) for label, d in zip(labels, args.stage_dir, strict=True)}
    results = evaluate(stages, protocols, e5)
    sizes = {name: len(groups) for name, groups in protocols.items()}
    sizes["pool replies"] = len(pool)
    results["_run"] = {"sizes": sizes, "seconds": round(time.perf_counter() - started, 1),
                       "stage_dirs": [str(d) for d in args.stage_dir], "sources": list(SOURCES)}
    print(table(results, sizes))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
