"""Response selection on ECD-format data: R10@1, R10@2, R10@5 and MRR.

Run:
    .venv/bin/python -m salesbrain.evaluation.response_selection --stage models/suggest \
        --data var/eval/response_selection_test.tsv [--baselines]

Input lines are `label \\t utt_1 \\t ... \\t utt_k \\t candidate`; spaces inside utterances are
word separators and are removed; the last context utterance is the customer's and speakers
alternate backwards; consecutive lines with the same context form one group with exactly one
label 1. Ties count against the true reply (a constant scorer gets no credit).

With `--baselines` the same run also scores baselines beside the stage: random, char-bigram
Jaccard, BM25 and TF-IDF cosine (last 3 turns against the candidate, IDF from the stage's
training replies), zero-shot e5, and the stage's own parts (lexical-only fusion, the
fine-tuned dual encoder alone, the fusion of both).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from salesbrain.schema import Role, Turn

GroupScorer = Callable[[Sequence["SelectionGroup"]], list[np.ndarray]]


@dataclass(frozen=True)
class SelectionGroup:
    context: tuple[Turn, ...]
    candidates: tuple[str, ...]
    true_index: int


def context_turns(utterances: Sequence[str]) -> tuple[Turn, ...]:
    """The last utterance is the customer's; speakers alternate backwards."""
    last = len(utterances) - 1
    return tuple(
        Turn(Role.CUSTOMER if (last - i) % 2 == 0 else Role.GUIDE, "".join(u.split()))
        for i, u in enumerate(utterances)
    )


def read_groups(path: Path) -> list[SelectionGroup]:
    """Parse an ECD-format file; a malformed line or group fails naming the line."""
    groups: list[SelectionGroup] = []
    current: tuple[tuple[str, ...], list[str], list[int], int] | None = None

    def close() -> None:
        if current is None:
            return
        utterances, candidates, labels, first_line = current
        if labels.count(1) != 1:
            raise ValueError(
                f"{path}:{first_line}: group has {labels.count(1)} true replies, need 1")
        groups.append(SelectionGroup(context_turns(utterances), tuple(candidates), labels.index(1)))

    for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) < 3 or fields[0] not in ("0", "1"):
            raise ValueError(f"{path}:{line_no}: expected 'label<TAB>utterances...<TAB>candidate'")
        utterances, candidate = tuple(fields[1:-1]), "".join(fields[-1].split())
        if current is None or current[0] != utterances:
            close()
            current = (utterances, [], [], line_no)
        current[1].append(candidate)
        current[2].append(int(fields[0]))
    close()
    return groups


def rank_of_true(scores: np.ndarray, true_index: int) -> int:
    """1-based rank of the true candidate; ties are resolved against it."""
    true_score = scores[true_index]
    others = np.delete(scores, true_index)
    return 1 + int(np.sum(others >= true_score))


def ranking_metrics(ranks: Sequence[int]) -> dict[str, float]:
    """R10@k (share of groups with the true reply in the top k) and mean reciprocal rank."""
    values = np.asarray(ranks, dtype=np.float64)
    if values.size == 0:
        return {"n": 0, "R10@1": 0.0, "R10@2": 0.0, "R10@5": 0.0, "MRR": 0.0}
    return {
        "n": int(values.size),
        "R10@1": float(np.mean(values <= 1)),
        "R10@2": float(np.mean(values <= 2)),
        "R10@5": float(np.mean(values <= 5)),
        "MRR": float(np.mean(1.0 / values)),
    }


def score_with(scorer: GroupScorer, groups: Sequence[SelectionGroup],
               sources: Sequence[str] | None = None) -> dict:
    """Metrics of a scorer; with `sources` (one per group) also per source."""
    scores = scorer(groups)
    ranks = [rank_of_true(s, g.true_index) for s, g in zip(scores, groups, strict=True)]
    metrics: dict = ranking_metrics(ranks)
    if sources is not None:
        metrics["per_source"] = {
            source: ranking_metrics([r for r, s in zip(ranks, sources, strict=True)
                                     if s == source])
            for source in sorted(set(sources))}
    return metrics


def read_sources(tsv: Path, groups: Sequence[SelectionGroup]) -> list[str] | None:
    """The per-group sources written beside the test file by prepare_dialogues, if any."""
    path = Path(tsv).with_suffix(".sources.txt")
    if not path.is_file():
        return None
    sources = path.read_text(encoding="utf-8").split()
    if len(sources) != len(groups):
        raise ValueError(f"{path}: {len(sources)} sources for {len(groups)} groups")
    return sources


def load_suggest_stage(stage_dir: Path):  # noqa: ANN201 - the stage class is imported lazily
    from salesbrain.stages.suggest import SuggestStage

    stage_dir = Path(stage_dir)
    if (stage_dir / "suggest").is_dir():  # a brain directory holding the stage
        stage_dir = stage_dir / "suggest"
    return SuggestStage.from_pretrained(stage_dir)


def stage_scorer(stage, parts: str = "fused") -> GroupScorer:  # noqa: ANN001
    def scorer(groups: Sequence[SelectionGroup]) -> list[np.ndarray]:
        return stage.score_candidates([(g.context, g.candidates) for g in groups], parts=parts)

    return scorer


def evaluate_response_selection(stage_dir: Path, tsv: Path) -> dict[str, float]:
    """The CLI contract: {"n", "R10@1", "R10@2", "R10@5", "MRR"} of the trained stage."""
    return score_with(stage_scorer(load_suggest_stage(stage_dir)), read_groups(Path(tsv)))


def random_scorer(seed: int = 0) -> GroupScorer:
    rng = np.random.default_rng(seed)
    return lambda groups: [rng.random(len(g.candidates)) for g in groups]


def _recent(group: SelectionGroup, turns: int = 3) -> str:
    return " ".join(t.text for t in group.context[-turns:])


def lexical_scorers(bm25) -> dict[str, GroupScorer]:  # noqa: ANN001
    """Char-bigram Jaccard, BM25 and TF-IDF cosine of the last 3 turns against each candidate."""
    from salesbrain.suggest.lexical import bigram_jaccard, tfidf_rows

    def jaccard(groups: Sequence[SelectionGroup]) -> list[np.ndarray]:
        return [np.asarray([bigram_jaccard(_recent(g), c) for c in g.candidates])
                for g in groups]

    def bm25_scores(groups: Sequence[SelectionGroup]) -> list[np.ndarray]:
        return [bm25.score([_recent(g)], list(g.candidates))[0] for g in groups]

    def tfidf(groups: Sequence[SelectionGroup]) -> list[np.ndarray]:
        return [(tfidf_rows(bm25, [_recent(g)]) @ tfidf_rows(bm25, list(g.candidates)).T)
                .toarray()[0] for g in groups]

    return {"char_bigram_jaccard": jaccard, "bm25": bm25_scores, "tfidf_cosine": tfidf}


def zero_shot_e5_scorer() -> GroupScorer:
    """The pretrained e5 as it ships: "query: " last 3 turns, "passage: " candidate."""
    from salesbrain.encoder import load_encoder

    def scorer(groups: Sequence[SelectionGroup]) -> list[np.ndarray]:
        encoder = load_encoder()
        texts = sorted({c for g in groups for c in g.candidates})
        position = {t: i for i, t in enumerate(texts)}
        replies = encoder.encode(texts, kind="passage", max_length=128)
        queries = encoder.encode([_recent(g) for g in groups], kind="query", max_length=128)
        return [replies[[position[c] for c in g.candidates]] @ q
                for g, q in zip(groups, queries, strict=True)]

    return scorer


def baseline_scorers(stage) -> dict[str, GroupScorer]:  # noqa: ANN001
    scorers: dict[str, GroupScorer] = {"random": random_scorer(seed=0)}
    scorers.update(lexical_scorers(stage.bm25_))
    scorers["e5_zero_shot"] = zero_shot_e5_scorer()
    for parts in stage.available_parts():
        scorers[f"stage_{parts}"] = stage_scorer(stage, parts)
    return scorers


def main() -> None:
    parser = argparse.ArgumentParser(description="Response selection metrics (ECD format).")
    parser.add_argument("--stage", type=Path, required=True, help="suggest stage or brain dir")
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--baselines", action="store_true")
    args = parser.parse_args()
    groups = read_groups(args.data)
    sources = read_sources(args.data, groups) if args.baselines else None
    stage = load_suggest_stage(args.stage)
    scorers = baseline_scorers(stage) if args.baselines else {"stage_fused": stage_scorer(stage)}
    results = {}
    for name, scorer in scorers.items():
        started = time.perf_counter()
        results[name] = score_with(scorer, groups, sources)
        results[name]["seconds"] = round(time.perf_counter() - started, 1)
    if not args.baselines:
        results = results["stage_fused"]
        results.pop("seconds")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
