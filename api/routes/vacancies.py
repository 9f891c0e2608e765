"""Vacancies: upsert, read, bulk import, list, shortlist."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api.deps import JSON_BODY, ServiceDep, actor_dep
from api.present import etag, match_list_response, parse_if_match
from api.routes.candidates import NDJSON, Limit, _import_response, import_body, media_type, unsupported
from api.schemas import ImportResult, MatchList, Upserted
from matcher.domain import VacancyIn
from matcher.ingest import importers

router = APIRouter(prefix="/v1/vacancies", tags=["vacancies"])
Source = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
ExternalId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]


@router.put("/{source}/{external_id}", response_model=Upserted, summary="Create or update one vacancy",
            dependencies=JSON_BODY)
def put_vacancy(source: Source, external_id: ExternalId, body: VacancyIn, service: ServiceDep, response: Response,
                actor: actor_dep("employer_service", "batch"),  # type: ignore[valid-type]
                if_match: Annotated[str | None, Header(max_length=40)] = None) -> Upserted:
    result = service.upsert_vacancy(source, external_id, body, actor=actor, if_match=parse_if_match(if_match))
    response.status_code = 201 if result.created else 200
    response.headers["ETag"] = etag(result.version)
    return Upserted(**result.__dict__)


@router.get("/{source}/{external_id}", summary="Read one vacancy")
def get_vacancy(source: Source, external_id: ExternalId, service: ServiceDep, response: Response,
                actor: actor_dep("consultant", "employer_service")) -> dict[str, Any]:  # type: ignore[valid-type]
    row = service.get_vacancy(source, external_id)
    response.headers["ETag"] = etag(row["version"])
    return {k: v for k, v in row.items() if k not in ("change_seq", "content_hash")}


@router.post("/import", response_model=ImportResult, summary="Bulk import of vacancies (NDJSON), all-or-nothing",
             responses={422: {"description": "nothing was written; the per-row error report is in `errors`"}},
             openapi_extra=import_body(**{
                 "application/x-ndjson": '{"source": "wsp", "external_id": "WSP-1", "title": "magazijnmedewerker"}\n'}))
async def import_vacancies(request: Request, service: ServiceDep,
                           actor: actor_dep("employer_service", "batch")) -> JSONResponse:  # type: ignore[valid-type]
    if media_type(request) not in NDJSON:
        return unsupported(request, "send application/x-ndjson")
    items, errors = await run_in_threadpool(importers.vacancies_ndjson, await request.body())
    unknown = [{"row": n + 1, "errors": [{"loc": "source", "msg": f"unknown source {k[0]!r}"}]}
               for n, (k, _) in enumerate(items) if k[0] not in service.settings.sources]
    errors += unknown
    report = await run_in_threadpool(service.import_vacancies, items, actor=actor) if not errors else None
    return _import_response(report, len(items) + len(errors) - len(unknown), errors)


@router.get("", summary="List vacancies")
def list_vacancies(service: ServiceDep, actor: actor_dep("consultant", "employer_service"),  # type: ignore[valid-type]
                   source: Annotated[str | None, Query(pattern=r"^[a-z][a-z0-9_]{0,31}$")] = None,
                   status: Annotated[str | None, Query(pattern="^(open|filled|closed)$")] = None,
                   text: Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00]*$")] = None,
                   limit: Limit = 50, offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> dict[str, Any]:
    rows = service.list_vacancies(source=source, status=status, text=text, limit=limit, offset=offset)
    return {"items": rows, "limit": limit, "offset": offset}


@router.get("/{source}/{external_id}/shortlist", response_model=MatchList,
            summary="Ranked candidates with explanations (anonymised for employer services)")
def shortlist(source: Source, external_id: ExternalId, service: ServiceDep, request: Request,
              actor: actor_dep("consultant", "employer_service"),  # type: ignore[valid-type]
              limit: Limit = 20,
              rerank: Annotated[str, Query(pattern="^(exposure|none)$")] = "exposure") -> Response:
    result = service.shortlist(source, external_id, actor=actor, limit=limit, rerank=rerank == "exposure")
    request.app.state.metrics.shortlist_size.observe(len(result.result.items))
    request.app.state.metrics.serving(result.model_version)
    return match_list_response(result, actor, "vacancy")
