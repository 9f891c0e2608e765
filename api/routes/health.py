"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from contextlib import suppress
from typing import Any

import psycopg
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from psycopg_pool import PoolTimeout

from api.deps import ServiceDep
from matcher.db import migrate
from matcher.errors import MatcherError
from matcher.learning import registry

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="Database reachable, migrations at head, encoder and model loaded")
def readyz(service: ServiceDep) -> JSONResponse:
    checks: dict[str, Any] = {}
    try:
        with service.db.connection(timeout=2) as conn:  # fails at once while the server is known to be gone
            checks["database"] = "ok"
            current = migrate.current(conn)
            head = migrate.heads()
            checks["migrations"] = "ok" if current in head else f"at {current}, head is {', '.join(head)}"
            row = conn.execute("SELECT version FROM model_versions WHERE status = 'champion'").fetchone()
            checks["model"] = row["version"] if row else "no champion model"
    except Exception as exc:
        checks["database"] = f"unreachable ({type(exc).__name__})"
    checks["encoder"] = service._encoder.name if service._encoder is not None else "not loaded"
    ready = checks.get("database") == "ok" and checks.get("migrations") == "ok" and service._encoder is not None \
        and checks.get("model") not in (None, "no champion model")
    return JSONResponse({"status": "ready" if ready else "not ready", "checks": checks},
                        status_code=200 if ready else 503)


@router.get("/metrics", summary="Prometheus metrics")
def metrics(request: Request) -> Response:
    service = getattr(request.app.state, "service", None)
    if service is not None:
        # the serving model version, also before the first shortlist; metrics still answer without a database
        with suppress(psycopg.Error, PoolTimeout, MatcherError), service.db.connection(timeout=1) as conn:
            request.app.state.metrics.serving(registry.champion_version(conn))
    return Response(generate_latest(request.app.state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
