"""The `matcher` command: the same service functions as the API, for operators and the nightly job.

Exit codes: 0 ok, 1 failed, 2 bad usage or input, 3 another run is in progress, 4 database unreachable.
"""

from __future__ import annotations

import argparse
import importlib
import json
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

from matcher.config import ROLES, Settings, SettingsError, load_settings
from matcher.errors import MatcherError

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BUSY, EXIT_DB = 0, 1, 2, 3, 4
Handler = Callable[[argparse.Namespace, Settings], int]
COMMANDS: dict[str, Handler] = {}


def command(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        COMMANDS[name] = fn
        return fn

    return register


_OPENED: list[Any] = []


def _service(settings: Settings) -> Any:
    """A service over a small pool; closed when the command ends."""
    from matcher.db import open_database
    from matcher.service import Service

    service = Service(settings, open_database(settings, max_size=4))
    _OPENED.append(service)
    return service


def _print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))


@command("migrate")
def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.db.setup import migrate_all

    print(f"database at revision {migrate_all(settings)}")
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
    if settings.workers == 1:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None, access_log=False)
    else:  # separate processes, each with its own index; they share the database (and the embedded server)
        from api import serve

        database_url(settings)  # the supervisor holds the embedded server too, and stops it when it exits
        serve.run(settings.host, settings.port, settings.workers)
    return EXIT_OK


@command("keys create")
def _keys_create(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.security import create_key

    svc = _service(settings)
    with svc.db.transaction() as conn:
        key_id, secret = create_key(conn, role=args.role, municipality=args.municipality,
                                    name=args.name or f"{args.role} key")
    print(f"created key {key_id} ({args.role}{', ' + args.municipality if args.municipality else ''}); "
          "it is shown once, store it now:")
    print(secret)
    return EXIT_OK


@command("keys list")
def _keys_list(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.security import list_keys

    with _service(settings).db.connection() as conn:
        for k in list_keys(conn):
            state = "revoked" if k["revoked_at"] else "active"
            where = k["municipality"] or "-"
            print(f"{k['id']:>5}  {k['prefix']}…  {k['role']:<16} {where:<12} {state:<8} {k['name']}")
    return EXIT_OK


@command("keys revoke")
def _keys_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.security import revoke_key

    with _service(settings).db.transaction() as conn:
        revoke_key(conn, args.id)
    print(f"revoked key {args.id}")
    return EXIT_OK


@command("import")
def _import(args: argparse.Namespace, settings: Settings) -> int:
    from matcher import importers
    from matcher.service import system_actor

    if not Path(args.file).is_file():
        print(f"error: no file {args.file}", file=sys.stderr)
        return EXIT_USAGE
    data = Path(args.file).read_bytes()
    svc = _service(settings)
    if args.kind == "candidates":
        parse = importers.candidates_csv if args.file.endswith(".csv") else importers.candidates_ndjson
        candidates, errors = parse(data)
        report = None if errors else svc.import_candidates(candidates, actor=system_actor())
    elif args.kind == "outcomes":
        events, errors = importers.outcomes_ndjson(data)
        report = None if errors else svc.import_outcomes([e for _, e in events], actor=system_actor(),
                                                         rows=[n for n, _ in events])
        if report is not None and not report.ok:
            errors = report.errors or []
    else:
        vacancies, errors = importers.vacancies_ndjson(data)
        report = None if errors else svc.import_vacancies(vacancies, actor=system_actor())
    if errors:
        _print_json({"ok": False, "errors": errors[:50], "error_rows": len(errors)})
        print("nothing was imported", file=sys.stderr)
        return EXIT_USAGE
    _print_json(report.__dict__)
    return EXIT_OK


@command("models list")
def _models_list(args: argparse.Namespace, settings: Settings) -> int:
    from matcher import registry

    with _service(settings).db.connection() as conn:
        for m in registry.list_versions(conn):
            metric = m["metrics"].get("challenger", {}).get("ndcg_at_10") if m["metrics"] else None
            print(f"{m['version']:<28} {m['status']:<11} ndcg@10={metric if metric is not None else '-'}  {m['note']}")
    return EXIT_OK


@command("models promote")
def _models_promote(args: argparse.Namespace, settings: Settings) -> int:
    from matcher import registry

    with _service(settings).db.transaction() as conn:
        registry.promote(conn, args.version)
    print(f"champion is now {args.version}")
    return EXIT_OK


@command("models rollback")
def _models_rollback(args: argparse.Namespace, settings: Settings) -> int:
    from matcher import registry

    with _service(settings).db.transaction() as conn:
        version = registry.rollback(conn)
    print(f"rolled back; champion is now {version}")
    return EXIT_OK


@command("audit export")
def _audit_export(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.service import system_actor

    svc = _service(settings)
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    for row in svc.audit_entries(actor=system_actor(), candidate_ref=args.candidate_ref, limit=args.limit):
        out.write(json.dumps(row, default=str, ensure_ascii=False) + "\n")
    if args.out:
        out.close()
    return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="matcher", description="werkmatch: candidate–vacancy matching")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("migrate", help="upgrade the database to the latest schema, load the vocabulary")
    s = sub.add_parser("serve", help="run the HTTP API and web interface")
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.add_argument("--workers", type=int, help="worker processes (default MATCHER_WORKERS, 1)")

    keys = sub.add_parser("keys", help="manage API keys").add_subparsers(dest="sub", required=True)
    k = keys.add_parser("create")
    k.add_argument("--role", required=True, choices=ROLES)
    k.add_argument("--municipality")
    k.add_argument("--name")
    keys.add_parser("list")
    k = keys.add_parser("revoke")
    k.add_argument("id", type=int)

    i = sub.add_parser("import", help="bulk import a file through the same path as the API")
    i.add_argument("kind", choices=("candidates", "vacancies", "outcomes"))
    i.add_argument("file")

    models = sub.add_parser("models", help="model registry").add_subparsers(dest="sub", required=True)
    models.add_parser("list")
    m = models.add_parser("promote")
    m.add_argument("version")
    models.add_parser("rollback")

    audit = sub.add_parser("audit", help="audit trail").add_subparsers(dest="sub", required=True)
    a = audit.add_parser("export", help="write audit entries as NDJSON")
    a.add_argument("--candidate-ref")
    a.add_argument("--out")
    a.add_argument("--limit", type=int, default=100_000)

    for module in CLI_MODULES:
        importlib.import_module(module).add_arguments(sub)
    return p


# Feature modules that add their own sub-commands: each has add_arguments(sub) and @command handlers.
CLI_MODULES: list[str] = ["matcher.vocab_cli", "matcher.demo_cli", "matcher.rematch_cli", "matcher.encoder_cli",
                          "matcher.learning_cli", "matcher.governance_cli"]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    name = args.cmd + (f" {args.sub}" if getattr(args, "sub", None) else "")
    try:
        settings = load_settings()
        from matcher import logs

        logs.configure_for(settings)
        return COMMANDS[name](args, settings)
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    except MatcherError as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return EXIT_USAGE if exc.status < 500 else EXIT_FAILED
    except (psycopg.OperationalError, TimeoutError) as exc:
        print(f"error: database unreachable ({exc})", file=sys.stderr)
        return EXIT_DB
    finally:
        while _OPENED:
            _OPENED.pop().db.close()


if __name__ == "__main__":  # `python -m matcher.cli`: run the imported module, where commands register
    from matcher.cli import main as _main

    raise SystemExit(_main())
