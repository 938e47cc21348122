"""The brain: an ordered list of trained stages, loaded from one directory.

`Brain` is the single code path used by the service, by evaluation and by training's own
validation, so what is measured offline is what runs online. It knows no stage by name: it
runs each stage's `annotate` over a batch of conversations, and `annotate_suggestion` over a
suggestion request, in order (`salesbrain.stages.base.Stage`). A brain directory holds
`brain.json` (version, stages in order, version stamp), one sub-directory per stage, and
`eval_results.json` written by evaluation.

    >>> brain = Brain.from_pretrained(Path("models/brains/20261123-0101"))      # doctest: +SKIP
    >>> brain.suggest([Turn(Role.CUSTOMER, "这款有39码吗")], k=3)      # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from salesbrain.artifacts import read_json, write_json
from salesbrain.schema import Conversation, Turn
from salesbrain.stages import STAGE_MODULES, STAGE_ORDER, stage_class
from salesbrain.stages.base import (
    AnalysisBatch,
    ConversationAnalysis,
    MessageCompliance,
    MessageIntent,
    Stage,
    SuggestionRequest,
    SuggestionResult,
)

__all__ = [
    "EVAL_RESULTS", "MANIFEST", "STAGE_ORDER", "Brain", "BrainLoadError", "ConversationAnalysis",
    "MessageCompliance", "MessageIntent", "SuggestionResult", "write_manifest",
]

MANIFEST = "brain.json"
EVAL_RESULTS = "eval_results.json"


class BrainLoadError(RuntimeError):
    """A brain directory is missing, incomplete or unreadable."""


class Brain:
    """Trained stages in the order the manifest lists them, plus the manifest itself."""

    def __init__(self, directory: Path, manifest: dict[str, Any], stages: dict[str, Stage]) -> None:
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
    def from_pretrained(cls, directory: Path, precision: str | None = None) -> Brain:
        """Load every stage the manifest lists; any missing or broken piece fails loudly.

        `precision` (`salesbrain.encoder.PRECISIONS`) overrides the stored inference arithmetic
        of the stages that run a transformer (`Stage.takes_precision`)."""
        directory = Path(directory)
        try:
            manifest = read_json(directory / MANIFEST)
        except (FileNotFoundError, ValueError) as error:
            raise BrainLoadError(f"{directory}: not a brain directory ({error})") from error
        stages = {name: _load_stage(directory, name, precision)
                  for name in manifest.get("stages", [])}
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
        batch = AnalysisBatch(conversations,
                              list(attributed_orders or [False] * len(conversations)),
                              now or datetime.now(UTC))
        analyses = [ConversationAnalysis(c.conversation_id) for c in conversations]
        for stage in self.stages.values():
            analyses = stage.annotate(batch, analyses)
        return analyses

    # ---- suggestion -------------------------------------------------------------------------

    def suggest(self, turns: Sequence[Turn], k: int = 3) -> SuggestionResult:
        """Ranked next replies for the guide (possibly none: the brain abstains when unsure)."""
        request = SuggestionRequest(tuple(turns), k)
        result = SuggestionResult(None, [])
        for stage in self.stages.values():
            result = stage.annotate_suggestion(request, result)
        return result


def _load_stage(directory: Path, name: str, precision: str | None) -> Stage:
    if name not in STAGE_MODULES:
        raise BrainLoadError(f"{directory}: unknown stage {name!r} in {MANIFEST}")
    try:
        stage = stage_class(name)
        if stage.takes_precision and precision is not None:
            return stage.from_pretrained(directory / name, overrides={"precision": precision})
        return stage.from_pretrained(directory / name)
    except Exception as error:  # noqa: BLE001 - any failure means the brain is unusable
        raise BrainLoadError(f"{directory / name}: cannot load stage: {error}") from error


def write_manifest(
    directory: Path, version: str, stages: Sequence[str], extra: dict[str, Any]
) -> None:
    """Write `brain.json` listing the stages present, in the canonical order."""
    ordered = [name for name in STAGE_ORDER if name in stages]
    write_json(directory / MANIFEST, {"version": version, "stages": ordered, **extra})
