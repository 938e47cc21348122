"""The intent benchmark: fp32, bf16 and int8 model (and, on a CPU with bf16 instructions, int8
with fp32 around its int8 Linears) beside the TF-IDF baseline and the blend of model and baseline
(weight chosen on validation), same split, same run, with batch throughput.

Run:
    .venv/bin/python -m eval.bench_intent --brain models/brains/X --threads 1
    .venv/bin/python -m eval.bench_intent --brain models/brains/X --jddc-messages 0 \
        --variants fp32,int8,onnx,onnx-int8          # ONNX Runtime too (the onnx extra)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from eval.intent_baseline import baseline_probabilities, fit_baseline, predict_baseline
from salesbrain.datasets.annotations import (
    CONTEXT_TURNS,
    load_intent_annotations,
    split_intent_annotations,
    write_intent_records,
)
from salesbrain.datasets.sources import load_conversations
from salesbrain.encoder import native_bf16
from salesbrain.evaluation.intent import (
    DEFAULT_TEST_FILE,
    intent_metrics,
    load_intent_stage,
    read_intent_eval_file,
)
from salesbrain.paths import shared_data_dir
from salesbrain.schema import Role
from salesbrain.stages.intent import IntentInput, IntentStage

# fp32 first: the reduced precisions report their agreement with it. On a CPU with bf16
# instructions int8 computes its float work in bf16; `int8_fp32` is the same int8 model with
# fp32 around its int8 Linears, for comparison (the only int8 there is elsewhere).
PRECISIONS_COMPARED: dict[str, dict[str, str]] = {
    "fp32": {"precision": "fp32"},
    "bf16": {"precision": "bf16"},
    "int8": {"precision": "int8"},
    "int8_fp32": {"precision": "int8", "int8_surroundings": "fp32"},
    # ONNX Runtime (the `onnx` extra): asked for with --variants
    "onnx": {"precision": "onnx"},
    "onnx-int8": {"precision": "onnx-int8"},
}
DEFAULT_VARIANTS = ("fp32", "bf16", "int8", "int8_fp32")


def jddc_customer_messages(data_dir: Path, limit: int = 2000, seed: int = 0) -> list[IntentInput]:
    """Up to `limit` JDDC customer messages with the turns before them (unlabelled; for
    throughput only), from conversations picked in a seeded random order."""
    conversations = load_conversations("jddc", data_dir)
    order = sorted(conversations)
    random.Random(seed).shuffle(order)
    messages: list[IntentInput] = []
    for key in order:
        turns = conversations[key]
        messages += [IntentInput(turn.text, turns[max(0, i - CONTEXT_TURNS) : i])
                     for i, turn in enumerate(turns) if turn.role is Role.CUSTOMER and turn.text]
        if len(messages) >= limit:
            break
    return messages[:limit]


def throughput(stage: IntentStage, inputs: list[IntentInput], repeats: int = 2) -> dict:
    """Batched messages per second (wall clock) and per CPU-second of this process, best of
    `repeats` passes, with the 1-minute load average: other jobs on the machine lower the
    wall-clock figure far more than the CPU-time one."""
    walls, cpus = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        stage.predict(inputs)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - started_cpu)
    return {"n": len(inputs), "messages_per_s": len(inputs) / min(walls),
            "messages_per_cpu_s": len(inputs) / min(cpus), "load_1min": os.getloadavg()[0],
            "threads": torch.get_num_threads(), "max_length": stage.settings.max_length}


def probabilities_of(stage: IntentStage, inputs: Sequence[IntentInput]) -> list[dict[str, float]]:
    return [p.probabilities for p in stage.predict(inputs)]


def blend(
    model: Sequence[dict[str, float]], baseline: Sequence[dict[str, float]], weight: float
) -> list[str]:
    """The intent with the highest (1 - weight) * model + weight * baseline probability."""
    labels = sorted(set(model[0]) | set(baseline[0])) if model else []
    return [max(labels, key=lambda k: (1 - weight) * m.get(k, 0.0) + weight * b.get(k, 0.0))
            for m, b in zip(model, baseline, strict=True)]


def choose_blend_weight(
    model: Sequence[dict[str, float]], baseline: Sequence[dict[str, float]], gold: Sequence[str]
) -> float:
    """The baseline weight (0 to 0.9) with the best macro-F1 on `gold`: pass validation only."""
    scores = {w / 10: intent_metrics(gold, blend(model, baseline, w / 10))["macro_f1"]
              for w in range(10)}
    return max(scores, key=lambda w: (scores[w], -w))


def benchmark(
    brain: Path, data_dir: Path, annotations_dir: Path | None, seed: int, threads: int = 2,
    jddc_messages: int = 2000, variants: Sequence[str] = DEFAULT_VARIANTS,
) -> dict:
    """fp32, bf16 and int8 model, the TF-IDF baseline and the fp32 blend on the same real test
    split, plus batch throughput on the test messages and on unlabelled JDDC customer messages."""
    torch.set_num_threads(min(threads, 2))
    splits = split_intent_annotations(load_intent_annotations(data_dir, annotations_dir), seed)
    test_file = write_intent_records(splits["test"], DEFAULT_TEST_FILE)
    inputs, gold = read_intent_eval_file(test_file)
    validation = [IntentInput(e.text, e.context) for e in splits["validation"]]
    train = splits["train"]
    baseline = fit_baseline([IntentInput(e.text, e.context) for e in train],
                            [e.intent for e in train])
    baseline_predicted = predict_baseline(baseline, inputs)
    results: dict[str, Any] = {
        "test_file": str(test_file), "n_train": len(train), "threads": threads,
        "cpu_bf16_instructions": native_bf16(),
        "baseline_tfidf": intent_metrics(gold, baseline_predicted)}
    jddc = jddc_customer_messages(data_dir, jddc_messages, seed) if jddc_messages else []
    predicted: dict[str, list[str]] = {}
    unknown = sorted(set(variants) - set(PRECISIONS_COMPARED))
    if unknown or variants[0] != "fp32":
        raise SystemExit(f"--variants: fp32 first, then any of {', '.join(PRECISIONS_COMPARED)}")
    for variant in variants:
        overrides = PRECISIONS_COMPARED[variant]
        if variant == "int8_fp32" and not native_bf16():
            continue  # the same as "int8" on this CPU
        name = f"model_{variant}"
        stage = load_intent_stage(brain, overrides)
        test_probabilities = probabilities_of(stage, inputs)
        predicted[name] = [max(p, key=p.__getitem__) for p in test_probabilities]
        results[name] = {**intent_metrics(gold, predicted[name]),
                         "throughput_test": throughput(stage, inputs),
                         "throughput_jddc": throughput(stage, jddc, 1) if jddc else None}
        if variant != "fp32":
            results[name]["agreement_with_fp32"] = sum(
                a == b for a, b in zip(predicted["model_fp32"], predicted[name], strict=True)
            ) / max(1, len(inputs))
            continue
        weight = choose_blend_weight(
            probabilities_of(stage, validation), baseline_probabilities(baseline, validation),
            [e.intent for e in splits["validation"]])
        blended = blend(test_probabilities, baseline_probabilities(baseline, inputs), weight)
        results["blend_fp32_tfidf"] = {**intent_metrics(gold, blended),
                                       "baseline_weight_from_validation": weight}
    predicted["baseline_tfidf"] = baseline_predicted
    results["by_dataset"] = by_dataset([e.dataset for e in splits["test"]], gold, predicted)
    return results


def by_dataset(
    datasets: Sequence[str], gold: Sequence[str], predicted: dict[str, list[str]]
) -> dict[str, dict[str, Any]]:
    """Accuracy and macro-F1 of each model on the test messages of each source data set."""
    out: dict[str, dict[str, Any]] = {}
    for dataset in sorted(set(datasets)):
        rows = [i for i, d in enumerate(datasets) if d == dataset]
        truth = [gold[i] for i in rows]
        out[dataset] = {"n": len(rows), **{
            name: {key: round(value, 4) for key, value in intent_metrics(
                truth, [labels[i] for i in rows]).items() if key in ("accuracy", "macro_f1")}
            for name, labels in predicted.items()}}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--brain", type=Path, required=True,
                        help="brain dir (with intent/) or stage dir")
    parser.add_argument("--data-dir", type=Path, default=shared_data_dir())
    parser.add_argument("--labels-dir", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2, help="CPU threads (at most 2)")
    parser.add_argument("--jddc-messages", type=int, default=2000,
                        help="unlabelled JDDC customer messages to time (0: none)")
    parser.add_argument("--variants", default=",".join(DEFAULT_VARIANTS),
                        help="comma-separated, fp32 first: " + ", ".join(PRECISIONS_COMPARED))
    args = parser.parse_args()
    result = benchmark(args.brain, args.data_dir, args.labels_dir, args.seed, args.threads,
                       args.jddc_messages, args.variants.split(","))
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
