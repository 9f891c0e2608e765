"""`matcher demo …`: the synthetic demo region, loaded through the production import path.

Only this command module touches `demoregion` (and its hidden truth, for simulated outcomes); the
matching code never imports it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from matcher.cli.base import EXIT_OK, EXIT_USAGE, command, open_service, print_json
from matcher.config import Settings
from matcher.domain import OutcomeIn
from matcher.errors import MatcherError
from matcher.ingest import importers
from matcher.service import MAX_IMPORT_ROWS, Service, system_actor

CHUNK = 5000


def add_arguments(sub: Any) -> None:
    demo = sub.add_parser("demo", help="synthetic demo region").add_subparsers(dest="sub", required=True)
    g = demo.add_parser("generate", help="write a synthetic region (no real people) to a folder")
    g.add_argument("--candidates", type=int, default=9000)
    g.add_argument("--vacancies", type=int, default=3000)
    g.add_argument("--seed", type=int, default=42)
    g.add_argument("--out", type=Path, required=True)
    ld = demo.add_parser("load", help="import a generated region through the same path as the API")
    ld.add_argument("directory", type=Path)
    e = demo.add_parser("ensure", help="generate and load the default region once, when the database is empty")
    e.add_argument("--dir", type=Path, default=None, help="default: <data dir>/demo")
    e.add_argument("--background", action="store_true",
                   help="load in a detached process (log in <data dir>/demo-load.log) and return at once")
    o = demo.add_parser("outcomes", help="simulate outcome events for the shortlists shown so far")
    o.add_argument("directory", type=Path, help="the generated region (its truth/ folder)")
    o.add_argument("--seed", type=int, default=1)
    o.add_argument("--out", type=Path, help="write events as NDJSON instead of recording them")


def generate(out: Path, *, candidates: int, vacancies: int, seed: int) -> dict[str, Any]:
    from demoregion.generate import generate as make

    return make(out, candidates=candidates, vacancies=vacancies, seed=seed)


def load(service: Service, directory: Path) -> dict[str, Any]:
    """Import vacancies, then candidates, in chunks through the production import path."""
    totals: dict[str, Any] = {}
    for kind, parse, run in (
        ("vacancies", importers.vacancies_ndjson, service.import_vacancies),
        ("candidates", importers.candidates_ndjson, service.import_candidates),
    ):
        lines = (directory / f"{kind}.ndjson").read_bytes().splitlines()
        start = time.perf_counter()
        created = encoded = 0
        for i in range(0, len(lines), min(CHUNK, MAX_IMPORT_ROWS)):
            items, errors = parse(b"\n".join(lines[i: i + CHUNK]))
            if errors:
                raise MatcherError(f"{kind}.ndjson rows {i + 1}…: {json.dumps(errors[:3], ensure_ascii=False)}")
            report = run(items, actor=system_actor())  # type: ignore[arg-type]
            created += report.created + report.updated
            encoded += report.encoded
        elapsed = time.perf_counter() - start
        totals[kind] = {"rows": len(lines), "written": created, "encoded": encoded, "seconds": round(elapsed, 1),
                        "per_second": round(len(lines) / elapsed, 1) if elapsed else None}
    return totals


@command("demo generate")
def _generate(args: argparse.Namespace, settings: Settings) -> int:
    if args.candidates < 1 or args.vacancies < 1:
        print("error: --candidates and --vacancies must be at least 1")
        return EXIT_USAGE
    start = time.perf_counter()
    manifest = generate(args.out, candidates=args.candidates, vacancies=args.vacancies, seed=args.seed)
    print_json(manifest)
    print(f"generated in {time.perf_counter() - start:.1f} s into {args.out}")
    return EXIT_OK


@command("demo load")
def _load(args: argparse.Namespace, settings: Settings) -> int:
    print_json(load(open_service(settings), args.directory))
    return EXIT_OK


@command("demo ensure")
def _ensure(args: argparse.Namespace, settings: Settings) -> int:
    service = open_service(settings)
    with service.db.connection() as conn:
        row = conn.execute("SELECT count(*) AS n FROM candidates").fetchone()
    if row and row["n"]:
        print(f"database already holds {row['n']} candidates; demo region not loaded again")
        return EXIT_OK
    directory = args.dir or settings.data_dir / "demo"
    if args.background:
        log = settings.data_dir / "demo-load.log"
        command_line = [sys.executable, "-m", "matcher.cli", "demo", "ensure", "--dir", str(directory)]
        with log.open("ab") as out:
            subprocess.Popen(command_line, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             start_new_session=True)
        print(f"the demo region is loading in the background (a few minutes); progress in {log}")
        return EXIT_OK
    if not (directory / "manifest.json").exists():
        print(f"generating the demo region into {directory} …")
        generate(directory, candidates=9000, vacancies=3000, seed=42)
    print("loading the demo region (normalising and embedding; a minute or two the first time) …")
    print_json(load(service, directory))
    return EXIT_OK


def shown_matches(service: Service) -> list[dict[str, Any]]:
    with service.db.connection() as conn:
        return [
            {"request_id": str(r["request_id"]), "candidate_ref": r["ref"], "rank": r["rank"],
             "vacancy": {"source": r["source"], "external_id": r["external_id"]}, "shown_at": r["created_at"]}
            for r in conn.execute(
                """SELECT s.request_id, c.ref, v.source, v.external_id, s.rank, s.created_at
                   FROM shown_matches s JOIN candidates c ON c.id = s.candidate_id
                   JOIN vacancies v ON v.id = s.vacancy_id
                   JOIN shortlist_requests r ON r.id = s.request_id AND r.direction = 'vacancy'
                   WHERE NOT EXISTS (SELECT 1 FROM outcome_events o WHERE o.shown_match_id = s.id)
                   ORDER BY s.created_at, s.id""")
        ]


def record(service: Service, events: list[dict[str, Any]]) -> int:
    for event in events:
        service.record_outcome(OutcomeIn.model_validate(event), actor=system_actor())
    return len(events)


@command("demo outcomes")
def _outcomes(args: argparse.Namespace, settings: Settings) -> int:
    from demoregion.outcomes import simulate
    from demoregion.truth import Truth

    service = open_service(settings)
    truth = Truth.load(args.directory / "truth")
    events = simulate(shown_matches(service), truth, seed=args.seed, start=datetime.now(UTC))
    if args.out:
        args.out.write_text("".join(json.dumps(e, ensure_ascii=False, default=str) + "\n" for e in events))
        print(f"wrote {len(events)} events to {args.out}")
    else:
        print(f"recorded {record(service, events)} outcome events")
    return EXIT_OK
