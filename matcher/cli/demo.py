"""`matcher demo …`: the synthetic demo region, loaded through the production import path.

Only this command module touches `demoregion` (and its hidden truth, for simulated outcomes); the
matching code never imports it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from matcher.cli.base import EXIT_OK, EXIT_USAGE, command, open_service, print_json, ui_address
from matcher.config import Settings
from matcher.db import repository
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
    g.add_argument("--scenario", choices=("default", "drift"), default="default",
                   help="the employers' hidden rule: 'drift' departs from the shipped prior (see truth/RULE.md)")
    g.add_argument("--out", type=Path, required=True)
    ld = demo.add_parser("load", help="import a generated region through the same path as the API")
    ld.add_argument("directory", type=Path)
    e = demo.add_parser("ensure", help="generate and load the default region once, when the database is empty")
    e.add_argument("--dir", type=Path, default=None, help="default: <data dir>/demo")
    e.add_argument("--background", action="store_true",
                   help="load in a detached process (log in <data dir>/demo-load.log) and return at once; it "
                        "prints one line here when the region is ready")
    e.add_argument("--host", help="the address `matcher serve` listens on, to print the web interface's address "
                                  "(default MATCHER_HOST)")
    e.add_argument("--port", type=int, help="its port (default MATCHER_PORT)")
    e.add_argument("--log", type=Path, help=argparse.SUPPRESS)  # the detached process's progress log
    o = demo.add_parser("outcomes", help="simulate weeks of consultants' shortlists and what followed them, "
                                         "ending today")
    o.add_argument("directory", type=Path, help="the generated region (its truth/ folder)")
    o.add_argument("--weeks", type=int, default=12, help="weeks of history, the last one ending now (default 12)")
    o.add_argument("--per-week", type=int, default=40, help="vacancy shortlists per week (default 40)")
    o.add_argument("--seed", type=int, default=1)
    o.add_argument("--out", type=Path, help="write the events as NDJSON instead of recording them")


def generate(out: Path, *, candidates: int, vacancies: int, seed: int, scenario: str = "default") -> dict[str, Any]:
    from demoregion.generate import generate as make

    return make(out, candidates=candidates, vacancies=vacancies, seed=seed, scenario=scenario)


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
    manifest = generate(args.out, candidates=args.candidates, vacancies=args.vacancies, seed=args.seed,
                        scenario=args.scenario)
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
    host, port = args.host or settings.host, args.port or settings.port
    ui = ui_address(host, port)
    with service.db.connection() as conn:
        row = conn.execute("SELECT count(*) AS n FROM candidates").fetchone()
    if row and row["n"]:
        print(f"database already holds {row['n']} candidates; demo region not loaded again; web interface: {ui}")
        return EXIT_OK
    directory = args.dir or settings.data_dir / "demo"
    if args.background:
        log = settings.data_dir / "demo-load.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        command_line = [sys.executable, "-m", "matcher.cli", "demo", "ensure", "--dir", str(directory),
                        "--log", str(log), "--host", host, "--port", str(port)]
        with log.open("ab") as err:  # progress and errors go to the log; the line saying it is ready comes here
            subprocess.Popen(command_line, stderr=err, stdin=subprocess.DEVNULL, start_new_session=True)
        print(f"the demo region is loading in the background (a few minutes; progress in {log}); "
              "a line here says when it is ready", flush=True)
        return EXIT_OK
    start = time.perf_counter()
    try:
        with contextlib.ExitStack() as stack:
            if args.log:  # the detached loader: progress into the log, only the outcome on the terminal
                stack.enter_context(contextlib.redirect_stdout(stack.enter_context(args.log.open("a"))))
            if not (directory / "manifest.json").exists():
                print(f"generating the demo region into {directory} …")
                generate(directory, candidates=9000, vacancies=3000, seed=42)
            print("loading the demo region (normalising and embedding; a few minutes the first time) …", flush=True)
            totals = load(service, directory)
            print_json(totals)
    except Exception as exc:
        _announce(f"the demo region could not be loaded ({type(exc).__name__}: {exc})"
                  + (f"; see {args.log}" if args.log else ""), args.log)
        raise
    _announce(f"the demo region is ready ({totals['candidates']['rows']} people, {totals['vacancies']['rows']} "
              f"vacancies, {time.perf_counter() - start:.0f} s): open {ui} and sign in with a key from "
              "`matcher keys create --role consultant --municipality arnhem`", args.log)
    return EXIT_OK


def _announce(line: str, log: Path | None) -> None:
    """One line on the terminal that started the load, and in the progress log."""
    if log is not None:
        with log.open("a") as fh:
            fh.write(line + "\n")
    with contextlib.suppress(OSError):  # a terminal that is gone: the log has it
        print(f"[werkmatch] {line}", flush=True)


SHORTLIST = 20


def history(service: Service, truth: Any, *, weeks: int = 12, per_week: int = 40, seed: int = 1,
            end: datetime | None = None, exclude: frozenset[tuple[str, str]] = frozenset()
            ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Weeks of consultants at work, ending at ``end`` (now): each week ``per_week`` vacancy shortlists of 20,
    served by the real ranking and logged as shown at a moment in that week, and what the hidden truth says
    followed them (proposals, invitations, hires, six-month retention) up to ``end``: later events have not
    happened yet. Vacancies in ``exclude`` (source, external_id) are never shortlisted. Returns the events (not
    recorded yet) and a summary."""
    from demoregion.outcomes import simulate

    end = end or datetime.now(UTC)
    start = end - timedelta(weeks=weeks)
    with service.db.connection() as conn:
        keys = [(r["source"], r["external_id"]) for r in conn.execute(
            "SELECT source, external_id FROM vacancies WHERE status = 'open' ORDER BY source, external_id")
            if (r["source"], r["external_id"]) not in exclude]
    if not keys:
        raise MatcherError("the database holds no open vacancies; load a region first: matcher demo load DIR")
    rng = random.Random(seed)
    shown: list[dict[str, Any]] = []
    for n in range(weeks * per_week):
        if n % len(keys) == 0:
            rng.shuffle(keys)  # every vacancy once before any twice
        source, external_id = keys[n % len(keys)]
        when = start + timedelta(weeks=n // per_week, minutes=rng.randrange(7 * 24 * 60))
        result = service.shortlist(source, external_id, actor=system_actor(), limit=SHORTLIST)
        with service.db.transaction() as conn:
            repository.move_shortlist(conn, result.request_id, when)
        shown += [{"request_id": result.request_id, "candidate_ref": item.candidate["ref"], "rank": item.rank,
                   "vacancy": {"source": source, "external_id": external_id}, "shown_at": when}
                  for item in result.result.items]
    events = [e for e in simulate(shown, truth, seed=seed, start=start)
              if datetime.fromisoformat(e["occurred_at"]) <= end]
    return events, {"weeks": weeks, "shortlists": weeks * per_week, "shown": len(shown), "events": len(events),
                    "from": start.date().isoformat(), "until": end.date().isoformat(),
                    "by_event": dict(sorted(Counter(e["event"] for e in events).items()))}


def record(service: Service, events: list[dict[str, Any]]) -> int:
    """The events through the bulk import, in chunks, all-or-nothing each."""
    created = 0
    for i in range(0, len(events), MAX_IMPORT_ROWS):
        report = service.import_outcomes([OutcomeIn.model_validate(e) for e in events[i: i + MAX_IMPORT_ROWS]],
                                         actor=system_actor())
        if not report.ok:
            raise MatcherError(f"simulated outcomes did not import: {json.dumps((report.errors or [])[:3])}")
        created += report.created
    return created


@command("demo outcomes")
def _outcomes(args: argparse.Namespace, settings: Settings) -> int:
    from demoregion.truth import Truth

    if args.weeks < 1 or args.per_week < 1:
        print("error: --weeks and --per-week must be at least 1")
        return EXIT_USAGE
    if not (args.directory / "truth").is_dir():
        print(f"error: {args.directory} holds no truth/ folder; give the folder `matcher demo generate --out` wrote")
        return EXIT_USAGE
    service = open_service(settings)
    events, summary = history(service, Truth.load(args.directory / "truth"), weeks=args.weeks,
                              per_week=args.per_week, seed=args.seed)
    if args.out:
        args.out.write_text("".join(json.dumps(e, ensure_ascii=False, default=str) + "\n" for e in events))
        print_json(summary)
        print(f"wrote {len(events)} events to {args.out}")
    else:
        print_json(summary | {"recorded": record(service, events)})
        print("next: matcher train   (then matcher report --out rapport.html)")
    return EXIT_OK
