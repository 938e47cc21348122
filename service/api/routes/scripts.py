"""The script library (话术库): managers list, add, edit, retire, import and export scripts.

Guides may list the active scripts; everything else needs a manager or admin key. A script
belongs to one tenant and no key reads another tenant's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse, Response

from salesbrain.db.database import from_ms
from salesbrain.db.scripts import (
    NewScript,
    Script,
    add_scripts,
    get_script,
    list_scripts,
    update_script,
)
from salesbrain.jobs.scripts import export_csv, import_csv
from salesbrain.suggest.scripts import script_problem
from service.api.csv_export import CSV_TYPE
from service.api.deps import AnyKey, ManagerKey, TenantStore
from service.schemas import (
    ScriptCreate,
    ScriptEdit,
    ScriptImport,
    ScriptOut,
    ScriptRowError,
)

router = APIRouter(prefix="/v1", tags=["scripts"])

Intent = Annotated[str | None, Query(min_length=1, max_length=32)]


def script_out(script: Script) -> ScriptOut:
    return ScriptOut(script_id=script.script_id, intent=script.intent, text=script.text,
                     tags=list(script.tags), status=script.status,  # type: ignore[arg-type]
                     source=script.source, uses=script.uses,  # type: ignore[arg-type]
                     created_at=from_ms(script.created_ms), updated_at=from_ms(script.updated_ms))


def checked(intent: str, text: str, tags: list[str]) -> None:
    problem = script_problem(intent, text, tags)
    if problem is not None:
        raise HTTPException(422, f"script: {problem}")


@router.get("/scripts", response_model=list[ScriptOut])
def get_scripts(principal: AnyKey, store: TenantStore, intent: Intent = None,
                format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
                ) -> list[ScriptOut] | Response:
    """The active scripts (a manager also sees retired ones), per intent if asked;
    `format=csv` answers the CSV a manager can edit and import again."""
    if format == "csv":
        return PlainTextResponse(export_csv(store, intent), media_type=CSV_TYPE)
    status = "active" if principal.role == "guide" else None
    return [script_out(s) for s in list_scripts(store, intent=intent, status=status)]


@router.get("/scripts/export", response_class=PlainTextResponse)
def export_scripts(principal: ManagerKey, store: TenantStore, intent: Intent = None) -> Response:
    """The active scripts as CSV with the header `intent,text,tags`."""
    return PlainTextResponse(export_csv(store, intent), media_type=CSV_TYPE)


@router.post("/scripts", response_model=ScriptOut, status_code=201)
def create_script(body: ScriptCreate, principal: ManagerKey, store: TenantStore) -> ScriptOut:
    text = " ".join(body.text.split())
    checked(body.intent, text, body.tags)
    script = NewScript(body.intent, text, tuple(body.tags), "manual")
    added = add_scripts(store, [script])
    if not added:
        raise HTTPException(409, "script: the library already holds this text for this intent")
    return script_out(_found(store, added[0]))


@router.patch("/scripts/{script_id}", response_model=ScriptOut)
def edit_script(script_id: str, body: ScriptEdit, principal: ManagerKey,
                store: TenantStore) -> ScriptOut:
    current = _found(store, script_id)
    changes = body.model_dump(exclude_none=True)
    if "text" in changes:
        changes["text"] = " ".join(changes["text"].split())
    checked(changes.get("intent", current.intent), changes.get("text", current.text),
            changes.get("tags", list(current.tags)))
    return script_out(update_script(store, script_id, **changes) or current)


@router.post("/scripts/{script_id}/retire", response_model=ScriptOut)
def retire_script(script_id: str, principal: ManagerKey, store: TenantStore) -> ScriptOut:
    _found(store, script_id)
    return script_out(update_script(store, script_id, status="retired") or _found(store, script_id))


@router.post("/scripts/import", response_model=ScriptImport)
async def import_scripts(request: Request, principal: ManagerKey,
                         store: TenantStore) -> ScriptImport:
    """A CSV body (`intent,text,tags`); bad rows come back with line and reason, good rows
    are stored."""
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError as error:
        raise HTTPException(422, f"body: the CSV must be UTF-8 ({error.reason})") from error
    imported, duplicates, errors = import_csv(store, text)
    return ScriptImport(imported=imported, duplicates=duplicates,
                        errors=[ScriptRowError(line=e.line, reason=e.reason) for e in errors])


def _found(store: TenantStore, script_id: str) -> Script:
    script = get_script(store, script_id)
    if script is None:
        raise HTTPException(404, f"script_id: no script {script_id!r}")
    return script
