"""Guide scorecards per period: seven components, a 0-100 composite and its confidence band.

How the composite is built, for every period separately:

1. each component's shrunk estimate (`salesbrain.scoring.components`; empirical Bayes, so a
   guide with 3 conversations sits near the brand mean) is turned into points,
   `100 * Phi(direction * (estimate - prior mean) / prior sd)`, the prior being the one fitted
   to the period's groups: 50 points is the brand average, 84 one between-guide spread
   better. Components live on different scales (seconds, rates, yuan); points make equal
   weights mean equal influence;
2. the score is the weighted mean of the available components' points (`ScoreWeights`,
   overridable strictly: an unknown key or a non-number fails). A component with no
   observations for a group (no tasks assigned, no quality model) is left out of that
   group's score and its weight spread over the rest, and the card says so;
3. the band propagates each component's posterior sd through the points transform (delta
   method) assuming independent components: score +- z * sqrt(sum (w_i * sd_i)^2) / sum w_i.

>>> weights = weights_from({"conversion_rate": 0.4})
>>> weights.conversion_rate
0.4
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from scipy.stats import norm

from salesbrain.artifacts import merge_settings
from salesbrain.schema import Guide
from salesbrain.scoring.components import (
    COMPONENTS,
    DIRECTIONS,
    Cells,
    Component,
    compute_components,
)
from salesbrain.scoring.facts import ConversationFacts
from salesbrain.scoring.periods import GROUPINGS, group_index, period_index
from salesbrain.scoring.reply_quality import INFORMATIVE_RELIABILITY, reliability

FEW_CONVERSATIONS = 10


@dataclass(frozen=True, slots=True)
class ScoreWeights:
    first_response_s: float = 0.15
    reply_coverage: float = 0.15
    task_execution_rate: float = 0.15
    conversion_rate: float = 0.20
    attributed_gmv: float = 0.15
    quality: float = 0.10
    compliance_violations: float = 0.10


@dataclass(frozen=True, slots=True)
class ScorecardSettings:
    period: str = "week"  # week | month | all
    group_by: str = "guide"  # guide | store | region
    z: float = 1.959963984540054  # 95 % bands
    tz_offset_hours: float = 8.0  # periods follow the brand's local calendar (Asia/Shanghai)


def weights_from(overrides: Mapping[str, Any] | None = None) -> ScoreWeights:
    """Default weights with `overrides` merged strictly; negative or all-zero weights fail."""
    weights = merge_settings(ScoreWeights(), dict(overrides or {}))
    values = asdict(weights)
    if any(v < 0 for v in values.values()) or sum(values.values()) <= 0:
        raise ValueError(f"weights must be non-negative with a positive sum, got {values}")
    return weights


def settings_from(overrides: Mapping[str, Any] | None = None) -> ScorecardSettings:
    settings = merge_settings(ScorecardSettings(), dict(overrides or {}))
    if settings.period not in ("week", "month", "all"):
        raise ValueError(f"period must be week, month or all, not {settings.period!r}")
    if settings.group_by not in GROUPINGS:
        raise ValueError(f"group_by must be one of {GROUPINGS}, not {settings.group_by!r}")
    return settings


@dataclass(frozen=True, slots=True)
class ComponentScore:
    value: float  # what the manager reads: seconds, a rate, yuan, a count, quality 0..100
    low: float  # confidence band of `value`
    high: float
    n: int  # observations behind it: questions, tasks or conversations
    estimate: float  # the shrunk estimate the composite uses
    points: float  # 0..100, 50 = the period's brand average


@dataclass(frozen=True)
class Scorecard:
    group_id: str
    period: str
    n_conversations: int
    score: float
    score_low: float
    score_high: float
    rank: int  # 1 = best in the period
    components: dict[str, ComponentScore | None]
    sentiment: float | None
    sentiment_trend: float | None  # change against the group's previous period
    notes: tuple[str, ...]


@dataclass
class ScorecardTable:
    """All cards of a run as columns; `cards()` gives them as objects."""

    group_ids: list[str]
    period_labels: list[str]
    group: np.ndarray
    period: np.ndarray
    n_conversations: np.ndarray
    components: dict[str, Component]
    points: dict[str, np.ndarray]
    score: np.ndarray
    score_low: np.ndarray
    score_high: np.ndarray
    rank: np.ndarray
    sentiment: np.ndarray
    sentiment_trend: np.ndarray
    omitted: tuple[str, ...]  # components with no observation at all (e.g. quality)
    weights: dict[str, float]
    # observed, but the differences between groups are within sampling noise: shown as not
    # informative and left out of the score (see salesbrain.scoring.reply_quality.reliability)
    uninformative: dict[str, float] = field(default_factory=dict)  # name -> reliability

    def cell(self, i: int) -> int:
        """Position of row `i` in the dense per-component arrays."""
        return int(self.group[i]) * len(self.period_labels) + int(self.period[i])

    def contributions(self, i: int) -> dict[str, float]:
        """Each component's share of row `i`'s score, in points (they sum to the score)."""
        cell = self.cell(i)
        used = {n: self.weights[n] for n in COMPONENTS
                if self.weights[n] > 0 and not np.isnan(self.points[n][cell])}
        total = sum(used.values()) or 1.0
        return {n: w * float(self.points[n][cell]) / total for n, w in used.items()}

    def __len__(self) -> int:
        return len(self.group)

    def cards(self) -> list[Scorecard]:
        return [self.card(i) for i in range(len(self))]

    def card(self, i: int) -> Scorecard:
        cell = self.cell(i)
        components = {name: None if name in self.uninformative
                      else _component_score(self.components[name], self.points[name], cell)
                      for name in COMPONENTS}
        return Scorecard(
            self.group_ids[self.group[i]], self.period_labels[self.period[i]],
            int(self.n_conversations[i]), float(self.score[i]), float(self.score_low[i]),
            float(self.score_high[i]), int(self.rank[i]), components,
            _optional(self.sentiment[i]), _optional(self.sentiment_trend[i]),
            self._notes(components, int(self.n_conversations[i])))

    def _notes(self, components: dict[str, ComponentScore | None], n: int) -> tuple[str, ...]:
        notes = [f"{name} omitted from the score: no model output or labels for it"
                 for name in self.omitted]
        notes += [f"{name} not informative: the differences between guides are within noise "
                  f"(reliability {value:.2f}), left out of the score"
                  for name, value in self.uninformative.items()]
        if "task_execution_rate" not in self.omitted and components["task_execution_rate"] is None:
            notes.append("no outreach tasks assigned: task execution left out of the score")
        if n < FEW_CONVERSATIONS:
            notes.append(f"only {n} conversations: estimates lean on the brand average")
        return tuple(notes)


def score_guides(
    facts: ConversationFacts,
    roster: Sequence[Guide] = (),
    settings: ScorecardSettings | Mapping[str, Any] | None = None,
    weights: ScoreWeights | Mapping[str, Any] | None = None,
) -> ScorecardTable:
    """Scorecards of every guide (or store, region) with activity in each period."""
    s = settings if isinstance(settings, ScorecardSettings) else settings_from(settings)
    w = weights if isinstance(weights, ScoreWeights) else weights_from(weights)
    groups, group_ids = group_index(facts.guide_ids, roster, s.group_by)
    all_ms = np.concatenate([facts.started_ms, facts.task_assigned_ms])
    periods, labels = period_index(all_ms, s.period, s.tz_offset_hours)
    n_conv = len(facts.started_ms)
    conversation_cell = groups[facts.guide] * len(labels) + periods[:n_conv]
    cells = Cells(conversation_cell, conversation_cell[facts.response_conversation],
                  groups[facts.task_guide] * len(labels) + periods[n_conv:],
                  len(group_ids), len(labels))
    components = compute_components(facts, cells, s.z)
    return _table(facts, cells, components, asdict(w), s.z, group_ids, labels)


def _table(facts: ConversationFacts, cells: Cells, components: dict[str, Component],
           weights: dict[str, float], z: float, group_ids: list[str],
           labels: list[str]) -> ScorecardTable:
    conversations = cells.count(cells.conversation)
    active = np.flatnonzero((conversations > 0) | (components["task_execution_rate"].n > 0))
    omitted = tuple(name for name in COMPONENTS
                    if weights[name] > 0 and not (components[name].n > 0).any())
    uninformative = {}
    if "quality" not in omitted and weights["quality"] > 0:
        group_of_conversation = cells.conversation // cells.n_periods
        value = reliability(group_of_conversation, facts.quality.astype(float))
        if value < INFORMATIVE_RELIABILITY:
            uninformative["quality"] = round(value, 3)
            weights = {**weights, "quality": 0.0}
    points, point_sd = _points(components, cells)
    score, sd = _composite(points, point_sd, weights)
    sentiment = _sentiment(facts, cells)
    trend = sentiment - np.concatenate([[np.nan], sentiment[:-1]])
    trend[np.arange(cells.size) % cells.n_periods == 0] = np.nan
    return ScorecardTable(
        group_ids, labels, active // cells.n_periods, active % cells.n_periods,
        conversations[active].astype(int), components, points, score[active],
        np.clip(score - z * sd, 0, 100)[active], np.clip(score + z * sd, 0, 100)[active],
        _ranks(score[active], active % cells.n_periods), sentiment[active], trend[active],
        omitted, weights, uninformative)


def _points(components: dict[str, Component], cells: Cells) -> tuple[dict, dict]:
    """Points of every component and their sd, standardised by the period's prior."""
    points, point_sd = {}, {}
    for name, component in components.items():
        period = np.arange(cells.size) % cells.n_periods
        centre, spread = component.prior.mean[period], component.prior.sd[period]
        usable = spread > 1e-12
        safe = np.where(usable, spread, 1.0)
        zs = np.where(usable, DIRECTIONS[name] * (component.estimate - centre) / safe, 0.0)
        points[name] = np.where(np.isnan(component.estimate), np.nan, 100 * norm.cdf(zs))
        point_sd[name] = np.where(usable, 100 * norm.pdf(zs) * component.sd / safe, 0.0)
    return points, point_sd


def _composite(points: dict[str, np.ndarray], point_sd: dict[str, np.ndarray],
               weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    size = len(next(iter(points.values())))
    total, weight_sum, variance = np.zeros(size), np.zeros(size), np.zeros(size)
    for name, p in points.items():
        w = np.where(np.isnan(p), 0.0, weights[name])
        total += w * np.nan_to_num(p)
        weight_sum += w
        variance += (w * np.nan_to_num(point_sd[name])) ** 2
    safe = np.maximum(weight_sum, 1e-12)
    score = np.where(weight_sum > 0, total / safe, 50.0)
    return score, np.sqrt(variance) / safe


def _ranks(score: np.ndarray, period: np.ndarray) -> np.ndarray:
    order = np.lexsort((-score, period))
    ranks = np.empty(len(score), dtype=np.int64)
    sorted_periods = period[order]
    starts = np.searchsorted(sorted_periods, sorted_periods)
    ranks[order] = np.arange(len(score)) - starts + 1
    return ranks


def _sentiment(facts: ConversationFacts, cells: Cells) -> np.ndarray:
    values = facts.sentiment.astype(float)
    seen = ~np.isnan(values)
    n = cells.count(cells.conversation[seen])
    total = cells.count(cells.conversation[seen], values[seen])
    return np.where(n > 0, total / np.maximum(n, 1), np.nan)


def _component_score(component: Component, points: np.ndarray, cell: int) -> ComponentScore | None:
    if component.n[cell] <= 0:
        return None
    return ComponentScore(float(component.value[cell]), float(component.low[cell]),
                          float(component.high[cell]), int(component.n[cell]),
                          float(component.estimate[cell]), float(points[cell]))


def _optional(value: float) -> float | None:
    return None if np.isnan(value) else float(value)
