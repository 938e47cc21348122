"""Database segments: is a store willing to do the one-to-one work, and able to turn it into sales?

- willingness: the store's points on task execution, reply coverage and reply speed;
- ability: its points on conversion, attributed GMV and reply quality (when scored).

Points come from store-level scorecards (`group_by="store"`, shrunk like guides' cards), so
50 is the brand average. The recommended action follows the segment:

| segment | action |
|---|---|
| willing_and_able | cooperate: give the store campaigns and leads first |
| willing_not_able | coach: pair its guides with champions (see `coaching`) |
| neither | take_over: cloud guides serve the store's customers |
| able_not_willing | take_over: the customers are not being contacted, whatever the skill |

The brand's playbook names the first three; a store that sells well but does not do the
outreach is reported as its own segment so that the manager sees why it is handed over.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from salesbrain.schema import Guide
from salesbrain.scoring.facts import ConversationFacts
from salesbrain.scoring.scorecard import score_guides

WILLINGNESS: tuple[str, ...] = ("task_execution_rate", "reply_coverage", "first_response_s")
ABILITY: tuple[str, ...] = ("conversion_rate", "attributed_gmv", "quality")
ACTIONS: dict[str, str] = {
    "willing_and_able": "cooperate",
    "willing_not_able": "coach",
    "neither": "take_over",
    "able_not_willing": "take_over",
}


@dataclass(frozen=True, slots=True)
class StoreSegment:
    store_id: str
    n_conversations: int
    willingness: float  # 0..100, 50 = brand average
    ability: float
    segment: str
    action: str
    # each willingness and ability component's points (None where the store has no data)
    points: Mapping[str, float | None] = field(default_factory=dict)


def store_segments(
    facts: ConversationFacts,
    roster: Sequence[Guide],
    *,
    threshold: float = 50.0,
    settings: Mapping[str, Any] | None = None,
) -> list[StoreSegment]:
    """Each store's segment over the whole range of the facts (or `settings["period"]`)."""
    overrides = {"period": "all", **dict(settings or {}), "group_by": "store"}
    table = score_guides(facts, roster, overrides)
    latest = table.period == len(table.period_labels) - 1
    segments = []
    for i in np.flatnonzero(latest):
        cell = table.cell(int(i))
        willing = _mean_points(table.points, WILLINGNESS, cell)
        able = _mean_points(table.points, ABILITY, cell)
        segment = _segment(willing >= threshold, able >= threshold)
        points = {name: _points(table.points, name, cell) for name in (*WILLINGNESS, *ABILITY)}
        segments.append(StoreSegment(table.group_ids[table.group[i]],
                                     int(table.n_conversations[i]), willing, able, segment,
                                     ACTIONS[segment], points))
    return segments


def _mean_points(points: dict[str, np.ndarray], names: tuple[str, ...], cell: int) -> float:
    values = [points[name][cell] for name in names if not np.isnan(points[name][cell])]
    return float(np.mean(values)) if values else 50.0


def _points(points: dict[str, np.ndarray], name: str, cell: int) -> float | None:
    value = points[name][cell] if name in points else np.nan
    return None if np.isnan(value) else float(value)


def _segment(willing: bool, able: bool) -> str:
    if willing:
        return "willing_and_able" if able else "willing_not_able"
    return "able_not_willing" if able else "neither"
