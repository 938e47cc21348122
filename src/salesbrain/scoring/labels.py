"""Where scoring gets its per-conversation labels: those `salesbrain analyze` stored.

`facts_from_store` is the one entry point the report, the API and the evaluations use: it
reads the analysis labels the store holds, lays the caller's labels over them, and streams
every conversation once through `FactsBuilder`. Scoring never runs a model: a conversation
the live brain has not analysed yet has no compliance hits, quality, sentiment or intent, is
counted in `ConversationFacts.unanalysed`, and a warning says to run `salesbrain analyze`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from salesbrain.db.activity import conversation_times, guide_openings
from salesbrain.db.database import Database
from salesbrain.db.labels import conversation_labels, customer_intents
from salesbrain.scoring.facts import ConversationFacts, ConversationInputs, FactSettings
from salesbrain.scoring.features import FactsBuilder, Timeline
from salesbrain.scoring.reply_quality import brand_reply_quality

logger = logging.getLogger(__name__)

# Intents that say little about what the customer came for; a conversation's intent is its
# first customer message with any other intent (or the first labelled one when none has).
_BACKGROUND_INTENTS = frozenset({"greeting", "thanks_closing", "other"})


def labels_from_store(store: Database) -> ConversationInputs:
    """Outcome, compliance hits, quality and sentiment per analysed conversation, plus intents.

    Compliance hits are the stored `compliance_hits`: the hits `analyze` found in the guides'
    texts, recalled messages included."""
    outcomes: dict[str, str] = {}
    hits: dict[str, int] = {}
    quality: dict[str, float] = {}
    sentiment: dict[str, float] = {}
    for row in conversation_labels(store):
        if row.outcome:  # "" when the brain had no outcome stage
            outcomes[row.conversation_id] = row.outcome
        hits[row.conversation_id] = row.compliance_hits
        if row.quality is not None:
            quality[row.conversation_id] = float(row.quality)
        if row.sentiment is not None:
            sentiment[row.conversation_id] = float(row.sentiment)
    return ConversationInputs(outcomes=outcomes, compliance_hits=hits, quality=quality,
                              sentiment=sentiment, intents=conversation_intents(store))


def conversation_intents(store: Database) -> dict[str, str]:
    """Each labelled conversation's main customer intent, from the message labels."""
    first: dict[str, str] = {}
    main: dict[str, str] = {}
    for cid, intent in customer_intents(store):
        if not intent:
            continue
        first.setdefault(cid, intent)
        if intent not in _BACKGROUND_INTENTS:
            main.setdefault(cid, intent)
    return {**first, **main}


def facts_from_store(
    store: Database,
    inputs: ConversationInputs | None = None,
    settings: FactSettings | None = None,
) -> ConversationFacts:
    """One streaming pass over the tenant's conversations (who wrote when); `inputs` override
    stored labels. Reply quality is calibrated on the brand's outcomes (the one place scoring
    reads texts: the guides' opening replies) unless `settings.reply_quality` is "stored"."""
    known = labels_from_store(store)
    analysed = set(known.compliance_hits)  # every stored label row has its hit count
    if inputs is not None:
        known = known.overridden_by(inputs)
    builder = FactsBuilder(store.guides(), store.orders(), store.outreach_tasks(), known,
                           settings)
    facts = builder.add_timelines(timelines(store)).build()
    if builder.settings.reply_quality == "brand":
        calibrated = brand_reply_quality(facts.conversation_ids, facts.guide, facts.outcome,
                                         guide_openings(store))
        if calibrated is not None:
            facts.quality, facts.quality_source = calibrated, "brand"
    facts.unanalysed = sum(cid not in analysed for cid in facts.conversation_ids)
    if facts.unanalysed:
        logger.warning("%d of %d conversations of tenant %s are not analysed yet: they count "
                       "without compliance hits, quality, sentiment or intent; run "
                       "`salesbrain analyze`", facts.unanalysed, len(facts), store.tenant)
    return facts


def timelines(store: Database) -> Iterator[Timeline]:
    """Every conversation's timeline from one ordered query over the messages."""
    return conversation_times(store)
