"""`matcher rematch …`: the nightly run, its status and the worklist export.

On a terminal the run shows a progress bar and a readable summary; otherwise (cron, Kubernetes)
it writes structured JSON log lines and prints the run report as one JSON line. Exit codes a
scheduler can act on: 0 completed, 1 failed (the run is marked failed; start again), 2 bad usage,
3 another run is in progress (try later), 4 database unreachable.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import psycopg

from matcher.cli.base import EXIT_BUSY, EXIT_FAILED, EXIT_OK, command, open_service, print_json
from matcher.config import Settings
from matcher.errors import MatcherError

log = logging.getLogger("matcher.batch.rematch")
_SCHEDULER = re.compile(r"(tcp|tls|ucx|inproc)://\S+|[A-Za-z0-9_.-]+:\d{1,5}")
_MUNICIPALITY = re.compile(r"[a-z][a-z0-9-]{1,39}")


def _int_between(low: int, high: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    return parse


def _matching(pattern: re.Pattern[str], what: str) -> Any:
    def parse(text: str) -> str:
        if not pattern.fullmatch(text):
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}")
        return text

    return parse


def add_arguments(sub: Any) -> None:
    from matcher.batch.rematch import DEFAULT_BLOCK_SIZE, DEFAULT_PROPOSALS, MAX_BLOCK_SIZE, MAX_PROPOSALS, MAX_TOP_K

    r = sub.add_parser("rematch", help="nightly: every active person against every open vacancy, top K both ways",
                       description="Rematch everyone; `rematch export` writes the new-matches worklist.")
    r.add_argument("--top-k", type=_int_between(1, MAX_TOP_K), default=None,
                   help="matches kept per person and per vacancy (default: MATCHER_REMATCH_TOP_K, 20)")
    r.add_argument("--proposals", type=_int_between(1, MAX_PROPOSALS), default=None,
                   help=f"pairs per person and per vacancy that the estimate proposes for exact scoring "
                        f"(default {DEFAULT_PROPOSALS}, or --top-k when that is larger)")
    r.add_argument("--exact", action="store_true",
                   help="score every pair exactly in one stage (slower; for audits and to measure the recall)")
    r.add_argument("--block-size", type=_int_between(1, MAX_BLOCK_SIZE), default=DEFAULT_BLOCK_SIZE,
                   help=f"vacancies per scoring block of an --exact run (default {DEFAULT_BLOCK_SIZE})")
    r.add_argument("--dask-scheduler", type=_matching(_SCHEDULER, "a scheduler address such as tcp://host:8786"),
                   default=None, help="score on this Dask cluster (default: MATCHER_DASK_SCHEDULER; unset = here)")
    rs = r.add_subparsers(dest="sub", required=False)
    e = rs.add_parser("export", help="write the new matches of the latest run as CSV (a worklist)")
    e.add_argument("--out", type=Path, required=True)
    e.add_argument("--municipality", type=_matching(_MUNICIPALITY, "a municipality slug such as arnhem"))
    rs.add_parser("status", help="the latest completed run, a run in progress and the last failure, as JSON")


class _Progress:
    """A progress bar on a terminal; a JSON log line every tenth of the way otherwise."""

    def __init__(self, interactive: bool) -> None:
        self.interactive = interactive
        self.bar: Any = None
        self.logged = 0

    def __call__(self, done: int, total: int, pairs: int) -> None:
        if self.interactive:
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(total=total, unit="block", desc="scoring", file=sys.stderr, dynamic_ncols=True)
            self.bar.update(done - self.bar.n)
            self.bar.set_postfix_str(f"{pairs:,} pairs", refresh=False)
        elif done * 10 // max(total, 1) > self.logged or done == total:
            self.logged = done * 10 // max(total, 1)
            log.info(json.dumps({"event": "rematch.progress", "blocks_done": done, "blocks": total, "pairs": pairs}))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _summary(report: Any) -> str:
    c = report.counts
    s = c["seconds"]
    emb = c["embeddings"]
    new = c["new_matches"]
    since = f"since run {c['previous_run_id']}" if c["previous_run_id"] else "(first run: everything is new)"
    lines = [
        f"rematch run {report.run_id} completed in {s['total']:.1f} s (model {report.model_version})",
        f"  {c['candidates']:,} candidates × {c['vacancies']:,} vacancies = {c['pairs']:,} pairs "
        f"({c['feasible_pairs']:,} feasible), {c['pairs_per_second'] or 0:,} pairs/s",
        "  vectors: " + "; ".join(
            f"{label} {e['up_to_date'] + e['copied']:,} of {e['checked']:,} reused, {e['encoded']:,} texts encoded"
            for label, e in (("candidates", emb["candidate"]), ("vacancies", emb["vacancy"]))),
        f"  stored: {c['results']['candidate']:,} vacancy matches for candidates, "
        f"{c['results']['vacancy']:,} candidate matches for vacancies (top {c['params']['top_k']})",
        f"  new {since}: {new['for_candidates']:,} for {new['candidates_with_new']:,} candidates, "
        f"{new['for_vacancies']:,} for {new['vacancies_with_new']:,} vacancies",
        f"  time: encoder {s['encoder']:.1f} s, index {s['snapshot']:.1f} s, vectors {s['embeddings']:.1f} s, "
        f"scoring {s['scoring']:.1f} s, writing {s['writing']:.1f} s ({s['writing_after_scoring']:.1f} s after "
        f"scoring), new matches {s['new_matches']:.1f} s",
    ]
    if c.get("excluded"):
        top = sorted(c["excluded"].items(), key=lambda kv: -kv[1])[:4]
        lines.append("  excluded by: " + ", ".join(f"{name} {n:,}" for name, n in top))
    if report.abandoned:
        lines.append(f"  retired abandoned run(s) {', '.join(map(str, report.abandoned))} and their partial results")
    return "\n".join(lines)


class StoppedBySignal(SystemExit):
    def __str__(self) -> str:
        return "stopped by SIGTERM before finishing"


def _stop(signum: int, frame: Any) -> None:
    raise StoppedBySignal(EXIT_FAILED)


@command("rematch")
def _rematch(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.batch import rematch
    from matcher.errors import Unavailable

    interactive = sys.stderr.isatty()
    if interactive:
        log.setLevel(logging.WARNING)  # the bar and the summary say it all
    progress = _Progress(interactive)
    main_thread = threading.current_thread() is threading.main_thread()
    # a stopped job (SIGTERM from cron or Kubernetes) marks its run failed on the way out
    previous = signal.signal(signal.SIGTERM, _stop) if main_thread else None
    try:
        report = rematch.run(open_service(settings), k=args.top_k, block_size=args.block_size,
                             scheduler=args.dask_scheduler or settings.dask_scheduler, on_progress=progress,
                             exact=args.exact, proposals=args.proposals)
    except rematch.RematchBusy as exc:
        print(f"error: {exc.detail}; try again when it has finished", file=sys.stderr)
        return EXIT_BUSY
    except Unavailable as exc:
        print(f"error: {exc.detail}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted: the run is marked failed; start it again to rematch", file=sys.stderr)
        return EXIT_FAILED
    except (MatcherError, psycopg.OperationalError):
        raise  # bad input (2) or database unreachable (4), reported by `matcher.cli.main`
    except Exception as exc:
        log.exception("rematch failed")
        print(f"error: the rematch failed ({type(exc).__name__}: {exc}); the run is marked failed", file=sys.stderr)
        return EXIT_FAILED
    finally:
        progress.close()
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
    if interactive:
        print(_summary(report))
    else:
        print(json.dumps({"run_id": report.run_id, "status": report.status, "model_version": report.model_version,
                          "abandoned": report.abandoned, **report.counts}, default=str))
    return EXIT_OK


@command("rematch export")
def _export(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.batch import worklist

    partial = args.out.with_name(args.out.name + ".part")
    try:
        with partial.open("w", newline="", encoding="utf-8") as out:
            rows = worklist.export_csv(open_service(settings), out, municipality=args.municipality)
        partial.replace(args.out)
    finally:
        partial.unlink(missing_ok=True)
    print(f"wrote {rows} new matches to {args.out}")
    return EXIT_OK


@command("rematch status")
def _status(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.batch import worklist

    print_json(worklist.run_status(open_service(settings)))
    return EXIT_OK
