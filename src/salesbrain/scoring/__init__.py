"""Guide scorecards, champions, coaching, store segments and monthly recall lists.

The flow: `facts_from_store` reduces every conversation to a few numbers in one streaming
pass; `score_guides` turns the facts into per-period scorecards with shrunk components and
confidence bands; champions, coaching and store segments read the scorecards and facts.
"""

from salesbrain.scoring.facts import (
    ConversationFacts,
    ConversationInputs,
    FactSettings,
    Labellers,
)
from salesbrain.scoring.features import FactsBuilder, Timeline, timeline_of
from salesbrain.scoring.labels import (
    compliance_labeller,
    facts_from_store,
    labels_from_store,
    quality_labeller,
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

__all__ = [
    "ComponentScore", "ConversationFacts", "ConversationInputs", "FactSettings", "FactsBuilder",
    "Labellers", "ScoreWeights", "Scorecard", "ScorecardSettings", "ScorecardTable",
    "compliance_labeller", "facts_from_store", "labels_from_store", "quality_labeller",
    "score_guides", "settings_from", "timeline_of", "Timeline", "weights_from",
]
