"""What guides did with their monthly recall tasks: done or skipped, one row per task.

The tasks themselves are recomputed from orders (`salesbrain.scoring.outreach`); the row keeps
the task's guide, customer and group as they were when she answered.
"""

from __future__ import annotations

from sqlalchemy import delete, select

from salesbrain.db import tables as t
from salesbrain.db.database import Database, now_ms


def set_recall_status(store: Database, *, task_id: str, month: str, guide_id: str,
                      customer_id: str, group: str, status: str) -> None:
    """Record (or replace) the task's status."""
    r = t.recall_statuses.c
    row = {"tenant": store.tenant, "task_id": task_id, "month": month, "guide_id": guide_id,
           "customer_id": customer_id, "recall_group": group, "status": status,
           "updated_ms": now_ms()}
    with store.engine.begin() as conn:
        conn.execute(delete(t.recall_statuses).where(r.tenant == store.tenant,
                                                     r.task_id == task_id))
        conn.execute(t.recall_statuses.insert(), [row])


def recall_statuses(store: Database, month: str) -> dict[str, str]:
    """The month's answered tasks: task id -> done | skipped."""
    r = t.recall_statuses.c
    query = select(r.task_id, r.status).where(r.tenant == store.tenant, r.month == month)
    with store.engine.connect() as conn:
        return {row.task_id: row.status for row in conn.execute(query)}


def customer_texts(store: Database, customer_ids: list[str],
                   chunk: int = 500) -> dict[str, list[tuple[str, str]]]:
    """Each customer's messages as (role, text), oldest first."""
    m = t.messages.c
    found: dict[str, list[tuple[str, str]]] = {}
    with store.engine.connect() as conn:
        for start in range(0, len(customer_ids), chunk):
            query = (select(m.customer_id, m.role, m.text)
                     .where(m.tenant == store.tenant,
                            m.customer_id.in_(customer_ids[start:start + chunk]),
                            m.recalled.is_(False))
                     .order_by(m.ts_ms, m.msgid))
            for row in conn.execute(query):
                found.setdefault(row.customer_id, []).append((row.role, row.text))
    return found
