"""ECD sample (`ecd/train_sample.tsv`): Taobao shop chats in the response-selection format.

Lines `label \\t utt_1 \\t ... \\t utt_n \\t candidate`; label 1 marks the true reply. A
conversation is a true-reply line, named by its 1-based line number; its turns are the context
utterances followed by the true reply (`ecd_turns`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from salesbrain.schema import Role, Turn

FILE = "ecd/train_sample.tsv"


def ecd_turns(utterances: Sequence[str]) -> tuple[Turn, ...]:
    """One ECD line's utterances (the context, then a reply) as turns. The reply is the
    shop's and speakers alternate backwards from it; the corpus separates words (and the parts
    of "3-5", "15:00") by spaces, which are dropped."""
    last = len(utterances) - 1
    return tuple(Turn(Role.GUIDE if (last - i) % 2 == 0 else Role.CUSTOMER, "".join(text.split()))
                 for i, text in enumerate(utterances))


def read_conversations(path: Path) -> dict[str, tuple[Turn, ...]]:
    """The true-reply lines as turns, keyed by line number; a malformed line fails naming it."""
    conversations: dict[str, tuple[Turn, ...]] = {}
    with Path(path).open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            label, *utterances = line.rstrip("\n").split("\t")
            if label not in {"0", "1"} or len(utterances) < 2:
                raise ValueError(f"{path}:{number}: expected a 0/1 label, context and a reply")
            if label == "1":
                conversations[str(number)] = ecd_turns(utterances)
    return conversations
