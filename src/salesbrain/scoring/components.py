"""The seven scorecard components per cell (a group - guide, store or region - in a period).

Each component is reduced to a `Component`: the raw value a manager reads, its confidence
band, the number of observations behind it, a shrunk estimate (`salesbrain.scoring.shrinkage`)
and that estimate's posterior standard deviation. Arrays are dense over cells laid out as
`group * n_periods + period`, so every aggregation is one `np.bincount`.

- first_response_s: raw = median reply seconds over answered questions; shrunk = mean of
  log(1 + s), lower is better; band = order-statistic interval of the median.
- reply_coverage: answered / questions; beta-binomial; Wilson band.
- task_execution_rate: executed / assigned tasks; beta-binomial; Wilson band.
- conversion_rate: conversations ending `purchased` or `store_visit` / conversations;
  beta-binomial; Wilson band.
- attributed_gmv: attributed order value; shrunk = mean GMV per conversation (normal-normal);
  band = n x the interval of that mean.
- quality: mean quality 0..100 over conversations with a quality estimate; normal-normal;
  band = interval of the mean.
- compliance_violations: hit count; shrunk = share of conversations with a hit (beta-binomial,
  lower is better); band = exact Poisson interval of the count.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from salesbrain.scoring import shrinkage
from salesbrain.scoring.facts import ConversationFacts
from salesbrain.taxonomy import OUTCOME_KEYS

COMPONENTS: tuple[str, ...] = (
    "first_response_s", "reply_coverage", "task_execution_rate", "conversion_rate",
    "attributed_gmv", "quality", "compliance_violations",
)
# +1: a higher estimate is better; -1: lower is better.
DIRECTIONS: dict[str, int] = {name: 1 for name in COMPONENTS} | {
    "first_response_s": -1, "compliance_violations": -1,
}
CONVERTED = np.array([OUTCOME_KEYS.index("purchased"), OUTCOME_KEYS.index("store_visit")])


@dataclass
class Component:
    """One component over all cells (dense arrays, nan where a cell has no observation)."""

    value: np.ndarray
    low: np.ndarray
    high: np.ndarray
    n: np.ndarray
    estimate: np.ndarray
    sd: np.ndarray
    prior: Prior


@dataclass(frozen=True)
class Prior:
    """The fitted prior of one component, per period."""

    mean: np.ndarray
    sd: np.ndarray
    strength: np.ndarray  # pseudo-observations: how hard small samples are pulled to `mean`


@dataclass(frozen=True)
class Cells:
    """Where each conversation, answered question and task falls: its cell index."""

    conversation: np.ndarray
    response: np.ndarray
    task: np.ndarray
    n_groups: int
    n_periods: int

    @property
    def size(self) -> int:
        return self.n_groups * self.n_periods

    def count(self, cells: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(cells, weights=weights, minlength=self.size).astype(float)


def compute_components(facts: ConversationFacts, cells: Cells, z: float) -> dict[str, Component]:
    conversations = cells.count(cells.conversation)
    converted = np.isin(facts.outcome, CONVERTED).astype(float)
    with_hit = (facts.compliance_hits > 0).astype(float)
    return {
        "first_response_s": _first_response(facts, cells, z),
        "reply_coverage": _rate(cells, cells.conversation, facts.answered.astype(float),
                                facts.questions.astype(float), z),
        "task_execution_rate": _rate(cells, cells.task, facts.task_executed.astype(float),
                                     np.ones(len(cells.task)), z),
        "conversion_rate": _rate(cells, cells.conversation, converted,
                                 np.ones(len(converted)), z),
        "attributed_gmv": _total_of_means(cells, facts.gmv, z),
        "quality": _mean_of(cells, facts.quality.astype(float), z),
        "compliance_violations": _violations(cells, facts.compliance_hits, with_hit,
                                             conversations, z),
    }


def _by_period(cells: Cells, successes: np.ndarray, trials: np.ndarray, shrink) -> tuple:
    """Apply a shrinkage function period by period (the prior is fitted within a period)."""
    estimate, sd = np.full(cells.size, np.nan), np.full(cells.size, np.nan)
    prior = Prior(*(np.zeros(cells.n_periods) for _ in range(3)))
    for p in range(cells.n_periods):
        chosen = slice(p, cells.size, cells.n_periods)
        result = shrink(successes[chosen], trials[chosen])
        estimate[chosen], sd[chosen] = result.mean, result.sd
        prior.mean[p], prior.sd[p] = result.prior_mean, result.prior_sd
        prior.strength[p] = result.prior_strength
    return estimate, sd, prior


def _rate(cells: Cells, where: np.ndarray, successes: np.ndarray, trials: np.ndarray,
          z: float) -> Component:
    k, n = cells.count(where, successes), cells.count(where, trials)
    estimate, sd, prior = _by_period(cells, k, n, shrinkage.beta_binomial)
    low, high = shrinkage.wilson(k, n, z)
    value = np.where(n > 0, k / np.maximum(n, 1), np.nan)
    return _masked(Component(value, low, high, n, estimate, sd, prior))


def _mean_stats(cells: Cells, where: np.ndarray, values: np.ndarray, z: float) -> tuple:
    seen = ~np.isnan(values)
    where, values = where[seen], values[seen]
    n = cells.count(where)
    total, total_sq = cells.count(where, values), cells.count(where, values**2)

    def shrink(stacked: np.ndarray, counts: np.ndarray) -> shrinkage.Shrunk:
        return shrinkage.normal_normal(stacked[:, 0], stacked[:, 1], counts)

    stacked = np.stack([total, total_sq], axis=1)
    estimate, sd, prior = _by_period(cells, stacked, n, shrink)
    low, high = shrinkage.mean_interval(total, total_sq, n, z)
    return n, total, estimate, sd, prior, low, high


def _mean_of(cells: Cells, values: np.ndarray, z: float) -> Component:
    n, total, estimate, sd, prior, low, high = _mean_stats(cells, cells.conversation,
                                                               values, z)
    value = np.where(n > 0, total / np.maximum(n, 1), np.nan)
    return _masked(Component(value, low, high, n, estimate, sd, prior))


def _total_of_means(cells: Cells, gmv: np.ndarray, z: float) -> Component:
    n, total, estimate, sd, prior, low, high = _mean_stats(cells, cells.conversation, gmv, z)
    return _masked(Component(total, np.maximum(low * n, 0), high * n, n, estimate, sd,
                             prior))


def _violations(cells: Cells, hits: np.ndarray, with_hit: np.ndarray,
                conversations: np.ndarray, z: float) -> Component:
    count = cells.count(cells.conversation, hits.astype(float))
    k = cells.count(cells.conversation, with_hit)
    estimate, sd, prior = _by_period(cells, k, conversations, shrinkage.beta_binomial)
    low, high = shrinkage.poisson_interval(count, confidence=_confidence(z))
    return _masked(Component(count, low, high, conversations, estimate, sd, prior))


def _first_response(facts: ConversationFacts, cells: Cells, z: float) -> Component:
    seconds = facts.response_s.astype(float)
    n, _, estimate, sd, prior, _, _ = _mean_stats(cells, cells.response, np.log1p(seconds), z)
    order = np.lexsort((seconds, cells.response))
    ordered = seconds[order]
    starts = np.searchsorted(cells.response[order], np.arange(cells.size))
    count = n.astype(np.int64)

    def at_rank(ranks: np.ndarray) -> np.ndarray:
        if not len(ordered):
            return np.full(cells.size, np.nan)
        return ordered[np.minimum(starts + ranks, len(ordered) - 1)]

    median = (at_rank(np.maximum(count - 1, 0) // 2) + at_rank(count // 2)) / 2
    low_rank, high_rank = shrinkage.median_rank_bounds(count, z)
    return _masked(Component(median, at_rank(low_rank), at_rank(high_rank), n, estimate, sd,
                             prior))


def _masked(component: Component) -> Component:
    """Blank every statistic of cells with no observation."""
    empty = component.n <= 0
    for name in ("value", "low", "high", "estimate", "sd"):
        getattr(component, name)[empty] = np.nan
    return component


def _confidence(z: float) -> float:
    from scipy.stats import norm

    return float(2 * norm.cdf(z) - 1)
