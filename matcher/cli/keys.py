"""`matcher keys create|list|revoke`: API keys are made by an operator, never over HTTP."""

from __future__ import annotations

import argparse
import difflib
from typing import Any

from matcher.cli.base import EXIT_OK, command, open_service
from matcher.config import ROLES, Settings
from matcher.db.connect import Conn
from matcher.errors import Invalid


def add_arguments(sub: Any) -> None:
    keys = sub.add_parser("keys", help="manage API keys").add_subparsers(dest="sub", required=True)
    k = keys.add_parser("create")
    k.add_argument("--role", required=True, choices=ROLES)
    k.add_argument("--municipality", help="bind the key to the people of this municipality (as registered, "
                                           "in lower case: arnhem)")
    k.add_argument("--new-municipality", action="store_true",
                   help="accept a municipality nobody is registered in yet (its people are imported later)")
    k.add_argument("--name")
    keys.add_parser("list")
    k = keys.add_parser("revoke")
    k.add_argument("id", type=int)


def check_municipality(conn: Conn, name: str, *, new: bool = False) -> None:
    """A key bound to a municipality the register does not know sees nothing, silently: refuse it, with a
    hint for a different spelling (``Arnhem`` for ``arnhem``). ``new``: the municipality's people are not
    imported yet, so only its spelling is checked."""
    from pydantic import TypeAdapter, ValidationError

    from matcher.domain import Municipality

    lower = name.strip().lower()
    try:
        TypeAdapter(Municipality).validate_python(name)
    except ValidationError:
        raise Invalid(f"'{name}' is not a municipality as the register writes them (lower case letters, digits "
                      "and hyphens" + (f"): did you mean '{lower}'?" if lower != name else ")")) from None
    if new:
        return
    known = [r["municipality"] for r in conn.execute(
        "SELECT DISTINCT municipality FROM candidates ORDER BY municipality")]
    if name in known:
        return
    if not known:
        raise Invalid(f"nobody is registered yet, so no municipality is known; import the people first, or "
                      f"give --new-municipality to make a key for '{name}' anyway")
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.75)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise Invalid(f"nobody is registered in municipality '{name}': a key for it would see empty lists. {hint}"
                  f"Known municipalities: {', '.join(known)}. Give --new-municipality if its people are "
                  "imported later")


@command("keys create")
def _keys_create(args: argparse.Namespace, settings: Settings) -> int:
    from matcher.security import create_key

    svc = open_service(settings)
    with svc.db.transaction() as conn:
        if args.municipality is not None:
            check_municipality(conn, args.municipality, new=args.new_municipality)
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
