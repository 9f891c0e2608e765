"""Domain errors. The API turns them into problem details; the CLI into a message and exit code."""

from __future__ import annotations

from typing import Any


class MatcherError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class NotFound(MatcherError):
    status = 404
    title = "Not found"


class Forbidden(MatcherError):
    status = 403
    title = "Forbidden"


class PreconditionFailed(MatcherError):
    status = 412
    title = "Precondition failed"


class Conflict(MatcherError):
    status = 409
    title = "Conflict"


class Invalid(MatcherError):
    status = 422
    title = "Invalid input"


class Unavailable(MatcherError):
    status = 503
    title = "Service unavailable"
