"""The intent baseline: character 1-3-gram TF-IDF + logistic regression on the model's input text.

It reads exactly what the fine-tuned classifier reads (`render_intent_input`: the last context
turns marked by role, then the customer's message) and trains on the same split, so the two
numbers in a benchmark differ only by the model.

    python -m eval.intent_baseline --data-dir ../shared/data
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline

from salesbrain.datasets.annotations import load_intent_annotations, split_intent_annotations
from salesbrain.evaluation.intent import intent_metrics, read_intent_eval_file
from salesbrain.paths import shared_data_dir
from salesbrain.stages.intent import DEFAULT_CONTEXT_TURNS, IntentInput, render_intent_input


def fit_baseline(
    inputs: Sequence[IntentInput],
    intents: Sequence[str],
    context_turns: int = DEFAULT_CONTEXT_TURNS,
) -> Pipeline:
    """A TF-IDF (char 1-3-grams) + balanced logistic-regression pipeline fitted on `inputs`."""
    pipeline = make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1),
        LogisticRegression(max_iter=2000, C=10.0, class_weight="balanced"),
    )
    pipeline.fit([render_intent_input(item, context_turns) for item in inputs], list(intents))
    return pipeline


def predict_baseline(
    pipeline: Pipeline, inputs: Sequence[IntentInput], context_turns: int = DEFAULT_CONTEXT_TURNS
) -> list[str]:
    texts = [render_intent_input(item, context_turns) for item in inputs]
    return [str(label) for label in pipeline.predict(texts)]


def baseline_probabilities(
    pipeline: Pipeline, inputs: Sequence[IntentInput], context_turns: int = DEFAULT_CONTEXT_TURNS
) -> list[dict[str, float]]:
    """Per input, the baseline's probability of each intent it was trained on."""
    texts = [render_intent_input(item, context_turns) for item in inputs]
    classes = [str(label) for label in pipeline.classes_]
    return [dict(zip(classes, map(float, row), strict=True))
            for row in pipeline.predict_proba(texts)]


def evaluate_baseline(
    train_inputs: Sequence[IntentInput],
    train_intents: Sequence[str],
    data_file: Path,
    context_turns: int = DEFAULT_CONTEXT_TURNS,
) -> dict:
    """Fit on the given training examples and score on an eval file (cli.md format)."""
    pipeline = fit_baseline(train_inputs, train_intents, context_turns)
    inputs, gold = read_intent_eval_file(data_file)
    return intent_metrics(gold, predict_baseline(pipeline, inputs, context_turns))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=shared_data_dir())
    parser.add_argument("--labels-dir", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    splits = split_intent_annotations(load_intent_annotations(args.data_dir, args.annotations_dir),
                                      args.seed)
    train_inputs = [IntentInput(e.text, e.context) for e in splits["train"]]
    pipeline = fit_baseline(train_inputs, [e.intent for e in splits["train"]])
    test_inputs = [IntentInput(e.text, e.context) for e in splits["test"]]
    predicted = predict_baseline(pipeline, test_inputs)
    metrics = intent_metrics([e.intent for e in splits["test"]], predicted)
    print(json.dumps(metrics, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
