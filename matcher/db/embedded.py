"""The embedded PostgreSQL (pgserver) used when no MATCHER_DATABASE_URL is configured.

pgserver keeps one postgres per data directory and counts the processes holding it, so the API
server, the CLI and the nightly batch can use the same data directory at the same time; the
server stops when the last of them exits. The data directory must be a folder of its own: run as
root, pgserver hands it to a system user and widens permissions on its parents.
"""

from __future__ import annotations

import atexit
import logging
import os
from contextlib import suppress
from pathlib import Path
from typing import Any

import psycopg

DATABASE = "werkmatch"
_servers: dict[Path, Any] = {}
log = logging.getLogger(__name__)


def embedded_url(pg_data_dir: Path, database: str = DATABASE) -> str:
    """Start (or join) the embedded server and return a URL of the project database in it."""
    pg_data_dir = pg_data_dir.resolve()
    server = _servers.get(pg_data_dir)
    if server is None:
        runtime = pg_data_dir.parent / "run"  # pgserver keeps its cross-process lock file here
        runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
        logging.getLogger("pgserver").setLevel(logging.WARNING)
        import pgserver  # heavy import, only when the embedded server is really used

        pg_data_dir.parent.mkdir(parents=True, exist_ok=True)
        log.info("starting embedded postgresql in %s", pg_data_dir)
        server = pgserver.get_server(pg_data_dir, cleanup_mode="stop")
        _servers[pg_data_dir] = server
        _forget_dead_processes(server)
        atexit.register(_forget_dead_processes, server)  # runs before pgserver's own exit hook (last in, first out)
    admin_url: str = server.get_uri()
    _create_database(admin_url, database)
    return str(server.get_uri(database))


def release(pg_data_dir: Path) -> None:
    """Let go of the embedded server this process joined: it stops now if no other process holds it. Call it before
    removing the folder; once the folder is gone, the exit hook can no longer tell that this was the last holder."""
    server = _servers.pop(pg_data_dir.resolve(), None)
    if server is not None:
        atexit.unregister(_forget_dead_processes)
        _forget_dead_processes(server)
        server.cleanup()
        atexit.unregister(server._cleanup)  # done: at exit it would take its lock file again, in a folder now gone


def _forget_dead_processes(server: Any) -> None:
    """pgserver stops the database when the last process holding it exits, but a process killed by a
    signal (a `matcher serve` worker stopped by its supervisor) never takes itself off its list; without
    this, the database would never stop."""
    from pgserver.utils import process_is_running

    with server._lock:
        pids = server.global_process_id_list.get()
        alive = [pid for pid in pids if process_is_running(pid)]
        if alive != pids:
            server.global_process_id_list.put(alive)


def _create_database(admin_url: str, database: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone()
        if not exists:
            with suppress(psycopg.errors.DuplicateDatabase):  # another process may have just made it
                conn.execute(f'CREATE DATABASE "{database}"')
