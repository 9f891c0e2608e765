"""A small world for the learning tests: 80 people, 30 vacancies, one shortlist per vacancy spread over
three months, and outcomes from a fixed rule on the *stored* features (so a trained model can learn it).

The rule deliberately differs from the prior model: it rewards closeness (``travel_distance``) and fitting
hours (``hours_fit``) and ignores skills, which the prior weighs most. The world is built through the
service (imports, shortlists, outcome recording and bulk import); only the shortlist times are set back,
because a shortlist cannot be requested in the past.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from matcher.domain import CandidateIn, OutcomeIn, VacancyIn
from matcher.security import SYSTEM
from matcher.service import Service

OCCUPATIONS = (
    ("magazijnmedewerker", ("orderpicken", "heftruck rijden", "scanner")),
    ("schoonmaker", ("schoonmaken", "strijken")),
    ("kok", ("koken", "hygiëne")),
    ("kassamedewerker", ("kassawerk", "klantcontact")),
    ("productiemedewerker", ("inpakken", "productiewerk")),
    ("hovenier", ("tuinonderhoud", "snoeien")),
)
POSTCODES = ("6811", "6824", "6827", "6842", "6845", "6881", "6921", "6951", "6861", "6871", "6511", "6541",
             "6711", "6901", "6661", "6701")
MUNICIPALITIES = {"6881": "rheden", "6951": "rheden", "6921": "duiven", "6861": "renkum", "6871": "renkum",
                  "6511": "nijmegen", "6541": "nijmegen", "6711": "ede", "6901": "zevenaar", "6661": "overbetuwe",
                  "6701": "wageningen"}
AGE_BANDS = ("18-26", "27-44", "45-54", "55+")
N_CANDIDATES, N_VACANCIES, SHORTLIST = 80, 30, 20
DAYS_APART = 3
START_DAYS_AGO = 300


@dataclass
class World:
    candidates: dict[str, CandidateIn]
    vacancies: dict[tuple[str, str], VacancyIn]
    requests: list[tuple[str, tuple[str, str], datetime]] = field(default_factory=list)
    events: int = 0


def candidate_bodies(seed: int = 7) -> dict[str, CandidateIn]:
    rng = random.Random(seed)
    out = {}
    for i in range(N_CANDIDATES):
        title, skills = OCCUPATIONS[i % len(OCCUPATIONS)]
        postcode = rng.choice(POSTCODES)
        hours_min = rng.choice((8, 12, 16, 24, 32))
        out[f"L-{i:03d}"] = CandidateIn.model_validate({
            "municipality": MUNICIPALITIES.get(postcode, "arnhem"),
            "postcode": postcode, "trede": rng.randint(1, 5), "hours_min": hours_min,
            "hours_max": min(40, hours_min + rng.choice((4, 8, 16))), "max_travel_km": rng.choice((5, 10, 20, 40)),
            "dutch_level": rng.choice(("A2", "B1", "B2")), "shifts": ["day"],
            "skills": [{"label": s, "years": rng.randint(1, 5)} for s in skills[: rng.randint(1, len(skills))]],
            "experience": [{"title": title, "years": rng.randint(0, 6)}],
            "desired_occupations": [title] if rng.random() < 0.6 else [],
            "monitoring": {"age_band": AGE_BANDS[i % len(AGE_BANDS)]},
        })
    return out


def vacancy_bodies(seed: int = 11) -> dict[tuple[str, str], VacancyIn]:
    rng = random.Random(seed)
    out = {}
    for j in range(N_VACANCIES):
        title, skills = OCCUPATIONS[j % len(OCCUPATIONS)]
        source = "wsp" if j % 3 else "scalabor"
        hours_min = rng.choice((8, 16, 24, 32))
        out[(source, f"LV-{j:03d}")] = VacancyIn.model_validate({
            "title": title, "postcode": rng.choice(POSTCODES), "hours_min": hours_min,
            "hours_max": min(40, hours_min + rng.choice((4, 8, 12))), "shifts": ["day"],
            "required_skills": list(skills[:2]), "support": ["jobcoach"] if source == "scalabor" else [],
            "positions": 3,
        })
    return out


def fit_strength(features: dict[str, float]) -> float:
    """The hidden rule: closeness and fitting hours decide; skills do not matter."""
    return features["travel_distance"] + features["hours_fit"]


def outcome_events(features: dict[str, float], candidate_ref: str, vacancy: tuple[str, str], request_id: str,
                   shown_at: datetime) -> list[dict[str, Any]]:
    s = fit_strength(features)
    base = {"candidate_ref": candidate_ref, "vacancy": {"source": vacancy[0], "external_id": vacancy[1]},
            "request_id": request_id}

    def event(name: str, days: float, reason: str | None = None) -> dict[str, Any]:
        return base | {"event": name, "occurred_at": (shown_at + timedelta(days=days)).isoformat(), "reason": reason}

    events = [event("proposed", 1)]
    if s >= 1.5:
        events += [event("invited", 5), event("interviewed", 9), event("hired", 12)]
        if features["travel_distance"] >= 0.8:
            events.append(event("retained_6m", 12 + 182))
        else:
            events.append(event("left_job", 12 + 60, "distance"))
    elif s >= 1.1:
        events += [event("invited", 5), event("rejected", 12, "experience")]
    else:
        events.append(event("rejected", 4, "distance"))
    return events


def backdate(service: Service, request_id: str, when: datetime) -> None:
    """Set a shortlist (and what it showed) back in time: the simulation's clock."""
    with service.db.transaction() as conn:
        conn.execute("UPDATE shortlist_requests SET created_at = %s WHERE id = %s", (when, request_id))
        conn.execute("UPDATE shown_matches SET created_at = %s WHERE request_id = %s", (when, request_id))


def build(service: Service, *, now: datetime | None = None) -> World:
    now = now or datetime.now(UTC)
    world = World(candidate_bodies(), vacancy_bodies())
    service.import_vacancies(list(world.vacancies.items()), actor=SYSTEM)
    service.import_candidates(list(world.candidates.items()), actor=SYSTEM)
    start = now - timedelta(days=START_DAYS_AGO)
    pending: list[OutcomeIn] = []
    for j, key in enumerate(sorted(world.vacancies)):
        shown_at = start + timedelta(days=DAYS_APART * j)
        shortlist = service.shortlist(key[0], key[1], actor=SYSTEM, limit=SHORTLIST, rerank=False)
        backdate(service, shortlist.request_id, shown_at)
        world.requests.append((shortlist.request_id, key, shown_at))
        for item in shortlist.result.items:
            for raw in outcome_events(item.features, item.candidate["ref"], key, shortlist.request_id, shown_at):
                pending.append(OutcomeIn.model_validate(raw))
    # the first shortlist's outcomes one by one (as a consultant would), the rest as one bulk import
    first = [e for e in pending if e.request_id == world.requests[0][0]]
    for body in first:
        service.record_outcome(body, actor=SYSTEM)
    report = service.import_outcomes([e for e in pending if e.request_id != world.requests[0][0]], actor=SYSTEM)
    assert report.ok, report.errors
    world.events = len(first) + report.created
    return world
