"""Guide scorecards, champions, coaching, store segments and monthly recall lists.

The flow: `facts_from_store` reduces every conversation to a few numbers in one streaming
pass; `score_guides` turns the facts into per-period scorecards with shrunk components and
confidence bands; champions, coaching and store segments read the scorecards and facts.

>>> facts = facts_from_store(store)                                  # doctest: +SKIP
>>> table = score_guides(facts, store.guides(), {"period": "week"})  # doctest: +SKIP
>>> champions = find_champions(table, store.guides(), by="store")    # doctest: +SKIP
>>> points = coaching_points(facts, champions)                       # doctest: +SKIP
"""

from salesbrain.scoring.champions import (
    Champion,
    champion_conversation_ids,
    champion_conversations,
    find_champions,
)
from salesbrain.scoring.coaching import CoachingPoint, SideBySide, coaching_points, side_by_side
from salesbrain.scoring.facts import (
    ConversationFacts,
    ConversationInputs,
    FactSettings,
)
from salesbrain.scoring.features import FactsBuilder, Timeline, timeline_of
from salesbrain.scoring.labels import facts_from_store, labels_from_store, timelines
from salesbrain.scoring.outreach import (
    RecallTask,
    customer_owners,
    monthly_recall,
    read_birthdays,
    write_recall_tasks,
)
from salesbrain.scoring.scorecard import (
    ComponentScore,
    Scorecard,
    ScorecardSettings,
    ScorecardTable,
    ScoreWeights,
    score_guides,
    settings_from,
    weights_from,
)
from salesbrain.scoring.segments import StoreSegment, store_segments

__all__ = [
    "Champion", "CoachingPoint", "ComponentScore", "ConversationFacts", "ConversationInputs",
    "FactSettings", "FactsBuilder", "RecallTask", "ScoreWeights", "Scorecard",
    "ScorecardSettings", "ScorecardTable", "SideBySide", "StoreSegment", "Timeline",
    "champion_conversation_ids", "champion_conversations", "coaching_points",
    "customer_owners", "facts_from_store", "find_champions",
    "labels_from_store", "monthly_recall", "read_birthdays", "score_guides",
    "settings_from", "side_by_side", "store_segments", "timeline_of", "timelines",
    "weights_from", "write_recall_tasks",
]
