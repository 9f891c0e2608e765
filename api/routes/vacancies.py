"""Vacancies: upsert, read, bulk import, list, shortlist."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from api.deps import JSON_BODY, ServiceDep, actor_dep
from api.present import etag, match_list_response, parse_if_match
from api.routes.candidates import NDJSON, Limit, _import_response, import_body, media_type, unsupported
from api.schemas import ImportResult, MatchList, Upserted
from matcher.domain import VacancyIn
from matcher.ingest import importers
from matcher.ingest.jobposting import MAX_CONTENT_BYTES, is_posting
from matcher.service import Service

router = APIRouter(prefix="/v1/vacancies", tags=["vacancies"])
Source = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
ExternalId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]


JSON_TYPES = ("application/json", "application/ld+json")


def vacancy_body_of(service: Service, kind: str, raw: bytes) -> VacancyIn:
    """A vacancy body, a JobPosting or a page, each checked the way a FastAPI body would be (the same 422)."""
    if kind == "text/html":
        return service.vacancy_from(_text(raw), "html")[0]
    if kind not in JSON_TYPES and not (kind.startswith("application/") and kind.endswith("+json")):
        raise HTTPException(415, f"send the vacancy as application/json, application/ld+json (a JobPosting) or "
                                 f"text/html (a page), not {kind or 'without a content type'}")
    text = _text(raw)
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise HTTPException(400, f"the body is not valid JSON: {getattr(exc, 'msg', 'nested too deeply')}") from None
    if is_posting(data) or (isinstance(data, dict) and "@context" in data):
        return service.vacancy_from(text, "jobposting")[0]
    try:
        return VacancyIn.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None


def _text(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(400, "the body is not UTF-8") from None


def vacancy_body() -> dict[str, Any]:
    """OpenAPI: the three kinds of body this route reads itself."""
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/VacancyIn"}},
        "application/ld+json": {"schema": {"type": "object", "description": "a schema.org JobPosting"},
                                "example": {"@context": "https://schema.org", "@type": "JobPosting",
                                            "title": "Orderpicker", "description": "32 uur, dagdienst"}},
        "text/html": {"schema": {"type": "string"}, "example": "<h1>Orderpicker</h1><p>32 uur per week</p>"}}}}


@router.put("/{source}/{external_id}", response_model=Upserted, summary="Create or update one vacancy",
            description="The body is a vacancy as JSON, a schema.org JobPosting (JSON-LD, as `application/json` or "
                        "`application/ld+json`) or an HTML page (`text/html`) that embeds one or holds the vacancy "
                        "text. Fields the body leaves out are read from its text; given fields always win.",
            openapi_extra=vacancy_body())
async def put_vacancy(source: Source, external_id: ExternalId, request: Request, service: ServiceDep,
                      response: Response, actor: actor_dep("employer_service", "batch"),  # type: ignore[valid-type]
                      if_match: Annotated[str | None, Header(max_length=40)] = None) -> Upserted:
    body = await run_in_threadpool(vacancy_body_of, service, media_type(request), await request.body())
    result = await run_in_threadpool(service.upsert_vacancy, source, external_id, body, actor=actor,
                                     if_match=parse_if_match(if_match))
    response.status_code = 201 if result.created else 200
    response.headers["ETag"] = etag(result.version)
    return Upserted(**result.__dict__)


class ExtractIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    content: str = Field(max_length=MAX_CONTENT_BYTES, description="vacancy text, an HTML page or a JobPosting")
    format: Literal["text", "html", "jobposting"] | None = Field(default=None, description="detected when absent")


@router.post("/extract", summary="Read a vacancy text, HTML page or schema.org JobPosting into proposed fields",
             description="Stores nothing. Each proposed field comes with the spans of `text` it was read from.",
             dependencies=JSON_BODY)
async def extract(body: ExtractIn, service: ServiceDep,
                  actor: actor_dep("employer_service", "consultant")) -> dict[str, Any]:  # type: ignore[valid-type]
    read = await run_in_threadpool(service.read_vacancy, body.content, body.format)
    found = read.extraction
    return {"vacancy": found.vacancy, "evidence": {k: [s.__dict__ for s in v] for k, v in found.evidence.items()},
            "warnings": found.warnings, "notes": found.notes, "stated": sorted(found.stated), "text": read.text,
            "format": read.format, "identifier": read.identifier}


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
                           actor: actor_dep("employer_service", "batch"),  # type: ignore[valid-type]
                           source: Annotated[str | None, Query(
                               pattern=r"^[a-z][a-z0-9_]{0,31}$",
                               description="source of JobPosting lines that do not name one")] = None) -> JSONResponse:
    if media_type(request) not in NDJSON:
        return unsupported(request, "send application/x-ndjson")
    data = await request.body()
    items, errors = await run_in_threadpool(lambda: importers.vacancies_ndjson(
        data, posting=service.vacancy_from, source=source))
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
