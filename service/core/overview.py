"""Store segments and weekly trends, from the tenant's cached scoring facts
(`service.core.facts`).

Segments are computed over the whole brand, so that 50 points stays the brand average, and
only then narrowed to the stores a manager may read.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from salesbrain.db import Database
from salesbrain.schema import Guide
from salesbrain.scoring.daily import daily_activity, trend_sums
from salesbrain.scoring.materialise import SEGMENT_THRESHOLD, brand_segments
from salesbrain.scoring.segments import ABILITY, WILLINGNESS
from salesbrain.taxonomy import SCORECARD_COMPONENTS
from service.core.facts import StampedCache
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
THRESHOLD = SEGMENT_THRESHOLD


def segments(cache: StampedCache, store: Database,
             stores: Collection[str] | None) -> StoreSegments:
    """Every store's segment with the component points behind it; `stores` None: all."""
    every = cache.get(store, "segments_out", lambda: _every_segment(cache, store))
    if stores is None:
        return every
    return StoreSegments(threshold=every.threshold,
                         stores=[s for s in every.stores if s.store_id in stores])


def _every_segment(cache: StampedCache, store: Database) -> StoreSegments:
    roster = cache.roster(store)
    found: list[dict[str, Any]] = cache.get(
        store, "segments", lambda: brand_segments(cache.facts(store), roster), lambda x: x)
    staff: dict[str, list[Guide]] = {}
    for guide in roster:
        staff.setdefault(guide.store_id, []).append(guide)
    rows = []
    for s in found:
        guides = staff.get(s["store_id"], [])
        rows.append(StoreSegmentOut(
            store_id=s["store_id"], region=guides[0].region if guides else "",
            n_guides=len(guides), n_conversations=s["n_conversations"],
            willingness=round(s["willingness"], 1), ability=round(s["ability"], 1),
            segment=s["segment"], segment_name=SEGMENT_NAMES[s["segment"]], action=s["action"],
            action_name=ACTION_NAMES[s["action"]],
            components=[SegmentComponent(key=key, name=SCORECARD_COMPONENTS.get(key, key),
                                         axis="willingness" if key in WILLINGNESS else "ability",
                                         points=s["points"].get(key))
                        for key in (*WILLINGNESS, *ABILITY)]))
    return StoreSegments(threshold=THRESHOLD, stores=sorted(rows, key=lambda r: r.store_id))


def trends(cache: StampedCache, store: Database, guide_ids: Collection[str] | None,
           period: str) -> Trends:
    """Intent mix, outcomes, reply time and conversion per week (or month) of the guides'
    conversations (`guide_ids` None: every guide), summed from the daily aggregates."""
    daily = cache.get(store, "daily", lambda: daily_activity(cache.facts(store)), lambda x: x)
    points = [TrendPoint(
        period=sums.period, conversations=sums.conversations, intents=sums.intents,
        outcomes=sums.outcomes, median_response_s=sums.median_reply_s, replies=sums.replies,
        purchased=(purchased := sums.outcomes.get("purchased", 0)),
        conversion_rate=purchased / sums.conversations if sums.conversations else None)
        for sums in trend_sums(daily, guide_ids, period)]
    return Trends(period_kind=period, points=points)  # type: ignore[arg-type]  # route checks
