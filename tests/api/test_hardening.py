"""Security hardening through the real app: CORS, security headers, the per-key rate limit, the body limit,
and an audit log that nobody can rewrite, not even the service's own database role."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from api.app import create_app
from matcher.config import Settings
from matcher.service import Service
from tests.api.conftest import assert_problem, auth

ORIGIN = "https://werk.gemeente.example"
PREFLIGHT = {"Origin": ORIGIN, "Access-Control-Request-Method": "GET",
             "Access-Control-Request-Headers": "authorization"}


def _client(settings: Settings, service: Service, **changes: Any) -> Any:
    from fastapi.testclient import TestClient

    return TestClient(create_app(settings.model_copy(update=changes), service), raise_server_exceptions=False)


def _cors_headers(response: Any) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k.lower().startswith("access-control-")}


# -- CORS -----------------------------------------------------------------------------------------

def test_cors_is_closed_by_default(client: Any, world: Service, keys: dict[str, str]) -> None:
    preflight = client.options("/v1/vacancies", headers=PREFLIGHT)
    assert _cors_headers(preflight) == {}, preflight.headers
    read = client.get("/v1/vacancies", headers=auth(keys["consultant"]) | {"Origin": ORIGIN})
    assert read.status_code == 200  # the request itself works; a browser just may not hand it to the page
    assert _cors_headers(read) == {}


def test_cors_opens_only_for_the_configured_origins(settings: Settings, world: Service,
                                                    keys: dict[str, str]) -> None:
    with _client(settings, world, cors_origins=[ORIGIN]) as client:
        allowed = client.options("/v1/vacancies", headers=PREFLIGHT)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == ORIGIN
        assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
        assert "access-control-allow-credentials" not in allowed.headers  # keys travel as headers, not cookies
        read = client.get("/v1/vacancies", headers=auth(keys["consultant"]) | {"Origin": ORIGIN})
        assert read.status_code == 200 and read.headers["access-control-allow-origin"] == ORIGIN

        other = "https://evil.example"
        refused = client.options("/v1/vacancies", headers=PREFLIGHT | {"Origin": other})
        assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers
        read = client.get("/v1/vacancies", headers=auth(keys["consultant"]) | {"Origin": other})
        assert "access-control-allow-origin" not in read.headers


def test_cors_origins_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from matcher.config import load_settings

    monkeypatch.setenv("MATCHER_CORS_ORIGINS", f"{ORIGIN}, https://b.example")
    assert load_settings().cors_origins == [ORIGIN, "https://b.example"]
    monkeypatch.delenv("MATCHER_CORS_ORIGINS")
    assert load_settings().cors_origins == []


# -- security headers -------------------------------------------------------------------------------

def _assert_security_headers(response: Any) -> None:
    h = response.headers
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    assert h.get("x-content-type-options") == "nosniff", where
    assert h.get("x-frame-options") == "DENY", where
    assert h.get("referrer-policy") == "no-referrer", where
    assert h.get("cache-control") == "no-store", where
    csp = h.get("content-security-policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives.get("frame-ancestors") == ["'none'"], where
    assert directives.get("script-src") == ["'self'"], where  # no inline or eval'd scripts
    assert directives.get("default-src") == ["'self'"], where


def test_security_headers_on_every_kind_of_api_response(settings: Settings, world: Service,
                                                        keys: dict[str, str]) -> None:
    consultant = auth(keys["consultant"])
    with _client(settings, world, max_body_bytes=1024) as client:
        responses = [
            client.get("/v1/vacancies", headers=consultant),
            client.get("/v1/vacancies/wsp/W-MAG/shortlist", headers=consultant),
            client.get("/v1/candidates/A-MAG", headers=consultant),
            client.get("/v1/candidates"),  # 401
            client.get("/v1/audit", headers=consultant),  # 403
            client.get("/v1/candidates/NOPE", headers=consultant),  # 404
            client.put("/v1/candidates/X-1", json={"municipality": 7}, headers=consultant),  # 422
            client.put("/v1/candidates/X-1", content=b"x" * 2048,
                       headers=consultant | {"content-type": "application/json"}),  # 413
            client.get("/readyz"), client.get("/healthz"), client.get("/docs"),
        ]
    assert [r.status_code for r in responses] == [200, 200, 200, 401, 403, 404, 422, 413, 200, 200, 200]
    for response in responses:
        _assert_security_headers(response)


def test_security_headers_on_ui_pages(client: Any, world: Service, keys: dict[str, str]) -> None:
    sign_in = client.get("/ui/inloggen")
    if sign_in.status_code == 404:
        pytest.skip("the web interface (/ui) is not in this build")
    assert sign_in.status_code == 200 and sign_in.headers["content-type"].startswith("text/html")
    # the policy forbids inline scripts, so the pages must not need any
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", sign_in.text), "an inline script on the sign-in page"
    assert not re.search(r"\son[a-z]+\s*=", sign_in.text), "an inline event handler on the sign-in page"
    client.cookies.set("werkmatch_key", keys["consultant"])
    pages = [sign_in, client.get("/ui/vacatures"), client.get("/ui/vacatures/wsp/W-MAG"),
             client.get("/ui/kandidaten/A-MAG"), client.get("/ui/vacatures/wsp/BESTAAT-NIET")]
    assert [p.status_code for p in pages] == [200, 200, 200, 200, 404]
    for page in pages:
        _assert_security_headers(page)
    client.cookies.clear()
    redirect = client.get("/ui/werklijst", follow_redirects=False)  # not signed in: off to the sign-in page
    assert redirect.status_code in (302, 303) and "/ui/inloggen" in redirect.headers["location"]
    _assert_security_headers(redirect)


# -- rate limit --------------------------------------------------------------------------------------

def test_the_per_key_rate_limit_answers_429_with_retry_after_and_spares_other_keys(
        settings: Settings, world: Service, keys: dict[str, str], count_rows: Callable[[str], int]) -> None:
    with _client(settings, world, rate_limit_per_minute=5) as client:
        busy, calm = auth(keys["consultant"]), auth(keys["admin"])
        assert [client.get("/v1/candidates", headers=busy).status_code for _ in range(5)] == [200] * 5
        audited = count_rows("audit_log")
        limited = client.get("/v1/candidates", headers=busy)
        problem = assert_problem(limited, 429)
        assert "rate limit" in problem["detail"]
        assert 1 <= int(limited.headers["retry-after"]) <= 13  # one request per 12 s at 5 a minute
        assert count_rows("audit_log") == audited  # refused before any work: nothing served, nothing logged
        assert client.put("/v1/candidates/A-NEW", headers=busy,
                          json={"municipality": "arnhem"}).status_code == 429  # writes count too
        assert client.get("/v1/candidates/A-NEW", headers=calm).status_code == 404  # and were not done
        # another key has its own budget (one request of it spent just above)
        assert [client.get("/v1/candidates", headers=calm).status_code for _ in range(4)] == [200] * 4
        assert client.get("/v1/candidates", headers=calm).status_code == 429
        # an unknown key is refused as unknown (401), it does not eat a real key's budget
        assert client.get("/v1/candidates", headers=auth("wm_" + "x" * 40)).status_code == 401


# -- body limit -----------------------------------------------------------------------------------

def test_an_oversized_import_is_refused_with_413_and_writes_nothing(settings: Settings, service: Service,
                                                                  make_key: Callable[..., str],
                                                                  count_rows: Callable[[str], int]) -> None:
    line = json.dumps({"ref": "R-0", "municipality": "arnhem", "summary": "s" * 900}) + "\n"
    body = "".join(line.replace("R-0", f"R-{i}") for i in range(12)).encode()  # about 11 KB
    batch = auth(make_key("batch")) | {"content-type": "application/x-ndjson"}
    with _client(settings, service, max_body_bytes=8192) as client:
        problem = assert_problem(client.post("/v1/candidates/import", content=body, headers=batch), 413)
        assert "8192" in problem["detail"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while the body streams in
            for start in range(0, len(body), 1000):
                yield body[start:start + 1000]

        assert_problem(client.post("/v1/candidates/import", content=chunks(), headers=batch), 413)
        small = client.post("/v1/candidates/import", content=body[: len(line) * 2], headers=batch)
        assert small.status_code == 200 and small.json()["created"] == 2
    assert count_rows("candidates") == 2


# -- the audit log --------------------------------------------------------------------------------

ALTERATIONS = ["UPDATE audit_log SET action = 'tampered'", "UPDATE audit_log SET at = at - interval '20 years'",
               "DELETE FROM audit_log", "TRUNCATE audit_log", "TRUNCATE audit_log CASCADE"]


def _entries(service: Service) -> list[tuple[Any, ...]]:
    with service.db.connection() as conn:
        return [tuple(r.values()) for r in conn.execute("SELECT id, at, action, subjects FROM audit_log ORDER BY id")]


def test_the_service_role_cannot_alter_the_audit_log(world: Service) -> None:
    before = _entries(world)
    assert before, "the seed writes audit entries"
    for statement in ALTERATIONS:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"), \
                world.db.transaction() as conn:
            conn.execute(statement)
    # the purge switch is no way around it: young entries stay whoever sets it
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"), world.db.transaction() as conn:
        conn.execute("SELECT set_config('werkmatch.audit_purge', 'on', true)")
        conn.execute("DELETE FROM audit_log")
    # nor can the retention be set below the legal floor of a year
    with pytest.raises(psycopg.errors.CheckViolation), world.db.transaction() as conn:
        conn.execute("UPDATE audit_settings SET retention_days = 1")
    assert _entries(world) == before


def test_a_role_without_ownership_cannot_switch_the_guard_off(world: Service, admin_url: str) -> None:
    """Production advice (SECURITY.md): the service's role owns no tables. Even with every privilege granted
    on audit_log, such a role can neither change entries nor disable or drop the trigger."""
    role = "wm_app_" + uuid.uuid4().hex[:8]
    with psycopg.connect(world.db.url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN")
        conn.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON audit_log TO {role}")
        conn.execute(f"GRANT USAGE ON SEQUENCE audit_log_id_seq TO {role}")
    url = psycopg.conninfo.make_conninfo(world.db.url, user=role)
    before = _entries(world)
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("INSERT INTO audit_log (action) VALUES ('app.entry')")  # appending is allowed
            for statement in [*ALTERATIONS, "ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only",
                              "DROP TRIGGER audit_log_append_only ON audit_log", "DROP TABLE audit_log",
                              "SET session_replication_role = replica"]:
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(statement)
        after = _entries(world)
        assert after[: len(before)] == before and [e[2] for e in after[len(before):]] == ["app.entry"]
    finally:
        with psycopg.connect(world.db.url, autocommit=True) as conn:
            conn.execute(f"DROP OWNED BY {role}")
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP ROLE {role}")


def test_the_purge_removes_only_entries_past_the_retention_period(service: Service) -> None:
    with service.db.transaction() as conn:
        conn.execute("UPDATE audit_settings SET retention_days = 365")
        for action, days in [("old", 400), ("just.past", 366), ("just.inside", 364), ("young", 10)]:
            conn.execute("INSERT INTO audit_log (action, at) VALUES (%s, now() - make_interval(days => %s))",
                         (action, days))
    with pytest.raises(psycopg.errors.InsufficientPrivilege), service.db.transaction() as conn:
        conn.execute("DELETE FROM audit_log WHERE action = 'old'")  # only through the purge function
    with service.db.transaction() as conn:
        removed = conn.execute("SELECT werkmatch_purge_audit() AS n").fetchone()
    assert removed is not None and removed["n"] == 2
    assert {e[2] for e in _entries(service)} == {"just.inside", "young"}
    with pytest.raises(psycopg.errors.InsufficientPrivilege), service.db.transaction() as conn:
        conn.execute("SELECT werkmatch_purge_audit()")
        conn.execute("DELETE FROM audit_log")  # after a purge the guard is on again, in the same transaction
