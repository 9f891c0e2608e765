"""The path a newcomer takes to see werkmatch learn, exactly as the README gives it, on a small region:
`matcher demo generate` + `demo load`, `matcher demo outcomes DIR` (no flags: 12 weeks ending today),
`matcher train` (defaults), `matcher report`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from matcher.cli.main import main as run_cli
from matcher.service import Service


def _env(monkeypatch: pytest.MonkeyPatch, service: Service) -> None:
    s = service.settings
    assert s.database_url and s.secret_key
    for name, value in {"MATCHER_DATABASE_URL": s.database_url, "MATCHER_DATA_DIR": str(s.data_dir),
                        "MATCHER_MODELS_DIR": str(s.models_dir), "MATCHER_SECRET_KEY": s.secret_key,
                        "MATCHER_LOG_JSON": "false"}.items():
        monkeypatch.setenv(name, value)


@pytest.mark.timeout(900)
def test_demo_outcomes_then_train_then_report_with_their_defaults(
        service: Service, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _env(monkeypatch, service)
    region = tmp_path / "region"
    assert run_cli(["demo", "generate", "--out", str(region), "--candidates", "300", "--vacancies", "60"]) == 0
    assert run_cli(["demo", "load", str(region)]) == 0
    capsys.readouterr()

    assert run_cli(["train"]) == 2  # nothing happened yet: the error says what is missing and what to run
    assert "matcher demo outcomes DIR" in capsys.readouterr().err

    assert run_cli(["demo", "outcomes", str(region)]) == 0
    out = capsys.readouterr().out
    summary = json.loads(out[: out.rindex("}") + 1])
    assert summary["weeks"] == 12 and summary["shortlists"] == 12 * 40 and summary["recorded"] > 0
    until = datetime.fromisoformat(summary["until"]).date()
    assert until == datetime.now(UTC).date()  # the history ends today …
    with service.db.connection() as conn:
        shown = conn.execute("SELECT min(created_at) AS first, max(created_at) AS last FROM shown_matches").fetchone()
        latest = conn.execute("SELECT max(occurred_at) AS at FROM outcome_events").fetchone()
    assert shown is not None and latest is not None
    assert shown["first"] < datetime.now(UTC) - timedelta(weeks=11)  # … and began twelve weeks ago
    assert latest["at"] <= datetime.now(UTC)  # nothing from the future

    assert run_cli(["train"]) == 0
    trained = capsys.readouterr().out
    assert "champion" in trained and "challenger" in trained and "ndcg" in trained.lower()
    assert '"loglik"' in trained  # the figure the promotion rule decides on

    report = tmp_path / "rapport.html"
    assert run_cli(["report", "--out", str(report)]) == 0
    page = report.read_text()
    assert "<h2>Modellen</h2>" in page and "trained-" in page and "Leercurve" in page
    assert "log-likelihood nieuw" in page and "winst (95%-interval, beslist)" in page
