"""Retention and the Algoritmeregister entry, through the service and through the `matcher` command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from matcher.cli.main import main as run_cli
from matcher.config import Settings
from matcher.domain import CandidateIn
from matcher.governance.retention import apply_retention
from matcher.learning import registry
from matcher.matching.features import FEATURES
from matcher.matching.scoring import AdditiveModel
from matcher.security import SYSTEM
from matcher.service import Service

INACTIVE_DAYS, AUDIT_DAYS = 90, 400
PERSON = {"municipality": "arnhem", "postcode": "6825", "trede": 2, "skills": [{"label": "orderpicken"}],
          "restrictions": [{"code": "max_lift_kg", "value": 10}]}
# ref -> (status, days since the last change)
PEOPLE = {"OLD-PLACED": ("placed", 200), "OLD-WITHDRAWN": ("withdrawn", 91), "OLD-ACTIVE": ("active", 900),
          "RECENT-PAUSED": ("paused", 89), "RECENT-ACTIVE": ("active", 5)}
EXPIRED = {"OLD-PLACED", "OLD-WITHDRAWN"}
# audit action -> age in days
AUDIT = {"test.ancient": 3000, "test.expired": AUDIT_DAYS + 1, "test.kept": AUDIT_DAYS - 1, "test.young": 1}


def _set_env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    assert settings.database_url and settings.secret_key
    for name, value in {"MATCHER_DATABASE_URL": settings.database_url, "MATCHER_DATA_DIR": str(settings.data_dir),
                        "MATCHER_MODELS_DIR": str(settings.models_dir), "MATCHER_SECRET_KEY": settings.secret_key,
                        "MATCHER_RETENTION_INACTIVE_DAYS": str(INACTIVE_DAYS),
                        "MATCHER_AUDIT_RETENTION_DAYS": str(AUDIT_DAYS), "MATCHER_LOG_JSON": "false"}.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def aged(service: Service) -> Service:
    """People changed long ago and recently, and audit entries of several ages."""
    body = CandidateIn.model_validate(PERSON)
    service.import_candidates([(ref, body) for ref in PEOPLE], actor=SYSTEM)
    with service.db.transaction() as conn:
        for ref, (status, days) in PEOPLE.items():
            conn.execute("UPDATE candidates SET status = %s, updated_at = now() - make_interval(days => %s) "
                         "WHERE ref = %s", (status, days, ref))
        for action, days in AUDIT.items():  # an entry's time is set when it is written; INSERT is allowed
            conn.execute("INSERT INTO audit_log (action, at) VALUES (%s, now() - make_interval(days => %s))",
                         (action, days))
    return service


def _refs(service: Service) -> set[str]:
    with service.db.connection() as conn:
        return {r["ref"] for r in conn.execute("SELECT ref FROM candidates")}


def _audit_actions(service: Service) -> set[str]:
    with service.db.connection() as conn:
        return {r["action"] for r in conn.execute("SELECT action FROM audit_log WHERE action LIKE 'test.%'")}


def _restrictions(service: Service) -> int:
    with service.db.connection() as conn:
        row = conn.execute("SELECT count(*) AS n FROM candidate_restrictions").fetchone()
    assert row is not None
    return int(row["n"])


def test_retention_erases_long_inactive_people_and_purges_expired_audit_entries(aged: Service) -> None:
    settings = aged.settings.model_copy(update={"retention_inactive_days": INACTIVE_DAYS,
                                                "audit_retention_days": AUDIT_DAYS})
    service = Service(settings, aged.db, encoder=aged.encoder)
    assert _restrictions(service) == len(PEOPLE)

    report = apply_retention(service)

    assert report["candidates_erased"] == len(EXPIRED) and report["audit_entries_removed"] == 2
    assert _refs(service) == set(PEOPLE) - EXPIRED  # active people stay however old; recent inactive ones too
    assert _restrictions(service) == len(PEOPLE) - len(EXPIRED)  # erased through and through
    with service.db.connection() as conn:
        vectors = conn.execute("SELECT count(*) AS n FROM embeddings WHERE kind = 'candidate'").fetchone()
        erased = conn.execute("SELECT subjects FROM audit_log WHERE action = 'candidate.erase'").fetchall()
    assert vectors is not None and vectors["n"] == len(PEOPLE) - len(EXPIRED)
    assert sorted(s for r in erased for s in r["subjects"]) == sorted(service.pseudonym(r) for r in EXPIRED)
    assert _audit_actions(service) == {"test.kept", "test.young"}

    again = apply_retention(service)  # nothing left to do
    assert (again["candidates_erased"], again["audit_entries_removed"]) == (0, 0)


def test_the_default_periods_keep_everything_here(aged: Service) -> None:
    """730 days of inactivity and seven years of audit: only the 3,000-day-old entry is past them."""
    report = apply_retention(aged)
    assert (report["candidates_erased"], report["audit_entries_removed"]) == (0, 1)
    assert _refs(aged) == set(PEOPLE) and "test.ancient" not in _audit_actions(aged)


def test_matcher_retention_apply_from_the_command_line(aged: Service, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    _set_env(monkeypatch, aged.settings)

    assert run_cli(["retention", "apply", "--dry-run"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry == {"dry_run": True, "candidates": len(EXPIRED), "audit_entries": 2}
    assert _refs(aged) == set(PEOPLE) and _audit_actions(aged) == set(AUDIT)  # a dry run changes nothing

    assert run_cli(["retention", "apply"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert (done["candidates_erased"], done["audit_entries_removed"]) == (len(EXPIRED), 2)
    assert (done["inactive_days"], done["audit_days"]) == (INACTIVE_DAYS, AUDIT_DAYS)
    assert _refs(aged) == set(PEOPLE) - EXPIRED and _audit_actions(aged) == {"test.kept", "test.young"}


def test_matcher_register_writes_the_entry_of_the_live_model(service: Service, monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    prior = AdditiveModel.load(service.settings.models_dir / registry.PRIOR_VERSION)
    weights = np.round(prior.weights * -1.5 + 0.37, 2)  # visibly different from the prior's, at two decimals
    live = AdditiveModel(version="test-2027.01", weights=weights, intercept=prior.intercept,
                         reference=prior.reference)
    live.save(tmp_path / "test-2027.01")
    with service.db.transaction() as conn:
        registry.register(conn, live, path=tmp_path / "test-2027.01")
        registry.promote(conn, "test-2027.01")
    service.import_candidates([("R-1", CandidateIn.model_validate(PERSON))], actor=SYSTEM)
    _set_env(monkeypatch, service.settings)
    out = tmp_path / "algoritmeregister.md"

    assert run_cli(["register", "--out", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    text = out.read_text()

    assert "model `test-2027.01`" in text and "## Gewichten van het huidige model (test-2027.01)" in text
    assert registry.PRIOR_VERSION not in text
    rows = dict(re.findall(r"^\| (\w+) \| ([+-]\d+\.\d\d) \|$", text, flags=re.M))
    assert list(rows) == list(FEATURES)
    assert [float(rows[f]) for f in FEATURES] == pytest.approx(weights.tolist(), abs=0.006)
    assert "1 actieve kandidaten" in text
    assert f"{INACTIVE_DAYS} dagen inactief, audit {AUDIT_DAYS} dagen" in text  # the configured periods
    for field in ("Naam", "Organisatie", "Doel", "Menselijke tussenkomst", "Wettelijke basis", "Gegevens",
                  "Werking", "Risicobeheer", "Impacttoetsen"):
        assert f"| {field} |" in text
