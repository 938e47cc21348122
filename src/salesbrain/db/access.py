"""Tenant-scoped queries behind the HTTP API: keys, suggestions, feedback, and who sees what.

Visibility is decided here, in one place: a guide sees her own conversations and suggestions,
a manager those of the guides in his stores (from the guide roster), an admin the whole tenant.
Everything is read through a `Database`, so a query can never cross tenants.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import Engine, select, update

from salesbrain.db import tables as t
from salesbrain.db.database import Database, from_ms, now_ms
from salesbrain.schema import Conversation, Order


class Viewer(Protocol):
    """The scope of an authenticated caller (see `salesbrain.security.Principal`)."""

    @property
    def role(self) -> str: ...

    @property
    def guide_id(self) -> str | None: ...

    @property
    def store_ids(self) -> tuple[str, ...]: ...


# ---- API keys ---------------------------------------------------------------------------------


def insert_api_key(store: Database, *, key_id: str, key_hash: str, role: str, guide_id: str | None,
                   store_ids: list[str], label: str) -> None:
    row = {"key_id": key_id, "tenant": store.tenant, "key_hash": key_hash, "role": role,
           "guide_id": guide_id, "store_ids": store_ids, "label": label,
           "created_ms": now_ms(), "revoked": False}
    with store.engine.begin() as conn:
        conn.execute(t.api_keys.insert(), [row])


def api_key_row(engine: Engine, key_id: str) -> Any | None:
    """The key's row whatever its tenant: authentication is what tells the tenant."""
    query = select(t.api_keys).where(t.api_keys.c.key_id == key_id)
    with engine.connect() as conn:
        return conn.execute(query).first()


def list_api_keys(store: Database) -> list[dict[str, Any]]:
    k = t.api_keys.c
    query = (
        select(k.key_id, k.role, k.guide_id, k.store_ids, k.label, k.created_ms, k.revoked)
        .where(k.tenant == store.tenant)
        .order_by(k.created_ms, k.key_id)
    )
    with store.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def revoke_api_key(store: Database, key_id: str) -> bool:
    k = t.api_keys.c
    statement = (
        update(t.api_keys).where(k.tenant == store.tenant, k.key_id == key_id).values(revoked=True)
    )
    with store.engine.begin() as conn:
        return bool(conn.execute(statement).rowcount)


# ---- visibility -------------------------------------------------------------------------------


def visible_guide_ids(store: Database, viewer: Viewer) -> frozenset[str] | None:
    """The guides whose data the viewer may read; None means every guide of the tenant."""
    if viewer.role == "admin":
        return None
    if viewer.role == "guide":
        return frozenset([viewer.guide_id]) if viewer.guide_id else frozenset()
    g = t.guides.c
    query = select(g.guide_id).where(g.tenant == store.tenant, g.store_id.in_(viewer.store_ids))
    with store.engine.connect() as conn:
        return frozenset(conn.scalars(query))


def can_see_guide(store: Database, viewer: Viewer, guide_id: str) -> bool:
    visible = visible_guide_ids(store, viewer)
    return visible is None or guide_id in visible


def visible_conversation(store: Database, viewer: Viewer,
                         conversation_id: str) -> Conversation | None:
    """The conversation when it exists in the tenant and the viewer may read it, else None."""
    conversation = store.conversation(conversation_id)
    if conversation is None or not can_see_guide(store, viewer, conversation.guide_id):
        return None
    return conversation


def conversation_heads(store: Database, viewer: Viewer, *, customer_id: str | None,
                       guide_id: str | None, limit: int) -> list[dict[str, Any]]:
    """Newest conversations the viewer may read, without their messages."""
    c = t.conversations.c
    query = select(c.conversation_id, c.guide_id, c.customer_id, c.room_id, c.started_ms,
                   c.ended_ms, c.n_messages).where(c.tenant == store.tenant)
    visible = visible_guide_ids(store, viewer)
    if visible is not None:
        query = query.where(c.guide_id.in_(sorted(visible)))
    if customer_id is not None:
        query = query.where(c.customer_id == customer_id)
    if guide_id is not None:
        query = query.where(c.guide_id == guide_id)
    query = query.order_by(c.ended_ms.desc(), c.conversation_id).limit(limit)
    with store.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


# ---- suggestions and feedback -----------------------------------------------------------------


def record_suggestions(store: Database, rows: Sequence[dict[str, Any]]) -> None:
    """Database served suggestions (ids minted by the caller, unique per serving)."""
    stamp = now_ms()
    values = [{**row, "tenant": store.tenant, "created_ms": stamp} for row in rows]
    if values:
        with store.engine.begin() as conn:
            conn.execute(t.suggestions.insert(), values)


def suggestion_row(store: Database, suggestion_id: str) -> Any | None:
    s = t.suggestions.c
    query = select(t.suggestions).where(s.tenant == store.tenant, s.suggestion_id == suggestion_id)
    with store.engine.connect() as conn:
        return conn.execute(query).first()


def visible_suggestion(store: Database, viewer: Viewer, suggestion_id: str) -> Any | None:
    """A suggestion of the tenant served to a guide the viewer may read, else None.

    A suggestion served without a guide (inline messages from a manager) belongs to no guide:
    only managers and admins see those.
    """
    row = suggestion_row(store, suggestion_id)
    if row is None:
        return None
    if row.guide_id is None:
        return row if viewer.role != "guide" else None
    return row if can_see_guide(store, viewer, row.guide_id) else None


def record_feedback(store: Database, suggestion_id: str, action: str, sent_text: str | None,
                    guide_id: str | None) -> None:
    row = {"tenant": store.tenant, "suggestion_id": suggestion_id, "action": action,
           "sent_text": sent_text, "guide_id": guide_id, "created_ms": now_ms()}
    with store.engine.begin() as conn:
        conn.execute(t.feedback.insert(), [row])


def feedback_rows(store: Database, suggestion_id: str) -> list[dict[str, Any]]:
    f = t.feedback.c
    query = (
        select(f.action, f.sent_text, f.guide_id, f.created_ms)
        .where(f.tenant == store.tenant, f.suggestion_id == suggestion_id)
        .order_by(f.id)
    )
    with store.engine.connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]


def served_feedback(store: Database) -> list[Any]:
    """Every feedback with the suggestion it is about, in the order it was given.

    Rows carry suggestion_id, conversation_id, text, created_ms (when it was served), action
    and sent_text."""
    s, f = t.suggestions.c, t.feedback.c
    query = (select(s.suggestion_id, s.conversation_id, s.text, s.created_ms, f.action,
                    f.sent_text)
             .join(t.feedback, (f.tenant == s.tenant) & (f.suggestion_id == s.suggestion_id))
             .where(s.tenant == store.tenant).order_by(f.id))
    with store.engine.connect() as conn:
        return list(conn.execute(query))


def order_attributed(store: Database, conversation: Conversation) -> bool:
    """Whether one of the customer's orders is credited to this conversation (default rule)."""
    from salesbrain.attribution import Touch, attribute_orders

    o, m = t.orders.c, t.messages.c
    customer = conversation.customer_id
    orders_query = select(o.order_id, o.ts_ms, o.amount).where(
        o.tenant == store.tenant, o.customer_id == customer)
    touches_query = select(m.conversation_id, m.guide_id, m.ts_ms).where(
        m.tenant == store.tenant, m.customer_id == customer, m.role == "guide",
        m.recalled.is_(False))
    with store.engine.connect() as conn:
        orders = [Order(r.order_id, customer, from_ms(r.ts_ms), r.amount)
                  for r in conn.execute(orders_query)]
        if not orders:
            return False
        touches = [Touch(r.conversation_id, r.guide_id, customer, from_ms(r.ts_ms))
                   for r in conn.execute(touches_query)]
    return any(a.conversation_id == conversation.conversation_id
               for a in attribute_orders(touches, orders))
