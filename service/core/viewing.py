"""Conversations as the manager reads them: labelled per message, and side by side with a
champion's conversation on the same intent."""

from __future__ import annotations

from collections.abc import Mapping

from salesbrain.db import Database
from salesbrain.db.database import from_ms
from salesbrain.db.viewer import StoredMessageLabels, conversation_labels_of, message_labels_of
from salesbrain.schema import Conversation, Guide, Message
from salesbrain.scoring.divergence import Turn, align, first_divergence, turns_of
from service.dashboard_schemas import (
    AlignedRow,
    CoachingPair,
    LabelledConversation,
    LabelledMessage,
    TurnOut,
)
from service.schemas import CoachingPointOut, HitOut

MAX_PAIRS = 6


def labelled_conversation(store: Database, conversation: Conversation,
                          guide_name: str) -> LabelledConversation:
    labels = message_labels_of(store, [m.msgid for m in conversation.messages])
    stored = conversation_labels_of(store, conversation.conversation_id)
    return LabelledConversation(
        conversation_id=conversation.conversation_id, guide_id=conversation.guide_id,
        guide_name=guide_name, customer_id=conversation.customer_id,
        analysed=stored is not None, outcome=stored.outcome or None if stored else None,
        outcome_source=stored.outcome_source or None if stored else None,
        sentiment=stored.sentiment if stored else None,
        quality=stored.quality if stored else None,
        compliance_hits=stored.compliance_hits if stored else 0,
        messages=[_message(m, labels.get(m.msgid)) for m in conversation.messages])


def _message(m: Message, label: StoredMessageLabels | None) -> LabelledMessage:
    return LabelledMessage(
        msgid=m.msgid, role=m.role.value, ts=m.ts, type=m.type.value, text=m.text,
        recalled=m.recalled, redactions=list(m.redactions),
        intent=(label.intent or None) if label else None,
        probability=label.probability if label and label.intent else None,
        uncertain=label.uncertain if label and label.intent else None,
        sentiment=label.sentiment if label else None,
        compliance=[HitOut.model_validate(h) for h in (label.compliance if label else [])])


def coaching_pairs(store: Database, points: list[CoachingPointOut],
                   roster: Mapping[str, Guide]) -> list[CoachingPair]:
    """Her worst-ending conversation on each coaching point beside the champion's example.

    Points whose conversations are gone (or never existed) are left out; intent points come
    before segment points, as the side-by-side compares conversations on the same intent."""
    usable = [p for p in points if p.champion_example and p.guide_examples]
    usable.sort(key=lambda p: p.dimension != "intent")
    wanted = {cid for p in usable for cid in (p.guide_examples[0], p.champion_example or "")}
    found = {c.conversation_id: c for c in store.conversations(conversation_ids=sorted(wanted))}
    pairs: list[CoachingPair] = []
    for point in usable:
        mine, theirs = found.get(point.guide_examples[0]), found.get(point.champion_example or "")
        if mine is not None and theirs is not None and len(pairs) < MAX_PAIRS:
            pairs.append(_pair(store, len(pairs), point, mine, theirs, roster))
    return pairs


def _pair(store: Database, pair_id: int, point: CoachingPointOut, mine: Conversation,
          theirs: Conversation, roster: Mapping[str, Guide]) -> CoachingPair:
    msgids = [m.msgid for c in (mine, theirs) for m in c.messages]
    labels = message_labels_of(store, msgids)
    intents = {k: v.intent for k, v in labels.items() if v.intent}
    hits = {k: len(v.compliance) for k, v in labels.items()}
    rows = align(turns_of(mine, intents, hits), turns_of(theirs, intents, hits))
    champion = roster.get(theirs.guide_id)
    return CoachingPair(
        pair_id=pair_id, dimension=point.dimension, key=point.key,
        n_conversations=point.n_conversations, guide_rate=point.guide_rate,
        champion_rate=point.champion_rate, lag=point.lag,
        guide_conversation_id=mine.conversation_id, guide_outcome=_outcome(store, mine),
        champion_conversation_id=theirs.conversation_id, champion_guide_id=theirs.guide_id,
        champion_name=champion.name if champion else theirs.guide_id,
        champion_outcome=_outcome(store, theirs), first_divergence=first_divergence(rows),
        rows=[AlignedRow(index=r.index, guide=_turn(r.guide), champion=_turn(r.champion),
                         reasons=list(r.reasons)) for r in rows])


def _outcome(store: Database, conversation: Conversation) -> str | None:
    stored = conversation_labels_of(store, conversation.conversation_id)
    return stored.outcome or None if stored else None


def _turn(turn: Turn | None) -> TurnOut | None:
    if turn is None:
        return None
    return TurnOut(role=turn.role, texts=list(turn.texts), started_at=from_ms(turn.started_ms),
                   delay_s=turn.delay_s, intents=list(turn.intents),
                   compliance_hits=turn.compliance_hits)
