"""Customer-intent evaluation on held-out real messages (`salesbrain eval intent`).

Run:
    # write the held-out real test split (conversations never trained on) in the cli.md format
    .venv/bin/python -m eval.intent --export-test var/eval/intent_test.jsonl
    # score a stage or a brain directory on such a file
    .venv/bin/python -m eval.intent --brain models/brains/X --data var/eval/intent_test.jsonl
    # the benchmark: fp32 and int8 model beside the TF-IDF baseline, same split, same run
    .venv/bin/python -m eval.intent --brain models/brains/X --benchmark

Input lines: {"text": "...", "context": [["customer"|"guide", "..."], ...], "intent": "<key>"}.
Output: {"n", "accuracy", "macro_f1", "per_class": {key: {"precision", "recall", "f1", "support"}}}.
Macro-F1 averages over every class that occurs as truth or as prediction.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sklearn.metrics import accuracy_score, precision_recall_fscore_support

from salesbrain.labelled import (
    load_intent_examples,
    read_intent_records,
    split_by_conversation,
    write_intent_records,
)
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
    labels_dir: Path | None = None, seed: int = 0,
) -> Path:
    """Write the held-out real test split (whole conversations, never trained on)."""
    examples = load_intent_examples(data_dir or shared_data_dir(), labels_dir)
    return write_intent_records(split_by_conversation(examples, seed)["test"], path)


def intent_metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    labels = [key for key in INTENT_KEYS if key in set(gold) | set(predicted)]
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=labels, zero_division=0)
    per_class = {
        key: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for key, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
    }
    return {"n": len(gold), "accuracy": float(accuracy_score(gold, predicted)),
            "macro_f1": float(f1.mean()) if len(labels) else 0.0, "per_class": per_class}


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


def timed_evaluation(
    stage: IntentStage, inputs: list[IntentInput], gold: list[str], repeats: int = 2
) -> dict:
    """Metrics plus throughput: messages per second over the whole file (batched), best of
    `repeats` passes so a busy machine disturbs the figure less."""
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        predicted = [p.intent for p in stage.predict(inputs)]
        seconds.append(time.perf_counter() - started)
    return {**intent_metrics(gold, predicted), "messages_per_s": len(inputs) / min(seconds)}


def benchmark(
    brain: Path, data_dir: Path, labels_dir: Path | None, seed: int, threads: int = 2
) -> dict:
    """fp32 and int8 model and the TF-IDF baseline on the same real test split."""
    import torch

    from eval.intent_baseline import fit_baseline, predict_baseline

    torch.set_num_threads(min(threads, 2))
    splits = split_by_conversation(load_intent_examples(data_dir, labels_dir), seed)
    test_file = write_intent_records(splits["test"], DEFAULT_TEST_FILE)
    inputs, gold = read_intent_eval_file(test_file)
    train = splits["train"]
    baseline = fit_baseline([IntentInput(e.text, e.context) for e in train],
                            [e.intent for e in train])
    results = {"test_file": str(test_file), "n_train": len(train), "threads": threads,
               "baseline_tfidf": intent_metrics(gold, predict_baseline(baseline, inputs))}
    for name, overrides in (("model_fp32", None), ("model_int8", {"int8": True})):
        results[name] = timed_evaluation(load_intent_stage(brain, overrides), inputs, gold)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description="Evaluate the customer-intent stage.")
    parser.add_argument("--brain", type=Path, help="brain dir (with intent/) or stage dir")
    parser.add_argument("--data", type=Path, help="intent eval file (cli.md format)")
    parser.add_argument("--export-test", type=Path, help="write the real test split here")
    parser.add_argument("--benchmark", action="store_true",
                        help="fp32 + int8 + baseline on the real test split")
    parser.add_argument("--data-dir", type=Path, default=shared_data_dir())
    parser.add_argument("--labels-dir", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2, help="CPU threads (at most 2)")
    args = parser.parse_args()
    if args.export_test:
        path = export_test_split(args.export_test, args.data_dir, args.labels_dir, args.seed)
        print(json.dumps({"test_file": str(path)}))
    elif args.benchmark and args.brain:
        result = benchmark(args.brain, args.data_dir, args.labels_dir, args.seed, args.threads)
        print(json.dumps(result, ensure_ascii=False, indent=2))
    elif args.brain and args.data:
        print(json.dumps(evaluate_intent(args.brain, args.data), ensure_ascii=False, indent=2))
    else:
        parser.error("give --export-test FILE, --brain DIR --data FILE, or --brain DIR --benchmark")


if __name__ == "__main__":
    main()
