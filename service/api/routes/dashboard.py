"""The manager's dashboard: the filtered leaderboard, a guide's drill-down, a labelled
conversation and coaching pairs side by side. Managers and admins only; a manager reads his
stores' guides, an admin the whole tenant."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from salesbrain.db import Database
from salesbrain.db.access import can_see_guide, visible_conversation, visible_guide_ids
from salesbrain.schema import Guide
from salesbrain.security import KeyRole, Principal
from service.api.csv_export import Format, csv_response
from service.api.deps import ManagerKey, StateDep, TenantStore
from service.api.routes.guides import Period, ReportsDep
from service.core.drilldown import drilldown, roster_of
from service.core.viewing import coaching_pairs, labelled_conversation
from service.dashboard_schemas import (
    CoachingPairs,
    ComponentRow,
    ConversationRow,
    GuideDrilldown,
    LabelledConversation,
)
from service.schemas import Leaderboard

router = APIRouter(prefix="/v1", tags=["dashboard"])

Filter = Annotated[str | None, Query(min_length=1, max_length=128)]
Table = Annotated[Literal["periods", "components", "conversations"],
                  Query(description="which table `format=csv` exports")]
SCORE_COLUMNS = ("rank", "guide_id", "name", "store_id", "region", "period", "score",
                 "score_low", "score_high", "n_conversations")
COMPONENT_COLUMNS = ("first_response_s", "reply_coverage", "task_execution_rate",
                     "conversion_rate", "attributed_gmv", "quality", "compliance_violations")


def bad_query(name: str, reason: str) -> RequestValidationError:
    """A 422 that names the query parameter, shaped like FastAPI's own."""
    return RequestValidationError([{"loc": ("query", name), "msg": reason,
                                    "type": "value_error"}])


def scope(store: Database, principal: Principal, store_id: str | None,
          region: str | None, roster: list[Guide]) -> frozenset[str] | None:
    """The guides a leaderboard shows: the key's scope narrowed by store and region."""
    if store_id is not None:
        if principal.role is KeyRole.MANAGER and store_id not in principal.store_ids:
            raise HTTPException(403, f"store_id: store {store_id!r} is not one of this key's")
        if store_id not in {g.store_id for g in roster}:
            raise bad_query("store_id", f"no store {store_id!r}")
    if region is not None and region not in {g.region for g in roster}:
        raise bad_query("region", f"no region {region!r}")
    visible = visible_guide_ids(store, principal)
    return frozenset(g.guide_id for g in roster
                     if (visible is None or g.guide_id in visible)
                     and store_id in (None, g.store_id) and region in (None, g.region))


@router.get("/leaderboard", response_model=Leaderboard)
def get_leaderboard(principal: ManagerKey, store: TenantStore, reports: ReportsDep,
                    state: StateDep, period: Period = "month", store_id: Filter = None,
                    region: Filter = None,
                    limit: Annotated[int | None, Query(ge=1, le=10_000)] = None,
                    offset: Annotated[int, Query(ge=0)] = 0,
                    output: Format = "json") -> Leaderboard | Response:
    """The latest period's guides by brand-wide rank with each one's score trend, limited to
    the key's stores and narrowed by `store_id` and `region`; `limit` and `offset` page
    through them (`total` counts them all)."""
    guide_ids = scope(store, principal, store_id, region, state.facts.roster(store))
    board = reports.leaderboard(store, guide_ids, period, limit, offset)
    if output == "json":
        return board
    rows = [{**row.model_dump(), **{k: (c.value if c else None)
                                   for k, c in row.components.items()}}
            for row in board.rows]
    return csv_response(rows, [*SCORE_COLUMNS, *COMPONENT_COLUMNS, "trend"],
                        f"leaderboard-{period}.csv")


def visible_guide(store: Database, principal: Principal, guide_id: str) -> str:
    if not can_see_guide(store, principal, guide_id):
        raise HTTPException(404, f"guide_id: no guide {guide_id!r}")
    return guide_id


@router.get("/guides/{guide_id}/drilldown", response_model=GuideDrilldown)
def get_drilldown(guide_id: str, principal: ManagerKey, store: TenantStore,
                  reports: ReportsDep, state: StateDep, period: Period = "week",
                  output: Format = "json", table: Table = "periods") -> GuideDrilldown | Response:
    """Her score over time, reply-time distribution, intent mix against the brand's, outcome
    funnel, attributed sales per period and newest conversations."""
    roster = roster_of(store.guides())
    if visible_guide(store, principal, guide_id) not in roster:
        raise HTTPException(404, f"guide_id: no guide {guide_id!r}")
    card = reports.scorecard(store, guide_id, period)
    found = drilldown(state.facts.facts(store), roster[guide_id], card, period)
    if output == "json":
        return found
    if table == "components":
        return csv_response([c.model_dump() for c in found.components],
                            list(ComponentRow.model_fields), f"scorecard-{guide_id}.csv")
    if table == "conversations":
        return csv_response([c.model_dump() for c in found.conversations],
                            list(ConversationRow.model_fields), f"conversations-{guide_id}.csv")
    return csv_response(_period_rows(found), ["period", "score", "score_low", "score_high",
                                              "n_conversations", "gmv", "purchased"],
                        f"drilldown-{guide_id}-{period}.csv")


def _period_rows(found: GuideDrilldown) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {s.period: s.model_dump() for s in found.scores}
    for sale in found.sales:
        rows.setdefault(sale.period, {"period": sale.period}).update(sale.model_dump())
    return [rows[period] for period in sorted(rows)]


@router.get("/conversations/{conversation_id}/labels", response_model=LabelledConversation)
def get_labelled_conversation(conversation_id: str, principal: ManagerKey, store: TenantStore,
                              output: Format = "json") -> LabelledConversation | Response:
    """Every message with its intent, sentiment and compliance hits; personal data appears
    as the placeholders redaction left (e.g. [手机号])."""
    conversation = visible_conversation(store, principal, conversation_id)
    if conversation is None:
        raise HTTPException(404, f"conversation_id: no conversation {conversation_id!r}")
    guide = roster_of(store.guides()).get(conversation.guide_id)
    found = labelled_conversation(store, conversation, guide.name if guide else "")
    if output == "json":
        return found
    rows = [{**m.model_dump(), "compliance": [f"{h.category}:{h.matched}" for h in m.compliance]}
            for m in found.messages]
    return csv_response(rows, ["msgid", "role", "ts", "text", "intent", "probability",
                               "sentiment", "compliance", "redactions"],
                        f"conversation-{conversation_id}.csv")


@router.get("/coaching/{guide_id}/pairs", response_model=CoachingPairs)
def get_coaching_pairs(guide_id: str, principal: ManagerKey, store: TenantStore,
                       reports: ReportsDep, output: Format = "json") -> CoachingPairs | Response:
    """For each coaching point, her conversation that ended worst beside the champion's that
    ended well on the same intent, turn by turn, with the turns where they part marked."""
    points = reports.coaching(store, visible_guide(store, principal, guide_id)).points
    found = CoachingPairs(guide_id=guide_id,
                          pairs=coaching_pairs(store, points, roster_of(store.guides())))
    if output == "json":
        return found
    rows = [{"pair_id": pair.pair_id, "dimension": pair.dimension, "key": pair.key,
             "index": row.index, "reasons": row.reasons,
             "guide_role": row.guide.role if row.guide else "",
             "guide_text": " / ".join(row.guide.texts) if row.guide else "",
             "champion_role": row.champion.role if row.champion else "",
             "champion_text": " / ".join(row.champion.texts) if row.champion else ""}
            for pair in found.pairs for row in pair.rows]
    return csv_response(rows, ["pair_id", "dimension", "key", "index", "reasons", "guide_role",
                               "guide_text", "champion_role", "champion_text"],
                        f"coaching-{guide_id}.csv")
