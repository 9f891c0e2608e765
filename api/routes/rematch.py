"""Nightly rematch results: the latest run and what is new since the previous one."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from api.deps import ServiceDep, actor_dep
from api.schemas import Contribution, Explanation, VacancyRef
from matcher.batch import worklist

router = APIRouter(prefix="/v1", tags=["rematch"])
RefPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$", description="Szeebra reference")]
Source = Annotated[str, Path(pattern=r"^[a-z][a-z0-9_]{0,31}$")]
ExternalId = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")]
Limit = Annotated[int, Query(ge=1, le=1000)]


class Run(BaseModel):
    id: int
    status: str
    model_version: str
    started_at: datetime
    finished_at: datetime | None
    heartbeat_at: datetime
    counts: dict[str, Any]


class RunStatus(BaseModel):
    run: Run | None
    previous_run_id: int | None
    in_progress: Run | None
    last_failed: Run | None


class NewMatch(BaseModel):
    candidate_ref: str
    municipality: str
    vacancy: VacancyRef
    rank: int | None
    vacancy_rank: int | None
    score: float
    points: float  # the log-odds on a 0–100 scale (as in a shortlist)
    new_for: list[str]
    explanation: Explanation
    features: dict[str, float]


class NewMatches(BaseModel):
    run_id: int
    model_version: str
    finished_at: datetime | None
    previous_run_id: int | None
    total: int
    items: list[NewMatch]
    candidate_ref: str | None = None
    vacancy: dict[str, str] | None = None
    municipality: str | None = None
    limit: int | None = None
    offset: int | None = None


def _present(result: dict[str, Any]) -> NewMatches:
    items = []
    for item in result["items"]:
        raw = item["explanation"]
        explanation = Explanation(summary_nl=raw["summary_nl"], base=raw["base"],
                                  contributions=[Contribution(**c) for c in raw["contributions"]],
                                  attention_points=raw["attention_points"],
                                  has_attention_points=bool(raw["attention_points"]))
        items.append(NewMatch(**(item | {"explanation": explanation})))
    return NewMatches(**(result | {"items": items}))


@router.get("/rematch/runs/latest", response_model=RunStatus,
            summary="The latest completed nightly rematch run (and one in progress, if any)")
def latest_run(service: ServiceDep, actor: actor_dep("consultant", "batch")) -> RunStatus:  # type: ignore[valid-type]
    return RunStatus(**worklist.run_status(service))


@router.get("/rematch/new-matches", response_model=NewMatches,
            summary="Worklist: matches that are new since the previous run (a consultant: own municipality)")
def new_matches(service: ServiceDep, actor: actor_dep("consultant"),  # type: ignore[valid-type]
                municipality: Annotated[str | None, Query(pattern=r"^[a-z][a-z0-9-]{1,39}$")] = None,
                limit: Limit = 100, offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0) -> NewMatches:
    return _present(worklist.for_municipality(service, actor=actor, municipality=municipality, limit=limit,
                                              offset=offset))


@router.get("/candidates/{ref}/new-matches", response_model=NewMatches,
            summary="Vacancies new in this person's top K since the previous nightly run")
def candidate_new_matches(ref: RefPath, service: ServiceDep, actor: actor_dep("consultant"),  # type: ignore[valid-type]
                          limit: Limit = 50) -> NewMatches:
    return _present(worklist.for_candidate(service, ref, actor=actor, limit=limit))


@router.get("/vacancies/{source}/{external_id}/new-matches", response_model=NewMatches,
            summary="People new in this vacancy's top K since the previous nightly run")
def vacancy_new_matches(source: Source, external_id: ExternalId, service: ServiceDep,
                        actor: actor_dep("consultant"), limit: Limit = 50) -> NewMatches:  # type: ignore[valid-type]
    return _present(worklist.for_vacancy(service, source, external_id, actor=actor, limit=limit))
