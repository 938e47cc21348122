"""What the fine-tuning loops of the stages share."""

from __future__ import annotations

import torch


def warmup_linear_decay(optimizer: torch.optim.Optimizer, total_steps: int,
                        warmup_steps: int) -> torch.optim.lr_scheduler.LambdaLR:
    """Learning rate rising linearly over `warmup_steps`, then falling linearly to zero at
    `total_steps` (both factors applied together, so the fall starts from the first step)."""
    warmup = max(1, warmup_steps)
    return torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda k: min(1.0, (k + 1) / warmup) * max(0.0, 1 - k / total_steps))
