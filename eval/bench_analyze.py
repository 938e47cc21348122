"""Batch analysis throughput (`salesbrain analyze`) on real conversations, per precision.

    python -m eval.bench_analyze                          # the live brain
    python -m eval.bench_analyze --brain models/brains/VERSION
    python -m eval.bench_analyze --brain B --intent-stage var/brains/X/intent   # swap intent

Ingests the JDDC sample and STC-3 (`../shared/data`) into a temporary SQLite store once, then
runs the whole analysis (intent, sentiment, compliance, outcome, quality; results written to
the store) on a fresh copy of that store for each precision of the intent and quality encoders.
The first precision (fp32) is the baseline of the same run: each line prints messages/second
(all messages and customer messages) and per CPU-second of the process, the wall-clock ratio
to it, how many customer messages got the same
intent label as under the baseline, the mean absolute difference of the conversations' quality
scores (0-100) from the baseline's, and the peak resident memory while that precision loaded and
ran (the process's, reset before each precision). The last line is one JSON object.

`--conversations N` analyses only the first N STC-3 dialogues (a quicker run on a shared CPU):

    python -m eval.bench_analyze --brain B --sources stc3 --conversations 600 \
        --precisions fp32,int8,onnx,onnx-int8
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sqlite3
import tempfile
import time
from contextlib import closing, suppress
from pathlib import Path

import torch

from salesbrain.analysis import analyze_store
from salesbrain.datasets import jddc2019, stc3
from salesbrain.db import Database
from salesbrain.db.labels import conversation_labels, message_intents
from salesbrain.encoder import native_bf16
from salesbrain.ingest.pipeline import Ingestor
from salesbrain.paths import shared_data_dir
from salesbrain.registry import resolve_brain_dir

TENANT = "bench"
SOURCES = {"jddc": (jddc2019.FILE, "jddc"), "stc3": (stc3.FILE, "stc3")}


def build_store(db: Path, data_dir: Path, sources: list[str],
                conversations: int | None = None) -> dict[str, int]:
    """Ingest the chosen real sets into a new SQLite store (of STC-3 only the first
    `conversations` dialogues when given); returns the ingest summary."""
    store = Database.open(f"sqlite:///{db}", TENANT)
    ingestor = Ingestor(store)
    totals: dict[str, int] = {}
    for name in sources:
        relative, fmt = SOURCES[name]
        path = data_dir / relative
        if not path.is_file():
            raise SystemExit(f"{path}: missing; the benchmark reads the real sets in "
                             f"{data_dir} (set SALESBRAIN_DATA_DIR)")
        if conversations is not None:
            path = first_dialogues(path, name, conversations, db.parent)
        for key, value in ingestor.ingest_messages(path, fmt).as_dict().items():
            totals[key] = totals.get(key, 0) + value
    return totals


def first_dialogues(path: Path, source: str, count: int, folder: Path) -> Path:
    """A copy of an STC-3 file holding its first `count` dialogues."""
    if source != "stc3":
        raise SystemExit("--conversations applies to --sources stc3 only")
    dialogues = json.loads(path.read_text(encoding="utf-8"))[:count]
    out = folder / f"stc3-first-{count}.json"
    out.write_text(json.dumps(dialogues, ensure_ascii=False), encoding="utf-8")
    return out


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


def stored_labels(db: Path) -> tuple[dict[str, str], dict[str, float | None]]:
    """(intent by customer msgid, quality by conversation) as the analysis stored them."""
    store = Database.open(f"sqlite:///{db}", TENANT)
    intents = {msgid: intent for msgid, intent in message_intents(store).items() if intent}
    return intents, {row.conversation_id: row.quality for row in conversation_labels(store)}


def agreement(labels: tuple[dict[str, str], dict[str, float | None]],
              baseline: tuple[dict[str, str], dict[str, float | None]]) -> dict[str, float]:
    """Share of customer messages with the baseline's intent; mean |quality - baseline's|."""
    intents, quality = labels
    same = sum(intents.get(msgid) == intent for msgid, intent in baseline[0].items())
    gaps = [abs(score - quality_b) for key, quality_b in baseline[1].items()
            if quality_b is not None and (score := quality.get(key)) is not None]
    return {"intent_agreement": round(same / max(1, len(baseline[0])), 4),
            "quality_mean_abs_difference": round(sum(gaps) / max(1, len(gaps)), 4)}


def reset_peak_memory() -> None:
    """Start a new peak-RSS window (Linux: writing 5 to clear_refs resets VmHWM)."""
    gc.collect()
    with suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_memory_mib() -> float | None:
    """The process's peak resident memory since the last reset, in MiB (Linux only)."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    line = next((row for row in status.splitlines() if row.startswith("VmHWM:")), None)
    return round(int(line.split()[1]) / 1024, 1) if line else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--brain", type=Path, help="brain directory (default: the live brain)")
    parser.add_argument("--intent-stage", type=Path, help="intent stage directory to use instead")
    parser.add_argument("--data-dir", type=Path, default=shared_data_dir())
    parser.add_argument("--sources", default="jddc,stc3", help="comma-separated: jddc, stc3")
    parser.add_argument("--precisions", default="fp32,bf16,int8",
                        help="encoder precisions to time; the first is the baseline")
    parser.add_argument("--threads", type=int, default=2, help="torch threads (2 cores)")
    parser.add_argument("--conversations", type=int,
                        help="only the first N STC-3 dialogues (with --sources stc3)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    precisions = args.precisions.split(",")
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-analyze-") as tmp:
        base = Path(tmp) / "ingested.db"
        ingested = build_store(base, args.data_dir, args.sources.split(","), args.conversations)
        n_customer = customer_messages(base)
        brain = resolve_brain_dir(args.brain)
        if args.intent_stage:
            brain = with_intent_stage(brain, args.intent_stage, Path(tmp) / "brain")
        labels = {}
        for precision in precisions:
            db = Path(tmp) / f"{precision}.db"
            copy_sqlite(base, db)
            reset_peak_memory()
            cpu_started = time.process_time()
            report = analyze_store(Database.open(f"sqlite:///{db}", TENANT), brain,
                                   precision=precision)
            # CPU time of all this process's threads (brain loading included): on a shared
            # machine it moves far less with other jobs than the wall-clock rate does.
            report["messages_per_cpu_s"] = round(
                report["messages"] / (time.process_time() - cpu_started), 1)
            report["peak_rss_mib"] = peak_memory_mib()
            report["customer_messages_per_s"] = round(n_customer / report["seconds"], 1)
            report["load_1min"] = round(os.getloadavg()[0], 2)
            labels[precision] = stored_labels(db)
            report.update(agreement(labels[precision], labels[precisions[0]]))
            results[precision] = report
    baseline = results[precisions[0]]
    for precision, report in results.items():
        report["ratio_vs_" + precisions[0]] = round(
            report["messages_per_s"] / baseline["messages_per_s"], 2)
        print(f"{precision:>9}: {report['messages']} messages ({n_customer} from customers) of "
              f"{report['conversations']} conversations in {report['seconds']} s: "
              f"{report['messages_per_s']} msg/s, {report['customer_messages_per_s']} customer "
              f"msg/s, {report['messages_per_cpu_s']} msg/CPU-s, "
              f"x{report['ratio_vs_' + precisions[0]]} vs {precisions[0]}, intent "
              f"agreement {report['intent_agreement']:.2%}, quality |diff| "
              f"{report['quality_mean_abs_difference']}, peak RSS {report['peak_rss_mib']} MiB "
              f"(load {report['load_1min']})")
    print(json.dumps({"ingested": ingested, "customer_messages": n_customer,
                      "cpu_bf16_instructions": native_bf16(), "threads": args.threads,
                      "results": results}))


if __name__ == "__main__":
    main()
