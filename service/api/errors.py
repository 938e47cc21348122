"""Error bodies that name the field at fault: `{"detail": [{"field": ..., "reason": ...}]}`."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError


def field_errors(errors: list[Any]) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(part) for part in error.get("loc", ())) or "body",
         "reason": error.get("msg", "invalid"), "type": error.get("type", "")}
        for error in errors
    ]


def body_errors(error: ValidationError) -> RequestValidationError:
    """A model validated by hand reports like one FastAPI validated: fields under `body`."""
    return RequestValidationError(
        [{**e, "loc": ("body", *e.get("loc", ()))} for e in error.errors(include_url=False)]
    )


async def _validation_error(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    detail = field_errors(list(error.errors()))
    return JSONResponse({"detail": jsonable_encoder(detail)}, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
