"""Cross-cutting HTTP concerns: request ids, JSON access logs, metrics, body limits, rate limits and
security headers. Keys and restriction values are never logged: only method, route, status, timing."""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import HTTPException
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

access = logging.getLogger("api.access")


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("werkmatch_http_requests_total", "HTTP requests", ["method", "route", "status"],
                                registry=self.registry)
        self.latency = Histogram("werkmatch_http_request_seconds", "HTTP latency", ["method", "route"],
                                 registry=self.registry,
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
        self.shortlist_size = Histogram("werkmatch_shortlist_size", "items per shortlist or match list",
                                        registry=self.registry, buckets=(0, 1, 5, 10, 20, 50, 100, 200))
        self.model = Gauge("werkmatch_model_info", "serving model version", ["version"], registry=self.registry)
        self._version: str | None = None
        self._lock = threading.Lock()

    def serving(self, version: str) -> None:
        """Exactly one version carries 1: the model serving now (a promotion replaces the label)."""
        with self._lock:
            if version != self._version:
                self.model.clear()
                self.model.labels(version).set(1)
                self._version = version


class RateLimiter:
    """A token bucket per API key, per process: `per_minute` requests, bursts up to the same number."""

    def __init__(self, per_minute: int) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.buckets: dict[Any, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def check(self, key: Any) -> None:
        now = time.monotonic()
        with self.lock:
            tokens, last = self.buckets.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            if tokens < 1:
                self.buckets[key] = (tokens, now)
                raise HTTPException(429, "rate limit for this key reached; slow down",
                                    headers={"Retry-After": str(int((1 - tokens) / self.rate) + 1)})
            self.buckets[key] = (tokens - 1, now)


SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
     b"frame-ancestors 'none'; form-action 'self'"),
    (b"cache-control", b"no-store"),
]


class HttpMiddleware:
    """Pure ASGI, so it sees every request including errors, and can stop an oversized body early."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics, max_body: int) -> None:
        self.app = app
        self.metrics = metrics
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        start = time.perf_counter()
        status = 500
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"0")
        if length.isdigit() and int(length) > self.max_body:
            await _reject(send, 413, f"request body larger than {self.max_body} bytes", request_id)
            self._log(scope, 413, start, request_id)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise HTTPException(413, f"request body larger than {self.max_body} bytes")
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                extra = [(b"x-request-id", request_id.encode()), *SECURITY_HEADERS]
                message["headers"] = list(message.get("headers", [])) + extra
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        finally:
            self._log(scope, status, start, request_id)

    def _log(self, scope: Scope, status: int, start: float, request_id: str) -> None:
        elapsed = time.perf_counter() - start
        route = scope.get("route")
        path = getattr(route, "path", None) or "unmatched"
        self.metrics.requests.labels(scope["method"], path, str(status)).inc()
        self.metrics.latency.labels(scope["method"], path).observe(elapsed)
        access.info(json.dumps({"event": "request", "request_id": request_id, "method": scope["method"],
                                "route": path, "status": status, "ms": round(elapsed * 1000, 1)}))


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers") or []:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            if 0 < len(text) <= 64 and all(c.isalnum() or c in "-_." for c in text):
                return text
    return str(uuid.uuid4())


async def _reject(send: Callable[[Message], Awaitable[None]], status: int, detail: str, request_id: str) -> None:
    body = json.dumps({"type": "about:blank", "title": "Payload too large", "status": status, "detail": detail,
                       "request_id": request_id}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS]})
    await send({"type": "http.response.body", "body": body})
