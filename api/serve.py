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
import socket
import subprocess
import sys
import time

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


def run(host: str, port: int, workers: int) -> None:
    """Bind, start `workers` processes and keep them running until SIGTERM or SIGINT. A worker that cannot
    start (the app's start-up failed) stops them all: starting it again would only fail again."""
    listener = socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET,
                                    backlog=2048)

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "api.serve", str(listener.fileno())],
                                pass_fds=[listener.fileno()])

    processes = [start() for _ in range(workers)]
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
                log.error("worker %d (pid %s) ended with exit code %s; starting it again", n, process.pid, code)
                processes[n] = start()
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
        listener.close()


def _worker(fd: int) -> None:
    from matcher import logs
    from matcher.config import load_settings

    logs.configure_for(load_settings())  # a new process has no logging set up
    listener = socket.socket(fileno=fd)
    listener.setblocking(False)
    config = uvicorn.Config("api.app:create_app", factory=True, log_config=None, access_log=False)
    BalancedServer(config, listener).run()


if __name__ == "__main__":  # a worker, started by `run` with the listening socket's file descriptor
    _worker(int(sys.argv[1]))
