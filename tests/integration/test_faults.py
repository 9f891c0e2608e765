"""Faults: the database stops mid-traffic and comes back; an import dies halfway.

The outage test runs its own embedded PostgreSQL (a separate data directory), because stopping the shared
test server would break every other test. The app is the real one, on a real pool, with the real encoder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from matcher.config import Settings
from matcher.db import open_database, repository
from matcher.domain import CandidateIn, VacancyIn
from matcher.matching.embeddings import SentenceTransformerEncoder
from matcher.security import SYSTEM, create_key
from matcher.service import Service
from matcher.setup import migrate_all
from tests.api.conftest import CANDIDATES, PROBLEM, VACANCIES, auth

FAST_S = 3.0  # a request during an outage answers well within the pool timeout (MATCHER_DB_TIMEOUT_S = 5)


@pytest.fixture
def own_postgres(admin_url: str) -> Iterator[tuple[Any, str]]:
    """An embedded server of this test's own (the shared one is already up, so pgserver is configured)."""
    import pgserver

    base = Path(tempfile.mkdtemp(prefix="werkmatch-faults-"))
    server = pgserver.get_server(base / "pgdata", cleanup_mode="delete")
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        conn.execute('CREATE DATABASE "werkmatch"')
    try:
        yield server, server.get_uri("werkmatch")
    finally:
        if not server.get_postmaster_info().is_running():
            start_postgres(server)
        server.cleanup()  # stops it and removes its data directory
        shutil.rmtree(base, ignore_errors=True)


def stop_postgres(server: Any) -> None:
    """`pg_ctl stop -m fast`: every session is cut off, as in a crash or a failover."""
    from pgserver import pg_ctl  # type: ignore[attr-defined]  # made at import, one per binary

    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user, timeout=60)


def start_postgres(server: Any) -> None:
    """The same data directory and socket again, as after a restart."""
    with server._lock:  # pgserver's cross-process lock, as when it starts a server itself
        server.ensure_postgres_running()


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def _assert_unavailable(response: Any, elapsed: float, what: str) -> None:
    assert response.status_code == 503, f"{what}: {response.status_code} {response.text}"
    assert elapsed < FAST_S, f"{what} took {elapsed:.1f} s to say the database is gone"
    if what != "readyz":
        assert response.headers["content-type"].startswith(PROBLEM)
        body = response.json()
        assert body["status"] == 503 and "database" in body["detail"] and "try again" in body["detail"]
        assert response.headers["retry-after"]


SHORTLIST = "/v1/vacancies/wsp/W-MAG/shortlist?limit=10"
PERSON = "/v1/candidates/A-MAG"


@pytest.fixture
def outage_app(own_postgres: tuple[Any, str], encoder: SentenceTransformerEncoder, models_dir: Path,
               tmp_path: Path) -> Iterator[tuple[Any, Any, dict[str, str]]]:
    """(pgserver handle, the real app's TestClient, a consultant's headers) on the test's own server."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    server, url = own_postgres
    settings = Settings(database_url=url, data_dir=tmp_path / "var", models_dir=models_dir, log_json=False,
                        secret_key="test-secret-key-that-is-long-enough-000", pool_max_size=3)
    migrate_all(settings, url)
    db = open_database(settings)  # a small pool: under load every connection is in use when the server stops
    service = Service(settings, db, encoder=encoder)
    try:
        service.import_vacancies([(k, VacancyIn.model_validate(v)) for k, v in VACANCIES.items()], actor=SYSTEM)
        service.import_candidates([(k, CandidateIn.model_validate(v)) for k, v in CANDIDATES.items()],
                                  actor=SYSTEM)
        with service.db.transaction() as conn:
            headers = auth(create_key(conn, role="consultant", municipality=None, name="faults")[1])
        with TestClient(create_app(settings, service), raise_server_exceptions=False) as client:
            assert client.get("/readyz").status_code == 200
            yield server, client, headers
    finally:
        db.close()


def _wait_until_ready(client: Any, limit_s: float = 15.0) -> float:
    started = time.perf_counter()
    while (ready := client.get("/readyz")).status_code != 200:
        assert time.perf_counter() - started < limit_s, f"no recovery: {ready.text}"
        time.sleep(0.1)
    return time.perf_counter() - started


def test_a_database_outage_fails_fast_and_the_service_recovers_by_itself(
        outage_app: tuple[Any, Any, dict[str, str]]) -> None:
    server, client, headers = outage_app
    changed = CANDIDATES["A-MAG"] | {"hours_max": 32}
    before = client.get(SHORTLIST, headers=headers)
    assert before.status_code == 200 and before.json()["items"]
    assert client.get(PERSON, headers=headers).json()["version"] == 1

    stop_postgres(server)  # the pool holds idle connections to a server that is gone
    for attempt in range(3):  # the first request finds the broken connections; later ones must be as quick
        response, elapsed = _timed(lambda: client.get("/readyz"))
        _assert_unavailable(response, elapsed, "readyz")
        assert response.json()["checks"]["database"].startswith("unreachable")
        response, elapsed = _timed(lambda: client.get(SHORTLIST, headers=headers))
        _assert_unavailable(response, elapsed, f"shortlist #{attempt + 1}")
        response, elapsed = _timed(lambda: client.put(PERSON, json=changed, headers=headers))
        _assert_unavailable(response, elapsed, f"PUT #{attempt + 1}")
    assert client.get("/healthz").status_code == 200  # the process itself is alive

    start_postgres(server)
    assert _wait_until_ready(client) < 5
    after = client.get(SHORTLIST, headers=headers)
    assert after.status_code == 200, after.text
    assert [i["candidate_ref"] for i in after.json()["items"]] == [i["candidate_ref"] for i in before.json()["items"]]
    # the PUTs refused during the outage wrote nothing; now the same PUT goes through
    assert client.get(PERSON, headers=headers).json()["version"] == 1
    written = client.put(PERSON, json=changed, headers=headers)
    assert written.status_code == 200 and written.json()["version"] == 2


def test_requests_in_flight_when_the_database_stops_fail_fast_too(
        outage_app: tuple[Any, Any, dict[str, str]]) -> None:
    """Under load the connections break while in use and the pool is empty: waiting for it must not hang
    every request for the pool timeout either."""
    server, client, headers = outage_app
    seen: list[tuple[float, float, int]] = []
    stop = threading.Event()

    def load() -> None:
        while not stop.is_set():
            start = time.perf_counter()
            status = client.get(SHORTLIST, headers=headers).status_code
            seen.append((start, time.perf_counter(), status))

    threads = [threading.Thread(target=load) for _ in range(8)]
    for t in threads:
        t.start()
    try:
        time.sleep(1.0)
        stopped_at = time.perf_counter()
        stop_postgres(server)
        time.sleep(FAST_S + 1)  # longer than any request may take: one hanging through the outage shows
        down = [s for start, _, s in seen if start > time.perf_counter() - 2]
        start_postgres(server)
        restarted_at = time.perf_counter()
        _wait_until_ready(client)
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert {s for _, _, s in seen} <= {200, 503}
    assert down and set(down) == {503}, "requests during the outage are refused"
    slow = [round(end - start, 1) for start, end, _ in seen if end - start >= FAST_S]
    assert not slow, f"requests took {slow} s"
    assert any(s == 200 and start < stopped_at for start, _, s in seen)
    assert any(s == 200 and start > restarted_at for start, _, s in seen), "served again after the restart"


class Killed(BaseException):
    """Like a kill in the middle of the work: not an Exception, so no ``except Exception`` can swallow it."""


def _import_dies_after(monkeypatch: pytest.MonkeyPatch, rows: int, error: BaseException) -> list[str]:
    """Make the repository raise while writing row ``rows + 1`` of the import."""
    real = repository.upsert_candidate
    written: list[str] = []

    def dying(conn: Any, row: dict[str, Any]) -> Any:
        if len(written) == rows:
            raise error
        written.append(row["ref"])
        return real(conn, row)

    monkeypatch.setattr(repository, "upsert_candidate", dying)
    return written


@pytest.mark.parametrize("error", [Killed("killed halfway"), RuntimeError("disk full")], ids=["killed", "error"])
def test_an_import_that_dies_halfway_leaves_nothing_behind_and_can_be_rerun(
        service: Service, monkeypatch: pytest.MonkeyPatch, error: BaseException) -> None:
    service.import_vacancies([(k, VacancyIn.model_validate(v)) for k, v in VACANCIES.items()], actor=SYSTEM)
    base = CandidateIn.model_validate(CANDIDATES["A-MAG"])
    items = [(f"K-{i:03d}", base.model_copy(update={"hours_max": 24 + i % 12})) for i in range(30)]

    def counts() -> dict[str, int]:
        with service.db.connection() as conn:
            row = conn.execute(
                """SELECT (SELECT count(*) FROM candidates) AS candidates,
                          (SELECT count(*) FROM candidate_skills) AS skills,
                          (SELECT count(*) FROM candidate_experience) AS experience,
                          (SELECT count(*) FROM embeddings WHERE kind = 'candidate') AS vectors,
                          (SELECT count(*) FROM audit_log WHERE action = 'candidate.import') AS audit""").fetchone()
        assert row is not None
        return dict(row)

    empty = counts()
    written = _import_dies_after(monkeypatch, rows=12, error=error)
    with pytest.raises(type(error)):
        service.import_candidates(items, actor=SYSTEM)
    assert len(written) == 12  # rows really were written inside the transaction before it died
    assert counts() == empty

    monkeypatch.undo()
    report = service.import_candidates(items, actor=SYSTEM)
    assert (report.ok, report.created, report.updated, report.unchanged) == (True, 30, 0, 0)
    full = counts()
    assert full["candidates"] == 30 and full["vectors"] == 30 and full["skills"] > 0
    assert full["audit"] == empty["audit"] + 1
    again = service.import_candidates(items, actor=SYSTEM)
    assert (again.created, again.unchanged) == (0, 30) and counts() == full | {"audit": full["audit"] + 1}


def test_a_process_that_released_its_embedded_server_leaves_nothing_in_the_removed_folder(tmp_path: Path) -> None:
    """What a test session does at its end: release the server, remove its folder, exit. pgserver's own exit hook
    took its lock file again afterwards, in the removed folder's runtime directory, and left it behind."""
    base = tmp_path / "embedded"
    script = ("import shutil, sys; from pathlib import Path; from matcher.db import embedded; "
              "base = Path(sys.argv[1]); base.mkdir(); embedded.embedded_url(base / 'pgdata'); "
              "embedded.release(base / 'pgdata'); shutil.rmtree(base)")
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}  # as in a fresh process
    subprocess.run([sys.executable, "-c", script, str(base)], env=env, check=True, timeout=120)
    assert not base.exists()


def test_releasing_the_embedded_server_stops_it_before_its_folder_goes(admin_url: str) -> None:
    """What the test session does at its end: once the folder is removed, pgserver's exit hook can no longer see
    that this process was the last holder, and the server outlived every test run."""
    from matcher.db import embedded

    base = Path(tempfile.mkdtemp(prefix="werkmatch-release-"))
    try:
        url = embedded.embedded_url(base / "pgdata")
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        postmaster = embedded._servers[(base / "pgdata").resolve()].get_postmaster_info().process
        embedded.release(base / "pgdata")
        postmaster.wait(10)  # psutil: raises TimeoutExpired while it still runs
        assert not postmaster.is_running()
    finally:
        embedded.release(base / "pgdata")
        shutil.rmtree(base, ignore_errors=True)
