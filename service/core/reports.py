"""Scorecards, the leaderboard and coaching, computed by `salesbrain.scoring`, cached.

Scoring reads every conversation of a tenant, so its results are kept per tenant and period
kind until the tenant's data changes (new messages, analysis labels, orders, tasks or guides);
the facts behind them are computed once per change for every period kind, coaching and the
drill-down (`service.core.facts`).
Routes depend on the `Reports` protocol; tests substitute it via `app.dependency_overrides`.
"""

from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass
from typing import Any, Literal, Protocol

from salesbrain.db import Database
from salesbrain.db.activity import data_stamp
from salesbrain.scoring import ConversationFacts, score_guides
from salesbrain.scoring.champions import find_champions
from salesbrain.scoring.coaching import coaching_points
from service.core.facts import FactsCache
from service.schemas import (
    Coaching,
    CoachingPointOut,
    GuideScorecard,
    Leaderboard,
    LeaderboardRow,
    ScorecardOut,
)

PeriodKind = Literal["week", "month", "all"]


class Reports(Protocol):
    def scorecard(self, store: Database, guide_id: str,
                  period: PeriodKind) -> GuideScorecard | None: ...

    def leaderboard(self, store: Database, guide_ids: frozenset[str] | None,
                    period: PeriodKind) -> Leaderboard: ...

    def coaching(self, store: Database, guide_id: str) -> Coaching: ...


@dataclass(frozen=True)
class _Scored:
    cards: list[ScorecardOut]  # every guide and period, oldest period first
    periods: list[str]


class ScoringReports:
    """Reports from the store's stored analysis labels (run `salesbrain analyze` to refresh)."""

    def __init__(self, facts: FactsCache | None = None) -> None:
        self.facts = facts or FactsCache()
        self._cache: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def scorecard(self, store: Database, guide_id: str,
                  period: PeriodKind) -> GuideScorecard | None:
        mine = [c for c in self._scored(store, period).cards if c.guide_id == guide_id]
        if not mine:
            return None
        newest_first = mine[::-1]
        return GuideScorecard(guide_id=guide_id, period_kind=period, latest=newest_first[0],
                              history=newest_first[1:])

    def leaderboard(self, store: Database, guide_ids: frozenset[str] | None,
                    period: PeriodKind) -> Leaderboard:
        scored = self._scored(store, period)
        latest = scored.periods[-1] if scored.periods else None
        roster = {g.guide_id: g for g in store.guides()}
        trends = _trends(scored)
        rows = [LeaderboardRow(**card.model_dump(), name=roster[card.guide_id].name,
                               store_id=roster[card.guide_id].store_id,
                               region=roster[card.guide_id].region,
                               trend=trends.get(card.guide_id, []))
                for card in scored.cards if card.period == latest and card.guide_id in roster
                and (guide_ids is None or card.guide_id in guide_ids)]
        return Leaderboard(period_kind=period, period=latest,
                           rows=sorted(rows, key=lambda r: r.rank), trend_periods=scored.periods)

    def coaching(self, store: Database, guide_id: str) -> Coaching:
        points = self._cached(store, "coaching",
                              lambda: _coaching_points(store, self.facts.facts(store)))
        return Coaching(guide_id=guide_id, points=[
            CoachingPointOut.model_validate(_finite(asdict(p)))
            for p in points.get(guide_id, [])])

    def _scored(self, store: Database, period: str) -> _Scored:
        scored: _Scored = self._cached(store, period,
                                       lambda: _score(store, self.facts.facts(store), period))
        return scored

    def _cached(self, store: Database, kind: str, compute: Any) -> Any:
        stamp = data_stamp(store)
        key = (store.tenant, kind)
        with self._lock:  # one computation per tenant at a time; later callers reuse it
            found = self._cache.get(key)
            if found is None or found[0] != stamp:
                found = self._cache[key] = (stamp, compute())
            return found[1]


def _score(store: Database, facts: ConversationFacts, period: str) -> _Scored:
    table = score_guides(facts, store.guides(), {"period": period})
    cards = [_card(card) for card in table.cards()]
    cards.sort(key=lambda card: table.period_labels.index(card.period))
    return _Scored(cards, list(table.period_labels))


def _trends(scored: _Scored) -> dict[str, list[float | None]]:
    """Each guide's score per period, oldest first (None where she had no card)."""
    position = {label: i for i, label in enumerate(scored.periods)}
    trends: dict[str, list[float | None]] = {}
    for card in scored.cards:
        trend = trends.setdefault(card.guide_id, [None] * len(scored.periods))
        trend[position[card.period]] = card.score
    return trends


def _coaching_points(store: Database, facts: ConversationFacts) -> dict[str, Any]:
    table = score_guides(facts, store.guides(), {"period": "all"})
    return coaching_points(facts, find_champions(table, store.guides()))


def _card(card: Any) -> ScorecardOut:
    data = _finite(asdict(card))
    data["guide_id"] = data.pop("group_id")
    data["notes"] = list(data["notes"])
    return ScorecardOut.model_validate(data)


def _finite(value: Any) -> Any:
    """NaN and infinities become None: JSON has no such numbers."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
