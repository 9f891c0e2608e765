"""`matcher train` and `matcher report`: learning from outcomes and showing how matching is doing.

`matcher models list|promote|rollback` (in `matcher.cli`) manage what `train` registers.
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from matcher.cli.base import EXIT_OK, command, open_service, print_json
from matcher.config import Settings


def _moment(text: str) -> datetime:
    """A date (``2026-10-01``, midnight UTC) or an ISO date-time (a time without zone is UTC)."""
    try:
        if len(text) == 10:
            d = date.fromisoformat(text)
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD) or ISO date-time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def add_arguments(sub: Any) -> None:
    t = sub.add_parser("train", help="fit a challenger on outcomes, compare it with the champion, maybe promote")
    t.add_argument("--seed", type=int, default=0, help="seed (bootstrap interval; part of the version name)")
    t.add_argument("--split-date", type=_moment, help="train on matches shown before, evaluate on those from then "
                                                      "on (default: the last quarter of the labelled matches)")
    t.add_argument("--min-events", type=_positive, default=100,
                   help="least number of labelled shown matches before the split (default 100)")
    t.add_argument("--as-of", type=_moment, help="take labels as known at this moment (default: now)")
    t.add_argument("--no-promote", action="store_true", help="never promote automatically; register only")
    r = sub.add_parser("report", help="write the self-contained HTML monitoring report")
    r.add_argument("--out", type=Path, required=True, help="the HTML file to write")
    r.add_argument("--since", type=_moment, help="only matches first shown (and events) from this date on")


@command("train")
def _train(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.learning.training import train

    result = train(open_service(settings), seed=args.seed, split_date=args.split_date, min_events=args.min_events,
                   as_of=args.as_of, auto_promote=not args.no_promote)
    if result.unchanged:
        print(f"version {result.version} exists already (same data, same seed); status {result.status}")
        return EXIT_OK
    challenger, champion = result.metrics["challenger"], result.metrics["champion"]
    gate = result.metrics["gate"]  # what the promotion rule decided on (`training.pooled_gate`)
    print_json({"version": result.version, "status": result.status, "path": str(result.path),
                 "compared_with": result.metrics["champion_version"], "counts": result.counts,
                 "loglik": {"champion": gate["champion"]["loglik"], "challenger": gate["challenger"]["loglik"],
                            "gain_ci95": gate["gain_ci95"], "measured_on": gate["basis"]},
                 "loglik_evaluation_period": {"champion": champion.get("loglik"),
                                              "challenger": challenger.get("loglik")},
                 "ndcg_at_10": {"champion": champion["ndcg_at_10"], "challenger": challenger["ndcg_at_10"]},
                 "roc_auc": {"champion": champion["roc_auc"], "challenger": challenger["roc_auc"]},
                 "decision": result.decision})
    print(f"{result.version}: {'promoted to champion' if result.promoted else 'registered as challenger'}")
    return EXIT_OK


@command("report")
def _report(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.learning.report import write

    summary = write(open_service(settings), args.out, since=args.since)
    print_json(summary)
    return EXIT_OK
