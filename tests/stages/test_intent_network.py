"""Batching, padding and int8 smoothing behind the intent stage, without a trained model."""

from __future__ import annotations

import pytest
import torch

from eval.bench_intent import blend, choose_blend_weight
from salesbrain.encoder import SmoothedLinear
from salesbrain.stages.intent_network import pad_rows


def test_pad_rows_marks_context_and_message() -> None:
    rows = [(torch.tensor([0, 5, 6, 7, 2]), 3), (torch.tensor([0, 9, 2]), 2)]
    ids, mask = pad_rows(rows, value=1, device="cpu")
    assert ids.tolist() == [[0, 5, 6, 7, 2], [0, 9, 2, 1, 1]]
    assert mask.tolist() == [[1, 1, 2, 2, 2], [1, 2, 2, 0, 0]]


def test_smoothed_linear_computes_the_same_function() -> None:
    torch.manual_seed(0)
    linear = torch.nn.Linear(16, 8)
    x = torch.randn(4, 16)
    x[:, 3] *= 40  # an outlier channel, as in e5's LayerNorm outputs
    smoothed = SmoothedLinear(linear, x.abs().amax(0), alpha=0.5)
    assert smoothed.inverse_scale[3] < smoothed.inverse_scale.median()
    torch.testing.assert_close(smoothed(x), linear(x), rtol=1e-4, atol=1e-4)


def test_blend_weight_is_chosen_by_the_given_labels() -> None:
    model = [{"greeting": 0.6, "logistics": 0.4}] * 2
    baseline = [{"greeting": 0.0, "logistics": 1.0}, {"greeting": 1.0, "logistics": 0.0}]
    assert blend(model, baseline, 0.0) == ["greeting", "greeting"]
    assert blend(model, baseline, 0.9) == ["logistics", "greeting"]
    # 0.2 is the smallest weight that flips the first message to the baseline's answer.
    assert choose_blend_weight(model, baseline, ["logistics", "greeting"]) == pytest.approx(0.2)
    assert choose_blend_weight(model, baseline, ["greeting", "greeting"]) == 0.0
