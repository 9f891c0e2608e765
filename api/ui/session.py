"""Signing in to the web interface, and CSRF protection for its forms.

The key itself is the session: after sign-in it lives in an HttpOnly, SameSite=Strict cookie (Secure over
https), so page scripts can never read it and other sites never send it. Every form carries a token derived
with HMAC from the service's secret and the key id, checked in constant time on each POST. The sign-in form,
before any key is known, uses a random token that must match a cookie of its own (double submit).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request
from starlette.responses import Response

from api.deps import ServiceDep
from matcher.security import Actor, authenticate
from matcher.service import Service

KEY_COOKIE = "werkmatch_key"
LOGIN_COOKIE = "werkmatch_login"
CSRF_FIELD = "csrf"
UI_ROLES = frozenset({"consultant", "employer_service", "admin"})
CANDIDATE_ROLES = frozenset({"consultant", "admin"})
MAX_KEY_LENGTH = 200


class SignInRequired(Exception):
    """No valid key in the cookie: the page redirects to the sign-in page."""

    def __init__(self, next_path: str = "", *, clear_cookie: bool = False) -> None:
        super().__init__(next_path)
        self.next_path = next_path
        self.clear_cookie = clear_cookie


class UiError(Exception):
    """An error shown as a Dutch page with this status (the API answers the same cases with JSON)."""

    def __init__(self, status: int, title: str, message: str, *, back: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message
        self.back = back


def csrf_token(service: Service, key_id: int | None) -> str:
    """The form token for one key: unguessable without the service secret, checkable without storage."""
    return hmac.new(service.audit_key, f"werkmatch-ui-csrf:{key_id}".encode(), hashlib.sha256).hexdigest()


def check_csrf(sent: str, expected: str) -> None:
    """Refuses a form whose token is missing or wrong, with a Dutch 403."""
    if not sent or not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise UiError(403, "Formulier geweigerd",
                      "Dit formulier kon niet worden gecontroleerd (CSRF-controle mislukt). Laad de pagina opnieuw "
                      "en probeer het nog eens.")


def new_login_token() -> str:
    return secrets.token_urlsafe(32)


def is_https(request: Request) -> bool:
    return request.url.scheme == "https"


def set_key_cookie(response: Response, request: Request, secret: str) -> None:
    response.set_cookie(KEY_COOKIE, secret, httponly=True, samesite="strict", secure=is_https(request), path="/")


def clear_key_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(KEY_COOKIE, httponly=True, samesite="strict", secure=is_https(request), path="/")


def set_login_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=is_https(request),
                        path="/ui/inloggen", max_age=3600)


def sign_in(service: Service, secret: str) -> Actor | None:
    """The actor behind a pasted key, or None for an unknown or revoked key."""
    secret = secret.strip()
    if not secret or len(secret) > MAX_KEY_LENGTH:
        return None
    with service.db.connection() as conn:
        actor = authenticate(conn, secret)
        conn.rollback()
    return actor


def _next_path(request: Request) -> str:
    path = request.url.path
    return path + (f"?{request.url.query}" if request.url.query else "")


def current_ui_actor(request: Request, service: ServiceDep) -> Actor:
    """The signed-in key, with its role checked against what the web interface offers."""
    secret = request.cookies.get(KEY_COOKIE, "")
    if not secret:
        raise SignInRequired(_next_path(request) if request.method == "GET" else "")
    actor = sign_in(service, secret)
    if actor is None:
        raise SignInRequired(_next_path(request) if request.method == "GET" else "", clear_cookie=True)
    if actor.role not in UI_ROLES:
        raise SignInRequired("", clear_cookie=True)
    request.state.actor = actor
    request.app.state.rate_limiter.check(actor.key_id)
    return Actor(actor.key_id, actor.role, actor.municipality, getattr(request.state, "request_id", None),
                 actor.name)


UiActor = Annotated[Actor, Depends(current_ui_actor)]


def safe_next(value: object) -> str:
    """Only paths inside the web interface are followed after sign-in (no open redirects)."""
    if isinstance(value, str) and value.startswith("/ui") and not value.startswith("//") and "\\" not in value \
            and len(value) <= 500 and all(32 < ord(c) < 127 for c in value):
        return value
    return "/ui"
