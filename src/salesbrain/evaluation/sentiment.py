"""Sentiment evaluation: accuracy on `{"sentence", "label": "Positive"|"Negative"}` lines.

The held-out review slice is the "sentiment" rule of `salesbrain.datasets.splits`: a review is
held out when a hash of its text falls in the first 2 % of the hash range, so identical texts
share a side and the slice never changes while the review sets are read again. Training
excludes exactly these reviews (`salesbrain.datasets.reviews.trainable_reviews`).

Write the evaluation files (eprstmt dev and the held-out review slice) and evaluate a stage:

    .venv/bin/python -m salesbrain.evaluation.sentiment write --out var/eval
    .venv/bin/python -m salesbrain.evaluation.sentiment score --stage models/sentiment \
        --data var/eval/sentiment_eprstmt_dev.jsonl --baseline

`score` prints accuracy, per-class precision/recall/F1 and messages per second; with
`--baseline` the same for the TF-IDF baseline fitted in the same run.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from salesbrain.datasets.eprstmt import json_lines, read_eprstmt
from salesbrain.datasets.reviews import heldout_reviews, trainable_reviews
from salesbrain.evaluation.metrics import per_class_scores
from salesbrain.paths import REPO_ROOT, shared_data_dir
from salesbrain.stages.sentiment import SentimentSettings, SentimentStage

# the plain model every sentiment number is shown beside (the stage before self-training)
BASELINE_SETTINGS = SentimentSettings(features="tfidf", tfidf_ngram_max=3,
                                      tfidf_max_features=200_000, self_training=0.0)

EVAL_FILES = {"eprstmt_dev": "sentiment_eprstmt_dev.jsonl",
              "reviews_heldout": "sentiment_reviews_heldout.jsonl"}


def write_eval_files(data_dir: Path, out_dir: Path) -> dict[str, Path]:
    """Export eprstmt dev and the held-out review slice as sentiment eval files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    sets = {"eprstmt_dev": read_eprstmt(data_dir, "dev"),
            "reviews_heldout": heldout_reviews(data_dir)}
    written = {}
    for key, reviews in sets.items():
        path = out_dir / EVAL_FILES[key]
        with path.open("w", encoding="utf-8") as handle:
            for review in reviews:
                line = {"sentence": review.sentence, "label": review.label}
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
        written[key] = path
    return written


def read_sentiment_file(data_file: Path) -> tuple[list[str], list[str]]:
    sentences, labels = [], []
    for number, record in enumerate(json_lines(Path(data_file)), start=1):
        if record.get("label") not in ("Positive", "Negative") or "sentence" not in record:
            raise ValueError(f"{data_file}:{number}: need 'sentence' and a Positive/Negative label")
        sentences.append(str(record["sentence"]))
        labels.append(record["label"])
    return sentences, labels


def accuracy(predicted: Sequence[str], gold: Sequence[str]) -> float:
    return sum(p == g for p, g in zip(predicted, gold, strict=True)) / max(len(gold), 1)


def per_class(predicted: Sequence[str], gold: Sequence[str]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support ("n") of each label (0.0 where undefined)."""
    scores = per_class_scores(gold, predicted, ("Positive", "Negative"))
    return {label: {"precision": round(s["precision"], 4), "recall": round(s["recall"], 4),
                    "f1": round(s["f1"], 4), "n": int(s["support"])}
            for label, s in scores.items()}


def score_stage(stage: SentimentStage, sentences: list[str], gold: list[str]) -> dict[str, Any]:
    """Accuracy, per-class scores and throughput of a fitted sentiment stage on one file."""
    started = time.perf_counter()
    predicted = [p.label.capitalize() for p in stage.predict(sentences)]
    seconds = time.perf_counter() - started
    return {"n": len(gold), "accuracy": round(accuracy(predicted, gold), 4),
            "per_class": per_class(predicted, gold),
            "messages_per_s": round(len(sentences) / max(seconds, 1e-9))}


def evaluate_sentiment(stage_dir: Path, data_file: Path) -> dict[str, Any]:
    """The CLI contract's `eval sentiment` metrics for a sentiment stage dir or a brain dir."""
    stage_dir = Path(stage_dir)
    if (stage_dir / SentimentStage.name / "config.json").is_file():
        stage_dir = stage_dir / SentimentStage.name
    stage = SentimentStage.from_pretrained(stage_dir)
    sentences, gold = read_sentiment_file(data_file)
    return score_stage(stage, sentences, gold)


def compare_with_baseline(stage_dir: Path, data_file: Path, data_dir: Path) -> dict[str, Any]:
    """The stage beside the plain character 1-3-gram TF-IDF baseline, fitted now on every
    trainable review (the held-out slice and eprstmt dev excluded), on the same file."""
    reviews = trainable_reviews(data_dir) + read_eprstmt(data_dir, "train")
    baseline = SentimentStage(BASELINE_SETTINGS).fit([r.sentence for r in reviews],
                                                      [r.label for r in reviews])
    sentences, gold = read_sentiment_file(data_file)
    return {"model": evaluate_sentiment(stage_dir, data_file),
            "baseline_tfidf": {"train_examples": len(reviews),
                               **score_stage(baseline, sentences, gold)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    write = commands.add_parser("write", help="export the sentiment eval files")
    write.add_argument("--data-dir", type=Path, default=shared_data_dir())
    write.add_argument("--out", type=Path, default=REPO_ROOT / "var" / "eval")
    score = commands.add_parser("score", help="evaluate a saved sentiment stage (or brain)")
    score.add_argument("--stage", type=Path, required=True)
    score.add_argument("--data", type=Path, required=True)
    score.add_argument("--baseline", action="store_true",
                       help="also fit the TF-IDF baseline (about a minute) and score it")
    score.add_argument("--data-dir", type=Path, default=shared_data_dir())
    args = parser.parse_args()
    if args.command == "write":
        paths = write_eval_files(args.data_dir, args.out)
        print(json.dumps({key: str(path) for key, path in paths.items()}))
    elif args.baseline:
        print(json.dumps(compare_with_baseline(args.stage, args.data, args.data_dir)))
    else:
        print(json.dumps(evaluate_sentiment(args.stage, args.data)))


if __name__ == "__main__":
    main()
