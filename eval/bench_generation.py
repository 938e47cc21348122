"""Latency of the generation path beside retrieval, one conversation per request.

Run (through eval.generation, which reads the requests from JDDC's dev format):
    .venv/bin/python -m eval.generation --stage models/dev/suggest --jddc-dev var/eval/jddc_dev \
        --latency 200 --threads 2

Paths, timed in the same run on the same requests after a short warm-up (eval.bench_suggest's
timer): "generator" is the generator alone (encoder pass and beam search, the stage's beams);
"retrieval" is `predict(..., generate=False)` on the stage's own bank; "both" is `predict` as
served with a generator: retrieval, generation, scoring the generated replies, filters.
"""

from __future__ import annotations

from collections.abc import Sequence

from eval.bench_suggest import time_requests
from salesbrain.schema import Turn
from salesbrain.suggest.generated import generate_replies
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
