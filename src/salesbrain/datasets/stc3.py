"""STC-3 (`stc3/train_data_cn.json`): Weibo customer-helpdesk dialogues with annotators'
quality judgements.

A JSON list of `{"id", "turns": [{"sender": "customer"|"helpdesk", "utterances": [...]}],
"annotations": [{"quality": {"A", "S", "E"}, "nugget": [...]}, ...]}`. A conversation's id is
the dialogue id; a turn is one sender's turn, its utterances joined by a newline.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from salesbrain.schema import Role, Turn

FILE = "stc3/train_data_cn.json"
JUDGEMENTS: tuple[str, ...] = ("A", "S", "E")  # task accomplished, satisfaction, efficiency


@dataclass(frozen=True, slots=True)
class Stc3Turn:
    role: Role
    utterances: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.utterances)


@dataclass(frozen=True, slots=True)
class QualityExample:
    """A dialogue with the annotators' mean A, S and E (each -2..2)."""

    dialogue_id: str
    turns: tuple[Turn, ...]
    a: float
    s: float
    e: float


def dialogue_header(item: Any) -> tuple[str, list[Any]]:
    """The id and raw turns of one dialogue object; a malformed one raises ValueError."""
    if not isinstance(item, dict) or "id" not in item:
        raise ValueError("dialogue without an 'id'")
    if not isinstance(item.get("turns"), list):
        raise ValueError(f"dialogue {item['id']} has no 'turns' list")
    return str(item["id"]), item["turns"]


def parse_turn(dialogue_id: str, number: int, item: Any) -> Stc3Turn:
    sender = item.get("sender") if isinstance(item, dict) else None
    utterances = item.get("utterances") if isinstance(item, dict) else None
    if sender not in ("customer", "helpdesk") or not isinstance(utterances, list):
        raise ValueError(f"dialogue {dialogue_id} turn {number}: bad sender or utterances")
    role = Role.CUSTOMER if sender == "customer" else Role.GUIDE
    return Stc3Turn(role, tuple(map(str, utterances)))


def read_items(path: Path) -> list[Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def dialogue_turns(item: Any) -> tuple[str, tuple[Stc3Turn, ...]]:
    """The id and turns of one dialogue object, strictly."""
    dialogue_id, turns = dialogue_header(item)
    return dialogue_id, tuple(parse_turn(dialogue_id, n, t) for n, t in enumerate(turns))


def _conversation(path: Path, index: int, item: Any) -> tuple[str, tuple[Turn, ...]]:
    try:
        dialogue_id, turns = dialogue_turns(item)
    except ValueError as error:
        raise ValueError(f"{path}: item {index}: {error}") from error
    return dialogue_id, tuple(Turn(t.role, t.text) for t in turns)


def read_conversations(path: Path) -> dict[str, tuple[Turn, ...]]:
    """Dialogues as turns keyed by dialogue id; a malformed dialogue fails naming it."""
    return dict(_conversation(path, index, item)
                for index, item in enumerate(read_items(path), start=1))


def read_quality_examples(path: Path) -> list[QualityExample]:
    """Every dialogue with the annotators' mean A, S and E, in file order."""
    examples = []
    for index, item in enumerate(read_items(path), start=1):
        dialogue_id, turns = _conversation(path, index, item)
        ratings = [a["quality"] for a in item.get("annotations", []) if "quality" in a]
        if not ratings:
            raise ValueError(f"{path}: dialogue {dialogue_id} has no quality annotations")
        means = [float(np.mean([r[key] for r in ratings])) for key in JUDGEMENTS]
        examples.append(QualityExample(dialogue_id, turns, *means))
    return examples
