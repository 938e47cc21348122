"""A tiny simulated brand, ingested and labelled with the simulator's truth.

Intents, compliance hits and outcomes come from `truth.json` as a perfect brain would store
them, so the dashboard's charts, viewer and coaching pairs have real labels to show.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eval.bench_dashboard import label_with_truth
from eval.serving import seed_brand
from salesbrain.db import Database

SIZE = {"guides": 8, "customers": 200, "days": 21}


def labelled_brand(store: Database, out_dir: Path, **size: Any) -> dict[str, Any]:
    """Simulate, ingest and label a brand; returns the simulator's truth."""
    seed_brand(store, out_dir, **{**SIZE, **size})
    return label_with_truth(store, out_dir)
