"""Scorecards, the leaderboard and coaching, computed by `salesbrain.scoring`, cached.

Scoring reads every conversation of a tenant, so its results are kept per tenant and period
kind until the tenant's data changes (new messages, analysis labels, orders, tasks or guides);
the facts behind them are computed once per change for every period kind, coaching and the
drill-down (`service.core.facts`).
Routes depend on the `Reports` protocol; tests substitute it via `app.dependency_overrides`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal, Protocol

from salesbrain.db import Database
from salesbrain.scoring import ConversationFacts, score_guides
from salesbrain.scoring.champions import find_champions
from salesbrain.scoring.coaching import coaching_points
from salesbrain.scoring.materialise import finite
from service.core.facts import StampedCache
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
                    period: PeriodKind, limit: int | None = None,
                    offset: int = 0) -> Leaderboard: ...

    def coaching(self, store: Database, guide_id: str) -> Coaching: ...


@dataclass(frozen=True)
class _Scored:
    """One period kind's cards as plain dictionaries (as `salesbrain.scoring.materialise`
    stores them), indexed once so that a request converts only the rows it returns."""

    periods: list[str]
    by_guide: dict[str, list[dict[str, Any]]]  # each guide's cards, oldest period first
    latest: list[dict[str, Any]]  # the latest period's cards by rank
    trends: dict[str, list[float | None]]  # each guide's score per period (None: no card)

    @classmethod
    def of(cls, cards: list[dict[str, Any]], periods: list[str]) -> _Scored:
        position = {label: i for i, label in enumerate(periods)}
        by_guide: dict[str, list[dict[str, Any]]] = {}
        trends: dict[str, list[float | None]] = {}
        for card in cards:
            card = finite(card)
            card["guide_id"] = card.pop("group_id")
            by_guide.setdefault(card["guide_id"], []).append(card)
            trend = trends.setdefault(card["guide_id"], [None] * len(periods))
            trend[position[card["period"]]] = card["score"]
        for mine in by_guide.values():
            mine.sort(key=lambda card: position[card["period"]])
        latest = sorted((mine[-1] for mine in by_guide.values()
                         if periods and mine[-1]["period"] == periods[-1]),
                        key=lambda card: card["rank"])
        return cls(periods, by_guide, latest, trends)


class ScoringReports:
    """Reports from the store's stored analysis labels (run `salesbrain analyze` to refresh)."""

    def __init__(self, facts: StampedCache | None = None) -> None:
        self.facts = facts or StampedCache()

    def scorecard(self, store: Database, guide_id: str,
                  period: PeriodKind) -> GuideScorecard | None:
        mine = self._scored(store, period).by_guide.get(guide_id)
        if not mine:
            return None
        newest_first = [ScorecardOut.model_validate(card) for card in mine[::-1]]
        return GuideScorecard(guide_id=guide_id, period_kind=period, latest=newest_first[0],
                              history=newest_first[1:])

    def leaderboard(self, store: Database, guide_ids: frozenset[str] | None,
                    period: PeriodKind, limit: int | None = None,
                    offset: int = 0) -> Leaderboard:
        """The latest period's cards in scope by rank, rows `offset` to `offset + limit`."""
        scored = self._scored(store, period)
        roster = {guide.guide_id: guide for guide in self.facts.roster(store)}
        in_scope = [card for card in scored.latest if card["guide_id"] in roster
                    and (guide_ids is None or card["guide_id"] in guide_ids)]
        page = in_scope[offset:None if limit is None else offset + limit]
        rows = [LeaderboardRow.model_validate({
            **card, "name": roster[card["guide_id"]].name,
            "store_id": roster[card["guide_id"]].store_id,
            "region": roster[card["guide_id"]].region,
            "trend": scored.trends.get(card["guide_id"], [])}) for card in page]
        latest = scored.periods[-1] if scored.periods else None
        return Leaderboard(period_kind=period, period=latest, rows=rows,
                           trend_periods=scored.periods, total=len(in_scope), offset=offset)

    def coaching(self, store: Database, guide_id: str) -> Coaching:
        points = self.facts.get(store, "coaching",
                                lambda: _coaching_points(store, self.facts))
        return Coaching(guide_id=guide_id, points=[
            CoachingPointOut.model_validate(finite(asdict(p)))
            for p in points.get(guide_id, [])])

    def _scored(self, store: Database, period: str) -> _Scored:
        return self.facts.get(store, f"scores:{period}",
                              lambda: _score(store, self.facts.facts(store), period),
                              _scored_from_snapshot)


def _score(store: Database, facts: ConversationFacts, period: str) -> _Scored:
    table = score_guides(facts, store.guides(), {"period": period})
    return _Scored.of([asdict(card) for card in table.cards()], list(table.period_labels))


def _scored_from_snapshot(found: dict[str, Any]) -> _Scored:
    """The cards `analyze` materialised (`salesbrain.scoring.materialise.scores_payload`)."""
    return _Scored.of(found["cards"], list(found["periods"]))


def _coaching_points(store: Database, cache: StampedCache) -> dict[str, Any]:
    champions = find_champions(cache.overall_scores(store), cache.roster(store))
    return coaching_points(cache.facts(store), champions)
