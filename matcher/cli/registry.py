"""`matcher models list|promote|rollback`: the model registry that `matcher train` fills."""

from __future__ import annotations

import argparse
from typing import Any

from matcher.cli.base import EXIT_OK, command, open_service
from matcher.config import Settings


def add_arguments(sub: Any) -> None:
    models = sub.add_parser("models", help="model registry").add_subparsers(dest="sub", required=True)
    models.add_parser("list")
    m = models.add_parser("promote")
    m.add_argument("version")
    models.add_parser("rollback")


@command("models list")
def _models_list(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.learning import registry

    with open_service(settings).db.connection() as conn:
        for m in registry.list_versions(conn):
            scores = m["metrics"].get("challenger", {}) if m["metrics"] else {}
            shown = "  ".join(f"{name}={scores[key]:.4f}" if scores.get(key) is not None else f"{name}=-"
                              for key, name in (("loglik", "loglik"), ("ndcg_at_10", "ndcg@10")))
            print(f"{m['version']:<28} {m['status']:<11} {shown}  {m['note']}")
    return EXIT_OK


@command("models promote")
def _models_promote(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.learning import registry

    with open_service(settings).db.transaction() as conn:
        registry.promote(conn, args.version)
    print(f"champion is now {args.version}")
    return EXIT_OK


@command("models rollback")
def _models_rollback(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.learning import registry

    with open_service(settings).db.transaction() as conn:
        version = registry.rollback(conn)
    print(f"rolled back; champion is now {version}")
    return EXIT_OK
