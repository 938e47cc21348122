"""The shared learning-rate schedule of the fine-tuning loops."""

from __future__ import annotations

import pytest
import torch

from salesbrain.finetuning import warmup_linear_decay


def test_rate_warms_up_then_falls_to_zero() -> None:
    weight = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([weight], lr=1.0)
    schedule = warmup_linear_decay(optimizer, total_steps=10, warmup_steps=2)
    rates = []
    for _ in range(10):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        schedule.step()
    assert rates[0] == pytest.approx(0.5) and rates[1] == pytest.approx(0.9)
    assert rates[1] == max(rates) and rates[-1] == pytest.approx(0.1)
    assert all(a >= b for a, b in zip(rates[1:], rates[2:], strict=False))
