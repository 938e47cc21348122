"""Champions: the best guides of each store or region, and the conversations they won.

A champion is ranked on her composite score (already shrunk toward the brand mean, so a
short lucky streak does not make one) and must have at least `min_conversations` in the
period. Their conversations that ended well feed the reply bank and the coaching examples.

>>> champions = find_champions(table, roster, by="store", top=1)  # doctest: +SKIP
>>> ids = champion_conversation_ids(facts, champions)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from salesbrain.db.database import Database
from salesbrain.schema import Conversation, Guide
from salesbrain.scoring.facts import ConversationFacts
from salesbrain.scoring.scorecard import ScorecardTable
from salesbrain.taxonomy import OUTCOME_KEYS

GOOD_OUTCOMES: tuple[str, ...] = ("purchased", "store_visit", "resolved")
_ID_CHUNK = 500


@dataclass(frozen=True, slots=True)
class Champion:
    guide_id: str
    group: str  # the store or region she leads ("" for the whole brand)
    score: float
    score_low: float
    n_conversations: int
    rank: int  # 1 = best of her group


def find_champions(
    table: ScorecardTable,
    roster: Sequence[Guide],
    *,
    by: str = "store",
    top: int = 1,
    min_conversations: int = 30,
    period: str | None = None,
) -> list[Champion]:
    """The `top` guides of each store, region or the brand (`by="brand"`) in one period.

    `table` must hold guide scorecards; `period` defaults to its latest period.
    """
    if by not in ("store", "region", "brand"):
        raise ValueError(f"champions are chosen per store, region or brand, not {by!r}")
    if top < 1:
        raise ValueError("top must be at least 1")
    wanted = table.period_labels.index(period) if period else len(table.period_labels) - 1
    by_id = {g.guide_id: g for g in roster}
    ranked: dict[str, list[tuple[float, int]]] = {}
    eligible = (table.period == wanted) & (table.n_conversations >= min_conversations)
    for row in np.flatnonzero(eligible).tolist():
        key = _group_of(by_id.get(table.group_ids[table.group[row]]), by)
        ranked.setdefault(key, []).append((-float(table.score[row]), row))
    champions = []
    for key in sorted(ranked):
        for rank, (_, row) in enumerate(sorted(ranked[key])[:top], start=1):
            champions.append(Champion(
                table.group_ids[table.group[row]], key, float(table.score[row]),
                float(table.score_low[row]), int(table.n_conversations[row]), rank))
    return champions


def _group_of(guide: Guide | None, by: str) -> str:
    if guide is None or by == "brand":
        return ""
    return guide.store_id if by == "store" else guide.region


def champion_conversation_ids(
    facts: ConversationFacts,
    champions: Sequence[Champion],
    outcomes: Sequence[str] = GOOD_OUTCOMES,
) -> list[str]:
    """Ids of the champions' conversations whose outcome is one of `outcomes`, oldest first."""
    codes = [OUTCOME_KEYS.index(o) for o in outcomes]
    guides = [facts.guide_ids.index(c.guide_id) for c in champions if c.guide_id in facts.guide_ids]
    chosen = np.isin(facts.guide, guides) & np.isin(facts.outcome, codes)
    order = np.flatnonzero(chosen)
    order = order[np.argsort(facts.started_ms[order], kind="stable")]
    return [facts.conversation_ids[i] for i in order]


def champion_conversations(
    store: Database,
    facts: ConversationFacts,
    champions: Sequence[Champion],
    outcomes: Sequence[str] = GOOD_OUTCOMES,
) -> Iterator[Conversation]:
    """The champions' well-ended conversations with their messages, for the reply bank."""
    ids = champion_conversation_ids(facts, champions, outcomes)
    for start in range(0, len(ids), _ID_CHUNK):
        yield from store.conversations(conversation_ids=ids[start : start + _ID_CHUNK])
