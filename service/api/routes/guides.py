"""Guides as managers read them: roster, scorecards, coaching (the leaderboard: dashboard)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query

from salesbrain.db import Database
from salesbrain.db.access import can_see_guide, visible_guide_ids
from salesbrain.security import Principal
from service.api.deps import AnyKey, ManagerKey, StateDep, TenantStore
from service.core.reports import Reports
from service.schemas import Coaching, GuideOut, GuideScorecard

router = APIRouter(prefix="/v1", tags=["guides"])


async def get_reports(state: StateDep) -> Reports:
    return state.reports


ReportsDep = Annotated[Reports, Depends(get_reports)]
Period = Annotated[Literal["week", "month", "all"], Query(description="scorecard period")]


def _visible_guide(store: Database, principal: Principal, guide_id: str) -> str:
    if not can_see_guide(store, principal, guide_id):
        raise HTTPException(404, f"guide_id: no guide {guide_id!r}")
    return guide_id


@router.get("/guides", response_model=list[GuideOut])
def list_guides(principal: ManagerKey, store: TenantStore) -> list[GuideOut]:
    """The guides this key may read (a manager: the guides of his stores)."""
    visible = visible_guide_ids(store, principal)
    return [GuideOut.model_validate(g, from_attributes=True) for g in store.guides()
            if visible is None or g.guide_id in visible]


@router.get("/guides/{guide_id}/scorecard", response_model=GuideScorecard)
def get_scorecard(guide_id: str, principal: AnyKey, store: TenantStore, reports: ReportsDep,
                  period: Period = "month") -> GuideScorecard:
    """The score with every component, the conversations behind it and a confidence band."""
    card = reports.scorecard(store, _visible_guide(store, principal, guide_id), period)
    if card is None:
        raise HTTPException(404, f"guide_id: no scorecard for {guide_id!r}")
    return card


@router.get("/coaching/{guide_id}", response_model=Coaching)
def get_coaching(guide_id: str, principal: AnyKey, store: TenantStore,
                 reports: ReportsDep) -> Coaching:
    """Where her conversations end worse than the champions', with example conversations."""
    return reports.coaching(store, _visible_guide(store, principal, guide_id))
