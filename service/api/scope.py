"""Narrowing a key's scope by the `store_id` and `guide_id` filters of the overview routes.

Outside the key's scope is a 404 (the caller learns nothing about what exists there); a filter
the tenant has no such thing for, inside the scope, is a 422 naming the parameter.
"""

from __future__ import annotations

from datetime import date, datetime, time

from fastapi import HTTPException

from salesbrain.db import Database
from salesbrain.db.access import visible_guide_ids
from salesbrain.schema import Guide
from salesbrain.scoring.outreach import BRAND_TZ
from salesbrain.security import KeyRole, Principal
from service.api.routes.dashboard import bad_query


def visible_stores(principal: Principal) -> frozenset[str] | None:
    """The stores a key reads; None: all of the tenant's."""
    if principal.role is KeyRole.ADMIN:
        return None
    return frozenset(principal.store_ids) if principal.role is KeyRole.MANAGER else frozenset()


def guide_scope(store: Database, principal: Principal, store_id: str | None,
                guide_id: str | None, roster: list[Guide] | None = None) -> frozenset[str] | None:
    """The guides whose data the request covers; None: every guide of the tenant. `roster`:
    the tenant's guides when the caller has them (else they are read)."""
    visible = visible_guide_ids(store, principal)
    roster = store.guides() if roster is None else roster
    if store_id is not None:
        stores = visible_stores(principal)
        if stores is not None and store_id not in stores:
            raise HTTPException(404, f"store_id: no store {store_id!r}")
        if store_id not in {g.store_id for g in roster}:
            raise bad_query("store_id", f"no store {store_id!r}")
    if guide_id is not None:
        if visible is not None and guide_id not in visible:
            raise HTTPException(404, f"guide_id: no guide {guide_id!r}")
        if guide_id not in {g.guide_id for g in roster}:
            raise bad_query("guide_id", f"no guide {guide_id!r}")
    if store_id is None and guide_id is None:
        return visible
    return frozenset(g.guide_id for g in roster
                     if (visible is None or g.guide_id in visible)
                     and store_id in (None, g.store_id) and guide_id in (None, g.guide_id))


def day_ms(day: date | None, *, end: bool = False) -> int | None:
    """The start of the day in the brand's time zone (of the next day for `end`), as epoch ms."""
    if day is None:
        return None
    moment = datetime.combine(day, time(), tzinfo=BRAND_TZ).timestamp() + (86400 if end else 0)
    return int(moment * 1000)
