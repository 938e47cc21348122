"""Fusion weights, the abstention threshold and bank matching."""

from __future__ import annotations

import numpy as np
import pytest

from salesbrain.suggest.fusion import Calibrator, Fusion, PriorIndex, precision_threshold


def test_fusion_learns_which_feature_marks_the_true_reply() -> None:
    rng = np.random.default_rng(0)
    groups, truth = [], []
    for _ in range(60):
        features = rng.normal(size=(10, 2))
        true = int(rng.integers(10))
        features[true, 0] += 3.0  # feature 0 is evidence, feature 1 is noise
        groups.append(features)
        truth.append(true)
    fusion = Fusion(["evidence", "noise"]).fit(groups, truth)
    assert fusion.weights_[0] > 5 * abs(fusion.weights_[1])
    hits = [int(np.argmax(fusion.score(g))) == t for g, t in zip(groups, truth, strict=True)]
    assert np.mean(hits) > 0.9
    again = Fusion.from_state(fusion.state())
    np.testing.assert_allclose(again.score(groups[0]), fusion.score(groups[0]))


def test_precision_threshold_keeps_the_largest_precise_prefix() -> None:
    probability = np.array([0.9, 0.8, 0.7, 0.6])
    correct = np.array([1, 1, 0, 0])
    assert precision_threshold(probability, correct, 0.6) == pytest.approx(0.7)
    assert precision_threshold(probability, correct, 1.0) == pytest.approx(0.8)
    assert precision_threshold(probability, np.zeros(4), 0.5) > 1.0  # never precise: abstain
    assert precision_threshold(probability, correct, 0.0) == 0.0


def test_calibrator_is_monotone_in_score_and_abstains_below_threshold() -> None:
    rng = np.random.default_rng(1)
    score = rng.normal(size=400)
    correct = (score + rng.normal(scale=0.5, size=400) > 1.0).astype(int)
    features = np.column_stack([score, np.zeros(400), np.zeros(400)])
    calibrator = Calibrator().fit(features, correct, np.ones(400, dtype=bool), 0.8)
    probability = calibrator.probability(features)
    assert np.all(np.diff(probability[np.argsort(score)]) >= 0)
    kept = probability >= calibrator.threshold_
    assert 0 < kept.sum() < 400 and correct[kept].mean() >= 0.8


def test_the_cut_is_set_on_whole_lists_when_given() -> None:
    # three suggestions per list; a list is right when any of them is (the guide picks it)
    rng = np.random.default_rng(2)
    lists = 300
    score = np.repeat(rng.normal(size=lists), 3) - np.tile([0.0, 0.5, 1.0], lists)
    correct = (rng.random(3 * lists) < 1 / (1 + np.exp(-2 * score))).astype(int)
    top = np.tile([True, False, False], lists)
    list_right = correct.reshape(lists, 3).max(axis=1)
    features = np.column_stack([score, np.zeros_like(score), np.zeros_like(score)])
    first_only = Calibrator().fit(features, correct, top, 0.6)
    whole_list = Calibrator().fit(features, correct, top, 0.6, list_right)
    first_p = whole_list.probability(features[top])
    kept = first_p >= whole_list.threshold_
    assert list_right[kept].mean() >= 0.6
    # lists are right more often than their first suggestion: the same target keeps more
    assert whole_list.threshold_ < first_only.threshold_


def test_prior_index_matches_near_duplicates_only() -> None:
    prior = PriorIndex(["请问还有其他可以帮您的吗", "三天到货"], [9, 1], threshold=0.5)
    rows = prior.bank_rows(["请问还有其他可以帮您的吗?", "明天发货", "三天到货"])
    assert rows.tolist() == [0, -1, 1]
    assert prior.lookup(["请问还有其他可以帮您的吗?"])[0] == pytest.approx(np.log1p(9))
