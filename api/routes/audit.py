"""The audit trail, for auditors."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import ServiceDep, actor_dep

router = APIRouter(prefix="/v1/audit", tags=["audit"])


@router.get("", summary="Who saw or changed what about a person")
def get_audit(service: ServiceDep, actor: actor_dep("auditor"),  # type: ignore[valid-type]
              candidate_ref: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")] = None,
              limit: Annotated[int, Query(ge=1, le=5000)] = 500) -> dict[str, Any]:
    return {"items": service.audit_entries(actor=actor, candidate_ref=candidate_ref, limit=limit)}
