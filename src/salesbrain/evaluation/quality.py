"""Dialogue quality against STC-3's annotators, on the held-out dialogues only.

Run:
    .venv/bin/python -m salesbrain.evaluation.quality --brain var/brains/bench \
        --stc3 ../shared/data/stc3/train_data_cn.json

The file may be the whole STC-3 training file: only the dialogues whose id hashes into the
held-out split (the "quality" rule of `salesbrain.datasets.splits`, never trained on) are
scored. Beside the model, the same run measures a trivial baseline: the dialogue's turn count,
its sign (more turns better or worse) taken from the training dialogues. Spearman correlations
come with 95 % bootstrap intervals over dialogues (1,000 resamples, fixed seed).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import spearmanr

from salesbrain.datasets.splits import is_held_out
from salesbrain.datasets.stc3 import read_quality_examples
from salesbrain.encoder import PRECISIONS
from salesbrain.stages.quality import TARGETS, QualityStage

SPLIT = "held-out by dialogue id hash"
BOOTSTRAP = 1000


def resolve_stage_dir(brain_or_stage_dir: Path) -> Path:
    """A quality stage directory, given it or a brain directory that holds one."""
    path = Path(brain_or_stage_dir)
    for candidate in (path, path / "quality"):
        config = candidate / "config.json"
        if config.is_file() and json.loads(config.read_text(encoding="utf-8")).get("stage") == (
                "quality"):
            return candidate
    raise FileNotFoundError(f"{path}: neither a quality stage nor a brain with one")


def evaluate_quality(
    brain_or_stage_dir: Path, stc3_file: Path, precision: str | None = None
) -> dict[str, Any]:
    examples = read_quality_examples(Path(stc3_file))
    held_out = [e for e in examples if is_held_out("quality", e.dialogue_id)]
    training = [e for e in examples if not is_held_out("quality", e.dialogue_id)]
    if not held_out:
        raise ValueError(f"{stc3_file}: no dialogue falls in the held-out split")
    stage = QualityStage.from_pretrained(resolve_stage_dir(brain_or_stage_dir), overrides=(
        {"precision": precision} if precision else None))
    predictions = stage.predict([e.turns for e in held_out])
    predicted = np.array([[p.a, p.s, p.e] for p in predictions])
    truth = np.array([[e.a, e.s, e.e] for e in held_out])
    turns = np.array([len(e.turns) for e in held_out], dtype=float)
    baseline = {}
    for i, key in enumerate(TARGETS):
        baseline[f"spearman_{key}"] = _spearman(_turn_sign(training, i) * turns, truth[:, i])
    metrics: dict[str, Any] = {"n": len(held_out), "split": SPLIT,
                               "precision": stage.settings.precision}
    for i, key in enumerate(TARGETS):
        metrics[f"spearman_{key}"] = _spearman(predicted[:, i], truth[:, i])
    metrics["spearman_quality_vs_mean_ASE"] = _spearman(
        np.array([p.quality for p in predictions]), truth.mean(axis=1))
    metrics["ci95"] = {f"spearman_{key}": _bootstrap(predicted[:, i], truth[:, i])
                       for i, key in enumerate(TARGETS)}
    metrics["baseline_turn_count"] = baseline
    metrics["n_training_dialogues_excluded"] = len(training)
    return metrics


def _turn_sign(training: list, target: int) -> float:
    if len(training) < 3:
        return -1.0
    turns = [len(e.turns) for e in training]
    values = [(e.a, e.s, e.e)[target] for e in training]
    return 1.0 if spearmanr(turns, values)[0] >= 0 else -1.0


def _spearman(predicted: np.ndarray, truth: np.ndarray) -> float:
    return round(float(spearmanr(predicted, truth)[0]), 4)


def _bootstrap(predicted: np.ndarray, truth: np.ndarray) -> list[float]:
    rng = np.random.default_rng(0)
    values = []
    for _ in range(BOOTSTRAP):
        pick = rng.integers(0, len(truth), len(truth))
        values.append(spearmanr(predicted[pick], truth[pick])[0])
    low, high = np.nanpercentile(values, [2.5, 97.5])
    return [round(float(low), 4), round(float(high), 4)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--brain", type=Path, required=True, help="brain or quality stage dir")
    parser.add_argument("--stc3", type=Path, required=True, help="STC-3 JSON file")
    parser.add_argument("--precision", choices=PRECISIONS, help="encoder arithmetic "
                        "(default: the stage's own setting)")
    args = parser.parse_args()
    print(json.dumps(evaluate_quality(args.brain, args.stc3, args.precision), ensure_ascii=False))


if __name__ == "__main__":
    main()
