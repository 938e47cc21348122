"""The stage contract, and the results a brain's stages build together.

A `Stage` has the model verbs (`fit`, a pure `predict`, `save_pretrained`, `from_pretrained`)
and two hooks through which a `Brain` runs it without knowing what it is:

- `annotate(batch, analyses)` runs `predict` once over a batch of conversations and returns
  the analyses with the stage's part filled in (spaCy's `predict` then `set_annotations`);
- `annotate_suggestion(request, result)` does the same for one suggestion request.

Both return new values; neither mutates its input. A stage with nothing to add to one of them
returns what it was given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, Self, TypeVar

from salesbrain.schema import Conversation, Message, Turn

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class MessageIntent:
    msgid: str
    intent: str
    probability: float
    uncertain: bool


@dataclass(frozen=True, slots=True)
class MessageCompliance:
    msgid: str
    hits: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class ConversationAnalysis:
    conversation_id: str
    intents: list[MessageIntent] = field(default_factory=list)
    message_sentiment: dict[str, float] = field(default_factory=dict)
    sentiment: float | None = None
    compliance: list[MessageCompliance] = field(default_factory=list)
    outcome: str | None = None
    outcome_source: str | None = None
    quality: float | None = None


@dataclass(frozen=True, slots=True)
class SuggestionResult:
    intent: str | None
    suggestions: list[Any]


@dataclass(frozen=True, slots=True)
class AnalysisBatch:
    """Conversations analysed together, with what the stages need besides their messages."""

    conversations: Sequence[Conversation]
    attributed_orders: Sequence[bool]  # one per conversation: an order is credited to it
    now: datetime  # "ongoing" is judged against this time


@dataclass(frozen=True, slots=True)
class SuggestionRequest:
    turns: Sequence[Turn]
    k: int


class Stage(Protocol):
    """What every registered stage is; `salesbrain.stages.register_stage` checks it statically.

    `fit` takes the stage's own training data, so its arguments differ from stage to stage.
    `from_pretrained` merges `overrides` strictly over the saved settings (an unknown key
    fails); `takes_precision` says whether a `precision` override applies to the stage (it runs
    a transformer whose inference arithmetic can be chosen at load).
    """

    name: str
    takes_precision: bool
    settings: Any

    def fit(self, *args: Any, **kwargs: Any) -> Self: ...

    def predict(self, batch: Sequence[Any]) -> list[Any]: ...

    def save_pretrained(self, directory: Path) -> object: ...

    @classmethod
    def from_pretrained(cls, directory: Path, *,
                        overrides: dict[str, Any] | None = None) -> Self: ...

    def annotate(self, batch: AnalysisBatch,
                 analyses: Sequence[ConversationAnalysis]) -> list[ConversationAnalysis]: ...

    def annotate_suggestion(self, request: SuggestionRequest,
                            result: SuggestionResult) -> SuggestionResult: ...


def messages_of(conversations: Sequence[Conversation],
                keep: Callable[[Message], bool]) -> list[tuple[int, Message]]:
    """(conversation index, message) for every message `keep(message)` accepts, in order."""
    return [(i, m) for i, c in enumerate(conversations) for m in c.messages if keep(m)]


def by_conversation(size: int, owned: Iterable[tuple[int, T]]) -> list[list[T]]:
    """Values grouped by the index of the conversation that owns them, order kept."""
    grouped: list[list[T]] = [[] for _ in range(size)]
    for owner, value in owned:
        grouped[owner].append(value)
    return grouped
