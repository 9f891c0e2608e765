"""API keys and audit pseudonyms.

Keys are random secrets shown once; only their SHA-256 is stored, and the presented key is compared
in constant time. Audit entries store candidate references as keyed HMACs, so erasure removes the
reference everywhere while an auditor who knows a reference can still find its entries.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from psycopg.types.json import Jsonb

from matcher.config import ROLES
from matcher.db.connect import Conn
from matcher.errors import Invalid, NotFound

KEY_PREFIX = "wm_"


@dataclass(frozen=True)
class Actor:
    """Who is asking: a key's id, role and municipality, plus the request id for the audit trail."""

    key_id: int | None
    role: str
    municipality: str | None = None
    request_id: str | None = None
    name: str = ""


SYSTEM = Actor(key_id=None, role="system", name="cli")


def hash_key(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(conn: Conn, *, role: str, municipality: str | None, name: str) -> tuple[int, str]:
    if role not in ROLES:
        raise Invalid(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    row = conn.execute(
        "INSERT INTO api_keys (name, role, municipality, prefix, key_hash) VALUES (%s, %s, %s, %s, %s) RETURNING id",
        (name, role, municipality, secret[:10], hash_key(secret)),
    ).fetchone()
    assert row is not None
    return int(row["id"]), secret


def authenticate(conn: Conn, secret: str) -> Actor | None:
    if not secret.startswith(KEY_PREFIX) or len(secret) > 200:
        return None
    digest = hash_key(secret)
    row = conn.execute(
        "SELECT id, role, municipality, name, key_hash FROM api_keys WHERE key_hash = %s AND revoked_at IS NULL",
        (digest,),
    ).fetchone()
    if row is None or not hmac.compare_digest(row["key_hash"], digest):
        return None
    return Actor(key_id=row["id"], role=row["role"], municipality=row["municipality"], name=row["name"])


def list_keys(conn: Conn) -> list[dict[str, Any]]:
    return list(conn.execute(
        "SELECT id, name, role, municipality, prefix, created_at, revoked_at FROM api_keys ORDER BY id"
    ).fetchall())


def revoke_key(conn: Conn, key_id: int) -> None:
    row = conn.execute("UPDATE api_keys SET revoked_at = now() WHERE id = %s AND revoked_at IS NULL RETURNING id",
                       (key_id,)).fetchone()
    if row is None:
        raise NotFound(f"no active key with id {key_id}")


def pseudonym(key: bytes, ref: str) -> str:
    return "p:" + hmac.new(key, ref.encode(), hashlib.sha256).hexdigest()[:32]


def audit(conn: Conn, actor: Actor, action: str, *, subject_kind: str | None = None,
          subjects: list[str] | None = None, model_version: str | None = None,
          detail: dict[str, Any] | None = None) -> None:
    """Append one entry. `subjects` must already be pseudonyms or vacancy keys, never raw references."""
    conn.execute(
        """INSERT INTO audit_log (key_id, role, action, subject_kind, subjects, request_id, model_version, detail)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s)""",
        (actor.key_id, actor.role, action, subject_kind, subjects or [], actor.request_id, model_version,
         Jsonb(detail or {})),
    )
