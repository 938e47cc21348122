"""Daily aggregates per guide: what the manager's trends are summed from.

One row per guide and local day with conversations: how many, their intent mix and outcomes,
and a histogram of how fast the customers' questions in them were answered. A trend over any
set of guides and any week or month is then a sum over rows, not a pass over conversations:
on a brand of 10,000 guides x 30 days that is 300,000 rows instead of 1.2 million
conversations and 3 million answered questions.

The reply-time histogram has `REPLY_BINS` log-spaced bins from 1 s to 7 days, so a median read
from it (`median_reply_s`, interpolated within its bin) is within about 7% of the exact one.
The histogram is kept sparse (row, bin, count): most guide-days fill a handful of bins.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import numpy as np

from salesbrain.scoring.facts import ConversationFacts
from salesbrain.scoring.periods import DAY_MS, period_index
from salesbrain.taxonomy import INTENT_KEYS, OUTCOME_KEYS

REPLY_BINS = 96
FIRST_S, LAST_S = 1.0, 7 * 86_400.0
# bin 0 holds replies under FIRST_S, the last bin those of LAST_S and more
EDGES = np.geomspace(FIRST_S, LAST_S, REPLY_BINS - 1)
TZ_OFFSET_HOURS = 8.0  # the brand's time zone, as the scorecards' periods use


@dataclass
class DailyActivity:
    """Rows sorted by day, then guide."""

    guide_ids: list[str]
    guide: np.ndarray  # int32 index into guide_ids
    day: np.ndarray  # int64 local days since 1970-01-01
    conversations: np.ndarray  # int32
    intents: np.ndarray  # int32 [rows, len(INTENT_KEYS)], the conversations' main intents
    outcomes: np.ndarray  # int32 [rows, len(OUTCOME_KEYS)]
    reply_row: np.ndarray  # int32: the sparse reply-time histogram's row,
    reply_bin: np.ndarray  # int16: bin,
    reply_count: np.ndarray  # int32: and count

    def __len__(self) -> int:
        return len(self.guide)


@dataclass(frozen=True)
class TrendSums:
    """One period's sums over the chosen guides."""

    period: str
    conversations: int
    intents: dict[str, int]
    outcomes: dict[str, int]
    replies: int
    median_reply_s: float | None


def daily_activity(facts: ConversationFacts,
                   tz_offset_hours: float = TZ_OFFSET_HOURS) -> DailyActivity:
    n_guides = max(len(facts.guide_ids), 1)
    day = (facts.started_ms.astype(np.int64) + int(tz_offset_hours * 3_600_000)) // DAY_MS
    keys, row = np.unique(day * n_guides + facts.guide, return_inverse=True)
    rows = len(keys)
    known = facts.intent >= 0
    intents = np.bincount(row[known] * len(INTENT_KEYS) + facts.intent[known],
                          minlength=rows * len(INTENT_KEYS)).reshape(rows, len(INTENT_KEYS))
    outcomes = np.bincount(row * len(OUTCOME_KEYS) + facts.outcome,
                           minlength=rows * len(OUTCOME_KEYS)).reshape(rows, len(OUTCOME_KEYS))
    reply_keys, reply_count = np.unique(
        row[facts.response_conversation] * REPLY_BINS + reply_bins(facts.response_s),
        return_counts=True)
    return DailyActivity(
        guide_ids=list(facts.guide_ids), guide=(keys % n_guides).astype(np.int32),
        day=keys // n_guides, conversations=np.bincount(row, minlength=rows).astype(np.int32),
        intents=intents.astype(np.int32), outcomes=outcomes.astype(np.int32),
        reply_row=(reply_keys // REPLY_BINS).astype(np.int32),
        reply_bin=(reply_keys % REPLY_BINS).astype(np.int16),
        reply_count=reply_count.astype(np.int32))


def reply_bins(seconds: np.ndarray) -> np.ndarray:
    return np.searchsorted(EDGES, np.asarray(seconds, dtype=np.float64), side="right")


def trend_sums(daily: DailyActivity, guide_ids: Collection[str] | None, period: str,
               tz_offset_hours: float = TZ_OFFSET_HOURS) -> list[TrendSums]:
    """Per week or month (oldest first), the sums over the rows of `guide_ids` (None: all)."""
    if guide_ids is None:
        rows = np.arange(len(daily))
    else:
        codes = [k for k, g in enumerate(daily.guide_ids) if g in guide_ids]
        rows = np.flatnonzero(np.isin(daily.guide, codes))
    if not len(rows):
        return []
    local_ms = daily.day[rows] * DAY_MS - int(tz_offset_hours * 3_600_000)
    index, labels = period_index(local_ms, period, tz_offset_hours)
    starts = np.flatnonzero(np.r_[True, index[1:] != index[:-1]])  # rows are sorted by day
    conversations = np.add.reduceat(daily.conversations[rows], starts)
    intents = np.add.reduceat(daily.intents[rows], starts, axis=0)
    outcomes = np.add.reduceat(daily.outcomes[rows], starts, axis=0)
    period_of_row = np.full(len(daily), -1, dtype=np.int64)
    period_of_row[rows] = index
    entry_period = period_of_row[daily.reply_row]
    chosen = entry_period >= 0
    histogram = np.bincount(entry_period[chosen] * REPLY_BINS + daily.reply_bin[chosen],
                            weights=daily.reply_count[chosen],
                            minlength=len(labels) * REPLY_BINS).reshape(len(labels), REPLY_BINS)
    return [TrendSums(
        period=labels[p], conversations=int(conversations[p]),
        intents={key: int(v) for key, v in zip(INTENT_KEYS, intents[p], strict=True) if v},
        outcomes={key: int(v) for key, v in zip(OUTCOME_KEYS, outcomes[p], strict=True) if v},
        replies=int(histogram[p].sum()), median_reply_s=median_reply_s(histogram[p]))
        for p in range(len(labels))]


def median_reply_s(histogram: np.ndarray) -> float | None:
    """The median of a reply-time histogram, interpolated geometrically within its bin."""
    total = float(histogram.sum())
    if total <= 0:
        return None
    cumulative = np.cumsum(histogram)
    k = int(np.searchsorted(cumulative, total / 2))
    low = EDGES[k - 1] if k > 0 else FIRST_S / 2
    high = EDGES[k] if k < len(EDGES) else LAST_S * 2
    before = float(cumulative[k - 1]) if k > 0 else 0.0
    share = (total / 2 - before) / float(histogram[k])
    return float(low * (high / low) ** share)
