"""Several worker processes on one port, with the connections spread over them.

uvicorn's own workers all wait on the shared listening socket, and the first one to wake takes every
connection that is waiting. HTTP clients keep their connection open (keep-alive), so eight clients that
connect at once can all land on one worker and stay there while the other CPU idles: measured, 46
instead of 105 shortlists/s. Here each worker accepts connections itself. The workers write how many
connections they hold into a small shared file; a worker that holds more than another one lets that one
take the new connection (it takes it itself after `MAX_WAIT_S`, should the other be stuck).

After `REQUESTS_PER_CONNECTION` requests a connection is closed (the client opens a new one, as nginx's
`keepalive_requests` does), so connections that piled up on one worker, because it started first or the
other one was being restarted, spread out again. A worker that dies is started again; SIGTERM or SIGINT
stops them all.
"""

from __future__ import annotations

import asyncio
import logging
import mmap
import os
import socket
import subprocess
import sys
import tempfile
import time

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.config import STARTUP_FAILURE

log = logging.getLogger("werkmatch.serve")

WAIT_S, MAX_WAIT_S = 0.002, 0.05  # a busier worker looks again after WAIT_S, and accepts after MAX_WAIT_S
REQUESTS_PER_CONNECTION = 100
NOT_ACCEPTING = 2**62  # the count of a worker that is starting: the others do not wait for it


class Loads:
    """Open connections per worker, in a file every worker maps (one 8-byte count per worker)."""

    def __init__(self, fd: int, workers: int, me: int | None = None) -> None:
        self._map = mmap.mmap(fd, 8 * workers)
        self.counts = memoryview(self._map).cast("q")
        self.me = me

    def publish(self, held: int) -> None:
        assert self.me is not None
        self.counts[self.me] = held

    def least_busy(self) -> bool:
        assert self.me is not None
        return self.counts[self.me] <= min(self.counts)


class BalancedServer(uvicorn.Server):
    """uvicorn's server without its own listener: it accepts from the shared socket in `_accept`."""

    def __init__(self, config: uvicorn.Config, listener: socket.socket, loads: Loads) -> None:
        super().__init__(config)
        self.listener = listener
        self.loads = loads
        self._accepting: asyncio.Task[None] | None = None
        self._watching: asyncio.Task[None] | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        supervisor = os.getppid()
        await super().startup(sockets=[])  # the app's start-up (lifespan), no listener of uvicorn's own
        self._accepting = asyncio.create_task(self._accept())
        self._watching = asyncio.create_task(self._stop_without(supervisor))

    async def _stop_without(self, supervisor: int) -> None:
        """A supervisor that was killed outright cannot stop its workers: they notice and stop."""
        while os.getppid() == supervisor:
            await asyncio.sleep(1.0)
        log.warning("the supervisor (pid %d) is gone; stopping", supervisor)
        self.should_exit = True

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        for task in (self._accepting, self._watching):
            if task is not None:
                task.cancel()
        self.loads.publish(NOT_ACCEPTING)
        await super().shutdown(sockets)

    async def _accept(self) -> None:
        loop = asyncio.get_running_loop()
        config, state = self.config, self.server_state

        def protocol() -> asyncio.Protocol:  # as uvicorn's own listener makes one per connection
            made = config.http_protocol_class(config=config, server_state=state,  # type: ignore[call-arg]
                                              app_state=self.lifespan.state)
            made.app = _closing_after(made.app, REQUESTS_PER_CONNECTION)  # type: ignore[attr-defined]
            lost = made.connection_lost

            def connection_lost(exc: Exception | None) -> None:
                lost(exc)  # uvicorn takes the connection off `state.connections`
                self.loads.publish(len(state.connections))

            made.connection_lost = connection_lost  # type: ignore[method-assign]
            return made

        self.loads.publish(len(state.connections))

        while True:
            await _readable(loop, self.listener)
            waited = 0.0
            while not self.loads.least_busy() and waited < MAX_WAIT_S:
                await asyncio.sleep(WAIT_S)
                waited += WAIT_S
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
            self.loads.publish(len(state.connections))


def _closing_after(app: ASGIApp, requests: int) -> ASGIApp:
    """The app for one connection: its response to the `requests`-th request says `Connection: close`."""
    served = 0

    async def per_connection(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal served
        served += scope["type"] == "http"
        if served < requests:
            return await app(scope, receive, send)

        async def closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)

        await app(scope, receive, closing)

    return per_connection


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


def run(host: str, port: int, workers: int) -> None:
    """Bind, start `workers` processes and keep them running until SIGTERM or SIGINT. A worker that cannot
    start (the app's start-up failed) stops them all: starting it again would only fail again."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.create_server((host, port), family=family, backlog=2048) as listener, \
            tempfile.TemporaryFile() as shared:
        shared.truncate(8 * workers)
        loads = Loads(shared.fileno(), workers)

        def start(n: int) -> subprocess.Popen[bytes]:
            loads.counts[n] = NOT_ACCEPTING
            fds = (listener.fileno(), shared.fileno())
            return subprocess.Popen([sys.executable, "-m", "api.serve", *map(str, fds), str(workers), str(n)],
                                    pass_fds=fds)

        processes = [start(n) for n in range(workers)]
        log.info("serving on http://%s:%d with %d worker processes", host, listener.getsockname()[1], workers)
        try:
            while True:
                time.sleep(0.5)
                for n, process in enumerate(processes):
                    code = process.poll()
                    if code is None:
                        continue
                    if code == STARTUP_FAILURE:
                        raise SystemExit(STARTUP_FAILURE)
                    log.error("worker %d (pid %s) ended with exit code %s; starting it again", n, process.pid,
                              code)
                    processes[n] = start(n)
        except KeyboardInterrupt:  # Ctrl-C in a terminal reaches the workers too; stop them all below
            pass
        finally:  # also on SystemExit (SIGTERM)
            for process in processes:
                if process.poll() is None:
                    process.terminate()  # uvicorn takes SIGTERM as: finish the open requests, then stop
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def _worker(listener_fd: int, shared_fd: int, workers: int, me: int) -> None:
    from matcher import logs
    from matcher.config import load_settings

    logs.configure_for(load_settings())  # a new process has no logging set up
    listener = socket.socket(fileno=listener_fd)
    listener.setblocking(False)
    config = uvicorn.Config("api.app:create_app", factory=True, log_config=None, access_log=False)
    BalancedServer(config, listener, Loads(shared_fd, workers, me)).run()


if __name__ == "__main__":  # a worker, started by `run`: listening socket, shared counts, workers, its number
    _worker(*map(int, sys.argv[1:5]))
