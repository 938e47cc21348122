"""The two pages: the manager's overview and the guide's suggestion sidebar (no build step)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

WEB_DIR = Path(__file__).resolve().parents[2] / "web"

router = APIRouter(include_in_schema=False)


@router.get("/")
def manager_page() -> FileResponse:
    return FileResponse(WEB_DIR / "manager.html", media_type="text/html; charset=utf-8")


@router.get("/sidebar")
def sidebar_page() -> FileResponse:
    return FileResponse(WEB_DIR / "sidebar.html", media_type="text/html; charset=utf-8")


@router.get("/web/{name}")
def web_asset(name: str) -> FileResponse:
    assets = {"app.js": "text/javascript", "style.css": "text/css"}
    if name not in assets:
        raise HTTPException(404, f"no asset {name!r}")
    return FileResponse(WEB_DIR / name, media_type=f"{assets[name]}; charset=utf-8")
