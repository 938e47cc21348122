"""How often redaction's safety net fires on real chat, and on what.

Run: .venv/bin/python -m eval.safety_net          (also printed by `python -m eval.redaction`;
     `python -m eval.redaction --safety-net` prints only this report)

The safety net redacts what no specific detector claims: a bare run of 9 or more digits
(`number` for 9-10 digits, `order_no` from 11) and an id-like token of letters and digits after
a contact cue (`number`), unless the number is a known safe kind (price, date, time, hotline,
size, product code). `salesbrain.ingest.redact.safety_net_spans` returns exactly those spans.

Every dialogue set in the shared data is read with its reader in `salesbrain.datasets` and
counted over its distinct message texts (JDDC 2018 repeats each context line many times).
These sets were desensitised by their publishers, so nearly every hit is over-redaction or a
number the publisher kept; the examples show which. The rate is per 1,000 distinct messages.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterator

from salesbrain.datasets.sources import SOURCES, load_conversations, source_path
from salesbrain.ingest.redact import safety_net_spans
from salesbrain.paths import shared_data_dir

CONTEXT = 10  # characters shown either side of an example span


def real_sets() -> Iterator[tuple[str, list[str]]]:
    """(name, distinct message texts) for each dialogue set present in the shared data."""
    root = shared_data_dir()
    for name in SOURCES:
        try:
            source_path(name, root)
        except FileNotFoundError:
            continue
        conversations = load_conversations(name, root)
        texts = (turn.text for turns in conversations.values() for turn in turns)
        yield name, list(dict.fromkeys(text for text in texts if text.strip()))


def safety_net_report(examples: int = 5) -> dict[str, dict]:
    """Per set: messages, messages and spans the net caught per 1,000, its kinds, examples."""
    report: dict[str, dict] = {}
    for name, texts in real_sets():
        kinds: Counter[str] = Counter()
        hit_messages = 0
        shown: dict[str, str] = {}  # caught value -> it in context; distinct values only
        for text in texts:
            spans = safety_net_spans(text)
            hit_messages += bool(spans)
            for span in spans:
                kinds[span.kind] += 1
                value = text[span.start:span.end]
                if len(shown) < examples and value not in shown:
                    shown[value] = (text[max(0, span.start - CONTEXT):span.start] + "⟦" + value
                                    + "⟧" + text[span.end:span.end + CONTEXT])
        per_k = 1000 / len(texts) if texts else 0.0
        report[name] = {"messages": len(texts),
                        "messages_hit_per_1000": round(hit_messages * per_k, 2),
                        "spans_per_1000": round(sum(kinds.values()) * per_k, 2),
                        "spans_by_kind": dict(sorted(kinds.items())),
                        "examples": list(shown.values())}
    return report


def print_report(report: dict[str, dict]) -> None:
    print("== safety net on real sets: fallback spans per 1,000 distinct messages "
          "(⟦caught⟧ in context)")
    for name, row in report.items():
        print(f"{name:10} {row['messages']:7d} msgs  {row['spans_per_1000']:6.2f} spans/1000  "
              f"{row['messages_hit_per_1000']:6.2f} msgs hit/1000  {row['spans_by_kind']}")
        for example in row["examples"]:
            print(f"{'':12}e.g. {example!r}")


def main_report() -> None:
    report = safety_net_report()
    print_report(report)
    print(json.dumps(report, ensure_ascii=False, separators=(",", ":")))


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    main_report()


if __name__ == "__main__":
    main()
