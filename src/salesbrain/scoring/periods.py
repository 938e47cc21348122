"""Calendar periods (weeks from Monday, months, or the whole range) and groupings of guides."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from salesbrain.schema import Guide

DAY_MS = 86_400_000
GROUPINGS = ("guide", "store", "region")
_EPOCH_WEEKDAY_SHIFT = 3  # 1970-01-01 was a Thursday: day + 3 counts weeks from Monday


def period_index(
    timestamps_ms: np.ndarray, period: str, tz_offset_hours: float = 8.0
) -> tuple[np.ndarray, list[str]]:
    """Each timestamp's period index and the periods' labels, oldest first.

    Labels: the Monday of the week ("2024-05-06"), the month ("2024-05"), or "all".
    """
    ms = np.asarray(timestamps_ms, dtype=np.int64)
    if period == "all":
        return np.zeros(len(ms), dtype=np.int64), ["all"]
    days = (ms + int(tz_offset_hours * 3_600_000)) // DAY_MS
    if period == "week":
        keys = (days + _EPOCH_WEEKDAY_SHIFT) // 7
    elif period == "month":
        keys = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    else:
        raise ValueError(f"period must be week, month or all, not {period!r}")
    unique, index = np.unique(keys, return_inverse=True)
    labels = [_week_label(int(k)) if period == "week" else _month_label(int(k)) for k in unique]
    return index.astype(np.int64), labels


def _week_label(week: int) -> str:
    return str(np.datetime64(week * 7 - _EPOCH_WEEKDAY_SHIFT, "D"))


def _month_label(month: int) -> str:
    return str(np.datetime64(month, "M"))


def group_index(
    guide_ids: Sequence[str], roster: Sequence[Guide], group_by: str
) -> tuple[np.ndarray, list[str]]:
    """Map each guide (by position in `guide_ids`) to a group: herself, her store or region.

    Guides missing from the roster fall in the group "" (unknown store or region).
    """
    if group_by not in GROUPINGS:
        raise ValueError(f"group_by must be one of {GROUPINGS}, not {group_by!r}")
    if group_by == "guide":
        return np.arange(len(guide_ids), dtype=np.int64), list(guide_ids)
    by_id = {g.guide_id: g for g in roster}
    keys = [getattr(by_id[g], f"{group_by}_id" if group_by == "store" else group_by)
            if g in by_id else "" for g in guide_ids]
    names = sorted(set(keys))
    position = {name: i for i, name in enumerate(names)}
    return np.array([position[k] for k in keys], dtype=np.int64), names
