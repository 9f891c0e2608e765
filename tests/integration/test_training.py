"""Learning from outcomes end to end, on the real database with the real encoder: train on the stored
features, evaluate against the champion on a later period, promote (automatically or by a person), serve the
new version, roll back; the monitoring report in a file and in a real browser."""

from __future__ import annotations

import base64
import json
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import psycopg
import pytest

from matcher.config import Settings
from matcher.db import open_database
from matcher.errors import Invalid
from matcher.learning import registry, training
from matcher.matching.features import FEATURES, compute
from matcher.matching.scoring import AdditiveModel
from matcher.security import SYSTEM
from matcher.service import Service
from tests.integration import learning_world
from tests.integration.learning_world import World

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-secret-key-that-is-long-enough-000"
PRIOR = registry.PRIOR_VERSION


@pytest.fixture(scope="module")
def world_db(admin_url: str, template_url: str, encoder: Any, tmp_path_factory: pytest.TempPathFactory
             ) -> Iterator[tuple[str, World]]:
    """The world is built once per module in its own database; each test works on a clone of it."""
    name = "w_" + uuid.uuid4().hex[:12]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "werkmatch_template"')
    base = tmp_path_factory.mktemp("learning-world")
    settings = Settings(database_url=admin_url.replace("/postgres?", f"/{name}?", 1), data_dir=base / "var",
                        models_dir=ROOT / "models", secret_key=SECRET, log_json=False)
    database = open_database(settings)
    try:
        world = learning_world.build(Service(settings, database, encoder=encoder))
    finally:
        database.close()
    yield name, world
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def clone(world_db: tuple[str, World], admin_url: str, encoder: Any, tmp_path: Path
          ) -> Iterator[Callable[..., Service]]:
    """Makes a service on a fresh copy of the world, with its own models folder (a copy of models/)."""
    made: list[tuple[str, Service]] = []

    def make(**overrides: Any) -> Service:
        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{world_db[0]}"')
        models = tmp_path / name / "models"
        shutil.copytree(ROOT / "models", models)
        settings = Settings(database_url=admin_url.replace("/postgres?", f"/{name}?", 1),
                            data_dir=tmp_path / name / "var", models_dir=models, secret_key=SECRET, log_json=False,
                            **overrides)
        service = Service(settings, open_database(settings), encoder=encoder)
        made.append((name, service))
        return service

    yield make
    for name, service in made:
        service.db.close()
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def world(world_db: tuple[str, World]) -> World:
    return world_db[1]


def champion(service: Service) -> str:
    with service.db.connection() as conn:
        return registry.champion_version(conn)


def statuses(service: Service) -> dict[str, str]:
    with service.db.connection() as conn:
        return {m["version"]: m["status"] for m in registry.list_versions(conn)}


def cli(monkeypatch: pytest.MonkeyPatch, service: Service, *argv: str) -> int:
    from matcher.cli.main import main

    monkeypatch.setenv("MATCHER_DATABASE_URL", service.settings.database_url or "")
    monkeypatch.setenv("MATCHER_MODELS_DIR", str(service.settings.models_dir))
    monkeypatch.setenv("MATCHER_DATA_DIR", str(service.settings.data_dir))
    monkeypatch.setenv("MATCHER_SECRET_KEY", SECRET)
    monkeypatch.setenv("MATCHER_LOG_JSON", "false")
    return main(list(argv))


# -- train → evaluate → promote → serve → roll back --------------------------------------------------
def test_train_evaluate_promote_serve_and_roll_back(clone: Callable[..., Service], world: World,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    service = clone(fairness_max_gap=0.5)  # age_band is random here; see the next test for the default bound
    assert champion(service) == PRIOR
    result = training.train(service, seed=1, min_events=50)

    # evaluated against the champion on the same later period; the rule is learnable, so it wins
    old, new = result.metrics["champion"], result.metrics["challenger"]
    assert result.metrics["champion_version"] == PRIOR
    assert new["ndcg_requests"] == old["ndcg_requests"] >= training.MIN_EVAL_REQUESTS
    assert new["ndcg_at_10"] > old["ndcg_at_10"]
    assert new["roc_auc"] > old["roc_auc"] and new["roc_auc"] > 0.8
    for metrics in (old, new):
        assert 0.0 <= metrics["brier"] <= 1.0 and 0.0 <= metrics["average_precision"] <= 1.0
        assert set(metrics["selection"]) == {"age_band"}
        assert metrics["calibration"]["predicted"] and len(metrics["calibration"]["predicted"]) == len(
            metrics["calibration"]["observed"])
    with service.db.connection() as conn:
        n_shown = conn.execute("SELECT count(*) AS n FROM shown_matches").fetchone()["n"]  # type: ignore[index]
    assert result.counts["train_examples"] + result.counts["eval_examples"] == n_shown
    assert result.counts["eval_labelled"] == result.counts["eval_examples"]  # every shown match got outcomes...
    assert result.counts["train_labelled"] < result.counts["train_examples"]  # ...but not all before the split
    assert result.counts["retention_pending_in_training"] > 0  # censored at the split: hires, retention open
    assert result.decision["promote"] and result.promoted and result.status == "champion"
    assert result.metrics["ndcg_gain_ci95"][0] > 0  # a credible gain, not a lucky one
    assert result.metrics["regularisation"]["chosen_by"] == "evidence"  # C chosen on the training period

    # the version folder: weights as JSON, metrics, a model card with its plots
    folder = service.settings.models_dir / result.version
    for name in ("model.json", "metrics.json", "MODEL_CARD.md", "calibration.png", "scores.png"):
        assert (folder / name).stat().st_size > 0, name
    assert (folder / "calibration.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    card = (folder / "MODEL_CARD.md").read_text()
    for text in (result.version, PRIOR, "![Kalibratie](calibration.png)", "travel_distance", "age_band",
                 "code version", "Promoted automatically"):
        assert text in card, text
    assert json.loads((folder / "metrics.json").read_text())["challenger"]["ndcg_at_10"] == new["ndcg_at_10"]
    model = AdditiveModel.load(folder)
    assert model.version == result.version and model.meta["seed"] == 1
    # the rule rewards closeness and fitting hours: the fitted model says so
    weights = dict(zip(FEATURES, model.weights.tolist(), strict=True))
    assert weights["travel_distance"] > 1.0 and weights["hours_fit"] > 1.0

    # registered as champion; the next shortlist is served by the new version, with exact contributions
    assert statuses(service)[result.version] == "champion"
    shortlist = service.shortlist("wsp", "LV-001", actor=SYSTEM, limit=10)
    assert shortlist.model_version == result.version
    item = shortlist.result.items[0]
    x = np.array([item.features[f] for f in FEATURES], dtype=np.float32)
    total = sum(c["contribution"] for c in item.explanation["contributions"])
    assert total + model.base == pytest.approx(float(model.logit(x[None, :])[0]), abs=1e-3)
    with service.db.connection() as conn:
        row = conn.execute("SELECT model_version FROM shortlist_requests WHERE id = %s",
                           (shortlist.request_id,)).fetchone()
    assert row is not None and row["model_version"] == result.version

    # roll back from the command line (another process); the serving process notices without a restart
    assert cli(monkeypatch, service, "models", "rollback") == 0
    assert statuses(service)[result.version] == "rejected" and champion(service) == PRIOR
    time.sleep(service.models.ttl + 0.2)
    assert service.shortlist("wsp", "LV-001", actor=SYSTEM, limit=10).model_version == PRIOR
    # a second rollback does not flip back to the version just rolled back from
    assert cli(monkeypatch, service, "models", "rollback") == 2
    # a person can still promote it again
    assert cli(monkeypatch, service, "models", "promote", result.version) == 0
    time.sleep(service.models.ttl + 0.2)
    assert service.shortlist("wsp", "LV-001", actor=SYSTEM, limit=10).model_version == result.version


def test_training_uses_the_features_stored_when_shown(clone: Callable[..., Service], world: World) -> None:
    service = clone()
    with service.db.connection() as conn:
        examples = training.load_examples(conn)
        shown = conn.execute(
            """SELECT s.id, s.features, c.ref, c.id AS candidate_id, v.id AS vacancy_id FROM shown_matches s
               JOIN candidates c ON c.id = s.candidate_id JOIN vacancies v ON v.id = s.vacancy_id
               WHERE s.request_id = %s ORDER BY s.rank LIMIT 1""", (world.requests[0][0],)).fetchone()
    assert shown is not None and len(examples) == sum(1 for e in examples if e.events)  # all with outcomes
    ref, stored = shown["ref"], shown["features"]

    # the person moves far away and changes hours after the match was shown
    moved = world.candidates[ref].model_copy(update={"postcode": "6701", "hours_min": 36, "hours_max": 40,
                                                     "max_travel_km": 5})
    assert service.upsert_candidate(ref, moved, actor=SYSTEM).changed
    with service.db.connection() as conn:
        snapshot = service.snapshot(conn)
        now = compute(snapshot.candidates, snapshot.vacancies,
                      np.array([snapshot.candidate_pos[shown["candidate_id"]]]),
                      np.array([snapshot.vacancy_pos[shown["vacancy_id"]]])).features(0, 0)
        after = {e.key: e for e in training.load_examples(conn)}
    assert now["travel_distance"] != stored["travel_distance"]  # today's features differ...
    example = after[str(shown["id"])]
    assert dict(zip(FEATURES, example.x.tolist(), strict=True)) == pytest.approx(stored)  # ...training does not
    assert [e for e, _ in example.events][:1] == ["proposed"]

    # erasure: the person's shown matches go, the outcome events keep the shown features for learning
    service.erase_candidate(ref, actor=SYSTEM)
    with service.db.connection() as conn:
        kept = training.load_examples(conn)
    erased = [e for e in kept if e.candidate_id is None]
    assert erased and len(kept) == len(examples)
    assert any(dict(zip(FEATURES, e.x.tolist(), strict=True)) == pytest.approx(stored) for e in erased)


def test_a_challenger_that_widens_a_selection_gap_waits_for_a_person(clone: Callable[..., Service]) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from matcher.security import create_key

    service = clone()  # the default bound: 0.05
    result = training.train(service, seed=1, min_events=50)
    old, new = result.metrics["champion"], result.metrics["challenger"]
    assert new["ndcg_at_10"] > old["ndcg_at_10"]  # better on the primary metric...
    widening = new["selection"]["age_band"]["gap"] - old["selection"]["age_band"]["gap"]
    assert widening > service.settings.fairness_max_gap  # ...but it would widen the age-band gap
    assert not result.promoted and result.status == "challenger"
    assert any("age_band" in r and "widens" in r for r in result.decision["reasons"])
    assert statuses(service) == {PRIOR: "champion", result.version: "challenger"}
    assert "Waits for a person" in (result.path / "MODEL_CARD.md").read_text()
    assert service.shortlist("wsp", "LV-001", actor=SYSTEM, limit=5).model_version == PRIOR

    # a person decides: an admin promotes it over the API; the very next shortlist uses it
    with service.db.transaction() as conn:
        admin = create_key(conn, role="admin", municipality=None, name="test admin")[1]
        consultant = create_key(conn, role="consultant", municipality=None, name="test consultant")[1]
    with TestClient(create_app(service.settings, service), raise_server_exceptions=False) as client:
        listed = client.get("/v1/models", headers={"Authorization": f"Bearer {admin}"}).json()["items"]
        mine = next(m for m in listed if m["version"] == result.version)
        assert mine["status"] == "challenger" and mine["metrics"]["challenger"]["ndcg_at_10"] == new["ndcg_at_10"]
        assert client.post(f"/v1/models/{result.version}/promote",
                           headers={"Authorization": f"Bearer {consultant}"}).status_code == 403
        assert client.post("/v1/models/no-such-version/promote",
                           headers={"Authorization": f"Bearer {admin}"}).status_code == 404
        response = client.post(f"/v1/models/{result.version}/promote", headers={"Authorization": f"Bearer {admin}"})
        assert response.status_code == 200, response.text
        shortlist = client.get("/v1/vacancies/wsp/LV-001/shortlist?limit=5",
                               headers={"Authorization": f"Bearer {consultant}"}).json()
        assert shortlist["model_version"] == result.version
        back = client.post("/v1/models/rollback", headers={"Authorization": f"Bearer {admin}"})
        assert back.status_code == 200 and back.json() == {"champion": PRIOR}
        shortlist = client.get("/v1/vacancies/wsp/LV-001/shortlist?limit=5",
                               headers={"Authorization": f"Bearer {consultant}"}).json()
        assert shortlist["model_version"] == PRIOR


def test_the_model_card_shows_a_feature_that_copies_a_monitoring_attribute(clone: Callable[..., Service],
                                                                          world: World) -> None:
    service = clone(monitoring_attributes=["age_band", "woongebied"])
    # a monitoring attribute that follows how close people live to the vacancies they are shown for
    with service.db.connection() as conn:
        closeness = {r["ref"]: r["closeness"] for r in conn.execute(
            """SELECT c.ref, avg((s.features->>'travel_distance')::float) AS closeness FROM shown_matches s
               JOIN candidates c ON c.id = s.candidate_id GROUP BY c.ref""")}
    bands = ["ver weg", "verder weg", "dichtbij", "naast de deur"]  # quartiles of how close people are shown
    edges = np.quantile(list(closeness.values()), [0.25, 0.5, 0.75])
    changed = [(ref, body.model_copy(update={"monitoring": body.monitoring | {
        "woongebied": bands[int(np.searchsorted(edges, closeness[ref], side="right"))]}}))
               for ref, body in world.candidates.items() if ref in closeness]
    assert service.import_candidates(changed, actor=SYSTEM).updated == len(changed)

    result = training.train(service, seed=1, min_events=50)
    eta = result.metrics["correlations"]["woongebied"]["eta"]
    assert eta["travel_distance"] >= training.CORRELATION_WARN
    assert eta["travel_distance"] == max(eta.values())
    assert result.metrics["correlations"]["age_band"]["eta"]["travel_distance"] < eta["travel_distance"]
    card = (result.path / "MODEL_CARD.md").read_text()
    assert f"| travel_distance | {eta['travel_distance']:.3f} | **review: near-copy** |" in card
    # and both models' selection rates for the new attribute are measured and shown side by side
    for m in ("champion", "challenger"):
        groups = result.metrics[m]["selection"]["woongebied"]["groups"]
        assert set(groups) == set(bands) and result.metrics[m]["selection"]["woongebied"]["gap"] > 0
    assert "**woongebied** (gap: champion" in card


def test_same_data_and_seed_give_the_same_model(clone: Callable[..., Service]) -> None:
    split = datetime.now(UTC) - timedelta(days=250)
    first, second = clone(fairness_max_gap=0.5), clone(fairness_max_gap=0.5)
    a = training.train(first, seed=7, split_date=split, min_events=50)
    b = training.train(second, seed=7, split_date=split, min_events=50)
    assert a.version == b.version and a.version.startswith(f"trained-{split:%Y%m%d}-")
    assert (a.path / "model.json").read_bytes() == (b.path / "model.json").read_bytes()
    assert a.metrics["ndcg_gain_ci95"] == b.metrics["ndcg_gain_ci95"]
    # training again on the same data with the same seed changes nothing
    again = training.train(first, seed=7, split_date=split, min_events=50)
    assert again.unchanged and again.version == a.version and again.status == a.status
    # another seed: another version name, the same (deterministic) weights
    other = training.train(second, seed=8, split_date=split, min_events=50, auto_promote=False)
    assert other.version != a.version
    assert json.loads((other.path / "model.json").read_text())["weights"] == json.loads(
        (a.path / "model.json").read_text())["weights"]
    # other data (one more outcome before the split) make another model
    with second.db.connection() as conn:
        early = conn.execute(
            """SELECT c.ref, v.source, v.external_id, s.request_id::text AS request_id FROM shown_matches s
               JOIN candidates c ON c.id = s.candidate_id JOIN vacancies v ON v.id = s.vacancy_id
               WHERE s.created_at < %s ORDER BY s.created_at, s.id LIMIT 1""", (split,)).fetchone()
    assert early is not None
    from matcher.domain import OutcomeIn

    second.record_outcome(OutcomeIn.model_validate({
        "event": "retained_6m", "candidate_ref": early["ref"], "request_id": early["request_id"],
        "vacancy": {"source": early["source"], "external_id": early["external_id"]},
        "occurred_at": (split - timedelta(hours=1)).isoformat()}), actor=SYSTEM)
    changed = training.train(second, seed=7, split_date=split, min_events=50, auto_promote=False)
    assert changed.version != a.version and not changed.unchanged


def test_train_refuses_what_it_cannot_learn_from(clone: Callable[..., Service], monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    service = clone()
    with pytest.raises(Invalid, match="at least 5000 needed"):
        training.train(service, min_events=5000)
    with pytest.raises(Invalid, match="to evaluate with"):
        training.train(service, split_date=datetime.now(UTC), min_events=50)
    with pytest.raises(Invalid, match="not enough outcomes"):
        training.train(service, as_of=datetime.now(UTC) - timedelta(days=400))
    assert cli(monkeypatch, service, "train", "--min-events", "5000") == 2
    assert "at least 5000 needed" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        cli(monkeypatch, service, "train", "--split-date", "gisteren")
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit):
        cli(monkeypatch, service, "train", "--min-events", "0")
    assert statuses(service) == {PRIOR: "champion"}  # nothing was registered


def test_train_and_report_from_the_command_line(clone: Callable[..., Service], monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    service = clone(fairness_max_gap=0.5)
    monkeypatch.setenv("MATCHER_FAIRNESS_MAX_GAP", "0.5")
    assert cli(monkeypatch, service, "train", "--seed", "3", "--min-events", "50") == 0
    out = capsys.readouterr().out
    version = out.strip().splitlines()[-1].split(":")[0]
    assert "promoted to champion" in out and statuses(service)[version] == "champion"
    assert cli(monkeypatch, service, "models", "list") == 0
    assert version in capsys.readouterr().out
    assert cli(monkeypatch, service, "train", "--seed", "3", "--min-events", "50") == 0
    assert "exists already" in capsys.readouterr().out

    report = tmp_path / "rapport" / "werkmatch.html"
    since = (datetime.now(UTC) - timedelta(days=400)).date().isoformat()
    assert cli(monkeypatch, service, "report", "--out", str(report), "--since", since) == 0
    summary = json.loads(capsys.readouterr().out)
    assert report.exists() and summary["bytes"] == report.stat().st_size
    with pytest.raises(SystemExit):
        cli(monkeypatch, service, "report", "--out", str(report), "--since", "ooit")


# -- the monitoring report ------------------------------------------------------------------------
class _Page(HTMLParser):
    VOID: ClassVar[set[str]] = {"meta", "img", "br", "hr", "link", "input"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.images: list[dict[str, str | None]] = []
        self.links: list[str] = []
        self.headings: list[str] = []
        self.text: list[str] = []
        self.problems: list[str] = []
        self._in_heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            self.images.append(dict(attrs))
        for name, value in attrs:
            if name in ("href", "src") and value and not value.startswith("data:"):
                self.links.append(value)
        if tag in ("h1", "h2", "h3"):
            self._in_heading = True
            self.headings.append("")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
            return
        self.stack.pop()
        if tag in ("h1", "h2", "h3"):
            self._in_heading = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_heading:
            self.headings[-1] += data


def report_of(clone: Callable[..., Service], tmp_path: Path) -> tuple[Path, dict[str, Any], Service]:
    from matcher.learning import report

    service = clone()
    out = tmp_path / "rapport.html"
    return out, report.write(service, out), service


def test_the_report_is_one_self_contained_html_file(clone: Callable[..., Service], world: World,
                                                    tmp_path: Path) -> None:
    out, summary, service = report_of(clone, tmp_path)
    page = _Page()
    page.feed(out.read_text(encoding="utf-8"))
    page.close()
    assert not page.problems and not page.stack, (page.problems, page.stack)
    assert out.read_text().startswith("<!DOCTYPE html>")
    assert page.links == []  # nothing is fetched from elsewhere
    assert len(page.images) >= 7
    for image in page.images:
        src = image["src"] or ""
        assert src.startswith("data:image/png;base64,") and image.get("alt")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    for heading in ("Trechter per bron", "Trechter per gemeente", "Uitkomsten door de tijd", "Kalibratie",
                    "Score van aangenomen en afgewezen kandidaten", "Selectie per groep", "Bemiddelbaarheid per trede"):
        assert heading in page.headings, heading
    text = " ".join(page.text)
    # no person can be picked out by reference
    assert not any(ref in text for ref in world.candidates)
    # the funnel adds up with what happened, and WSP and Scalabor are both there
    with service.db.connection() as conn:
        counts = {r["event"]: r["n"] for r in conn.execute(
            "SELECT event, count(DISTINCT (candidate_id, vacancy_id)) AS n FROM outcome_events GROUP BY event")}
        shown = conn.execute("SELECT count(DISTINCT (candidate_id, vacancy_id)) AS n FROM shown_matches").fetchone()
    assert shown is not None
    funnel = summary["funnel"]
    assert funnel["shown"] == shown["n"] and funnel["proposed"] == counts["proposed"]
    assert funnel["hired"] == counts["hired"] and funnel["retained_6m"] == counts["retained_6m"]
    assert funnel["invited"] == counts["invited"]
    assert "WSP" in text and "Scalabor" in text and "age_band" in text
    assert summary["treden"] and all(t.startswith("trede") or t == "overig (klein)" for t in summary["treden"])
    # the period filter: nothing was shown in the last 30 days, so the funnel is empty then
    from matcher.learning import report

    recent = report.write(service, tmp_path / "recent.html", since=datetime.now(UTC) - timedelta(days=30))
    assert recent["funnel"]["shown"] == 0
    with service.db.connection() as conn:
        logged = conn.execute("SELECT count(*) AS n FROM audit_log WHERE action = 'report.generate'").fetchone()
    assert logged is not None and logged["n"] == 2


@pytest.mark.e2e
def test_the_report_opens_in_a_browser_with_its_charts(clone: Callable[..., Service], tmp_path: Path,
                                                       browser: Any) -> None:
    out, _, _ = report_of(clone, tmp_path)
    page = browser.new_page()
    try:
        failed: list[str] = []
        page.on("requestfailed", lambda request: failed.append(request.url))
        page.goto(out.as_uri())
        page.wait_for_load_state("load")
        assert page.title().startswith("werkmatch")
        widths = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.complete ? i.naturalWidth : 0)")
        assert len(widths) >= 7 and all(w > 0 for w in widths), widths
        assert page.locator("h2", has_text="Bemiddelbaarheid per trede").is_visible()
        assert failed == []
    finally:
        page.close()
