"""Real dialogues -> (context, reply) pairs split by conversation, plus the held-out eval sets.

Run:
    .venv/bin/python -m training.prepare_dialogues --out var/data/dialogues

Reads every real dialogue under the shared data directory (JDDC sample, STC-3, CrossWOZ val,
the ECD sample), merges consecutive messages of one speaker into a turn, splits conversations
80/10/10 into train/val/test with a fixed seed (per source, so every source is in every split)
and writes:

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
import csv
import json
import random
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from salesbrain.labelled import ecd_turns
from salesbrain.paths import REPO_ROOT, shared_data_dir
from salesbrain.suggest.lexical import bigram_set, jaccard

SEED = 20240611
SPLITS = {"train": 0.8, "val": 0.1, "test": 0.1}
MAX_CONTEXT_TURNS = 8
GROUP_SIZE = 10
NEAR_DUPLICATE_JACCARD = 0.5
SELECTION_SOURCES = ("jddc", "stc3")
CUSTOMER, GUIDE = "customer", "guide"


@dataclass
class Dialogue:
    conversation_id: str
    source: str
    turns: list[tuple[str, list[str]]]  # (role, messages of that turn)


def merge_messages(conversation_id: str, source: str, messages: list[tuple[str, str]]) -> Dialogue:
    """Consecutive messages of one speaker become one turn; empty messages are dropped."""
    turns: list[tuple[str, list[str]]] = []
    for role, text in messages:
        text = " ".join(text.split())
        if not text:
            continue
        if turns and turns[-1][0] == role:
            turns[-1][1].append(text)
        else:
            turns.append((role, [text]))
    return Dialogue(conversation_id, source, turns)


def read_jddc(path: Path) -> list[Dialogue]:
    sessions: dict[str, list[tuple[str, str]]] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) < 7:
                continue
            role = GUIDE if row[2] == "1" else CUSTOMER
            sessions.setdefault(row[0], []).append((role, "\t".join(row[6:])))
    return [merge_messages(f"jddc:{sid}", "jddc", msgs) for sid, msgs in sessions.items()]


def read_stc3(path: Path) -> list[Dialogue]:
    dialogues = []
    for item in json.loads(path.read_text(encoding="utf-8")):
        messages = [
            (CUSTOMER if turn["sender"] == "customer" else GUIDE, utterance)
            for turn in item["turns"]
            for utterance in turn["utterances"]
        ]
        dialogues.append(merge_messages(f"stc3:{item['id']}", "stc3", messages))
    return dialogues


def read_crosswoz(path: Path) -> list[Dialogue]:
    with zipfile.ZipFile(path) as archive:
        data = json.loads(archive.read(archive.namelist()[0]))
    return [
        merge_messages(
            f"crosswoz:{key}", "crosswoz",
            [(CUSTOMER if m["role"] == "usr" else GUIDE, m["content"]) for m in value["messages"]],
        )
        for key, value in data.items()
    ]


def read_ecd(path: Path) -> list[Dialogue]:
    """True-reply lines only, as `salesbrain.labelled.ecd_turns` reads them."""
    dialogues: dict[str, Dialogue] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) < 3 or fields[0] != "1":
            continue
        turns = ecd_turns(fields[1:])
        # Lines opening with the same utterances come from one shop conversation.
        key = "ecd:" + "|".join(turn.text for turn in turns[:3])
        dialogue = merge_messages(key, "ecd", [(turn.role.value, turn.text) for turn in turns])
        if key not in dialogues or len(dialogue.turns) > len(dialogues[key].turns):
            dialogues[key] = dialogue
    return list(dialogues.values())


def read_all(data_dir: Path) -> list[Dialogue]:
    readers = [
        (read_jddc, data_dir / "jddc2019" / "chat_sample.tsv"),
        (read_stc3, data_dir / "stc3" / "train_data_cn.json"),
        (read_crosswoz, data_dir / "crosswoz" / "val.json.zip"),
        (read_ecd, data_dir / "ecd" / "train_sample.tsv"),
    ]
    dialogues = []
    for reader, path in readers:
        if not path.is_file():
            raise FileNotFoundError(f"real dialogue file missing: {path}")
        dialogues.extend(d for d in reader(path) if len(d.turns) >= 2)
    return dialogues


def split_by_conversation(dialogues: list[Dialogue], seed: int) -> dict[str, list[Dialogue]]:
    splits: dict[str, list[Dialogue]] = {name: [] for name in SPLITS}
    for source in sorted({d.source for d in dialogues}):
        group = sorted((d for d in dialogues if d.source == source),
                       key=lambda d: d.conversation_id)
        random.Random(f"{seed}:{source}").shuffle(group)
        n_train = round(len(group) * SPLITS["train"])
        n_val = round(len(group) * SPLITS["val"])
        splits["train"] += group[:n_train]
        splits["val"] += group[n_train : n_train + n_val]
        splits["test"] += group[n_train + n_val :]
    return splits


def turn_text(messages: list[str]) -> str:
    return " ".join(messages)


def pairs_of(dialogue: Dialogue) -> list[dict]:
    """Every turn after the first is a reply to the turns before it (both speakers)."""
    pairs = []
    for i in range(1, len(dialogue.turns)):
        role, messages = dialogue.turns[i]
        context = [[r, turn_text(m)] for r, m in dialogue.turns[max(0, i - MAX_CONTEXT_TURNS) : i]]
        pairs.append({
            "conversation_id": dialogue.conversation_id, "source": dialogue.source,
            "context": context, "reply": turn_text(messages), "reply_role": role,
        })
    return pairs


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
    splits = split_by_conversation(read_all(data_dir), seed)
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
    print(json.dumps(run(args.data_dir, args.out, args.eval_dir, args.seed), indent=2))


if __name__ == "__main__":
    main()
