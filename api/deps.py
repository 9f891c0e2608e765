"""Dependencies: the service, and the caller's key with its role checked per route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from matcher.security import Actor, authenticate
from matcher.service import Service


def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]


def current_actor(request: Request, service: ServiceDep) -> Actor:
    secret = ""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        secret = header[7:].strip()
    elif request.cookies.get("werkmatch_key"):
        secret = request.cookies["werkmatch_key"]
    if not secret:
        raise HTTPException(401, "an API key is required: Authorization: Bearer <key>",
                            headers={"WWW-Authenticate": "Bearer"})
    with service.db.connection() as conn:
        actor = authenticate(conn, secret)
        conn.commit()
    if actor is None:
        raise HTTPException(401, "unknown or revoked API key", headers={"WWW-Authenticate": "Bearer"})
    request.state.actor = actor
    request.app.state.rate_limiter.check(actor.key_id)
    return Actor(actor.key_id, actor.role, actor.municipality, getattr(request.state, "request_id", None),
                 actor.name)


def require(*roles: str) -> Callable[[Actor], Actor]:
    """A dependency that lets only these roles through (admin is always allowed)."""
    allowed = {*roles, "admin"}

    def check(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        if actor.role not in allowed:
            raise HTTPException(403, f"role {actor.role} may not do this; allowed: {', '.join(sorted(allowed))}")
        return actor

    return check


def actor_dep(*roles: str) -> type[Actor]:
    return Annotated[Actor, Depends(require(*roles))]  # type: ignore[return-value]
