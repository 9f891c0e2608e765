"""`matcher migrate` and `matcher serve`: the schema, then the API and web interface."""

from __future__ import annotations

import argparse
import signal
import sys
from typing import Any

from matcher.cli.base import EXIT_OK, command, open_service, ui_address
from matcher.config import Settings


def add_arguments(sub: Any) -> None:
    sub.add_parser("migrate", help="upgrade the database to the latest schema, load the vocabulary")
    s = sub.add_parser("serve", help="run the HTTP API and web interface")
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.add_argument("--workers", type=int, help="worker processes (default MATCHER_WORKERS, 1)")


@command("migrate")
def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Schema to head; then, after the encoder was switched, vectors from the new one for everyone who lacks
    them (vectors of two encoders are never compared, so until then meaning would not count)."""
    from matcher.batch.rematch import refresh_embeddings
    from matcher.db import repository
    from matcher.matching.embeddings import configured_name
    from matcher.setup import migrate_all

    print(f"database at revision {migrate_all(settings)}")
    service = open_service(settings)
    name = configured_name(settings)
    with service.db.connection() as conn:
        missing = repository.missing_vectors(conn, name)
    if missing:
        print(f"{missing} active people and open vacancies have no vector from {name} yet; embedding them …")
        report = refresh_embeddings(service)
        print("encoded " + ", ".join(f"{kind}: {r['encoded']} (copied {r['copied']})" for kind, r in report.items()))
    return EXIT_OK


@command("serve")
def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from api.app import create_app
    from matcher.db.connect import database_url

    settings = settings.model_copy(update={"host": args.host or settings.host, "port": args.port or settings.port,
                                           "workers": args.workers or settings.workers})
    # uvicorn ends a process stopped by SIGTERM with that same signal; as SystemExit it runs the exit hooks,
    # so the embedded database is stopped when this was its last user
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    ui = ui_address(settings.host, settings.port)
    print(f"werkmatch starts: web interface {ui} , API documentation {ui[:-3]}/docs", flush=True)
    if settings.workers == 1:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False)
    else:  # separate processes, each with its own index; they share the database (and the embedded server)
        from api import serve

        database_url(settings)  # the supervisor holds the embedded server too, and stops it when it exits
        serve.run(settings.host, settings.port, settings.workers)
    return EXIT_OK
