"""Mapping service results to responses, with the role rules applied in one place.

employer_service sees an anonymised list: reference, rank, a score band and the Dutch reasons of fit
(`matcher.matching.explain.anonymous`), with only the *fact* of attention points: no feature values, and
nothing that gives away the trede (the support a person needs), restrictions or where they live.
"""

from __future__ import annotations

from typing import Any

from pydantic_core import to_json
from starlette.responses import Response

from api.schemas import MatchList
from matcher.matching import explain
from matcher.matching.ranking import duplicates
from matcher.security import Actor
from matcher.service import Shortlist

# the band an anonymised list shows instead of the score (a lower bound of the probability each)
SCORE_BANDS = ((0.9, "zeer goed"), (0.75, "goed"), (0.5, "redelijk"), (0.0, "matig"))


def score_band(score: float) -> str:
    return next(label for bound, label in SCORE_BANDS if score >= bound)


def _explanation(raw: dict[str, Any], anonymous: bool) -> dict[str, Any]:
    attention = raw["attention_points"]
    if anonymous:
        anon = explain.anonymous(raw)
        return {"summary_nl": anon["summary_nl"], "base": None, "contributions": [], "attention_points": [],
                "has_attention_points": bool(attention), "fits_nl": anon["fits_nl"], "missing_nl": anon["missing_nl"]}
    return {"summary_nl": raw["summary_nl"], "base": raw["base"], "contributions": raw["contributions"],
            "attention_points": attention, "has_attention_points": bool(attention), "fits_nl": None,
            "missing_nl": None}


def _layout(shortlist: Shortlist, actor: Actor, direction: str) -> dict[str, Any]:
    """A `MatchList` as plain data, its fields in the schema's order."""
    anonymous = actor.role == "employer_service"
    items: list[dict[str, Any]] = []
    same = duplicates([i.vacancy for i in shortlist.result.items]) if direction == "candidate" else {}
    for k, item in enumerate(shortlist.result.items):
        cand, vac = item.candidate, item.vacancy
        items.append({
            "rank": item.rank, "score": None if anonymous else item.score,
            "score_band": score_band(item.score) if anonymous else None,
            "points": None if anonymous else item.points, "moved_down": None if anonymous else item.moved_down,
            "moved_up": None if anonymous else item.moved_up,
            "candidate_ref": cand["ref"] if direction == "vacancy" else None,
            "vacancy": {key: vac[key] for key in ("source", "external_id", "title", "employer", "postcode")}
            if direction == "candidate" else None,
            "municipality": None if anonymous else cand["municipality"],
            "trede": None if anonymous else cand["trede"],
            "same_job_as": items[same[k]]["vacancy"] if k in same else None,
            "status": None if anonymous else item.status,
            "explanation": _explanation(item.explanation, anonymous),
            "features": None if anonymous else item.features,
            "request_id": shortlist.request_id,
        })
    return {"request_id": shortlist.request_id, "model_version": shortlist.model_version,
            "considered": shortlist.result.considered, "excluded": shortlist.result.excluded,
            "excluded_reasons": {} if anonymous else shortlist.result.excluded_reasons,
            "moved_down": None if anonymous else shortlist.result.moved_down,
            "moved_up": None if anonymous else shortlist.result.moved_up, "items": items}


def match_list(shortlist: Shortlist, actor: Actor, direction: str) -> MatchList:
    return MatchList.model_validate(_layout(shortlist, actor, direction))


def match_list_response(shortlist: Shortlist, actor: Actor, direction: str) -> Response:
    """The same list written straight to JSON: validating some 300 nested parts that this module has just laid out
    cost a shortlist more than anything else in the API layer. A test keeps the bytes equal to the validated
    `MatchList`'s."""
    return Response(to_json(_layout(shortlist, actor, direction)), media_type="application/json")


def etag(version: int) -> str:
    return f'W/"{version}"'


def parse_if_match(value: str | None) -> int | None:
    """Accepts W/"3", "3" or 3; anything else is a clear 412 later (it can never match)."""
    if value is None:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    return int(text) if text.isdigit() and len(text) < 10 else -1
