"""Presentation for the pages: Dutch labels and the explanation grouped into chips.

The role rules are not repeated here: match lists come from `api.present.match_list`, the same function the
API uses, so an employer-service adviser sees exactly the anonymised list the API gives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from api.schemas import Explanation
from matcher.domain import OutcomeEvent, RejectionReason
from matcher.matching import explain

EVENT_LABELS: dict[str, str] = {
    "proposed": "voorgesteld",
    "invited": "uitgenodigd",
    "interviewed": "gesprek",
    "hired": "aangenomen",
    "rejected": "afgewezen",
    "declined": "afgehaakt",
    "no_show": "niet verschenen",
    "retained_6m": "na 6 maanden nog in dienst",
    "left_job": "uit dienst",
}
# The buttons on a shortlist, in the order a placement goes; 'rejected' has its own button with a reason.
SHORTLIST_EVENTS = ("proposed", "invited", "interviewed", "hired", "declined", "no_show")
MANUAL_EVENTS = ("proposed", "invited", "interviewed", "hired")

REASON_LABELS: dict[str, str] = {
    "skills_mismatch": "vaardigheden passen niet",
    "experience": "te weinig ervaring",
    "availability": "beschikbaarheid",
    "distance": "afstand",
    "language": "taal",
    "no_show": "niet verschenen",
    "other": "andere reden",
}

FEATURE_LABELS: dict[str, str] = {
    "required_skills": "Gevraagde vaardigheden",
    "preferred_skills": "Gewenste vaardigheden",
    "certificates": "Certificaten",
    "semantic_similarity": "Inhoudelijke gelijkenis",
    "text_similarity": "Overeenkomende woorden",
    "occupation_experience": "Ervaring in het beroep",
    "desired_occupation": "Wens van de kandidaat",
    "education_fit": "Opleidingsniveau",
    "language_fit": "Taalniveau Nederlands",
    "travel_distance": "Reisafstand",
    "hours_fit": "Uren",
    "shift_fit": "Diensten",
    "support_fit": "Begeleiding",
    "attention_points": "Bespreekpunten",
}

RESTRICTION_LABELS: dict[str, str] = {
    "max_lift_kg": "maximaal {value} kg tillen",
    "no_night": "geen nachtwerk",
    "no_evening": "geen avondwerk",
    "no_weekend": "geen weekendwerk",
    "max_hours_week": "maximaal {value} uur per week",
    "no_prolonged_standing": "niet langdurig staan",
    "low_stimulus": "prikkelarme werkplek",
    "no_customer_contact": "geen klantcontact",
    "no_heights": "niet op hoogte werken",
    "no_driving": "geen voertuig besturen",
    "no_outdoor": "niet buiten werken",
}

ROLE_LABELS = {"consultant": "werkconsulent", "employer_service": "werkgeversdienstverlening", "admin": "beheerder"}
VACANCY_STATUS_LABELS = {"open": "open", "filled": "vervuld", "closed": "gesloten"}
CANDIDATE_STATUS_LABELS = {"active": "actief", "placed": "geplaatst", "paused": "gepauzeerd",
                           "withdrawn": "uitgeschreven"}
SHIFT_LABELS = explain.SHIFT_NL
DEMAND_LABELS = {"standing": "staand werk", "heights": "werken op hoogte", "outdoor": "buitenwerk",
                 "customer_contact": "klantcontact", "high_stimulus": "drukke werkomgeving", "driving": "rijden",
                 "night_work": "nachtwerk", "evening_work": "avondwerk", "weekend_work": "weekendwerk"}
SUPPORT_LABELS = {"jobcoach": "jobcoach", "jobcarving": "jobcarving", "loonkostensubsidie": "loonkostensubsidie",
                  "proefplaatsing": "proefplaatsing"}
FIELD_LABELS = {"title": "functie", "employer": "werkgever", "hours_min": "uren", "hours_max": "uren",
                "shifts": "diensten", "driving_licences": "rijbewijs", "certificates": "certificaten",
                "dutch_level": "taalniveau", "education_level": "opleiding", "demands": "eisen aan het werk",
                "support": "ondersteuning", "required_skills": "vaardigheden", "preferred_skills": "wensen",
                "postcode": "locatie"}


def highlight(text: str, evidence: dict[str, list[dict[str, Any]]]) -> list[tuple[str, str | None]]:
    """The text cut into pieces, each with the field it was read as (or None): the page marks them. Where
    two findings overlap the first one in the text keeps the words."""
    spans = sorted((s["start"], s["end"], FIELD_LABELS.get(name, name)) for name, found in evidence.items()
                   for s in found if 0 <= s["start"] < s["end"] <= len(text))
    pieces: list[tuple[str, str | None]] = []
    at = 0
    for start, end, label in spans:
        if start < at:
            continue
        pieces += [(text[at:start], None), (text[start:end], label)]
        at = end
    return [p for p in [*pieces, (text[at:], None)] if p[0]]
SOURCE_LABELS = {"wsp": "WSP", "scalabor": "Scalabor"}

assert set(EVENT_LABELS) == {e.value for e in OutcomeEvent}
assert set(REASON_LABELS) == {r.value for r in RejectionReason}


def source_label(source: str) -> str:
    return SOURCE_LABELS.get(source, source.upper() if len(source) <= 4 else source.capitalize())


def restriction_text(restriction: dict[str, Any]) -> str:
    code = restriction.get("code")
    if not code:
        return str(restriction.get("text") or "")
    value = restriction.get("value")
    shown = f"{value:g}" if isinstance(value, int | float) else "?"
    return RESTRICTION_LABELS.get(code, code.replace("_", " ")).format(value=shown)


def number(value: float | None, digits: int = 2) -> str:
    """Dutch decimal comma."""
    if value is None:
        return "–"
    return f"{value:+.{digits}f}".replace(".", ",") if digits else f"{value:.0f}"


def plain(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}".replace(".", ",")


def points(value: float) -> str:
    """The 0–100 points with one decimal, Dutch style ("73,4"): whole points tie too often in a top 20."""
    return f"{value:.1f}".replace(".", ",")


def percent(score: float) -> int:
    """Whole percent, rounded down: 0.996 shows as 99%, never as a perfect match."""
    return max(0, min(100, math.floor(score * 100)))


@dataclass
class Chips:
    fits: list[str]
    missing: list[str]
    attention: list[str]


def chips(explanation: Explanation) -> Chips:
    """What fits, what is missing, what to discuss. The anonymised list brings its own Dutch reasons and
    no attention points; only the fact that there are some is shown."""
    if explanation.fits_nl is not None or explanation.missing_nl is not None:
        fits, missing = list(explanation.fits_nl or []), list(explanation.missing_nl or [])
    else:
        fits, missing = explain.chips([c.model_dump() for c in explanation.contributions])
    attention = list(explanation.attention_points)
    if explanation.has_attention_points and not attention:
        attention = ["er zijn bespreekpunten"]
    return Chips(fits=fits, missing=missing, attention=attention)


def logit_total(explanation: Explanation) -> float:
    return (explanation.base or 0.0) + sum(c.contribution for c in explanation.contributions)


@dataclass
class Ahead:
    """Why a match stands above the next one: the features where it scores more, biggest gap first."""
    rank: int
    lines: list[tuple[str, float]]
    note: str | None


def ahead(this: Any, below: Any, *, limit: int = 3) -> Ahead | None:
    """'Waarom hoger dan #n' for two neighbouring items of a list (MatchItems with a full explanation). When
    the model puts the next one higher, the note says the re-rank did it (exposure or the bestand boost)."""
    if below is None or not this.explanation.contributions or not below.explanation.contributions:
        return None
    theirs = {c.feature: c.contribution for c in below.explanation.contributions}
    gaps = sorted(((c.contribution - theirs.get(c.feature, 0.0), c.feature) for c in this.explanation.contributions),
                  reverse=True)
    lines = [(FEATURE_LABELS.get(f, f), gap) for gap, f in gaps if gap >= 0.005][:limit]
    total = logit_total(this.explanation) - logit_total(below.explanation)
    note = None
    if total < 0:
        why = ("deze persoon staat hoger door voorrang voor het bestand bij een vacature met jobcoach of jobcarving"
               if this.moved_up else f"#{below.rank} staat lager omdat die al vaak werd voorgesteld"
               if below.moved_down else "de volgorde is herschikt")
        note = f"Het model geeft #{below.rank} meer punten; {why}."
    elif not lines:
        note = f"Even hoog als #{below.rank}."
    return Ahead(rank=below.rank, lines=lines, note=note)
