"""The writing step of the nightly rematch on its own: a run's result rows COPYed into ``rematch_results``.

The rows are made up (random features and ranks, the region's real ids, K per active person and per open
vacancy, as many as a run writes) and written by the rematch's own writer (`matcher.batch.rematch._Writes`:
the writer thread, one transaction per vacancy block and per candidate chunk), under a run marked failed,
whose partition is dropped afterwards. Reported: the wall time of writing them all, the time of indexing them
as the run's completion does, and apart from it the time the writer spends formatting the lines in Python
(the same rows formatted again without a database).

Usage: python -m bench.rematch_write_bench [--region NAME] [--repeats N]
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np

from matcher.batch import rematch
from matcher.matching.features import FEATURES
from matcher.service import Service


def _top(n: int, k: int, other: int, rng: np.random.Generator) -> rematch.Top:
    top = rematch.Top.empty(n, k)
    top.key[:] = -np.sort(rng.random((n, k)), axis=1)
    top.pos[:] = (rng.integers(0, other, (n, 1)) + np.arange(k)) % other  # distinct within a row
    top.x[:] = rng.random((n, k, len(FEATURES)), dtype=np.float32)
    top.att[:] = rng.integers(0, 4, (n, k))
    return top


def run(service: Service, *, repeats: int = 1, k: int | None = None, seed: int = 0) -> dict[str, Any]:
    k = k or service.settings.rematch_top_k
    rng = np.random.default_rng(seed)
    with service.db.connection() as conn:
        snap, model = service.snapshot(conn), service.champion(conn)
        before = conn.execute("SELECT count(*) AS n FROM rematch_results").fetchone()
    c_ids, v_ids = snap.candidates.ids[snap.active], snap.vacancies.ids[snap.open]
    c_slices, v_slices = rematch.plan(len(c_ids), len(v_ids), rematch.DEFAULT_BLOCK_SIZE)
    by_candidate, by_vacancy = _top(len(c_ids), k, len(v_ids), rng), _top(len(v_ids), k, len(c_ids), rng)
    out: dict[str, Any] = {"rows": (len(c_ids) + len(v_ids)) * k, "rows_in_table_before": before["n"] if before else 0,
                           "wall_s": [], "rows_per_s": [], "indexing_s": []}
    for _ in range(repeats):
        with service.db.transaction() as conn:
            row = conn.execute("INSERT INTO rematch_runs (status, model_version) VALUES ('failed', %s) RETURNING id",
                               (model.version,)).fetchone()
            assert row is not None
            run_id = int(row["id"])
            rematch.create_partition(conn, run_id)
        writer = rematch._Writer(run_id, model, c_ids, v_ids)
        writer.checks = ("distance", "hours")
        writes = rematch._Writes(service, run_id, writer)
        try:
            start = time.perf_counter()
            for rows in v_slices:
                writes.submit("vacancy", rows, by_vacancy)
            for rows in c_slices:
                writes.submit("candidate", rows, by_candidate)
            writes.finish()
            wall = time.perf_counter() - start
            with service.db.transaction() as conn:
                start = time.perf_counter()
                rematch.index_results(conn, run_id)
                indexing = time.perf_counter() - start
        finally:
            writes.close()
            with service.db.transaction() as conn:
                rematch.drop_results(conn, [run_id])
                conn.execute("DELETE FROM rematch_runs WHERE id = %s", (run_id,))
        out["wall_s"].append(round(wall, 2))
        out["rows_per_s"].append(round(out["rows"] / wall))
        out["indexing_s"].append(round(indexing, 2))
    start = time.perf_counter()
    for direction, slices, top in (("vacancy", v_slices, by_vacancy), ("candidate", c_slices, by_candidate)):
        for rows in slices:
            for _ in writer.lines(direction, rows, top):
                pass
    out["formatting_s"] = round(time.perf_counter() - start, 2)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--region", default="scale10", help="a region loaded by bench/run.py (bench/out/NAME)")
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    from bench.common import bench_service

    service = bench_service(args.region)
    try:
        print(json.dumps(run(service, repeats=args.repeats), indent=2))
    finally:
        service.db.close()


if __name__ == "__main__":
    main()
