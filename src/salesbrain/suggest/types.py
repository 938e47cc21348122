"""Inputs and results of reply suggestion, and how a conversation becomes model text."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from salesbrain.schema import Role, Turn

ROLE_MARKS = {Role.CUSTOMER: "顾客：", Role.GUIDE: "导购：", Role.SYSTEM: ""}


@dataclass(frozen=True, slots=True)
class ReplyPair:
    """A reply and the turns before it; `reply_role` is who wrote the reply."""

    context: tuple[Turn, ...]
    reply: str
    conversation_id: str = ""
    reply_role: Role = Role.GUIDE


@dataclass(frozen=True, slots=True)
class SuggestInput:
    turns: tuple[Turn, ...]
    k: int = 3


@dataclass(frozen=True, slots=True)
class Suggestion:
    suggestion_id: str
    text: str
    score: float  # calibrated probability that a champion would send this reply here
    source: Literal["bank", "generated"]
    bank_reply_id: str | None


def suggestion_id_of(turns: Sequence[Turn], text: str) -> str:
    """Stable over processes and releases: a hash of the context and the reply text."""
    digest = hashlib.sha1()
    for turn in turns:
        digest.update(f"{turn.role.value}\x1f{turn.text}\x1e".encode())
    digest.update(text.encode("utf-8"))
    return digest.hexdigest()[:16]


def recent_turns(turns: Sequence[Turn], max_turns: int) -> list[Turn]:
    return [t for t in turns if t.text.strip()][-max_turns:]


def lexical_query(turns: Sequence[Turn], max_turns: int) -> str:
    """The recent turns as plain text (no role marks: they would match every candidate)."""
    return " ".join(t.text for t in recent_turns(turns, max_turns))


def last_customer_text(turns: Sequence[Turn]) -> str:
    for turn in reversed(turns):
        if turn.role is Role.CUSTOMER and turn.text.strip():
            return turn.text
    return turns[-1].text if turns else ""


def dense_query(turns: Sequence[Turn], max_turns: int, max_chars: int,
                role_marks: bool = True) -> str:
    """Recent turns (with role marks if asked), the most recent kept whole when cut."""
    text = " ".join((ROLE_MARKS[t.role] if role_marks else "") + " ".join(t.text.split())
                    for t in recent_turns(turns, max_turns))
    return text[-max_chars:]


def dense_reply(text: str, max_chars: int) -> str:
    return " ".join(text.split())[:max_chars]


@dataclass(frozen=True)
class SuggestSettings:
    """Every knob of reply suggestion; presets override these strictly (`merge_settings`)."""

    lexical_turns: int = 3
    dense_turns: int = 4
    role_marks: bool = True  # "顾客：" / "导购：" before each turn of the encoder's input
    max_context_chars: int = 160
    max_reply_chars: int = 96
    max_context_tokens: int = 96
    max_reply_tokens: int = 48
    use_dense: bool = True
    frozen_layers: int = 10  # e5-small has 12; the ones above this are fine-tuned
    epochs: float = 1.0
    batch_size: int = 64
    learning_rate: float = 5e-5
    hard_negatives: bool = True
    customer_replies: bool = True  # also learn from the customer's side of each conversation
    encoder_pairs: int = 0  # pairs the encoder trains on (0 = all): the CPU budget's knob
    near_duplicate: float = 0.5  # char-bigram Jaccard above which two replies are the same
    shortlist: int = 100
    # also fit both fusions (selection, and the bank's retrieval) on groups of the validation
    # replies (other conversations) nearest to each validation reply or its context; off: on
    # the small preset it helped ranking given candidates but lowered the precision of the
    # bank's first suggestion (docs/reply_ranking.md)
    fusion_hard_negatives: bool = False
    calibration_conversations: int = 400
    # share of shown lists that hold the champion's reply; below the cut nothing is shown
    target_precision: float = 0.3
    max_suggestions: int = 3
    require_approved: bool = False
    buckets: int = 1 << 18
    seed: int = 0
