"""The brain: an ordered set of trained stages, loaded from one directory.

`Brain` is the single code path used by the service, by evaluation and by training's own
validation, so what is measured offline is what runs online. A brain directory holds
`brain.json` (version, stages in order, version stamp), one sub-directory per stage, and
`eval_results.json` written by evaluation.

    >>> brain = Brain.load(Path("models/brains/20261123-0101"))      # doctest: +SKIP
    >>> brain.suggest([Turn(Role.CUSTOMER, "这款有39码吗")], k=3)      # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from salesbrain.artifacts import read_json, write_json
from salesbrain.schema import Conversation, Role, Turn, turns_of
from salesbrain.stages import STAGE_MODULES, stage_class

MANIFEST = "brain.json"
EVAL_RESULTS = "eval_results.json"
STAGE_ORDER = ("compliance", "intent", "sentiment", "outcome", "quality", "suggest")
INTENT_CONTEXT_TURNS = 4


class BrainLoadError(RuntimeError):
    """A brain directory is missing, incomplete or unreadable."""


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


# Stages that run a transformer and take a `precision` override at load time.
PRECISION_STAGES = ("intent", "quality")


class Brain:
    """Trained stages by name, plus the manifest that describes them."""

    def __init__(self, directory: Path, manifest: dict[str, Any], stages: dict[str, Any]) -> None:
        self.directory = directory
        self.manifest = manifest
        self.stages = stages

    @property
    def version(self) -> str:
        return str(self.manifest["version"])

    @property
    def stage_names(self) -> tuple[str, ...]:
        return tuple(self.stages)

    @classmethod
    def load(cls, directory: Path, precision: str | None = None) -> Brain:
        """Load every stage the manifest lists; any missing or broken piece fails loudly.

        `precision` ("auto", "fp32", "bf16", "int8") overrides the stored inference arithmetic
        of the transformer stages (intent and quality)."""
        directory = Path(directory)
        try:
            manifest = read_json(directory / MANIFEST)
        except (FileNotFoundError, ValueError) as error:
            raise BrainLoadError(f"{directory}: not a brain directory ({error})") from error
        stages: dict[str, Any] = {}
        for name in manifest.get("stages", []):
            if name not in STAGE_MODULES:
                raise BrainLoadError(f"{directory}: unknown stage {name!r} in {MANIFEST}")
            try:
                if name in PRECISION_STAGES and precision is not None:
                    stages[name] = stage_class(name).from_pretrained(
                        directory / name, overrides={"precision": precision})
                else:
                    stages[name] = stage_class(name).from_pretrained(directory / name)
            except Exception as error:  # noqa: BLE001 - any failure means the brain is unusable
                raise BrainLoadError(f"{directory / name}: cannot load stage: {error}") from error
        if not stages:
            raise BrainLoadError(f"{directory}: {MANIFEST} lists no stages")
        return cls(directory, manifest, stages)

    def eval_results(self) -> dict[str, Any]:
        path = self.directory / EVAL_RESULTS
        return dict(read_json(path)) if path.is_file() else {}

    # ---- understanding ----------------------------------------------------------------------

    def analyze(
        self,
        conversation: Conversation,
        *,
        attributed_order: bool = False,
        now: datetime | None = None,
    ) -> ConversationAnalysis:
        return self.analyze_many([conversation], attributed_orders=[attributed_order], now=now)[0]

    def analyze_many(
        self,
        conversations: Sequence[Conversation],
        *,
        attributed_orders: Sequence[bool] | None = None,
        now: datetime | None = None,
    ) -> list[ConversationAnalysis]:
        """Analyse conversations in batches: one stage call per stage for the whole list."""
        now = now or datetime.now(UTC)
        attributed = list(attributed_orders or [False] * len(conversations))
        intents = self._intents(conversations)
        sentiments = self._sentiments(conversations)
        compliance = self._compliance(conversations)
        outcomes = self._outcomes(conversations, attributed, now)
        qualities = self._qualities(conversations)
        results = []
        for i, conversation in enumerate(conversations):
            per_message = sentiments[i]
            results.append(
                ConversationAnalysis(
                    conversation_id=conversation.conversation_id,
                    intents=intents[i],
                    message_sentiment=per_message,
                    sentiment=sum(per_message.values()) / len(per_message) if per_message else None,
                    compliance=compliance[i],
                    outcome=outcomes[i][0],
                    outcome_source=outcomes[i][1],
                    quality=qualities[i],
                )
            )
        return results

    def _intents(self, conversations: Sequence[Conversation]) -> list[list[MessageIntent]]:
        stage = self.stages.get("intent")
        if stage is None:
            return [[] for _ in conversations]
        from salesbrain.stages.intent import IntentInput

        owners, inputs, msgids = [], [], []
        for index, conversation in enumerate(conversations):
            history: list[Turn] = []
            for message in conversation.messages:
                if not message.text or message.recalled:
                    continue
                if message.role is Role.CUSTOMER:
                    context = tuple(history[-INTENT_CONTEXT_TURNS:])
                    inputs.append(IntentInput(message.text, context))
                    owners.append(index)
                    msgids.append(message.msgid)
                history.append(Turn(message.role, message.text))
        grouped: list[list[MessageIntent]] = [[] for _ in conversations]
        for owner, msgid, p in zip(owners, msgids, stage.predict(inputs), strict=True):
            grouped[owner].append(MessageIntent(msgid, p.intent, p.probability, p.uncertain))
        return grouped

    def _sentiments(self, conversations: Sequence[Conversation]) -> list[dict[str, float]]:
        stage = self.stages.get("sentiment")
        found: list[dict[str, float]] = [{} for _ in conversations]
        if stage is None:
            return found
        keyed = [
            (i, m.msgid, m.text)
            for i, c in enumerate(conversations)
            for m in c.customer_messages()
            if m.text and not m.recalled
        ]
        predictions = stage.predict([text for _, _, text in keyed])
        for (owner, msgid, _), prediction in zip(keyed, predictions, strict=True):
            found[owner][msgid] = float(prediction.positive_probability)
        return found

    def _compliance(self, conversations: Sequence[Conversation]) -> list[list[MessageCompliance]]:
        stage = self.stages.get("compliance")
        found: list[list[MessageCompliance]] = [[] for _ in conversations]
        if stage is None:
            return found
        keyed = [
            (i, m.msgid, m.text)
            for i, c in enumerate(conversations)
            for m in c.guide_messages()
            if m.text
        ]
        for (owner, msgid, _), hits in zip(
            keyed, stage.predict([k[2] for k in keyed]), strict=True
        ):
            if hits:
                found[owner].append(MessageCompliance(msgid, tuple(hits)))
        return found

    def _outcomes(
        self, conversations: Sequence[Conversation], attributed: list[bool], now: datetime
    ) -> list[tuple[str | None, str | None]]:
        stage = self.stages.get("outcome")
        if stage is None:
            return [(None, None) for _ in conversations]
        from salesbrain.stages.outcome import OutcomeInput

        inputs = [
            OutcomeInput(
                turns=tuple(turns_of(c)),
                last_ts=c.ended_at,
                now=now,
                attributed_order=attributed[i],
                guide_spoke=any(m.role is Role.GUIDE for m in c.messages),
                customer_spoke=any(m.role is Role.CUSTOMER for m in c.messages),
            )
            for i, c in enumerate(conversations)
        ]
        return [(p.outcome, p.source) for p in stage.predict(inputs)]

    def _qualities(self, conversations: Sequence[Conversation]) -> list[float | None]:
        stage = self.stages.get("quality")
        if stage is None:
            return [None for _ in conversations]
        return [
            float(p.quality) for p in stage.predict([tuple(turns_of(c)) for c in conversations])
        ]

    # ---- suggestion -------------------------------------------------------------------------

    def suggest(self, turns: Sequence[Turn], k: int = 3) -> SuggestionResult:
        """Ranked next replies for the guide (possibly none: the brain abstains when unsure)."""
        intent = self._last_customer_intent(turns)
        stage = self.stages.get("suggest")
        if stage is None:
            return SuggestionResult(intent, [])
        from salesbrain.stages.suggest import SuggestInput

        suggestions = stage.predict([SuggestInput(tuple(turns), k)])[0]
        return SuggestionResult(intent, list(suggestions))

    def _last_customer_intent(self, turns: Sequence[Turn]) -> str | None:
        stage = self.stages.get("intent")
        positions = [i for i, turn in enumerate(turns) if turn.role is Role.CUSTOMER and turn.text]
        if stage is None or not positions:
            return None
        from salesbrain.stages.intent import IntentInput

        last = positions[-1]
        context = tuple(turns[max(0, last - INTENT_CONTEXT_TURNS) : last])
        return str(stage.predict([IntentInput(turns[last].text, context)])[0].intent)


def write_manifest(
    directory: Path, version: str, stages: Sequence[str], extra: dict[str, Any]
) -> None:
    """Write `brain.json` listing the stages present, in the canonical order."""
    ordered = [name for name in STAGE_ORDER if name in stages]
    write_json(directory / MANIFEST, {"version": version, "stages": ordered, **extra})
