"""Batch analysis throughput (`salesbrain analyze`) on real conversations, per precision.

    python -m eval.bench_analyze                          # the live brain
    python -m eval.bench_analyze --brain models/brains/VERSION
    python -m eval.bench_analyze --brain B --intent-stage var/brains/X/intent   # swap intent

Ingests the JDDC sample and STC-3 (`../shared/data`) into a temporary SQLite store once, then
runs the whole analysis (intent, sentiment, compliance, outcome, quality; results written to
the store) on a fresh copy of that store for each precision of the intent and quality encoders.
The first precision (fp32) is the baseline of the same run: each line prints messages/second
(all messages and customer messages) and the ratio to it. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import tempfile
from contextlib import closing
from pathlib import Path

import torch

from salesbrain.analysis import analyze_store
from salesbrain.datasets import jddc2019, stc3
from salesbrain.db import Database
from salesbrain.encoder import native_bf16
from salesbrain.ingest.pipeline import Ingestor
from salesbrain.paths import shared_data_dir
from salesbrain.registry import resolve_brain_dir

TENANT = "bench"
SOURCES = {"jddc": (jddc2019.FILE, "jddc"), "stc3": (stc3.FILE, "stc3")}


def build_store(db: Path, data_dir: Path, sources: list[str]) -> dict[str, int]:
    """Ingest the chosen real sets into a new SQLite store; returns the ingest summary."""
    store = Database.open(f"sqlite:///{db}", TENANT)
    ingestor = Ingestor(store)
    totals: dict[str, int] = {}
    for name in sources:
        relative, fmt = SOURCES[name]
        path = data_dir / relative
        if not path.is_file():
            raise SystemExit(f"{path}: missing; the benchmark reads the real sets in "
                             f"{data_dir} (set SALESBRAIN_DATA_DIR)")
        for key, value in ingestor.ingest_messages(path, fmt).as_dict().items():
            totals[key] = totals.get(key, 0) + value
    return totals


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a SQLite database, write-ahead log included (SQLite's backup API)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


def with_intent_stage(brain: Path, intent_stage: Path, into: Path) -> Path:
    """A brain directory linking every stage of `brain` but taking `intent_stage` as intent/."""
    into.mkdir(parents=True)
    for entry in brain.iterdir():
        if entry.name != "intent":
            (into / entry.name).symlink_to(entry.resolve())
    (into / "intent").symlink_to(intent_stage.resolve())
    return into


def customer_messages(db: Path) -> int:
    store = Database.open(f"sqlite:///{db}", TENANT)
    return sum(1 for c in store.conversations() for m in c.customer_messages()
               if m.text and not m.recalled)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--brain", type=Path, help="brain directory (default: the live brain)")
    parser.add_argument("--intent-stage", type=Path, help="intent stage directory to use instead")
    parser.add_argument("--data-dir", type=Path, default=shared_data_dir())
    parser.add_argument("--sources", default="jddc,stc3", help="comma-separated: jddc, stc3")
    parser.add_argument("--precisions", default="fp32,bf16,int8",
                        help="encoder precisions to time; the first is the baseline")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (2 cores)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    precisions = args.precisions.split(",")
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-analyze-") as tmp:
        base = Path(tmp) / "ingested.db"
        ingested = build_store(base, args.data_dir, args.sources.split(","))
        n_customer = customer_messages(base)
        brain = resolve_brain_dir(args.brain)
        if args.intent_stage:
            brain = with_intent_stage(brain, args.intent_stage, Path(tmp) / "brain")
        for precision in precisions:
            db = Path(tmp) / f"{precision}.db"
            copy_sqlite(base, db)
            report = analyze_store(Database.open(f"sqlite:///{db}", TENANT), brain,
                                   precision=precision)
            report["customer_messages_per_s"] = round(n_customer / report["seconds"], 1)
            report["load_1min"] = round(os.getloadavg()[0], 2)
            results[precision] = report
    baseline = results[precisions[0]]
    for precision, report in results.items():
        report["ratio_vs_" + precisions[0]] = round(
            report["messages_per_s"] / baseline["messages_per_s"], 2)
        print(f"{precision:>5}: {report['messages']} messages ({n_customer} from customers) of "
              f"{report['conversations']} conversations in {report['seconds']} s: "
              f"{report['messages_per_s']} msg/s, {report['customer_messages_per_s']} customer "
              f"msg/s, x{report['ratio_vs_' + precisions[0]]} vs {precisions[0]} "
              f"(load {report['load_1min']})")
    print(json.dumps({"ingested": ingested, "customer_messages": n_customer,
                      "cpu_bf16_instructions": native_bf16(), "threads": args.threads,
                      "results": results}))


if __name__ == "__main__":
    main()
