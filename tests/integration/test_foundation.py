"""The foundation: migrations, the append-only audit log, settings validation, readiness."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from matcher.config import Settings, SettingsError, load_settings
from matcher.db import embedded, migrate, open_database
from matcher.service import Service


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        return {r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'")}


def test_single_head_and_upgrade_downgrade_upgrade(fresh_db: Callable[[], str]) -> None:
    assert len(migrate.heads()) == 1
    url = fresh_db()
    before = _tables(url)
    assert {"candidates", "candidate_restrictions", "vacancies", "embeddings", "audit_log", "outcome_events",
            "shown_matches", "model_versions", "api_keys", "vocab_concepts", "rematch_runs"} <= before
    migrate.downgrade(url, "base")
    assert _tables(url) == set()
    migrate.upgrade(url)
    assert _tables(url) == before
    with psycopg.connect(url) as conn:
        assert migrate.current(conn) == migrate.heads()[0]


def test_audit_log_refuses_update_delete_and_truncate(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("INSERT INTO audit_log (action) VALUES ('test.entry')")
        for statement in ("UPDATE audit_log SET action = 'changed'", "DELETE FROM audit_log",
                          "TRUNCATE audit_log"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                conn.execute(statement)
        # the purge function removes only entries past the retention period: none here
        assert conn.execute("SELECT werkmatch_purge_audit()").fetchone() == (0,)
        assert conn.execute("SELECT action FROM audit_log").fetchall() == [("test.entry",)]


@pytest.mark.parametrize(("env", "message"), [
    ({"MATCHER_PORT": "70000"}, "MATCHER_PORT"),
    ({"MATCHER_DATABASE_URL": "mysql://x"}, "MATCHER_DATABASE_URL: Value error, must be a postgresql:// URL"),
    ({"MATCHER_POOL_MIN_SIZE": "9", "MATCHER_POOL_MAX_SIZE": "2"}, "pool_min_size must not exceed"),
    ({"MATCHER_SOURCES": "wsp,Bad Source"}, "MATCHER_SOURCES"),
    ({"MATCHER_LOG_LEVEL": "LOUD"}, "MATCHER_LOG_LEVEL"),
    ({"MATCHER_ENCODER_BATCH_SIZE": "zero"}, "MATCHER_ENCODER_BATCH_SIZE"),
])
def test_settings_reject_nonsense_with_a_clear_message(monkeypatch: pytest.MonkeyPatch, env: dict[str, str],
                                                        message: str) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as info:
        load_settings()
    assert message in str(info.value)
    assert str(info.value).startswith("invalid configuration")


def test_settings_read_lists_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCHER_SOURCES", "wsp, scalabor ,uwv")
    assert load_settings().sources == ["wsp", "scalabor", "uwv"]


def test_readyz_is_green_then_red_when_the_database_is_unreachable(client, service: Service) -> None:  # type: ignore[no-untyped-def]
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "migrations": "ok", "model": "prior-2026.11",
                                      "encoder": service.encoder.name}
    assert service.encoder.name.startswith("multilingual-e5-small")  # the default, named on /readyz
    service.db.pool.close()  # the same as the database going away for this process
    red = client.get("/readyz")
    assert red.status_code == 503
    assert red.json()["checks"]["database"].startswith("unreachable")
    assert client.get("/healthz").status_code == 200


def test_readyz_is_red_when_the_database_does_not_answer(settings: Settings, encoder, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from api.app import create_app

    broken = settings.model_copy(update={"database_url": f"postgresql://nobody@/none?host={tmp_path}",
                                         "db_timeout_s": 1.0})
    db = open_database(broken, max_size=1)
    try:
        svc = Service(broken, db, encoder=encoder)
        with TestClient(create_app(broken, svc), raise_server_exceptions=False) as client:
            response = client.get("/readyz")
            assert response.status_code == 503
            assert response.json()["checks"]["database"].startswith("unreachable")
    finally:
        db.close()


def test_a_process_killed_by_a_signal_does_not_keep_the_embedded_server_alive(pg_dir: Path, admin_url: str) -> None:
    """pgserver stops the database when its last user exits; a user killed by a signal must not count."""
    server = embedded._servers[(pg_dir / "pgdata").resolve()]
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with server._lock:
            server.global_process_id_list.put([*server.global_process_id_list.get(), child.pid])
        embedded._forget_dead_processes(server)
        assert child.pid in server.global_process_id_list.get()  # alive: still a user
    finally:
        child.kill()
        child.wait()
    embedded._forget_dead_processes(server)
    assert child.pid not in server.global_process_id_list.get()
    assert os.getpid() in server.global_process_id_list.get()  # this process still holds it


def test_a_connection_lent_in_autocommit_goes_back_to_the_pool_transactional(settings: Settings) -> None:
    db = open_database(settings, max_size=1)  # one connection: the second block gets the first one's
    try:
        with db.connection(autocommit=True) as conn:
            assert conn.autocommit
            conn.execute("CREATE TEMP TABLE t (x int)")  # stands alone: kept without a commit
            conn.execute("INSERT INTO t VALUES (1)")
        with db.connection() as conn:
            assert not conn.autocommit
            conn.execute("INSERT INTO t VALUES (2)")
            conn.rollback()  # inside a transaction again: the rollback takes the second row back
            assert [r["x"] for r in conn.execute("SELECT x FROM t")] == [1]
    finally:
        db.close()
