"""Real dialogues -> (context, reply) pairs split by conversation, plus the held-out eval sets.

Run:
    .venv/bin/python -m salesbrain.datasets.prepare_dialogues --out var/data/dialogues

Reads every real dialogue under the shared data directory (JDDC sample, STC-3, CrossWOZ val,
the ECD sample) as `salesbrain.datasets.dialogues` merges and splits them (the "dialogues"
rule of `salesbrain.datasets.splits`: 80/10/10 per source, seeded shuffle) and writes:

    OUT/pairs_{train,val,test}.jsonl   one (context, reply) pair per line, both directions:
                                       {"conversation_id", "source", "context": [[role, text]..],
                                        "reply", "reply_role"}
    OUT/response_selection_val.tsv     ECD-format ranking groups from validation conversations
    OUT/manifest.json                  counts per source and split, seed
    EVAL/response_selection_test.tsv   ECD-format test: 1 true + 9 guide replies from OTHER test
                                       conversations of the same source (JDDC sample, STC-3),
                                       near-duplicates of the true reply never used as negatives;
                                       the source of each group in ...test.sources.txt
    EVAL/jddc_dev/dev_question.txt,    JDDC dev format built from held-out JDDC sample sessions
    EVAL/jddc_dev/dev_answer.txt       (one human reference per target)

EVAL defaults to var/eval.
"""

from __future__ import annotations

import argparse
import json
import random
from collections import Counter
from pathlib import Path

from salesbrain.datasets.dialogues import (
    CUSTOMER,
    GUIDE,
    Dialogue,
    pairs_of,
    read_all,
    split_dialogues,
)
from salesbrain.datasets.splits import SHUFFLE_RULES
from salesbrain.paths import REPO_ROOT, shared_data_dir
from salesbrain.suggest.lexical import bigram_set, jaccard

SEED = SHUFFLE_RULES["dialogues"].seed
GROUP_SIZE = 10
NEAR_DUPLICATE_JACCARD = 0.5
SELECTION_SOURCES = ("jddc", "stc3")
# the files keep their short split names: pairs_val.jsonl, manifest "val"
FILE_SPLITS = {"train": "train", "validation": "val", "test": "test"}


def selection_groups(pairs: list[dict], sources: tuple[str, ...],
                     seed: int) -> list[tuple[str, list[tuple]]]:
    """Groups of (label, context, candidate): the true guide reply, 9 from other conversations."""
    rng = random.Random(seed)
    guide_pairs = [p for p in pairs if p["reply_role"] == GUIDE and p["source"] in sources]
    pools = {source: [p for p in guide_pairs if p["source"] == source] for source in sources}
    groups = []
    for pair in guide_pairs:
        true_grams = bigram_set(pair["reply"])
        negatives: list[str] = []
        pool = pools[pair["source"]]
        for _ in range(2000):
            other = pool[rng.randrange(len(pool))]
            if other["conversation_id"] == pair["conversation_id"] or other["reply"] in negatives:
                continue
            if jaccard(true_grams, bigram_set(other["reply"])) > NEAR_DUPLICATE_JACCARD:
                continue
            negatives.append(other["reply"])
            if len(negatives) == GROUP_SIZE - 1:
                break
        if len(negatives) < GROUP_SIZE - 1:
            continue
        group = [(1, pair["context"], pair["reply"])] + [(0, pair["context"], n) for n in negatives]
        rng.shuffle(group)
        groups.append((pair["source"], group))
    return groups


def clean_field(text: str) -> str:
    return " ".join(text.replace("\t", " ").split())


def write_selection_tsv(groups: list[tuple[str, list[tuple]]], path: Path) -> None:
    """The ECD-format file, plus `<name>.sources.txt`: each group's source, one per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sources = path.with_suffix(".sources.txt")
    sources.write_text("".join(f"{source}\n" for source, _ in groups), encoding="utf-8")
    with path.open("w", encoding="utf-8") as handle:
        for _, group in groups:
            for label, context, candidate in group:
                fields = [str(label), *(clean_field(t) for _, t in context), clean_field(candidate)]
                handle.write("\t".join(fields) + "\n")


def write_jddc_dev(dialogues: list[Dialogue], out_dir: Path, context_exchanges: int = 3) -> int:
    """JDDC dev format: a few opening exchanges as context, later customer turns as targets."""
    questions, answers = [], []
    for index, dialogue in enumerate(d for d in dialogues if d.source == "jddc"):
        guide_positions = [i for i, (role, _) in enumerate(dialogue.turns) if role == GUIDE]
        if len(guide_positions) <= context_exchanges:
            continue
        cut = guide_positions[context_exchanges - 1] + 1
        context, rest = dialogue.turns[:cut], dialogue.turns[cut:]
        targets = [(rest[i][1], rest[i + 1][1]) for i in range(len(rest) - 1)
                   if rest[i][0] == CUSTOMER and rest[i + 1][0] == GUIDE]
        if not targets:
            continue
        name = f"s_{index}"
        lines = [f"<session {name}>", "<context>"]
        for role, messages in context:
            if role == CUSTOMER:
                lines += [f"Q:\t{clean_field(m)}" for m in messages]
            else:
                lines.append("A:\t" + "!@@@!".join(clean_field(m) for m in messages))
        lines.append("</context>")
        lines += [f"<Q{n}>" + "!@@@!".join(clean_field(m) for m in q) + f"</Q{n}>"
                  for n, (q, _) in enumerate(targets, 1)]
        questions.append("\n".join(lines + [f"</session {name}>", ""]))
        answer_lines = ["!@@@!".join(clean_field(m) for m in a) for _, a in targets]
        answers.append("\n".join([f"<session {name}>", *answer_lines, f"</session {name}>", ""]))
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "dev_question.txt").write_text("\n".join(questions), encoding="utf-8")
    (out_dir / "dev_answer.txt").write_text("\n".join(answers), encoding="utf-8")
    return len(questions)


def write_jsonl(rows: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def run(data_dir: Path, out_dir: Path, eval_dir: Path, seed: int = SEED) -> dict:
    splits = {FILE_SPLITS[name]: part
              for name, part in split_dialogues(read_all(data_dir), seed).items()}
    manifest: dict = {"seed": seed, "splits": {}}
    pairs_by_split = {}
    for name, dialogues in splits.items():
        pairs = [p for d in dialogues for p in pairs_of(d)]
        pairs_by_split[name] = pairs
        write_jsonl(pairs, out_dir / f"pairs_{name}.jsonl")
        manifest["splits"][name] = {
            "conversations": dict(Counter(d.source for d in dialogues)),
            "guide_pairs": dict(Counter(p["source"] for p in pairs if p["reply_role"] == GUIDE)),
            "customer_pairs": dict(Counter(p["source"] for p in pairs if p["reply_role"] != GUIDE)),
        }
    val_groups = selection_groups(pairs_by_split["val"], SELECTION_SOURCES, seed + 1)
    write_selection_tsv(val_groups, out_dir / "response_selection_val.tsv")
    test_groups = selection_groups(pairs_by_split["test"], SELECTION_SOURCES, seed + 2)
    write_selection_tsv(test_groups, eval_dir / "response_selection_test.tsv")
    sessions = write_jddc_dev(splits["test"], eval_dir / "jddc_dev")
    manifest.update({"val_groups": len(val_groups), "test_groups": len(test_groups),
                     "jddc_dev_sessions": sessions})
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=shared_data_dir())
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "var" / "data" / "dialogues")
    parser.add_argument("--eval-dir", type=Path, default=REPO_ROOT / "var" / "eval")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    print(  # noqa: T201 (the command's output)
        json.dumps(run(args.data_dir, args.out, args.eval_dir, args.seed), indent=2))


if __name__ == "__main__":
    main()
