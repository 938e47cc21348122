"""Names and addresses: the rules, the learned tagger behind its gate, and both together.

    PYTHONPATH=src:. .venv/bin/python -m eval.name_tagger [--model DIR] [--data DIR]

Scores three redactors side by side on the tagger's own test split (built by
`salesbrain.ingest.name_tagger_data`, rebuilt from the shared data when `--data` holds no
test.jsonl)
and on the development fixture `tests/fixtures/redaction_spans.jsonl`:

- rules: today's `redact()`, its person_name and address spans;
- tagger: `NameTagger.spans` on the messages its gate passes (a message the gate turns away
  gets no span, so the gate's misses count as leaks);
- rules+tagger: the rule spans first, then every tagger span that overlaps none of them.

Per kind: exact precision/recall (same offsets), overlap precision/recall (a shared character)
and leak recall (some span of any kind covers part of the gold span). Speed: the gate's pass
rate on real JDDC chat messages and the CPU microseconds per message of the gate, of the
tagger on what the gate passes, and of the two per message overall. The last line is JSON.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from eval.redaction import FIXTURES, jddc_utterances, load_fixture
from salesbrain.evaluation.name_tagger import Example, compare
from salesbrain.ingest.name_tagger import NameTagger, default_tagger
from salesbrain.ingest.redact import redact
from salesbrain.paths import REPO_ROOT, shared_data_dir

Span = tuple[str, int, int]
def cpu_us(work: Callable[[], object], messages: int, passes: int = 3) -> float:
    """Best-of-`passes` CPU microseconds per message of `work` over `messages` messages."""
    best = float("inf")
    for _ in range(passes):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return round(best / messages * 1e6, 2)


def speed(tagger: NameTagger, texts: list[str]) -> dict[str, float]:
    """Gate pass rate and per-message costs on a stream of real messages."""
    passed = [t for t in texts if tagger.wants(t)]
    gate_us = cpu_us(lambda: [tagger.wants(t) for t in texts], len(texts))
    tag_us = cpu_us(lambda: tagger.spans(passed), max(1, len(passed)))
    rules_us = cpu_us(lambda: [redact(t) for t in texts], len(texts))
    return {"messages": len(texts), "gate_pass_rate": round(len(passed) / len(texts), 4),
            "gate_us": gate_us, "tagger_us_per_passed_message": tag_us,
            "effective_us_per_message": round(gate_us + tag_us * len(passed) / len(texts), 2),
            "rules_us_per_message": rules_us}


def load_split(directory: Path, split: str = "test") -> list[Example]:
    path = directory / f"{split}.jsonl"
    if not path.exists():
        from salesbrain.ingest.name_tagger_data import build, write

        write(build(shared_data_dir()), directory)
    rows = [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return [(r["text"], [tuple(s) for s in r["spans"]]) for r in rows]


def print_comparison(name: str, result: dict[str, dict]) -> None:
    print(f"== {name}: exact P / R, overlap P / R, leak recall (gold, predicted)")
    for redactor, by_kind in result.items():
        for kind, row in by_kind.items():
            e, o = row["exact"], row["overlap"]
            print(f"{redactor:13} {kind:12} {e['p']:.3f} {e['r']:.3f}   {o['p']:.3f} {o['r']:.3f}"
                  f"   {row['leak_recall']:.3f}  ({e['gold']}, {e['pred']})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, help="a tagger directory (default: the shipped one)")
    parser.add_argument("--data", type=Path, default=REPO_ROOT / "var" / "data" / "name_tagger")
    args = parser.parse_args()
    tagger = NameTagger.from_pretrained(args.model) if args.model else default_tagger()
    if tagger is None:
        raise SystemExit("no name tagger: train one with training.train_name_tagger")
    summary: dict[str, object] = {}
    for name, rows in (("test split", load_split(args.data)),
                       ("fixture", load_fixture(FIXTURES["main"]))):
        summary[name] = compare(rows, tagger)
        print_comparison(f"{name} ({len(rows)} lines)", summary[name])  # type: ignore[arg-type]
    test_texts = [text for text, _ in load_split(args.data)]
    summary["speed_test_split"] = speed(tagger, test_texts)
    jddc = jddc_utterances()
    summary["speed_jddc_chat"] = speed(tagger, jddc) if jddc else "skipped: no shared data"
    print(json.dumps(summary, ensure_ascii=False, separators=(",", ":")))


if __name__ == "__main__":
    main()
