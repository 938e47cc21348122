"""Store segments and weekly trends, from the tenant's cached scoring facts
(`service.core.facts`).

Segments are computed over the whole brand, so that 50 points stays the brand average, and
only then narrowed to the stores a manager may read.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np

from salesbrain.schema import Guide
from salesbrain.scoring import ConversationFacts, store_segments
from salesbrain.scoring.periods import period_index
from salesbrain.scoring.segments import ABILITY, WILLINGNESS
from salesbrain.taxonomy import INTENT_KEYS, OUTCOME_KEYS, SCORECARD_COMPONENTS
from service.insight_schemas import (
    SegmentComponent,
    StoreSegmentOut,
    StoreSegments,
    TrendPoint,
    Trends,
)

SEGMENT_NAMES = {"willing_and_able": "有意愿有能力", "willing_not_able": "有意愿缺能力",
                 "able_not_willing": "有能力缺意愿", "neither": "意愿能力均不足"}
ACTION_NAMES = {"cooperate": "合作：优先给活动和线索", "coach": "辅导：与冠军导购结对",
                "take_over": "接管：由云导购服务客户"}
THRESHOLD = 50.0


def segments(facts: ConversationFacts, roster: Sequence[Guide],
             stores: Collection[str] | None) -> StoreSegments:
    """Every store's segment with the component points behind it; `stores` None: all."""
    found = store_segments(facts, roster, threshold=THRESHOLD) if len(facts) else []
    rows = []
    for s in found:
        if stores is not None and s.store_id not in stores:
            continue
        staff = [g for g in roster if g.store_id == s.store_id]
        rows.append(StoreSegmentOut(
            store_id=s.store_id, region=staff[0].region if staff else "", n_guides=len(staff),
            n_conversations=s.n_conversations, willingness=round(s.willingness, 1),
            ability=round(s.ability, 1), segment=s.segment,
            segment_name=SEGMENT_NAMES[s.segment], action=s.action,
            action_name=ACTION_NAMES[s.action],
            components=[SegmentComponent(key=key, name=SCORECARD_COMPONENTS.get(key, key),
                                         axis="willingness" if key in WILLINGNESS else "ability",
                                         points=s.points.get(key))
                        for key in (*WILLINGNESS, *ABILITY)]))
    return StoreSegments(threshold=THRESHOLD, stores=sorted(rows, key=lambda r: r.store_id))


def trends(facts: ConversationFacts, guide_ids: Collection[str] | None, period: str) -> Trends:
    """Intent mix, outcomes, reply time and conversion per week (or month) of the guides'
    conversations; `guide_ids` None: every guide."""
    rows = _rows_of(facts, guide_ids)
    if not len(rows):
        return Trends(period_kind=period, points=[])  # type: ignore[arg-type]  # route checks
    index, labels = period_index(facts.started_ms[rows], period)
    answered_in = np.searchsorted(rows, facts.response_conversation)
    answered = np.isin(facts.response_conversation, rows)
    reply_period = index[np.minimum(answered_in, len(rows) - 1)]
    points = [_point(facts, rows[index == i], facts.response_s[answered & (reply_period == i)],
                     label) for i, label in enumerate(labels)]
    return Trends(period_kind=period, points=points)  # type: ignore[arg-type]


def _rows_of(facts: ConversationFacts, guide_ids: Collection[str] | None) -> np.ndarray:
    if guide_ids is None:
        return np.arange(len(facts), dtype=np.int64)
    codes = [k for k, g in enumerate(facts.guide_ids) if g in guide_ids]
    return np.flatnonzero(np.isin(facts.guide, codes))


def _point(facts: ConversationFacts, rows: np.ndarray, reply_s: np.ndarray,
           label: str) -> TrendPoint:
    intents = np.bincount(facts.intent[rows][facts.intent[rows] >= 0],
                          minlength=len(INTENT_KEYS))
    outcomes = np.bincount(facts.outcome[rows], minlength=len(OUTCOME_KEYS))
    purchased = int(outcomes[OUTCOME_KEYS.index("purchased")])
    return TrendPoint(
        period=label, conversations=len(rows),
        intents={key: int(intents[k]) for k, key in enumerate(INTENT_KEYS) if intents[k]},
        outcomes={key: int(outcomes[k]) for k, key in enumerate(OUTCOME_KEYS) if outcomes[k]},
        median_response_s=float(np.median(reply_s)) if len(reply_s) else None,
        replies=len(reply_s), purchased=purchased,
        conversion_rate=purchased / len(rows) if len(rows) else None)
