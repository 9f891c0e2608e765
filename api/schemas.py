"""Response shapes (requests reuse `matcher.domain`). Field names follow the contract in DESIGN §5."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel


class Contribution(BaseModel):
    feature: str
    value: float
    contribution: float
    text_nl: str


class Explanation(BaseModel):
    summary_nl: str
    base: float
    contributions: list[Contribution]
    attention_points: list[str]
    has_attention_points: bool


class VacancyRef(BaseModel):
    source: str
    external_id: str
    title: str
    employer: str = ""
    postcode: str | None = None


class MatchItem(BaseModel):
    rank: int
    score: float
    candidate_ref: str | None = None
    vacancy: VacancyRef | None = None
    municipality: str | None = None
    trede: int | None = None
    explanation: Explanation
    features: dict[str, float] | None = None
    request_id: str


class MatchList(BaseModel):
    request_id: str
    model_version: str
    considered: int
    excluded: int
    excluded_reasons: dict[str, int]
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
