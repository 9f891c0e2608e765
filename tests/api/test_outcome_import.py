"""Bulk import of outcome events: NDJSON over the API and the CLI, all-or-nothing with a per-row report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from matcher.service import Service
from tests.api.conftest import assert_problem, auth

NDJSON = {"content-type": "application/x-ndjson"}
W_MAG = {"source": "wsp", "external_id": "W-MAG"}


def lines(*rows: Any) -> bytes:
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows).encode() + b"\n"


def post(client: Any, key: str | None, body: bytes, headers: dict[str, str] | None = None) -> Any:
    return client.post("/v1/outcomes/import", content=body, headers=auth(key) | (headers or NDJSON))


def events(service: Service) -> list[dict[str, Any]]:
    with service.db.connection() as conn:
        return list(conn.execute(
            """SELECT o.event, o.reason, c.ref, o.request_id::text AS request_id, o.features, o.manual
               FROM outcome_events o LEFT JOIN candidates c ON c.id = o.candidate_id ORDER BY o.id"""))


@pytest.fixture
def shown(client: Any, world: Service, keys: dict[str, str]) -> dict[str, Any]:
    response = client.get("/v1/vacancies/wsp/W-MAG/shortlist", headers=auth(keys["consultant"]))
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    assert {i["candidate_ref"] for i in body["items"]} >= {"A-MAG", "N-MAG"}
    return body


def test_an_import_links_every_event_to_the_shown_match_and_can_be_repeated(
        client: Any, world: Service, keys: dict[str, str], shown: dict[str, Any]) -> None:
    rid = shown["request_id"]
    file = lines(
        {"event": "proposed", "candidate_ref": "A-MAG", "vacancy": W_MAG, "request_id": rid,
         "occurred_at": "2026-10-01T09:00:00+02:00"},
        "",  # blank lines are skipped
        {"event": "invited", "candidate_ref": "A-MAG", "vacancy": W_MAG, "occurred_at": "2026-10-03T10:00:00Z"},
        {"event": "declined", "candidate_ref": "N-MAG", "vacancy": W_MAG, "reason": "distance",
         "occurred_at": "2026-10-02T10:00:00"},
        {"event": "proposed", "candidate_ref": "A-SCH", "vacancy": {"source": "scalabor", "external_id": "S-SCH"},
         "manual": True, "note": "kent de werkgever van een stage"})
    response = post(client, keys["consultant"], file)
    assert response.status_code == 200, response.text
    assert response.json() | {"errors": None} == {"ok": True, "received": 4, "created": 4, "updated": 0,
                                                   "unchanged": 0, "encoded": 0, "errors": None}
    recorded = events(world)
    assert [(e["event"], e["ref"]) for e in recorded] == [
        ("proposed", "A-MAG"), ("invited", "A-MAG"), ("declined", "N-MAG"), ("proposed", "A-SCH")]
    features = {i["candidate_ref"]: i["features"] for i in shown["items"]}
    for e in recorded[:3]:
        assert e["request_id"] == rid and e["features"] == features[e["ref"]] and not e["manual"]
    assert recorded[3]["manual"] and recorded[3]["features"] is None and recorded[2]["reason"] == "distance"

    # the same file again: the timed events are known and skipped; the untimed manual one is a new event
    again = post(client, keys["batch"], file)
    assert again.status_code == 200, again.text
    assert (again.json()["created"], again.json()["unchanged"]) == (1, 3)
    assert len(events(world)) == 5


def test_one_bad_row_means_nothing_is_written(client: Any, world: Service, keys: dict[str, str],
                                              shown: dict[str, Any]) -> None:
    good = {"event": "invited", "candidate_ref": "A-MAG", "vacancy": W_MAG}
    # rows that cannot be read or validated
    response = post(client, keys["employer_service"], lines(
        good, "{not json", {"event": "fired", "candidate_ref": "A-MAG", "vacancy": W_MAG},
        {"event": "rejected", "candidate_ref": "A-MAG", "vacancy": W_MAG}, good,
        {"event": "invited", "candidate_ref": "A-MAG", "vacancy": W_MAG, "reason": "experience"}))
    problem = assert_problem(response, 422)
    assert [e["row"] for e in problem["errors"]] == [2, 3, 4, 5, 6]
    text = json.dumps(problem["errors"])
    assert "not valid JSON" in text and "a rejection needs a reason" in text and "duplicate" in text
    # rows that are valid but do not fit the database: each is reported, with its line number
    response = post(client, keys["employer_service"], lines(
        good,
        {"event": "invited", "candidate_ref": "NOBODY", "vacancy": W_MAG},
        {"event": "invited", "candidate_ref": "A-MAG", "vacancy": {"source": "wsp", "external_id": "GONE"}},
        {"event": "invited", "candidate_ref": "A-MAG", "vacancy": {"source": "elders", "external_id": "X-1"}},
        {"event": "invited", "candidate_ref": "A-MAG", "vacancy": {"source": "scalabor", "external_id": "S-SCH"}},
        {"event": "invited", "candidate_ref": "N-MAG", "vacancy": W_MAG,
         "request_id": "00000000-0000-0000-0000-000000000000"},
        {"event": "hired", "candidate_ref": "A-SCH", "vacancy": {"source": "scalabor", "external_id": "S-SCH"},
         "manual": True}))
    problem = assert_problem(response, 422)
    assert "nothing was written" in problem["detail"]
    by_row = {e["row"]: e["errors"][0] for e in problem["errors"]}
    assert sorted(by_row) == [2, 3, 4, 5, 6, 7]
    assert by_row[2] == {"loc": "candidate_ref", "msg": "no candidate NOBODY"}
    assert by_row[3]["loc"] == "vacancy" and "GONE" in by_row[3]["msg"]
    assert by_row[4]["loc"] == "vacancy.source" and "unknown vacancy source" in by_row[4]["msg"]
    assert by_row[5]["loc"] == "manual" and "never shown" in by_row[5]["msg"]
    assert by_row[6]["loc"] == "request_id" and "not shown" in by_row[6]["msg"]
    assert by_row[7]["loc"] == "note"
    assert events(world) == []


def test_who_may_import_outcomes(client: Any, world: Service, keys: dict[str, str], shown: dict[str, Any]) -> None:
    row = lines({"event": "proposed", "candidate_ref": "A-MAG", "vacancy": W_MAG})
    assert_problem(post(client, keys["none"], row), 401)
    assert_problem(post(client, keys["revoked"], row), 401)
    assert_problem(post(client, keys["auditor"], row), 403)
    for name in ("consultant", "employer_service", "batch", "admin"):
        assert post(client, keys[name], row).status_code == 200, name
    # a consultant bound to a municipality cannot record outcomes of another municipality's people
    other = lines({"event": "proposed", "candidate_ref": "N-MAG", "vacancy": W_MAG})
    problem = assert_problem(post(client, keys["consultant_arnhem"], other), 422)
    assert problem["errors"] == [{"row": 1, "errors": [
        {"loc": "candidate_ref", "msg": "no such candidate in your municipality"}]}]
    assert len(events(world)) == 4
    # the body must be NDJSON
    assert_problem(post(client, keys["batch"], row, {"content-type": "application/json"}), 415)
    assert_problem(post(client, keys["batch"], b"\xff\xfe", NDJSON), 422)


def test_import_outcomes_from_the_command_line(world: Service, shown: dict[str, Any], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    from matcher.cli.main import main

    settings = world.settings
    for name, value in (("DATABASE_URL", settings.database_url or ""), ("MODELS_DIR", str(settings.models_dir)),
                        ("DATA_DIR", str(settings.data_dir)), ("SECRET_KEY", settings.secret_key or ""),
                        ("LOG_JSON", "false")):
        monkeypatch.setenv(f"MATCHER_{name}", value)
    file = tmp_path / "uitkomsten.ndjson"
    file.write_bytes(lines({"event": "hired", "candidate_ref": "A-MAG", "vacancy": W_MAG,
                            "occurred_at": "2026-10-20T09:00:00Z"}))
    assert main(["import", "outcomes", str(file)]) == 0
    assert json.loads(capsys.readouterr().out)["created"] == 1
    assert main(["import", "outcomes", str(file)]) == 0
    assert json.loads(capsys.readouterr().out)["unchanged"] == 1
    file.write_bytes(lines({"event": "hired", "candidate_ref": "A-MAG", "vacancy": W_MAG},
                           {"event": "hired", "candidate_ref": "NOBODY", "vacancy": W_MAG}))
    assert main(["import", "outcomes", str(file)]) == 2
    out = capsys.readouterr()
    assert json.loads(out.out)["errors"][0]["row"] == 2 and "nothing was imported" in out.err
    assert [e["event"] for e in events(world)] == ["hired"]
