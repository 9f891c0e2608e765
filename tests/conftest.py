"""Shared fixtures: a real embedded PostgreSQL, a migrated template database cloned per test, the real
encoder, the service and the HTTP app on top."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from matcher.config import Settings
from matcher.db import Database, open_database
from matcher.db.embedded import embedded_url, release
from matcher.matching.embeddings import SentenceTransformerEncoder, open_encoder
from matcher.security import create_key
from matcher.service import Service
from matcher.setup import migrate_all

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
TEMPLATE = "werkmatch_template"


@pytest.fixture(scope="session")
def pg_dir() -> Iterator[Path]:
    """A dedicated folder for the embedded server (pgserver widens permissions on its parents)."""
    base = Path(tempfile.mkdtemp(prefix="werkmatch-test-"))
    yield base
    release(base / "pgdata")  # stop the server first: with its folder gone it would keep running
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def admin_url(pg_dir: Path) -> str:
    return embedded_url(pg_dir / "pgdata", database="postgres")


def _url_for(admin_url: str, database: str) -> str:
    return admin_url.replace("/postgres?", f"/{database}?", 1)


@pytest.fixture(scope="session")
def models_dir(pg_dir: Path) -> Path:
    target = pg_dir / "models"
    shutil.copytree(ROOT / "models", target)
    return target


@pytest.fixture(scope="session")
def template_url(admin_url: str, pg_dir: Path, models_dir: Path) -> str:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE}"')
        conn.execute(f'CREATE DATABASE "{TEMPLATE}"')
    url = _url_for(admin_url, TEMPLATE)
    migrate_all(Settings(database_url=url, data_dir=pg_dir, models_dir=models_dir), url)
    return url


@pytest.fixture
def fresh_db(admin_url: str, template_url: str) -> Callable[[], str]:
    """Makes a new database cloned from the migrated template; dropped after the test."""
    made: list[str] = []

    def make() -> str:
        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"')
        made.append(name)
        return _url_for(admin_url, name)

    yield make  # type: ignore[misc]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for name in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db_url(fresh_db: Callable[[], str]) -> str:
    return fresh_db()


@pytest.fixture(scope="session")
def label_vectors(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One cache of the vocabulary's label vectors for the whole run (keyed by vocabulary and encoder, as in a real
    data directory): encoding them takes minutes on two cores, and every test that imports people would pay it."""
    return tmp_path_factory.mktemp("label-vectors")


@pytest.fixture
def settings(db_url: str, pg_dir: Path, models_dir: Path, tmp_path: Path, label_vectors: Path) -> Settings:
    (tmp_path / "var").mkdir()
    (tmp_path / "var" / "cache").symlink_to(label_vectors, target_is_directory=True)
    return Settings(database_url=db_url, data_dir=tmp_path / "var", models_dir=models_dir,
                    secret_key="test-secret-key-that-is-long-enough-000", log_json=False)


@pytest.fixture(scope="session")
def encoder() -> SentenceTransformerEncoder:
    """The default encoder, as a fresh install runs it (multilingual-e5-small, unpacked on first use)."""
    return open_encoder(Settings())


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    db = open_database(settings)
    yield db
    db.close()


@pytest.fixture
def service(settings: Settings, database: Database, encoder: SentenceTransformerEncoder) -> Service:
    return Service(settings, database, encoder=encoder)


@pytest.fixture
def make_key(service: Service) -> Callable[..., str]:
    def make(role: str, municipality: str | None = None) -> str:
        with service.db.transaction() as conn:
            return create_key(conn, role=role, municipality=municipality, name=f"test {role}")[1]

    return make


@pytest.fixture
def client(settings: Settings, service: Service) -> Iterator[object]:
    from fastapi.testclient import TestClient

    from api.app import create_app

    with TestClient(create_app(settings, service), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium for every browser test (Playwright's sync API allows one per process)."""
    if not CHROMIUM.exists():
        pytest.fail("the browser tests need Debian's Chromium at /usr/bin/chromium: sudo apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
