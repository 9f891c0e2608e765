"""`matcher import candidates|vacancies|outcomes FILE`: the API's bulk path, all-or-nothing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from matcher.cli.base import EXIT_OK, EXIT_USAGE, command, open_service, print_json
from matcher.config import Settings


def add_arguments(sub: Any) -> None:
    i = sub.add_parser("import", help="bulk import a file through the same path as the API")
    i.add_argument("kind", choices=("candidates", "vacancies", "outcomes"))
    i.add_argument("file")


@command("import")
def _import(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.ingest import importers
    from matcher.service import system_actor

    if not Path(args.file).is_file():
        print(f"error: no file {args.file}", file=sys.stderr)
        return EXIT_USAGE
    data = Path(args.file).read_bytes()
    svc = open_service(settings)
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
        print_json({"ok": False, "errors": errors[:50], "error_rows": len(errors)})
        print("nothing was imported", file=sys.stderr)
        return EXIT_USAGE
    print_json(report.__dict__)
    return EXIT_OK
