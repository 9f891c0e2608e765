"""Candidates: upsert, read, erase, bulk import, list, matches."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.deps import JSON_BODY, ServiceDep, actor_dep
from api.errors import problem
from api.present import etag, match_list_response, parse_if_match
from api.schemas import ImportResult, MatchList, Upserted
from matcher.domain import CandidateIn
from matcher.ingest import importers

router = APIRouter(prefix="/v1/candidates", tags=["candidates"])
RefPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$", description="Szeebra reference")]
Limit = Annotated[int, Query(ge=1, le=200)]


@router.put("/{ref}", response_model=Upserted, summary="Create or update one candidate (idempotent)",
            dependencies=JSON_BODY)
def put_candidate(ref: RefPath, body: CandidateIn, service: ServiceDep, response: Response,
                  actor: actor_dep("consultant", "batch"),  # type: ignore[valid-type]
                  if_match: Annotated[str | None, Header(max_length=40)] = None) -> Upserted:
    result = service.upsert_candidate(ref, body, actor=actor, if_match=parse_if_match(if_match))
    response.status_code = 201 if result.created else 200
    response.headers["ETag"] = etag(result.version)
    return Upserted(**result.__dict__)


@router.get("/{ref}", summary="Read one candidate, with restrictions and outcome history")
def get_candidate(ref: RefPath, service: ServiceDep, response: Response,
                  actor: actor_dep("consultant")) -> dict[str, Any]:  # type: ignore[valid-type]
    row = service.get_candidate(ref, actor=actor)
    response.headers["ETag"] = etag(row["version"])
    return {k: v for k, v in row.items() if k not in ("id", "change_seq", "content_hash")}


@router.delete("/{ref}", status_code=204, summary="Erase a candidate everywhere (outcomes kept anonymised)")
def delete_candidate(ref: RefPath, service: ServiceDep, actor: actor_dep()) -> Response:  # type: ignore[valid-type]
    service.erase_candidate(ref, actor=actor)
    return Response(status_code=204)


def import_body(**examples: str) -> dict[str, Any]:
    """The OpenAPI description of a raw bulk body (the route reads it itself, line by line)."""
    return {"requestBody": {"required": True, "content": {
        media: {"schema": {"type": "string"}, "example": example} for media, example in examples.items()}}}


@router.post("/import", response_model=ImportResult, summary="Bulk import (NDJSON or Szeebra CSV), all-or-nothing",
             responses={422: {"description": "nothing was written; the per-row error report is in `errors`"}},
             openapi_extra=import_body(**{
                 "application/x-ndjson": '{"ref": "C-1001", "municipality": "arnhem", "trede": 3}\n',
                 "text/csv": "ref,municipality,trede,skills\nC-1001,arnhem,3,orderpicken:2;heftruck rijden\n"}))
async def import_candidates(request: Request, service: ServiceDep,
                            actor: actor_dep("batch")) -> JSONResponse:  # type: ignore[valid-type]
    data = await request.body()
    kind = media_type(request)
    if kind in ("text/csv", "application/csv"):
        items, errors = await run_in_threadpool(importers.candidates_csv, data)
    elif kind in NDJSON:
        items, errors = await run_in_threadpool(importers.candidates_ndjson, data)
    else:
        return unsupported(request, "send application/x-ndjson or text/csv")
    # in the thread pool: an import of thousands of rows must not stop the other requests of this process
    report = await run_in_threadpool(service.import_candidates, items, actor=actor) if not errors else None
    return _import_response(report, len(items) + len(errors), errors)


NDJSON = ("application/x-ndjson", "application/ndjson", "application/jsonl")


def media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def unsupported(request: Request, detail: str) -> JSONResponse:
    """415 for an import sent with a content type it does not take."""
    return problem(415, "Unsupported media type", detail, request)


def _import_response(report: Any, received: int, errors: list[dict[str, Any]]) -> JSONResponse:
    if report is None or not report.ok:
        errs = errors if report is None else report.errors
        body = ImportResult(ok=False, received=received, errors=errs).model_dump()
        body |= {"type": "about:blank", "title": "Invalid input", "status": 422,
                 "detail": f"{len(errs or [])} row(s) have errors; nothing was written"}
        return JSONResponse(body, status_code=422, media_type="application/problem+json")
    return JSONResponse(ImportResult(**report.__dict__).model_dump())


@router.get("", summary="List candidates (consultants see only their municipality)")
def list_candidates(service: ServiceDep, actor: actor_dep("consultant"),  # type: ignore[valid-type]
                    municipality: Annotated[str | None, Query(pattern=r"^[a-z][a-z0-9-]{1,39}$")] = None,
                    status: Annotated[str | None, Query(pattern="^(active|placed|paused|withdrawn)$")] = None,
                    text: Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")] = None,
                    limit: Limit = 50, offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> dict[str, Any]:
    rows = service.list_candidates(actor=actor, municipality=municipality, status=status, text=text,
                                   limit=limit, offset=offset)
    return {"items": rows, "limit": limit, "offset": offset}


@router.get("/{ref}/matches", response_model=MatchList, summary="Ranked open vacancies for one person")
def candidate_matches(ref: RefPath, service: ServiceDep, request: Request,
                      actor: actor_dep("consultant"), limit: Limit = 20) -> Response:  # type: ignore[valid-type]
    shortlist = service.matches(ref, actor=actor, limit=limit)
    request.app.state.metrics.shortlist_size.observe(len(shortlist.result.items))
    request.app.state.metrics.serving(shortlist.model_version)
    return match_list_response(shortlist, actor, "candidate")
