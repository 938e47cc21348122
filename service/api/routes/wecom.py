"""WeCom's JS-SDK for the workbench in the chat toolbar: the signatures and the SDK build."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from service.api.deps import StateDep
from service.core.wecom import WeComError

router = APIRouter(prefix="/wecom", tags=["wecom"])


@router.get("/jsapi-signature")
async def get_jsapi_signature(state: StateDep,
                              url: Annotated[str, Query(min_length=8, max_length=2000)]) -> dict:
    """`{corpId, agentId, config, agent}` for `ww.register` on the page at `url`."""
    if state.wecom is None:
        raise HTTPException(404, "wecom: not configured (set SALESBRAIN_WECOM_*)")
    try:
        return await run_in_threadpool(state.wecom.sign, url)
    except ValueError as error:
        raise HTTPException(400, str(error)) from None
    except WeComError as error:
        raise HTTPException(502, str(error)) from None


@router.get("/jssdk.js", include_in_schema=False)
async def get_jssdk(state: StateDep) -> FileResponse:
    path = state.settings.wecom_jssdk
    if path is None or not path.is_file():
        raise HTTPException(404, "wecom_jssdk: the @wecom/jssdk build is not installed")
    return FileResponse(path, media_type="text/javascript; charset=utf-8")
