"""What the fine-tuning loops share: the learning-rate schedule, batching, mixed precision."""

from __future__ import annotations

import pytest
import torch

from salesbrain.finetuning import length_batches, mixed_precision, warmup_linear_decay


def rates_over_ten_steps(decay_after_warmup: bool) -> list[float]:
    """The learning rate of each of 10 steps with 2 warm-up steps, for a set rate of 1."""
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    schedule = warmup_linear_decay(optimizer, total_steps=10, warmup_steps=2,
                                   decay_after_warmup=decay_after_warmup)
    rates = []
    for _ in range(10):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        schedule.step()
    return rates


def test_rate_warms_up_then_falls_to_zero() -> None:
    rates = rates_over_ten_steps(decay_after_warmup=False)
    assert rates[0] == pytest.approx(0.5) and rates[1] == pytest.approx(0.9)
    assert rates[1] == max(rates) and rates[-1] == pytest.approx(0.1)
    assert all(a >= b for a, b in zip(rates[1:], rates[2:], strict=False))


def test_rate_can_reach_its_peak_then_fall_from_the_end_of_warm_up() -> None:
    rates = rates_over_ten_steps(decay_after_warmup=True)
    assert rates[0] == pytest.approx(0.5) and rates[1] == pytest.approx(1.0)
    assert rates[2] == pytest.approx(1.0) and rates[6] == pytest.approx(0.5)
    assert rates[-1] == pytest.approx(0.125)


def test_length_batches_cover_every_row_once_within_limits() -> None:
    lengths = [5, 40, 7, 7, 33, 12, 90, 3, 8, 21]
    batches = length_batches(lengths, max_rows=3, max_tokens=60)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= 3
        assert len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= 60
    flat = [lengths[i] for batch in batches for i in batch]
    assert flat == sorted(lengths)


def test_length_batches_of_nothing() -> None:
    assert length_batches([], max_rows=4, max_tokens=100) == []


def test_length_batches_cover_every_text_once_shortest_first() -> None:
    texts = ["aaaa", "a", "aaa", "aa", "aaaaa"]
    batches = length_batches([len(t) for t in texts], 2)
    assert batches == [[1, 3], [2, 0], [4]]


@pytest.mark.parametrize(("precision", "dtype"),
                         [("bf16", torch.bfloat16), ("fp32", torch.float32)])
def test_mixed_precision_autocasts_forward_passes_only_when_asked(
    precision: str, dtype: torch.dtype
) -> None:
    layer = torch.nn.Linear(4, 3)
    with mixed_precision(precision, "cpu"):
        out = layer(torch.ones(2, 4))
    assert out.dtype == dtype and layer.weight.dtype == torch.float32
    out.float().sum().backward()
    assert layer.weight.grad is not None and layer.weight.grad.dtype == torch.float32
    with pytest.raises(ValueError, match="not int8"):
        mixed_precision("int8", "cpu")
