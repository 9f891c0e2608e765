"""Vacancies through the HTTP API: idempotent upserts with ETags, limits, lists and concurrent writes."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.api.conftest import assert_problem, auth, error_locs

BODY: dict[str, Any] = {
    "title": "magazijnmedewerker", "description": "Orderpicken in een koel magazijn.", "employer": "Koel BV",
    "postcode": "6827", "hours_min": 24, "hours_max": 38, "shifts": ["day", "weekend"],
    "required_skills": ["orderpicken", "scanner"], "preferred_skills": ["heftruck rijden"], "certificates": ["VCA"],
    "driving_licences": ["B"], "dutch_level": "A2", "education_level": "vmbo",
    "demands": [{"code": "lift_kg", "value": 15}, {"code": "standing"}], "support": ["jobcoach"],
    "positions": 3, "closes_at": "2027-03-01", "status": "open",
}


@pytest.fixture
def employer(make_key: Callable[..., str]) -> dict[str, str]:
    return auth(make_key("employer_service"))


def test_put_is_idempotent_versioned_and_conditional(client: Any, employer: dict[str, str]) -> None:
    url = "/v1/vacancies/wsp/WSP-1"
    created = client.put(url, json=BODY, headers=employer)
    assert created.status_code == 201 and created.headers["etag"] == 'W/"1"'
    assert (created.json()["version"], created.json()["created"], created.json()["changed"]) == (1, True, True)

    again = client.put(url, json=BODY, headers=employer)
    assert again.status_code == 200 and again.headers["etag"] == 'W/"1"'
    assert (again.json()["version"], again.json()["created"], again.json()["changed"]) == (1, False, False)

    changed = client.put(url, json=BODY | {"positions": 2}, headers=employer)
    assert changed.status_code == 200 and changed.json()["version"] == 2 and changed.json()["changed"]

    stale = client.put(url, json=BODY | {"positions": 1}, headers=employer | {"If-Match": 'W/"1"'})
    assert "version 2" in assert_problem(stale, 412)["detail"]
    current = client.put(url, json=BODY | {"positions": 1}, headers=employer | {"If-Match": 'W/"2"'})
    assert current.status_code == 200 and current.json()["version"] == 3

    read = client.get(url, headers=employer)
    assert read.status_code == 200 and read.headers["etag"] == 'W/"3"'
    vacancy = read.json()
    assert vacancy["positions"] == 1 and vacancy["title"] == "magazijnmedewerker"
    assert vacancy["closes_at"] == "2027-03-01" and vacancy["support"] == ["jobcoach"]
    assert [s["label"] for s in vacancy["required_skills"]] == ["orderpicken", "scanner"]
    assert [s["label"] for s in vacancy["preferred_skills"]] == ["heftruck rijden"]
    assert [(d["code"], d["value"]) for d in vacancy["demands"]] == [("lift_kg", 15), ("standing", None)]
    assert vacancy["shifts"] == ["day", "weekend"] and vacancy["employer"] == "Koel BV"


def test_sources_are_kept_apart_and_unknown_sources_refused(client: Any, employer: dict[str, str],
                                                           count_rows: Callable[[str], int]) -> None:
    assert client.put("/v1/vacancies/wsp/X-1", json=BODY, headers=employer).status_code == 201
    assert client.put("/v1/vacancies/scalabor/X-1", json=BODY, headers=employer).status_code == 201
    problem = assert_problem(client.put("/v1/vacancies/monsterboard/X-1", json=BODY, headers=employer), 404)
    assert "wsp" in problem["detail"] and "scalabor" in problem["detail"]
    assert_problem(client.get("/v1/vacancies/monsterboard/X-1", headers=employer), 404)
    assert_problem(client.get("/v1/vacancies/wsp/X-2", headers=employer), 404)
    assert count_rows("vacancies") == 2


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("unknown field", BODY | {"titel": "x"}, "body.titel"),
    ("unknown nested field", BODY | {"demands": [{"code": "standing", "waarde": 1}]}, "body.demands[0].waarde"),
    ("no title", {k: v for k, v in BODY.items() if k != "title"}, "body.title"),
    ("huge description", BODY | {"description": "x" * 4001}, "body.description"),
    ("huge title", BODY | {"title": "x" * 201}, "body.title"),
    ("too many skills", BODY | {"required_skills": [f"s{i}" for i in range(51)]}, "body.required_skills"),
    ("zero positions", BODY | {"positions": 0}, "body.positions"),
    ("absurd positions", BODY | {"positions": 10**9}, "body.positions"),
    ("negative hours", BODY | {"hours_min": -4}, "body.hours_min"),
    ("not a date", BODY | {"closes_at": "volgende week"}, "body.closes_at"),
    ("unknown demand", BODY | {"demands": [{"code": "juggling"}]}, "body.demands[0].code"),
    ("lift without kg", BODY | {"demands": [{"code": "lift_kg"}]}, "body.demands[0]"),
    ("absurd kg", BODY | {"demands": [{"code": "lift_kg", "value": 10**6}]}, "body.demands[0].value"),
    ("unknown support", BODY | {"support": ["geld"]}, "body.support[0]"),
    ("unknown status", BODY | {"status": "maybe"}, "body.status"),
    ("unknown education", BODY | {"education_level": "phd"}, "body.education_level"),
    ("NUL in employer", BODY | {"employer": "a\x00b"}, "body.employer"),
]


@pytest.mark.parametrize(("body", "loc"), [(b, loc) for _, b, loc in BAD], ids=[n for n, _, _ in BAD])
def test_bad_vacancies_get_a_422_with_the_field_path_and_store_nothing(client: Any, employer: dict[str, str],
                                                                       count_rows: Callable[[str], int],
                                                                       body: dict[str, Any], loc: str) -> None:
    response = client.put("/v1/vacancies/wsp/BAD-1", json=body, headers=employer)
    assert_problem(response, 422)
    assert loc in error_locs(response), response.json()
    assert count_rows("vacancies") == 0


def test_wrong_content_type_and_bad_path_parameters(client: Any, employer: dict[str, str],
                                                   count_rows: Callable[[str], int]) -> None:
    assert_problem(client.put("/v1/vacancies/wsp/V-1", content=b"title=x", headers=employer | {
        "content-type": "application/x-www-form-urlencoded"}), 415)
    for path in ("/v1/vacancies/WSP/V-1", "/v1/vacancies/wsp/" + "v" * 65, "/v1/vacancies/w$p/V-1"):
        response = client.put(path, json=BODY, headers=employer)
        assert 400 <= response.status_code < 500, path
    assert count_rows("vacancies") == 0


def test_lists_filter_and_page(client: Any, employer: dict[str, str]) -> None:
    for i in range(5):
        source = "wsp" if i % 2 else "scalabor"
        body = BODY | {"title": f"schoonmaker {i}" if i < 3 else "chauffeur", "status": "open" if i else "closed"}
        assert client.put(f"/v1/vacancies/{source}/L-{i}", json=body, headers=employer).status_code == 201

    def ids(query: str) -> list[str]:
        response = client.get(f"/v1/vacancies{query}", headers=employer)
        assert response.status_code == 200, response.text
        return [v["external_id"] for v in response.json()["items"]]

    assert ids("") == ["L-0", "L-2", "L-4", "L-1", "L-3"]  # by source, then id
    assert ids("?source=wsp") == ["L-1", "L-3"]
    assert ids("?status=closed") == ["L-0"]
    assert ids("?text=schoonmaker") == ["L-0", "L-2", "L-1"]
    assert ids("?text=100%25") == []  # a % is a character here, not a wildcard
    assert ids("?limit=2&offset=1") == ["L-2", "L-4"]
    for bad in ("?limit=0", "?limit=201", "?offset=-1", "?status=gone", "?text=" + "x" * 101, "?text=a%00b",
                "?source=W$P"):
        assert_problem(client.get(f"/v1/vacancies{bad}", headers=employer), 422)


def test_concurrent_upserts_of_one_vacancy(client: Any, employer: dict[str, str], count_rows: Callable[[str], int]
                                           ) -> None:
    url = "/v1/vacancies/scalabor/RACE-1"
    with ThreadPoolExecutor(8) as pool:
        same = list(pool.map(lambda _: client.put(url, json=BODY, headers=employer), range(8)))
    assert sorted(r.status_code for r in same) == [200] * 7 + [201]
    assert {r.json()["version"] for r in same} == {1}
    with ThreadPoolExecutor(8) as pool:
        different = list(pool.map(lambda i: client.put(url, json=BODY | {"positions": 10 + i}, headers=employer),
                                  range(8)))
    assert [r.status_code for r in different] == [200] * 8
    assert sorted(r.json()["version"] for r in different) == list(range(2, 10))
    last = max(range(8), key=lambda i: different[i].json()["version"])
    final = client.get(url, headers=employer).json()
    assert final["version"] == 9 and final["positions"] == 10 + last  # the last write is what is stored
    assert count_rows("vacancies") == 1
    assert count_rows("vacancy_skills") == len(BODY["required_skills"]) + len(BODY["preferred_skills"])
