"""The pages: the manager's overview and the guide's workbench (no build step).

`/sidebar` is the workbench too: WeCom's chat toolbar opens it there.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
ASSETS = {"common.js": "text/javascript", "app.js": "text/javascript", "style.css": "text/css",
          "workbench.js": "text/javascript", "workbench.css": "text/css",
          "workbench-recall.js": "text/javascript",
          "charts.js": "text/javascript", "manager.js": "text/javascript",
          "manager-views.js": "text/javascript", "manager-overview.js": "text/javascript",
          "manager.css": "text/css"}

router = APIRouter(include_in_schema=False)


@router.get("/")
def manager_page() -> FileResponse:
    return FileResponse(WEB_DIR / "manager.html", media_type="text/html; charset=utf-8")


@router.get("/workbench")
@router.get("/sidebar")
def workbench_page() -> FileResponse:
    return FileResponse(WEB_DIR / "workbench.html", media_type="text/html; charset=utf-8")


@router.get("/web/{name}")
def web_asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise HTTPException(404, f"no asset {name!r}")
    return FileResponse(WEB_DIR / name, media_type=f"{ASSETS[name]}; charset=utf-8")
