"""Reply quality calibrated on the brand's own outcomes, and whether it tells guides apart.

The quality stage is trained on STC-3 helpdesk judgements. On a brand it was never trained on,
its scores barely move between guides (54-57 for all 40 guides of the demo brand), so a manager
would read noise as a ranking. Two answers here:

1. `brand_reply_quality`: how much a conversation's opening replies look like the replies that
   led to a purchase or a store visit *in this brand*. A character n-gram logistic regression
   reads the guide's first replies of each conversation and predicts conversion. It is
   cross-fitted by guide: a guide's conversations are always scored by a model fitted on the
   other guides' conversations, so no guide is scored by a model that saw her own outcomes.
   Only the opening replies are read, because a late "thanks for your order" states the
   outcome rather than earning it.
2. `reliability`: the share of the spread between guides' mean quality that is not sampling
   noise (the classic ICC(1) of the guides' means, tau^2 / (tau^2 + sigma^2 / n)). Below
   `INFORMATIVE_RELIABILITY` the component is shown as not informative rather than as a number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from salesbrain.taxonomy import OUTCOME_KEYS

CONVERTED_OUTCOMES = ("purchased", "store_visit")
INFORMATIVE_RELIABILITY = 0.5


@dataclass(frozen=True)
class CalibrationSettings:
    folds: int = 5  # cross-fitting folds over guides
    min_per_class: int = 20  # converted and not converted conversations needed to fit
    max_features: int = 20_000
    regularisation: float = 1.0  # logistic regression C
    seed: int = 0


def brand_reply_quality(
    conversation_ids: list[str],
    guide: np.ndarray,
    outcome: np.ndarray,
    openings: Mapping[str, str],
    settings: CalibrationSettings | None = None,
) -> np.ndarray | None:
    """Out-of-fold P(converted | the guide's opening replies) x 100 per conversation.

    `guide` and `outcome` are the facts' columns (guide index, index into OUTCOME_KEYS).
    NaN where a conversation has no guide text; None when the brand has too few converted or
    unconverted conversations, or too few guides, to fit honestly."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    settings = settings or CalibrationSettings()
    converted_codes = [OUTCOME_KEYS.index(o) for o in CONVERTED_OUTCOMES]
    texts = [openings.get(cid, "") for cid in conversation_ids]
    has_text = np.array([bool(text) for text in texts])
    y = np.isin(np.asarray(outcome), converted_codes)
    guides = np.asarray(guide)
    quality = np.full(len(texts), np.nan, dtype=np.float32)
    known = np.flatnonzero(has_text)
    positives = int(y[known].sum())
    if min(positives, len(known) - positives) < settings.min_per_class:
        return None
    distinct = np.unique(guides[known])
    if len(distinct) < settings.folds:
        return None
    fold_of_guide = dict(zip(distinct, np.random.default_rng(settings.seed).permutation(
        np.arange(len(distinct)) % settings.folds), strict=True))
    fold = np.array([fold_of_guide[g] for g in guides[known]])
    # The vocabulary and idf are fitted once on every opening: they see no outcome.
    vectoriser = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), min_df=2,
                                 max_features=settings.max_features, sublinear_tf=True,
                                 dtype=np.float32)
    features = vectoriser.fit_transform([texts[i] for i in known])
    for k in range(settings.folds):
        train, test = fold != k, fold == k
        if not test.any() or len(np.unique(y[known[train]])) < 2:
            continue
        model = LogisticRegression(C=settings.regularisation, solver="liblinear")
        model.fit(features[train], y[known[train]])
        quality[known[test]] = 100.0 * model.predict_proba(features[test])[:, 1]
    return quality


def reliability(group: np.ndarray, values: np.ndarray) -> float:
    """tau^2 / (tau^2 + sigma^2 / n) at the median group size: how far the guides' mean
    values are real differences rather than sampling noise (0 = all noise, 1 = all signal)."""
    seen = ~np.isnan(values)
    group, values = np.asarray(group)[seen], np.asarray(values, float)[seen]
    ids, counts = np.unique(group, return_counts=True)
    if len(ids) < 2:
        return 0.0
    index = np.searchsorted(ids, group)
    means = np.bincount(index, weights=values) / counts
    within = float(np.sum((values - means[index]) ** 2) / max(len(values) - len(ids), 1))
    n = float(np.median(counts))
    between = float(np.var(means, ddof=1) - within * np.mean(1.0 / counts))
    tau2 = max(between, 0.0)
    if tau2 == 0.0:
        return 0.0
    return tau2 / (tau2 + within / n)
