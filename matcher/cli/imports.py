"""`matcher import candidates|vacancies|outcomes FILE`: the API's bulk path, all-or-nothing.

Vacancies also come as NDJSON of schema.org JobPostings, or as a folder of HTML pages (``*.html``, one
vacancy each, keyed by its JobPosting identifier or else its file name), with ``--source`` for those that
do not name one."""

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
    i.add_argument("file", help="a file, or for vacancies also a folder of HTML pages")
    i.add_argument("--source", help="vacancy source of JobPostings and pages that name none (default: the first "
                                    "configured source)")


@command("import")
def _import(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.ingest import importers
    from matcher.service import system_actor

    path = Path(args.file)
    folder = args.kind == "vacancies" and path.is_dir()
    if not path.is_file() and not folder:
        print(f"error: no file {args.file}", file=sys.stderr)
        return EXIT_USAGE
    source = args.source or settings.sources[0]
    if source not in settings.sources:
        print(f"error: unknown source {source}; configured: {', '.join(settings.sources)}", file=sys.stderr)
        return EXIT_USAGE
    svc = open_service(settings)
    data = b"" if folder else path.read_bytes()
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
        if folder:
            pages = [(f.name, f.read_text(encoding="utf-8", errors="replace"))
                     for f in sorted(path.iterdir()) if f.suffix.lower() in (".html", ".htm")]
            vacancies, errors = importers.vacancy_pages(pages, posting=svc.vacancy_from, source=source)
        else:
            vacancies, errors = importers.vacancies_ndjson(data, posting=svc.vacancy_from, source=source)
        report = None if errors else svc.import_vacancies(vacancies, actor=system_actor())
    if errors:
        print_json({"ok": False, "errors": errors[:50], "error_rows": len(errors)})
        print("nothing was imported", file=sys.stderr)
        return EXIT_USAGE
    print_json(report.__dict__)
    return EXIT_OK
