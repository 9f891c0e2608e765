"""The model registry: versions on disk under ``models/<version>/`` and their status in the database.

Exactly one version is the champion (a unique index enforces it). Serving processes re-read the
champion's name at most every few seconds, so a promotion or rollback reaches them without a restart.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from psycopg.types.json import Jsonb

from matcher.db.connect import Conn
from matcher.errors import Invalid, NotFound
from matcher.matching.scoring import AdditiveModel

PRIOR_VERSION = "prior-2026.11"


def register(conn: Conn, model: AdditiveModel, *, path: Path, status: str = "challenger",
             metrics: dict[str, Any] | None = None, training_window: dict[str, Any] | None = None,
             code_version: str = "", note: str = "") -> None:
    conn.execute(
        """INSERT INTO model_versions (version, status, path, metrics, training_window, code_version, note)
           VALUES (%s, %s, %s, %s, %s, %s, %s)
           ON CONFLICT (version) DO UPDATE SET path = EXCLUDED.path, metrics = EXCLUDED.metrics,
             training_window = EXCLUDED.training_window, code_version = EXCLUDED.code_version""",
        (model.version, status, str(path), Jsonb(metrics or {}), Jsonb(training_window or {}), code_version, note),
    )


def ensure_prior(conn: Conn, models_dir: Path) -> None:
    """Register the shipped prior and make it champion when no champion exists yet."""
    exists = conn.execute("SELECT 1 FROM model_versions WHERE version = %s", (PRIOR_VERSION,)).fetchone()
    if not exists:
        model = AdditiveModel.load(models_dir / PRIOR_VERSION)
        register(conn, model, path=models_dir / PRIOR_VERSION, status="retired", note="hand-set prior")
    if conn.execute("SELECT 1 FROM model_versions WHERE status = 'champion'").fetchone() is None:
        conn.execute("UPDATE model_versions SET status = 'champion', promoted_at = now() WHERE version = %s",
                     (PRIOR_VERSION,))


def list_versions(conn: Conn) -> list[dict[str, Any]]:
    return list(conn.execute(
        """SELECT version, status, path, metrics, training_window, code_version, note, created_at, promoted_at
           FROM model_versions ORDER BY created_at, version"""
    ).fetchall())


def champion_version(conn: Conn) -> str:
    row = conn.execute("SELECT version FROM model_versions WHERE status = 'champion'").fetchone()
    if row is None:
        raise NotFound("no champion model: run `matcher migrate`")
    return str(row["version"])


def promote(conn: Conn, version: str) -> None:
    row = conn.execute("SELECT status FROM model_versions WHERE version = %s FOR UPDATE", (version,)).fetchone()
    if row is None:
        raise NotFound(f"no model version {version!r}")
    if row["status"] == "champion":
        return
    conn.execute("UPDATE model_versions SET status = 'retired' WHERE status = 'champion'")
    conn.execute("UPDATE model_versions SET status = 'champion', promoted_at = now() WHERE version = %s", (version,))


def rollback(conn: Conn) -> str:
    """Make the previously promoted version champion again; returns its name.

    The version rolled back from is marked ``rejected``, so a second rollback goes one step further
    back instead of flipping between two versions; a person can still promote it again explicitly."""
    current = champion_version(conn)
    row = conn.execute(
        """SELECT version FROM model_versions
           WHERE version <> %s AND promoted_at IS NOT NULL AND status <> 'rejected'
           ORDER BY promoted_at DESC LIMIT 1""",
        (current,),
    ).fetchone()
    if row is None:
        raise Invalid("there is no earlier champion to roll back to")
    promote(conn, row["version"])
    conn.execute("UPDATE model_versions SET status = 'rejected' WHERE version = %s", (current,))
    return str(row["version"])


class ModelCache:
    """Loads model files once and notices a new champion within `ttl` seconds."""

    def __init__(self, models_dir: Path, ttl: float = 2.0) -> None:
        self.models_dir = models_dir
        self.ttl = ttl
        self._models: dict[str, AdditiveModel] = {}
        self._champion: tuple[float, str] | None = None
        self._lock = threading.Lock()

    def load(self, version: str, path: str | None = None) -> AdditiveModel:
        with self._lock:
            if version not in self._models:
                directory = Path(path) if path else self.models_dir / version
                if not (directory / "model.json").exists():
                    directory = self.models_dir / version
                self._models[version] = AdditiveModel.load(directory)
            return self._models[version]

    def champion(self, conn: Conn) -> AdditiveModel:
        now = time.monotonic()
        if self._champion is None or now - self._champion[0] > self.ttl:
            row = conn.execute("SELECT version, path FROM model_versions WHERE status = 'champion'").fetchone()
            if row is None:
                raise NotFound("no champion model: run `matcher migrate`")
            self._champion = (now, row["version"])
            return self.load(row["version"], row["path"])
        return self.load(self._champion[1])

    def forget(self) -> None:
        self._champion = None
