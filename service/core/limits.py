"""Request limits: body size, enforced while the body streams in, and no NUL in the URL."""

from __future__ import annotations

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NDJSON = "application/x-ndjson"


class BodyLimitMiddleware:
    """413 for a body over the limit; streamed NDJSON ingestion gets the larger stream limit."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, max_stream_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.max_stream_bytes = max_stream_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        streamed = headers.get("content-type", "").startswith(NDJSON)
        limit = self.max_stream_bytes if streamed else self.max_body_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await too_large(limit)(scope, receive, send)
            return
        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, f"body: request body exceeds {limit} bytes")
            return message

        await self.app(scope, counted_receive, send)


def too_large(limit: int) -> JSONResponse:
    return JSONResponse({"detail": f"body: request body exceeds {limit} bytes"}, status_code=413)


class NulGuardMiddleware:
    """422 for a NUL character in the path or query: PostgreSQL text cannot hold one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = scope.get("raw_path", b"") + b"?" + scope.get("query_string", b"")
            if b"\x00" in raw or b"%00" in raw.lower() or "\x00" in scope.get("path", ""):
                detail = [{"field": "url", "reason": "NUL characters are not allowed"}]
                await JSONResponse({"detail": detail}, status_code=422)(scope, receive, send)
                return
        await self.app(scope, receive, send)
