"""Errors as RFC 9457 problem details, with field paths for validation errors. Never a 500 for bad input."""

from __future__ import annotations

import logging
from typing import Any

import psycopg
import psycopg_pool
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from matcher.errors import MatcherError

log = logging.getLogger("api")
PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, request: Request | None = None, **extra: Any) -> JSONResponse:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if request is not None:
        body["instance"] = request.url.path
        body["request_id"] = getattr(request.state, "request_id", None)
    body.update(extra)
    headers = {"Retry-After": "5"} if status == 503 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": field_path(e.get("loc", ())), "msg": e.get("msg", "invalid"), "type": e.get("type")}
                  for e in exc.errors()]
        return problem(422, "Invalid input", f"{len(errors)} field(s) need attention", request, errors=errors)

    @app.exception_handler(MatcherError)
    async def _domain(request: Request, exc: MatcherError) -> JSONResponse:
        return problem(exc.status, exc.title, exc.detail, request, **exc.extra)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found",
                  405: "Method not allowed", 413: "Payload too large", 415: "Unsupported media type",
                  429: "Too many requests"}
        response = problem(exc.status_code, titles.get(exc.status_code, "Error"), str(exc.detail), request)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(psycopg.OperationalError)
    @app.exception_handler(psycopg_pool.PoolTimeout)
    async def _database(request: Request, exc: Exception) -> JSONResponse:
        log.warning("database unavailable: %s", type(exc).__name__)
        return problem(503, "Service unavailable",
                       "the database cannot be reached right now; nothing was changed, try again shortly", request)

    @app.exception_handler(psycopg.errors.DataError)
    async def _data(request: Request, exc: Exception) -> JSONResponse:
        return problem(422, "Invalid input", "a value is out of range or malformed", request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return problem(500, "Internal error", "something went wrong on our side; it has been logged", request)
