"""Connection pool and the one place that decides which PostgreSQL we talk to.

When the server goes away, a request must not sit out the pool timeout: a connection that fails its check or
breaks in use, or half a second of waiting for the pool, makes us try a direct connection, and while that
fails every request is refused at once with `DatabaseUnavailable` (the API answers 503, the CLI exits 4).
When the server is back, the stale connections of the old server are dropped together and the pool refills
by itself.
"""

from __future__ import annotations

import logging
import select
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

import psycopg
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool, PoolTimeout

from matcher.config import Settings

Conn = psycopg.Connection[DictRow]

log = logging.getLogger(__name__)
PROBE_TIMEOUT_S = 2  # libpq's smallest connect_timeout
PROBE_INTERVAL_S = 0.5  # try a direct connection at most this often
WAIT_SLICE_S = 0.5  # how long a request waits for the pool before it checks the server again


class DatabaseUnavailable(psycopg.OperationalError):
    """The server does not answer: raised at once instead of after the pool timeout."""


def database_url(settings: Settings) -> str:
    """The configured URL, or the embedded server's (started on demand)."""
    if settings.database_url:
        return settings.database_url
    from matcher.db.embedded import embedded_url

    return embedded_url(settings.pg_data_dir)


def _maybe_stale(conn: Conn) -> bool:
    """An idle connection has nothing to read. When its socket is readable, the server has closed it or said
    something (a restart sends a notice and closes): then it is checked with a round trip; otherwise it is used
    as is, so a request pays no extra round trip. A connection that breaks in use is handled by `connection()`."""
    if conn.closed or conn.broken:
        return True
    readable, _, _ = select.select([conn.fileno()], [], [], 0)
    return bool(readable)


def _configure(conn: Conn) -> None:
    from pgvector.psycopg import register_vector

    with suppress(psycopg.ProgrammingError):  # the extension does not exist before the first migration
        register_vector(conn)
    conn.commit()


@dataclass
class Database:
    """A pool plus the URL it came from. ``transaction()`` is the unit of work."""

    url: str
    pool: ConnectionPool[Conn]
    _unreachable_since: float | None = field(default=None, repr=False)
    _probed_at: float = field(default=0.0, repr=False)
    _probe_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @contextmanager
    def transaction(self, timeout: float | None = None) -> Iterator[Conn]:
        with self.connection(timeout) as conn, conn.transaction():
            yield conn

    @contextmanager
    def connection(self, timeout: float | None = None, *, autocommit: bool = False) -> Iterator[Conn]:
        """A connection for reads; what it writes is rolled back unless committed. With ``autocommit`` each
        statement stands alone: one round trip for a single read (such as a key lookup) instead of three."""
        conn = self._checkout(self.pool.timeout if timeout is None else timeout)
        try:
            conn.autocommit = autocommit  # on every loan: no borrower inherits the last one's
            with conn:  # as the pool's own connection(): commit on success, roll back on error
                yield conn
        except psycopg.OperationalError:
            if conn.broken:  # the server went away under this request: find out now, for the next ones
                with suppress(DatabaseUnavailable):
                    self._probe()
            raise
        finally:
            self.pool.putconn(conn)

    def _checkout(self, timeout: float) -> Conn:
        """A working connection from the pool, or `DatabaseUnavailable` as soon as the server is known to be
        gone. It waits in short slices, so a request queued for the pool when the server goes away is
        refused too, not after the whole pool timeout; a server that is only busy still gets the timeout."""
        deadline = time.monotonic() + timeout
        if self._unreachable_since is not None:
            self._probe()
        while True:
            try:
                conn = self.pool.getconn(timeout=max(0.01, min(WAIT_SLICE_S, deadline - time.monotonic())))
            except PoolTimeout:
                self._probe()
                if time.monotonic() >= deadline:
                    raise PoolTimeout(f"couldn't get a connection after {timeout:.2f} sec") from None
                continue
            try:
                if _maybe_stale(conn):
                    ConnectionPool.check_connection(conn)
            except psycopg.Error:
                self.pool.putconn(conn)  # the pool drops it and opens a replacement in the background
                self._probe()
                self.pool.check()  # the server is there (a restart): drop the other stale connections now
                continue
            return conn

    def _probe(self) -> None:
        """Raise `DatabaseUnavailable` unless a direct connection to the server works. One attempt per
        `PROBE_INTERVAL_S` at most, whose answer the other requests share."""
        with self._probe_lock:
            now = time.monotonic()
            if now - self._probed_at < PROBE_INTERVAL_S:
                if self._unreachable_since is not None:
                    raise DatabaseUnavailable("the database cannot be reached")
                return
            try:
                psycopg.connect(self.url, connect_timeout=PROBE_TIMEOUT_S).close()
            except psycopg.OperationalError as exc:
                self._probed_at = time.monotonic()
                if self._unreachable_since is None:
                    log.warning("database unreachable: %s", (str(exc).strip().splitlines() or [type(exc).__name__])[0])
                    self._unreachable_since = now
                raise DatabaseUnavailable("the database cannot be reached") from exc
            self._probed_at = time.monotonic()
            if self._unreachable_since is not None:
                log.warning("database reachable again after %.1f s", now - self._unreachable_since)
                self._unreachable_since = None

    def ping(self) -> None:
        with self.connection(timeout=2) as conn:
            conn.execute("SELECT 1")

    def close(self) -> None:
        self.pool.close()


def open_database(settings: Settings, *, url: str | None = None, max_size: int | None = None) -> Database:
    url = url or database_url(settings)
    pool: ConnectionPool[Conn] = ConnectionPool(
        url,
        connection_class=psycopg.Connection[DictRow],
        min_size=min(settings.pool_min_size, max_size or settings.pool_max_size),
        max_size=max_size or settings.pool_max_size,
        timeout=settings.db_timeout_s,
        configure=_configure,
        kwargs={"connect_timeout": max(1, int(settings.db_timeout_s)), "row_factory": dict_row},
        reconnect_timeout=max(2.0, settings.db_timeout_s),  # then grow again on demand, not after a long backoff
        open=True,
        name="werkmatch",
    )
    return Database(url=url, pool=pool)
