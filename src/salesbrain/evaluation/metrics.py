"""Classification scores shared by the evaluations."""

from __future__ import annotations

from collections.abc import Sequence


def per_class_scores(gold: Sequence[str], predicted: Sequence[str],
                     labels: Sequence[str]) -> dict[str, dict[str, float]]:
    """Precision, recall, F1 and support of each of `labels` (0.0 where undefined)."""
    from sklearn.metrics import precision_recall_fscore_support

    precision, recall, f1, support = precision_recall_fscore_support(
        gold, predicted, labels=list(labels), zero_division=0)
    return {label: {"precision": float(p), "recall": float(r), "f1": float(f),
                    "support": int(s)}
            for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)}
