"""`matcher migrate`: schema to head, the curated vocabulary loaded, the prior model registered."""

from __future__ import annotations

from matcher.config import Settings
from matcher.db import migrate
from matcher.db.connect import database_url, open_database
from matcher.learning import registry
from matcher.matching import vocabulary


def migrate_all(settings: Settings, url: str | None = None) -> str:
    url = url or database_url(settings)
    migrate.upgrade(url)
    db = open_database(settings, url=url, max_size=1)
    try:
        with db.transaction() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(7317)")  # one setup at a time
            vocabulary.sync_shipped(conn)
            registry.ensure_prior(conn, settings.models_dir)
            return migrate.current(conn) or ""
    finally:
        db.close()
