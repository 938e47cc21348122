"""Latency of reply suggestion with a 50,000-reply bank, one torch thread per call as served.

Run (defaults: the live brain, the held-out pairs of `salesbrain.datasets.prepare_dialogues`):
    .venv/bin/python -m eval.bench_suggest [--stage models/dev/suggest] \
        [--pairs var/data/dialogues/pairs_test.jsonl] [--requests 1000] [--bank-size 50000]

The trained bank is grown to `--bank-size` replies with synthetic entries (two real replies
joined, their embeddings averaged), so the search costs what a brand's full bank would cost;
the requests are real held-out conversations, one `predict` call of one conversation each,
after a short warm-up. The full path (dense encoder + lexical + fusion) and the lexical-only
path are timed in the same run and their ratio printed. Target: p95 <= 150 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import numpy as np
import torch

from salesbrain.paths import REPO_ROOT
from salesbrain.schema import Role, Turn
from salesbrain.stages.suggest import SuggestStage
from salesbrain.suggest.bank import BankReply, ReplyBank, reply_id_of
from salesbrain.suggest.types import SuggestInput

DEFAULT_PAIRS = REPO_ROOT / "var" / "data" / "dialogues" / "pairs_test.jsonl"


def grown_bank(bank: ReplyBank, size: int, seed: int = 0) -> ReplyBank:
    """The bank plus synthetic replies up to `size` (two real replies joined)."""
    rng = random.Random(seed)
    entries, vectors = list(bank.entries), [bank.embeddings]
    seen = {e.reply_id for e in entries}
    extra_vectors = []
    while len(entries) < size:
        a, b = rng.randrange(len(bank)), rng.randrange(len(bank))
        text = f"{bank.entries[a].text}，{bank.entries[b].text}"
        reply_id = reply_id_of(text)
        if reply_id in seen:
            continue
        seen.add(reply_id)
        entries.append(BankReply(reply_id, text, "candidate", "synthetic", 1))
        if bank.embeddings.shape[1]:
            mixed = bank.embeddings[a] + bank.embeddings[b]
            extra_vectors.append(mixed / max(float(np.linalg.norm(mixed)), 1e-9))
    if extra_vectors:
        vectors.append(np.asarray(extra_vectors, dtype=np.float32))
    embeddings = (np.vstack(vectors) if bank.embeddings.shape[1]
                  else np.zeros((len(entries), 0), dtype=np.float32))
    return ReplyBank(entries, embeddings)


def load_requests(path: Path, count: int, seed: int = 0) -> list[SuggestInput]:
    return [item for item, _ in load_held_out(path, count, seed)]


def load_held_out(path: Path, count: int | None = None,
                  seed: int = 0) -> list[tuple[SuggestInput, str]]:
    """Held-out guide turns as requests (repeated up to `count`; all once when None), each
    with the reply the guide actually sent."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    guide = [r for r in rows if r["reply_role"] == "guide"]
    random.Random(seed).shuffle(guide)
    count = len(guide) if count is None else count
    return [(SuggestInput(tuple(Turn(Role(role), text) for role, text in r["context"]), k=3),
             r["reply"]) for r in (guide * (count // max(len(guide), 1) + 1))[:count]]


def abstention_report(stage: SuggestStage, held_out: list[tuple[SuggestInput, str]],
                      parts: str) -> dict:
    """How often the stage answers, and how often what it shows holds a near-duplicate
    (char-bigram Jaccard > the stage's threshold) of what the guide really sent: the first
    suggestion ("top1") or any shown one ("list", what abstention is calibrated on)."""
    from salesbrain.suggest.lexical import bigram_jaccard

    def same(text: str, truth: str) -> bool:
        return bigram_jaccard(text, truth) > stage.settings.near_duplicate

    def precision(lists: list, first_only: bool) -> float | None:
        right = [any(same(s.text, truth) for s in (shown[:1] if first_only else shown))
                 for shown, (_, truth) in zip(lists, held_out, strict=True) if shown]
        return round(float(np.mean(right)), 3) if right else None

    items = [item for item, _ in held_out]
    answers = stage.predict(items, parts=parts)
    always = stage.top_replies(items, parts=parts)
    return {"conversations": len(held_out),
            "answered_share": round(sum(map(bool, answers)) / len(held_out), 3),
            "top1_precision_when_answered": precision(answers, True),
            "list_precision_when_answered": precision(answers, False),
            "top1_precision_always_answering": precision(always, True),
            "list_precision_always_answering": precision(always, False)}


def time_requests(call, requests: list[SuggestInput], warmup: int = 20) -> dict:  # noqa: ANN001
    for item in requests[:warmup]:
        call([item])
    latencies, answered = [], 0
    for item in requests:
        started = time.perf_counter()
        result = call([item])
        latencies.append((time.perf_counter() - started) * 1000)
        answered += bool(result[0])
    values = np.asarray(latencies)
    return {"requests": len(values), "p50_ms": round(float(np.percentile(values, 50)), 1),
            "p95_ms": round(float(np.percentile(values, 95)), 1),
            "mean_ms": round(float(values.mean()), 1),
            "answered_share": round(answered / len(values), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description="Reply-suggestion latency benchmark.")
    parser.add_argument("--stage", type=Path, default=None,
                        help="a suggest stage directory (default: the live brain's)")
    parser.add_argument("--pairs", type=Path, default=DEFAULT_PAIRS,
                        help="held-out pairs (.jsonl; default: prepared from the shared data)")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--bank-size", type=int, default=50_000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--no-abstention", action="store_true",
                        help="skip the answered-share / precision report on the real bank")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.stage is None:
        from salesbrain.registry import resolve_brain_dir

        args.stage = resolve_brain_dir(None) / "suggest"
    if not args.pairs.is_file() and args.pairs == DEFAULT_PAIRS:
        from salesbrain.datasets import prepare_dialogues
        from salesbrain.paths import shared_data_dir

        prepare_dialogues.run(shared_data_dir(), DEFAULT_PAIRS.parent, REPO_ROOT / "var" / "eval")
    stage = SuggestStage.from_pretrained(args.stage)
    held_out = load_held_out(args.pairs)
    abstention = {} if args.no_abstention else {
        parts: abstention_report(stage, held_out, parts) for parts in ("fused", "lexical")}
    started = time.perf_counter()
    stage.bank_ = grown_bank(stage.bank_, args.bank_size)
    stage._attach_bank()
    stage.predict(load_requests(args.pairs, 1))  # builds the bank's lexical index once
    setup_s = time.perf_counter() - started
    requests = load_requests(args.pairs, args.requests)
    report = {"abstention_real_bank": abstention, "bank_size": len(stage.bank_),
              "threads": args.threads, "bank_setup_s": round(setup_s, 1)}
    report["full"] = time_requests(stage.predict, requests)
    report["lexical_only"] = time_requests(
        lambda batch: stage.predict(batch, parts="lexical"), requests)
    for key in ("p50_ms", "p95_ms"):
        report[f"full_vs_lexical_{key[:3]}"] = round(
            report["full"][key] / max(report["lexical_only"][key], 1e-9), 2)
    report["target_p95_ms"] = 150
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
