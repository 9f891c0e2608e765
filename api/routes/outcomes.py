"""Outcome events: append-only. An undo marks an event undone; it is never deleted."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.deps import JSON_BODY, ServiceDep, actor_dep
from api.routes.candidates import NDJSON, _import_response, import_body, media_type, unsupported
from api.schemas import ImportResult, OutcomeRecorded, OutcomeUndone
from matcher.domain import OutcomeIn
from matcher.ingest import importers

router = APIRouter(prefix="/v1/outcomes", tags=["outcomes"])


@router.post("", status_code=201, response_model=OutcomeRecorded, summary="Append an outcome event",
             dependencies=JSON_BODY,
             responses={409: {"description": "the person was already proposed for this vacancy: the problem names "
                                             "the standing proposal (`existing_outcome_id`, `proposed_at`), "
                                             "except to the employer service when another key recorded it"}})
def post_outcome(body: OutcomeIn, service: ServiceDep,
                 actor: actor_dep("consultant", "employer_service")) -> OutcomeRecorded:  # type: ignore[valid-type]
    return OutcomeRecorded(**service.record_outcome(body, actor=actor))


@router.post("/{outcome_id}/undo", response_model=OutcomeUndone, summary="Undo a recorded outcome event",
             responses={409: {"description": "the event was undone already"}})
def undo_outcome(outcome_id: Annotated[int, Path(ge=1, le=2**63 - 1)], service: ServiceDep,
                 actor: actor_dep("consultant", "employer_service")) -> OutcomeUndone:  # type: ignore[valid-type]
    """The event stays in the history, marked undone; lists, learning and the report no longer count it."""
    return OutcomeUndone(**service.undo_outcome(outcome_id, actor=actor))


@router.post("/import", response_model=ImportResult, summary="Bulk import of outcome events (NDJSON), all-or-nothing",
             responses={422: {"description": "nothing was written; the per-row error report is in `errors`"}},
             openapi_extra=import_body(**{"application/x-ndjson": (
                 '{"event": "hired", "candidate_ref": "C-1001", "vacancy": {"source": "wsp", "external_id": "WSP-1"}, '
                 '"occurred_at": "2026-10-01T09:00:00+02:00"}\n')}))
async def import_outcomes(request: Request, service: ServiceDep,
                          actor: actor_dep("consultant", "employer_service", "batch")  # type: ignore[valid-type]
                          ) -> JSONResponse:
    if media_type(request) not in NDJSON:
        return unsupported(request, "send application/x-ndjson: one outcome event per line")
    items, errors = await run_in_threadpool(importers.outcomes_ndjson, await request.body())
    report = None if errors else await run_in_threadpool(service.import_outcomes, [b for _, b in items],
                                                         actor=actor, rows=[n for n, _ in items])
    return _import_response(report, len(items) + len(errors), errors)
