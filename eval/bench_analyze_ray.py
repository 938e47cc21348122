"""`salesbrain analyze` in this process against `--engine ray`, on a simulated brand.

    python -m eval.bench_analyze_ray --brain models/brains/VERSION
    python -m eval.bench_analyze_ray --brain B --guides 10 --customers 400 --days 14 --workers 2

Simulates a brand, ingests it into a temporary SQLite store, then analyses a fresh copy of
that store with each engine (the in-process one first: it is the baseline of the same run) and
checks that both stored the same labels. Needs the `ray` extra. Ray starts a local cluster of
`--workers` CPUs; each worker loads the brain once, so on a machine with few cores the start-up
of the workers is a large part of a small run. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

from eval.bench_analyze import copy_sqlite
from salesbrain.analysis import analyze_store
from salesbrain.db import Database
from salesbrain.db.labels import message_label_rows
from salesbrain.ingest.pipeline import Ingestor
from salesbrain.ray_analysis import analyze_store_on_ray
from salesbrain.registry import resolve_brain_dir
from salesbrain.simulate import simulate_brand

TENANT = "bench"


def build_store(db: Path, brand: Path, guides: int, customers: int, days: int) -> dict[str, int]:
    simulate_brand(brand, guides=guides, customers=customers, days=days, seed=0)
    ingestor = Ingestor(Database.open(f"sqlite:///{db}", TENANT))
    ingestor.ingest_brand_tables(brand)
    return ingestor.ingest_messages(brand / "archive.jsonl", "wecom").as_dict()


def labels(store: Database) -> list[tuple[Any, ...]]:
    """Each message's label (probabilities to 4 places: workers run torch on one thread)."""
    rows = message_label_rows(store)
    return [(r.msgid, r.intent, round(r.probability, 4),
             None if r.sentiment is None else round(r.sentiment, 4), r.compliance)
            for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--brain", type=Path, default=None, help="default: the live brain")
    parser.add_argument("--guides", type=int, default=10)
    parser.add_argument("--customers", type=int, default=400)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    brain = resolve_brain_dir(args.brain)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        ingested = build_store(work / "base.db", work / "brand", args.guides, args.customers,
                               args.days)
        print(f"brand: {ingested}", flush=True)
        reports, stored = {}, {}
        for engine in ("process", "ray"):
            copy_sqlite(work / "base.db", work / f"{engine}.db")
            store = Database.open(f"sqlite:///{work / f'{engine}.db'}", TENANT)
            reports[engine] = (analyze_store(store, brain) if engine == "process" else
                               analyze_store_on_ray(store, brain, workers=args.workers))
            stored[engine] = labels(store)
            print(f"{engine}: {reports[engine]['conversations']} conversations, "
                  f"{reports[engine]['messages']} messages in {reports[engine]['seconds']} s "
                  f"({reports[engine]['messages_per_s']} messages/s)", flush=True)
    same = stored["process"] == stored["ray"]
    ratio = reports["process"]["seconds"] / max(reports["ray"]["seconds"], 1e-9)
    print(f"ray/process speed: {ratio:.2f}x; labels identical: {same}")
    print(json.dumps({"brand": ingested, "process": reports["process"], "ray": reports["ray"],
                      "speedup": round(ratio, 2), "labels_identical": same}))


if __name__ == "__main__":
    main()
