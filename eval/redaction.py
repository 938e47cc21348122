"""Span-level quality and speed of `salesbrain.ingest.redact`.

Run: .venv/bin/python eval/redaction.py  (add --errors to list every miss and false alarm)

Two labelled fixtures of constructed WeCom-style chat lines are scored separately:

- tests/fixtures/redaction_spans.jsonl was written alongside the patterns. It measures
  coverage of the cases the rules were designed for, not generalisation to unseen text.
- tests/fixtures/redaction_spans_holdout.jsonl was written after the patterns were frozen and
  has never been used to change them, so it is the fairer estimate. Keep it that way: a rule
  fixed because of a holdout line turns the holdout into a second coverage set.

Besides these, false alarms were looked for by reading what the rules hit on unlabelled shared
data (JDDC, STC3, product reviews, CrossWOZ); none of that text is in either fixture.

A gold span is `{"kind", "start", "end"}` over the original text. "exact" needs the same kind
and the same offsets; "overlap" needs the same kind and any shared character. "leak recall" asks
only whether some placeholder covers part of the gold span, whatever its kind: what matters for
privacy. Speed is the best of five timed passes, in CPU microseconds per message (process time,
so other jobs on a shared machine inflate it less than wall time), on the fixture, on its
span-free lines and, when the shared data is present, on JDDC utterances (already redacted by
their publisher, so a realistic clean stream). The last line printed is a JSON object.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterable
from pathlib import Path

from salesbrain.datasets import jddc2019
from salesbrain.ingest.redact import PLACEHOLDERS, redact
from salesbrain.paths import REPO_ROOT, shared_data_dir

FIXTURES = {
    "main": REPO_ROOT / "tests" / "fixtures" / "redaction_spans.jsonl",
    "holdout": REPO_ROOT / "tests" / "fixtures" / "redaction_spans_holdout.jsonl",
}
Span = tuple[str, int, int]


def load_fixture(path: Path) -> list[tuple[str, list[Span]]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            rows.append((row["text"], [(s["kind"], s["start"], s["end"]) for s in row["spans"]]))
    return rows


def _overlaps(a: Span, b: Span, same_kind: bool = True) -> bool:
    return (a[0] == b[0] or not same_kind) and a[1] < b[2] and b[1] < a[2]


def _prf(tp_pred: int, n_pred: int, tp_gold: int, n_gold: int) -> dict[str, float]:
    precision = tp_pred / n_pred if n_pred else 1.0
    recall = tp_gold / n_gold if n_gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"p": round(precision, 4), "r": round(recall, 4), "f1": round(f1, 4),
            "gold": n_gold, "pred": n_pred}


def score(rows: list[tuple[str, list[Span]]], kinds: Iterable[str]) -> dict[str, dict]:
    """Per-kind and overall exact/overlap precision, recall and F1, plus leak recall."""
    pairs = []
    for text, gold in rows:
        pred = [(s.kind, s.start, s.end) for s in redact(text).spans]
        pairs.append((gold, pred))
    result: dict[str, dict] = {}
    for kind in [*kinds, "overall"]:
        def keep(spans: list[Span], kind: str = kind) -> list[Span]:
            return [s for s in spans if kind == "overall" or s[0] == kind]
        gold_n = sum(len(keep(g)) for g, _ in pairs)
        pred_n = sum(len(keep(p)) for _, p in pairs)
        exact = sum(len(set(keep(g)) & set(keep(p))) for g, p in pairs)
        over_pred = sum(any(_overlaps(s, g_) for g_ in g) for g, p in pairs for s in keep(p))
        over_gold = sum(any(_overlaps(s, p_) for p_ in p) for g, p in pairs for s in keep(g))
        result[kind] = {"exact": _prf(exact, pred_n, exact, gold_n),
                        "overlap": _prf(over_pred, pred_n, over_gold, gold_n)}
    leaked = sum(not any(_overlaps(s, p_, False) for p_ in p) for g, p in pairs for s in g)
    gold_total = result["overall"]["exact"]["gold"]
    result["overall"]["leak_recall"] = round(1 - leaked / gold_total, 4) if gold_total else 1.0
    return result


def print_errors(rows: list[tuple[str, list[Span]]]) -> None:
    for text, gold in rows:
        pred = [(s.kind, s.start, s.end) for s in redact(text).spans]
        for kind, start, end in set(gold) ^ set(pred):
            tag = "MISS" if (kind, start, end) in gold else "FALSE"
            print(f"  {tag:5} {kind:11} {text[start:end]!r:30} in {text!r}")


def microseconds_per_message(texts: list[str], passes: int = 5) -> float:
    best = float("inf")
    repeat = max(1, 20_000 // max(1, len(texts)))
    for _ in range(passes):
        started = time.process_time()
        for _ in range(repeat):
            for text in texts:
                redact(text)
        best = min(best, (time.process_time() - started) / (repeat * len(texts)))
    return round(best * 1e6, 2)


def jddc_utterances() -> list[str] | None:
    path = shared_data_dir() / jddc2019.FILE
    if not path.exists():
        return None
    return [message.content for message in jddc2019.read_messages(path)]


def print_table(name: str, result: dict[str, dict]) -> None:
    print(f"== {name}: span-level precision / recall / F1 (gold, predicted)")
    print(f"{'kind':12} {'exact P':>8} {'R':>6} {'F1':>6} {'overlap P':>10} {'R':>6} {'F1':>6}"
          f" {'gold':>5} {'pred':>5}")
    for kind, row in result.items():
        e, o = row["exact"], row["overlap"]
        print(f"{kind:12} {e['p']:8.3f} {e['r']:6.3f} {e['f1']:6.3f} {o['p']:10.3f} {o['r']:6.3f}"
              f" {o['f1']:6.3f} {e['gold']:5d} {e['pred']:5d}")
    print(f"leak recall (any placeholder covers the gold span): "
          f"{result['overall']['leak_recall']:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--errors", action="store_true", help="list misses and false alarms")
    args = parser.parse_args()
    summary: dict[str, object] = {}
    speed: dict[str, object] = {}
    for name, path in FIXTURES.items():
        if not path.exists():
            print(f"== {name}: fixture not found at {path}, skipped")
            continue
        rows = load_fixture(path)
        result = score(rows, PLACEHOLDERS)
        print_table(f"{name} ({len(rows)} lines, {path.name})", result)
        if args.errors:
            print_errors(rows)
        summary[name] = result
        speed[f"{name}_fixture_us"] = microseconds_per_message([t for t, _ in rows])
        speed[f"{name}_span_free_lines_us"] = microseconds_per_message(
            [t for t, g in rows if not g])
    jddc = jddc_utterances()
    speed["jddc_clean_us"] = microseconds_per_message(jddc) if jddc else "skipped: no shared data"
    print("== speed, CPU microseconds per message (best of 5 passes)")
    for key, value in speed.items():
        print(f"{key:32} {value}")
    summary["speed_us_per_message"] = speed
    print(json.dumps(summary, ensure_ascii=False, separators=(",", ":")))


if __name__ == "__main__":
    main()
