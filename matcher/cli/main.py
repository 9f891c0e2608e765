"""The `matcher` command: the same service functions as the API, for operators and the nightly job.

Each command group lives in its own module with ``add_arguments(sub)`` and ``@command`` handlers;
this module builds the parser from them and maps errors to exit codes (see `base.py`).
"""

from __future__ import annotations

import argparse
import importlib
import sys

import psycopg

from matcher.cli.base import COMMANDS, EXIT_DB, EXIT_FAILED, EXIT_USAGE, OPENED
from matcher.config import SettingsError, load_settings
from matcher.errors import MatcherError

GROUPS = ["serve", "keys", "imports", "registry", "governance", "vocab", "demo", "rematch", "encoder", "learning"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="matcher", description="werkmatch: candidate–vacancy matching")
    sub = p.add_subparsers(dest="cmd", required=True)
    for group in GROUPS:
        importlib.import_module(f"matcher.cli.{group}").add_arguments(sub)
    return p


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
        while OPENED:
            OPENED.pop().db.close()
