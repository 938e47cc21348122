"""The command line every stage training job shares: `python -m training.train_<stage> ...`."""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from salesbrain.paths import shared_data_dir


def log(message: str) -> None:
    """A training job's progress line, time-stamped."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def job_main(run: Callable[..., Path], presets: Mapping[str, Any], description: str) -> None:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--preset", choices=sorted(presets), default="small")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, default=shared_data_dir())
    parser.add_argument("--device", default="cpu", help="cpu, or cuda where a GPU is visible")
    args = parser.parse_args()
    if args.device.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            parser.error(f"--device {args.device}: torch sees no CUDA device on this machine")
    run(args.preset, args.out, args.data_dir, args.device)
