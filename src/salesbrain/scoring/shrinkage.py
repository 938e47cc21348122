"""Empirical-Bayes shrinkage and confidence intervals for guide components (vectorised).

Why shrinkage: a guide with 3 conversations and 3 sales has a raw conversion rate of 100 %,
and so does a guide with 300 of 300; only the second one is evidence of skill. Every group's
estimate is therefore pulled toward the brand mean in proportion to how little data it has.
The prior is estimated from the groups themselves (empirical Bayes, method of moments):

- rates (reply coverage, task execution, conversion, share of conversations with a
  compliance hit): beta-binomial. Prior Beta(m * kappa, (1 - m) * kappa) with m the pooled
  rate and kappa, the prior strength in pseudo-observations, from the between-group variance
  left after removing binomial noise. kappa is bounded to [`MIN_STRENGTH`, `MAX_STRENGTH`]
  (2 to 500): at least two pseudo-observations so a guide with one sale is never ranked on
  it, at most 500 so that a brand whose guides really are alike still lets a large book move
  its estimate. A group with n trials moves n / (n + kappa) of the way from m to its raw rate.
- means of continuous values (log reply seconds, GMV per conversation, quality): normal-normal.
  The prior variance tau^2 is the between-group variance of the raw means minus their average
  sampling variance; the shrinkage weight is tau^2 / (tau^2 + sigma^2 / n), bounded the same
  way (sigma^2 / tau^2 in [2, 500]).

Why these intervals: the band shown beside a raw component must describe the sampling
uncertainty of that raw number and stay sensible at n = 1 and at rates of 0 or 1, so
- rates use the Wilson score interval (never outside 0..1, good coverage at small n, unlike
  the Wald interval); bootstrap intervals are degenerate for 3 observations all equal to 1;
- the median reply time uses the distribution-free order-statistic interval (binomial ranks),
  exact for any continuous distribution and cheap on sorted values, where a bootstrap per
  guide would cost thousands of resamples times 10,000 guides;
- means use mean +- z * s / sqrt(n); counts use the exact Poisson (Garwood) interval.

The composite uses the shrunk (posterior) estimates; its band propagates the posterior
standard deviations (see `salesbrain.scoring.scorecard`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

MIN_STRENGTH = 2.0
MAX_STRENGTH = 500.0
Z95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class Shrunk:
    """Posterior means and standard deviations of a component, one entry per group."""

    mean: np.ndarray
    sd: np.ndarray
    prior_mean: float
    prior_strength: float  # pseudo-observations behind the prior
    prior_sd: float  # spread of the true values between groups


def beta_binomial(successes: np.ndarray, trials: np.ndarray) -> Shrunk:
    """Shrink rates successes / trials toward the pooled rate (method-of-moments prior)."""
    k, n = np.asarray(successes, float), np.asarray(trials, float)
    seen = n > 0
    pooled = k[seen].sum() / n[seen].sum() if seen.any() else 0.5
    pooled = float(np.clip(pooled, 1e-6, 1 - 1e-6))
    strength = _beta_strength(k[seen], n[seen], pooled)
    alpha, beta = pooled * strength, (1 - pooled) * strength
    post_a, post_b = alpha + k, beta + n - k
    total = post_a + post_b
    mean = post_a / total
    sd = np.sqrt(post_a * post_b / (total**2 * (total + 1)))
    prior_sd = float(np.sqrt(pooled * (1 - pooled) / (strength + 1)))
    return Shrunk(mean, sd, pooled, strength, prior_sd)


def _beta_strength(k: np.ndarray, n: np.ndarray, pooled: float) -> float:
    if len(n) < 2:
        return MAX_STRENGTH
    rates = k / n
    weights = n / n.sum()
    observed = float(np.sum(weights * (rates - pooled) ** 2))
    binomial_noise = pooled * (1 - pooled) * float(np.sum(weights / n))
    between = observed - binomial_noise
    if between <= 0:
        return MAX_STRENGTH
    return float(np.clip(pooled * (1 - pooled) / between - 1, MIN_STRENGTH, MAX_STRENGTH))


def normal_normal(total: np.ndarray, total_sq: np.ndarray, n: np.ndarray) -> Shrunk:
    """Shrink group means (from sums and sums of squares) toward the weighted grand mean."""
    total, total_sq, n = (np.asarray(a, float) for a in (total, total_sq, n))
    seen = n > 0
    safe_n = np.maximum(n, 1)
    means = np.where(seen, total / safe_n, 0.0)
    grand = float(total[seen].sum() / n[seen].sum()) if seen.any() else 0.0
    pooled_var = _pooled_within_variance(total, total_sq, n, seen)
    if seen.sum() >= 2:
        spread = float(np.average((means[seen] - grand) ** 2, weights=n[seen]))
        between = spread - pooled_var * float(np.mean(1 / n[seen]))
    else:
        between = 0.0
    ratio = pooled_var / between if between > 0 else MAX_STRENGTH
    ratio = float(np.clip(ratio, MIN_STRENGTH, MAX_STRENGTH))
    weight = n / (n + ratio)
    mean = grand + weight * (means - grand)
    sd = np.sqrt(pooled_var / (n + ratio))
    return Shrunk(mean, sd, grand, ratio, float(np.sqrt(pooled_var / ratio)))


def _pooled_within_variance(
    total: np.ndarray, total_sq: np.ndarray, n: np.ndarray, seen: np.ndarray
) -> float:
    count = n[seen].sum()
    if count < 2:
        return 1.0
    grand = total[seen].sum() / count
    # Within-group sum of squares: sum(x^2) - n * mean^2 per group, pooled.
    safe_n = np.maximum(n[seen], 1)
    within = float(np.sum(total_sq[seen] - total[seen] ** 2 / safe_n))
    dof = count - seen.sum()
    if dof > 0 and within > 0:
        return within / dof
    return float(max(total_sq[seen].sum() / count - grand**2, 1e-9))


def wilson(successes: np.ndarray, trials: np.ndarray, z: float = Z95) -> tuple[np.ndarray, ...]:
    """Wilson score interval per group; (nan, nan) where there are no trials."""
    k, n = np.asarray(successes, float), np.asarray(trials, float)
    safe_n = np.maximum(n, 1)
    p = k / safe_n
    denominator = 1 + z**2 / safe_n
    centre = (p + z**2 / (2 * safe_n)) / denominator
    half = z * np.sqrt(p * (1 - p) / safe_n + z**2 / (4 * safe_n**2)) / denominator
    empty = n <= 0
    return np.where(empty, np.nan, centre - half), np.where(empty, np.nan, centre + half)


def mean_interval(
    total: np.ndarray, total_sq: np.ndarray, n: np.ndarray, z: float = Z95
) -> tuple[np.ndarray, ...]:
    """mean +- z * s / sqrt(n); the half-width is 0 for a single observation's spread of 0."""
    total, total_sq, n = (np.asarray(a, float) for a in (total, total_sq, n))
    safe_n = np.maximum(n, 1)
    mean = total / safe_n
    variance = np.maximum(total_sq / safe_n - mean**2, 0) * safe_n / np.maximum(safe_n - 1, 1)
    half = z * np.sqrt(variance / safe_n)
    empty = n <= 0
    return np.where(empty, np.nan, mean - half), np.where(empty, np.nan, mean + half)


def poisson_interval(counts: np.ndarray, confidence: float = 0.95) -> tuple[np.ndarray, ...]:
    """Exact (Garwood) interval for Poisson counts."""
    c = np.asarray(counts, float)
    tail = (1 - confidence) / 2
    low = np.where(c > 0, stats.chi2.ppf(tail, 2 * c) / 2, 0.0)
    high = stats.chi2.ppf(1 - tail, 2 * c + 2) / 2
    return low, high


def median_rank_bounds(n: np.ndarray, z: float = Z95) -> tuple[np.ndarray, np.ndarray]:
    """0-based ranks of the order statistics bounding a median's confidence interval."""
    n = np.asarray(n, float)
    half = z * np.sqrt(n) / 2
    low = np.clip(np.floor(n / 2 - half), 0, np.maximum(n - 1, 0))
    high = np.clip(np.ceil(n / 2 + half) - 1, 0, np.maximum(n - 1, 0))
    return low.astype(np.int64), high.astype(np.int64)
