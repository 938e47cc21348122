"""Scoring at scale: 10,000 guides x 30 days, and the real path on a simulated brand.

Run:
    .venv/bin/python -m eval.bench_scoring                     # 10,000 guides + a 40-guide brand
    .venv/bin/python -m eval.bench_scoring --guides 1000 --real-guides 15 --real-customers 300

Two measurements, printed side by side:

1. `scale`: the scoring core on per-conversation facts *generated directly* at 10,000 guides
   x 30 days (about 1.2 million conversations, 3 million answered questions, 370,000 tasks:
   the volume of a ~9 million message archive). Ingesting that archive into SQLite on 2 cores
   would take hours, so this step does not simulate, ingest or stream messages; it times
   weekly and whole-period scorecards, champions, coaching and store segments, with the peak
   Python heap (tracemalloc, numpy included) and the process's peak RSS.
2. `real_path`: a simulated brand end to end - simulate, ingest into a temporary SQLite store,
   one streaming pass (`facts_from_store`), weekly scorecards - with the wall time of each
   step, and the facts pass's throughput in conversations per CPU second.

Every step reports wall seconds and CPU seconds of this process (the machine may be shared).

The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from salesbrain.db import Database
from salesbrain.ingest.pipeline import Ingestor
from salesbrain.schema import Guide
from salesbrain.scoring import ConversationFacts, facts_from_store, score_guides
from salesbrain.scoring.champions import find_champions
from salesbrain.scoring.coaching import coaching_points
from salesbrain.scoring.segments import store_segments
from salesbrain.simulate import simulate_brand
from salesbrain.taxonomy import INTENT_KEYS, OUTCOME_KEYS

DAY_MS = 86_400_000
START_MS = 1_790_784_000_000  # 2026-10-01 Asia/Shanghai
# Per guide and 30 days, as the 40-guide simulated brand has them.
CONVERSATIONS_PER_GUIDE = 122
TASKS_PER_GUIDE = 37
OUTCOME_WEIGHTS = {"purchased": 0.12, "store_visit": 0.03, "resolved": 0.28, "lost": 0.37,
                   "no_reply": 0.17, "complaint_open": 0.02, "ongoing": 0.01}


def synthetic_facts(n_guides: int, days: int, seed: int = 0) -> ConversationFacts:
    """Facts with the shape and volume of a real brand, drawn directly (no messages)."""
    rng = np.random.default_rng(seed)
    skill = rng.random(n_guides)
    per_guide = rng.poisson(CONVERSATIONS_PER_GUIDE * days / 30, n_guides)
    guide = np.repeat(np.arange(n_guides, dtype=np.int32), per_guide)
    n = len(guide)
    questions = 1 + rng.poisson(1.6, n).astype(np.int32)
    answered = rng.binomial(questions, 0.5 + 0.49 * skill[guide]).astype(np.int32)
    response_conversation = np.repeat(np.arange(n, dtype=np.int32), answered)
    median_s = 15.0 * 200.0 ** (1 - skill[guide[response_conversation]])
    response_s = (median_s * rng.lognormal(0, 0.9, len(median_s))).astype(np.float32)
    outcome = rng.choice([OUTCOME_KEYS.index(k) for k in OUTCOME_WEIGHTS], n,
                         p=list(OUTCOME_WEIGHTS.values())).astype(np.int8)
    gmv = np.where(outcome == OUTCOME_KEYS.index("purchased"), rng.lognormal(6.5, 0.6, n), 0.0)
    n_tasks = n_guides * TASKS_PER_GUIDE * days // 30
    task_guide = rng.integers(0, n_guides, n_tasks).astype(np.int32)
    return ConversationFacts(
        conversation_ids=[f"cv_{i:020x}" for i in range(n)],
        guide_ids=[f"g{i:05d}" for i in range(n_guides)],
        customer_ids=[f"wm{i:030d}" for i in range(n // 2)], segment_names=["new", "returning"],
        guide=guide, customer=rng.integers(0, n // 2, n).astype(np.int32),
        started_ms=START_MS + rng.integers(0, days * DAY_MS, n), questions=questions,
        answered=answered, guide_messages=answered + rng.poisson(0.5, n).astype(np.int32),
        outcome=outcome, compliance_hits=rng.poisson(0.03, n).astype(np.int32),
        quality=rng.uniform(20, 90, n).astype(np.float32),
        sentiment=rng.uniform(0, 1, n).astype(np.float32), gmv=gmv,
        intent=rng.integers(0, len(INTENT_KEYS), n).astype(np.int16),
        segment=rng.integers(0, 2, n).astype(np.int16),
        response_conversation=response_conversation, response_s=response_s,
        task_guide=task_guide, task_assigned_ms=START_MS + rng.integers(0, days * DAY_MS, n_tasks),
        task_executed=rng.random(n_tasks) < 0.22 + 0.76 * skill[task_guide],
    )


def timed(steps: dict[str, float], name: str, work: Callable[[], Any]) -> Any:
    """Run `work`, recording wall seconds in `steps` and CPU seconds under `name + "_cpu"`.

    The CPU time is the fairer number on a shared machine: wall time grows with the load.
    """
    started, cpu = time.perf_counter(), time.process_time()
    result = work()
    steps[name] = round(time.perf_counter() - started, 2)
    steps[f"{name}_cpu"] = round(time.process_time() - cpu, 2)
    print(f"  {name}: {steps[name]} s wall, {steps[name + '_cpu']} s CPU", flush=True)
    return result


def facts_mib(facts: ConversationFacts) -> dict[str, float]:
    """Memory held by the facts: numpy columns, and the id strings with their lists."""
    arrays = sum(v.nbytes for v in vars(facts).values() if isinstance(v, np.ndarray))
    names = sum(sys.getsizeof(v) + sum(map(sys.getsizeof, v))
                for v in vars(facts).values() if isinstance(v, list))
    return {"arrays": round(arrays / 2**20, 1), "id_strings": round(names / 2**20, 1)}


def peak_rss_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def bench_scale(n_guides: int, days: int) -> dict[str, Any]:
    print(f"[scale] {n_guides} guides x {days} days, facts generated directly")
    steps: dict[str, float] = {}
    facts = timed(steps, "generate_facts", lambda: synthetic_facts(n_guides, days))
    roster = [Guide(g, g, f"S{i // 5:04d}", f"R{i % 8}") for i, g in enumerate(facts.guide_ids)]
    tracemalloc.start()
    weekly = timed(steps, "scorecards_weekly", lambda: score_guides(facts, roster))
    overall = timed(steps, "scorecards_all", lambda: score_guides(facts, roster, {"period": "all"}))
    champions = timed(steps, "champions", lambda: find_champions(overall, roster, top=1))
    timed(steps, "coaching", lambda: coaching_points(facts, champions))
    timed(steps, "store_segments", lambda: store_segments(facts, roster))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    scoring = [k for k in steps if not k.startswith("generate_facts") and not k.endswith("_cpu")]
    return {"guides": n_guides, "days": days, "conversations": len(facts),
            "answered_questions": len(facts.response_s), "tasks": len(facts.task_guide),
            "facts_mib": facts_mib(facts),
            "weekly_cards": len(weekly), "seconds": steps,
            "scoring_seconds": round(sum(steps[k] for k in scoring), 2),
            "scoring_cpu_seconds": round(sum(steps[f"{k}_cpu"] for k in scoring), 2),
            "peak_traced_mib_during_scoring": round(peak / 2**20, 1),
            "peak_rss_mib": peak_rss_mib()}


def bench_real_path(n_guides: int, customers: int, days: int) -> dict[str, Any]:
    print(f"[real path] simulate -> ingest -> facts -> score: {n_guides} guides, {days} days")
    steps: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scoring-") as tmp:
        brand = Path(tmp) / "brand"
        summary = timed(steps, "simulate", lambda: simulate_brand(
            brand, guides=n_guides, customers=customers, days=days, seed=0))
        store = Database.open(f"sqlite:///{Path(tmp) / 'store.db'}", tenant="bench")

        def ingest() -> None:
            ingestor = Ingestor(store)
            ingestor.ingest_brand_tables(brand)
            ingestor.ingest_messages(brand / "archive.jsonl")

        timed(steps, "ingest", ingest)
        facts = timed(steps, "facts_from_store", lambda: facts_from_store(store))
        timed(steps, "scorecards_weekly", lambda: score_guides(facts, store.guides()))
        store.engine.dispose()
    return {"guides": n_guides, "customers": customers, "days": days,
            "messages": summary.messages, "conversations": len(facts), "seconds": steps,
            "facts_conversations_per_cpu_s": round(
                len(facts) / max(steps["facts_from_store_cpu"], 1e-3), 1),
            "peak_rss_mib": peak_rss_mib()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--guides", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--real-guides", type=int, default=40)
    parser.add_argument("--real-customers", type=int, default=2000)
    args = parser.parse_args()
    real = bench_real_path(args.real_guides, args.real_customers, args.days)
    scale = bench_scale(args.guides, args.days)
    print(json.dumps({"real_path": real, "scale": scale}))


if __name__ == "__main__":
    main()
