"""Candidates through the HTTP API: idempotent upserts with ETags, limits, erasure and concurrent writes."""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from api.app import create_app
from matcher.config import Settings
from matcher.service import Service
from tests.api.conftest import CANDIDATES, assert_problem, auth, error_locs

BODY: dict[str, Any] = {
    "municipality": "arnhem", "postcode": "6825 AB", "trede": 3, "hours_min": 24, "hours_max": 32,
    "max_travel_km": 20, "driving_licences": ["B"], "dutch_level": "B1", "education_level": "mbo2",
    "certificates": ["VCA"], "skills": [{"label": "orderpikken", "years": 2}, {"label": "scanner"}],
    "experience": [{"title": "magazijn mdw", "years": 3}], "desired_occupations": ["magazijnmedewerker"],
    "shifts": ["day", "evening"], "summary": "Wil graag in de logistiek werken.",
    "restrictions": [{"code": "max_lift_kg", "value": 20}, {"code": "no_night"}, {"text": "rugklachten: niet bukken"}],
}


@pytest.fixture
def consultant(make_key: Callable[..., str]) -> dict[str, str]:
    return auth(make_key("consultant"))


def test_put_is_idempotent_versioned_and_conditional(client: Any, consultant: dict[str, str]) -> None:
    created = client.put("/v1/candidates/C-1001", json=BODY, headers=consultant)
    assert created.status_code == 201
    assert created.headers["etag"] == 'W/"1"'
    first = created.json()
    assert (first["version"], first["created"], first["changed"]) == (1, True, True)

    again = client.put("/v1/candidates/C-1001", json=BODY, headers=consultant)
    assert again.status_code == 200
    assert again.json()["version"] == 1 and again.json()["changed"] is False and again.json()["created"] is False
    assert again.headers["etag"] == 'W/"1"'

    changed = client.put("/v1/candidates/C-1001", json=BODY | {"trede": 4}, headers=consultant)
    assert changed.status_code == 200
    assert changed.json()["version"] == 2 and changed.json()["changed"] is True
    assert changed.headers["etag"] == 'W/"2"'

    stale = client.put("/v1/candidates/C-1001", json=BODY | {"trede": 5},
                       headers=consultant | {"If-Match": 'W/"1"'})
    problem = assert_problem(stale, 412)
    assert "version 2" in problem["detail"] and "not 1" in problem["detail"]
    for nonsense in ('"abc"', "*x", 'W/"99999999999999"'):
        assert_problem(client.put("/v1/candidates/C-1001", json=BODY | {"trede": 5},
                                  headers=consultant | {"If-Match": nonsense}), 412)

    current = client.put("/v1/candidates/C-1001", json=BODY | {"trede": 5},
                         headers=consultant | {"If-Match": changed.headers["etag"]})
    assert current.status_code == 200 and current.json()["version"] == 3

    read = client.get("/v1/candidates/C-1001", headers=consultant)
    assert read.status_code == 200 and read.headers["etag"] == 'W/"3"'
    person = read.json()
    assert person["trede"] == 5 and person["version"] == 3
    assert person["postcode"] == "6825" and person["municipality"] == "arnhem"
    assert [s["label"] for s in person["skills"]] == ["orderpikken", "scanner"]
    assert person["skills"][0]["years"] == 2
    assert [e["title"] for e in person["experience"]] == ["magazijn mdw"]
    assert person["shifts"] == ["day", "evening"] and person["driving_licences"] == ["B"]
    assert person["summary"] == BODY["summary"]
    restrictions = [(r["code"], r["value"], r["text"]) for r in person["restrictions"]]
    assert ("max_lift_kg", 20, None) in restrictions and ("no_night", None, None) in restrictions
    assert len(restrictions) == 3  # the free text is kept (as text or as the code it was recognised as)
    assert "id" not in person and "content_hash" not in person


def test_if_match_on_a_person_that_does_not_exist_is_refused(client: Any, consultant: dict[str, str],
                                                            count_rows: Callable[[str], int]) -> None:
    problem = assert_problem(client.put("/v1/candidates/C-NEW", json=BODY, headers=consultant | {"If-Match": '"1"'}),
                             412)
    assert "none" in problem["detail"]
    assert count_rows("candidates") == 0


def test_unknown_fields_are_rejected_with_their_path(client: Any, consultant: dict[str, str],
                                                     count_rows: Callable[[str], int]) -> None:
    body = BODY | {"skills": [{"lable": "orderpicken"}], "favourite_colour": "blauw"}
    response = client.put("/v1/candidates/C-1", json=body, headers=consultant)
    problem = assert_problem(response, 422)
    locs = error_locs(response)
    assert "body.skills[0].lable" in locs and "body.favourite_colour" in locs
    assert "body.skills[0].label" in locs  # and the missing one is named too
    assert all(e["msg"] for e in problem["errors"])
    assert count_rows("candidates") == 0


LONG = "x" * 5000
BAD_BODIES: list[tuple[str, dict[str, Any], str]] = [
    ("huge summary", BODY | {"summary": "woord " * 2000}, "body.summary"),
    ("huge skill label", BODY | {"skills": [{"label": LONG}]}, "body.skills[0].label"),
    ("too many skills", BODY | {"skills": [{"label": f"vaardigheid {i}"} for i in range(51)]}, "body.skills"),
    ("too many restrictions", BODY | {"restrictions": [{"code": "no_night"}] * 51}, "body.restrictions"),
    ("negative trede", BODY | {"trede": -1}, "body.trede"),
    ("trede above the ladder", BODY | {"trede": 6}, "body.trede"),
    ("absurd hours", BODY | {"hours_min": 10**12}, "body.hours_min"),
    ("hours the wrong way round", BODY | {"hours_min": 40, "hours_max": 20}, "body"),
    ("negative years", BODY | {"skills": [{"label": "koken", "years": -3}]}, "body.skills[0].years"),
    ("absurd travel", BODY | {"max_travel_km": 100000}, "body.max_travel_km"),
    ("unknown shift", BODY | {"shifts": ["nacht"]}, "body.shifts[0]"),
    ("unknown status", BODY | {"status": "gone"}, "body.status"),
    ("unknown language level", BODY | {"dutch_level": "Z9"}, "body.dutch_level"),
    ("unknown licence", BODY | {"driving_licences": ["Q"]}, "body.driving_licences[0]"),
    ("unknown restriction code", BODY | {"restrictions": [{"code": "no_mondays"}]}, "body.restrictions[0].code"),
    ("valued restriction without value", BODY | {"restrictions": [{"code": "max_lift_kg"}]}, "body.restrictions[0]"),
    ("restriction with code and text", BODY | {"restrictions": [{"code": "no_night", "text": "x"}]},
     "body.restrictions[0]"),
    ("no municipality", {k: v for k, v in BODY.items() if k != "municipality"}, "body.municipality"),
    ("bad municipality", BODY | {"municipality": "Arnhem; DROP TABLE"}, "body.municipality"),
    ("bad postcode", BODY | {"postcode": "0000"}, "body.postcode"),
    ("number as text", BODY | {"trede": "drie"}, "body.trede"),
    ("list instead of object", BODY | {"skills": "orderpicken"}, "body.skills"),
    ("NUL character", BODY | {"summary": "nul\x00byte"}, "body.summary"),
    ("empty skill", BODY | {"skills": [{"label": "   "}]}, "body.skills[0].label"),
    ("too many monitoring attributes", BODY | {"monitoring": {f"a{'x' * i}": "v" for i in range(11)}},
     "body.monitoring"),
]


@pytest.mark.parametrize(("body", "loc"), [(b, loc) for _, b, loc in BAD_BODIES], ids=[n for n, _, _ in BAD_BODIES])
def test_bad_bodies_get_a_422_with_the_field_path_and_store_nothing(client: Any, consultant: dict[str, str],
                                                                    count_rows: Callable[[str], int],
                                                                    body: dict[str, Any], loc: str) -> None:
    response = client.put("/v1/candidates/C-BAD", json=body, headers=consultant)
    assert_problem(response, 422)
    assert loc in error_locs(response), response.json()
    assert count_rows("candidates") == 0 and count_rows("candidate_restrictions") == 0


RAW_BODIES: list[tuple[str, bytes, str, int]] = [
    ("malformed JSON", b'{"municipality": "arnhem",', "application/json", 422),
    ("not JSON at all", b"municipality=arnhem", "application/json", 422),
    ("JSON array", b'[{"municipality": "arnhem"}]', "application/json", 422),
    ("JSON null", b"null", "application/json", 422),
    ("empty body", b"", "application/json", 422),
    ("NaN", b'{"municipality": "arnhem", "skills": [{"label": "koken", "years": NaN}]}', "application/json", 422),
    ("Infinity", b'{"municipality": "arnhem", "max_travel_km": Infinity}', "application/json", 422),
    ("lone surrogate", b'{"municipality": "arnhem", "summary": "\\ud800"}', "application/json", 422),
    ("not UTF-8", b'{"municipality": "arnhem", "summary": "\xff\xfe"}', "application/json", 400),
    ("deeply nested", b'{"municipality": "arnhem", "summary": ' + b"[" * 5000 + b"]" * 5000 + b"}",
     "application/json", 400),
    ("form data", b"municipality=arnhem", "application/x-www-form-urlencoded", 415),
    ("plain text", json.dumps(BODY).encode(), "text/plain", 415),
    ("csv", b"ref,municipality\nC-1,arnhem\n", "text/csv", 415),
]


@pytest.mark.parametrize(("content", "content_type", "status"), [r[1:] for r in RAW_BODIES],
                         ids=[r[0] for r in RAW_BODIES])
def test_garbage_gets_a_clear_4xx_and_stores_nothing(client: Any, consultant: dict[str, str],
                                                      count_rows: Callable[[str], int], content: bytes,
                                                      content_type: str, status: int) -> None:
    response = client.put("/v1/candidates/C-BAD", content=content, headers=consultant | {"content-type": content_type})
    assert_problem(response, status)
    assert count_rows("candidates") == 0


@pytest.mark.parametrize("ref", ["x" * 65, "-starts-with-dash", "has space", "ünïcode", "a/b"])
def test_bad_references_are_rejected(client: Any, consultant: dict[str, str], count_rows: Callable[[str], int],
                                     ref: str) -> None:
    response = client.put(f"/v1/candidates/{ref}", json=BODY, headers=consultant)
    assert 400 <= response.status_code < 500
    assert response.headers["content-type"].startswith("application/problem+json")
    assert count_rows("candidates") == 0


def test_a_body_over_the_size_limit_is_refused_before_it_is_read(settings: Settings, service: Service,
                                                                 make_key: Callable[..., str],
                                                                 count_rows: Callable[[str], int]) -> None:
    from fastapi.testclient import TestClient

    small = settings.model_copy(update={"max_body_bytes": 4096})
    with TestClient(create_app(small, service), raise_server_exceptions=False) as client:
        big = BODY | {"summary": "a" * 3000, "experience": [{"title": "b" * 190}] * 10}
        response = client.put("/v1/candidates/C-BIG", json=big, headers=auth(make_key("consultant")))
        assert_problem(response, 413)
        # chunked, without a Content-Length: the limit holds while reading
        chunks = iter([json.dumps(big).encode()[i:i + 1000] for i in range(0, len(json.dumps(big)), 1000)])
        response = client.put("/v1/candidates/C-BIG", content=chunks,
                              headers=auth(make_key("consultant")) | {"content-type": "application/json"})
        assert_problem(response, 413)
    assert count_rows("candidates") == 0


def test_the_list_filters_pages_and_refuses_bad_queries(client: Any, world: Service, keys: dict[str, str]) -> None:
    consultant = auth(keys["consultant"])

    def refs(query: str) -> list[str]:
        response = client.get(f"/v1/candidates{query}", headers=consultant)
        assert response.status_code == 200, response.text
        return [c["ref"] for c in response.json()["items"]]

    assert refs("") == sorted(CANDIDATES)
    assert refs("?municipality=nijmegen") == ["N-MAG", "N-SCH"]
    assert refs("?text=schoonmaak") == ["N-SCH"]  # matches the experience title
    assert refs("?text=A-") == ["A-MAG", "A-SCH"]
    assert refs("?text=_%25") == []  # LIKE wildcards are taken literally
    assert refs("?status=paused") == []
    assert refs("?limit=1&offset=1") == ["A-SCH"]
    for bad in ("?municipality=Arnhem!", "?status=gone", "?text=a%00b", "?limit=0", "?limit=201", "?offset=-1"):
        assert_problem(client.get(f"/v1/candidates{bad}", headers=consultant), 422)


# -- erasure -------------------------------------------------------------------------------------------

ERASE_REF = "ERASE-Zq81x"
ERASE_TEXT = "vertrouwelijke beperking qwz-5521"


def _tables_containing(service: Service, needle: str) -> list[str]:
    """Every (table.column) in the database whose value, as text, contains the needle."""
    found = []
    with service.db.connection() as conn:
        columns = conn.execute(
            """SELECT table_name, column_name FROM information_schema.columns c
               WHERE table_schema = 'public'
                 AND (data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'name',
                                    'USER-DEFINED', 'uuid'))
                 AND EXISTS (SELECT 1 FROM information_schema.tables t WHERE t.table_schema = 'public'
                             AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE')""").fetchall()
        assert len(columns) > 30  # the query really sees the schema
        for col in columns:
            table, column = col["table_name"], col["column_name"]
            hit = conn.execute(f'SELECT 1 FROM "{table}" WHERE "{column}"::text LIKE %s LIMIT 1',
                               (f"%{needle}%",)).fetchone()
            if hit:
                found.append(f"{table}.{column}")
    return found


def test_erasure_removes_the_person_everywhere_and_keeps_outcomes_anonymised(
        client: Any, world: Service, keys: dict[str, str]) -> None:
    consultant, admin = auth(keys["consultant"]), auth(keys["admin"])
    body = CANDIDATES["A-MAG"] | {"summary": "oud-heftruckchauffeur", "monitoring": {"age_band": "35-44"},
                                  "restrictions": [{"text": ERASE_TEXT}]}
    assert client.put(f"/v1/candidates/{ERASE_REF}", json=body, headers=consultant).status_code == 201
    shortlist = client.get("/v1/vacancies/wsp/W-MAG/shortlist?limit=50", headers=consultant).json()
    assert ERASE_REF in [i["candidate_ref"] for i in shortlist["items"]]
    assert client.get(f"/v1/candidates/{ERASE_REF}/matches", headers=consultant).status_code == 200
    for event in ({"event": "invited"}, {"event": "rejected", "reason": "experience"}):
        outcome = {"candidate_ref": ERASE_REF, "vacancy": {"source": "wsp", "external_id": "W-MAG"},
                   "request_id": shortlist["request_id"]} | event
        assert client.post("/v1/outcomes", json=outcome, headers=consultant).status_code == 201
    assert client.get(f"/v1/candidates/{ERASE_REF}", headers=consultant).status_code == 200
    assert _tables_containing(world, ERASE_REF)  # the search finds the person before the erasure
    assert _tables_containing(world, ERASE_TEXT)

    assert client.delete(f"/v1/candidates/{ERASE_REF}", headers=admin).status_code == 204

    assert_problem(client.get(f"/v1/candidates/{ERASE_REF}", headers=consultant), 404)
    assert_problem(client.delete(f"/v1/candidates/{ERASE_REF}", headers=admin), 404)
    assert _tables_containing(world, ERASE_REF) == []
    assert _tables_containing(world, ERASE_TEXT) == []
    again = client.get("/v1/vacancies/wsp/W-MAG/shortlist?limit=50", headers=consultant).json()
    assert ERASE_REF not in [i["candidate_ref"] for i in again["items"]]
    with world.db.connection() as conn:
        outcomes = conn.execute("SELECT candidate_id, features, event, note FROM outcome_events").fetchall()
        left = conn.execute("""SELECT (SELECT count(*) FROM embeddings WHERE kind = 'candidate') AS vectors,
                                      (SELECT count(*) FROM candidates) AS people""").fetchone()
    assert sorted(o["event"] for o in outcomes) == ["invited", "rejected"]
    assert all(o["candidate_id"] is None and o["features"] and o["note"] is None for o in outcomes)
    assert left == {"vectors": len(CANDIDATES), "people": len(CANDIDATES)}
    trail = client.get(f"/v1/audit?candidate_ref={ERASE_REF}", headers=auth(keys["auditor"])).json()["items"]
    assert "candidate.erase" in [e["action"] for e in trail]  # the auditor can still see that it happened


# -- concurrency ---------------------------------------------------------------------------------------


def test_concurrent_identical_upserts_make_one_row_and_one_version(client: Any, consultant: dict[str, str],
                                                                  service: Service) -> None:
    def put(_: int) -> Any:
        return client.put("/v1/candidates/C-RACE", json=BODY, headers=consultant)

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(put, range(8)))
    assert sorted(r.status_code for r in responses) == [200] * 7 + [201]
    assert {r.json()["version"] for r in responses} == {1}
    assert sum(r.json()["changed"] for r in responses) == 1
    with service.db.connection() as conn:
        rows = conn.execute("SELECT version FROM candidates WHERE ref = 'C-RACE'").fetchall()
        skills = conn.execute("SELECT count(*) AS n FROM candidate_skills").fetchone()
    assert rows == [{"version": 1}]
    assert skills == {"n": len(BODY["skills"])}


def test_concurrent_different_upserts_lose_nothing(client: Any, consultant: dict[str, str],
                                                   service: Service) -> None:
    assert client.put("/v1/candidates/C-RACE", json=BODY, headers=consultant).status_code == 201

    def put(i: int) -> Any:
        return client.put("/v1/candidates/C-RACE", json=BODY | {"summary": f"versie {i}"}, headers=consultant)

    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(put, range(8)))
    assert [r.status_code for r in responses] == [200] * 8
    versions = sorted(r.json()["version"] for r in responses)
    assert versions == list(range(2, 10))  # every effective change got its own version, none was lost
    last = max(range(8), key=lambda i: responses[i].json()["version"])
    person = client.get("/v1/candidates/C-RACE", headers=consultant).json()
    assert person["version"] == 9 and person["summary"] == f"versie {last}"
    assert len(person["skills"]) == len(BODY["skills"])


def test_concurrent_upserts_through_the_service_with_if_match_let_exactly_one_win(service: Service) -> None:
    from matcher.domain import CandidateIn
    from matcher.errors import PreconditionFailed
    from matcher.security import SYSTEM

    service.upsert_candidate("C-IFM", CandidateIn.model_validate(BODY), actor=SYSTEM)

    def put(i: int) -> str:
        try:
            service.upsert_candidate("C-IFM", CandidateIn.model_validate(BODY | {"summary": f"v{i}"}),
                                     actor=SYSTEM, if_match=1)
        except PreconditionFailed:
            return "412"
        return "ok"

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(put, range(8)))
    assert sorted(results) == ["412"] * 7 + ["ok"]
    with service.db.connection() as conn:
        assert conn.execute("SELECT version FROM candidates WHERE ref = 'C-IFM'").fetchall() == [{"version": 2}]


def test_the_first_requests_of_a_fresh_process_at_once_share_one_complete_vocabulary_cache(
        service: Service, tmp_path: Any) -> None:
    """Eight first upserts at once all normalise their terms: the label vectors are computed once and the
    cache file other processes read is never seen half-written."""
    from matcher.matching.vocabulary.normalise import Normaliser

    fresh = Normaliser(service.vocabulary, service.encoder, tmp_path / "cache")
    errors: list[str] = []

    def normalise(i: int) -> None:
        try:
            fresh.match_many([f"orderpikken {i}", "heftruck"], "skill")
        except Exception as exc:  # any failure here would be a 500 for that request
            errors.append(repr(exc))

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(normalise, range(8)))
    assert errors == []
    files = list((tmp_path / "cache").iterdir())
    assert len(files) == 1 and files[0].suffix == ".npy"
    again = Normaliser(service.vocabulary, service.encoder, tmp_path / "cache")
    assert again.match_many(["heftruck"], "skill") == fresh.match_many(["heftruck"], "skill")
