"""Outcome events, the audit trail (API and CLI export) and what never reaches the logs."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from matcher.config import Settings
from matcher.learning.training import load_examples
from matcher.security import create_key
from matcher.service import Service
from tests.api.conftest import SECRET_RESTRICTION, assert_problem, auth, error_locs

VACANCY = {"source": "wsp", "external_id": "W-MAG"}


def test_an_outcome_is_linked_to_the_match_that_was_shown(client: Any, world: Service, keys: dict[str, str]) -> None:
    consultant = auth(keys["consultant"])
    shortlist = client.get("/v1/vacancies/wsp/W-MAG/shortlist", headers=consultant).json()
    shown = next(i for i in shortlist["items"] if i["candidate_ref"] == "A-MAG")
    body = {"event": "invited", "candidate_ref": "A-MAG", "vacancy": VACANCY, "request_id": shortlist["request_id"]}
    response = client.post("/v1/outcomes", json=body, headers=consultant)
    assert response.status_code == 201, response.text
    assert response.json()["linked_to_shown_match"] is True
    # without a request id it links to the latest time this pair was shown
    later = client.post("/v1/outcomes", json=body | {"event": "hired", "request_id": None}, headers=consultant)
    assert later.status_code == 201 and later.json()["linked_to_shown_match"] is True
    with world.db.connection() as conn:
        rows = conn.execute("""SELECT o.event, o.request_id::text AS request_id, o.features, o.model_version,
                                      s.rank FROM outcome_events o JOIN shown_matches s ON s.id = o.shown_match_id
                               ORDER BY o.id""").fetchall()
    assert [r["event"] for r in rows] == ["invited", "hired"]
    for row in rows:
        assert row["request_id"] == shortlist["request_id"] and row["rank"] == shown["rank"]
        assert row["features"] == shown["features"] and row["model_version"] == shortlist["model_version"]


def test_lists_show_the_latest_outcome_of_each_pair(client: Any, world: Service, keys: dict[str, str]) -> None:
    consultant, employer = auth(keys["consultant"]), auth(keys["employer_service"])

    def status(headers: dict[str, str]) -> Any:  # A-MAG's status in W-MAG's shortlist
        items = client.get("/v1/vacancies/wsp/W-MAG/shortlist", headers=headers).json()["items"]
        return next(i.get("status") for i in items if i["candidate_ref"] == "A-MAG")

    def status_in_matches() -> Any:  # W-MAG's status in A-MAG's list of vacancies
        items = client.get("/v1/candidates/A-MAG/matches", headers=consultant).json()["items"]
        return next(i["status"] for i in items if i["vacancy"]["external_id"] == "W-MAG")

    assert status(consultant) is None
    body = {"candidate_ref": "A-MAG", "vacancy": VACANCY}
    assert client.post("/v1/outcomes", json=body | {"event": "proposed"}, headers=consultant).status_code == 201
    assert status(consultant) == "proposed" and status_in_matches() == "proposed"
    assert client.post("/v1/outcomes", json=body | {"event": "invited"}, headers=consultant).status_code == 201
    assert status(consultant) == "invited"
    assert status(employer) is None  # the anonymised list has no status
    shortlist = "/v1/vacancies/wsp/W-MAG/shortlist"
    others = [i for i in client.get(shortlist, headers=consultant).json()["items"] if i["candidate_ref"] != "A-MAG"]
    assert others and all(i["status"] is None for i in others)


def test_a_person_is_proposed_once_and_a_recorded_outcome_can_be_undone(
        client: Any, world: Service, keys: dict[str, str]) -> None:
    consultant, arnhem = auth(keys["consultant"]), auth(keys["consultant_arnhem"])
    assert client.get("/v1/vacancies/wsp/W-MAG/shortlist", headers=consultant).status_code == 200
    proposal = {"event": "proposed", "candidate_ref": "A-MAG", "vacancy": VACANCY}
    first = client.post("/v1/outcomes", json=proposal, headers=consultant)
    assert first.status_code == 201
    again = assert_problem(client.post("/v1/outcomes", json=proposal, headers=arnhem), 409)
    assert again["existing_outcome_id"] == first.json()["id"] and again["proposed_at"]
    assert f"outcome {first.json()['id']}" in again["detail"] and "already proposed" in again["detail"]
    # the same proposal for another vacancy, and the next steps for this one, are fine
    hired = client.post("/v1/outcomes", json=proposal | {"event": "hired"}, headers=consultant)
    assert hired.status_code == 201

    def status() -> Any:
        items = client.get("/v1/vacancies/wsp/W-MAG/shortlist", headers=consultant).json()["items"]
        return next(i["status"] for i in items if i["candidate_ref"] == "A-MAG")

    assert status() == "hired"
    undo = client.post(f"/v1/outcomes/{hired.json()['id']}/undo", headers=arnhem)
    assert undo.status_code == 200, undo.text
    assert undo.json()["event"] == "hired" and undo.json()["candidate_ref"] == "A-MAG"
    assert status() == "proposed"  # the list falls back to the event before
    with world.db.connection() as conn:  # and learning no longer sees the hire
        assert [e for x in load_examples(conn) for e, _ in x.events] == ["proposed"]
    assert "undone already" in assert_problem(
        client.post(f"/v1/outcomes/{hired.json()['id']}/undo", headers=arnhem), 409)["detail"]
    for role in ("batch", "auditor"):
        assert_problem(client.post(f"/v1/outcomes/{hired.json()['id']}/undo", headers=auth(keys[role])), 403)
    assert_problem(client.post("/v1/outcomes/999999/undo", headers=consultant), 404)
    assert_problem(client.post("/v1/outcomes/0/undo", headers=consultant), 422)
    assert_problem(client.post("/v1/outcomes/x/undo", headers=consultant), 422)
    # undoing the proposal lets the person be proposed again
    assert client.post(f"/v1/outcomes/{first.json()['id']}/undo", headers=consultant).status_code == 200
    assert status() is None
    assert client.post("/v1/outcomes", json=proposal, headers=consultant).status_code == 201
    # a consultant of another municipality reaches neither the person nor their events
    nijmegen = {"event": "proposed", "candidate_ref": "N-MAG", "vacancy": VACANCY, "manual": True, "note": "x"}
    other = client.post("/v1/outcomes", json=nijmegen, headers=consultant).json()["id"]
    assert_problem(client.post(f"/v1/outcomes/{other}/undo", headers=arnhem), 404)
    with world.db.connection() as conn:  # nothing was deleted: the undone events stay, marked
        rows = conn.execute("""SELECT o.event, u.key_id IS NOT NULL AS undone FROM outcome_events o
                               LEFT JOIN outcome_undos u ON u.outcome_id = o.id ORDER BY o.id""").fetchall()
        actions = [r["action"] for r in conn.execute("SELECT action FROM audit_log WHERE action LIKE 'outcome.%'")]
    assert [(r["event"], r["undone"]) for r in rows] == [
        ("proposed", True), ("hired", True), ("proposed", False), ("proposed", False)]
    assert actions.count("outcome.undo") == 2


def test_a_reimport_and_simulated_history_may_hold_proposals_of_a_pair_that_was_proposed(
        client: Any, world: Service, keys: dict[str, str]) -> None:
    """Bulk imports are history from elsewhere: identical rows are skipped, other rows recorded as given."""
    consultant = auth(keys["consultant"])
    assert client.get("/v1/vacancies/wsp/W-MAG/shortlist", headers=consultant).status_code == 200
    rows = [{"event": "proposed", "candidate_ref": "A-MAG", "vacancy": VACANCY, "occurred_at": at}
            for at in ("2026-11-02T09:00:00+01:00", "2026-11-20T09:00:00+01:00")]
    ndjson = "\n".join(json.dumps(r) for r in rows) + "\n"
    headers = consultant | {"content-type": "application/x-ndjson"}
    first = client.post("/v1/outcomes/import", content=ndjson, headers=headers)
    assert first.status_code == 200 and first.json()["created"] == 2, first.text
    again = client.post("/v1/outcomes/import", content=ndjson, headers=headers)
    assert again.status_code == 200 and (again.json()["created"], again.json()["unchanged"]) == (0, 2)
    # one by one, the pair is now proposed: a third proposal is refused
    assert_problem(client.post("/v1/outcomes", json=rows[0] | {"occurred_at": None}, headers=consultant), 409)


def test_outcome_rules(client: Any, world: Service, keys: dict[str, str]) -> None:
    consultant = auth(keys["consultant"])
    assert client.get("/v1/vacancies/wsp/W-MAG/shortlist", headers=consultant).status_code == 200
    base = {"candidate_ref": "A-MAG", "vacancy": VACANCY}

    def post(body: dict[str, Any]) -> Any:
        return client.post("/v1/outcomes", json=body, headers=consultant)

    # a request id of another shortlist, or one never served, does not link
    problem = assert_problem(post(base | {"event": "invited", "request_id": str(uuid.uuid4())}), 422)
    assert "not shown" in problem["detail"]
    # a person never shown for this vacancy: only as a manual match, and then with a note
    never = {"candidate_ref": "A-MAG", "vacancy": {"source": "scalabor", "external_id": "S-SCH"}, "event": "proposed"}
    assert "manual" in assert_problem(post(never), 422)["detail"]
    assert "note" in assert_problem(post(never | {"manual": True}), 422)["detail"]
    assert "note" in assert_problem(post(never | {"manual": True, "note": "   "}), 422)["detail"]
    manual = post(never | {"manual": True, "note": "kent de werkgever van een stage"})
    assert manual.status_code == 201 and manual.json()["linked_to_shown_match"] is False

    response = post(base | {"event": "rejected"})
    assert "a rejection needs a reason" in json.dumps(assert_problem(response, 422)["errors"])
    assert post(base | {"event": "rejected", "reason": "experience"}).status_code == 201
    assert_problem(post(base | {"event": "invited", "reason": "experience"}), 422)
    response = post(base | {"event": "fired"})
    assert_problem(response, 422)
    assert "body.event" in error_locs(response)
    response = post(base | {"event": "invited", "reason": "bored"})
    assert_problem(response, 422)
    assert "body.reason" in error_locs(response)
    response = post(base | {"event": "invited", "occurred_at": "gisteren"})
    assert "body.occurred_at" in error_locs(response)
    assert_problem(post(base | {"event": "invited", "request_id": "not-a-uuid"}), 422)
    assert_problem(post({"event": "invited", "candidate_ref": "NOBODY", "vacancy": VACANCY}), 404)
    assert_problem(post(base | {"event": "invited", "vacancy": {"source": "wsp", "external_id": "GONE"}}), 404)
    assert_problem(post(base | {"event": "invited", "vacancy": {"source": "elders", "external_id": "W-MAG"}}), 404)
    with world.db.connection() as conn:
        events = [r["event"] for r in conn.execute("SELECT event FROM outcome_events ORDER BY id")]
    assert events == ["proposed", "rejected"]


# -- the audit trail ------------------------------------------------------------------------------------


def _key_id(service: Service, secret: str) -> int:
    from matcher.security import hash_key

    with service.db.connection() as conn:
        row = conn.execute("SELECT id FROM api_keys WHERE key_hash = %s", (hash_key(secret),)).fetchone()
    assert row is not None
    return int(row["id"])


def test_the_audit_trail_records_reads_lists_and_writes(client: Any, world: Service, keys: dict[str, str]) -> None:
    consultant, key_id = keys["consultant"], _key_id(world, keys["consultant"])
    ref = "AUD-1"
    body = {"municipality": "arnhem", "skills": [{"label": "orderpicken"}],
            "experience": [{"title": "magazijnmedewerker"}]}
    calls: dict[str, tuple[str, str, dict[str, Any] | None]] = {
        "candidate.upsert": ("PUT", f"/v1/candidates/{ref}", body),
        "candidate.read": ("GET", f"/v1/candidates/{ref}", None),
        "candidate.list": ("GET", "/v1/candidates?text=AUD", None),
        "shortlist.serve": ("GET", "/v1/vacancies/wsp/W-MAG/shortlist?limit=50", None),
        "matches.serve": ("GET", f"/v1/candidates/{ref}/matches", None),
        "outcome.record": ("POST", "/v1/outcomes", {"event": "proposed", "candidate_ref": ref, "vacancy": VACANCY}),
    }
    request_ids, model_versions = {}, {}
    for action, (method, url, payload) in calls.items():
        request_id = f"req-{action.replace('.', '-')}"
        response = client.request(method, url, json=payload, headers=auth(consultant) | {"X-Request-Id": request_id})
        assert response.status_code in (200, 201), (action, response.text)
        assert response.headers["x-request-id"] == request_id
        request_ids[action] = request_id
        if action.endswith(".serve"):
            model_versions[action] = response.json()["model_version"]

    auditor = auth(keys["auditor"])
    response = client.get(f"/v1/audit?candidate_ref={ref}", headers=auditor | {"X-Request-Id": "req-audit"})
    assert response.status_code == 200
    entries = {e["action"]: e for e in response.json()["items"]}
    assert set(calls) <= set(entries), sorted(entries)
    for action, request_id in request_ids.items():
        entry = entries[action]
        assert (entry["key_id"], entry["role"], entry["request_id"]) == (key_id, "consultant", request_id), action
        assert entry["key_name"] == "test consultant" and entry["at"]
    for action, version in model_versions.items():
        assert entries[action]["model_version"] == version
    # another person's trail shows only the shortlist that person was on, not this person's reads and writes
    other = client.get("/v1/audit?candidate_ref=N-SCH", headers=auditor).json()["items"]
    assert {e["request_id"] for e in other} & set(request_ids.values()) == {"req-shortlist-serve"}
    # the raw reference is never stored in the audit log, only a keyed pseudonym
    with world.db.connection() as conn:
        assert conn.execute("SELECT 1 FROM audit_log WHERE subjects::text LIKE %s OR detail::text LIKE %s",
                            (f"%{ref}%", f"%{ref}%")).fetchone() is None
        audit_reads = conn.execute("SELECT role, request_id FROM audit_log WHERE action = 'audit.read'").fetchall()
    assert {"role": "auditor", "request_id": "req-audit"} in audit_reads  # reading the trail is audited too


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in logging.root.manager.loggerDict}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


def test_matcher_audit_export(client: Any, world: Service, keys: dict[str, str], settings: Settings,
                              monkeypatch: pytest.MonkeyPatch, tmp_path: Path, restore_logging: None) -> None:
    from matcher.cli.main import main as run_cli

    consultant = auth(keys["consultant"])
    assert client.get("/v1/candidates/A-MAG", headers=consultant | {"X-Request-Id": "req-export"}).status_code == 200
    assert client.get("/v1/candidates/N-MAG", headers=consultant).status_code == 200
    assert settings.database_url and settings.secret_key
    for name, value in {"MATCHER_DATABASE_URL": settings.database_url, "MATCHER_SECRET_KEY": settings.secret_key,
                        "MATCHER_DATA_DIR": str(settings.data_dir), "MATCHER_MODELS_DIR": str(settings.models_dir),
                        "MATCHER_LOG_JSON": "false"}.items():
        monkeypatch.setenv(name, value)
    out = tmp_path / "audit.ndjson"

    assert run_cli(["audit", "export", "--candidate-ref", "A-MAG", "--out", str(out)]) == 0
    entries = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    reads = [e for e in entries if e["action"] == "candidate.read"]
    assert [e["request_id"] for e in reads] == ["req-export"]
    assert reads[0]["role"] == "consultant" and reads[0]["key_id"] == _key_id(world, keys["consultant"])
    assert "candidate.import" in {e["action"] for e in entries}

    everything = tmp_path / "all.ndjson"
    assert run_cli(["audit", "export", "--out", str(everything)]) == 0
    lines = everything.read_text(encoding="utf-8").splitlines()
    assert len(lines) > len(entries)
    assert run_cli(["audit", "export", "--candidate-ref", "NOBODY-KNOWN", "--out", str(everything)]) == 0
    assert everything.read_text(encoding="utf-8") == ""


# -- what never reaches the logs -------------------------------------------------------------------------


def test_restrictions_and_keys_never_reach_the_logs(client: Any, world: Service, keys: dict[str, str],
                                                   caplog: pytest.LogCaptureFixture,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    secret_text, secret_value = "allergisch voor lavendelzeep xq-9921", 17.25
    consultant, admin = auth(keys["consultant"]), auth(keys["admin"])
    body = {"municipality": "arnhem", "skills": [{"label": "schoonmaken"}], "experience": [{"title": "schoonmaker"}],
            "restrictions": [{"text": secret_text}, {"code": "max_lift_kg", "value": secret_value}]}

    assert client.put("/v1/candidates/LOG-1", json=body, headers=consultant).status_code == 201
    assert client.get("/v1/candidates/LOG-1", headers=consultant).json()["restrictions"]
    assert client.get("/v1/vacancies/scalabor/S-SCH/shortlist?limit=50", headers=consultant).status_code == 200
    assert client.get("/v1/candidates/LOG-1/matches", headers=consultant).status_code == 200
    assert client.get("/v1/candidates/A-SCH", headers=admin).status_code == 200
    # and the failure paths: a rejected body, a bulk import with a bad row
    bad = body | {"restrictions": [{"text": secret_text, "value": "x" * 10}], "extra": secret_text}
    assert client.put("/v1/candidates/LOG-2", json=bad, headers=consultant).status_code == 422
    line = json.dumps({"ref": "LOG-3", "municipality": "arnhem", "trede": 99, "restrictions": [{"text": secret_text}]})
    assert client.post("/v1/candidates/import", content=line, headers=admin | {
        "content-type": "application/x-ndjson"}).status_code == 422
    assert client.get("/v1/audit?candidate_ref=LOG-1", headers=auth(keys["auditor"])).status_code == 200

    logged = caplog.text + "\n".join(str(r.args) for r in caplog.records) + "".join(capsys.readouterr())
    assert "api.access" in {r.name for r in caplog.records}  # the logs were really captured
    for secret in (secret_text, str(secret_value), SECRET_RESTRICTION, *(k for k in keys.values() if k)):
        assert secret not in logged


def test_a_key_is_shown_once_and_stored_only_as_a_hash(service: Service) -> None:
    with service.db.transaction() as conn:
        key_id, secret = create_key(conn, role="consultant", municipality="arnhem", name="t")
    with service.db.connection() as conn:
        row = conn.execute("SELECT * FROM api_keys WHERE id = %s", (key_id,)).fetchone()
    assert row is not None and secret not in json.dumps(row, default=str)
    assert row["prefix"] == secret[:10] and len(row["key_hash"]) == 64


def test_the_employer_service_is_not_told_whose_proposal_stands_nor_may_it_undo_it(
        client: Any, world: Service, keys: dict[str, str]) -> None:
    """The anonymised role may propose, but sees no one's outcomes: a proposal another key recorded is neither
    named nor dated in the refusal (API and web page), and undoing it by its number finds nothing."""
    from tests.api.test_ui_forms import csrf_of, sign_in

    consultant, employer = auth(keys["consultant"]), auth(keys["employer_service"])
    shortlist = "/v1/vacancies/wsp/W-MAG/shortlist"
    assert client.get(shortlist, headers=consultant).status_code == 200
    refs = [i["candidate_ref"] for i in client.get(shortlist, headers=employer).json()["items"]]
    own_ref = next(r for r in refs if r != "A-MAG")
    proposal = {"event": "proposed", "candidate_ref": "A-MAG", "vacancy": VACANCY}
    first = client.post("/v1/outcomes", json=proposal, headers=consultant)
    assert first.status_code == 201
    refused = assert_problem(client.post("/v1/outcomes", json=proposal, headers=employer), 409)
    assert "existing_outcome_id" not in refused and "proposed_at" not in refused
    assert str(first.json()["id"]) not in refused["detail"] and "already" not in refused["detail"]
    assert_problem(client.post(f"/v1/outcomes/{first.json()['id']}/undo", headers=employer), 404)
    # its own proposal it is told about, and may undo
    own = client.post("/v1/outcomes", json=proposal | {"candidate_ref": own_ref}, headers=employer)
    assert own.status_code == 201, own.text
    again = assert_problem(client.post("/v1/outcomes", json=proposal | {"candidate_ref": own_ref}, headers=employer),
                           409)
    assert again["existing_outcome_id"] == own.json()["id"]
    assert client.post(f"/v1/outcomes/{own.json()['id']}/undo", headers=employer).status_code == 200
    # the web page says the same, no more
    sign_in(client, keys["employer_service"])
    token = csrf_of(client, "/ui/vacatures/wsp/W-MAG")
    page = client.post("/ui/uitkomsten", follow_redirects=False, data={
        "csrf": token, "event": "proposed", "kandidaat": "A-MAG", "bron": "wsp", "vacature": "W-MAG",
        "request_id": "", "terug": "/ui/vacatures/wsp/W-MAG"})
    assert page.status_code == 409 and "A-MAG kan nu niet worden voorgesteld" in page.text
    assert "al voorgesteld" not in page.text
    with world.db.connection() as conn:  # nothing was recorded for the refused proposals
        events = conn.execute("SELECT count(*) AS n FROM outcome_events WHERE event = 'proposed'").fetchone()
    assert events is not None and events["n"] == 2
