"""Hand labels stored by reference, resolved to the real message text and its context.

Label files (`data/labels/intent_*.jsonl`, e.g. `intent_jddc.jsonl`, `intent_jddc_extra.jsonl`)
hold one reference per line, never text:

    {"dataset": "jddc", "conversation": "<session id>", "turn": 3, "intent": "logistics"}

The referenced conversations are read from the shared real data sets:

- `jddc`: `jddc2019/chat_sample.tsv`; `turn` is the 0-based index of the line among the
  session's lines in file order; `is_agent` 0 is the customer.
- `stc3`: `stc3/train_data_cn.json`; `turn` indexes `turns`; utterances join with a newline.
- `crosswoz`: `crosswoz/val.json.zip`; `turn` indexes `messages`; role `usr` is the customer.
- `ecd`: `ecd/train_sample.tsv` (Taobao shop chats); a conversation is a true-reply line
  (`label` 1), named by its 1-based line number; `turn` indexes its context utterances followed
  by the true reply (`ecd_turns`).

A reference that does not resolve raises `LabelReferenceError` naming the file and the line.

Files whose name ends in `_extra` come from targeted passes: candidates surfaced by keyword
searches for the thin intents. Their messages are `targeted`: they are trained on and never
scored on (see `split_by_conversation`), since a keyword search is not a random sample.

>>> examples = load_intent_examples(shared_data_dir())  # doctest: +SKIP
>>> examples[0].intent, examples[0].context[-1].role  # doctest: +SKIP
('complaint', <Role.GUIDE: 'guide'>)
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from salesbrain.paths import labels_dir as default_labels_dir
from salesbrain.schema import Role, Turn
from salesbrain.taxonomy import INTENT_KEYS

CONTEXT_TURNS = 4
TARGETED_SUFFIX = "_extra"

DATASET_FILES: dict[str, str] = {
    "jddc": "jddc2019/chat_sample.tsv",
    "stc3": "stc3/train_data_cn.json",
    "crosswoz": "crosswoz/val.json.zip",
    "ecd": "ecd/train_sample.tsv",
}

SPLIT_FRACTIONS: dict[str, float] = {"train": 0.7, "validation": 0.1, "test": 0.2}

Conversations = dict[str, tuple[Turn, ...]]


class LabelReferenceError(ValueError):
    """A label line that is malformed or points at no customer message."""


@dataclass(frozen=True, slots=True)
class LabelledMessage:
    """A hand-labelled customer message with the turns before it (oldest first)."""

    dataset: str
    conversation: str
    turn: int
    text: str
    context: tuple[Turn, ...]
    intent: str
    # found by a keyword search rather than sampled: trained on, never scored on
    targeted: bool = False


def _read_jddc(path: Path) -> Conversations:
    sessions: dict[str, list[Turn]] = {}
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            fields = line.rstrip("\n").split("\t", 6)
            if len(fields) != 7:
                raise ValueError(f"{path}:{number}: expected 7 tab-separated fields")
            session, _user, is_agent, *_rest, content = fields
            role = Role.GUIDE if is_agent == "1" else Role.CUSTOMER
            sessions.setdefault(session, []).append(Turn(role, content))
    return {session: tuple(turns) for session, turns in sessions.items()}


def _read_stc3(path: Path) -> Conversations:
    dialogues = json.loads(path.read_text(encoding="utf-8"))
    return {
        str(dialogue["id"]): tuple(
            Turn(
                Role.CUSTOMER if turn["sender"] == "customer" else Role.GUIDE,
                "\n".join(turn["utterances"]),
            )
            for turn in dialogue["turns"]
        )
        for dialogue in dialogues
    }


def _read_crosswoz(path: Path) -> Conversations:
    with zipfile.ZipFile(path) as archive:
        member = next(name for name in archive.namelist() if name.endswith(".json"))
        dialogues = json.loads(archive.read(member))
    return {
        str(dialogue_id): tuple(
            Turn(Role.CUSTOMER if m["role"] == "usr" else Role.GUIDE, m["content"])
            for m in dialogue["messages"]
        )
        for dialogue_id, dialogue in dialogues.items()
    }


def ecd_turns(utterances: Sequence[str]) -> tuple[Turn, ...]:
    """One ECD line's utterances (the context, then a reply) as turns. The reply is the
    shop's and speakers alternate backwards from it; the corpus separates words (and the parts
    of "3-5", "15:00") by spaces, which are dropped."""
    last = len(utterances) - 1
    return tuple(Turn(Role.GUIDE if (last - i) % 2 == 0 else Role.CUSTOMER, "".join(text.split()))
                 for i, text in enumerate(utterances))


def _read_ecd(path: Path) -> Conversations:
    conversations: dict[str, tuple[Turn, ...]] = {}
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            label, *utterances = line.rstrip("\n").split("\t")
            if label not in {"0", "1"} or len(utterances) < 2:
                raise ValueError(f"{path}:{number}: expected a 0/1 label, context and a reply")
            if label == "1":
                conversations[str(number)] = ecd_turns(utterances)
    return conversations


_READERS: dict[str, Callable[[Path], Conversations]] = {
    "jddc": _read_jddc,
    "stc3": _read_stc3,
    "crosswoz": _read_crosswoz,
    "ecd": _read_ecd,
}


@cache
def _conversations_cached(dataset: str, path: Path, mtime_ns: int) -> Conversations:
    return _READERS[dataset](path)


def load_conversations(dataset: str, data_dir: Path) -> Conversations:
    """All conversations of one real data set as turns, keyed by conversation id (cached)."""
    if dataset not in DATASET_FILES:
        raise ValueError(f"unknown dataset {dataset!r}; known: {sorted(DATASET_FILES)}")
    path = Path(data_dir) / DATASET_FILES[dataset]
    if not path.is_file():
        raise FileNotFoundError(f"{dataset} data not found at {path}")
    return _conversations_cached(dataset, path.resolve(), path.stat().st_mtime_ns)


def _parse_reference(line: str, where: str) -> tuple[str, str, int, str]:
    try:
        record = json.loads(line)
        dataset, conversation = record["dataset"], str(record["conversation"])
        turn, intent = record["turn"], record["intent"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise LabelReferenceError(f"{where}: malformed label line ({error})") from error
    if dataset not in DATASET_FILES:
        raise LabelReferenceError(f"{where}: unknown dataset {dataset!r}")
    if not isinstance(turn, int) or isinstance(turn, bool) or turn < 0:
        raise LabelReferenceError(f"{where}: turn must be a non-negative integer, got {turn!r}")
    if intent not in INTENT_KEYS:
        raise LabelReferenceError(f"{where}: unknown intent {intent!r}")
    return dataset, conversation, turn, intent


def _resolve(
    reference: tuple[str, str, int, str], turns: tuple[Turn, ...] | None, where: str
) -> LabelledMessage:
    dataset, conversation, turn, intent = reference
    if turns is None:
        raise LabelReferenceError(f"{where}: no {dataset} conversation {conversation!r}")
    if turn >= len(turns):
        raise LabelReferenceError(
            f"{where}: turn {turn} is out of range; {dataset} conversation {conversation!r} "
            f"has {len(turns)} turns"
        )
    if turns[turn].role is not Role.CUSTOMER:
        raise LabelReferenceError(
            f"{where}: turn {turn} of {dataset} conversation {conversation!r} is not a customer "
            "message"
        )
    context = turns[max(0, turn - CONTEXT_TURNS) : turn]
    return LabelledMessage(dataset, conversation, turn, turns[turn].text, context, intent)


def resolve_label_file(path: Path, data_dir: Path) -> list[LabelledMessage]:
    """Resolve every reference of one label file; identical repeats are kept once."""
    examples: dict[tuple[str, str, int], LabelledMessage] = {}
    targeted = Path(path).stem.endswith(TARGETED_SUFFIX)
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            reference = _parse_reference(line, where)
            conversations = load_conversations(reference[0], data_dir)
            example = _resolve(reference, conversations.get(reference[1]), where)
            if targeted:
                example = replace(example, targeted=True)
            key = (example.dataset, example.conversation, example.turn)
            if key in examples and examples[key].intent != example.intent:
                raise LabelReferenceError(
                    f"{where}: conflicting label {example.intent!r} for a message already "
                    f"labelled {examples[key].intent!r}"
                )
            examples[key] = example
    return list(examples.values())


def intent_label_files(labels_dir: Path) -> list[Path]:
    """The hand-label files read as training and test data, in a stable order.

    Every `intent_*.jsonl` in `labels_dir` (e.g. `intent_jddc.jsonl` and targeted passes such as
    `intent_jddc_extra.jsonl`) except second-pass agreement samples (`*second_pass*`), which
    re-label messages that are already in another file.
    """
    return sorted(
        path
        for path in Path(labels_dir).glob("intent_*.jsonl")
        if path.is_file() and "second_pass" not in path.stem
    )


def load_intent_examples(
    data_dir: Path, labels_dir: Path | None = None
) -> list[LabelledMessage]:
    """Every hand-labelled customer message in `labels_dir`, resolved.

    Reads the files of `intent_label_files`; a message labelled in two files is kept once, and
    two different labels for it raise `LabelReferenceError`.
    """
    directory = Path(labels_dir) if labels_dir is not None else default_labels_dir()
    examples: dict[tuple[str, str, int], LabelledMessage] = {}
    for path in intent_label_files(directory):
        for example in resolve_label_file(path, Path(data_dir)):
            key = (example.dataset, example.conversation, example.turn)
            if key in examples and examples[key].intent != example.intent:
                raise LabelReferenceError(
                    f"{path}: conflicting label {example.intent!r} for {key}, already labelled "
                    f"{examples[key].intent!r} in another file"
                )
            examples.setdefault(key, example)
    return list(examples.values())


def split_of(dataset: str, conversation: str, seed: int = 0) -> str:
    """The split ("train", "validation" or "test") a conversation belongs to.

    Decided by a seeded hash of the conversation alone, so a conversation keeps its split
    while the label files grow: a test conversation is never trained on by a later run.
    Class balance across splits holds in expectation (stratification by chance, not by force).
    """
    digest = hashlib.sha256(f"{seed}:{dataset}:{conversation}".encode()).digest()
    position = int.from_bytes(digest[:8], "big") / 2**64
    cumulative = 0.0
    for split, fraction in SPLIT_FRACTIONS.items():
        cumulative += fraction
        if position < cumulative:
            return split
    return "test"


def split_by_conversation(
    examples: list[LabelledMessage], seed: int = 0
) -> dict[str, list[LabelledMessage]]:
    """Examples grouped into train / validation / test, every conversation in exactly one.

    Targeted examples (surfaced by a keyword search, so not a random sample of what customers
    write) join training when their conversation is a training one and are left out otherwise,
    so that validation and test stay random samples of labelled conversations.
    """
    splits: dict[str, list[LabelledMessage]] = {name: [] for name in SPLIT_FRACTIONS}
    for example in examples:
        split = split_of(example.dataset, example.conversation, seed)
        if example.targeted and split != "train":
            continue
        splits[split].append(example)
    return splits


def write_intent_records(examples: Iterable[LabelledMessage], path: Path) -> Path:
    """Write messages in the `eval intent` file format (cli.md), keeping their references."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as out:
        for e in examples:
            record = {"text": e.text, "context": [[t.role.value, t.text] for t in e.context],
                      "intent": e.intent, "dataset": e.dataset,
                      "conversation": e.conversation, "turn": e.turn}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def read_intent_records(path: Path) -> list[LabelledMessage]:
    """Read an `eval intent` file: {"text", "context": [[role, text], ...], "intent"} per line.

    Reference fields are optional (empty when absent); a bad line fails naming the line.
    """
    records = []
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                records.append(_intent_record(line, f"{path}:{number}"))
    return records


def _intent_record(line: str, where: str) -> LabelledMessage:
    try:
        record = json.loads(line)
        context = tuple(Turn(Role(role), str(text)) for role, text in record["context"])
        text, intent = str(record["text"]), record["intent"]
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{where}: malformed intent record ({error})") from error
    if intent not in INTENT_KEYS:
        raise ValueError(f"{where}: unknown intent {intent!r}")
    return LabelledMessage(str(record.get("dataset", "")), str(record.get("conversation", "")),
                           int(record.get("turn", -1)), text, context, intent)
