"""`matcher retention apply`, `matcher register` and `matcher audit export`: for a privacy officer."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from matcher.cli.base import EXIT_OK, command, open_service, print_json
from matcher.config import Settings


def add_arguments(sub: Any) -> None:
    retention = sub.add_parser("retention", help="apply the retention periods").add_subparsers(dest="sub",
                                                                                                required=True)
    apply = retention.add_parser("apply", help="erase long-inactive candidates and purge old audit entries")
    apply.add_argument("--dry-run", action="store_true")
    register = sub.add_parser("register", help="write the Algoritmeregister entry from the live configuration")
    register.add_argument("--out", type=Path)
    audit = sub.add_parser("audit", help="audit trail").add_subparsers(dest="sub", required=True)
    a = audit.add_parser("export", help="write audit entries as NDJSON")
    a.add_argument("--candidate-ref")
    a.add_argument("--out")
    a.add_argument("--limit", type=int, default=100_000)


@command("retention apply")
def _retention(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.governance.retention import apply_retention

    print_json(apply_retention(open_service(settings), dry_run=args.dry_run))
    return EXIT_OK


@command("register")
def _register(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.governance.register import register_entry

    text = register_entry(open_service(settings))
    if args.out:
        args.out.write_text(text)
        print(f"wrote {args.out}")
    else:
        print(text)
    return EXIT_OK


@command("audit export")
def _audit_export(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.service import system_actor

    svc = open_service(settings)
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    for row in svc.audit_entries(actor=system_actor(), candidate_ref=args.candidate_ref, limit=args.limit):
        out.write(json.dumps(row, default=str, ensure_ascii=False) + "\n")
    if args.out:
        out.close()
    return EXIT_OK
