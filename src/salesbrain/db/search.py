"""Searching stored conversations by their (redacted) text and labels, and listing the
messages compliance flagged.

Text search: every whitespace-separated term must occur in some message of the conversation.
On SQLite a term of three or more characters is looked up in the trigram FTS5 index
(migration 0005); a shorter one, which a trigram index cannot hold, is a LIKE scan. Postgres
uses ILIKE for every term, over a pg_trgm GIN index (migration 0008). Messages are stored
redacted, so a search never sees (or finds) the phone numbers and names redaction replaced.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    column,
    func,
    literal_column,
    select,
    text,
)

from salesbrain.db import tables as t
from salesbrain.db.database import Database

Sentiment = Literal["negative", "neutral", "positive"]
# Conversation sentiment is the customer's mean P(positive) (`stages.sentiment`).
SENTIMENT_BANDS: dict[str, tuple[float, float]] = {
    "negative": (0.0, 0.4), "neutral": (0.4, 0.6), "positive": (0.6, 1.01)}
TRIGRAM = 3


@dataclass(frozen=True, slots=True)
class SearchFilters:
    q: str | None = None
    intent: str | None = None
    outcome: str | None = None
    sentiment: Sentiment | None = None
    compliance: bool | None = None  # True: with a compliance hit; False: without
    guide_ids: frozenset[str] | None = None  # None: every guide
    since_ms: int | None = None
    until_ms: int | None = None


def search_conversations(store: Database, filters: SearchFilters, *, offset: int,
                         limit: int) -> tuple[int, list[Any]]:
    """The number of matching conversations, and one page of them, newest first."""
    c, lab = t.conversations.c, t.conversation_labels.c
    query = (select(c.conversation_id, c.guide_id, c.customer_id, c.started_ms, c.ended_ms,
                    c.n_messages, lab.outcome, lab.sentiment, lab.compliance_hits)
             .outerjoin(t.conversation_labels, and_(lab.tenant == c.tenant,
                                                     lab.conversation_id == c.conversation_id))
             .where(c.tenant == store.tenant, *_conditions(store, filters)))
    total = select(func.count()).select_from(query.subquery())
    page = query.order_by(c.ended_ms.desc(), c.conversation_id).offset(offset).limit(limit)
    with store.engine.connect() as conn:
        return int(conn.execute(total).scalar_one()), list(conn.execute(page))


def _conditions(store: Database, f: SearchFilters) -> list[ColumnElement[bool]]:
    c, lab = t.conversations.c, t.conversation_labels.c
    found: list[ColumnElement[bool]] = []
    if f.guide_ids is not None:
        found.append(c.guide_id.in_(sorted(f.guide_ids)))
    if f.since_ms is not None:
        found.append(c.ended_ms >= f.since_ms)
    if f.until_ms is not None:
        found.append(c.started_ms < f.until_ms)
    if f.outcome is not None:
        found.append(lab.outcome == f.outcome)
    if f.sentiment is not None:
        low, high = SENTIMENT_BANDS[f.sentiment]
        found.append(and_(lab.sentiment >= low, lab.sentiment < high))
    if f.compliance is not None:
        found.append(lab.compliance_hits > 0 if f.compliance
                     else func.coalesce(lab.compliance_hits, 0) == 0)
    if f.intent is not None:
        found.append(c.conversation_id.in_(_with_intent(store, f.intent)))
    for term in (f.q or "").split():
        found.append(c.conversation_id.in_(_with_term(store, term)))
    return found


def _with_intent(store: Database, intent: str) -> Select[Any]:
    m, ml = t.messages.c, t.message_labels.c
    return (select(m.conversation_id)
            .join(t.message_labels, and_(ml.tenant == m.tenant, ml.msgid == m.msgid))
            .where(m.tenant == store.tenant, ml.intent == intent))


def _with_term(store: Database, term: str) -> Select[Any]:
    m = t.messages.c
    query = select(m.conversation_id).where(m.tenant == store.tenant)
    if store.engine.dialect.name == "sqlite" and len(term) >= TRIGRAM:
        phrase = '"' + term.replace('"', '""') + '"'
        index = text(f"SELECT rowid FROM {t.MESSAGE_SEARCH_TABLE} "
                     f"WHERE {t.MESSAGE_SEARCH_TABLE} MATCH :phrase").bindparams(
                         bindparam("phrase", phrase, unique=True))  # one per term
        return query.where(literal_column("messages.rowid").in_(
            index.columns(column("rowid"))))
    return query.where(m.text.ilike(like_pattern(term), escape="\\"))


def like_pattern(term: str) -> str:
    """`%term%` with LIKE's wildcards in the term escaped (escape character `\\`)."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def first_matches(store: Database, conversation_ids: Sequence[str],
                  q: str | None) -> dict[str, str]:
    """Each conversation's first message containing a term of `q` (its first message when
    `q` is empty)."""
    if not conversation_ids:
        return {}
    m = t.messages.c
    query = (select(m.conversation_id, m.text)
             .where(m.tenant == store.tenant, m.conversation_id.in_(list(conversation_ids)),
                    m.text != "")
             .order_by(m.ts_ms, m.msgid))
    terms = [term.lower() for term in (q or "").split()]
    found: dict[str, str] = {}
    with store.engine.connect() as conn:
        for row in conn.execute(query):
            if row.conversation_id not in found and (
                    not terms or any(term in row.text.lower() for term in terms)):
                found[row.conversation_id] = row.text
    return found


def conversation_intents(store: Database, conversation_ids: Sequence[str]) -> dict[str, list[str]]:
    """The intents stored for each conversation's customer messages, most frequent first."""
    if not conversation_ids:
        return {}
    m, ml = t.messages.c, t.message_labels.c
    query = (select(m.conversation_id, ml.intent, func.count())
             .join(t.message_labels, and_(ml.tenant == m.tenant, ml.msgid == m.msgid))
             .where(m.tenant == store.tenant, m.conversation_id.in_(list(conversation_ids)),
                    ml.intent != "")
             .group_by(m.conversation_id, ml.intent))
    counts: dict[str, list[tuple[int, str]]] = defaultdict(list)
    with store.engine.connect() as conn:
        for conversation_id, intent, n in conn.execute(query):
            counts[conversation_id].append((-int(n), intent))
    return {cid: [intent for _, intent in sorted(pairs)] for cid, pairs in counts.items()}


def flagged_messages(store: Database, guide_ids: Collection[str] | None,
                     since_ms: int | None, until_ms: int | None) -> list[Any]:
    """Messages with compliance hits stored by `analyze`, newest first (rows carry msgid,
    conversation_id, guide_id, ts_ms, text and compliance, a list of hit dicts)."""
    m, ml, lab = t.messages.c, t.message_labels.c, t.conversation_labels.c
    # Only conversations `analyze` counted hits in: most message rows hold an empty list.
    flagged = select(lab.conversation_id).where(lab.tenant == store.tenant,
                                                lab.compliance_hits > 0)
    query = (select(m.msgid, m.conversation_id, m.guide_id, m.ts_ms, m.text, ml.compliance)
             .join(t.message_labels, and_(ml.tenant == m.tenant, ml.msgid == m.msgid))
             .where(m.tenant == store.tenant, m.conversation_id.in_(flagged),
                    ml.compliance.is_not(None)))
    if guide_ids is not None:
        query = query.where(m.guide_id.in_(sorted(guide_ids)))
    if since_ms is not None:
        query = query.where(m.ts_ms >= since_ms)
    if until_ms is not None:
        query = query.where(m.ts_ms < until_ms)
    with store.engine.connect() as conn:
        rows = conn.execute(query.order_by(m.ts_ms.desc(), m.msgid))
        return [row for row in rows if row.compliance]
