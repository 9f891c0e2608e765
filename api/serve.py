"""Several worker processes on one port, with the connections spread over them.

uvicorn's own workers all wait on the shared listening socket, and the first one to wake takes every
connection that is waiting. HTTP clients keep their connection open (keep-alive), so eight clients that
connect at once can all land on one worker and stay there while the other CPU idles: measured, 46
instead of 105 shortlists/s. Here each worker accepts connections itself and waits a little before it
takes one, longer the more connections it already holds, so the least busy worker gets there first.
A worker that dies is started again; SIGTERM or SIGINT stops them all.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import socket
import time
from collections.abc import Callable
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE

log = logging.getLogger("werkmatch.serve")

WAIT_PER_CONNECTION_S = 0.0005  # how long a worker lets the others go first, per connection it holds
MAX_WAIT_S = 0.005


class BalancedServer(uvicorn.Server):
    """uvicorn's server without its own listener: it accepts from the shared socket in `_accept`."""

    def __init__(self, config: uvicorn.Config, listener: socket.socket) -> None:
        super().__init__(config)
        self.listener = listener
        self._accepting: asyncio.Task[None] | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # the app's start-up (lifespan), no listener of uvicorn's own
        self._accepting = asyncio.create_task(self._accept())

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self._accepting is not None:
            self._accepting.cancel()
        await super().shutdown(sockets)

    async def _accept(self) -> None:
        loop = asyncio.get_running_loop()
        config, state = self.config, self.server_state

        def protocol() -> asyncio.Protocol:  # as uvicorn's own listener makes one per connection
            return config.http_protocol_class(config=config, server_state=state,  # type: ignore[call-arg]
                                              app_state=self.lifespan.state)

        while True:
            await _readable(loop, self.listener)
            held = len(state.connections)
            if held:
                await asyncio.sleep(min(held * WAIT_PER_CONNECTION_S, MAX_WAIT_S))
            try:
                conn, _ = self.listener.accept()
            except (BlockingIOError, InterruptedError):  # a less busy worker took it
                continue
            except OSError as exc:  # out of file descriptors and the like: keep serving the open ones
                log.warning("accept failed: %s", exc)
                await asyncio.sleep(0.1)
                continue
            try:
                conn.setblocking(False)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                await loop.connect_accepted_socket(protocol, conn)
            except OSError:  # the client already hung up
                conn.close()


async def _readable(loop: asyncio.AbstractEventLoop, sock: socket.socket) -> None:
    ready: asyncio.Future[None] = loop.create_future()

    def readable() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(sock, readable)
    try:
        await ready
    finally:
        loop.remove_reader(sock)


def _worker(config: uvicorn.Config, listener: socket.socket, setup: Callable[[], None]) -> None:
    setup()
    listener.setblocking(False)
    BalancedServer(config, listener).run()


def run(config: uvicorn.Config, setup: Callable[[], None]) -> None:
    """Bind, start `config.workers` processes and keep them running until SIGTERM or SIGINT. Each worker
    first calls `setup` (logging: a new process has none). A worker that cannot start (the app's start-up
    failed) stops them all: starting it again would only fail again."""
    listener = config.bind_socket()
    listener.listen(config.backlog)
    spawn = multiprocessing.get_context("spawn")  # a clean interpreter per worker: no state from the parent

    def start() -> Any:
        process = spawn.Process(target=_worker, args=(config, listener, setup), name="werkmatch worker")
        process.start()
        return process

    workers = [start() for _ in range(config.workers)]
    try:
        while True:
            time.sleep(0.5)
            for n, process in enumerate(workers):
                if process.is_alive():
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    raise SystemExit(STARTUP_FAILURE)
                log.error("worker %d (pid %s) ended with exit code %s; starting it again", n, process.pid,
                          process.exitcode)
                workers[n] = start()
    finally:  # also on SystemExit (SIGTERM) and KeyboardInterrupt (SIGINT)
        for process in workers:
            if process.is_alive():
                process.terminate()  # uvicorn takes SIGTERM as: finish the open requests, then stop
        for process in workers:
            process.join(timeout=30)
            if process.is_alive():
                process.kill()
        listener.close()
