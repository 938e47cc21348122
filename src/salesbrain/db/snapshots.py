"""Materialised dashboard results, one row per tenant and kind, each tagged with the
`data_stamp` it was computed at so that a reader can tell whether it is still current."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select

from salesbrain.db import tables as t
from salesbrain.db.activity import data_stamp
from salesbrain.db.database import Database, now_ms


@dataclass(frozen=True)
class Snapshot:
    kind: str
    stamp: str
    created_ms: int
    payload: bytes


def stamp_text(stamp: tuple[Any, ...]) -> str:
    """`data_stamp` as the text stored beside a snapshot."""
    return json.dumps(list(stamp), separators=(",", ":"))


def current_stamp(store: Database) -> str:
    return stamp_text(data_stamp(store))


def write_snapshots(store: Database, stamp: str, payloads: dict[str, bytes]) -> None:
    """Replace the tenant's snapshots of these kinds in one transaction."""
    s = t.dashboard_snapshots.c
    created = now_ms()
    with store.engine.begin() as conn:
        conn.execute(delete(t.dashboard_snapshots).where(
            s.tenant == store.tenant, s.kind.in_(list(payloads))))
        conn.execute(t.dashboard_snapshots.insert(), [
            {"tenant": store.tenant, "kind": kind, "stamp": stamp, "created_ms": created,
             "payload": payload} for kind, payload in payloads.items()])


def snapshot_stamp(store: Database, kind: str) -> str | None:
    """The stamp the tenant's snapshot of `kind` was computed at (its payload left unread)."""
    s = t.dashboard_snapshots.c
    query = select(s.stamp).where(s.tenant == store.tenant, s.kind == kind)
    with store.engine.connect() as conn:
        return conn.scalars(query).first()


def read_snapshot(store: Database, kind: str, stamp: str | None = None) -> Snapshot | None:
    """The tenant's snapshot of `kind`; with `stamp`, only if it was computed at that stamp."""
    s = t.dashboard_snapshots.c
    query = select(s.kind, s.stamp, s.created_ms, s.payload).where(
        s.tenant == store.tenant, s.kind == kind)
    if stamp is not None:
        query = query.where(s.stamp == stamp)
    with store.engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else Snapshot(row.kind, row.stamp, row.created_ms,
                                             bytes(row.payload))
