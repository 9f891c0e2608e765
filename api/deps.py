"""Dependencies: the service, and the caller's key with its role checked per route.

FastAPI runs a plain `def` dependency in its thread pool: a hand-over to a thread and back, which costs a
request more than the check itself. Those that only look at the request are `async def`, so they run on the
event loop; the key lookup reads the database and stays in the pool."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from matcher.security import Actor, authenticate
from matcher.service import Service


async def get_service(request: Request) -> Service:
    service: Service = request.app.state.service
    return service


ServiceDep = Annotated[Service, Depends(get_service)]
# Declares the scheme in the OpenAPI document (the Authorize button in /docs); the header is read below.
BEARER = HTTPBearer(auto_error=False, scheme_name="apiKey", description="an API key from `matcher keys create`")


def current_actor(request: Request, service: ServiceDep,
                  _: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)] = None) -> Actor:
    secret = ""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        secret = header[7:].strip()
    elif request.cookies.get("werkmatch_key"):
        secret = request.cookies["werkmatch_key"]
    if not secret:
        raise HTTPException(401, "an API key is required: Authorization: Bearer <key>",
                            headers={"WWW-Authenticate": "Bearer"})
    with service.db.connection(autocommit=True) as conn:
        actor = authenticate(conn, secret)
    if actor is None:
        raise HTTPException(401, "unknown or revoked API key", headers={"WWW-Authenticate": "Bearer"})
    request.state.actor = actor
    request.app.state.rate_limiter.check(actor.key_id)
    return Actor(actor.key_id, actor.role, actor.municipality, getattr(request.state, "request_id", None),
                 actor.name)


def require(*roles: str) -> Callable[[Actor], Awaitable[Actor]]:
    """A dependency that lets only these roles through (admin is always allowed)."""
    allowed = {*roles, "admin"}

    async def check(actor: Annotated[Actor, Depends(current_actor)]) -> Actor:
        if actor.role not in allowed:
            raise HTTPException(403, f"role {actor.role} may not do this; allowed: {', '.join(sorted(allowed))}")
        return actor

    return check


def actor_dep(*roles: str) -> type[Actor]:
    return Annotated[Actor, Depends(require(*roles))]  # type: ignore[return-value]


async def json_body(request: Request) -> None:
    """Routes with a JSON body say so with 415 when another content type is sent, instead of a puzzling 422."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json" and not (kind.startswith("application/") and kind.endswith("+json")):
        raise HTTPException(415, f"send the body as application/json, not {kind or 'without a content type'}")


JSON_BODY = [Depends(json_body)]
