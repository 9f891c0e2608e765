"""What an operator meets: keys only for municipalities the register knows, `make run` saying where the web
interface is and when the demo region is ready, and `/` opening the web interface."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from matcher.cli.base import EXIT_OK, EXIT_USAGE
from matcher.cli.demo import generate
from matcher.cli.main import main
from matcher.config import Settings
from matcher.domain import CandidateIn
from matcher.security import SYSTEM
from matcher.service import Service

ROOT = Path(__file__).resolve().parents[2]


def _env(settings: Settings) -> dict[str, str]:
    return {"MATCHER_DATABASE_URL": str(settings.database_url), "MATCHER_MODELS_DIR": str(settings.models_dir),
            "MATCHER_DATA_DIR": str(settings.data_dir), "MATCHER_SECRET_KEY": str(settings.secret_key),
            "MATCHER_LOG_JSON": "false"}


def _keys(service: Service) -> list[tuple[str, str | None]]:
    with service.db.connection() as conn:
        return [(r["role"], r["municipality"]) for r in conn.execute("SELECT role, municipality FROM api_keys")]


def test_a_key_is_refused_for_a_municipality_the_register_does_not_know(
        service: Service, settings: Settings, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    for name, value in _env(settings).items():
        monkeypatch.setenv(name, value)

    def create(*extra: str) -> tuple[int, str]:
        code = main(["keys", "create", "--role", "consultant", *extra])
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    code, text = create("--municipality", "arnhem")
    assert code == EXIT_USAGE and "nobody is registered yet" in text  # an empty register knows no municipality
    service.import_candidates([(ref, CandidateIn(municipality=m, postcode=pc)) for ref, m, pc in (
        ("C-1", "arnhem", "6811"), ("C-2", "rheden", "6881"))], actor=SYSTEM)

    code, text = create("--municipality", "Arnhem")
    assert code == EXIT_USAGE and "did you mean 'arnhem'?" in text
    code, text = create("--municipality", "arnhm")
    assert code == EXIT_USAGE and "did you mean 'arnhem'?" in text and "Known municipalities: arnhem, rheden" in text
    code, text = create("--municipality", "nijmegen")
    assert code == EXIT_USAGE and "nobody is registered in municipality 'nijmegen'" in text
    assert "did you mean" not in text and "--new-municipality" in text
    assert _keys(service) == []

    assert create("--municipality", "arnhem")[0] == EXIT_OK
    assert create("--municipality", "zevenaar", "--new-municipality")[0] == EXIT_OK  # people imported later
    code, text = create("--municipality", "Zevenaar", "--new-municipality")  # the spelling is still checked
    assert code == EXIT_USAGE and "did you mean 'zevenaar'?" in text
    assert create()[0] == EXIT_OK  # a key for every municipality
    assert sorted(_keys(service), key=str) == sorted([("consultant", "arnhem"), ("consultant", "zevenaar"),
                                                      ("consultant", None)], key=str)


def test_make_run_says_where_the_web_interface_is_and_when_the_demo_is_ready(
        service: Service, settings: Settings, tmp_path: Path) -> None:
    dry = subprocess.run(["make", "-n", "run", "HOST=0.0.0.0", "PORT=8123"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert "demo ensure --background --host 0.0.0.0 --port 8123" in dry
    assert "serve --host 0.0.0.0 --port 8123" in dry

    demo = tmp_path / "demo"
    generate(demo, candidates=12, vacancies=4, seed=3)  # small, so the load takes seconds
    service.normaliser.warm()  # the vocabulary's label vectors, cached under the data dir the loader shares
    command = [sys.executable, "-m", "matcher.cli", "demo", "ensure", "--dir", str(demo), "--host", "0.0.0.0",
               "--port", "8123"]
    env = os.environ | _env(settings)
    # the detached loader keeps the terminal (here: the pipe) open until it has said the region is ready
    started = subprocess.run([*command, "--background"], env=env, capture_output=True, text=True, timeout=300,
                             check=True)
    lines = started.stdout.strip().splitlines()
    assert "loading in the background" in lines[0] and len(lines) == 2, started.stdout
    assert lines[1].startswith("[werkmatch] the demo region is ready (12 people, 4 vacancies")
    assert "open http://127.0.0.1:8123/ui and sign in with a key from `matcher keys create" in lines[1]
    log = (settings.data_dir / "demo-load.log").read_text()
    assert "loading the demo region" in log and "the demo region is ready" in log  # progress stays in the log

    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=True).stdout
    assert "database already holds 12 candidates" in again and "http://127.0.0.1:8123/ui" in again


def test_the_root_address_opens_the_web_interface(client: Any) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"] == "/ui"
    landed = client.get("/")  # not signed in: the sign-in page
    assert landed.status_code == 200 and "text/html" in landed.headers["content-type"]
    assert landed.url.path == "/ui/inloggen"
