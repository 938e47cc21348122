"""Train the name/address tagger that redaction runs behind its cheap gate, and ship it.

    PYTHONPATH=src:. .venv/bin/python -m training.train_name_tagger \
        --out src/salesbrain/resources/name_tagger

Steps, top to bottom:
1. prepare: `salesbrain.ingest.name_tagger_data.build` fills the placeholders of real JDDC
   lines with
   surrogate names and addresses, adds CrossWOZ addresses, real negatives and the written
   WeCom lines, splits by source sentence and writes the splits under `--work-dir`;
2. gate: ordinary words that begin with a surname or nickname character (高兴, 小时, 哈哈) are
   counted in the training split's text outside its spans and in every JDDC line of the
   training split that holds no name or address; those seen `--min-count` times or more stop
   opening the gate;
3. train the character CRF on the training split and save it with its word lists to `--out`;
4. report span precision/recall/F1 per kind on the validation split, gate included (a message
   the gate turns away is tagged with nothing). Test numbers come from `eval.name_tagger`.

About three minutes on 2 CPU cores; the result is a pure function of `--seed`.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

from salesbrain.ingest.name_tagger import Lexicon, NameTagger, TaggerSettings
from salesbrain.ingest.name_tagger_data import Labelled, build, unlabelled_train_text, write
from salesbrain.jobs.runner import log
from salesbrain.paths import REPO_ROOT, shared_data_dir


def learn_common_words(rows: list[Labelled], min_count: int, lexicon: Lexicon) -> tuple[str, ...]:
    """Bigrams the gate would open on that are frequent in text holding no personal data."""
    scanner = NameTagger(lexicon=lexicon)
    counts: Counter[str] = Counter()
    for row in rows:
        text = list(row["text"])
        for _, start, end in row["spans"]:
            text[start:end] = " " * (end - start)
        counts.update(scanner.openers("".join(text)))
    return tuple(sorted(w for w, n in counts.items() if n >= min_count))


def examples(rows: list[Labelled]) -> list[tuple[str, list[tuple[str, int, int]]]]:
    return [(r["text"], [(k, a, b) for k, a, b in r["spans"]]) for r in rows]


def stamp(seed: int, counts: dict[str, Any]) -> dict[str, Any]:
    from importlib.metadata import version

    sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                         text=True).stdout.strip()
    return {"trained_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "git_sha": sha,
            "seed": seed, "python": platform.python_version(),
            "python_crfsuite": version("python-crfsuite"), "lines": counts}


def run(out: Path, data_dir: Path, work_dir: Path, seed: int, min_count: int) -> NameTagger:
    log(f"prepare: labelled lines from {data_dir}")
    rows = build(data_dir, seed)
    counts = write(rows, work_dir)
    train = [r for r in rows if r["split"] == "train"]
    unlabelled = [{"text": t, "spans": []} for t in set(unlabelled_train_text(data_dir, seed))]
    lexicon = Lexicon(common_words=learn_common_words(train + unlabelled, min_count, Lexicon()))
    log(f"gate: {len(lexicon.common_words)} common words; training on {len(train)} lines")
    started = time.time()
    tagger = NameTagger(TaggerSettings(), lexicon).fit(examples(train), stamp(seed, counts))
    log(f"trained in {time.time() - started:.0f}s")
    tagger.save_pretrained(out)
    size = sum(p.stat().st_size for p in out.iterdir())
    log(f"saved to {out} ({size / 1e6:.2f} MB)")
    from salesbrain.evaluation.name_tagger import score_spans, tagger_with_gate

    validation = [r for r in rows if r["split"] == "validation"]
    result = score_spans(examples(validation), tagger_with_gate(tagger))
    print(json.dumps({"validation": result}, ensure_ascii=False))
    return tagger


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, default=shared_data_dir())
    parser.add_argument("--work-dir", type=Path, default=REPO_ROOT / "var" / "data" / "name_tagger")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--min-count", type=int, default=3)
    args = parser.parse_args()
    run(args.out, args.data_dir, args.work_dir, args.seed, args.min_count)


if __name__ == "__main__":
    main()
