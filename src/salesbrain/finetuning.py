"""What the fine-tuning loops of the stages share."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

import torch

from salesbrain.encoder import resolve_precision


def mixed_precision(precision: str, device: str) -> contextlib.AbstractContextManager:
    """Forward passes under bf16 autocast when `precision` ("auto", "fp32" or "bf16") resolves to
    bf16 on `device`; weights, gradients and optimiser state stay fp32 either way."""
    if precision == "int8":
        raise ValueError("training runs in fp32 or bf16, not int8")
    enabled = resolve_precision(precision, device) == "bf16"
    return torch.autocast(device_type=device.split(":")[0], dtype=torch.bfloat16, enabled=enabled)


def length_batches(lengths: Sequence[int], max_rows: int,
                   max_tokens: int | None = None) -> list[list[int]]:
    """Indices sorted by length and cut into batches of at most `max_rows` rows (and, given
    `max_tokens`, at most that many padded tokens), so that little compute goes to padding."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = [[]]
    for index in order:
        batch = batches[-1]
        full = len(batch) == max_rows or (
            max_tokens is not None and (len(batch) + 1) * lengths[index] > max_tokens)
        if batch and full:
            batches.append(batch := [])
        batch.append(index)
    return [batch for batch in batches if batch]


def warmup_linear_decay(optimizer: torch.optim.Optimizer, total_steps: int,
                        warmup_steps: int, decay_after_warmup: bool = False
                        ) -> torch.optim.lr_scheduler.LambdaLR:
    """Learning rate rising linearly over `warmup_steps`, then falling linearly to zero at
    `total_steps`. By default both factors apply together, so the fall starts from the first
    step and the peak stays a little below the set rate; with `decay_after_warmup` the rate
    reaches its set value at the end of the warm-up and falls from there."""
    warmup = max(1, warmup_steps)
    if decay_after_warmup:
        return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda k: min(
            (k + 1) / warmup, max(0.0, (total_steps - k) / max(1, total_steps - warmup))))
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda k: min(1.0, (k + 1) / warmup) * max(0.0, 1 - k / total_steps))
