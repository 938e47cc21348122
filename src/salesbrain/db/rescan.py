"""Rewrite every stored chat text through a redactor, so that older rows lose what it now catches.

Every stored text that came from a chat is rewritten in place, a batch per transaction, reading
in key order (flat memory whatever the store's size):

- messages.text, with the new kinds added to messages.redactions; their conversations get a new
  `updated_ms`, so the next `salesbrain analyze` relabels them;
- message_labels.compliance: the `matched` excerpt of each compliance hit;
- quarantine.raw (the redacted raw record of a rejected line);
- suggestions.text and feedback.sent_text (served replies and guides' edits, which become
  training pairs and reply-bank candidates).

Training pairs and the reply bank are not stored elsewhere: they are rebuilt from these tables by
the next `salesbrain train`. Running it twice changes nothing the second time.

The queries live here, with the store; the redactor is the caller's (`salesbrain.ingest.rescan`
passes today's rules and name tagger).

    >>> summary = rescan_tables(store, redact_message)  # doctest: +SKIP
    >>> summary.as_dict()["messages_changed"]           # doctest: +SKIP
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Column, Table, bindparam, select, update

from salesbrain.db import tables as t
from salesbrain.db.database import Database, now_ms


class Redaction(Protocol):
    """What a redactor returns (`salesbrain.ingest.redact.Redaction` is one)."""

    @property
    def text(self) -> str: ...

    @property
    def spans(self) -> Sequence[Any]: ...

BATCH = 2000


@dataclass(slots=True)
class RescanSummary:
    messages_scanned: int = 0
    messages_changed: int = 0
    spans_added: Counter[str] = field(default_factory=Counter)
    rows_changed: Counter[str] = field(default_factory=Counter)  # per table beyond messages

    @property
    def changed_anything(self) -> bool:
        return self.messages_changed > 0 or any(self.rows_changed.values())

    def as_dict(self) -> dict[str, Any]:
        return {"messages_scanned": self.messages_scanned,
                "messages_changed": self.messages_changed,
                "spans_added": dict(sorted(self.spans_added.items())),
                "rows_changed": dict(sorted(self.rows_changed.items())),
                "changed_anything": self.changed_anything}


def rescan_tables(store: Database, redactor: Callable[[str], Redaction],
                  batch_size: int = BATCH) -> RescanSummary:
    """Re-redact every stored chat text of `store`'s tenant; see the module docstring."""
    summary = RescanSummary()
    for rows in _pages(store, t.messages, t.messages.c.msgid, batch_size,
                       t.messages.c.text, t.messages.c.redactions, t.messages.c.conversation_id):
        _rescan_messages(store, rows, summary, redactor)
    for table, key, column in ((t.quarantine, t.quarantine.c.id, t.quarantine.c.raw),
                               (t.suggestions, t.suggestions.c.suggestion_id, t.suggestions.c.text),
                               (t.feedback, t.feedback.c.id, t.feedback.c.sent_text)):
        for rows in _pages(store, table, key, batch_size, column):
            _rescan_column(store, table, key, column, rows, summary, redactor)
    return summary


def _pages(store: Database, table: Table, key: Column[Any], batch_size: int,
           *columns: Column[Any]) -> Iterator[list[Any]]:
    """Rows of the tenant in key order, `batch_size` at a time (keyset paging, no OFFSET)."""
    last: Any = None
    while True:
        query = select(key, *columns).where(table.c.tenant == store.tenant)
        if last is not None:
            query = query.where(key > last)
        with store.engine.connect() as conn:
            rows = list(conn.execute(query.order_by(key).limit(batch_size)))
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _rescan_messages(store: Database, rows: list[Any], summary: RescanSummary,
                     redactor: Callable[[str], Redaction]) -> None:
    summary.messages_scanned += len(rows)
    changes, conversations = [], set()
    for msgid, text, kinds, conversation_id in rows:
        if not text:
            continue
        result = redactor(text)
        if not result.spans:
            continue
        summary.spans_added.update(span.kind for span in result.spans)
        known = {k for k in kinds.split(",") if k} | {span.kind for span in result.spans}
        changes.append({"key": msgid, "new_text": result.text,
                        "new_kinds": ",".join(sorted(known))})
        conversations.add(conversation_id)
    if not changes:
        return
    summary.messages_changed += len(changes)
    m, c = t.messages.c, t.conversations.c
    with store.engine.begin() as conn:
        conn.execute(update(t.messages)
                     .where(m.tenant == store.tenant, m.msgid == bindparam("key"))
                     .values(text=bindparam("new_text"), redactions=bindparam("new_kinds")),
                     changes)
        conn.execute(update(t.conversations)
                     .where(c.tenant == store.tenant, c.conversation_id == bindparam("cid"))
                     .values(updated_ms=now_ms()),
                     [{"cid": cid} for cid in sorted(conversations)])
        _rescan_compliance(conn, store.tenant, [row["key"] for row in changes], summary, redactor)


def _rescan_compliance(conn: Any, tenant: str, msgids: list[str], summary: RescanSummary,
                       redactor: Callable[[str], Redaction]) -> None:
    labels = t.message_labels.c
    query = select(labels.msgid, labels.compliance).where(
        labels.tenant == tenant, labels.msgid.in_(msgids), labels.compliance.is_not(None))
    changes = []
    for msgid, hits in conn.execute(query):
        cleaned = [{**hit, "matched": redactor(hit.get("matched", "")).text} for hit in hits]
        if cleaned != hits:
            changes.append({"key": msgid, "new_hits": cleaned})
    if changes:
        summary.rows_changed["message_labels"] += len(changes)
        conn.execute(update(t.message_labels)
                     .where(labels.tenant == tenant, labels.msgid == bindparam("key"))
                     .values(compliance=bindparam("new_hits")), changes)


def _rescan_column(store: Database, table: Table, key: Column[Any], column: Column[Any],
                   rows: list[Any], summary: RescanSummary,
                   redactor: Callable[[str], Redaction]) -> None:
    changes = []
    for row_key, text in rows:
        if not text:
            continue
        result = redactor(text)
        if result.spans:
            changes.append({"key": row_key, "new_value": result.text})
    if changes:
        summary.rows_changed[table.name] += len(changes)
        with store.engine.begin() as conn:
            conn.execute(update(table)
                         .where(table.c.tenant == store.tenant, key == bindparam("key"))
                         .values({column.name: bindparam("new_value")}), changes)
