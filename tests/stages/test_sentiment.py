"""Sentiment stage: self-training, scores and settings on tiny data.

The contract (overfit, save and reload, batch equals one by one) is in test_stage_contract.py,
on the tiny data here, for both feature kinds.
"""

from __future__ import annotations

import pytest

from salesbrain.evaluation.sentiment import per_class
from salesbrain.stages import STAGES
from salesbrain.stages.sentiment import (
    SentimentPrediction,
    SentimentSettings,
    SentimentStage,
    conversation_sentiment,
)

POSITIVE = ["质量很好，非常喜欢", "物流很快，好评", "穿着舒服，推荐购买", "客服态度很好，满意"]
NEGATIVE = ["质量太差了，很失望", "物流太慢，差评", "穿一次就坏了，不推荐", "客服态度恶劣，不满意"]
TEXTS = POSITIVE + NEGATIVE
LABELS = ["positive"] * len(POSITIVE) + ["Negative"] * len(NEGATIVE)
EXPECTED = ["positive"] * len(POSITIVE) + ["negative"] * len(NEGATIVE)


def fitted(settings: SentimentSettings) -> SentimentStage:
    return SentimentStage(settings).fit(TEXTS, LABELS)


def test_registered() -> None:
    assert STAGES["sentiment"] is SentimentStage


def test_self_training_learns_words_seen_only_in_unlabelled_text() -> None:
    unlabelled = ["质量很好，非常喜欢，棒棒哒", "物流很快，好评，棒棒哒",
                  "穿着舒服，推荐购买，棒棒哒"]
    plain = SentimentStage(SentimentSettings(c=100.0, self_training=0.0))
    plain.fit(TEXTS, LABELS, unlabelled=unlabelled)
    tuned = SentimentStage(SentimentSettings(c=100.0, self_training=0.8))
    tuned.fit(TEXTS, LABELS, unlabelled=unlabelled)
    assert plain.train_args_["pseudo_labelled"] == 0
    assert tuned.train_args_["pseudo_labelled"] == len(unlabelled)
    assert "棒棒哒" not in plain.vectorizer_.vocabulary_
    assert "棒棒哒" in tuned.vectorizer_.vocabulary_
    assert tuned.predict_proba(["棒棒哒"])[0] > plain.predict_proba(["棒棒哒"])[0] + 0.1
    assert [p.label for p in tuned.predict(TEXTS)] == EXPECTED


def test_self_training_keeps_only_confident_pseudo_labels() -> None:
    unsure = ["还行吧", "一般般", "说不上来"]
    stage = SentimentStage(SentimentSettings(c=100.0, self_training=0.99))
    stage.fit(TEXTS, LABELS, unlabelled=unsure + ["质量很好，非常喜欢，推荐购买，好评"])
    assert stage.train_args_["pseudo_labelled"] == 1


def test_per_class_scores() -> None:
    scores = per_class(["Positive", "Positive", "Negative", "Negative"],
                       ["Positive", "Negative", "Negative", "Negative"])
    assert scores["Positive"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "n": 1}
    assert scores["Negative"] == {"precision": 1.0, "recall": 0.6667, "f1": 0.8, "n": 3}


def test_probabilities_are_probabilities() -> None:
    stage = fitted(SentimentSettings(features="tfidf"))
    probabilities = stage.predict_proba(TEXTS + ["一般般"])
    assert ((probabilities >= 0) & (probabilities <= 1)).all()
    assert stage.predict([]) == []


def test_conversation_sentiment_mean_and_trend() -> None:
    def said(*probabilities: float) -> list[SentimentPrediction]:
        return [SentimentPrediction("positive" if p >= 0.5 else "negative", p)
                for p in probabilities]

    assert conversation_sentiment(said(0.2, 0.4, 0.9)) == pytest.approx(0.5)
    assert conversation_sentiment(said(0.1, 0.2, 0.8, 0.9), how="trend") == pytest.approx(0.7)
    assert conversation_sentiment([]) == 0.5
    assert conversation_sentiment(said(0.9), how="trend") == 0.0
    with pytest.raises(ValueError):
        conversation_sentiment(said(0.9), how="median")  # type: ignore[arg-type]


def test_bad_settings_and_one_class_data_fail() -> None:
    with pytest.raises(ValueError, match="features"):
        SentimentStage(SentimentSettings(features="bow"))
    with pytest.raises(ValueError, match="self_training"):
        SentimentStage(SentimentSettings(self_training=0.3))
    with pytest.raises(ValueError, match="both"):
        SentimentStage(SentimentSettings(features="tfidf")).fit(POSITIVE, ["positive"] * 4)
    with pytest.raises(RuntimeError, match="fit"):
        SentimentStage().predict(["好"])
