"""The manager's dashboard on a brand of 10,000 guides x 30 days: materialised by `analyze`,
beside scoring on request.

Run:
    .venv/bin/python -m eval.bench_dashboard_scale                    # 10,000 guides, 30 days
    .venv/bin/python -m eval.bench_dashboard_scale --guides 1000 --repeats 10

The brand's facts are generated directly at `eval.bench_scoring`'s scale (about 1.2 million
conversations; ingesting the ~9 million messages behind them would take hours on 2 cores), and
a SQLite store holds its roster of guides, stores and regions. The service reads the facts
through the same `facts_from_store` entry point, patched to return the generated facts, so both
paths score exactly what the store would give them:

1. `on_request`: today's path when the data changed since the last request: the first
   request of each route scores the brand itself (facts pass excluded), later ones hit the
   process's cache.
2. `materialised`: `materialise_dashboard` (what `analyze` runs at its end) writes the
   snapshots once; a freshly started service reads them. The first request of each route
   reads and decodes its snapshot; later ones hit the cache.

Per route: the first request's time, then p50 and p95 of `--repeats` more. The routes are the
admin's month leaderboard as the page asks for it (the first 100 of every guide) and whole,
a store manager's, the segments and the brand's weekly trends.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np

from eval.bench_dashboard import app_client
from eval.bench_scoring import peak_rss_mib, synthetic_facts
from salesbrain.db import Database
from salesbrain.scoring import ConversationFacts
from salesbrain.scoring.materialise import materialise_dashboard
from salesbrain.security import create_api_key

TENANT = "bench"
GUIDES_PER_STORE = 5
REGIONS = 8


def roster_rows(facts: ConversationFacts) -> list[dict[str, Any]]:
    return [{"guide_id": g, "name": f"导购{i}", "store_id": f"S{i // GUIDES_PER_STORE:04d}",
             "region": f"R{i % REGIONS}"} for i, g in enumerate(facts.guide_ids)]


def routes() -> dict[str, tuple[str, str]]:
    """name -> (path, key)"""
    return {"leaderboard_admin": ("/v1/leaderboard?period=month&limit=100", "admin"),
            "leaderboard_admin_all": ("/v1/leaderboard?period=month", "admin"),
            "leaderboard_manager": ("/v1/leaderboard?period=month", "manager"),
            "segments": ("/v1/segments", "admin"),
            "trends": ("/v1/trends?period=week", "admin")}


def measure_service(db: Path, keys: dict[str, str], repeats: int) -> dict[str, dict[str, float]]:
    """Each route once (first request), then `repeats` times; milliseconds."""
    found: dict[str, dict[str, float]] = {}
    with app_client(db) as client:
        for name, (path, who) in routes().items():
            headers = {"X-API-Key": keys[who]}
            times = []
            for _ in range(repeats + 1):
                started = time.perf_counter()
                response = client.get(path, headers=headers)
                times.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"{path}: {response.status_code} {response.text[:200]}")
            warm = np.array(times[1:]) * 1000
            found[name] = {"first_ms": round(times[0] * 1000, 1),
                           "p50_ms": round(float(np.percentile(warm, 50)), 1),
                           "p95_ms": round(float(np.percentile(warm, 95)), 1),
                           "kib": round(len(response.content) / 1024, 1)}
            print(f"  {name:<20} first {found[name]['first_ms']:>9} ms   p50 "
                  f"{found[name]['p50_ms']:>7} ms   p95 {found[name]['p95_ms']:>7} ms   "
                  f"{found[name]['kib']} KiB", flush=True)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guides", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    started = time.perf_counter()
    facts = synthetic_facts(args.guides, args.days)
    print(f"{args.guides} guides x {args.days} days: {len(facts)} conversations, "
          f"{len(facts.response_s)} answered questions, {len(facts.task_guide)} tasks "
          f"(generated in {time.perf_counter() - started:.1f} s)", flush=True)
    result: dict[str, Any] = {"guides": args.guides, "days": args.days,
                              "conversations": len(facts), "repeats": args.repeats}
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-scale-") as tmp:
        db = Path(tmp) / "brand.db"
        store = Database.open(f"sqlite:///{db}", TENANT)
        rows = roster_rows(facts)
        store.upsert_rows("guides", rows)
        keys = {"admin": create_api_key(store, "admin"),
                "manager": create_api_key(store, "manager", store_ids=[rows[0]["store_id"]])}
        generated = mock.patch("salesbrain.scoring.materialise.facts_from_store",
                               lambda store: facts)
        with generated, mock.patch("service.core.facts.facts_from_store", lambda store: facts):
            print("on request (today's path):", flush=True)
            result["on_request"] = measure_service(db, keys, args.repeats)
            mark = time.perf_counter()
            result["materialise"] = materialise_dashboard(store)
            print(f"materialised in {time.perf_counter() - mark:.1f} s "
                  f"({result['materialise']['bytes'] / 2**20:.1f} MiB of snapshots)", flush=True)
        with mock.patch("service.core.facts.facts_from_store", _no_pass):
            print("materialised (a fresh service reads the snapshots):", flush=True)
            result["materialised"] = measure_service(db, keys, args.repeats)
    result["ratio_first_request"] = {
        name: round(result["on_request"][name]["first_ms"]
                    / result["materialised"][name]["first_ms"], 1) for name in routes()}
    result["peak_rss_mib"] = peak_rss_mib()
    result["load_1min"] = round(os.getloadavg()[0], 2)
    print(json.dumps(result))


def _no_pass(store: Database) -> ConversationFacts:
    raise AssertionError("the materialised path must not score the brand on request")


if __name__ == "__main__":
    main()
