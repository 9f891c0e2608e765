"""Helpers for the API tests: one key per role, a small world of people and vacancies, problem checks.

Everything goes through the real app (`client`) on a real, freshly cloned PostgreSQL with the real encoder.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from matcher.domain import CandidateIn, VacancyIn
from matcher.security import SYSTEM, create_key, revoke_key
from matcher.service import Service

PROBLEM = "application/problem+json"

# name -> (role, municipality). "none" (no key) and "revoked" are added by the `keys` fixture.
ROLE_KEYS: dict[str, tuple[str, str | None]] = {
    "consultant": ("consultant", None),
    "consultant_arnhem": ("consultant", "arnhem"),
    "employer_service": ("employer_service", None),
    "batch": ("batch", None),
    "admin": ("admin", None),
    "auditor": ("auditor", None),
}
CALLERS = (*ROLE_KEYS, "none", "revoked")

# A restriction text no vocabulary recognises, so it is stored as text (and must never leak).
SECRET_RESTRICTION = "kan niet tegen zebrahuisstof 7781"

CANDIDATES: dict[str, dict[str, Any]] = {
    "A-MAG": {"municipality": "arnhem", "postcode": "6825", "trede": 3, "hours_min": 24, "hours_max": 36,
              "max_travel_km": 25, "dutch_level": "B1", "shifts": ["day"],
              "skills": [{"label": "orderpicken", "years": 3}, {"label": "heftruck rijden", "years": 2}],
              "experience": [{"title": "magazijnmedewerker", "years": 4}], "certificates": ["VCA"],
              "desired_occupations": ["magazijnmedewerker"]},
    "A-SCH": {"municipality": "arnhem", "postcode": "6811", "trede": 1, "hours_min": 12, "hours_max": 24,
              "max_travel_km": 15, "shifts": ["day"], "skills": [{"label": "schoonmaken"}],
              "experience": [{"title": "schoonmaker", "years": 2}],
              "restrictions": [{"code": "max_lift_kg", "value": 5}, {"text": SECRET_RESTRICTION}]},
    "N-MAG": {"municipality": "nijmegen", "postcode": "6511", "trede": 4, "hours_min": 24, "hours_max": 38,
              "max_travel_km": 40, "dutch_level": "B2", "shifts": ["day"],
              "skills": [{"label": "orderpicken", "years": 1}], "experience": [{"title": "orderpicker", "years": 2}]},
    "N-SCH": {"municipality": "nijmegen", "postcode": "6512", "trede": 2, "hours_min": 12, "hours_max": 24,
              "max_travel_km": 30, "shifts": ["day"], "skills": [{"label": "schoonmaken"}],
              "experience": [{"title": "schoonmaakster", "years": 1}],
              "restrictions": [{"code": "no_customer_contact"}]},
}
VACANCIES: dict[tuple[str, str], dict[str, Any]] = {
    ("wsp", "W-MAG"): {"title": "magazijnmedewerker", "postcode": "6827", "hours_min": 24, "hours_max": 36,
                       "required_skills": ["orderpicken"], "shifts": ["day"]},
    ("scalabor", "S-SCH"): {"title": "schoonmaker kantoren", "postcode": "6811", "hours_min": 12, "hours_max": 24,
                            "required_skills": ["schoonmaken"], "support": ["jobcoach", "jobcarving"],
                            "demands": [{"code": "lift_kg", "value": 10}, {"code": "customer_contact"}],
                            "shifts": ["day"]},
}


def auth(key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"} if key else {}


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status and a readable detail."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers["content-type"]
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


def error_locs(response: httpx.Response) -> list[str]:
    return [e["loc"] for e in response.json().get("errors", [])]


def seed(service: Service) -> None:
    service.import_vacancies([(k, VacancyIn.model_validate(v)) for k, v in VACANCIES.items()], actor=SYSTEM)
    service.import_candidates([(k, CandidateIn.model_validate(v)) for k, v in CANDIDATES.items()], actor=SYSTEM)


def make_keys(service: Service) -> dict[str, str | None]:
    keys: dict[str, str | None] = {"none": None}
    with service.db.transaction() as conn:
        for name, (role, municipality) in ROLE_KEYS.items():
            keys[name] = create_key(conn, role=role, municipality=municipality, name=f"test {name}")[1]
        revoked_id, keys["revoked"] = create_key(conn, role="admin", municipality=None, name="test revoked")
        revoke_key(conn, revoked_id)
    return keys


@pytest.fixture
def world(service: Service) -> Service:
    """Two vacancies and four people in two municipalities."""
    seed(service)
    return service


@pytest.fixture
def keys(service: Service) -> dict[str, str | None]:
    return make_keys(service)


@pytest.fixture
def count_rows(service: Service) -> Callable[[str], int]:
    def count(table: str) -> int:
        with service.db.connection() as conn:
            row = conn.execute(f"SELECT count(*) AS n FROM {table}").fetchone()  # table names are literals
            assert row is not None
            return int(row["n"])

    return count
