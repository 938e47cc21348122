"""Dialogue quality: predicted annotator judgements A, S, E and a 0-100 quality score.

Learned from STC-3's customer-helpdesk dialogues, where 19 annotators rated each dialogue on
A (task accomplished), S (customer satisfaction) and E (efficiency), each -2..2. The stage
predicts the annotators' mean of each from the dialogue text:

- features: frozen e5 sentence vectors (`salesbrain.encoder`) of the customer's and the
  guide's turns (the mean over each side, and each side's last turn) plus a few counts (turns
  per side, characters per side, who spoke last);
- model: one ridge regression per target on standardised features, the penalty chosen by
  efficient leave-one-out cross-validation on the training dialogues (scikit-learn's RidgeCV);
  coefficients are saved as safetensors, never pickled.

`quality` is the mean of the three predictions mapped from -2..2 onto 0..100.

The stage directory holds its own copy of the encoder with the vocabulary pruned to the
training texts plus the 5,000 most frequent CJK characters (`prune_vocabulary`): on the
training texts its vectors equal the full model's, and the directory stays self-contained.
The dialogues it trains and is scored on are read by `salesbrain.datasets.stc3` and split by
the "quality" rule of `salesbrain.datasets.splits` (by dialogue id), so training and evaluation
can never overlap.

>>> stage = QualityStage().fit(dialogues, targets)  # doctest: +SKIP
>>> stage.predict([(Turn(Role.CUSTOMER, "话费怎么还没到账"), Turn(Role.GUIDE, "已为您处理"))])
... # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from salesbrain.artifacts import merge_settings, read_json, version_stamp, write_json
from salesbrain.datasets.stc3 import JUDGEMENTS
from salesbrain.schema import Role, Turn, turns_of
from salesbrain.stages import register_stage
from salesbrain.stages.base import (
    AnalysisBatch,
    ConversationAnalysis,
    SuggestionRequest,
    SuggestionResult,
)
from salesbrain.taxonomy import TAXONOMY_VERSION

TARGETS: tuple[str, ...] = JUDGEMENTS  # the annotators' judgements the stage predicts
SCALE = 2.0  # annotations run from -SCALE to SCALE
N_COUNT_FEATURES = 6
Dialogue = tuple[Turn, ...]


@dataclass(frozen=True, slots=True)
class QualityPrediction:
    a: float
    s: float
    e: float
    quality: float  # 0..100


@dataclass(frozen=True, slots=True)
class QualitySettings:
    max_length: int = 128  # tokens per turn given to the encoder
    alphas: tuple = (1.0, 10.0, 100.0, 300.0, 1000.0, 3000.0, 10000.0, 30000.0)
    encode_batch_size: int = 64  # bf16 encoded 26 % more texts per second at 64 than at 32
    reserve_chars: int = 5000  # common CJK characters the pruned encoder keeps
    # arithmetic of the loaded encoder (`salesbrain.encoder.PRECISIONS`); training is fp32
    precision: str = "auto"


def count_features(dialogue: Dialogue) -> np.ndarray:
    """Turns and characters per side, and whether the customer spoke last."""
    customer = [t.text for t in dialogue if t.role is Role.CUSTOMER]
    guide = [t.text for t in dialogue if t.role is not Role.CUSTOMER]
    last_is_customer = bool(dialogue) and dialogue[-1].role is Role.CUSTOMER
    return np.array([
        np.log1p(len(dialogue)), np.log1p(len(customer)), np.log1p(len(guide)),
        np.log1p(sum(map(len, customer))), np.log1p(sum(map(len, guide))),
        float(last_is_customer),
    ], dtype=np.float32)


@register_stage("quality")
class QualityStage:
    """Ridge regression from e5 dialogue features to annotators' mean A, S, E."""

    name = "quality"
    takes_precision = True

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        self.settings = merge_settings(QualitySettings(), settings)
        self.precision_ = "fp32"  # what the loaded encoder computes in (set by from_pretrained)

    # --- features ------------------------------------------------------------------------
    def featurize(self, dialogues: Sequence[Dialogue], device: str | None = None) -> np.ndarray:
        """One row per dialogue: 4 e5 vectors (side means, side last turns) and counts."""
        encoder = self._encoder()
        texts: list[str] = []
        owners: list[tuple[int, bool]] = []  # (dialogue, is customer) of every text
        for i, dialogue in enumerate(dialogues):
            for turn in dialogue:
                if turn.text.strip():
                    texts.append(turn.text)
                    owners.append((i, turn.role is Role.CUSTOMER))
        dim = _encoder_dim(encoder)
        vectors = np.zeros((0, dim), dtype=np.float32)
        if texts:
            vectors = encoder.encode(texts, kind="query", max_length=self.settings.max_length,
                                     batch_size=self.settings.encode_batch_size, device=device)
        rows = np.zeros((len(dialogues), 4 * dim + N_COUNT_FEATURES), dtype=np.float32)
        sides: dict[tuple[int, bool], list[int]] = {}
        for position, owner in enumerate(owners):
            sides.setdefault(owner, []).append(position)
        for (i, is_customer), positions in sides.items():
            block = 0 if is_customer else 2 * dim
            rows[i, block : block + dim] = vectors[positions].mean(axis=0)
            rows[i, block + dim : block + 2 * dim] = vectors[positions[-1]]
        for i, dialogue in enumerate(dialogues):
            rows[i, 4 * dim :] = count_features(dialogue)
        return rows

    def _encoder(self) -> Any:
        if getattr(self, "encoder_", None) is None:
            raise RuntimeError("QualityStage has no encoder: call fit() or from_pretrained()")
        return self.encoder_

    # --- training ------------------------------------------------------------------------
    def prepare_encoder(self, dialogues: Sequence[Dialogue], encoder: Any = None) -> QualityStage:
        """Set the encoder: `encoder` as given, else e5-small pruned to the dialogues' texts."""
        from salesbrain.encoder import pruned_encoder

        self.encoder_ = encoder if encoder is not None else pruned_encoder(
            [t.text for d in dialogues for t in d if t.text.strip()],
            reserve_chars=self.settings.reserve_chars)
        return self

    def fit(self, dialogues: Sequence[Dialogue], targets: Sequence[Sequence[float]],
            encoder: Any = None, features: np.ndarray | None = None,
            device: str = "cpu") -> QualityStage:
        """Fit on dialogues and their (A, S, E) targets.

        The encoder is `encoder` when given, else the one `prepare_encoder` set, else e5-small
        pruned to the dialogues' vocabulary. `features` (from `featurize`) skips the encoding,
        so a training job can cache them.
        """
        if encoder is not None or getattr(self, "encoder_", None) is None:
            self.prepare_encoder(dialogues, encoder)
        if features is None:
            features = self.featurize(dialogues, device=device)
        matrix = np.asarray(targets, dtype=float).reshape(len(features), len(TARGETS))
        return self._fit_ridge(features, matrix)

    def _fit_ridge(self, features: np.ndarray, targets: np.ndarray) -> QualityStage:
        from sklearn.linear_model import RidgeCV

        if len(features) < 3:
            raise ValueError("need at least 3 dialogues to fit the quality model")
        self.mean_ = features.mean(axis=0).astype(np.float64)
        spread = features.std(axis=0)
        self.scale_ = np.where(spread > 1e-6, spread, 1.0).astype(np.float64)
        model = RidgeCV(alphas=list(self.settings.alphas), alpha_per_target=True)
        model.fit((features - self.mean_) / self.scale_, targets)
        self.coef_ = np.ascontiguousarray(model.coef_, dtype=np.float64)
        self.intercept_ = np.asarray(model.intercept_, dtype=np.float64)
        self.alpha_ = [float(a) for a in np.atleast_1d(model.alpha_)]
        self.train_args_ = {"n_train": len(features), "alphas": self.alpha_}
        return self

    # --- inference -----------------------------------------------------------------------
    def predict(self, batch: Sequence[Dialogue]) -> list[QualityPrediction]:
        if not batch:
            return []
        return self.predict_features(self.featurize(batch))

    def predict_features(self, features: np.ndarray) -> list[QualityPrediction]:
        raw = ((features - self.mean_) / self.scale_) @ self.coef_.T + self.intercept_
        clipped = np.clip(raw, -SCALE, SCALE)
        quality = 100 * (clipped.mean(axis=1) + SCALE) / (2 * SCALE)
        return [QualityPrediction(float(a), float(s), float(e), float(q))
                for (a, s, e), q in zip(clipped, quality, strict=True)]

    # --- in a brain ----------------------------------------------------------------------
    def annotate(self, batch: AnalysisBatch,
                 analyses: Sequence[ConversationAnalysis]) -> list[ConversationAnalysis]:
        dialogues = [tuple(turns_of(c)) for c in batch.conversations]
        return [replace(a, quality=float(p.quality))
                for a, p in zip(analyses, self.predict(dialogues), strict=True)]

    def annotate_suggestion(self, request: SuggestionRequest,
                            result: SuggestionResult) -> SuggestionResult:
        return result

    # --- artifacts -----------------------------------------------------------------------
    def save_pretrained(self, directory: Path, data_snapshot: str = "") -> Path:
        from safetensors.numpy import save_file

        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        self._encoder().save_pretrained(out / "encoder")
        # safetensors writes the raw buffer: arrays must be C-contiguous (RidgeCV's are not).
        weights = {"coef": self.coef_, "intercept": self.intercept_, "mean": self.mean_,
                   "scale": self.scale_}
        save_file({k: np.ascontiguousarray(v) for k, v in weights.items()},
                  str(out / "model.safetensors"))
        write_json(out / "labels.json", list(TARGETS))
        write_json(out / "config.json", {
            "stage": self.name, "settings": asdict(self.settings), "taxonomy": TAXONOMY_VERSION,
            "alphas": self.alpha_})
        write_json(out / "train_args.json", self.train_args_)
        write_json(out / "version.json", version_stamp(data_snapshot))
        return out

    @classmethod
    def from_pretrained(
        cls, directory: Path, encoder: Any = None, overrides: dict[str, Any] | None = None
    ) -> QualityStage:
        """Load a saved stage and its encoder (or use `encoder`, e.g. a test double);
        `overrides` may change inference settings, e.g. {"precision": "fp32"}."""
        from safetensors.numpy import load_file

        directory = Path(directory)
        config = read_json(directory / "config.json")
        if config.get("stage") != cls.name:
            raise ValueError(f"{directory} holds stage {config.get('stage')!r}, not 'quality'")
        settings = config["settings"]
        stage = cls({**settings, "alphas": tuple(settings["alphas"]), **(overrides or {})})
        weights = load_file(str(directory / "model.safetensors"))
        stage.coef_, stage.intercept_ = weights["coef"], weights["intercept"]
        stage.mean_, stage.scale_ = weights["mean"], weights["scale"]
        stage.alpha_ = list(config["alphas"])
        stage.train_args_ = read_json(directory / "train_args.json")
        stage.precision_ = "given encoder"
        if encoder is None:
            from salesbrain.encoder import load_encoder, resolve_precision

            encoder = load_encoder(model_dir=directory / "encoder",
                                   precision=stage.settings.precision)
            stage.precision_ = resolve_precision(stage.settings.precision)
        stage.encoder_ = encoder
        return stage


def _encoder_dim(encoder: Any) -> int:
    return int(encoder.model.config.hidden_size)
