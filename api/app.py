"""The FastAPI application factory. Pool, encoder and model are opened in the lifespan, not at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel
from threadpoolctl import threadpool_limits

from api import docs, errors
from api.middleware import HttpMiddleware, Metrics, RateLimiter
from api.routes import audit, candidates, health, models, outcomes, rematch, vacancies
from matcher import __version__
from matcher.config import Settings, get_settings
from matcher.db import open_database
from matcher.domain import VacancyIn
from matcher.service import Service

DESCRIPTION = """
Candidate–vacancy matching for Werk en Inkomen. Every ranking is advice: a person decides.

Authenticate with `Authorization: Bearer <key>` (create keys with `matcher keys create`).
Errors are problem details (RFC 9457); validation errors list each field path.
"""


def create_app(settings: Settings | None = None, service: Service | None = None) -> FastAPI:
    settings = settings or get_settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        own = service is None
        svc = service or Service(settings, open_database(settings))
        app.state.service = svc
        try:
            svc.encoder  # noqa: B018  load the model once, before the first request
        except Exception:  # readiness reports it; the process stays up for /healthz
            errors.log.exception("encoder could not be loaded")
        try:  # build the match index now, so the first shortlist does not wait for it
            with svc.db.connection() as conn:
                svc.snapshot(conn)
        except Exception:  # a database that is not there yet: the first request builds it
            errors.log.warning("match index not built at start; the first request builds it")
        # A request multiplies small matrices; BLAS threads would only spin against the request threads.
        with threadpool_limits(limits=1, user_api="blas"):
            yield
        if own:
            svc.db.close()

    app = FastAPI(title="werkmatch", version=__version__, description=DESCRIPTION, lifespan=lifespan,
                  docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.rate_limiter = RateLimiter(settings.rate_limit_per_minute)
    errors.install(app)
    docs.install(app)
    for module in (health, candidates, vacancies, outcomes, rematch, models, audit):
        app.include_router(module.router)
    try:
        from api.ui import routes as ui_routes
    except ImportError:  # the UI is optional for a headless deployment
        pass
    else:
        ui_routes.install(app)
    _document(app, VacancyIn)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "PUT", "POST",
                           "DELETE"], allow_headers=["Authorization", "Content-Type", "If-Match"])
    app.add_middleware(HttpMiddleware, metrics=metrics, max_body=settings.max_body_bytes)
    return app


def _document(app: FastAPI, *models: type[BaseModel]) -> None:
    """Put request models that routes read themselves (they take several content types) into the OpenAPI
    components, so their `$ref`s resolve."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in models:
                body = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(body.pop("$defs", {}))
                components[model.__name__] = body
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]
