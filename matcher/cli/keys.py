"""`matcher keys create|list|revoke`: API keys are made by an operator, never over HTTP."""

from __future__ import annotations

import argparse
from typing import Any

from matcher.cli.base import EXIT_OK, command, open_service
from matcher.config import ROLES, Settings


def add_arguments(sub: Any) -> None:
    keys = sub.add_parser("keys", help="manage API keys").add_subparsers(dest="sub", required=True)
    k = keys.add_parser("create")
    k.add_argument("--role", required=True, choices=ROLES)
    k.add_argument("--municipality")
    k.add_argument("--name")
    keys.add_parser("list")
    k = keys.add_parser("revoke")
    k.add_argument("id", type=int)


@command("keys create")
def _keys_create(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.security import create_key

    svc = open_service(settings)
    with svc.db.transaction() as conn:
        key_id, secret = create_key(conn, role=args.role, municipality=args.municipality,
                                    name=args.name or f"{args.role} key")
    print(f"created key {key_id} ({args.role}{', ' + args.municipality if args.municipality else ''}); "
          "it is shown once, store it now:")
    print(secret)
    return EXIT_OK


@command("keys list")
def _keys_list(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.security import list_keys

    with open_service(settings).db.connection() as conn:
        for k in list_keys(conn):
            state = "revoked" if k["revoked_at"] else "active"
            where = k["municipality"] or "-"
            print(f"{k['id']:>5}  {k['prefix']}…  {k['role']:<16} {where:<12} {state:<8} {k['name']}")
    return EXIT_OK


@command("keys revoke")
def _keys_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.security import revoke_key

    with open_service(settings).db.transaction() as conn:
        revoke_key(conn, args.id)
    print(f"revoked key {args.id}")
    return EXIT_OK
