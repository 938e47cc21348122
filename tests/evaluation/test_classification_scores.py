"""Per-class scores shared by the intent, outcome and sentiment evaluations."""

from __future__ import annotations

import pytest

from eval.bench_intent import by_dataset
from salesbrain.evaluation.intent import intent_metrics
from salesbrain.evaluation.metrics import per_class_scores
from salesbrain.evaluation.outcome import classification_metrics


def test_per_class_scores_by_hand() -> None:
    gold = ["logistics", "logistics", "complaint", "greeting"]
    predicted = ["logistics", "complaint", "complaint", "logistics"]
    scores = per_class_scores(gold, predicted, ["logistics", "complaint", "greeting"])
    assert scores["logistics"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert scores["complaint"]["precision"] == 0.5 and scores["complaint"]["recall"] == 1.0
    assert scores["greeting"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}


def test_intent_macro_counts_predicted_only_labels_and_outcome_does_not() -> None:
    gold = ["logistics", "logistics", "complaint"]
    predicted = ["logistics", "greeting", "complaint"]
    # intent: mean over logistics (2/3), complaint (1) and the never-gold greeting (0)
    assert intent_metrics(gold, predicted)["macro_f1"] == pytest.approx((2 / 3 + 1 + 0) / 3)
    gold_o, predicted_o = ["purchased", "purchased", "lost"], ["purchased", "ongoing", "lost"]
    # outcome: mean over the gold classes only
    assert classification_metrics(gold_o, predicted_o)["macro_f1"] == pytest.approx((2 / 3 + 1) / 2)


def test_intent_scores_by_source_dataset_count_only_that_datasets_messages() -> None:
    scores = by_dataset(
        ["ecd", "jddc", "ecd"], ["logistics", "greeting", "logistics"],
        {"model": ["logistics", "greeting", "greeting"], "baseline": ["other"] * 3})
    assert scores["jddc"] == {"n": 1, "model": {"accuracy": 1.0, "macro_f1": 1.0},
                              "baseline": {"accuracy": 0.0, "macro_f1": 0.0}}
    # ecd: logistics F1 2/3, greeting predicted once and never true: F1 0.
    assert scores["ecd"]["n"] == 2 and scores["ecd"]["model"] == {"accuracy": 0.5,
                                                                  "macro_f1": 0.3333}
