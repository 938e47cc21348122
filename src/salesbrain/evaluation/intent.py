"""Customer-intent evaluation on held-out real messages (`salesbrain eval intent`).

Run:
    # write the held-out real test split (conversations never trained on) in the cli.md format
    .venv/bin/python -m salesbrain.evaluation.intent --export-test var/eval/intent_test.jsonl
    # score a stage or a brain directory on such a file
    .venv/bin/python -m salesbrain.evaluation.intent --brain models/brains/X \
        --data var/eval/intent_test.jsonl

The benchmark (precisions, the TF-IDF baseline, throughput) is `eval/bench_intent.py`.

Input lines: {"text": "...", "context": [["customer"|"guide", "..."], ...], "intent": "<key>"}.
Output: {"n", "accuracy", "macro_f1", "per_class": {key: {"precision", "recall", "f1", "support"}}}.
Macro-F1 averages over every class that occurs as truth or as prediction.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sklearn.metrics import accuracy_score

from salesbrain.datasets.annotations import (
    load_intent_annotations,
    read_intent_records,
    split_intent_annotations,
    write_intent_records,
)
from salesbrain.evaluation.metrics import per_class_scores
from salesbrain.paths import REPO_ROOT, shared_data_dir
from salesbrain.stages.intent import IntentInput, IntentStage
from salesbrain.taxonomy import INTENT_KEYS

DEFAULT_TEST_FILE = REPO_ROOT / "var" / "eval" / "intent_test.jsonl"


def read_intent_eval_file(path: Path) -> tuple[list[IntentInput], list[str]]:
    """Inputs and true intents of a cli.md intent file; a bad line fails naming the line."""
    records = read_intent_records(path)
    return [IntentInput(r.text, r.context) for r in records], [r.intent for r in records]


def export_test_split(
    path: Path = DEFAULT_TEST_FILE, data_dir: Path | None = None,
    annotations_dir: Path | None = None, seed: int = 0,
) -> Path:
    """Write the held-out real test split (whole conversations, never trained on)."""
    examples = load_intent_annotations(data_dir or shared_data_dir(), annotations_dir)
    return write_intent_records(split_intent_annotations(examples, seed)["test"], path)


def intent_metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    labels = [key for key in INTENT_KEYS if key in set(gold) | set(predicted)]
    per_class = per_class_scores(gold, predicted, labels)
    macro_f1 = sum(s["f1"] for s in per_class.values()) / len(labels) if labels else 0.0
    return {"n": len(gold), "accuracy": float(accuracy_score(gold, predicted)),
            "macro_f1": macro_f1, "per_class": per_class}


def load_intent_stage(
    source: Path | IntentStage, overrides: dict[str, Any] | None = None
) -> IntentStage:
    """A stage object, a stage directory, or a brain directory holding `intent/`."""
    if isinstance(source, IntentStage):
        return source
    source = Path(source)
    stage_dir = source / "intent" if (source / "intent" / "config.json").is_file() else source
    return IntentStage.from_pretrained(stage_dir, overrides)


def evaluate_intent(stage_dir: Path | IntentStage, data_file: Path) -> dict[str, Any]:
    """The cli.md intent metrics of a stage (object, stage dir or brain dir) on a data file."""
    stage = load_intent_stage(stage_dir)
    inputs, gold = read_intent_eval_file(data_file)
    predicted = [p.intent for p in stage.predict(inputs)]
    return intent_metrics(gold, predicted)


def main() -> None:
    parser = argparse.ArgumentParser(description="Evaluate the customer-intent stage.")
    parser.add_argument("--brain", type=Path, help="brain dir (with intent/) or stage dir")
    parser.add_argument("--data", type=Path, help="intent eval file (cli.md format)")
    parser.add_argument("--export-test", type=Path, help="write the real test split here")
    parser.add_argument("--data-dir", type=Path, default=shared_data_dir())
    parser.add_argument("--labels-dir", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.export_test:
        path = export_test_split(args.export_test, args.data_dir, args.annotations_dir, args.seed)
        print(json.dumps({"test_file": str(path)}))
    elif args.brain and args.data:
        print(json.dumps(evaluate_intent(args.brain, args.data), ensure_ascii=False, indent=2))
    else:
        parser.error("give --export-test FILE or --brain DIR --data FILE")


if __name__ == "__main__":
    main()
