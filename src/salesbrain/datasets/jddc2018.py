"""JDDC 2018 baseline pairs (`jddc2018/train.enc`, `train.dec`): JD.com (context, reply) pairs.

Line n of `train.enc` is a context, utterances joined by ASCII commas, customer first and
ending with a customer utterance; line n of `train.dec` is the agent's real reply (several
messages joined by commas). A comma inside an utterance cannot be told from the separator and
the file marks no speakers, so speakers are taken to alternate backwards from the last context
utterance, the customer's (as the set documents: `Q,A,Q,A,Q,`); empty pieces are dropped. A
conversation is one line pair, named by its 1-based line number: the context turns, then the
reply as one guide turn (none where the reply is empty).
"""

from __future__ import annotations

from pathlib import Path

from salesbrain.schema import Role, Turn

FOLDER = "jddc2018"


def _pieces(line: str) -> list[str]:
    return [piece.strip() for piece in line.split(",") if piece.strip()]


def line_turns(context: str, reply: str) -> tuple[Turn, ...]:
    """One line pair as turns: alternating context pieces ending with the customer, the reply."""
    pieces = _pieces(context)
    last = len(pieces) - 1
    turns = [Turn(Role.CUSTOMER if (last - i) % 2 == 0 else Role.GUIDE, piece)
             for i, piece in enumerate(pieces)]
    if _pieces(reply):
        turns.append(Turn(Role.GUIDE, " ".join(_pieces(reply))))
    return tuple(turns)


def read_conversations(folder: Path) -> dict[str, tuple[Turn, ...]]:
    """Every line pair as turns keyed by line number; unequal files fail naming both."""
    contexts = (Path(folder) / "train.enc").read_text(encoding="utf-8").split("\n")
    replies = (Path(folder) / "train.dec").read_text(encoding="utf-8").split("\n")
    if len(contexts) != len(replies):
        raise ValueError(f"{folder}: train.enc has {len(contexts)} lines, train.dec "
                         f"{len(replies)}; they must be line-aligned")
    return {str(number): line_turns(context, reply)
            for number, (context, reply) in enumerate(zip(contexts, replies, strict=True), start=1)
            if context.strip() or reply.strip()}
