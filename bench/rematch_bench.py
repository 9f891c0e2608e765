"""Nightly rematch speed: a full run with nothing to re-embed, in pairs per second, against the floor.

The floor is the cheapest arithmetic that touches every pair: one NumPy matrix product of the
active candidates' vectors with the open vacancies' vectors. The rematch computes fourteen features
and the feasibility checks per pair on top of that, so the ratio says how close to the limit it runs.

Three timings of the same work:
- ``in_process``: `matcher.batch.rematch.run` on a fresh service (cold match index, encoder already loaded);
- ``cli``: `matcher rematch` as cron starts it (interpreter, imports, encoder, index, run), wall clock;
- ``floor``: the matrix product alone (best of three).

Usage: python -m bench.rematch_bench [--region NAME] [--skip-cli] [--dask-workers N]
(default database: the one `matcher` itself uses, from MATCHER_* settings; ``--region NAME`` uses a
region loaded by bench/run.py under bench/out/NAME.) Import: ``run(service) -> dict``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Any

import numpy as np

from matcher.batch import rematch
from matcher.service import Service


def _floor(service: Service, repeats: int = 3) -> dict[str, Any]:
    with service.db.connection() as conn:
        snap = service.snapshot(conn)
    cands = np.ascontiguousarray(snap.candidates.vectors[snap.active])
    vacs = np.ascontiguousarray(snap.vacancies.vectors[snap.open])
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        product = cands @ vacs.T
        best = min(best, time.perf_counter() - start)
    pairs = int(product.size)
    return {"pairs": pairs, "dim": int(cands.shape[1]) if cands.ndim == 2 else 0, "seconds": round(best, 4),
            "pairs_per_second": round(pairs / best) if best > 0 else None}


def _cli(service: Service, *, k: int | None, timeout_s: float) -> dict[str, Any]:
    settings = service.settings
    env = dict(os.environ, MATCHER_DATABASE_URL=service.db.url, MATCHER_MODELS_DIR=str(settings.models_dir),
               MATCHER_DATA_DIR=str(settings.data_dir), MATCHER_LOG_JSON="true")
    if settings.secret_key:
        env["MATCHER_SECRET_KEY"] = settings.secret_key
    if settings.encoder_path:
        env["MATCHER_ENCODER_PATH"] = str(settings.encoder_path)
    args = [sys.executable, "-m", "matcher.cli", "rematch"] + (["--top-k", str(k)] if k else [])
    start = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=timeout_s, check=False)
    wall = time.perf_counter() - start
    report: dict[str, Any] = {}
    if done.returncode == 0 and done.stdout.strip():
        report = json.loads(done.stdout.strip().splitlines()[-1])
    return {"exit_code": done.returncode, "wall_s": round(wall, 2), "run_id": report.get("run_id"),
            "seconds": report.get("seconds"), "stderr_tail": done.stderr[-500:] if done.returncode else None}


def run(service: Service, *, k: int | None = None, block_size: int = rematch.DEFAULT_BLOCK_SIZE,
        cli: bool = True, dask_workers: int = 0, timeout_s: float = 1800) -> dict[str, Any]:
    """Time a full rematch on an already loaded database; returns the numbers as a dict."""
    warm = rematch.refresh_embeddings(service)  # so the timed runs have nothing to embed
    floor = _floor(service)

    fresh = Service(service.settings, service.db, encoder=service.encoder)  # a cold index, as a new process has
    start = time.perf_counter()
    report = rematch.run(fresh, k=k, block_size=block_size)
    wall = time.perf_counter() - start
    counts = report.counts
    scoring_rate = counts["pairs_per_second"] or 0
    result: dict[str, Any] = {
        "candidates": counts["candidates"], "vacancies": counts["vacancies"], "pairs": counts["pairs"],
        "feasible_pairs": counts["feasible_pairs"], "top_k": counts["params"]["top_k"], "block_size": block_size,
        "embeddings_before": warm, "embeddings_in_run": counts["embeddings"],
        "in_process": {"run_id": report.run_id, "wall_s": round(wall, 2), "seconds": counts["seconds"],
                       "pairs_per_second_scoring": scoring_rate,
                       "pairs_per_second_whole_run": round(counts["pairs"] / wall) if wall > 0 else None,
                       "results": counts["results"]},
        "floor": floor,
        "scoring_vs_floor": round(scoring_rate / floor["pairs_per_second"], 4)
        if floor["pairs_per_second"] else None,
    }
    if dask_workers:
        from distributed import LocalCluster

        with LocalCluster(n_workers=dask_workers, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=40) as cluster:
            start = time.perf_counter()
            spread = rematch.run(fresh, k=k, block_size=block_size, scheduler=cluster.scheduler_address)
            result["dask_local_cluster"] = {"workers": dask_workers, "wall_s": round(time.perf_counter() - start, 2),
                                            "seconds": spread.counts["seconds"],
                                            "pairs_per_second_scoring": spread.counts["pairs_per_second"]}
    if cli:
        result["cli"] = _cli(service, k=k, timeout_s=timeout_s)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--region", help="a region loaded by bench/run.py (bench/out/NAME)")
    parser.add_argument("--top-k", type=int, default=None)
    parser.add_argument("--block-size", type=int, default=rematch.DEFAULT_BLOCK_SIZE)
    parser.add_argument("--skip-cli", action="store_true", help="do not time `matcher rematch` as a process")
    parser.add_argument("--dask-workers", type=int, default=0, help="also time a local Dask cluster")
    args = parser.parse_args()
    if args.region:
        from bench.common import bench_service

        service = bench_service(args.region)
    else:
        from matcher.config import load_settings
        from matcher.db import open_database

        settings = load_settings()
        service = Service(settings, open_database(settings))
    try:
        with service.db.connection() as conn:
            row = conn.execute("SELECT count(*) AS n FROM candidates WHERE status = 'active'").fetchone()
        if not row or not row["n"]:
            print("the database holds no active candidates; load a region first (python -m bench.run)",
                  file=sys.stderr)
            raise SystemExit(2)
        result = run(service, k=args.top_k, block_size=args.block_size, cli=not args.skip_cli,
                     dask_workers=args.dask_workers)
        print(json.dumps(result, indent=2, default=str))
    finally:
        service.db.close()


if __name__ == "__main__":
    main()
