"""What every command group shares: exit codes, the command registry and a service that closes itself.

Exit codes: 0 ok, 1 failed, 2 bad usage or input, 3 another run is in progress, 4 database unreachable.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from typing import Any

from matcher.config import Settings

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BUSY, EXIT_DB = 0, 1, 2, 3, 4
Handler = Callable[[argparse.Namespace, Settings], int]
COMMANDS: dict[str, Handler] = {}
OPENED: list[Any] = []


def command(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        COMMANDS[name] = fn
        return fn

    return register


def open_service(settings: Settings) -> Any:
    """A service over a small pool; closed when the command ends."""
    from matcher.db import open_database
    from matcher.service import Service

    service = Service(settings, open_database(settings, max_size=4))
    OPENED.append(service)
    return service


def ui_address(host: str, port: int) -> str:
    """Where a browser on this machine opens the web interface of a server bound to ``host``:``port``."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    return f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}/ui"


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False, default=str))
