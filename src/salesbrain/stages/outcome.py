"""Conversation outcome (taxonomy v1, section 2): attribution first, then rules, then a model.

1. an order attributed to the conversation -> `purchased` (source "attribution");
2. the customer never replied -> `no_reply` (source "rule");
3. the last message is recent and a question is still open -> `ongoing` (source "rule");
4. otherwise a character n-gram TF-IDF + logistic-regression model over the conversation text
   with role markers, plus its last customer turns, picks one of `MODEL_OUTCOMES`
   (source "model").

>>> from datetime import UTC, datetime
>>> from salesbrain.schema import Role, Turn
>>> now = datetime(2026, 10, 2, tzinfo=UTC)
>>> silent = OutcomeInput((Turn(Role.GUIDE, "新品到了"),), now, now, False, True, False)
>>> OutcomeStage().fit([], []).predict([silent])[0].outcome
'no_reply'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import numpy as np
from scipy import sparse

from salesbrain.artifacts import merge_settings, read_json, snapshot_id, version_stamp, write_json
from salesbrain.schema import Conversation, Role, Turn, turns_of
from salesbrain.stages import register_stage
from salesbrain.stages.base import (
    AnalysisBatch,
    ConversationAnalysis,
    SuggestionRequest,
    SuggestionResult,
)
from salesbrain.stages.sentiment import char_tfidf, tfidf_from_state, tfidf_state
from salesbrain.taxonomy import OUTCOME_KEYS

MODEL_OUTCOMES: tuple[str, ...] = ("store_visit", "resolved", "complaint_open", "lost")
ROLE_MARKS = {Role.CUSTOMER: "客:", Role.GUIDE: "导:", Role.SYSTEM: "系:"}
_OPEN_QUESTION = re.compile(r"(\?|？|吗|呢|么|多少|几|哪|什么|怎么|是否|可以不)\W*$")
OutcomeSource = Literal["attribution", "rule", "model"]


@dataclass(frozen=True, slots=True)
class OutcomeInput:
    turns: tuple[Turn, ...]
    last_ts: datetime
    now: datetime
    attributed_order: bool
    guide_spoke: bool
    customer_spoke: bool


@dataclass(frozen=True, slots=True)
class OutcomePrediction:
    outcome: str
    probability: float
    source: OutcomeSource


@dataclass(frozen=True, slots=True)
class OutcomeSettings:
    ongoing_hours: float = 24.0  # a question younger than this is still open
    max_turns: int = 30  # the model reads the last turns only: outcomes are decided at the end
    tail_customer_turns: int = 2  # at least 1
    ngram_max: int = 3
    max_features: int = 100_000
    c: float = 4.0
    balanced: bool = True


def outcome_input(conversation: Conversation, attributed_order: bool,
                  now: datetime) -> OutcomeInput:
    """What the stage reads of a stored conversation."""
    roles = {m.role for m in conversation.messages}
    return OutcomeInput(turns=tuple(turns_of(conversation)), last_ts=conversation.ended_at,
                        now=now, attributed_order=attributed_order,
                        guide_spoke=Role.GUIDE in roles, customer_spoke=Role.CUSTOMER in roles)


def render_conversation(turns: Sequence[Turn], max_turns: int) -> str:
    """The conversation as the model reads it: one role-marked line per turn."""
    return "\n".join(ROLE_MARKS[t.role] + t.text.replace("\n", " ") for t in turns[-max_turns:])


def render_tail(turns: Sequence[Turn], customer_turns: int) -> str:
    """The customer's last words, read separately because they decide most outcomes."""
    said = [t.text.replace("\n", " ") for t in turns if t.role is Role.CUSTOMER]
    return " / ".join(said[-customer_turns:]) if customer_turns > 0 else ""


def open_question(turns: Sequence[Turn]) -> bool:
    """A customer waiting for the guide, or a question (either side) awaiting an answer."""
    spoken = [t for t in turns if t.text.strip()]
    if not spoken:
        return False
    last = spoken[-1]
    return last.role is Role.CUSTOMER or bool(_OPEN_QUESTION.search(last.text.strip()))


@register_stage("outcome")
class OutcomeStage:
    """Outcome per conversation: attribution, rules, then a text model for the rest."""

    name = "outcome"
    takes_precision = False

    def __init__(self, settings: OutcomeSettings | None = None) -> None:
        self.settings = settings or OutcomeSettings()

    def fit(self, inputs: Sequence[OutcomeInput], outcomes: Sequence[str],
            weights: Sequence[float] | None = None) -> OutcomeStage:
        """Learn the model part from labelled conversations (optional per-example weights).

        Examples labelled with a rule outcome (purchased, no_reply, ongoing) are left to the
        rules; with fewer than two model outcomes left, the model predicts the one it saw
        (or `resolved` with none), which the saved train_args record.
        """
        weights = [1.0] * len(inputs) if weights is None else list(weights)
        unknown = sorted(set(outcomes) - set(OUTCOME_KEYS))
        if unknown or not len(inputs) == len(outcomes) == len(weights):
            raise ValueError(f"outcomes must be taxonomy keys, one per input; got {unknown}")
        kept = [(x, y, w) for x, y, w in zip(inputs, outcomes, weights, strict=True)
                if y in MODEL_OUTCOMES]
        texts = [self._texts(x) for x, _, _ in kept]
        labels = [y for _, y, _ in kept]
        for learned in ("coef_", "intercept_", "vectorizers_"):  # a refit starts clean
            self.__dict__.pop(learned, None)
        self.labels_ = sorted(set(labels), key=MODEL_OUTCOMES.index) or ["resolved"]
        if len(self.labels_) > 1:
            self._fit_model(texts, labels, [w for _, _, w in kept])
        self.train_args_ = {"examples": len(inputs), "model_examples": len(kept),
                            "labels": {y: labels.count(y) for y in self.labels_},
                            "data_snapshot": snapshot_id(a + "\x01" + b for a, b in texts)}
        return self

    def _texts(self, item: OutcomeInput) -> tuple[str, str]:
        return (render_conversation(item.turns, self.settings.max_turns),
                render_tail(item.turns, self.settings.tail_customer_turns))

    def _fit_model(self, texts: list[tuple[str, str]], labels: list[str],
                   weights: list[float]) -> None:
        from sklearn.linear_model import LogisticRegression

        s = self.settings
        self.vectorizers_ = [char_tfidf(s.ngram_max, s.max_features, min_df=1) for _ in range(2)]
        columns = [v.fit_transform([t[i] for t in texts])
                   for i, v in enumerate(self.vectorizers_)]
        head = LogisticRegression(C=s.c, max_iter=3000,
                                  class_weight="balanced" if s.balanced else None)
        head.fit(sparse.hstack(columns).tocsr(), [self.labels_.index(y) for y in labels],
                 sample_weight=np.asarray(weights))
        coef, intercept = head.coef_, head.intercept_
        if len(self.labels_) == 2:  # sklearn keeps one row for two classes; softmax wants two
            coef, intercept = np.vstack([-coef / 2, coef / 2]), np.array([-1, 1]) * intercept / 2
        # C order: sklearn may hand back a Fortran-ordered matrix, which safetensors misreads
        self.coef_ = np.ascontiguousarray(coef, dtype=np.float64)
        self.intercept_ = np.ascontiguousarray(intercept, dtype=np.float64)

    def predict(self, batch: Sequence[OutcomeInput]) -> list[OutcomePrediction]:
        if not hasattr(self, "labels_"):
            raise RuntimeError("OutcomeStage is not fitted: call fit() or from_pretrained()")
        results: list[OutcomePrediction | None] = [self._by_rule(item) for item in batch]
        pending = [i for i, result in enumerate(results) if result is None]
        for i, prediction in zip(pending, self._by_model([batch[i] for i in pending]),
                                 strict=True):
            results[i] = prediction
        return [r for r in results if r is not None]

    def _by_rule(self, item: OutcomeInput) -> OutcomePrediction | None:
        if item.attributed_order:
            return OutcomePrediction("purchased", 1.0, "attribution")
        if not item.customer_spoke:
            return OutcomePrediction("no_reply", 1.0, "rule")
        recent = item.now - item.last_ts <= timedelta(hours=self.settings.ongoing_hours)
        if recent and open_question(item.turns):
            return OutcomePrediction("ongoing", 1.0, "rule")
        return None

    def _by_model(self, items: Sequence[OutcomeInput]) -> list[OutcomePrediction]:
        if not items:
            return []
        if not hasattr(self, "coef_"):
            return [OutcomePrediction(self.labels_[0], 1.0, "model") for _ in items]
        probabilities = self.predict_proba(items)
        best = probabilities.argmax(axis=1)
        return [OutcomePrediction(self.labels_[k], float(p[k]), "model")
                for k, p in zip(best, probabilities, strict=True)]

    def predict_proba(self, items: Sequence[OutcomeInput]) -> np.ndarray:
        """The model's class probabilities (columns follow `labels_`), rules not applied."""
        texts = [self._texts(item) for item in items]
        columns = [v.transform([t[i] for t in texts]) for i, v in enumerate(self.vectorizers_)]
        scores = np.asarray(sparse.hstack(columns).tocsr() @ self.coef_.T) + self.intercept_
        scores -= scores.max(axis=1, keepdims=True)
        exp = np.exp(scores)
        return exp / exp.sum(axis=1, keepdims=True)

    def annotate(self, batch: AnalysisBatch,
                 analyses: Sequence[ConversationAnalysis]) -> list[ConversationAnalysis]:
        inputs = [outcome_input(c, attributed, batch.now) for c, attributed
                  in zip(batch.conversations, batch.attributed_orders, strict=True)]
        return [replace(a, outcome=p.outcome, outcome_source=p.source)
                for a, p in zip(analyses, self.predict(inputs), strict=True)]

    def annotate_suggestion(self, request: SuggestionRequest,
                            result: SuggestionResult) -> SuggestionResult:
        return result

    def save_pretrained(self, directory: str | Path) -> None:
        from safetensors.numpy import save_file

        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        if hasattr(self, "coef_"):
            tensors = {"coef": self.coef_, "intercept": self.intercept_}
            for i, vectorizer in enumerate(self.vectorizers_):
                terms, tensors[f"idf_{i}"] = tfidf_state(vectorizer)
                write_json(directory / f"vocabulary_{i}.json", terms)
            save_file({k: np.ascontiguousarray(v) for k, v in tensors.items()},
                      str(directory / "model.safetensors"))
        config = {"stage": self.name, "settings": asdict(self.settings),
                  "has_model": hasattr(self, "coef_")}
        write_json(directory / "config.json", config)
        write_json(directory / "labels.json", self.labels_)
        write_json(directory / "train_args.json", self.train_args_)
        snapshot = str(self.train_args_["data_snapshot"])
        write_json(directory / "version.json", version_stamp(snapshot))

    @classmethod
    def from_pretrained(cls, directory: str | Path, *,
                        overrides: dict[str, Any] | None = None) -> OutcomeStage:
        from safetensors.numpy import load_file

        directory = Path(directory)
        config: dict[str, Any] = read_json(directory / "config.json")
        if config.get("stage") != cls.name:
            raise ValueError(f"{directory} does not hold an outcome stage")
        stage = cls(merge_settings(OutcomeSettings(), {**config["settings"], **(overrides or {})}))
        stage.labels_ = read_json(directory / "labels.json")
        if set(stage.labels_) - set(MODEL_OUTCOMES):
            raise ValueError(f"{directory}: labels {stage.labels_} are not model outcomes")
        if config["has_model"]:
            tensors = load_file(str(directory / "model.safetensors"))
            stage.coef_, stage.intercept_ = tensors["coef"], tensors["intercept"]
            stage.vectorizers_ = [
                tfidf_from_state(read_json(directory / f"vocabulary_{i}.json"),
                                 tensors[f"idf_{i}"], stage.settings.ngram_max)
                for i in range(2)]
        stage.train_args_ = read_json(directory / "train_args.json")
        return stage
