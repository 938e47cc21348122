"""The manager's overview: store segments, compliance alerts and weekly trends. Managers read
their stores, admins the tenant; guides none."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from salesbrain.db.database import from_ms
from salesbrain.db.search import flagged_messages
from service.api.csv_export import Format, csv_response
from service.api.deps import ManagerKey, StateDep, TenantStore
from service.api.scope import day_ms, guide_scope, visible_stores
from service.core.overview import segments, trends
from service.insight_schemas import ComplianceAlert, ComplianceAlerts, StoreSegments, Trends

router = APIRouter(prefix="/v1", tags=["overview"])

Filter = Annotated[str | None, Query(min_length=1, max_length=128)]
Day = Annotated[date | None, Query(description="YYYY-MM-DD, in the brand's time zone")]
Severity = Annotated[Literal["low", "medium", "high"] | None, Query()]
ALERT_COLUMNS = ("ts", "store_id", "guide_id", "conversation_id", "msgid", "category",
                 "severity", "rule", "matched", "text")


@router.get("/segments", response_model=StoreSegments)
def get_segments(principal: ManagerKey, store: TenantStore, state: StateDep,
                 output: Format = "json") -> StoreSegments | Response:
    """Each store's willingness and ability (50 = brand average), its segment and the
    recommended action, with the component points behind both axes."""
    found = segments(state.facts, store, visible_stores(principal))
    if output == "json":
        return found
    keys = [c.key for c in found.stores[0].components] if found.stores else []
    rows = [{**s.model_dump(exclude={"components"}), **{c.key: c.points for c in s.components}}
            for s in found.stores]
    return csv_response(rows, ["store_id", "region", "n_guides", "n_conversations",
                               "willingness", "ability", "segment", "segment_name", "action",
                               "action_name", *keys], "segments.csv")


@router.get("/trends", response_model=Trends)
def get_trends(principal: ManagerKey, store: TenantStore, state: StateDep,
               period: Annotated[Literal["week", "month"], Query()] = "week",
               store_id: Filter = None, guide_id: Filter = None,
               output: Format = "json") -> Trends | Response:
    """Intent mix, outcomes, median reply time and conversion per week (or month)."""
    scope = guide_scope(store, principal, store_id, guide_id, state.facts.roster(store))
    found = trends(state.facts, store, scope, period)
    if output == "json":
        return found
    rows = [{**p.model_dump(), "intents": [f"{k}={v}" for k, v in p.intents.items()],
             "outcomes": [f"{k}={v}" for k, v in p.outcomes.items()]} for p in found.points]
    return csv_response(rows, ["period", "conversations", "replies", "median_response_s",
                               "purchased", "conversion_rate", "intents", "outcomes"],
                        f"trends-{period}.csv")


@router.get("/compliance/alerts", response_model=ComplianceAlerts)
def get_compliance_alerts(principal: ManagerKey, store: TenantStore, store_id: Filter = None,
                          guide_id: Filter = None, category: Filter = None,
                          severity: Severity = None, since: Day = None, until: Day = None,
                          limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                          output: Format = "json") -> ComplianceAlerts | Response:
    """Guide messages the compliance rules flagged, newest first, one row per hit."""
    scope = guide_scope(store, principal, store_id, guide_id)
    stores = {g.guide_id: g.store_id for g in store.guides()}
    alerts = [ComplianceAlert(msgid=row.msgid, conversation_id=row.conversation_id,
                              guide_id=row.guide_id, store_id=stores.get(row.guide_id, ""),
                              ts=from_ms(row.ts_ms), text=row.text, **hit)
              for row in flagged_messages(store, scope, day_ms(since), day_ms(until, end=True))
              for hit in _hits(row.compliance)
              if category in (None, hit["category"]) and severity in (None, hit["severity"])]
    found = ComplianceAlerts(total=len(alerts), alerts=alerts[:limit],
                             by_category=dict(Counter(a.category for a in alerts)))
    if output == "json":
        return found
    return csv_response([a.model_dump() for a in found.alerts], ALERT_COLUMNS,
                        "compliance-alerts.csv")


def _hits(stored: list[dict[str, object]]) -> list[dict[str, str]]:
    return [{key: str(hit.get(key, "")) for key in ("category", "severity", "rule", "matched")}
            for hit in stored]
