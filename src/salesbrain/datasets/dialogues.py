"""Real dialogues as merged turns and (context, reply) pairs, split by conversation.

A dialogue's consecutive messages of one speaker are merged into a turn (empty messages
dropped); every turn after the first is a reply to the turns before it, in both directions.
Reply suggestion, response selection and generation read the sets of `DEFAULT_SOURCES`
(JDDC sample, STC-3, CrossWOZ val, ECD sample), split with the "dialogues" rule of
`salesbrain.datasets.splits`; the other sets (JDDC 2018, FOSAED, JDDC 2.1) read the same way
through `read_dialogues` and join no split yet.

>>> parts = split_dialogues(read_all(shared_data_dir()))  # doctest: +SKIP
>>> pairs_of(parts["train"][0])[0]["reply_role"]  # doctest: +SKIP
'guide'
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from salesbrain.datasets import ecd, jddc2019, stc3
from salesbrain.datasets.sources import load_conversations, source_path
from salesbrain.datasets.splits import TEST, TRAIN, VALIDATION, deal
from salesbrain.schema import Turn

MAX_CONTEXT_TURNS = 8
CUSTOMER, GUIDE = "customer", "guide"
DEFAULT_SOURCES = ("jddc", "stc3", "crosswoz", "ecd")


@dataclass
class Dialogue:
    conversation_id: str  # "<source>:<conversation id in the set>"
    source: str
    turns: list[tuple[str, list[str]]]  # (role, messages of that turn)


def merge_messages(conversation_id: str, source: str, messages: Iterable[tuple[str, str]]
                   ) -> Dialogue:
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


def _messages(turns: Iterable[Turn]) -> list[tuple[str, str]]:
    return [(turn.role.value, turn.text) for turn in turns]


def _from_conversations(source: str, data_dir: Path) -> list[Dialogue]:
    return [merge_messages(f"{source}:{key}", source, _messages(turns))
            for key, turns in load_conversations(source, data_dir).items()]


def _jddc(path: Path) -> list[Dialogue]:
    sessions = jddc2019.read_conversations(path)
    return [merge_messages(f"jddc:{sid}", "jddc", _messages(turns))
            for sid, turns in sessions.items()]


def _stc3(path: Path) -> list[Dialogue]:
    """One message per utterance, so a helpdesk turn's utterances stay separate messages."""
    dialogues = []
    for item in stc3.read_items(path):
        dialogue_id, turns = stc3.dialogue_turns(item)
        messages = [(turn.role.value, u) for turn in turns for u in turn.utterances]
        dialogues.append(merge_messages(f"stc3:{dialogue_id}", "stc3", messages))
    return dialogues


def _ecd(path: Path) -> list[Dialogue]:
    """True-reply lines; lines opening with the same utterances come from one shop
    conversation, of which the longest line is kept."""
    dialogues: dict[str, Dialogue] = {}
    for turns in ecd.read_conversations(path).values():
        key = "ecd:" + "|".join(turn.text for turn in turns[:3])
        dialogue = merge_messages(key, "ecd", _messages(turns))
        if key not in dialogues or len(dialogue.turns) > len(dialogues[key].turns):
            dialogues[key] = dialogue
    return list(dialogues.values())


_READERS: dict[str, Callable[[Path], list[Dialogue]]] = {"jddc": _jddc, "stc3": _stc3,
                                                         "ecd": _ecd}


def read_dialogues(source: str, data_dir: Path) -> list[Dialogue]:
    """Every dialogue of one set (a `salesbrain.datasets.sources` name), in file order."""
    path = source_path(source, data_dir)
    if source in _READERS:
        return _READERS[source](path)
    return _from_conversations(source, data_dir)


def read_all(data_dir: Path, sources: Iterable[str] = DEFAULT_SOURCES) -> list[Dialogue]:
    """The dialogues of `sources` with at least two turns; a missing set fails naming it."""
    dialogues: list[Dialogue] = []
    for source in sources:
        dialogues.extend(d for d in read_dialogues(source, Path(data_dir)) if len(d.turns) >= 2)
    return dialogues


def split_dialogues(dialogues: list[Dialogue], seed: int | None = None
                    ) -> dict[str, list[Dialogue]]:
    """Train / validation / test by the "dialogues" rule: per source, a seeded shuffle."""
    parts: dict[str, list[Dialogue]] = {TRAIN: [], VALIDATION: [], TEST: []}
    for source in sorted({d.source for d in dialogues}):
        by_id = {d.conversation_id: d for d in dialogues if d.source == source}
        for key, split in deal("dialogues", source, by_id, seed).items():
            parts[split].append(by_id[key])
    return parts


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
