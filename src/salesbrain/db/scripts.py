"""Tenant-scoped queries on the script library (话术库): list, add, edit and retire scripts.

A script's id is a hash of its intent and first text, so mining or importing the same reply
twice stores it once; an edit keeps the id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update

from salesbrain.db import tables as t
from salesbrain.db.database import Database, now_ms
from salesbrain.db.engine import insert_ignoring_duplicates

SCRIPT_STATUSES: tuple[str, ...] = ("active", "retired")
SCRIPT_SOURCES: tuple[str, ...] = ("mined", "manual")


@dataclass(frozen=True, slots=True)
class Script:
    script_id: str
    intent: str
    text: str
    tags: tuple[str, ...] = ()
    status: str = "active"
    source: str = "manual"
    uses: int = 0
    created_ms: int = 0
    updated_ms: int = 0


@dataclass(frozen=True, slots=True)
class NewScript:
    intent: str
    text: str
    tags: tuple[str, ...] = field(default_factory=tuple)
    source: str = "manual"
    uses: int = 0


def script_id_of(intent: str, text: str) -> str:
    return "sc_" + hashlib.sha1(f"{intent}\x1f{text}".encode()).hexdigest()[:16]


def _script(row: Any) -> Script:
    return Script(row.script_id, row.intent, row.text, tuple(row.tags or ()), row.status,
                  row.source, int(row.uses or 0), row.created_ms, row.updated_ms)


def list_scripts(store: Database, *, intent: str | None = None,
                 status: str | None = None) -> list[Script]:
    """The tenant's scripts, most-used first, optionally of one intent and one status."""
    s = t.scripts.c
    query = select(t.scripts).where(s.tenant == store.tenant)
    if intent is not None:
        query = query.where(s.intent == intent)
    if status is not None:
        query = query.where(s.status == status)
    query = query.order_by(s.intent, s.uses.desc(), s.script_id)
    with store.engine.connect() as conn:
        return [_script(row) for row in conn.execute(query)]


def get_script(store: Database, script_id: str) -> Script | None:
    s = t.scripts.c
    query = select(t.scripts).where(s.tenant == store.tenant, s.script_id == script_id)
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    return _script(row) if row is not None else None


def add_scripts(store: Database, scripts: Sequence[NewScript]) -> list[str]:
    """Store new scripts as active; returns the ids of those not already in the library."""
    existing = {s.script_id for s in list_scripts(store)}
    stamp, rows = now_ms(), {}
    for new in scripts:
        script_id = script_id_of(new.intent, new.text)
        if script_id not in existing and script_id not in rows:
            rows[script_id] = {
                "tenant": store.tenant, "script_id": script_id, "intent": new.intent,
                "text": new.text, "tags": list(new.tags), "status": "active",
                "source": new.source, "uses": new.uses, "created_ms": stamp, "updated_ms": stamp}
    if rows:
        with store.engine.begin() as conn:
            conn.execute(insert_ignoring_duplicates(store.engine, t.scripts), list(rows.values()))
    return list(rows)


def update_script(store: Database, script_id: str, **values: Any) -> Script | None:
    """Change intent, text, tags or status of one script; None when it is not the tenant's."""
    allowed = {"intent", "text", "tags", "status"}
    unknown = set(values) - allowed
    if unknown:
        raise ValueError(f"a script has no editable field {sorted(unknown)}")
    if "tags" in values:
        values["tags"] = list(values["tags"])
    s = t.scripts.c
    statement = (update(t.scripts).where(s.tenant == store.tenant, s.script_id == script_id)
                 .values(**values, updated_ms=now_ms()))
    with store.engine.begin() as conn:
        changed = conn.execute(statement).rowcount
    return get_script(store, script_id) if changed else None
