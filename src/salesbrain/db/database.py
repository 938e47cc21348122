"""The tenant-scoped store: every read and write goes through a `Database` bound to one tenant."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, and_, bindparam, func, select, update

from salesbrain.db import tables as t
from salesbrain.db.engine import insert_ignoring_duplicates, make_engine, migrate, resolve_db_url
from salesbrain.schema import Conversation, Guide, Message, MessageType, Order, OutreachTask, Role

# SQLite accepts 32,766 bound parameters per statement; stay well below for IN lists.
_IN_CHUNK = 900


def now_ms() -> int:
    return int(time.time() * 1000)


def to_ms(ts: datetime) -> int:
    return int(ts.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


@dataclass(slots=True)
class ConversationState:
    """The latest conversation of a guide-customer pair, as sessionisation needs it."""

    conversation_id: str
    started_ms: int
    ended_ms: int
    n_messages: int


PairKey = tuple[str, str, str]  # guide_id, customer_id, room_id


class Database:
    """Reads and writes for one tenant. Cheap to create; share the engine between tenants."""

    def __init__(self, engine: Engine, tenant: str) -> None:
        if not tenant:
            raise ValueError("tenant must be a non-empty name")
        self.engine = engine
        self.tenant = tenant

    @classmethod
    def open(cls, url: str | None = None, tenant: str = "demo", *,
             upgrade: bool = True) -> Database:
        engine = make_engine(resolve_db_url(url))
        if upgrade:
            migrate(engine)
        store = cls(engine, tenant)
        store.ensure_tenant()
        return store

    def for_tenant(self, tenant: str) -> Database:
        return Database(self.engine, tenant)

    def ensure_tenant(self) -> None:
        row = {"tenant": self.tenant, "display_name": self.tenant, "created_ms": now_ms()}
        with self.engine.begin() as conn:
            conn.execute(insert_ignoring_duplicates(self.engine, t.tenants), [row])

    # ---- ingestion writes -------------------------------------------------------------------

    def existing_msgids(self, msgids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(msgids), _IN_CHUNK):
                chunk = msgids[start : start + _IN_CHUNK]
                query = select(t.messages.c.msgid).where(
                    t.messages.c.tenant == self.tenant, t.messages.c.msgid.in_(chunk)
                )
                found.update(conn.scalars(query))
        return found

    def latest_conversations(self, pairs: Iterable[PairKey]) -> dict[PairKey, ConversationState]:
        """The most recent stored conversation of each pair, for continuing a session."""
        wanted = set(pairs)
        customers = sorted({customer for _, customer, _ in wanted})
        c = t.conversations.c
        latest: dict[PairKey, ConversationState] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(customers), _IN_CHUNK):
                query = select(
                    c.guide_id,
                    c.customer_id,
                    c.room_id,
                    c.conversation_id,
                    c.started_ms,
                    c.ended_ms,
                    c.n_messages,
                ).where(
                    c.tenant == self.tenant, c.customer_id.in_(customers[start : start + _IN_CHUNK])
                )
                for row in conn.execute(query):
                    key = (row.guide_id, row.customer_id, row.room_id)
                    if key in wanted and (key not in latest or row.ended_ms > latest[key].ended_ms):
                        latest[key] = ConversationState(
                            row.conversation_id, row.started_ms, row.ended_ms, row.n_messages
                        )
        return latest

    def conversation_states(self, ids: Sequence[str]) -> list[tuple[PairKey, ConversationState]]:
        """Stored state of the given conversations, each with its pair."""
        c = t.conversations.c
        states: list[tuple[PairKey, ConversationState]] = []
        with self.engine.connect() as conn:
            for start in range(0, len(ids), _IN_CHUNK):
                query = select(t.conversations).where(
                    c.tenant == self.tenant, c.conversation_id.in_(ids[start : start + _IN_CHUNK])
                )
                for row in conn.execute(query):
                    pair = (row.guide_id, row.customer_id, row.room_id)
                    state = ConversationState(
                        row.conversation_id, row.started_ms, row.ended_ms, row.n_messages
                    )
                    states.append((pair, state))
        return states

    def mark_recalled(self, msgids: Sequence[str]) -> set[str]:
        """Flag recalled messages (kept, never deleted); returns the ids that were found."""
        found = self.existing_msgids(msgids)
        if found:
            m = t.messages.c
            with self.engine.begin() as conn:
                conn.execute(
                    update(t.messages)
                    .where(m.tenant == self.tenant, m.msgid.in_(sorted(found)))
                    .values(recalled=True)
                )
        return found

    def write_batch(
        self, message_rows: list[dict[str, Any]], conversation_rows: list[dict[str, Any]]
    ) -> int:
        """Insert messages and upsert their conversations in one transaction; returns new rows."""
        stamp = now_ms()
        for row in conversation_rows:
            row["tenant"] = self.tenant
            row["updated_ms"] = stamp
        for row in message_rows:
            row["tenant"] = self.tenant
        with self.engine.begin() as conn:
            stored = 0
            if message_rows:
                statement = insert_ignoring_duplicates(self.engine, t.messages)
                # RETURNING counts exactly the rows inserted, even under concurrent writers.
                result = conn.execute(statement.returning(t.messages.c.msgid), message_rows)
                stored = len(result.all())
            self._upsert_conversations(conn, conversation_rows)
        return stored

    def _upsert_conversations(self, conn: Any, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        conn.execute(insert_ignoring_duplicates(self.engine, t.conversations), rows)
        c = t.conversations.c
        statement = (
            update(t.conversations)
            .where(and_(c.tenant == self.tenant, c.conversation_id == bindparam("cid")))
            .values(
                started_ms=func.min(c.started_ms, bindparam("started_ms")),
                ended_ms=func.max(c.ended_ms, bindparam("ended_ms")),
                n_messages=bindparam("n_messages"),
                updated_ms=bindparam("updated_ms"),
            )
        )
        if self.engine.dialect.name == "postgresql":
            statement = statement.values(
                started_ms=func.least(c.started_ms, bindparam("started_ms")),
                ended_ms=func.greatest(c.ended_ms, bindparam("ended_ms")),
            )
        params = [
            {
                "cid": r["conversation_id"],
                "started_ms": r["started_ms"],
                "ended_ms": r["ended_ms"],
                "n_messages": r["n_messages"],
                "updated_ms": r["updated_ms"],
            }
            for r in rows
        ]
        conn.execute(statement, params)

    def upsert_rows(self, table_name: str, rows: list[dict[str, Any]]) -> int:
        """Insert roster, order or task rows; existing keys are left alone (idempotent)."""
        table = t.metadata.tables[table_name]
        for row in rows:
            row["tenant"] = self.tenant
        if not rows:
            return 0
        statement = insert_ignoring_duplicates(self.engine, table).returning(*table.primary_key)
        with self.engine.begin() as conn:
            return len(conn.execute(statement, rows).all())

    def add_quarantine(self, rows: list[dict[str, Any]]) -> int:
        stamp = now_ms()
        for row in rows:
            row.update(tenant=self.tenant, created_ms=stamp)
        if not rows:
            return 0
        statement = insert_ignoring_duplicates(self.engine, t.quarantine).returning(
            t.quarantine.c.id
        )
        with self.engine.begin() as conn:
            return len(conn.execute(statement, rows).all())

    def set_consents(self, events: Sequence[tuple[str, bool, int]]) -> None:
        """Record (customer, consent, at_ms) events in order, in one transaction.

        A refusal scrubs the text already stored for that customer up to `at_ms`.
        """
        if not events:
            return
        cu, m = t.customers.c, t.messages.c
        set_consent = (
            update(t.customers)
            .where(cu.tenant == self.tenant, cu.customer_id == bindparam("cid"))
            .values(consent=bindparam("consent"), consent_ms=bindparam("at_ms"))
        )
        scrub = (
            update(t.messages)
            .where(
                m.tenant == self.tenant,
                m.customer_id == bindparam("cid"),
                m.ts_ms <= bindparam("at_ms"),
            )
            .values(text="", redactions="no_consent")
        )
        params = [{"cid": c, "consent": ok, "at_ms": at} for c, ok, at in events]
        refusals = [p for p in params if not p["consent"]]
        new_rows = [
            {"tenant": self.tenant, "customer_id": c} for c in dict.fromkeys(e[0] for e in events)
        ]
        with self.engine.begin() as conn:
            conn.execute(insert_ignoring_duplicates(self.engine, t.customers), new_rows)
            conn.execute(set_consent, params)
            if refusals:
                conn.execute(scrub, refusals)

    def set_consent(self, customer_id: str, consent: bool, at_ms: int) -> None:
        self.set_consents([(customer_id, consent, at_ms)])

    def refused_consent(self) -> set[str]:
        cu = t.customers.c
        query = select(cu.customer_id).where(cu.tenant == self.tenant, cu.consent.is_(False))
        with self.engine.connect() as conn:
            return set(conn.scalars(query))

    def set_birthdays(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Store members' birthdays ({customer_id, birthday: "MM-DD" or None}), replacing what
        is stored (members change); a later row for the same customer wins. Returns how many
        customers' birthdays changed."""
        wanted = {row["customer_id"]: row["birthday"] for row in rows}
        stored = self.birthday_texts(list(wanted))
        changed = [{"cid": c, "birthday": b} for c, b in wanted.items()
                   if stored.get(c) != b]  # an unknown customer with no birthday: no change
        if not changed:
            return 0
        cu = t.customers.c
        statement = (update(t.customers)
                     .where(cu.tenant == self.tenant, cu.customer_id == bindparam("cid"))
                     .values(birthday=bindparam("birthday")))
        new_rows = [{"tenant": self.tenant, "customer_id": row["cid"]} for row in changed]
        with self.engine.begin() as conn:
            conn.execute(insert_ignoring_duplicates(self.engine, t.customers), new_rows)
            conn.execute(statement, changed)
        return len(changed)

    def birthday_texts(self, customer_ids: Sequence[str]) -> dict[str, str | None]:
        """The stored "MM-DD" (or None) of those of the customers that are stored."""
        cu = t.customers.c
        found: dict[str, str | None] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(customer_ids), _IN_CHUNK):
                query = select(cu.customer_id, cu.birthday).where(
                    cu.tenant == self.tenant,
                    cu.customer_id.in_(customer_ids[start : start + _IN_CHUNK]))
                found.update((row.customer_id, row.birthday) for row in conn.execute(query))
        return found

    def birthdays(self, customer_ids: Sequence[str] | None = None) -> dict[str, tuple[int, int]]:
        """The known birthdays of the tenant's customers (or of those given): id -> (month, day).
        """
        if customer_ids is not None:
            texts = self.birthday_texts(customer_ids)
        else:
            cu = t.customers.c
            query = select(cu.customer_id, cu.birthday).where(
                cu.tenant == self.tenant, cu.birthday.is_not(None))
            with self.engine.connect() as conn:
                texts = {row.customer_id: row.birthday for row in conn.execute(query)}
        return {customer: (int(text[:2]), int(text[3:]))
                for customer, text in texts.items() if text is not None}

    # ---- reads ------------------------------------------------------------------------------

    def count(self, table_name: str) -> int:
        table = t.metadata.tables[table_name]
        query = select(func.count()).select_from(table).where(table.c.tenant == self.tenant)
        with self.engine.connect() as conn:
            return int(conn.scalar(query) or 0)

    def conversation(self, conversation_id: str) -> Conversation | None:
        found = list(self.conversations(conversation_ids=[conversation_id]))
        return found[0] if found else None

    def conversations(
        self,
        *,
        guide_id: str | None = None,
        conversation_ids: Sequence[str] | None = None,
        updated_since_ms: int | None = None,
        limit: int | None = None,
    ) -> Iterator[Conversation]:
        """Conversations with their messages, oldest first, streamed in chunks."""
        c = t.conversations.c
        query = select(t.conversations).where(c.tenant == self.tenant)
        if guide_id is not None:
            query = query.where(c.guide_id == guide_id)
        if conversation_ids is not None:
            query = query.where(c.conversation_id.in_(list(conversation_ids)))
        if updated_since_ms is not None:
            query = query.where(c.updated_ms > updated_since_ms)
        query = query.order_by(c.started_ms, c.conversation_id).limit(limit)
        with self.engine.connect() as conn:
            heads = list(conn.execute(query))
        for start in range(0, len(heads), 200):
            yield from self._with_messages(heads[start : start + 200])

    def _with_messages(self, heads: Sequence[Any]) -> Iterator[Conversation]:
        m = t.messages.c
        ids = [h.conversation_id for h in heads]
        query = (
            select(t.messages)
            .where(m.tenant == self.tenant, m.conversation_id.in_(ids))
            .order_by(m.conversation_id, m.ts_ms, m.msgid)
        )
        grouped: dict[str, list[Message]] = {cid: [] for cid in ids}
        with self.engine.connect() as conn:
            for row in conn.execute(query):
                grouped[row.conversation_id].append(message_from_row(row))
        for head in heads:
            found = grouped[head.conversation_id]
            if found:
                yield Conversation(
                    head.conversation_id,
                    head.guide_id,
                    head.customer_id,
                    tuple(found),
                    room_id=head.room_id,
                    source=head.source,
                )

    def guides(self) -> list[Guide]:
        g = t.guides.c
        query = select(t.guides).where(g.tenant == self.tenant).order_by(g.guide_id)
        with self.engine.connect() as conn:
            return [Guide(r.guide_id, r.name, r.store_id, r.region) for r in conn.execute(query)]

    def orders(self) -> list[Order]:
        o = t.orders.c
        query = select(t.orders).where(o.tenant == self.tenant).order_by(o.ts_ms, o.order_id)
        with self.engine.connect() as conn:
            return [
                Order(r.order_id, r.customer_id, from_ms(r.ts_ms), r.amount, r.channel)
                for r in conn.execute(query)
            ]

    def outreach_tasks(self) -> list[OutreachTask]:
        k = t.outreach_tasks.c
        query = select(t.outreach_tasks).where(k.tenant == self.tenant).order_by(k.task_id)
        with self.engine.connect() as conn:
            return [
                OutreachTask(
                    r.task_id,
                    r.guide_id,
                    r.customer_id,
                    r.kind,
                    from_ms(r.assigned_ms),
                    from_ms(r.due_ms),
                )
                for r in conn.execute(query)
            ]

    def quarantined(self, limit: int = 100) -> list[dict[str, Any]]:
        q = t.quarantine.c
        query = (
            select(q.source_file, q.line, q.reason, q.raw)
            .where(q.tenant == self.tenant)
            .order_by(q.source_file, q.line)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]


def message_from_row(row: Any) -> Message:
    return Message(
        msgid=row.msgid,
        guide_id=row.guide_id,
        customer_id=row.customer_id,
        role=Role(row.role),
        ts=from_ms(row.ts_ms),
        type=MessageType(row.type),
        text=row.text,
        room_id=row.room_id,
        recalled=bool(row.recalled),
        redactions=tuple(k for k in row.redactions.split(",") if k),
        meta=dict(row.meta or {}),
    )
