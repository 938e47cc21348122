"""Ingestion throughput and memory on a large simulated brand, against a parse-only baseline.

    python -m eval.bench_ingest                        # >= 1M messages (simulated once, cached)
    python -m eval.bench_ingest --guides 40 --customers 2000 --days 30   # quick look

Prints messages/second for the full path (parse, redact, de-duplicate, sessionise, store into
SQLite), the baseline (reading and JSON-decoding the same file and nothing else) and their ratio,
RSS sampled through the run (flat memory means the last samples are close to the first), and
the re-ingest pass (which must store nothing). Then redaction on its own over the archive's
texts: the share of messages the name tagger's gate passes, the tagger's CPU microseconds per
gated message (batched numpy decoding, and CRFsuite message by message for comparison), and
`redact_messages` in messages per CPU second. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from salesbrain.db import Database
from salesbrain.ingest.name_tagger import NameTagger, default_tagger
from salesbrain.ingest.pipeline import Ingestor
from salesbrain.ingest.records import IncomingMessage
from salesbrain.ingest.redact import redact_messages
from salesbrain.ingest.tables import GUIDES
from salesbrain.ingest.wecom import StaffDirectory, read_wecom
from salesbrain.simulate import simulate_brand


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class RssSampler(threading.Thread):
    def __init__(self, every_s: float = 0.5) -> None:
        super().__init__(daemon=True)
        self.every_s, self._stop_event = every_s, threading.Event()
        self.samples: list[float] = []

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.samples.append(rss_mib())
            self._stop_event.wait(self.every_s)

    def stop(self) -> list[float]:
        self._stop_event.set()
        self.join()
        return self.samples


def parse_only(path: Path) -> tuple[int, float]:
    started, count = time.perf_counter(), 0
    with path.open("rb") as handle:
        for raw in handle:
            json.loads(raw)
            count += 1
    return count, time.perf_counter() - started


def archive_texts(path: Path, store: Database) -> list[str]:
    staff = StaffDirectory({guide.guide_id for guide in store.guides()})
    return [r.text for r in read_wecom(path, staff) if isinstance(r, IncomingMessage) and r.text]


def cpu_s(work: Any) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


def redaction_figures(texts: list[str]) -> dict[str, Any]:
    """The gate's share, the tagger's cost per gated message, and redaction on its own."""
    tagger = default_tagger()
    if tagger is None:
        raise SystemExit("no name tagger shipped: nothing to measure")
    gated = [text for text in texts if tagger.wants(text)]
    distinct = list(dict.fromkeys(gated))
    batched_s = cpu_s(lambda: tagger.spans(distinct))
    one_by_one_s = cpu_s(lambda: crfsuite_one_by_one(tagger, distinct))
    return {
        "gate_share_of_messages": round(len(gated) / len(texts), 4),
        "gate_share_of_distinct_texts": round(len(distinct) / len(set(texts)), 4),
        "tagger_us_per_gated_msg_batched": round(batched_s / len(distinct) * 1e6, 1),
        "tagger_us_per_gated_msg_crfsuite_one_by_one": round(one_by_one_s / len(distinct) * 1e6, 1),
        "redact_messages_msgs_per_cpu_s": round(len(texts) / cpu_s(lambda: redact_messages(texts))),
    }


def crfsuite_one_by_one(tagger: NameTagger, texts: list[str]) -> None:
    import pycrfsuite

    crfsuite = pycrfsuite.Tagger()
    crfsuite.open_inmemory(tagger.model_)
    for text in texts:
        crfsuite.tag(tagger.features(text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--guides", type=int, default=400)
    parser.add_argument("--customers", type=int, default=40000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--brand-dir", type=Path, default=Path("var/bench/brand_large"))
    args = parser.parse_args()
    archive = args.brand_dir / "archive.jsonl"
    if not archive.is_file():
        started = time.perf_counter()
        simulate_brand(args.brand_dir, guides=args.guides, customers=args.customers, days=args.days)
        print(f"simulated {args.brand_dir} in {time.perf_counter() - started:.0f} s")
    lines, parse_s = parse_only(archive)
    with tempfile.TemporaryDirectory() as tmp:
        store = Database.open(f"sqlite:///{tmp}/bench.db", "bench")
        Ingestor(store).ingest_table(args.brand_dir / "guides.csv", GUIDES)
        sampler = RssSampler()
        sampler.start()
        started, cpu_started = time.perf_counter(), time.process_time()
        summary = Ingestor(store, progress=True).ingest_messages(archive, "wecom")
        ingest_s = time.perf_counter() - started
        ingest_cpu_s = time.process_time() - cpu_started
        samples = sampler.stop()
        started = time.perf_counter()
        again = Ingestor(store).ingest_messages(archive, "wecom")
        reingest_s = time.perf_counter() - started
        texts = archive_texts(archive, store)
    quarter = max(1, len(samples) // 4)
    result = {
        "records": lines,
        "stored": summary.stored,
        "ingest_s": round(ingest_s, 1),
        "ingest_msgs_per_s": round(lines / ingest_s),
        # CPU seconds of this process (SQLite runs in it): comparable on a loaded machine.
        "ingest_msgs_per_cpu_s": round(lines / ingest_cpu_s),
        "loadavg_1m": round(os.getloadavg()[0], 2),
        "baseline_parse_only_msgs_per_s": round(lines / parse_s),
        "ratio_ingest_vs_parse_only": round(parse_s / ingest_s, 3),
        "rss_mib_first_quarter_max": round(max(samples[:quarter]), 1),
        "rss_mib_last_quarter_max": round(max(samples[-quarter:]), 1),
        "reingest_stored": again.stored,
        "reingest_msgs_per_s": round(lines / reingest_s),
        "summary": summary.as_dict(),
        **redaction_figures(texts),
    }
    for key, value in result.items():
        print(f"{key:>34}: {value}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
