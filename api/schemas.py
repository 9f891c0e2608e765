"""Response shapes (requests reuse `matcher.domain`). Field names follow the contract in DESIGN §5."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel

from matcher.domain import VacancyKey


class Contribution(BaseModel):
    feature: str
    value: float
    contribution: float
    text_nl: str
    meaning: Literal["fit", "gap", "neutral"]  # what the text says, whatever the sign of the contribution


class Explanation(BaseModel):
    """The whole explanation; the anonymised one (employer_service) has no base, no contributions and no
    attention points, only the Dutch reasons: what fits (``fits_nl``) and what is missing (``missing_nl``)."""
    summary_nl: str
    base: float | None
    contributions: list[Contribution]
    attention_points: list[str]
    has_attention_points: bool
    fits_nl: list[str] | None = None
    missing_nl: list[str] | None = None


class VacancyRef(BaseModel):
    source: str
    external_id: str
    title: str
    employer: str = ""
    postcode: str | None = None


class MatchItem(BaseModel):
    rank: int
    score: float | None  # None in the anonymised list, which has the band only
    score_band: str | None = None
    points: float | None = None  # the log-odds on a 0–100 scale that spreads where the score sits near 100 %
    moved_down: bool | None = None  # the exposure re-rank put this person lower than the model's order
    moved_up: bool | None = None  # the bestand boost (trede 0–2, jobcoach/jobcarving) put this person higher
    candidate_ref: str | None = None
    vacancy: VacancyRef | None = None
    municipality: str | None = None
    trede: int | None = None
    same_job_as: VacancyRef | None = None  # the same job higher up this person's list, from another source
    status: str | None = None  # the pair's latest recorded outcome (proposed, invited, hired, …); not anonymised
    explanation: Explanation
    features: dict[str, float] | None = None
    request_id: str


class MatchList(BaseModel):
    request_id: str
    model_version: str
    considered: int
    excluded: int
    excluded_reasons: dict[str, int]
    moved_down: int | None = None  # how many people the exposure re-rank moved down (in or out of the list)
    moved_up: int | None = None  # how many people the bestand boost put higher than the model's order
    items: list[MatchItem]


class Upserted(BaseModel):
    id: int
    version: int
    created: bool
    changed: bool


class ImportResult(BaseModel):
    ok: bool
    received: int
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    encoded: int = 0
    errors: list[dict[str, Any]] | None = None


class OutcomeRecorded(BaseModel):
    id: int
    recorded_at: datetime
    linked_to_shown_match: bool


class OutcomeUndone(BaseModel):
    id: int
    event: str
    candidate_ref: str
    vacancy: VacancyKey
    undone_at: datetime
