"""Hand annotations stored by reference, resolved to the real message text and its context.

Annotation files (`data/annotations/intent_*.jsonl`, e.g. `intent_jddc.jsonl`,
`intent_jddc_extra.jsonl`) hold one reference per line, never text:

    {"dataset": "jddc", "conversation": "<session id>", "turn": 3, "intent": "logistics"}

The referenced conversations are read from the shared real data sets
(`salesbrain.datasets.sources`):

- `jddc`: `jddc2019/chat_sample.tsv`; `turn` is the 0-based index of the line among the
  session's lines in file order; `is_agent` 0 is the customer.
- `stc3`: `stc3/train_data_cn.json`; `turn` indexes `turns`; utterances join with a newline.
- `crosswoz`: `crosswoz/val.json.zip`; `turn` indexes `messages`; role `usr` is the customer.
- `ecd`: `ecd/train_sample.tsv` (Taobao shop chats); a conversation is a true-reply line
  (`label` 1), named by its 1-based line number; `turn` indexes its context utterances followed
  by the true reply (`ecd_turns`).

A reference that does not resolve raises `AnnotationReferenceError` naming the file and line.

Files whose name ends in `_extra` come from targeted passes: candidates surfaced by keyword
searches for the thin intents. Their messages are `targeted`: they are trained on and never
scored on (see `split_intent_annotations`), since a keyword search is not a random sample.

Outcome annotations (`data/annotations/outcome_real.jsonl`) name whole conversations:
`{"dataset": "jddc"|"stc3", "conversation": "<id>", "outcome": "<taxonomy key>"}`
(`load_outcome_annotations`).

>>> examples = load_intent_annotations(shared_data_dir())  # doctest: +SKIP
>>> examples[0].intent, examples[0].context[-1].role  # doctest: +SKIP
('complaint', <Role.GUIDE: 'guide'>)
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from salesbrain.datasets.sources import SOURCES, load_conversations
from salesbrain.datasets.splits import TEST, TRAIN, VALIDATION, is_held_out, split_of
from salesbrain.paths import annotations_dir as default_annotations_dir
from salesbrain.schema import Role, Turn
from salesbrain.taxonomy import INTENT_KEYS, OUTCOME_KEYS

CONTEXT_TURNS = 4
TARGETED_SUFFIX = "_extra"



class AnnotationReferenceError(ValueError):
    """An annotation line that is malformed or points at no customer message."""


@dataclass(frozen=True, slots=True)
class AnnotatedMessage:
    """A hand-annotated customer message with the turns before it (oldest first)."""

    dataset: str
    conversation: str
    turn: int
    text: str
    context: tuple[Turn, ...]
    intent: str
    # found by a keyword search rather than sampled: trained on, never scored on
    targeted: bool = False


def _parse_reference(line: str, where: str) -> tuple[str, str, int, str]:
    try:
        record = json.loads(line)
        dataset, conversation = record["dataset"], str(record["conversation"])
        turn, intent = record["turn"], record["intent"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise AnnotationReferenceError(f"{where}: malformed label line ({error})") from error
    if dataset not in SOURCES:
        raise AnnotationReferenceError(f"{where}: unknown dataset {dataset!r}")
    if not isinstance(turn, int) or isinstance(turn, bool) or turn < 0:
        raise AnnotationReferenceError(
            f"{where}: turn must be a non-negative integer, got {turn!r}")
    if intent not in INTENT_KEYS:
        raise AnnotationReferenceError(f"{where}: unknown intent {intent!r}")
    return dataset, conversation, turn, intent


def _resolve(
    reference: tuple[str, str, int, str], turns: tuple[Turn, ...] | None, where: str
) -> AnnotatedMessage:
    dataset, conversation, turn, intent = reference
    if turns is None:
        raise AnnotationReferenceError(f"{where}: no {dataset} conversation {conversation!r}")
    if turn >= len(turns):
        raise AnnotationReferenceError(
            f"{where}: turn {turn} is out of range; {dataset} conversation {conversation!r} "
            f"has {len(turns)} turns"
        )
    if turns[turn].role is not Role.CUSTOMER:
        raise AnnotationReferenceError(
            f"{where}: turn {turn} of {dataset} conversation {conversation!r} is not a customer "
            "message"
        )
    context = turns[max(0, turn - CONTEXT_TURNS) : turn]
    return AnnotatedMessage(dataset, conversation, turn, turns[turn].text, context, intent)


def resolve_annotation_file(path: Path, data_dir: Path) -> list[AnnotatedMessage]:
    """Resolve every reference of one label file; identical repeats are kept once."""
    examples: dict[tuple[str, str, int], AnnotatedMessage] = {}
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
                raise AnnotationReferenceError(
                    f"{where}: conflicting label {example.intent!r} for a message already "
                    f"labelled {examples[key].intent!r}"
                )
            examples[key] = example
    return list(examples.values())


def intent_annotation_files(annotations_dir: Path) -> list[Path]:
    """The hand-label files read as training and test data, in a stable order.

    Every `intent_*.jsonl` in `annotations_dir` (e.g. `intent_jddc.jsonl` and targeted passes
    such as
    `intent_jddc_extra.jsonl`) except second-pass agreement samples (`*second_pass*`), which
    re-label messages that are already in another file.
    """
    return sorted(
        path
        for path in Path(annotations_dir).glob("intent_*.jsonl")
        if path.is_file() and "second_pass" not in path.stem
    )


def load_intent_annotations(
    data_dir: Path, annotations_dir: Path | None = None
) -> list[AnnotatedMessage]:
    """Every hand-labelled customer message in `annotations_dir`, resolved.

    Reads the files of `intent_annotation_files`; a message labelled in two files is kept once, and
    two different labels for it raise `AnnotationReferenceError`.
    """
    directory = Path(annotations_dir) if annotations_dir is not None else default_annotations_dir()
    examples: dict[tuple[str, str, int], AnnotatedMessage] = {}
    for path in intent_annotation_files(directory):
        for example in resolve_annotation_file(path, Path(data_dir)):
            key = (example.dataset, example.conversation, example.turn)
            if key in examples and examples[key].intent != example.intent:
                raise AnnotationReferenceError(
                    f"{path}: conflicting label {example.intent!r} for {key}, already labelled "
                    f"{examples[key].intent!r} in another file"
                )
            examples.setdefault(key, example)
    return list(examples.values())


def split_intent_annotations(
    examples: list[AnnotatedMessage], seed: int = 0
) -> dict[str, list[AnnotatedMessage]]:
    """Examples grouped into train / validation / test by conversation (`splits`, "intent").

    Targeted examples (surfaced by a keyword search, so not a random sample of what customers
    write) join training when their conversation is a training one and are left out otherwise,
    so that validation and test stay random samples of annotated conversations.
    """
    parts: dict[str, list[AnnotatedMessage]] = {TRAIN: [], VALIDATION: [], TEST: []}
    for example in examples:
        split = split_of("intent", example.conversation, example.dataset, seed)
        if example.targeted and split != TRAIN:
            continue
        parts[split].append(example)
    return parts


def write_intent_records(examples: Iterable[AnnotatedMessage], path: Path) -> Path:
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


def read_intent_records(path: Path) -> list[AnnotatedMessage]:
    """Read an `eval intent` file: {"text", "context": [[role, text], ...], "intent"} per line.

    Reference fields are optional (empty when absent); a bad line fails naming the line.
    """
    records = []
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                records.append(_intent_record(line, f"{path}:{number}"))
    return records


def _intent_record(line: str, where: str) -> AnnotatedMessage:
    try:
        record = json.loads(line)
        context = tuple(Turn(Role(role), str(text)) for role, text in record["context"])
        text, intent = str(record["text"]), record["intent"]
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise ValueError(f"{where}: malformed intent record ({error})") from error
    if intent not in INTENT_KEYS:
        raise ValueError(f"{where}: unknown intent {intent!r}")
    return AnnotatedMessage(str(record.get("dataset", "")), str(record.get("conversation", "")),
                           int(record.get("turn", -1)), text, context, intent)


OUTCOME_FILE = "outcome_real.jsonl"


@dataclass(frozen=True, slots=True)
class AnnotatedOutcome:
    """A real conversation with its hand-annotated outcome."""

    dataset: str
    conversation: str
    turns: tuple[Turn, ...]
    outcome: str

    @property
    def heldout(self) -> bool:
        return is_held_out("outcome", self.conversation, self.dataset)


def load_outcome_annotations(data_dir: Path, path: Path | None = None) -> list[AnnotatedOutcome]:
    """Every annotated real conversation, resolved against the shared data sets."""
    path = path or default_annotations_dir() / OUTCOME_FILE
    examples, seen = [], set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        record = json.loads(line)
        key = (record["dataset"], str(record["conversation"]))
        if record["outcome"] not in OUTCOME_KEYS or key in seen:
            raise ValueError(f"{path}:{number}: unknown outcome or repeated conversation {key}")
        turns = load_conversations(key[0], data_dir).get(key[1])
        if turns is None:
            raise ValueError(f"{path}:{number}: no {key[0]} conversation {key[1]!r}")
        seen.add(key)
        examples.append(AnnotatedOutcome(key[0], key[1], turns, record["outcome"]))
    return examples
