"""`matcher retention apply` and `matcher register`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from matcher.cli import EXIT_OK, _print_json, _service, command
from matcher.config import Settings


def add_arguments(sub: Any) -> None:
    retention = sub.add_parser("retention", help="apply the retention periods").add_subparsers(dest="sub",
                                                                                                required=True)
    apply = retention.add_parser("apply", help="erase long-inactive candidates and purge old audit entries")
    apply.add_argument("--dry-run", action="store_true")
    register = sub.add_parser("register", help="write the Algoritmeregister entry from the live configuration")
    register.add_argument("--out", type=Path)


@command("retention apply")
def _retention(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.governance import apply_retention

    _print_json(apply_retention(_service(settings), dry_run=args.dry_run))
    return EXIT_OK


@command("register")
def _register(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.governance import register_entry

    text = register_entry(_service(settings))
    if args.out:
        args.out.write_text(text)
        print(f"wrote {args.out}")
    else:
        print(text)
    return EXIT_OK
