"""The nightly rematch on the real database with the real encoder: runs, reuse, new matches,
crashes and reruns, the lock, Dask, the CLI and the API."""

from __future__ import annotations

import csv
import json
import logging
import math
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
import pytest

from matcher.batch import rematch, worklist
from matcher.batch.estimate import GROUPS, Estimate
from matcher.cli.base import EXIT_BUSY, EXIT_OK
from matcher.cli.main import main
from matcher.config import Settings
from matcher.domain import CandidateIn, VacancyIn
from matcher.errors import NotFound
from matcher.matching.explain import Explainer
from matcher.matching.features import FEATURES, compute
from matcher.matching.ranking import for_candidate, for_vacancy
from matcher.security import SYSTEM
from matcher.service import Service

K = 4
BLOCK = 6  # 18 open vacancies -> three blocks, so merging across blocks is exercised

# occupation: (skills, certificates, demands)
OCCUPATIONS: dict[str, tuple[list[str], list[str], list[dict[str, Any]]]] = {
    "magazijnmedewerker": (["orderpicken", "heftruck rijden", "scanner bedienen"], ["VCA"],
                           [{"code": "lift_kg", "value": 20}]),
    "schoonmaker": (["schoonmaken", "hygiëne", "afval scheiden"], [], [{"code": "standing"}]),
    "kok": (["koken", "hygiëne", "snijtechnieken"], ["HACCP"], [{"code": "standing"}, {"code": "evening_work"}]),
    "verzorgende": (["persoonlijke verzorging", "medicatie toedienen", "rapporteren"], [],
                    [{"code": "customer_contact"}]),
    "productiemedewerker": (["inpakken", "machine bedienen", "kwaliteitscontrole"], [], []),
    "vrachtwagenchauffeur": (["rijden", "laden en lossen", "routeplanning"], [], [{"code": "driving"}]),
    "winkelmedewerker": (["kassa", "klanten helpen", "vakken vullen"], [], [{"code": "customer_contact"}]),
    "groenvoorziener": (["snoeien", "maaien", "bestrating"], [], [{"code": "outdoor"}]),
}
POSTCODES = {"arnhem": ["6811", "6812", "6813", "6814", "6815"], "rheden": ["6881", "6882", "6951", "6991"]}
PAUSED = {"C-0005", "C-0017", "C-0040"}


def make_vacancies(seed: int = 7, n: int = 20) -> dict[tuple[str, str], VacancyIn]:
    rnd = random.Random(seed)
    occupations = list(OCCUPATIONS)
    out = {}
    for i in range(n):
        title = occupations[i % len(occupations)]
        skills, certificates, demands = OCCUPATIONS[title]
        support = rnd.choice([[], [], ["jobcoach"], ["jobcoach", "jobcarving"], ["loonkostensubsidie"]])
        source = "scalabor" if support else "wsp"
        key = (source, f"{source.upper()}-{i:03d}")
        out[key] = VacancyIn.model_validate(dict(
            title=title, description=f"Wij zoeken een {title} voor ons team.", employer=f"Werkgever {i % 5}",
            postcode=rnd.choice(POSTCODES["arnhem"] + POSTCODES["rheden"]), hours_min=rnd.choice([12, 20, 24]),
            hours_max=38, required_skills=skills[:2], preferred_skills=skills[2:], certificates=certificates,
            demands=demands, support=support, driving_licences=["C"] if title == "vrachtwagenchauffeur" else [],
            shifts=["day", "evening"] if title == "kok" else ["day"], status="filled" if i in (3, 11) else "open"))
    return out


def make_candidates(seed: int = 11, n: int = 60) -> dict[str, CandidateIn]:
    rnd = random.Random(seed)
    occupations = list(OCCUPATIONS)
    out = {}
    for i in range(n):
        ref = f"C-{i:04d}"
        municipality = "rheden" if i % 3 == 0 else "arnhem"
        occupation, wish = rnd.choice(occupations), rnd.choice(occupations)
        own = OCCUPATIONS[occupation][0]
        restrictions: list[dict[str, Any]] = []
        if i % 7 == 0:
            restrictions.append({"code": "max_lift_kg", "value": 10})
        if i % 11 == 0:
            restrictions.append({"code": "no_evening"})
        if i % 13 == 0:
            restrictions.append({"text": "liever een rustige werkplek"})
        out[ref] = CandidateIn.model_validate(dict(
            municipality=municipality, postcode=rnd.choice(POSTCODES[municipality]), trede=i % 6,
            hours_min=rnd.choice([None, 12, 20]), hours_max=rnd.choice([24, 32, 38]),
            max_travel_km=rnd.choice([None, 10, 25]), driving_licences=rnd.choice([[], ["B"], ["B", "C"]]),
            dutch_level=rnd.choice(["A2", "B1", "B2", None]), certificates=rnd.choice([[], ["VCA"], ["HACCP"]]),
            skills=[{"label": s, "years": rnd.randint(0, 6)} for s in rnd.sample(own, 2)],
            experience=[{"title": occupation, "years": rnd.randint(1, 8)}], desired_occupations=[wish],
            shifts=rnd.choice([["day"], ["day", "evening"], []]), restrictions=restrictions,
            summary=f"Heeft gewerkt als {occupation} en wil graag aan de slag als {wish}.",
            status="paused" if ref in PAUSED else "active"))
    return out


VACANCIES = make_vacancies()
CANDIDATES = make_candidates()
FILLED = {key for key, v in VACANCIES.items() if v.status == "filled"}


@pytest.fixture
def world(service: Service) -> Service:
    service.import_vacancies(list(VACANCIES.items()), actor=SYSTEM)
    service.import_candidates(list(CANDIDATES.items()), actor=SYSTEM)
    return service


def stored(service: Service, run_id: int) -> dict[tuple[str, int, int], tuple[int, float, dict[str, float], list[str]]]:
    with service.db.connection() as conn:
        rows = conn.execute(
            """SELECT direction, candidate_id, vacancy_id, rank, score, features, attention
               FROM rematch_results WHERE run_id = %s""", (run_id,)).fetchall()
    return {(r["direction"], r["candidate_id"], r["vacancy_id"]): (r["rank"], r["score"], r["features"],
                                                                    sorted(r["attention"])) for r in rows}


def ranked(results: dict[tuple[str, int, int], Any], direction: str) -> dict[int, list[int]]:
    """Per candidate (or vacancy) the other side's ids in rank order."""
    out: dict[int, list[tuple[int, int]]] = {}
    for (d, cid, vid), (rank, *_) in results.items():
        if d == direction:
            own, other = (cid, vid) if d == "candidate" else (vid, cid)
            out.setdefault(own, []).append((rank, other))
    return {own: [o for _, o in sorted(items)] for own, items in out.items()}


def ids(service: Service) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    with service.db.connection() as conn:
        cands = {r["ref"]: r["id"] for r in conn.execute("SELECT id, ref FROM candidates")}
        vacs = {(r["source"], r["external_id"]): r["id"] for r in conn.execute(
            "SELECT id, source, external_id FROM vacancies")}
    return cands, vacs


def one(conn: psycopg.Connection[Any], sql: str, params: tuple[Any, ...] = ()) -> dict[str, Any]:
    row = conn.execute(sql, params).fetchone()
    assert row is not None
    return dict(row)


def run_row(service: Service, run_id: int) -> dict[str, Any]:
    with service.db.connection() as conn:
        row = conn.execute("SELECT * FROM rematch_runs WHERE id = %s", (run_id,)).fetchone()
    assert row is not None
    return dict(row)


# -- the run ------------------------------------------------------------------------------------

@pytest.mark.parametrize("exact", [True, False])
def test_run_stores_top_k_both_ways_exactly_as_the_api_ranks(world: Service, monkeypatch: pytest.MonkeyPatch,
                                                             exact: bool) -> None:
    monkeypatch.setattr(rematch, "MIN_CHUNK_ROWS", 16)  # 57 people in four chunks: merged across tiles both ways
    monkeypatch.setattr(rematch, "STAGE_ONE_PAIRS", 200)  # stage one in pieces: merged across them
    # two stages: 50 proposals per person and per vacancy cover this small region, so nothing may be missed
    report = rematch.run(world, k=K, block_size=BLOCK, exact=exact)
    assert report.status == "completed" and run_row(world, report.run_id)["status"] == "completed"
    counts = report.counts
    assert (counts["candidates"], counts["vacancies"]) == (60 - len(PAUSED), 20 - len(FILLED))
    assert counts["pairs"] == counts["candidates"] * counts["vacancies"]
    assert counts["tiles"] == 4 * 3 and counts["excluded"]

    results = stored(world, report.run_id)
    by_candidate, by_vacancy = ranked(results, "candidate"), ranked(results, "vacancy")
    assert counts["results"] == {"candidate": sum(map(len, by_candidate.values())),
                                 "vacancy": sum(map(len, by_vacancy.values()))}
    cand_ids, vac_ids = ids(world)
    assert not {cand_ids[r] for r in PAUSED} & {cid for _, cid, _ in results}
    assert not {vac_ids[k] for k in FILLED} & {vid for _, _, vid in results}

    with world.db.connection() as conn:
        snap, model = world.snapshot(conn), world.champion(conn)
    explainer = Explainer(world.vocabulary)
    for ref, cid in cand_ids.items():
        if ref in PAUSED:
            continue
        api = for_candidate(snap, model, explainer, cid, limit=K).items
        assert by_candidate.get(cid, []) == [i.vacancy_id for i in api], ref
        for item in api:
            rank, score, features, _ = results[("candidate", cid, item.vacancy_id)]
            assert (rank, features) == (item.rank, pytest.approx(item.features, abs=2e-4))
            assert score == pytest.approx(item.score, abs=1e-4)
    for key, vid in vac_ids.items():
        if key in FILLED:
            continue
        api = for_vacancy(snap, model, explainer, vid, limit=K, exposure=None, rerank=True).items
        assert by_vacancy.get(vid, []) == [i.candidate_id for i in api], key
    # everyone active is matched, far from work or not
    low = [cand_ids[r] for r, c in CANDIDATES.items() if r not in PAUSED and (c.trede or 0) <= 1]
    assert low and all(by_candidate.get(cid) for cid in low)


def test_the_estimate_looks_up_exactly_the_features_and_checks_of_each_group(world: Service) -> None:
    with world.db.connection() as conn:
        snap, model = world.snapshot(conn), world.champion(conn)
    cands = rematch.subset(snap.candidates, np.flatnonzero(snap.active))
    vacs = rematch.subset(snap.vacancies, np.flatnonzero(snap.open))
    estimate, block = Estimate(cands, vacs, model), compute(cands, vacs)
    weight = dict(zip(FEATURES, model.weights, strict=True))
    for group, table in zip(GROUPS, estimate.tables, strict=True):
        expected = sum((weight[f] * block.X[..., FEATURES.index(f)] for f in group.features),
                       start=np.zeros(block.X.shape[:2]))
        for check in group.checks:
            conflict, attention = block.feasibility.fired[check]
            expected = np.where(conflict, -np.inf, expected + weight["attention_points"] / 3 * attention)
        looked_up = table.by_vacancy[table.person]  # what a piece reads: the pair (person, vacancy) of each row
        np.testing.assert_allclose(looked_up, expected, atol=1e-3, err_msg=group.name)
    scores = estimate.scores(slice(0, len(cands)))
    assert (np.isneginf(scores) == block.feasibility.conflict).all() and not np.isnan(scores).any()


def test_the_estimate_is_the_model_score_where_nothing_it_leaves_out_applies(world: Service) -> None:
    """With fewer vacancies than the n-gram directions kept, the estimate is the API's log-odds exactly,
    n-grams and the larger of occupation and family included, wherever no attention point and no clip of
    the meaning feature applies (what stage two alone adds)."""
    with world.db.connection() as conn:
        snap, model = world.snapshot(conn), world.champion(conn)
    cands = rematch.subset(snap.candidates, np.flatnonzero(snap.active))
    vacs = rematch.subset(snap.vacancies, np.flatnonzero(snap.open))
    estimate, block = Estimate(cands, vacs, model), compute(cands, vacs)
    offset, gain = vacs.meaning
    meaning = offset + gain * (cands.vectors @ vacs.vectors.T)
    X = block.X
    plain = (~block.feasibility.conflict & (X[..., FEATURES.index("attention_points")] == 0)
             & (meaning >= 0) & (meaning <= 1))
    occupation, desired = (X[..., FEATURES.index(f)] for f in ("occupation_experience", "desired_occupation"))
    # the pairs that test what was added: n-grams everywhere; both occupation and family, for some
    assert plain.sum() > 100 and (plain & (occupation > 0)).any() and (plain & (desired > 0)).any()
    np.testing.assert_allclose(estimate.scores(slice(0, len(cands)))[plain], model.logit(X)[plain], atol=1e-4)


def test_two_stages_with_few_proposals_store_the_api_score_of_every_pair_and_count_exclusions_exactly(
        world: Service) -> None:
    exact = rematch.run(world, k=K, exact=True)
    few = rematch.run(world, k=K, proposals=K)  # the estimate alone decides what is scored
    assert few.counts["rescored_pairs"] < few.counts["pairs"] == exact.counts["pairs"]
    assert (few.counts["excluded"], few.counts["feasible_pairs"]) == (exact.counts["excluded"],
                                                                     exact.counts["feasible_pairs"])
    with world.db.connection() as conn:
        snap, model = world.snapshot(conn), world.champion(conn)
    results = stored(world, few.run_id)
    ci = np.array([snap.candidate_pos[cid] for _, cid, _ in results])
    vj = np.array([snap.vacancy_pos[vid] for _, _, vid in results])
    api = compute(snap.candidates, snap.vacancies, ci, vj)  # the API's code, pair by pair on the diagonal
    for n, (_, score, features, _) in enumerate(results.values()):
        expected = api.features(n, n)
        assert features == pytest.approx(expected, abs=2e-4)
        assert score == pytest.approx(float(model.score(api.X[n, n])), abs=1e-4)
    # what the estimate missed is what the exhaustive run has and the two-stage run has not; here, little
    exact_pairs = {key for key in stored(world, exact.run_id) if key[0] == "candidate"}
    found = {key for key in results if key[0] == "candidate"}
    assert len(found & exact_pairs) >= 0.9 * len(exact_pairs)


def test_second_run_reuses_embeddings_and_reports_exactly_what_is_new(world: Service) -> None:
    first = rematch.run(world, k=K, block_size=BLOCK)
    assert first.counts["new_matches"]["for_candidates"] == first.counts["results"]["candidate"]  # first run

    changed = next(iter(VACANCIES))
    body = VACANCIES[changed]
    assert world.upsert_vacancy(*changed, VacancyIn.model_validate(body.model_dump() | {
        "title": "kok", "required_skills": ["koken", "snijtechnieken"], "preferred_skills": [],
        "certificates": [], "demands": [], "postcode": "6882", "support": ["jobcoach"]}), actor=SYSTEM).changed
    cand_ids, vac_ids = ids(world)
    with world.db.transaction() as conn:  # one person's vector went missing: it must be made again
        conn.execute("DELETE FROM embeddings WHERE kind = 'candidate' AND row_id = %s", (cand_ids["C-0001"],))

    second = rematch.run(world, k=K, block_size=BLOCK)
    emb = second.counts["embeddings"]
    assert emb["vacancy"] == {"checked": 18, "up_to_date": 18, "copied": 0, "encoded": 0}  # encoded on upsert
    assert emb["candidate"]["checked"] == 57 and emb["candidate"]["up_to_date"] == 56
    assert emb["candidate"]["copied"] + emb["candidate"]["encoded"] == 1
    assert second.counts["previous_run_id"] == first.run_id

    before, after = stored(world, first.run_id), stored(world, second.run_id)
    new_pairs = {key for key in after if key not in before}
    assert new_pairs, "changing a vacancy this much must change some top K"
    assert second.counts["new_matches"]["for_candidates"] == sum(1 for d, _, _ in new_pairs if d == "candidate")
    assert second.counts["new_matches"]["for_vacancies"] == sum(1 for d, _, _ in new_pairs if d == "vacancy")
    assert any(vid == vac_ids[changed] for _, _, vid in new_pairs)
    with world.db.connection() as conn:  # worked out once, at completion: one row per pair, both sides marked
        recorded = {(r["candidate_id"], r["vacancy_id"]): {d for d in ("candidate", "vacancy") if r[f"new_for_{d}"]}
                    for r in conn.execute("SELECT * FROM rematch_new_pairs WHERE run_id = %s", (second.run_id,))}
    expected: dict[tuple[int, int], set[str]] = {}
    for d, cid, vid in new_pairs:
        expected.setdefault((cid, vid), set()).add(d)
    assert recorded == expected

    inverse = {cid: ref for ref, cid in cand_ids.items()}
    for cid in sorted({c for d, c, _ in new_pairs if d == "candidate"}):
        served = worklist.for_candidate(world, inverse[cid], actor=SYSTEM)
        assert served["run_id"] == second.run_id and served["previous_run_id"] == first.run_id
        assert {vac_ids[(i["vacancy"]["source"], i["vacancy"]["external_id"])] for i in served["items"]} == {
            vid for d, c, vid in new_pairs if d == "candidate" and c == cid}

    third = rematch.run(world, k=K, block_size=BLOCK)  # nothing changed: nothing to embed, nothing new
    assert third.counts["embeddings"]["candidate"]["encoded"] == 0
    assert third.counts["new_matches"]["for_candidates"] == third.counts["new_matches"]["for_vacancies"] == 0
    assert stored(world, third.run_id) == after
    assert worklist.for_municipality(world, actor=SYSTEM)["items"] == []
    rematch.run(world, k=K, block_size=BLOCK)  # the first run's results are pruned, its new pairs with them
    with world.db.connection() as conn:
        assert {r["run_id"] for r in conn.execute("SELECT DISTINCT run_id FROM rematch_new_pairs")} == {second.run_id}


def test_the_new_matches_are_planned_with_statistics_that_know_the_rows_just_written(
        world: Service, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without them the planner took this run and the previous one for a row each and compared every new row
    with every row of the previous run: at demo size the completion did not finish in 15 minutes. Autovacuum
    is off here for each run's partition, as it may not have come by on a busy night."""
    estimates: list[tuple[float, int]] = []
    record, start = rematch.record_new_pairs, rematch._start

    def started(service: Service, params: dict[str, Any]) -> tuple[int, Any, list[int]]:
        run_id, model, abandoned = start(service, params)
        with service.db.transaction() as conn:
            conn.execute(f"ALTER TABLE {rematch.partition(run_id)} SET (autovacuum_enabled = off)")
        return run_id, model, abandoned

    def planned(conn: psycopg.Connection[Any], run_id: int) -> dict[str, Any]:
        for run in (run_id, run_id - 1):
            plan = one(conn, "EXPLAIN (FORMAT JSON) SELECT * FROM rematch_results WHERE run_id = %s", (run,))
            rows = one(conn, "SELECT count(*) AS n FROM rematch_results WHERE run_id = %s", (run,))["n"]
            estimates.append((plan["QUERY PLAN"][0]["Plan"]["Plan Rows"], rows))
        return record(conn, run_id)

    monkeypatch.setattr(rematch, "record_new_pairs", planned)
    monkeypatch.setattr(rematch, "_start", started)
    rematch.run(world, k=K, block_size=BLOCK)
    second = rematch.run(world, k=K, block_size=BLOCK)
    assert second.counts["previous_run_id"] == second.run_id - 1
    checked = [(estimated, rows) for estimated, rows in estimates if rows]  # the first run has no previous one
    assert len(checked) == 3
    for estimated, rows in checked:
        assert rows > 100 and rows / 2 <= estimated <= rows * 2


def test_the_upgrade_that_stores_new_pairs_fills_them_for_the_latest_run(world: Service) -> None:
    from matcher.db import migrate

    rematch.run(world, k=K, block_size=BLOCK)
    changed = next(iter(VACANCIES))
    world.upsert_vacancy(*changed, VacancyIn.model_validate(VACANCIES[changed].model_dump() | {
        "title": "kok", "required_skills": ["koken"], "postcode": "6882"}), actor=SYSTEM)
    rematch.run(world, k=K, block_size=BLOCK)
    before = worklist.for_municipality(world, actor=SYSTEM, limit=1000)
    assert before["total"] > 0
    migrate.downgrade(world.db.url, "0003")
    migrate.upgrade(world.db.url)
    assert worklist.for_municipality(world, actor=SYSTEM, limit=1000) == before


def test_results_of_a_person_erased_during_or_after_a_run_and_of_deleted_vacancies_and_runs_are_gone(
        world: Service) -> None:
    """The results' references are checked per run and per deleting statement, not per row (migration 0006)."""
    cand_ids, vac_ids = ids(world)
    during, after = "C-0001", "C-0002"

    def erase_once(done: int, total: int, pairs: int) -> None:  # while stage one runs: the rows are still written
        if done == 1:
            world.erase_candidate(during, actor=SYSTEM)

    first = rematch.run(world, k=K, on_progress=erase_once)
    second = rematch.run(world, k=K)
    world.erase_candidate(after, actor=SYSTEM)
    vacancy = vac_ids[next(iter(VACANCIES))]
    with world.db.transaction() as conn:
        conn.execute("DELETE FROM vacancies WHERE id = %s", (vacancy,))
        conn.execute("DELETE FROM rematch_new_pairs WHERE run_id = %s", (first.run_id,))
        conn.execute("DELETE FROM rematch_runs WHERE id = %s", (first.run_id,))
    with world.db.connection() as conn:
        left = conn.execute("SELECT run_id, candidate_id, vacancy_id FROM rematch_results").fetchall()
        pairs = conn.execute("SELECT candidate_id, vacancy_id FROM rematch_new_pairs").fetchall()
    assert {r["run_id"] for r in left} == {second.run_id}
    gone = {cand_ids[during], cand_ids[after]}
    assert not [r for r in left + pairs if r["candidate_id"] in gone or r["vacancy_id"] == vacancy]
    assert len(left) > 0.8 * (second.counts["results"]["candidate"] + second.counts["results"]["vacancy"])


def _pages_match_the_walk(service: Service, municipality: str) -> int:
    """Every page size and offset served from the stored positions concatenates to the full worklist in the
    order of the offset walk, with the same total; returns that total."""
    with service.db.connection() as conn:
        runs = worklist.completed_runs(conn)
        full, total = worklist._new_pairs(conn, runs, order="worklist", municipality=municipality)
        assert total == len(full)
        for limit in (1, 3, 7, 50):
            pages = []
            for offset in range(0, total + limit, limit):
                page = worklist._positioned(conn, runs, municipality, limit, offset)
                assert page is not None, "the stored positions must answer"
                assert page[1] == total
                pages.extend(page[0])
            assert pages == full, (municipality, limit)
    return total


def test_worklist_pages_from_stored_positions_equal_the_walk_after_changes_since_the_run(world: Service) -> None:
    from matcher.db import migrate

    run = rematch.run(world, k=K, block_size=BLOCK)
    assert {m: _pages_match_the_walk(world, m) > 0 for m in ("arnhem", "rheden")} == {"arnhem": True, "rheden": True}
    with world.db.connection() as conn:
        pairs = conn.execute(
            """SELECT c.ref, c.municipality, v.source, v.external_id FROM rematch_new_pairs n
               JOIN candidates c ON c.id = n.candidate_id JOIN vacancies v ON v.id = n.vacancy_id
               WHERE n.run_id = %s ORDER BY c.ref, v.external_id""", (run.run_id,)).fetchall()
    in_arnhem = sorted({r["ref"] for r in pairs if r["municipality"] == "arnhem"})
    in_rheden = sorted({r["ref"] for r in pairs if r["municipality"] == "rheden"})
    # after the run: a vacancy fills, a person is paused, one moves from Rheden to Arnhem, one from Arnhem to Rheden
    closed = (pairs[0]["source"], pairs[0]["external_id"])
    filled = VacancyIn.model_validate(VACANCIES[closed].model_dump() | {"status": "filled"})
    world.upsert_vacancy(*closed, filled, actor=SYSTEM)
    changes = {in_arnhem[1]: {"status": "paused"}, in_rheden[0]: {"municipality": "arnhem", "postcode": "6812"},
               in_arnhem[-1]: {"municipality": "rheden", "postcode": "6881"}}
    for ref, change in changes.items():
        world.upsert_candidate(ref, CandidateIn.model_validate(CANDIDATES[ref].model_dump() | change), actor=SYSTEM)
    for municipality in ("arnhem", "rheden"):
        _pages_match_the_walk(world, municipality)
    # positions worked out by the upgrade while the vacancy was filled and the person paused: both come back
    migrate.downgrade(world.db.url, "0006")
    migrate.upgrade(world.db.url)
    world.upsert_vacancy(*closed, VACANCIES[closed], actor=SYSTEM)
    world.upsert_candidate(in_arnhem[1], CANDIDATES[in_arnhem[1]], actor=SYSTEM)
    for municipality in ("arnhem", "rheden"):
        _pages_match_the_walk(world, municipality)
    served = worklist.for_municipality(world, actor=SYSTEM, municipality="arnhem", limit=5, offset=5)
    with world.db.connection() as conn:
        runs = worklist.completed_runs(conn)
        walked, total = worklist._new_pairs(conn, runs, order="worklist", municipality="arnhem", limit=5, offset=5)
    assert served["total"] == total
    assert [(i["candidate_ref"], i["vacancy"]["external_id"]) for i in served["items"]] == [
        (r["ref"], r["external_id"]) for r in walked]
    # a person erased since the run: the positions cannot say, the walk answers
    world.erase_candidate(in_arnhem[2], actor=SYSTEM)
    with world.db.connection() as conn:
        assert worklist._positioned(conn, worklist.completed_runs(conn), "arnhem", 10, 0) is None
    assert worklist.for_municipality(world, actor=SYSTEM, municipality="arnhem", limit=1000)["total"] == total - sum(
        1 for r in pairs if r["ref"] == in_arnhem[2] and (r["source"], r["external_id"]) not in FILLED)


@pytest.mark.parametrize(("step", "exact"), [("score_tile", True), ("propose", False), ("rescore", False)])
def test_a_run_that_crashes_halfway_leaves_nothing_visible_and_the_rerun_is_clean(
        world: Service, monkeypatch: pytest.MonkeyPatch, step: str, exact: bool) -> None:
    real = getattr(rematch, step)
    calls = {"n": 0}

    def crash_on_second_call(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(rematch, "STAGE_ONE_PAIRS", 200)  # several pieces of work in each stage
    monkeypatch.setattr(rematch, "RESCORE_PAIRS", 100)
    monkeypatch.setattr(rematch, step, crash_on_second_call)
    with pytest.raises(RuntimeError, match="power cut"):
        rematch.run(world, k=K, block_size=BLOCK, exact=exact)
    with world.db.connection() as conn:
        failed = conn.execute("SELECT id, status, counts FROM rematch_runs").fetchall()
        assert [r["status"] for r in failed] == ["failed"] and "power cut" in failed[0]["counts"]["error"]
        assert one(conn, "SELECT count(*) AS n FROM rematch_results")["n"] == 0
    with pytest.raises(NotFound):
        worklist.for_municipality(world, actor=SYSTEM)

    monkeypatch.setattr(rematch, step, real)
    clean = rematch.run(world, k=K, block_size=BLOCK, exact=exact)
    assert clean.status == "completed" and clean.counts["previous_run_id"] is None


def test_a_run_stopped_just_after_it_was_recorded_is_marked_failed(world: Service,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """SIGTERM as the run's row is committed, before its id reaches the caller (here: while its partition is
    made) still leaves a failed run, not one that looks busy until the next start."""
    def stopped(conn: Any, run_id: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(rematch, "create_partition", stopped)
    with pytest.raises(KeyboardInterrupt):
        rematch.run(world, k=K, block_size=BLOCK)
    with world.db.connection() as conn:
        assert [r["status"] for r in conn.execute("SELECT status FROM rematch_runs")] == ["failed"]
    monkeypatch.undo()
    clean = rematch.run(world, k=K, block_size=BLOCK)
    assert clean.status == "completed" and clean.abandoned == []


@pytest.mark.parametrize("exact", [False, True])
def test_a_block_written_twice_is_stored_once(world: Service, monkeypatch: pytest.MonkeyPatch, exact: bool) -> None:
    """The run's partition has no indexes while it is written: rows written before are found by the
    writer, which deletes them when the same block comes again."""
    once = rematch.run(world, k=K, block_size=BLOCK, exact=exact)
    submit = rematch._Writes.submit

    def twice(self: Any, direction: str | None, rows: slice = slice(0), top: Any = None) -> None:
        submit(self, direction, rows, top)
        submit(self, direction, rows, top)

    monkeypatch.setattr(rematch._Writes, "submit", twice)
    again = rematch.run(world, k=K, block_size=BLOCK, exact=exact)
    assert stored(world, again.run_id) == stored(world, once.run_id)


def test_a_killed_run_is_retired_on_the_next_start_and_leaves_no_duplicates(world: Service) -> None:
    baseline = rematch.run(world, k=K, block_size=BLOCK)
    # What `kill -9` halfway leaves behind: a 'running' row, nobody holding the lock, part of the results.
    with world.db.transaction() as conn:
        killed = one(conn, """INSERT INTO rematch_runs (status, model_version, heartbeat_at)
                              VALUES ('running', 'prior-2026.11', now() - interval '2 hours') RETURNING id""")["id"]
        conn.execute(
            """INSERT INTO rematch_results (run_id, direction, candidate_id, vacancy_id, rank, score, features,
                                            attention)
               SELECT %s, direction, candidate_id, vacancy_id, rank, score, features, attention
               FROM rematch_results WHERE run_id = %s AND direction = 'vacancy'""", (killed, baseline.run_id))
    rerun = rematch.run(world, k=K, block_size=BLOCK)
    assert rerun.abandoned == [killed]
    assert run_row(world, killed)["status"] == "failed"
    with world.db.connection() as conn:
        assert one(conn, "SELECT count(*) AS n FROM rematch_results WHERE run_id = %s", (killed,))["n"] == 0
        dupes = one(conn,
            """SELECT count(*) AS n FROM (
                   SELECT direction, CASE direction WHEN 'candidate' THEN candidate_id ELSE vacancy_id END, rank
                   FROM rematch_results WHERE run_id = %s GROUP BY 1, 2, 3 HAVING count(*) > 1) d""",
            (rerun.run_id,))["n"]
    assert dupes == 0
    assert stored(world, rerun.run_id) == stored(world, baseline.run_id)
    assert rerun.counts["previous_run_id"] == baseline.run_id


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_real_process_killed_halfway_is_followed_by_a_clean_run(world: Service, settings: Settings,
                                                                  sig: signal.Signals) -> None:
    env = dict(os.environ, MATCHER_DATABASE_URL=str(settings.database_url), MATCHER_MODELS_DIR=str(settings.models_dir),
               MATCHER_DATA_DIR=str(settings.data_dir), MATCHER_SECRET_KEY=str(settings.secret_key))
    job = subprocess.Popen([sys.executable, "-m", "matcher.cli", "rematch"], env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        with world.db.connection() as conn:
            while (running := conn.execute("SELECT id FROM rematch_runs WHERE status = 'running'").fetchone()) is None:
                assert job.poll() is None and time.monotonic() < deadline, "the job never started its run"
                time.sleep(0.05)
        job.send_signal(sig)
        code = job.wait(60)
    finally:
        job.kill()
    if sig == signal.SIGTERM:  # stopped politely: marks its own run failed, exit code 1
        assert code == 1 and run_row(world, running["id"])["status"] == "failed"
    else:  # killed outright: the row still says running, but nobody holds the lock any more
        assert code == -signal.SIGKILL and run_row(world, running["id"])["status"] == "running"
    rerun = rematch.run(world, k=K, block_size=BLOCK)
    assert rerun.status == "completed" and run_row(world, running["id"])["status"] == "failed"
    assert rerun.abandoned == ([running["id"]] if sig == signal.SIGKILL else [])
    with world.db.connection() as conn:
        assert one(conn, "SELECT count(*) AS n FROM rematch_results WHERE run_id <> %s", (rerun.run_id,))["n"] == 0


def test_a_second_run_is_refused_while_one_is_in_progress(
        world: Service, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    real = rematch.propose
    started, release = threading.Event(), threading.Event()

    def slow_stage_one(*args: Any, **kwargs: Any) -> rematch.Proposed:
        started.set()
        assert release.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(rematch, "propose", slow_stage_one)
    outcome: dict[str, Any] = {}
    first = threading.Thread(target=lambda: outcome.setdefault("report", rematch.run(world, k=K, block_size=BLOCK)))
    first.start()
    try:
        assert started.wait(60)
        with pytest.raises(rematch.RematchBusy):
            rematch.run(world, k=K, block_size=BLOCK)
        _cli_env(monkeypatch, settings)
        assert main(["rematch"]) == EXIT_BUSY
        with world.db.connection() as conn:
            assert [r["status"] for r in conn.execute("SELECT status FROM rematch_runs")] == ["running"]
    finally:
        release.set()
        first.join(120)
    assert outcome["report"].status == "completed"


@pytest.mark.parametrize("exact", [True, False])
def test_dask_cluster_gives_the_same_results_as_one_machine(world: Service, monkeypatch: pytest.MonkeyPatch,
                                                            exact: bool) -> None:
    from distributed import LocalCluster

    monkeypatch.setattr(rematch, "MIN_CHUNK_ROWS", 16)
    monkeypatch.setattr(rematch, "STAGE_ONE_PAIRS", 200)  # several pieces of work in each stage
    monkeypatch.setattr(rematch, "RESCORE_PAIRS", 100)

    here = rematch.run(world, k=K, block_size=BLOCK, exact=exact)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=40) as cluster:
        there = rematch.run(world, k=K, block_size=BLOCK, scheduler=cluster.scheduler_address, exact=exact)
    assert there.counts["params"]["executor"] == "dask" and here.counts["params"]["executor"] == "local"
    assert there.counts["pairs"] == here.counts["pairs"] and there.counts["tiles"] == 12
    assert stored(world, there.run_id) == stored(world, here.run_id)
    assert there.counts["new_matches"]["for_candidates"] == 0


def test_an_empty_register_completes_with_nothing_to_store(service: Service) -> None:
    report = rematch.run(service, k=K)
    assert report.status == "completed"
    assert (report.counts["pairs"], report.counts["results"]) == (0, {"candidate": 0, "vacancy": 0})
    assert worklist.for_municipality(service, actor=SYSTEM)["items"] == []


# -- CLI ------------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """`matcher.cli.main` configures the root logger for its process; give it back after each test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def _cli_env(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("MATCHER_DATABASE_URL", str(settings.database_url))
    monkeypatch.setenv("MATCHER_MODELS_DIR", str(settings.models_dir))
    monkeypatch.setenv("MATCHER_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MATCHER_SECRET_KEY", str(settings.secret_key))


def test_cli_runs_prints_a_json_report_and_exports_the_worklist(
        world: Service, settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        tmp_path: Path) -> None:
    _cli_env(monkeypatch, settings)
    assert main(["rematch", "--top-k", str(K), "--block-size", str(BLOCK)]) == EXIT_OK
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert report["status"] == "completed" and report["results"]["candidate"] > 0

    out = tmp_path / "werklijst.csv"
    assert main(["rematch", "export", "--out", str(out), "--municipality", "rheden"]) == EXIT_OK
    assert capsys.readouterr().out.startswith("wrote ")
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    expected = worklist.for_municipality(world, actor=SYSTEM, municipality="rheden", limit=1000)
    assert len(rows) == expected["total"] > 0
    assert {r["municipality"] for r in rows} == {"rheden"}
    assert [r["candidate_ref"] for r in rows] == [i["candidate_ref"] for i in expected["items"]]
    assert all(r["summary_nl"] for r in rows)

    assert main(["rematch", "status"]) == EXIT_OK
    assert json.loads(capsys.readouterr().out)["run"]["id"] == report["run_id"]
    with pytest.raises(SystemExit) as bad:
        main(["rematch", "--top-k", "0"])
    assert bad.value.code == 2


# -- API ------------------------------------------------------------------------------------------

@pytest.fixture
def keys(make_key: Callable[..., str]) -> Iterator[dict[str, dict[str, str]]]:
    yield {name: {"Authorization": f"Bearer {make_key(*spec)}"} for name, spec in {
        "arnhem": ("consultant", "arnhem"), "rheden": ("consultant", "rheden"), "admin": ("admin",),
        "batch": ("batch",), "employer": ("employer_service",), "auditor": ("auditor",)}.items()}


def test_api_serves_the_latest_run_and_new_matches_by_role(world: Service, client: Any,
                                                          keys: dict[str, dict[str, str]]) -> None:
    latest = client.get("/v1/rematch/runs/latest", headers=keys["arnhem"])
    assert latest.status_code == 404 and latest.headers["content-type"] == "application/problem+json"

    report = rematch.run(world, k=K, block_size=BLOCK)
    for who in ("arnhem", "batch", "admin"):
        body = client.get("/v1/rematch/runs/latest", headers=keys[who]).json()
        assert body["run"]["id"] == report.run_id and body["run"]["model_version"] == report.model_version
        assert body["run"]["counts"]["pairs"] == report.counts["pairs"] and body["in_progress"] is None
    for who, status in (("employer", 403), ("auditor", 403)):
        assert client.get("/v1/rematch/runs/latest", headers=keys[who]).status_code == status
    assert client.get("/v1/rematch/runs/latest").status_code == 401

    arnhem_ref = next(r for r, c in CANDIDATES.items() if c.municipality == "arnhem" and r not in PAUSED)
    rheden_ref = next(r for r, c in CANDIDATES.items() if c.municipality == "rheden" and r not in PAUSED)
    own = client.get(f"/v1/candidates/{arnhem_ref}/new-matches", headers=keys["arnhem"])
    assert own.status_code == 200
    body = own.json()
    assert body["run_id"] == report.run_id and body["previous_run_id"] is None
    assert [i["rank"] for i in body["items"]] == list(range(1, len(body["items"]) + 1))
    for item in body["items"]:
        e = item["explanation"]
        assert e["summary_nl"] and item["new_for"][0] == "candidate"
        total = e["base"] + sum(c["contribution"] for c in e["contributions"])
        assert item["score"] == pytest.approx(1 / (1 + math.exp(-total)), abs=1e-6)
        assert 0 <= item["points"] <= 100
    points = [i["points"] for i in body["items"]]
    assert points == sorted(points, reverse=True)  # the person's own order is the model's
    assert client.get(f"/v1/candidates/{rheden_ref}/new-matches", headers=keys["arnhem"]).status_code == 404
    assert client.get(f"/v1/candidates/{arnhem_ref}/new-matches", headers=keys["employer"]).status_code == 403
    assert client.get("/v1/candidates/C-9999/new-matches", headers=keys["admin"]).status_code == 404
    assert client.get("/v1/candidates/bad%20ref/new-matches", headers=keys["admin"]).status_code == 422

    mine = client.get("/v1/rematch/new-matches?limit=1000", headers=keys["arnhem"]).json()
    assert mine["municipality"] == "arnhem" and mine["total"] == len(mine["items"]) > 0
    assert {i["municipality"] for i in mine["items"]} == {"arnhem"}
    everyone = client.get("/v1/rematch/new-matches?limit=1000", headers=keys["admin"]).json()
    assert {i["municipality"] for i in everyone["items"]} == {"arnhem", "rheden"}
    assert everyone["total"] > mine["total"]
    page = client.get("/v1/rematch/new-matches?limit=5&offset=5", headers=keys["arnhem"]).json()
    assert [i["candidate_ref"] for i in page["items"]] == [i["candidate_ref"] for i in mine["items"][5:10]]
    refused = client.get("/v1/rematch/new-matches?municipality=rheden", headers=keys["arnhem"])
    assert refused.status_code == 403 and refused.json()["detail"]
    for bad in ("municipality=Rheden!", "limit=0", "limit=abc", "offset=-1"):
        assert client.get(f"/v1/rematch/new-matches?{bad}", headers=keys["admin"]).status_code == 422, bad
    assert client.get("/v1/rematch/new-matches", headers=keys["employer"]).status_code == 403

    vacancy = next(k for k in VACANCIES if k not in FILLED)
    for_vacancy_ = client.get(f"/v1/vacancies/{vacancy[0]}/{vacancy[1]}/new-matches", headers=keys["arnhem"])
    assert for_vacancy_.status_code == 200
    assert {i["municipality"] for i in for_vacancy_.json()["items"]} <= {"arnhem"}
    assert client.get("/v1/vacancies/wsp/NOPE/new-matches", headers=keys["arnhem"]).status_code == 404

    with world.db.connection() as conn:
        entries = conn.execute(
            "SELECT subjects, detail FROM audit_log WHERE action = 'rematch.new_matches' ORDER BY id").fetchall()
    assert entries and entries[0]["subjects"] == [world.pseudonym(arnhem_ref)]
    assert not any(ref in s for e in entries for s in e["subjects"] for ref in CANDIDATES)


def test_the_run_lock_is_freed_when_the_process_holding_it_dies(world: Service, db_url: str) -> None:
    holder = psycopg.connect(db_url, autocommit=True)
    holder.execute("SELECT pg_advisory_lock(hashtext(%s))", (rematch.LOCK_NAME,))
    with pytest.raises(rematch.RematchBusy):
        rematch.run(world, k=K, block_size=BLOCK)
    pid = holder.info.backend_pid
    holder.close()  # the session ends, as it does when a process is killed
    with world.db.connection() as conn:  # the server ends that backend, and its locks, a moment later
        for _ in range(100):
            if not conn.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
                break
            time.sleep(0.05)
    assert rematch.run(world, k=K, block_size=BLOCK).status == "completed"
