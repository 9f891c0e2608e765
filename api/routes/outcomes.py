"""Outcome events: append-only."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import ServiceDep, actor_dep
from api.schemas import OutcomeRecorded
from matcher.domain import OutcomeIn

router = APIRouter(prefix="/v1/outcomes", tags=["outcomes"])


@router.post("", status_code=201, response_model=OutcomeRecorded, summary="Append an outcome event")
def post_outcome(body: OutcomeIn, service: ServiceDep,
                 actor: actor_dep("consultant", "employer_service")) -> OutcomeRecorded:  # type: ignore[valid-type]
    return OutcomeRecorded(**service.record_outcome(body, actor=actor))
