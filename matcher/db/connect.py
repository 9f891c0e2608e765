"""Connection pool and the one place that decides which PostgreSQL we talk to."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import psycopg
from psycopg.rows import DictRow, dict_row
from psycopg_pool import ConnectionPool

from matcher.config import Settings

Conn = psycopg.Connection[DictRow]

log = logging.getLogger(__name__)


def database_url(settings: Settings) -> str:
    """The configured URL, or the embedded server's (started on demand)."""
    if settings.database_url:
        return settings.database_url
    from matcher.db.embedded import embedded_url

    return embedded_url(settings.pg_data_dir)


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

    @contextmanager
    def transaction(self) -> Iterator[Conn]:
        with self.pool.connection() as conn, conn.transaction():
            yield conn

    @contextmanager
    def connection(self) -> Iterator[Conn]:
        """A connection for reads; what it writes is rolled back unless committed."""
        with self.pool.connection() as conn:
            yield conn

    def ping(self) -> None:
        with self.pool.connection(timeout=2) as conn:
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
        check=ConnectionPool.check_connection,
        open=True,
        name="werkmatch",
    )
    return Database(url=url, pool=pool)
