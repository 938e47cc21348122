"""Monthly recall tasks: a guide reads and answers her own, a manager his stores' guides', an
admin every task, including customers nobody talked to (guide id "")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from salesbrain.db.access import can_see_guide, visible_guide_ids
from salesbrain.db.recall import set_recall_status
from salesbrain.scoring.outreach import BRAND_TZ, RecallTask
from service.api.csv_export import Format, csv_response
from service.api.deps import AnyKey, BrainDep, StateDep, TenantStore
from service.core.recall import (
    cached_month_tasks,
    champion_openers,
    compliance_rules,
    drafts_for,
    month_products,
    recall_board,
)
from service.insight_schemas import Draft, RecallBoard, RecallStatusIn, RecallTaskOut

router = APIRouter(prefix="/v1", tags=["recall"])

Month = Annotated[str | None, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                                    description="YYYY-MM; the current month by default")]
Group = Annotated[Literal["birthday", "same_period_last_year", "lapsed_two_years"] | None,
                  Query(description="one recall group")]
GuideFilter = Annotated[str | None, Query(min_length=1, max_length=128)]
TASK_COLUMNS = ("task_id", "month", "guide_id", "guide_name", "store_id", "customer_id",
                "group", "group_name", "reason", "last_purchase_at", "last_purchase_amount",
                "last_product", "status", "drafts")


def this_month() -> str:
    return datetime.now(UTC).astimezone(BRAND_TZ).strftime("%Y-%m")


@router.get("/recall-tasks", response_model=RecallBoard)
def get_recall_tasks(principal: AnyKey, store: TenantStore, state: StateDep, brain: BrainDep,
                     month: Month = None, guide_id: GuideFilter = None, group: Group = None,
                     output: Format = "json") -> RecallBoard | Response:
    """Per guide and group: the customer, why she is in the group, her last purchase, up to
    three drafted openers, the task's status, and the execution rate per guide and group."""
    if guide_id is not None and not can_see_guide(store, principal, guide_id):
        raise HTTPException(404, f"guide_id: no guide {guide_id!r}")
    roster, rules = state.facts.roster(store), compliance_rules(brain)
    openers = champion_openers(state.facts, store)
    found = cached_month_tasks(state.facts, store, month or this_month())
    drafted: dict[tuple[str, str, str | None], list[Draft]] = {}  # many tasks share them

    def wanted(task: RecallTask) -> bool:
        return guide_id in (None, task.guide_id) and group in (None, task.group)

    def drafts(task: RecallTask, store_id: str, product: str | None) -> list[Draft]:
        key = (task.group, store_id, product)
        if key not in drafted:
            drafted[key] = drafts_for(task.group, openers.get(store_id) or openers.get("", []),
                                      product, rules)
        return drafted[key]

    board = recall_board(store, found, roster, visible_guide_ids(store, principal), wanted,
                         drafts, month_products(state.facts, store, found))
    if output == "json":
        return board
    rows = [{**task.model_dump(), "drafts": [d.text for d in task.drafts]} for task in board.tasks]
    return csv_response(rows, TASK_COLUMNS, f"recall-{board.month}.csv")


@router.post("/recall-tasks/{task_id}/status", response_model=RecallTaskOut)
def set_task_status(task_id: str, body: RecallStatusIn, principal: AnyKey, store: TenantStore,
                    state: StateDep) -> RecallTaskOut:
    """Mark a task done or skipped; a guide only her own (any other task is a 404). Answers
    the task with its new status (drafts left out: they are on the list)."""
    month = _month_of(task_id)
    found = cached_month_tasks(state.facts, store, month) if month else None
    task = found.tasks.get(task_id) if found else None
    visible = visible_guide_ids(store, principal)
    if task is None or found is None or (visible is not None and task.guide_id not in visible):
        raise HTTPException(404, f"task_id: no recall task {task_id!r}")
    set_recall_status(store, task_id=task_id, month=found.month, guide_id=task.guide_id,
                      customer_id=task.customer_id, group=task.group, status=body.status)
    board = recall_board(store, found, store.guides(), visible,
                         lambda t: t.customer_id == task.customer_id, lambda *_: [])
    return board.tasks[0]


def _month_of(task_id: str) -> str | None:
    """"R202611-…" -> "2026-11"; None when the id is not shaped like a task's."""
    head = task_id[1:7]
    if not (task_id.startswith("R") and head.isdigit() and task_id[7:8] == "-"):
        return None
    if not 1 <= int(head[4:]) <= 12:
        return None
    return f"{head[:4]}-{head[4:]}"
