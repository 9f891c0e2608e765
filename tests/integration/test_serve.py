"""`matcher serve --workers 2` as an operator starts it: connections spread over the workers, a worker that
dies is started again, and SIGTERM stops everything."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.serve import REQUESTS_PER_CONNECTION
from matcher.config import Settings


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _workers(server: int) -> list[int]:
    """The worker processes of a `matcher serve` (its children that run the app)."""
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == server and b"api.serve" in cmdline:
            out.append(int(pid))
    return sorted(out)


def _connections(pid: int, port: int) -> int:
    """Established connections to `port` that process `pid` holds."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        with_target = os.readlink(f"/proc/{pid}/fd/{fd}")
        if with_target.startswith("socket:["):
            inodes.add(with_target[8:-1])
    held = 0
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "01" and int(fields[1].split(":")[1], 16) == port and fields[9] in inodes:
            held += 1
    return held


class Server:
    def __init__(self, settings: Settings) -> None:
        self.port = _free_port()
        env = dict(os.environ, MATCHER_DATABASE_URL=str(settings.database_url),
                   MATCHER_MODELS_DIR=str(settings.models_dir), MATCHER_DATA_DIR=str(settings.data_dir),
                   MATCHER_SECRET_KEY=str(settings.secret_key), MATCHER_LOG_JSON="false")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "matcher.cli", "serve", "--workers", "2", "--port", str(self.port)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.log.append(line)

    def wait_for(self, text: str, times: int, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while sum(text in line for line in self.log) < times:
            assert self.process.poll() is None, "".join(self.log)
            assert time.monotonic() < deadline, f"never saw {text!r} {times}×:\n" + "".join(self.log)
            time.sleep(0.1)

    def get(self, conn: http.client.HTTPConnection, path: str = "/healthz") -> int:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status

    def get_at_once(self, conns: list[http.client.HTTPConnection]) -> list[int]:
        """A request on each connection, all at the same time (connections are opened by their first one)."""
        statuses: list[int] = []
        threads = [threading.Thread(target=lambda c=c: statuses.append(self.get(c))) for c in conns]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return statuses


@pytest.fixture
def server(settings: Settings) -> Iterator[Server]:
    started = Server(settings)
    try:
        started.wait_for("Application startup complete", times=2)
        yield started
    finally:
        if started.process.poll() is None:
            started.process.send_signal(signal.SIGTERM)
            started.process.wait(60)


def test_keep_alive_connections_are_spread_over_the_workers(server: Server) -> None:
    assert any(f"werkmatch starts: web interface http://127.0.0.1:{server.port}/ui" in line for line in server.log)
    workers = _workers(server.process.pid)
    assert len(workers) == 2
    conns = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=30) for _ in range(8)]
    assert server.get_at_once(conns) == [200] * 8
    held = [_connections(pid, server.port) for pid in workers]
    assert sum(held) == 8 and min(held) >= 3, held  # with uvicorn's own workers this was often 8 and 0
    assert [server.get(c) for c in conns] == [200] * 8  # the same connections, kept alive
    for c in conns:
        c.close()


def test_connections_that_piled_up_on_one_worker_spread_out_again(server: Server) -> None:
    first, second = _workers(server.process.pid)
    os.kill(second, signal.SIGSTOP)  # as if it were still starting: only the first worker accepts
    try:
        conns = [http.client.HTTPConnection("127.0.0.1", server.port, timeout=30) for _ in range(8)]
        assert [server.get(c) for c in conns] == [200] * 8
        assert (_connections(first, server.port), _connections(second, server.port)) == (8, 0)
    finally:
        os.kill(second, signal.SIGCONT)
    closes = []
    for c in conns:  # each connection is closed by the server after REQUESTS_PER_CONNECTION requests...
        for _ in range(REQUESTS_PER_CONNECTION - 1):
            c.request("GET", "/healthz")
            response = c.getresponse()
            response.read()
            closes.append(response.getheader("connection"))
    assert closes.count("close") == 8 and len(closes) == 8 * (REQUESTS_PER_CONNECTION - 1)
    assert server.get_at_once(conns) == [200] * 8  # ...and the new connections go to the less busy worker
    held = [_connections(pid, server.port) for pid in (first, second)]
    assert sum(held) == 8 and min(held) >= 3, held


def test_workers_stop_when_their_supervisor_is_killed_outright(server: Server) -> None:
    workers = _workers(server.process.pid)
    server.process.kill()
    server.process.wait(30)
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in workers):
        assert time.monotonic() < deadline, "workers outlived their supervisor"
        time.sleep(0.2)


def test_a_worker_that_dies_is_started_again_and_sigterm_stops_everything(server: Server) -> None:
    first, second = _workers(server.process.pid)
    os.kill(first, signal.SIGKILL)
    server.wait_for("Application startup complete", times=3)
    replaced = _workers(server.process.pid)
    assert second in replaced and first not in replaced and len(replaced) == 2
    assert any("starting it again" in line for line in server.log)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    assert server.get(conn) == 200
    conn.close()

    server.process.send_signal(signal.SIGTERM)
    assert server.process.wait(60) == 128 + signal.SIGTERM
    assert not any(Path(f"/proc/{pid}").exists() for pid in replaced)  # stopped and reaped, not orphaned
