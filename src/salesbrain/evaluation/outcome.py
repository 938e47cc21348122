"""Outcome evaluation on hand-labelled real conversations (JDDC, STC-3), never on simulated ones.

Annotations live in `data/annotations/outcome_real.jsonl`, by reference only, and are read by
`salesbrain.datasets.annotations.load_outcome_annotations`:
`{"dataset": "jddc"|"stc3", "conversation": "<id>", "outcome": "<taxonomy key>"}`.
A conversation is held out for evaluation when the "outcome" rule of
`salesbrain.datasets.splits` says so (about 30 %), decided by its id alone, so a held-out
conversation stays held out while the annotation file grows. Training uses the rest.

How the labels were read (taxonomy v1, section 2, applied to helpdesk chats):
`resolved` when the request was answered or handled and the customer accepted it (thanks, ok,
"好吧" after a workable answer) or confirmed it works; `complaint_open` when the customer
blamed or complained and the conversation ends without the customer accepting a resolution
(including "please DM us" endings); `lost` when the customer's need was declined or could not be
met and the customer gave up or went elsewhere, or stopped after an objection; conversations
whose outcome cannot be read from the text (chit-chat, a troubleshooting step left unanswered)
were not labelled. Real chats carry no orders, so every real conversation is read as history
(no attributed order, nothing recent) and the model part decides.

    .venv/bin/python -m salesbrain.evaluation.outcome --stage models/outcome
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from salesbrain.datasets.annotations import load_outcome_annotations
from salesbrain.evaluation.metrics import per_class_scores
from salesbrain.paths import shared_data_dir
from salesbrain.schema import Role, Turn
from salesbrain.stages.outcome import OutcomeInput
from salesbrain.taxonomy import OUTCOME_KEYS

HISTORY_TS = datetime(2020, 1, 1, tzinfo=UTC)


def historical_input(turns: Sequence[Turn]) -> OutcomeInput:
    """A finished conversation with no order data: the rules defer to the model."""
    return OutcomeInput(tuple(turns), HISTORY_TS, HISTORY_TS + timedelta(days=30), False,
                        any(t.role is Role.GUIDE for t in turns),
                        any(t.role is Role.CUSTOMER for t in turns))


def classification_metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    labels = sorted(set(gold) | set(predicted), key=OUTCOME_KEYS.index)
    per_class = per_class_scores(gold, predicted, labels)
    gold_labels = [label for label in labels if label in set(gold)]
    return {
        "n": len(gold),
        "accuracy": sum(g == p for g, p in zip(gold, predicted, strict=True)) / max(len(gold), 1),
        "macro_f1": float(sum(per_class[label]["f1"] for label in gold_labels)
                          / max(len(gold_labels), 1)),
        "per_class": per_class,
    }


def evaluate_outcome(stage_dir: Path, data_dir: Path, labels_file: Path | None = None
                     ) -> dict[str, Any]:
    """Model vs majority class on the held-out real conversations (macro-F1 over gold classes).

    `stage_dir` is an outcome stage directory or a brain directory holding one.
    """
    from salesbrain.stages.outcome import OutcomeStage

    stage_dir = Path(stage_dir)
    if (stage_dir / OutcomeStage.name / "config.json").is_file():
        stage_dir = stage_dir / OutcomeStage.name
    stage = OutcomeStage.from_pretrained(stage_dir)
    examples = load_outcome_annotations(data_dir, labels_file)
    train = [e for e in examples if not e.heldout]
    heldout = [e for e in examples if e.heldout]
    gold = [e.outcome for e in heldout]
    predicted = [p.outcome for p in stage.predict([historical_input(e.turns) for e in heldout])]
    majority = Counter(e.outcome for e in train).most_common(1)[0][0]
    return {
        "heldout_conversations": len(heldout),
        "train_conversations": len(train),
        "heldout_by_dataset": dict(Counter(e.dataset for e in heldout)),
        "model": classification_metrics(gold, predicted),
        "majority_baseline": {"label": majority,
                              **classification_metrics(gold, [majority] * len(gold))},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stage", type=Path, required=True, help="a saved outcome stage dir")
    parser.add_argument("--data-dir", type=Path, default=shared_data_dir())
    parser.add_argument("--labels", type=Path, default=None)
    args = parser.parse_args()
    print(json.dumps(evaluate_outcome(args.stage, args.data_dir, args.labels), indent=2))


if __name__ == "__main__":
    main()
