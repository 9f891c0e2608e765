"""Bulk import through the HTTP API: NDJSON and Szeebra CSV candidates, NDJSON vacancies; all-or-nothing."""

from __future__ import annotations

import csv
import io
import json
import random
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from matcher.ingest.importers import CSV_COLUMNS
from matcher.service import Service
from tests.api.conftest import assert_problem, auth

NDJSON = {"content-type": "application/x-ndjson"}
CSV = {"content-type": "text/csv"}


def ndjson(rows: list[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(r) for r in rows) + "\n"


def person(i: int, **extra: Any) -> dict[str, Any]:
    return {"ref": f"IMP-{i:05d}", "municipality": "arnhem", "postcode": "6825", "trede": i % 6,
            "skills": [{"label": "orderpicken"}], "experience": [{"title": "magazijnmedewerker", "years": 1}]} | extra


@pytest.fixture
def batch(make_key: Callable[..., str]) -> dict[str, str]:
    return auth(make_key("batch"))


def _versions(service: Service, table: str = "candidates") -> dict[str, int]:
    key = "ref" if table == "candidates" else "source || '/' || external_id"
    with service.db.connection() as conn:
        return {r["k"]: r["version"] for r in conn.execute(f"SELECT {key} AS k, version FROM {table}")}


def test_ndjson_candidates_create_then_report_unchanged_then_update(client: Any, batch: dict[str, str],
                                                                   service: Service) -> None:
    rows = [person(i) for i in range(20)]
    first = client.post("/v1/candidates/import", content=ndjson(rows), headers=batch | NDJSON)
    assert first.status_code == 200, first.text
    assert first.json() | {"encoded": 0} == {"ok": True, "received": 20, "created": 20, "updated": 0,
                                             "unchanged": 0, "encoded": 0, "errors": None}
    assert first.json()["encoded"] >= 1

    again = client.post("/v1/candidates/import", content=ndjson(rows), headers=batch | NDJSON)
    assert again.json() | {"encoded": 0} == {"ok": True, "received": 20, "created": 0, "updated": 0,
                                             "unchanged": 20, "encoded": 0, "errors": None}

    rows[3] = person(3, trede=5, summary="nu met heftruckcertificaat")
    third = client.post("/v1/candidates/import", content=ndjson([*rows, person(99)]), headers=batch | NDJSON)
    body = third.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (1, 1, 19)
    versions = _versions(service)
    assert versions["IMP-00003"] == 2 and versions["IMP-00004"] == 1 and len(versions) == 21

    # and the import path stores the same thing a PUT does
    read = client.get("/v1/candidates/IMP-00003", headers=auth(_key(service, "consultant")))
    assert read.json()["trede"] == 5 and read.json()["summary"] == "nu met heftruckcertificaat"


def _key(service: Service, role: str) -> str:
    from matcher.security import create_key

    with service.db.transaction() as conn:
        return create_key(conn, role=role, municipality=None, name="t")[1]


def test_one_bad_row_among_many_writes_nothing_and_reports_every_bad_row(client: Any, batch: dict[str, str],
                                                                        service: Service) -> None:
    before = [person(i) for i in range(10)]
    assert client.post("/v1/candidates/import", content=ndjson(before), headers=batch | NDJSON).status_code == 200
    rows = [person(i, summary="gewijzigd") for i in range(60)]  # 10 updates and 50 new people ...
    rows[36] = person(36, trede=9)                               # ... but row 37 is wrong
    rows[44] = person(44, skills=[{"lable": "x"}])               # and row 45 too
    lines = ndjson(rows).splitlines()
    lines[11] = '{"ref": "IMP-00011", "municipality": '           # and row 12 is not JSON
    response = client.post("/v1/candidates/import", content="\n".join(lines), headers=batch | NDJSON)

    problem = assert_problem(response, 422)
    assert problem["ok"] is False and "nothing was written" in problem["detail"]
    by_row = {e["row"]: e["errors"] for e in problem["errors"]}
    assert set(by_row) == {12, 37, 45}
    assert [e["loc"] for e in by_row[37]] == ["trede"]
    assert "skills[0].lable" in [e["loc"] for e in by_row[45]]
    assert "not valid JSON" in by_row[12][0]["msg"]
    assert all(e["msg"] for errs in by_row.values() for e in errs)
    assert _versions(service) == {f"IMP-{i:05d}": 1 for i in range(10)}  # nothing new, nothing changed


def test_duplicate_keys_in_one_request_are_rejected(client: Any, batch: dict[str, str], service: Service) -> None:
    rows = [person(1), person(2), person(1, trede=4)]
    problem = assert_problem(client.post("/v1/candidates/import", content=ndjson(rows), headers=batch | NDJSON),
                             422)
    assert problem["errors"] == [{"row": 3, "errors": [
        {"loc": "ref", "msg": "duplicate key in this request (first on row 1)"}]}]
    vacancies = [{"source": "wsp", "external_id": "D-1", "title": "kok"}] * 2
    problem = assert_problem(client.post("/v1/vacancies/import", content=ndjson(vacancies), headers=batch | NDJSON),
                             422)
    assert [e["row"] for e in problem["errors"]] == [2]
    assert _versions(service) == {} and _versions(service, "vacancies") == {}


def test_import_refuses_other_content_types_and_reads_garbage_as_row_errors(client: Any, batch: dict[str, str],
                                                                           service: Service) -> None:
    for content_type in ("application/json", "text/plain", "multipart/form-data"):
        assert_problem(client.post("/v1/candidates/import", content=ndjson([person(1)]),
                                   headers=batch | {"content-type": content_type}), 415)
        assert_problem(client.post("/v1/vacancies/import", content=ndjson([person(1)]),
                                   headers=batch | {"content-type": content_type}), 415)
    garbage = [b"\xff\xfe\x00binary", b"[1, 2, 3]\n", b'"just a string"\n', b"[" * 100_000 + b"\n",
               b'{"ref": "NUL-1", "municipality": "arnhem", "summary": "a\\u0000b"}\n',
               b'{"ref": "SUR-1", "municipality": "arnhem", "summary": "\\ud800"}\n']
    for content in garbage:
        response = client.post("/v1/candidates/import", content=content, headers=batch | NDJSON)
        problem = assert_problem(response, 422)
        assert problem["errors"][0]["row"] == 1 and problem["errors"][0]["errors"][0]["msg"]
    assert _versions(service) == {}


CSV_TEXT = """ref,municipality,postcode,trede,hours_min,hours_max,skills,experience,restrictions,shifts,certificates
SZ-1,arnhem,6825 AB,3,24,32,orderpicken:2;heftruck rijden,magazijnmedewerker:4,max_lift_kg=15;no_night,day;evening,VCA
SZ-2,Arnhem,6811,1,12,20,schoonmaken,schoonmaker,tekst:liever geen drukte,day,
"""


def test_szeebra_csv_import(client: Any, batch: dict[str, str], service: Service) -> None:
    response = client.post("/v1/candidates/import", content=CSV_TEXT, headers=batch | CSV)
    assert response.status_code == 200, response.text
    assert (response.json()["created"], response.json()["received"]) == (2, 2)
    consultant = auth(_key(service, "consultant"))
    one = client.get("/v1/candidates/SZ-1", headers=consultant).json()
    assert one["postcode"] == "6825" and one["trede"] == 3 and one["hours_max"] == 32
    assert [(s["label"], s["years"]) for s in one["skills"]] == [("orderpicken", 2), ("heftruck rijden", None)]
    assert [(e["title"], e["years"]) for e in one["experience"]] == [("magazijnmedewerker", 4)]
    assert [(r["code"], r["value"]) for r in one["restrictions"]] == [("max_lift_kg", 15), ("no_night", None)]
    assert one["shifts"] == ["day", "evening"]
    two = client.get("/v1/candidates/SZ-2", headers=consultant).json()
    assert two["municipality"] == "arnhem" and len(two["restrictions"]) == 1
    # a semicolon-separated export (as spreadsheet software writes it) reads the same
    semi = io.StringIO()
    writer = csv.writer(semi, delimiter=";")
    for record in csv.reader(io.StringIO(CSV_TEXT)):
        writer.writerow([cell.replace("SZ-", "SZS-") for cell in record])
    response = client.post("/v1/candidates/import", content=semi.getvalue(), headers=batch | CSV)
    assert response.json()["created"] == 2, response.text
    assert client.get("/v1/candidates/SZS-1", headers=consultant).json()["skills"] == one["skills"]
    # the same file again changes nothing
    assert client.post("/v1/candidates/import", content=CSV_TEXT, headers=batch | CSV).json()["unchanged"] == 2


def test_every_documented_csv_column_is_accepted_and_unknown_columns_refused(client: Any, batch: dict[str, str],
                                                                           service: Service) -> None:
    values = {"ref": "SZ-ALL", "municipality": "arnhem", "postcode": "6825", "trede": "2", "hours_min": "8",
              "hours_max": "16", "max_travel_km": "10", "driving_licences": "B;AM", "dutch_level": "A2",
              "education_level": "mbo1", "certificates": "VCA", "skills": "koken:1.5", "experience": "kok:2",
              "desired_occupations": "kok;afwasser", "shifts": "day", "restrictions": "max_hours_week=20",
              "summary": "Kookt graag", "status": "paused"}
    assert set(values) == set(CSV_COLUMNS)
    text = ",".join(values) + "\n" + ",".join(values.values()) + "\n"
    response = client.post("/v1/candidates/import", content=text, headers=batch | CSV)
    assert response.status_code == 200, response.text
    got = client.get("/v1/candidates/SZ-ALL", headers=auth(_key(service, "consultant"))).json()
    assert got["status"] == "paused" and got["driving_licences"] == ["B", "AM"] and got["skills"][0]["years"] == 1.5

    bad_header = "ref,municipality,bsn\nSZ-3,arnhem,123456789\n"
    problem = assert_problem(client.post("/v1/candidates/import", content=bad_header, headers=batch | CSV), 422)
    assert problem["errors"][0]["errors"][0]["loc"] == "header" and "bsn" in problem["errors"][0]["errors"][0]["msg"]
    bad_rows = "ref,municipality,trede\nSZ-4,arnhem,2\nSZ-5,arnhem,zeven\nSZ-6,arnhem,1,extra\n"
    problem = assert_problem(client.post("/v1/candidates/import", content=bad_rows, headers=batch | CSV), 422)
    assert [e["row"] for e in problem["errors"]] == [3, 4]
    assert "SZ-4" not in _versions(service)


def test_ndjson_vacancies_from_both_sources(client: Any, make_key: Callable[..., str], service: Service) -> None:
    employer = auth(make_key("employer_service"))
    rows = [{"source": "wsp", "external_id": f"WSP-{i}", "title": "magazijnmedewerker", "postcode": "6827",
             "required_skills": ["orderpicken"], "demands": [{"code": "lift_kg", "value": 15}]} for i in range(5)]
    rows += [{"source": "scalabor", "external_id": f"SCA-{i}", "title": "schoonmaker", "support": ["jobcoach"]}
             for i in range(5)]
    response = client.post("/v1/vacancies/import", content=ndjson(rows), headers=employer | NDJSON)
    assert response.status_code == 200, response.text
    assert (response.json()["created"], response.json()["received"]) == (10, 10)
    again = client.post("/v1/vacancies/import", content=ndjson(rows), headers=employer | NDJSON).json()
    assert again["unchanged"] == 10 and again["created"] == 0
    assert len(_versions(service, "vacancies")) == 10

    bad = [*rows, {"source": "monsterboard", "external_id": "M-1", "title": "kok"},
           {"source": "wsp", "external_id": "W-X", "title": "kok", "positions": 0}]
    problem = assert_problem(client.post("/v1/vacancies/import", content=ndjson(bad), headers=employer | NDJSON), 422)
    by_row = {e["row"]: e["errors"] for e in problem["errors"]}
    assert set(by_row) == {11, 12}
    assert by_row[11][0]["loc"] == "source" and "monsterboard" in by_row[11][0]["msg"]
    assert by_row[12][0]["loc"] == "positions"
    assert len(_versions(service, "vacancies")) == 10


def test_ten_thousand_rows_in_one_request(client: Any, batch: dict[str, str], service: Service) -> None:
    rng = random.Random(5)
    skills = ["orderpicken", "heftruck rijden", "schoonmaken", "koken", "kassa", "klantcontact", "lassen",
              "metselen", "tuinieren", "administratie", "verzorgen", "schilderen", "rijden", "inpakken"]
    titles = ["magazijnmedewerker", "schoonmaker", "kok", "caissière", "lasser", "metselaar", "hovenier",
              "administratief medewerker", "verzorgende", "schilder", "chauffeur", "productiemedewerker"]
    places = ["arnhem", "nijmegen", "ede", "renkum", "rheden"]
    rows = [{"ref": f"BULK-{i:05d}", "municipality": rng.choice(places), "postcode": f"{rng.randint(6800, 6899)}",
             "trede": rng.randint(0, 5), "hours_min": 8, "hours_max": rng.choice([16, 24, 32, 36]),
             "skills": [{"label": s} for s in rng.sample(skills, 2)],
             "experience": [{"title": rng.choice(titles), "years": rng.randint(0, 9)}]} for i in range(10_000)]
    started = time.perf_counter()
    response = client.post("/v1/candidates/import", content=ndjson(rows), headers=batch | NDJSON)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.text[:2000]
    report = response.json()
    assert (report["received"], report["created"]) == (10_000, 10_000)
    with service.db.connection() as conn:
        counts = conn.execute("""SELECT (SELECT count(*) FROM candidates) AS people,
                                        (SELECT count(*) FROM embeddings WHERE kind = 'candidate') AS vectors,
                                        (SELECT count(*) FROM candidate_skills) AS skills""").fetchone()
        audited = conn.execute("SELECT sum(cardinality(subjects)) AS n FROM audit_log "
                               "WHERE action = 'candidate.import'").fetchone()
    assert counts == {"people": 10_000, "vectors": 10_000, "skills": 20_000}
    assert audited == {"n": 10_000}  # every person imported is findable in the audit trail
    assert elapsed < 120, f"10,000 rows took {elapsed:.0f} s"


def test_a_running_import_does_not_stop_other_requests(client: Any, batch: dict[str, str], service: Service,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The import runs in the thread pool: while it works, the same process still answers."""
    started, answered = threading.Event(), threading.Event()
    original = service.import_candidates

    def slow_import(items: Any, *, actor: Any) -> Any:
        started.set()
        answered.wait(timeout=20)  # held until another request got through (or gives up: then the test fails)
        return original(items, actor=actor)

    monkeypatch.setattr(service, "import_candidates", slow_import)
    results: list[Any] = []
    worker = threading.Thread(target=lambda: results.append(
        client.post("/v1/candidates/import", content=ndjson([person(1)]), headers=batch | NDJSON)))
    worker.start()
    assert started.wait(timeout=20)
    assert client.get("/healthz").status_code == 200
    was_answered_during_import = not results
    answered.set()
    worker.join(timeout=30)
    assert was_answered_during_import and results[0].status_code == 200 and results[0].json()["created"] == 1
