"""The model registry, for admins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from api.deps import ServiceDep, actor_dep
from matcher.learning import registry
from matcher.security import audit

router = APIRouter(prefix="/v1/models", tags=["models"])
Version = Annotated[str, Path(pattern=r"^[A-Za-z0-9._-]{1,64}$")]


@router.get("", summary="All model versions with their status and metrics")
def list_models(service: ServiceDep, actor: actor_dep()) -> dict[str, Any]:  # type: ignore[valid-type]
    with service.db.connection() as conn:
        return {"items": registry.list_versions(conn)}


@router.post("/{version}/promote", summary="Make a version the champion")
def promote(version: Version, service: ServiceDep, actor: actor_dep()) -> dict[str, str]:  # type: ignore[valid-type]
    with service.db.transaction() as conn:
        registry.promote(conn, version)
        audit(conn, actor, "model.promote", detail={"version": version}, model_version=version)
    service.models.forget()
    return {"champion": version}


@router.post("/rollback", summary="Go back to the previous champion")
def rollback(service: ServiceDep, actor: actor_dep()) -> dict[str, str]:  # type: ignore[valid-type]
    with service.db.transaction() as conn:
        version = registry.rollback(conn)
        audit(conn, actor, "model.rollback", detail={"version": version}, model_version=version)
    service.models.forget()
    return {"champion": version}
