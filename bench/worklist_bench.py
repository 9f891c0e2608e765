"""Speed of the worklist (what the latest nightly rematch found that is new) for the largest municipality,
as a consultant of that municipality gets it: through the API (GET /v1/rematch/new-matches, 100 a page)
and as the Werklijst page of the web interface, both in-process through the whole app (routing, key,
query, explanations, audit, rendering). The first page is what everyone lands on; other pages are picked
at random. Also the query plans (EXPLAIN ANALYZE) of the first page and of one in the middle, both read
from the positions stored when the run completed, the page queries after a busy day of changes since the run
(rolled back), and what working the positions out costs the run's completion (done again for the latest run and
rolled back).

Usage: python -m bench.worklist_bench [--region NAME] [--candidates N] [--vacancies M] [--samples N]
(``--region NAME``: the region loaded under bench/out/NAME, by bench/run.py or an earlier run of this
script; it is generated and loaded when missing. A region without a completed rematch run gets one first.)
Import: ``run(service) -> dict``. Target: p95 ≤ 300 ms at demo size (9,000 people × 3,000 vacancies).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np

from matcher.batch import rematch, worklist
from matcher.security import SYSTEM, create_key
from matcher.service import Service

TARGET_MS = 300.0
PAGE = 100
MAX_OFFSET = 1_000_000  # the largest offset GET /v1/rematch/new-matches takes


def _latencies(get: Any, paths: list[str], check: str, warmup: int = 3) -> dict[str, float]:
    for path in paths[:warmup]:
        get(path)
    times = []
    for path in paths:
        start = time.perf_counter()
        response = get(path)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200 or check not in response.text:
            raise RuntimeError(f"{path} answered {response.status_code}")
    arr = np.array(times)
    return {"n": len(arr), "p50_ms": round(float(np.percentile(arr, 50)), 1),
            "p95_ms": round(float(np.percentile(arr, 95)), 1), "max_ms": round(float(arr.max()), 1)}


def _plans(service: Service, municipality: str, deep: int) -> dict[str, list[str]]:
    """The plans of the first page and of a deep one (offset ``deep``) from the stored positions."""
    with service.db.connection() as conn:
        runs = worklist.completed_runs(conn)
        plans = {}
        for name, offset in (("first_page", 0), ("deep_page", deep)):
            query = worklist.positioned_query(conn, runs, municipality, PAGE, offset)
            if query is None:
                raise RuntimeError("no stored worklist positions for the latest run")
            sql, params, _ = query
            plans[name] = [r["QUERY PLAN"] for r in conn.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)]
        return plans


def _completion_s(service: Service, run_id: int) -> float:
    """What working out the new pairs and their worklist positions costs the completion of run ``run_id``:
    done again for it in a transaction that is rolled back."""
    with service.db.connection() as conn:
        for table in ("rematch_new_pairs", "rematch_new_people", "rematch_new_vacancies",
                      "rematch_new_municipalities"):
            conn.execute(f"DELETE FROM {table} WHERE run_id = %s", (run_id,))
        start = time.perf_counter()
        worklist.record_new_pairs(conn, run_id)
        seconds = time.perf_counter() - start
        conn.rollback()
    return round(seconds, 2)


def _after_changes(service: Service, municipality: str, offsets: list[int]) -> dict[str, Any]:
    """Pages from the stored positions after a busy day since the run: a thirtieth of the open vacancies
    filled, a seventieth of the municipality's people paused and a thousandth of everyone else moved in (in a
    transaction that is rolled back). The corrections and the page query alone, without explanations."""
    with service.db.connection() as conn:
        runs = worklist.completed_runs(conn)
        changed = {
            "vacancies_filled": conn.execute(
                """UPDATE vacancies SET status = 'filled' WHERE id IN (
                   SELECT id FROM vacancies WHERE status = 'open' ORDER BY md5(id::text)
                   LIMIT (SELECT count(*) / 30 FROM vacancies WHERE status = 'open'))""").rowcount,
            "people_paused": conn.execute(
                """UPDATE candidates SET status = 'paused' WHERE id IN (
                   SELECT id FROM candidates WHERE status = 'active' AND municipality = %(m)s ORDER BY md5(id::text)
                   LIMIT (SELECT count(*) / 70 FROM candidates WHERE status = 'active' AND municipality = %(m)s))""",
                {"m": municipality}).rowcount,
            "people_moved_in": conn.execute(
                """UPDATE candidates SET municipality = %(m)s WHERE id IN (
                   SELECT id FROM candidates WHERE status = 'active' AND municipality <> %(m)s ORDER BY md5(id::text)
                   LIMIT (SELECT count(*) / 1000 FROM candidates WHERE status = 'active'))""",
                {"m": municipality}).rowcount}
        times = []
        for offset in offsets:
            start = time.perf_counter()
            query = worklist.positioned_query(conn, runs, municipality, PAGE, offset)
            assert query is not None
            conn.execute(query[0], query[1]).fetchall()
            times.append((time.perf_counter() - start) * 1000)
        conn.rollback()
    arr = np.array(times)
    return changed | {"n": len(arr), "p50_ms": round(float(np.percentile(arr, 50)), 1),
                      "p95_ms": round(float(np.percentile(arr, 95)), 1)}


def run(service: Service, *, samples: int = 40, seed: int = 5) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from api.app import create_app

    result: dict[str, Any] = {"target_ms": TARGET_MS, "page_size": PAGE}
    with service.db.connection() as conn:
        completed = conn.execute("SELECT count(*) AS n FROM rematch_runs WHERE status = 'completed'").fetchone()
    if not completed or completed["n"] == 0:
        start = time.perf_counter()
        report = rematch.run(service)
        result["rematch_first_run"] = {"wall_s": round(time.perf_counter() - start, 1),
                                       "new_matches": report.counts["new_matches"],
                                       "completion_new_pairs_s": report.counts["seconds"]["new_matches"]}
    with service.db.transaction() as conn:
        biggest = conn.execute(
            """SELECT municipality, count(*) AS people FROM candidates WHERE status = 'active'
               GROUP BY municipality ORDER BY count(*) DESC LIMIT 1""").fetchone()
        assert biggest is not None
        municipality = biggest["municipality"]
        _, key = create_key(conn, role="consultant", municipality=municipality, name="bench worklist")
        runs = worklist.completed_runs(conn)
        total = worklist.for_municipality(service, actor=SYSTEM, municipality=municipality,
                                          limit=1)["total"]
    result |= {"municipality": municipality, "active_people": biggest["people"], "new_pairs": total,
               "run_id": runs.latest["id"]}
    rng = np.random.default_rng(seed)
    pages = max(1, -(-min(total, MAX_OFFSET) // PAGE))  # the API refuses offsets beyond MAX_OFFSET
    random_pages = [int(p) for p in rng.integers(0, pages, size=samples)]
    with TestClient(create_app(service.settings, service)) as client:
        api = {"Authorization": f"Bearer {key}"}
        result["api_first_page"] = _latencies(lambda p: client.get(p, headers=api),
                                              ["/v1/rematch/new-matches?limit=100"] * samples, "items")
        result["api_random_page"] = _latencies(
            lambda p: client.get(p, headers=api),
            [f"/v1/rematch/new-matches?limit={PAGE}&offset={p * PAGE}" for p in random_pages], "items")
        client.cookies.set("werkmatch_key", key)
        result["ui_first_page"] = _latencies(client.get, ["/ui/werklijst"] * samples, "Werklijst")
    result["plans"] = _plans(service, municipality, (pages // 2) * PAGE)
    result["after_changes"] = _after_changes(service, municipality, [p * PAGE for p in random_pages])
    result["completion_new_pairs_s"] = _completion_s(service, runs.latest["id"])
    result["meets_target"] = all(result[k]["p95_ms"] <= TARGET_MS
                                 for k in ("api_first_page", "api_random_page", "ui_first_page"))
    return result


def main() -> None:
    from bench.run import loaded_region

    parser = argparse.ArgumentParser()
    parser.add_argument("--region", default="worklist")
    parser.add_argument("--candidates", type=int, default=9000)
    parser.add_argument("--vacancies", type=int, default=3000)
    parser.add_argument("--samples", type=int, default=40)
    args = parser.parse_args()
    service, load = loaded_region(args.region, args.candidates, args.vacancies)
    try:
        print(json.dumps({"load": load, "worklist": run(service, samples=args.samples)}, indent=2, default=str))
    finally:
        service.db.close()


if __name__ == "__main__":
    main()
