"""Evaluate a whole brain on the held-out real sets and return `eval_results.json` content.

    python -m salesbrain.evaluation.brain --brain models/brains/VERSION [--data-dir ../shared/data]

Every key is `<eval set>@<fingerprint of its data>`: promotion compares two brains only on sets
with the same fingerprint, i.e. on exactly the same held-out data. Each stage is evaluated only
on data its training never saw (the split rules live beside each eval function). Without the
shared data directory nothing is evaluated and the result is empty.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from salesbrain.artifacts import read_json
from salesbrain.datasets.stc3 import FILE as STC3_FILE
from salesbrain.paths import REPO_ROOT, annotations_dir, shared_data_dir

log = logging.getLogger("salesbrain.eval")
EVAL_DIR = REPO_ROOT / "var" / "eval"


def fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


def _summary(metrics: dict[str, Any]) -> dict[str, Any]:
    """Scalar metrics only: per-class tables stay in the full reports."""
    return {k: v for k, v in metrics.items()
            if isinstance(v, int | float) and not isinstance(v, bool)}


def _intent(brain_dir: Path, data_dir: Path) -> dict[str, dict[str, Any]]:
    from salesbrain.evaluation.intent import evaluate_intent, export_test_split

    test_file = export_test_split(EVAL_DIR / "intent_test.jsonl", data_dir)
    return {f"intent_real_test@{fingerprint(test_file)}": evaluate_intent(brain_dir, test_file)}


def _sentiment(brain_dir: Path, data_dir: Path) -> dict[str, dict[str, Any]]:
    from salesbrain.evaluation.sentiment import evaluate_sentiment, write_eval_files

    files = write_eval_files(data_dir, EVAL_DIR)
    stage_dir = brain_dir / "sentiment"
    return {f"sentiment_{key}@{fingerprint(path)}": evaluate_sentiment(stage_dir, path)
            for key, path in files.items()}


def _quality(brain_dir: Path, data_dir: Path) -> dict[str, dict[str, Any]]:
    from salesbrain.evaluation.quality import evaluate_quality

    stc3 = data_dir / STC3_FILE
    return {f"quality_stc3_heldout@{fingerprint(stc3)}": evaluate_quality(brain_dir, stc3)}


def _outcome(brain_dir: Path, data_dir: Path) -> dict[str, dict[str, Any]]:
    from salesbrain.evaluation.outcome import evaluate_outcome

    labels = annotations_dir() / "outcome_real.jsonl"
    metrics = evaluate_outcome(brain_dir, data_dir)
    return {f"outcome_real_heldout@{fingerprint(labels)}": metrics.get("model", metrics)}


def _suggest(brain_dir: Path, data_dir: Path) -> dict[str, dict[str, Any]]:
    from salesbrain.datasets.prepare_dialogues import run as prepare_dialogues
    from salesbrain.evaluation.generation import evaluate_generation
    from salesbrain.evaluation.response_selection import evaluate_response_selection

    tsv, dev = EVAL_DIR / "response_selection_test.tsv", EVAL_DIR / "jddc_dev"
    if not tsv.is_file() or not (dev / "dev_question.txt").is_file():
        prepare_dialogues(data_dir, REPO_ROOT / "var" / "data" / "dialogues", EVAL_DIR)
    selection = evaluate_response_selection(brain_dir, tsv)
    generation = evaluate_generation(brain_dir, dev)
    return {
        f"response_selection_real_test@{fingerprint(tsv)}": selection,
        f"generation_jddc_heldout@{fingerprint(dev)}": generation,
    }


EVALUATIONS: dict[str, Callable[[Path, Path], dict[str, dict[str, Any]]]] = {
    "intent": _intent,
    "sentiment": _sentiment,
    "quality": _quality,
    "outcome": _outcome,
    "suggest": _suggest,
}


def evaluate_brain(brain_dir: Path, data_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    data_dir = Path(data_dir) if data_dir else shared_data_dir()
    if not data_dir.is_dir():
        log.warning("no shared data at %s: the brain is not evaluated", data_dir)
        return {}
    stages = read_json(Path(brain_dir) / "brain.json")["stages"]
    results: dict[str, dict[str, Any]] = {}
    for name in stages:
        if name in EVALUATIONS:
            for key, metrics in EVALUATIONS[name](Path(brain_dir), data_dir).items():
                results[key] = _summary(metrics)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--brain", type=Path, required=True)
    parser.add_argument("--data-dir", type=Path, default=None)
    args = parser.parse_args()
    print(json.dumps(evaluate_brain(args.brain, args.data_dir), indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
