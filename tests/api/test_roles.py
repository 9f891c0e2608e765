"""Every endpoint × every caller: who is let through and who is refused, and what each role gets to see.

The matrix runs on one database per module (cloned from the migrated template) so that its ~170 cases
stay quick; every write in it uses a target of its own, so the cases do not depend on each other.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.ui.view import EVENT_LABELS, REASON_LABELS
from matcher.config import Settings
from matcher.db import open_database
from matcher.domain import CandidateIn
from matcher.matching.embeddings import SentenceTransformerEncoder
from matcher.security import SYSTEM
from matcher.service import Service
from tests.api.conftest import (
    CALLERS,
    CANDIDATES,
    ROLE_KEYS,
    SECRET_RESTRICTION,
    assert_problem,
    auth,
    make_keys,
    seed,
)
from tests.conftest import TEMPLATE

PUBLIC = ("*",)
# Owned by the nightly-rematch work; their role rules are tested with that feature.
NOT_IN_MATRIX = ("/v1/rematch", "/new-matches")


@dataclass
class Matrix:
    service: Service
    client: TestClient
    keys: dict[str, str | None]


@pytest.fixture(scope="module")
def matrix(admin_url: str, template_url: str, models_dir: Path, encoder: SentenceTransformerEncoder,
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matrix]:
    name = "roles_" + uuid.uuid4().hex[:10]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
    url = admin_url.replace("/postgres?", f"/{name}?", 1)
    settings = Settings(database_url=url, data_dir=tmp_path_factory.mktemp("roles"), models_dir=models_dir,
                        secret_key="roles-secret-key-that-is-long-enough-0", log_json=False,
                        rate_limit_per_minute=100_000)
    service = Service(settings, open_database(settings), encoder=encoder)
    seed(service)
    try:
        with TestClient(create_app(settings, service), raise_server_exceptions=False) as client:
            yield Matrix(service, client, make_keys(service))
    finally:
        service.db.close()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _exists(sql: str) -> Callable[[Service, str], bool]:
    def check(service: Service, token: str) -> bool:
        with service.db.connection() as conn:
            return conn.execute(sql, {"t": token}).fetchone() is not None

    return check


def _make_candidate(service: Service, token: str) -> None:
    service.upsert_candidate(f"RM-{token}", CandidateIn.model_validate(CANDIDATES["A-MAG"]), actor=SYSTEM)


@dataclass(frozen=True)
class Case:
    id: str
    method: str
    route: str                      # the route as the OpenAPI schema names it
    path: str                       # the URL, with {t} for a token unique to (case, caller)
    allowed: tuple[str, ...]        # roles let through besides admin; PUBLIC = no key needed
    ok: int                         # the status an allowed caller gets
    body: Callable[[str], Any] | None = None
    content_type: str = "application/json"
    setup: Callable[[Service, str], None] | None = None
    written: Callable[[Service, str], bool] | None = None   # did the write happen?
    extra: dict[str, str] = field(default_factory=dict)


def _candidate_line(token: str) -> str:
    return json.dumps({"ref": f"RI-{token}", **CANDIDATES["N-MAG"]})


def _vacancy_line(token: str) -> str:
    return json.dumps({"source": "scalabor", "external_id": f"VI-{token}", "title": "schoonmaker"})


CASES = [
    Case("put-candidate", "PUT", "/v1/candidates/{ref}", "/v1/candidates/RM-{t}", ("consultant", "batch"), 201,
         body=lambda t: CANDIDATES["A-MAG"], written=_exists("SELECT 1 FROM candidates WHERE ref = 'RM-' || %(t)s")),
    Case("get-candidate", "GET", "/v1/candidates/{ref}", "/v1/candidates/A-MAG", ("consultant",), 200),
    Case("delete-candidate", "DELETE", "/v1/candidates/{ref}", "/v1/candidates/RM-{t}", (), 204,
         setup=_make_candidate,
         written=lambda s, t: not _exists("SELECT 1 FROM candidates WHERE ref = 'RM-' || %(t)s")(s, t)),
    Case("import-candidates", "POST", "/v1/candidates/import", "/v1/candidates/import", ("batch",), 200,
         body=_candidate_line, content_type="application/x-ndjson",
         written=_exists("SELECT 1 FROM candidates WHERE ref = 'RI-' || %(t)s")),
    Case("list-candidates", "GET", "/v1/candidates", "/v1/candidates", ("consultant",), 200),
    Case("matches", "GET", "/v1/candidates/{ref}/matches", "/v1/candidates/A-MAG/matches", ("consultant",), 200),
    Case("put-vacancy", "PUT", "/v1/vacancies/{source}/{external_id}", "/v1/vacancies/wsp/V-{t}",
         ("employer_service", "batch"), 201, body=lambda t: {"title": "heftruckchauffeur"},
         written=_exists("SELECT 1 FROM vacancies WHERE external_id = 'V-' || %(t)s")),
    Case("get-vacancy", "GET", "/v1/vacancies/{source}/{external_id}", "/v1/vacancies/wsp/W-MAG",
         ("consultant", "employer_service"), 200),
    Case("list-vacancies", "GET", "/v1/vacancies", "/v1/vacancies", ("consultant", "employer_service"), 200),
    Case("import-vacancies", "POST", "/v1/vacancies/import", "/v1/vacancies/import",
         ("employer_service", "batch"), 200, body=_vacancy_line, content_type="application/x-ndjson",
         written=_exists("SELECT 1 FROM vacancies WHERE external_id = 'VI-' || %(t)s")),
    Case("extract-vacancy", "POST", "/v1/vacancies/extract", "/v1/vacancies/extract",
         ("employer_service", "consultant"), 200, body=lambda t: {"content": f"Orderpicker {t}, 32 uur per week"}),
    Case("shortlist", "GET", "/v1/vacancies/{source}/{external_id}/shortlist", "/v1/vacancies/wsp/W-MAG/shortlist",
         ("consultant", "employer_service"), 200),
    Case("outcome", "POST", "/v1/outcomes", "/v1/outcomes", ("consultant", "employer_service"), 201,
         body=lambda t: {"event": "invited", "candidate_ref": "A-MAG", "manual": True, "note": f"note {t}",
                         "vacancy": {"source": "wsp", "external_id": "W-MAG"}},
         written=_exists("SELECT 1 FROM outcome_events WHERE note = 'note ' || %(t)s")),
    # no such event: an allowed caller gets as far as the lookup (undoing a real one: test_outcomes_audit)
    Case("undo-outcome", "POST", "/v1/outcomes/{outcome_id}/undo", "/v1/outcomes/987654321/undo",
         ("consultant", "employer_service"), 404),
    Case("import-outcomes", "POST", "/v1/outcomes/import", "/v1/outcomes/import",
         ("consultant", "employer_service", "batch"), 200,
         body=lambda t: json.dumps({"event": "proposed", "candidate_ref": "A-MAG", "manual": True,
                                    "note": f"import {t}", "vacancy": {"source": "wsp", "external_id": "W-MAG"}}),
         content_type="application/x-ndjson",
         written=_exists("SELECT 1 FROM outcome_events WHERE note = 'import ' || %(t)s")),
    Case("audit", "GET", "/v1/audit", "/v1/audit?candidate_ref=A-MAG", ("auditor",), 200),
    Case("models", "GET", "/v1/models", "/v1/models", (), 200),
    Case("promote", "POST", "/v1/models/{version}/promote", "/v1/models/prior-2026.11/promote", (), 200),
    # there is no earlier champion in this database: an admin gets a clear 422, the others never get that far
    Case("rollback", "POST", "/v1/models/rollback", "/v1/models/rollback", (), 422),
    Case("healthz", "GET", "/healthz", "/healthz", PUBLIC, 200),
    Case("readyz", "GET", "/readyz", "/readyz", PUBLIC, 200),
    Case("metrics", "GET", "/metrics", "/metrics", PUBLIC, 200),
    Case("openapi", "GET", "/openapi.json", "/openapi.json", PUBLIC, 200),
    Case("docs", "GET", "/docs", "/docs", PUBLIC, 200),
]


def expected_status(case: Case, caller: str) -> int:
    if case.allowed == PUBLIC:
        return case.ok
    if caller in ("none", "revoked"):
        return 401
    role = ROLE_KEYS[caller][0]
    return case.ok if role == "admin" or role in case.allowed else 403


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_role_matrix(matrix: Matrix, case: Case, caller: str) -> None:
    token = f"{case.id}-{CALLERS.index(caller)}"
    if case.setup:
        case.setup(matrix.service, token)
    headers = auth(matrix.keys[caller]) | {"content-type": case.content_type}
    content = None
    if case.body is not None:
        body = case.body(token)
        content = body if isinstance(body, str) else json.dumps(body)
    response = matrix.client.request(case.method, case.path.format(t=token), headers=headers, content=content)
    expected = expected_status(case, caller)
    if expected in (401, 403):
        problem = assert_problem(response, expected)
        if expected == 401:
            assert response.headers["www-authenticate"] == "Bearer"
        else:
            assert ROLE_KEYS[caller][0] in problem["detail"]
    else:
        assert response.status_code == expected, response.text
    if case.written is not None:
        assert case.written(matrix.service, token) is (expected == case.ok), "a refused call must change nothing"


def test_the_matrix_covers_every_v1_endpoint(matrix: Matrix) -> None:
    paths = matrix.client.get("/openapi.json").json()["paths"]
    served = {(method.upper(), path) for path, ops in paths.items() for method in ops
              if path.startswith("/v1/") and not any(part in path for part in NOT_IN_MATRIX)}
    covered = {(c.method, c.route) for c in CASES if c.route.startswith("/v1/")}
    assert served == covered


def test_readme_role_table_matches_what_is_enforced() -> None:
    """The README's table is the documentation people read: it must say what the matrix above proves."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table: dict[tuple[str, str], set[str]] = {}
    for line in readme.splitlines():
        if not line.startswith("| `") or "/v1/" not in line:
            continue
        endpoints, roles = line.strip("|").split("|")[:2]
        role_set = {r.split("(")[0].strip() for r in roles.split(",")}
        for endpoint in endpoints.split("`")[1::2]:
            method, _, path = endpoint.partition(" ")
            table[(method, path.split("?")[0])] = role_set
    for case in CASES:
        if case.allowed == PUBLIC or not case.route.startswith("/v1/"):
            continue
        documented = table.get((case.method, case.route))
        assert documented is not None, f"README lacks {case.method} {case.route}"
        assert documented == {*case.allowed, "admin"}, f"{case.method} {case.route}"


# -- municipality scope -----------------------------------------------------------------------------


def test_a_consultant_bound_to_a_municipality_sees_only_its_people(client: Any, world: Service,
                                                                   keys: dict[str, str]) -> None:
    arnhem, anywhere = auth(keys["consultant_arnhem"]), auth(keys["consultant"])

    assert client.get("/v1/candidates/A-MAG", headers=arnhem).status_code == 200
    assert_problem(client.get("/v1/candidates/N-MAG", headers=arnhem), 404)
    assert client.get("/v1/candidates/N-MAG", headers=anywhere).status_code == 200

    listed = {r["ref"] for r in client.get("/v1/candidates", headers=arnhem).json()["items"]}
    assert listed == {"A-MAG", "A-SCH"}
    assert {r["ref"] for r in client.get("/v1/candidates", headers=anywhere).json()["items"]} == set(CANDIDATES)
    assert_problem(client.get("/v1/candidates?municipality=nijmegen", headers=arnhem), 403)

    for vacancy in ("wsp/W-MAG", "scalabor/S-SCH"):
        own = client.get(f"/v1/vacancies/{vacancy}/shortlist?limit=50", headers=arnhem).json()
        everyone = client.get(f"/v1/vacancies/{vacancy}/shortlist?limit=50", headers=anywhere).json()
        assert own["items"] and {i["municipality"] for i in own["items"]} == {"arnhem"}
        assert {i["candidate_ref"][0] for i in everyone["items"]} == {"A", "N"}  # the filter is what differs

    assert_problem(client.get("/v1/candidates/N-MAG/matches", headers=arnhem), 404)
    assert client.get("/v1/candidates/A-MAG/matches", headers=arnhem).status_code == 200


def test_a_bound_consultant_cannot_write_or_log_for_another_municipality(client: Any, world: Service,
                                                                        keys: dict[str, str],
                                                                        count_rows: Callable[[str], int]) -> None:
    arnhem = auth(keys["consultant_arnhem"])
    foreign = CANDIDATES["N-MAG"]
    assert_problem(client.put("/v1/candidates/N-NEW", json=foreign, headers=arnhem), 403)
    # an existing person of another municipality cannot be pulled over either (and is not revealed)
    assert_problem(client.put("/v1/candidates/N-MAG", json=CANDIDATES["A-MAG"], headers=arnhem), 404)
    outcome = {"event": "proposed", "candidate_ref": "N-MAG", "manual": True, "note": "gesprek",
               "vacancy": {"source": "wsp", "external_id": "W-MAG"}}
    assert_problem(client.post("/v1/outcomes", json=outcome, headers=arnhem), 404)
    assert count_rows("candidates") == len(CANDIDATES)
    assert count_rows("outcome_events") == 0
    with world.db.connection() as conn:
        row = conn.execute("SELECT municipality, version FROM candidates WHERE ref = 'N-MAG'").fetchone()
    assert row == {"municipality": "nijmegen", "version": 1}


# -- what each role sees -------------------------------------------------------------------------------


# Every field that may carry something in the employer_service role's shortlist; anything else must be absent,
# null or empty. Paths: `items[].explanation.fits_nl[]` is each entry of that list.
EMPLOYER_FIELDS = {"request_id", "model_version", "considered", "excluded", "items[].rank", "items[].candidate_ref",
                   "items[].score_band", "items[].request_id", "items[].explanation.summary_nl",
                   "items[].explanation.fits_nl[]", "items[].explanation.missing_nl[]",
                   "items[].explanation.has_attention_points"}


def _fields(value: Any, path: str = "") -> set[str]:
    """The paths of a JSON value that carry something (None, empty lists and empty objects carry nothing)."""
    if isinstance(value, dict):
        return set().union(set(), *(_fields(v, f"{path}.{k}" if path else k) for k, v in value.items()))
    if isinstance(value, list):
        return set().union(set(), *(_fields(v, f"{path}[]") for v in value))
    return set() if value is None else {path}


class _Text(HTMLParser):
    """The text of the matches on a page (the `ol.matches` list), one string per text node."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth or (tag == "ol" and ("class", "matches") in attrs):
            self.depth += tag not in ("input", "br", "img", "meta")

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag not in ("input", "br", "img", "meta"):
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and data.strip():
            self.texts.append(data.strip())


def test_employer_service_gets_reference_band_and_dutch_reasons_only(client: Any, world: Service,
                                                                     keys: dict[str, str]) -> None:
    path = "/v1/vacancies/scalabor/S-SCH/shortlist?limit=50&rerank=none"
    consultant = client.get(path, headers=auth(keys["consultant"])).json()
    response = client.get(path, headers=auth(keys["employer_service"]))
    assert response.status_code == 200
    employer = response.json()
    assert [i["candidate_ref"] for i in employer["items"]] == [i["candidate_ref"] for i in consultant["items"]]
    assert _fields(employer) == EMPLOYER_FIELDS  # every field the role receives, against the allow-list

    with_points = {i["candidate_ref"] for i in consultant["items"] if i["explanation"]["attention_points"]}
    assert "A-SCH" in with_points  # the free-text restriction is an attention point for the consultant
    assert any("Bespreken:" in i["explanation"]["summary_nl"] for i in consultant["items"])
    # texts the consultant gets that give away the trede (support), restrictions or where someone lives
    private = {t for i in consultant["items"] for t in i["explanation"]["attention_points"]}
    private |= {c["text_nl"] for i in consultant["items"] for c in i["explanation"]["contributions"]
                if c["feature"] in ("support_fit", "travel_distance", "attention_points")}
    assert any("begeleiding" in t for t in private) and any(" km" in t for t in private)
    raw = response.text
    for item in employer["items"]:
        assert item["explanation"]["has_attention_points"] is (item["candidate_ref"] in with_points)
        assert item["score_band"] in ("zeer goed", "goed", "redelijk", "matig")
        reasons = [item["explanation"]["summary_nl"], *item["explanation"]["fits_nl"],
                   *item["explanation"]["missing_nl"]]
        assert all("%" not in t and "begeleiding" not in t and "km" not in t for t in reasons), reasons
    for text in private:
        assert text not in raw
    assert SECRET_RESTRICTION not in raw and "arnhem" not in raw and "nijmegen" not in raw

    # the web page: every text in the list of matches is a reference, a place, a band, a reason or a label
    client.cookies.set("werkmatch_key", keys["employer_service"])
    page = client.get("/ui/vacatures/scalabor/S-SCH")
    assert page.status_code == 200
    parser = _Text()
    parser.feed(page.text)
    assert parser.texts
    allowed = {"Plaats", "Score", "Wat past", "Wat ontbreekt", "Bespreekpunten", "Geen uitgesproken sterke punten.",
               "Niets opvallends.", "Geen.", "er zijn bespreekpunten", "Uitkomst vastleggen", "Reden van afwijzing",
               "kies een reden", "Afgewezen…", "Afwijzing vastleggen", "Aangenomen…", "Ja, aangenomen",
               *(label.capitalize() for label in EVENT_LABELS.values()), *REASON_LABELS.values()}
    for item in employer["items"]:
        allowed |= {str(item["rank"]), item["candidate_ref"], f"voor {item['candidate_ref']}", item["score_band"],
                    f"Aanname van {item['candidate_ref']} vastleggen?",
                    item["explanation"]["summary_nl"],
                    *item["explanation"]["fits_nl"], *item["explanation"]["missing_nl"]}
    assert [t for t in parser.texts if t not in allowed] == []
    assert not any(t in page.text for t in private) and "Opbouw van de score" not in page.text


def test_the_consultant_sees_restrictions_and_the_full_explanation(client: Any, world: Service,
                                                                  keys: dict[str, str]) -> None:
    person = client.get("/v1/candidates/A-SCH", headers=auth(keys["consultant"])).json()
    assert {"code": "max_lift_kg", "value": 5} in [{k: r[k] for k in ("code", "value")}
                                                   for r in person["restrictions"]]
    assert SECRET_RESTRICTION in [r["text"] for r in person["restrictions"]]
    item = next(i for i in client.get("/v1/vacancies/scalabor/S-SCH/shortlist?limit=50",
                                      headers=auth(keys["consultant"])).json()["items"]
                if i["candidate_ref"] == "A-SCH")
    assert item["municipality"] == "arnhem" and item["trede"] == 1 and item["features"]
    assert item["explanation"]["attention_points"] and item["explanation"]["has_attention_points"]


def test_only_admin_manages_models(client: Any, world: Service, keys: dict[str, str]) -> None:
    for name in ("consultant", "employer_service", "batch", "auditor"):
        assert_problem(client.post("/v1/models/prior-2026.11/promote", headers=auth(keys[name])), 403)
    assert_problem(client.post("/v1/models/no-such-version/promote", headers=auth(keys["admin"])), 404)
    models = client.get("/v1/models", headers=auth(keys["admin"])).json()["items"]
    assert [(m["version"], m["status"]) for m in models] == [("prior-2026.11", "champion")]


def test_only_auditor_and_admin_read_the_audit_log(client: Any, world: Service, keys: dict[str, str]) -> None:
    for name in ("consultant", "consultant_arnhem", "employer_service", "batch"):
        assert_problem(client.get("/v1/audit", headers=auth(keys[name])), 403)
    for name in ("auditor", "admin"):
        assert client.get("/v1/audit?candidate_ref=A-MAG", headers=auth(keys[name])).status_code == 200


def test_a_revoked_or_malformed_key_is_refused(client: Any, world: Service, keys: dict[str, str]) -> None:
    for header in (f"Bearer {keys['revoked']}", "Bearer wm_not-a-real-key", "Bearer " + "x" * 5000, "Basic abc",
                   f"Bearer {keys['admin']}x"):
        response = client.get("/v1/candidates/A-MAG", headers={"Authorization": header})
        assert_problem(response, 401)
