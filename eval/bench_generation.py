"""Latency of the generation path beside retrieval, one conversation per request.

Run (the requests come from JDDC's dev format; `--modes` also scores each path's replies):
    .venv/bin/python -m eval.bench_generation --stage models/dev/suggest \
        --jddc-dev var/eval/jddc_dev --latency 200 --threads 2 [--modes generator,retrieval,both]

Paths, timed in the same run on the same requests after a short warm-up (eval.bench_suggest's
timer): "generator" is the generator alone (encoder pass and beam search, the stage's beams);
"retrieval" is `predict(..., generate=False)` on the stage's own bank; "both" is `predict` as
served with a generator: retrieval, generation, scoring the generated replies, filters.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import torch

from eval.bench_suggest import time_requests
from salesbrain.evaluation.generation import (
    MODES,
    conversations_of,
    evaluate_modes,
    parse_modes,
    read_jddc_dev,
)
from salesbrain.evaluation.response_selection import load_suggest_stage
from salesbrain.schema import Turn
from salesbrain.suggest.generated_candidates import generate_replies
from salesbrain.suggest.types import SuggestInput


def time_modes(stage, conversations: Sequence[tuple[Turn, ...]],  # noqa: ANN001
               modes: Sequence[str], threads: int) -> dict:
    requests = [SuggestInput(turns, k=3) for turns in conversations]
    calls = {
        "generator": lambda batch: generate_replies(stage.generator_, batch,
                                                    stage.generated_per_request),
        "retrieval": lambda batch: stage.predict(batch, generate=False),
        "both": lambda batch: stage.predict(batch),
    }
    report: dict = {"threads": threads, "bank_size": len(stage.bank_),
                    "generated_per_request": stage.generated_per_request}
    for mode in modes:
        report[mode] = time_requests(calls[mode], requests, warmup=min(10, len(requests)))
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description="Latency of generation beside retrieval.")
    parser.add_argument("--stage", type=Path, required=True, help="suggest stage or brain dir")
    parser.add_argument("--jddc-dev", type=Path, required=True)
    parser.add_argument("--latency", type=int, default=200, help="requests timed per mode")
    parser.add_argument("--modes", default="",
                        help=f"comma-separated of {', '.join(MODES)}; also scores their replies")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    modes = parse_modes(args.modes)
    sessions = read_jddc_dev(args.jddc_dev)
    stage = load_suggest_stage(args.stage)
    results = evaluate_modes(stage, sessions, modes) if args.modes else {}
    requests = conversations_of(sessions)[: args.latency]
    results["latency"] = time_modes(stage, requests, modes, args.threads)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
