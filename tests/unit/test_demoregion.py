"""The synthetic demo region: generator, hidden truth and outcome simulator (no database)."""

from __future__ import annotations

import copy
import json
import random
import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from demoregion import Truth, generate, propose_probability, simulate
from demoregion import world as W
from demoregion.geo import POSTCODES

N_CAND, N_VAC = 300, 100
FILES = ("candidates.ndjson", "vacancies.ndjson", "truth/candidates.ndjson", "truth/vacancies.ndjson",
         "truth/RULE.md", "manifest.json")
FORBIDDEN_KEYS = {"name", "first_name", "last_name", "birth_date", "date_of_birth", "bsn", "gender", "nationality"}
EVENTS = {"proposed", "invited", "interviewed", "hired", "rejected", "declined", "no_show", "retained_6m", "left_job"}
REASONS = {"skills_mismatch", "experience", "availability", "distance", "language", "no_show", "other"}


def _read(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("region")
    generate(out, candidates=N_CAND, vacancies=N_VAC, seed=7)
    return out


@pytest.fixture(scope="module")
def truth(region: Path) -> Truth:
    return Truth.load(region / "truth")


# ---------------------------------------------------------------------------------------------- generation
def test_counts_and_manifest(region: Path) -> None:
    for rel in FILES:
        assert (region / rel).is_file(), rel
    assert len(_read(region / "candidates.ndjson")) == N_CAND
    assert len(_read(region / "vacancies.ndjson")) == N_VAC
    assert len(_read(region / "truth/candidates.ndjson")) == N_CAND
    assert len(_read(region / "truth/vacancies.ndjson")) == N_VAC
    manifest = json.loads((region / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 7
    assert manifest["counts"]["candidates"] == N_CAND
    assert manifest["counts"]["vacancies"] == N_VAC
    assert manifest["counts"]["wsp"] + manifest["counts"]["scalabor"] == N_VAC
    assert manifest["version"]
    for rel, size in manifest["sizes"].items():
        assert (region / rel).stat().st_size == size
    rule = (Path(W.__file__).parent / "RULE.md").read_bytes()
    assert (region / "truth/RULE.md").read_bytes() == rule


def _is_num(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def test_candidate_fields(region: Path) -> None:
    cands = _read(region / "candidates.ndjson")
    refs = [c["ref"] for c in cands]
    assert len(set(refs)) == len(refs)
    restriction_codes = set(W.RESTRICTION_CODES)
    for c in cands:
        assert re.fullmatch(r"C\d{6}", c["ref"])
        assert c["municipality"] in W.MUNICIPALITIES
        assert POSTCODES[c["postcode"]][2] == c["municipality"]
        assert c["trede"] in range(6)
        assert isinstance(c["hours_min"], int) and isinstance(c["hours_max"], int)
        assert 0 < c["hours_min"] <= c["hours_max"] <= 40
        assert 5 <= c["max_travel_km"] <= 40
        assert set(c["driving_licences"]) <= set(W.LICENCES)
        assert c["dutch_level"] is None or c["dutch_level"] in W.DUTCH_LEVELS
        assert c["education_level"] is None or c["education_level"] in W.EDUCATION_LEVELS
        assert all(isinstance(x, str) and x for x in c["certificates"])
        for s in c["skills"]:
            assert set(s) == {"label", "years"} and isinstance(s["label"], str) and s["label"]
            assert s["years"] is None or _is_num(s["years"])
        for e in c["experience"]:
            assert set(e) == {"title", "years"} and isinstance(e["title"], str) and e["title"]
            assert e["years"] is None or _is_num(e["years"])
        assert all(isinstance(x, str) and x for x in c["desired_occupations"])
        assert c["shifts"] and set(c["shifts"]) <= set(W.SHIFTS)
        for r in c["restrictions"]:
            if "text" in r:
                assert set(r) == {"text"} and isinstance(r["text"], str) and r["text"]
            else:
                assert r["code"] in restriction_codes
                if r["code"] in ("max_lift_kg", "max_hours_week"):
                    assert isinstance(r["value"], int)
        assert isinstance(c["summary"], str) and 10 < len(c["summary"]) < 400
        assert c["status"] in {"active", "paused", "placed", "withdrawn"}
        assert c["monitoring"]["age_band"] in W.AGE_BANDS
    # the population is not degenerate even at this size
    assert sum(c["municipality"] == "arnhem" for c in cands) > 0.7 * N_CAND
    assert len({c["trede"] for c in cands}) == 6
    assert any("text" in r for c in cands for r in c["restrictions"])
    assert any("code" in r for c in cands for r in c["restrictions"])


def test_vacancy_fields(region: Path) -> None:
    vacs = _read(region / "vacancies.ndjson")
    keys = [(v["source"], v["external_id"]) for v in vacs]
    assert len(set(keys)) == len(keys)
    demand_codes = set(W.DEMAND_CODES)
    for v in vacs:
        assert v["source"] in {"wsp", "scalabor"}
        pattern = r"WSP-2026-\d{6}" if v["source"] == "wsp" else r"SCA-\d{6}"
        assert re.fullmatch(pattern, v["external_id"])
        for key in ("title", "description", "employer"):
            assert isinstance(v[key], str) and v[key]
        assert v["postcode"] in POSTCODES
        assert 0 < v["hours_min"] <= v["hours_max"] <= 40
        assert set(v["shifts"]) <= set(W.SHIFTS) and v["shifts"]
        for key in ("required_skills", "preferred_skills", "certificates"):
            assert all(isinstance(x, str) and x for x in v[key])
        assert set(v["driving_licences"]) <= set(W.LICENCES)
        assert v["dutch_level"] in W.DUTCH_LEVELS
        assert v["education_level"] in W.EDUCATION_LEVELS
        for d in v["demands"]:
            assert d["code"] in demand_codes
            if d["code"] == "lift_kg":
                assert isinstance(d["value"], int) and d["value"] > 0
        assert set(v["support"]) <= set(W.SUPPORT)
        if v["source"] == "scalabor":
            assert v["support"], "Scalabor vacancies always offer support"
        assert 1 <= v["positions"] <= 5
        assert "2026-12-01" <= v["closes_at"] <= "2027-03-31"
        datetime.fromisoformat(v["closes_at"])
        assert v["status"] in {"open", "filled", "closed"}
    assert {v["source"] for v in vacs} == {"wsp", "scalabor"}


def test_no_identifying_fields(region: Path) -> None:
    def keys_of(obj: Any) -> set[str]:
        if isinstance(obj, dict):
            out = {k.lower() for k in obj}
            for val in obj.values():
                out |= keys_of(val)
            return out
        if isinstance(obj, list):
            out = set()
            for val in obj:
                out |= keys_of(val)
            return out
        return set()

    for rel in ("candidates.ndjson", "vacancies.ndjson", "truth/candidates.ndjson", "truth/vacancies.ndjson"):
        for rec in _read(region / rel):
            assert not keys_of(rec) & FORBIDDEN_KEYS, rel


def test_determinism(tmp_path: Path, region: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    ma = generate(a, candidates=N_CAND, vacancies=N_VAC, seed=7)
    mb = generate(b, candidates=N_CAND, vacancies=N_VAC, seed=7)
    generate(c, candidates=N_CAND, vacancies=N_VAC, seed=8)
    assert ma == mb
    for rel in FILES:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel
        assert (a / rel).read_bytes() == (region / rel).read_bytes(), rel
    for rel in ("candidates.ndjson", "vacancies.ndjson", "truth/candidates.ndjson", "truth/vacancies.ndjson"):
        assert (a / rel).read_bytes() != (c / rel).read_bytes(), rel


def test_drift_scenario_changes_only_the_rule(tmp_path: Path, region: Path, truth: Truth) -> None:
    from demoregion.truth import HIRE, INVITE, RETAIN, SCENARIOS

    drift = tmp_path / "drift"
    manifest = generate(drift, candidates=N_CAND, vacancies=N_VAC, seed=7, scenario="drift")
    assert manifest["scenario"] == "drift"
    # the same people and vacancies (and documentation); the default region is unchanged and has no scenario file
    for rel in FILES[:-1]:
        assert (drift / rel).read_bytes() == (region / rel).read_bytes(), rel
    assert not (region / "truth/scenario.json").exists()
    assert json.loads((drift / "truth/scenario.json").read_text())["scenario"] == "drift"
    assert (truth.scenario, truth.invite, truth.hire, truth.retain) == ("default", INVITE, HIRE, RETAIN)
    moved = Truth.load(drift / "truth")
    assert moved.scenario == "drift" and moved.invite["wish"] == SCENARIOS["drift"]["invite"]["wish"]
    # at least three documented departures, each named in RULE.md's scenario table
    changed = {(stage, k) for stage, coef in SCENARIOS["drift"].items() for k in coef
               if coef[k] != {"invite": INVITE, "hire": HIRE, "retain": RETAIN}[stage][k]}
    assert len(changed) >= 3
    rule = (drift / "truth/RULE.md").read_text(encoding="utf-8")
    section = rule[rule.index("## 6. Scenarios"):]
    assert all(f"`{k}`" in section for _, k in changed)
    # the rule moves: people nearby who want the work gain against the default rule
    cands = [c["ref"] for c in _read(region / "candidates.ndjson")]
    vacs = [(v["source"], v["external_id"]) for v in _read(region / "vacancies.ndjson")]
    old, new = truth.relevance(cands, vacs), moved.relevance(cands, vacs)
    assert np.array_equal(old, Truth.load(region / "truth", scenario="default").relevance(cands, vacs))
    assert not np.allclose(old, new)
    t = truth.pair_terms([cands[i] for i in range(N_CAND) for _ in range(3)], [vacs[j] for _ in range(N_CAND)
                                                                                for j in range(3)])
    wish = t["wish"].reshape(N_CAND, 3) > 0.9
    ratio = np.log(new[:, :3] / old[:, :3])
    assert ratio[wish].mean() > ratio[~wish].mean()
    with pytest.raises(ValueError, match="unknown scenario"):
        generate(tmp_path / "x", candidates=1, vacancies=1, seed=7, scenario="nope")


def test_observed_data_is_messy_but_grounded(region: Path) -> None:
    cands = _read(region / "candidates.ndjson")
    known = {f.lower() for forms in W.SKILLS.values() for f in forms}
    labels = [s["label"] for c in cands for s in c["skills"]]
    exact = sum(lab.lower() in known for lab in labels)
    assert 0.4 * len(labels) < exact < 0.9 * len(labels)  # misspellings and merged labels exist, most are real


def test_package_is_independent_of_matcher() -> None:
    pkg = Path(W.__file__).parent
    for src in pkg.glob("*.py"):
        text = src.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import)\s+(matcher|api)\b", text, re.M), src.name


# ---------------------------------------------------------------------------------------------- truth
def test_relevance_shape_and_range(truth: Truth) -> None:
    refs = truth.candidate_refs
    keys = truth.vacancy_keys
    rel = truth.relevance(refs, keys)
    assert rel.shape == (N_CAND, N_VAC)
    assert np.isfinite(rel).all() and (rel >= 0).all() and (rel <= 1).all()
    assert rel.max() > 0.2 and rel.min() < 0.01  # graded, not flat
    pi, ph, pr = truth.p_invite(refs, keys), truth.p_hire(refs, keys), truth.p_retain(refs, keys)
    np.testing.assert_allclose(rel, pi * ph * pr, rtol=1e-5, atol=1e-9)
    sub = truth.relevance(refs[5:9], keys[10:13])
    np.testing.assert_allclose(sub, rel[5:9, 10:13])
    assert truth.relevance([], keys).shape == (0, N_VAC)
    with pytest.raises(KeyError):
        truth.relevance(["C999999"], keys[:1])


def _lat_records(region: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return _read(region / "truth/candidates.ndjson"), _read(region / "truth/vacancies.ndjson")


def test_better_skill_match_raises_relevance(region: Path) -> None:
    cands, vacs = _lat_records(region)
    vac = next(v for v in vacs if v["source"] == "wsp" and len(v["required_skills"]) >= 3)
    base = copy.deepcopy(cands[0])
    base.update(ref="X1", skills=[], occupations=[], wishes=[], restrictions=[], trede=4)
    good = copy.deepcopy(base)
    good["ref"] = "X2"
    good["skills"] = [{"code": s, "proficiency": 0.9} for s in vac["required_skills"]]
    t = Truth.from_records([base, good], [vac])
    key = [(vac["source"], vac["external_id"])]
    rel = t.relevance(["X1", "X2"], key)[:, 0]
    assert rel[1] > rel[0] * 1.5
    assert t.p_invite(["X2"], key)[0, 0] > t.p_invite(["X1"], key)[0, 0]
    # and holding the occupation itself helps further
    best = copy.deepcopy(good)
    best["ref"] = "X3"
    best["occupations"] = [{"code": vac["occupation"], "proficiency": 0.9, "years": 5.0}]
    t2 = Truth.from_records([good, best], [vac])
    assert t2.relevance(["X3"], key)[0, 0] > t2.relevance(["X2"], key)[0, 0]


def test_trede_matters_only_for_unsupported_wsp(region: Path) -> None:
    cands, vacs = _lat_records(region)
    proto = vacs[0]
    wsp = copy.deepcopy(proto)
    wsp.update(source="wsp", external_id="W1", support=[])
    sca = copy.deepcopy(proto)
    sca.update(source="scalabor", external_id="S1", support=["jobcoach"])
    low = copy.deepcopy(cands[0])
    low.update(ref="LOW", trede=0, restrictions=[])
    high = copy.deepcopy(low)
    high.update(ref="HIGH", trede=5)
    t = Truth.from_records([low, high], [wsp, sca])
    hire = t.p_hire(["LOW", "HIGH"], [("wsp", "W1"), ("scalabor", "S1")])
    assert hire[0, 0] < hire[1, 0]  # WSP without support: lower trede, lower hire chance
    assert hire[0, 1] >= hire[1, 1]  # Scalabor: not lower for het bestand


def test_support_compensates_restrictions(region: Path) -> None:
    cands, vacs = _lat_records(region)
    vac = copy.deepcopy(vacs[0])
    vac.update(external_id="V-PLAIN", source="wsp", support=[],
               demands=[{"code": "lift_kg", "value": 25}, {"code": "standing", "value": None}])
    carved = copy.deepcopy(vac)
    carved.update(external_id="V-CARVED", support=["jobcarving"])
    cand = copy.deepcopy(cands[0])
    cand.update(ref="R", trede=3, restrictions=[{"code": "max_lift_kg", "value": 10},
                                               {"code": "no_prolonged_standing", "value": None}])
    free = copy.deepcopy(cand)
    free.update(ref="F", restrictions=[])
    t = Truth.from_records([cand, free], [vac, carved])
    h = t.p_hire(["R", "F"], [("wsp", "V-PLAIN"), ("wsp", "V-CARVED")])
    assert h[0, 0] < 0.5 * h[1, 0]  # the conflict hurts without support
    assert h[0, 1] > 2 * h[0, 0]  # jobcarving compensates most of it


def test_age_band_has_no_effect(tmp_path: Path, region: Path, truth: Truth) -> None:
    # the truth files do not even contain it
    assert "age_band" not in (region / "truth/candidates.ndjson").read_text(encoding="utf-8")
    # permute the age bands of the observed file, rebuild: identical relevance
    target = tmp_path / "permuted"
    (target / "truth").mkdir(parents=True)
    cands = _read(region / "candidates.ndjson")
    bands = [c["monitoring"]["age_band"] for c in cands]
    random.Random(3).shuffle(bands)
    for c, band in zip(cands, bands, strict=True):
        c["monitoring"]["age_band"] = band
    (target / "candidates.ndjson").write_text("".join(json.dumps(c) + "\n" for c in cands), encoding="utf-8")
    for rel in ("truth/candidates.ndjson", "truth/vacancies.ndjson"):
        (target / rel).write_bytes((region / rel).read_bytes())
    again = Truth.load(target / "truth")
    refs, keys = truth.candidate_refs, truth.vacancy_keys
    np.testing.assert_array_equal(again.relevance(refs, keys), truth.relevance(refs, keys))


def test_relevance_is_fast_enough(truth: Truth) -> None:
    # smoke check only (the real timing lives in the benchmark): 300 x 100 must be instant
    import time

    t0 = time.perf_counter()
    truth.relevance(truth.candidate_refs, truth.vacancy_keys)
    assert time.perf_counter() - t0 < 2.0


# ---------------------------------------------------------------------------------------------- outcomes
def _shown(truth: Truth, n_vac: int = 60, per: int = 15) -> list[dict[str, Any]]:
    rel = truth.relevance(truth.candidate_refs, truth.vacancy_keys[:n_vac])
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    items = []
    for j, (src, ext) in enumerate(truth.vacancy_keys[:n_vac]):
        order = np.argsort(-rel[:, j], kind="stable")[:per]
        for rank, i in enumerate(order, start=1):
            items.append({"request_id": f"r{j}", "candidate_ref": truth.candidate_refs[i],
                          "vacancy": {"source": src, "external_id": ext}, "rank": rank,
                          "shown_at": start + timedelta(hours=j)})
    return items


def test_simulate_event_sequences(truth: Truth) -> None:
    shown = _shown(truth)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    events = simulate(shown, truth, seed=11, start=start)
    assert events
    kinds = {e["event"] for e in events}
    assert kinds <= EVENTS
    assert {"proposed", "invited", "hired"} <= kinds
    times = [datetime.fromisoformat(e["occurred_at"]) for e in events]
    assert times == sorted(times)
    assert all(t >= start for t in times)
    shown_pairs = {(s["request_id"], s["candidate_ref"], s["vacancy"]["external_id"]) for s in shown}
    by_pair: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for e in events:
        assert set(e) == {"event", "candidate_ref", "vacancy", "request_id", "occurred_at", "reason"}
        assert set(e["vacancy"]) == {"source", "external_id"}
        key = (e["request_id"], e["candidate_ref"], e["vacancy"]["external_id"])
        assert key in shown_pairs
        by_pair[key].append(e)
        if e["event"] in ("rejected", "left_job"):
            assert e["reason"] in REASONS
        elif e["event"] == "declined":
            assert e["reason"] is None or e["reason"] in REASONS
        elif e["event"] not in ("no_show",):
            assert e["reason"] is None
    for seq in by_pair.values():
        kinds_seq = [e["event"] for e in seq]
        assert kinds_seq[0] == "proposed"
        assert kinds_seq.count("proposed") == 1
        if "hired" in kinds_seq:
            assert "invited" in kinds_seq and kinds_seq.index("invited") < kinds_seq.index("hired")
            assert kinds_seq.index("interviewed") < kinds_seq.index("hired")
        if "interviewed" in kinds_seq:
            assert "invited" in kinds_seq
        if "retained_6m" in kinds_seq or "left_job" in kinds_seq:
            assert "hired" in kinds_seq
            hired = next(datetime.fromisoformat(e["occurred_at"]) for e in seq if e["event"] == "hired")
            end = seq[-1]
            assert end["event"] in ("retained_6m", "left_job")
            gap = datetime.fromisoformat(end["occurred_at"]) - hired
            if end["event"] == "retained_6m":
                assert gap == timedelta(days=182)
            else:
                assert timedelta(0) < gap < timedelta(days=182)
        if "hired" in kinds_seq:
            assert kinds_seq[-1] in ("retained_6m", "left_job")
        if "no_show" in kinds_seq:
            assert kinds_seq[-1] == "rejected" and seq[-1]["reason"] == "no_show"
        assert kinds_seq.count("hired") <= 1


def test_simulate_is_deterministic_and_rank_driven(truth: Truth) -> None:
    shown = _shown(truth)
    start = datetime(2026, 3, 1, tzinfo=UTC)
    a = simulate(shown, truth, seed=5, start=start)
    b = simulate(list(reversed(shown)), truth, seed=5, start=start)
    c = simulate(shown, truth, seed=6, start=start)
    assert a == b
    assert a != c
    proposed_ranks: defaultdict[int, int] = defaultdict(int)
    rank_of = {(s["request_id"], s["candidate_ref"]): s["rank"] for s in shown}
    for e in a:
        if e["event"] == "proposed":
            proposed_ranks[rank_of[(e["request_id"], e["candidate_ref"])]] += 1
    assert sum(proposed_ranks[r] for r in range(1, 4)) > sum(proposed_ranks[r] for r in range(8, 11))
    assert propose_probability(1) > propose_probability(10) > propose_probability(15) > propose_probability(30) == 0
    assert simulate([], truth, seed=1, start=start) == []
