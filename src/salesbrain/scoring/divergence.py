"""Where a guide's conversation parts ways with a champion's on the same intent, turn by turn.

A *turn* is a run of consecutive messages from one side (recalled and system messages left
out). The two conversations are laid side by side turn i against turn i; a row *diverges* when
one of these holds, each named by a stable key the pages translate:

- `missing_turn`: one side has a turn here and the other none (she stopped answering, or the
  champion kept the conversation going);
- `role`: the turns come from different sides (she answered where the champion waited, or the
  other way round);
- `intent`: the customers ask about different things on this turn;
- `slow_reply`: her reply came more than twice the champion's delay and over 5 minutes later;
- `no_question`: the champion's turn asks the customer something, hers asks nothing;
- `short_reply`: her turn has under half the champion's characters;
- `compliance`: her turn has a compliance hit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import zip_longest

from salesbrain.db.database import to_ms
from salesbrain.schema import Conversation, Role

SLOW_REPLY_S = 300.0
QUESTION_MARKS = ("?", "？", "吗", "呢", "哪", "什么", "几", "多少")


@dataclass(frozen=True, slots=True)
class Turn:
    role: str  # "customer" or "guide"
    texts: tuple[str, ...]
    msgids: tuple[str, ...]
    started_ms: int
    delay_s: float | None  # seconds since the previous turn ended; None for the first
    intents: tuple[str, ...]  # the customer messages' labelled intents
    compliance_hits: int

    @property
    def length(self) -> int:
        return sum(len(text) for text in self.texts)

    def asks(self) -> bool:
        return any(mark in text for text in self.texts for mark in QUESTION_MARKS)


@dataclass(frozen=True, slots=True)
class AlignedTurn:
    index: int
    guide: Turn | None  # the coached guide's turn
    champion: Turn | None
    reasons: tuple[str, ...]

    @property
    def diverges(self) -> bool:
        return bool(self.reasons)


def turns_of(conversation: Conversation, intents: Mapping[str, str],
             hits: Mapping[str, int]) -> list[Turn]:
    """The conversation as turns; `intents` and `hits` are the message labels by msgid."""
    kept = [m for m in conversation.messages if not m.recalled and m.role is not Role.SYSTEM]
    turns: list[Turn] = []
    start = 0
    previous_end: int | None = None
    for i in range(1, len(kept) + 1):
        if i < len(kept) and kept[i].role is kept[start].role:
            continue
        run = kept[start:i]
        first_ms, last_ms = to_ms(run[0].ts), to_ms(run[-1].ts)
        turns.append(Turn(
            run[0].role.value, tuple(m.text for m in run), tuple(m.msgid for m in run),
            first_ms, None if previous_end is None else (first_ms - previous_end) / 1000,
            tuple(intents[m.msgid] for m in run if intents.get(m.msgid)),
            sum(hits.get(m.msgid, 0) for m in run)))
        previous_end, start = last_ms, i
    return turns


def align(guide_turns: Sequence[Turn], champion_turns: Sequence[Turn]) -> list[AlignedTurn]:
    """Turn i beside turn i, each row with the reasons it diverges (none: it does not)."""
    return [AlignedTurn(i, mine, theirs, _reasons(mine, theirs))
            for i, (mine, theirs) in enumerate(zip_longest(guide_turns, champion_turns))]


def first_divergence(rows: Sequence[AlignedTurn]) -> int | None:
    return next((row.index for row in rows if row.diverges), None)


def _reasons(mine: Turn | None, theirs: Turn | None) -> tuple[str, ...]:
    if mine is None or theirs is None:
        return ("missing_turn",)
    if mine.role != theirs.role:
        return ("role",)
    if mine.role == Role.CUSTOMER.value:
        differ = bool(mine.intents and theirs.intents and set(mine.intents).isdisjoint(
            theirs.intents))
        return ("intent",) if differ else ()
    return tuple(reason for reason, holds in (
        ("slow_reply", _slower(mine.delay_s, theirs.delay_s)),
        ("no_question", theirs.asks() and not mine.asks()),
        ("short_reply", mine.length * 2 < theirs.length),
        ("compliance", mine.compliance_hits > 0),
    ) if holds)


def _slower(mine: float | None, theirs: float | None) -> bool:
    if mine is None or theirs is None:
        return False
    return mine > SLOW_REPLY_S and mine > 2 * theirs
