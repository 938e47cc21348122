"""A guide's chart series for the drill-down page, from the tenant's cached scoring facts
(`service.core.facts`): opening one guide after another costs only numpy slicing."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from salesbrain.db.database import from_ms
from salesbrain.schema import Guide
from salesbrain.scoring import ConversationFacts
from salesbrain.scoring.champions import GOOD_OUTCOMES
from salesbrain.scoring.periods import period_index
from salesbrain.taxonomy import INTENT_KEYS, INTENTS, OUTCOME_KEYS, SCORECARD_COMPONENTS
from service.dashboard_schemas import (
    Bin,
    ComponentRow,
    ConversationRow,
    FunnelStep,
    GuideDrilldown,
    ResponseTimes,
    SalesPoint,
    ScorePoint,
    Share,
)
from service.schemas import GuideScorecard

RESPONSE_BINS: tuple[tuple[str, float, float | None], ...] = (
    ("30秒内", 0, 30), ("30秒–1分", 30, 60), ("1–3分", 60, 180), ("3–10分", 180, 600),
    ("10–30分", 600, 1800), ("30分–1时", 1800, 3600), ("1–4时", 3600, 14400),
    ("4时以上", 14400, None),
)
RECENT_CONVERSATIONS = 30


def drilldown(facts: ConversationFacts, guide: Guide, card: GuideScorecard | None,
              period: str) -> GuideDrilldown:
    """Every chart of one guide's page; a guide without conversations gets empty series."""
    mine = _rows_of(facts, guide.guide_id)
    return GuideDrilldown(
        guide_id=guide.guide_id, name=guide.name, store_id=guide.store_id, region=guide.region,
        period_kind=period,  # type: ignore[arg-type]  # checked by the route
        scores=_scores(card), components=_components(card),
        notes=list(card.latest.notes) if card else [], response_times=_response_times(facts, mine),
        intents=_intents(facts, mine), funnel=_funnel(facts, mine),
        sales=_sales(facts, mine, period), conversations=_recent(facts, mine))


def _rows_of(facts: ConversationFacts, guide_id: str) -> np.ndarray:
    if guide_id not in facts.guide_ids:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(facts.guide == facts.guide_ids.index(guide_id))


def _scores(card: GuideScorecard | None) -> list[ScorePoint]:
    if card is None:
        return []
    return [ScorePoint(period=c.period, score=c.score, score_low=c.score_low,
                       score_high=c.score_high, n_conversations=c.n_conversations)
            for c in [*card.history[::-1], card.latest]]


def _components(card: GuideScorecard | None) -> list[ComponentRow]:
    if card is None:
        return []
    return [ComponentRow(key=key, name=SCORECARD_COMPONENTS.get(key, key), value=c.value,
                         low=c.low, high=c.high, n=c.n, points=c.points)
            for key, c in card.latest.components.items() if c is not None]


def _response_times(facts: ConversationFacts, mine: np.ndarray) -> ResponseTimes:
    seconds = facts.response_s[np.isin(facts.response_conversation, mine)].astype(float)
    bins = [Bin(label=label, low_s=low, high_s=high,
                count=int(((seconds >= low) & (seconds < (high or np.inf))).sum()))
            for label, low, high in RESPONSE_BINS]
    median = float(np.median(seconds)) if len(seconds) else None
    return ResponseTimes(n=len(seconds), median_s=median, bins=bins)


def _intents(facts: ConversationFacts, mine: np.ndarray) -> list[Share]:
    labelled = facts.intent[facts.intent >= 0]
    hers = facts.intent[mine]
    hers = hers[hers >= 0]
    counts = np.bincount(hers, minlength=len(INTENT_KEYS))
    brand = np.bincount(labelled, minlength=len(INTENT_KEYS)) / max(len(labelled), 1)
    return sorted((Share(key=key, name=INTENTS[key], count=int(counts[k]),
                         share=float(counts[k] / max(len(hers), 1)),
                         brand_share=float(brand[k]))
                   for k, key in enumerate(INTENT_KEYS) if counts[k] or brand[k]),
                  key=lambda s: -s.count)


def _funnel(facts: ConversationFacts, mine: np.ndarray) -> list[FunnelStep]:
    outcome = facts.outcome[mine]
    good = np.isin(outcome, [OUTCOME_KEYS.index(o) for o in GOOD_OUTCOMES])
    steps = (("conversations", "会话", len(mine)),
             ("customer_asked", "客户提问", int((facts.questions[mine] > 0).sum())),
             ("answered", "导购回复", int((facts.answered[mine] > 0).sum())),
             ("good_outcome", "到店/解决/成交", int(good.sum())),
             ("purchased", "成交", int((outcome == OUTCOME_KEYS.index("purchased")).sum())))
    return [FunnelStep(key=key, name=name, count=count) for key, name, count in steps]


def _sales(facts: ConversationFacts, mine: np.ndarray, period: str) -> list[SalesPoint]:
    index, labels = period_index(facts.started_ms[mine], period)
    if not len(mine):
        return []
    purchased = facts.outcome[mine] == OUTCOME_KEYS.index("purchased")
    gmv = np.bincount(index, weights=facts.gmv[mine], minlength=len(labels))
    wins = np.bincount(index, weights=purchased, minlength=len(labels))
    return [SalesPoint(period=label, gmv=round(float(gmv[i]), 2), purchased=int(wins[i]))
            for i, label in enumerate(labels)]


def _recent(facts: ConversationFacts, mine: np.ndarray) -> list[ConversationRow]:
    newest = mine[np.argsort(-facts.started_ms[mine], kind="stable")][:RECENT_CONVERSATIONS]
    return [ConversationRow(
        conversation_id=facts.conversation_ids[i], started_at=from_ms(int(facts.started_ms[i])),
        intent=INTENT_KEYS[facts.intent[i]] if facts.intent[i] >= 0 else None,
        outcome=OUTCOME_KEYS[facts.outcome[i]], gmv=round(float(facts.gmv[i]), 2),
        compliance_hits=int(facts.compliance_hits[i])) for i in newest]


def roster_of(guides: Sequence[Guide]) -> dict[str, Guide]:
    return {g.guide_id: g for g in guides}
