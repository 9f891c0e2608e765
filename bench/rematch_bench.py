"""Nightly rematch: speed against the floor, recall of the two stages, peak memory.

The floor is the cheapest arithmetic that touches every pair: one NumPy matrix product of the
active candidates' vectors with the open vacancies' vectors (9,000 × 384 by 384 × 3,000 at demo size),
plus the top K of the product per candidate and per vacancy. The rematch computes fourteen features and
the feasibility checks on top of that, so the ratio says how close to the limit it runs.

Measured in one run, on the same machine:
- ``floor``: the product plus top K both ways (best of three);
- ``in_process``: `matcher.batch.rematch.run`, two stages (the default), on a fresh service (cold match
  index, encoder already loaded), and the peak RSS of this process before it and up to its end;
- ``exact``: the same with every pair scored (`matcher rematch --exact`), the reference for
- ``recall``: the share of the exhaustive top K (per person, per vacancy) that the two-stage top K holds;
- ``cli``: `matcher rematch` as cron starts it (interpreter, imports, encoder, index, run), wall clock.

Usage: python -m bench.rematch_bench [--region NAME] [--skip-cli] [--skip-exact] [--dask-workers N]
[--proposals M] (default database: the one `matcher` itself uses, from MATCHER_* settings; ``--region NAME``
uses a region loaded by bench/run.py under bench/out/NAME.) Import: ``run(service) -> dict``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from typing import Any

import numpy as np

from matcher.batch import rematch
from matcher.service import Service

FLOOR_PAIRS = 30_000_000  # pairs per block of the floor's product (the demo size fits in one)


def _floor(service: Service | None, k: int, repeats: int = 3) -> dict[str, Any]:
    """The floor on this region's stored vectors, or (``service`` None) on random vectors of the demo
    size, 9,000 × 384 by 384 × 3,000, whatever region is loaded: the product in blocks of about
    `FLOOR_PAIRS` pairs (the demo size in one block), each block's top K both ways (merging the
    vacancies' blocks is left out: it is cheaper than one block)."""
    if service is None:
        rng = np.random.default_rng(0)
        cands, vacs = (rng.standard_normal((n, 384), dtype=np.float32) for n in (9000, 3000))
    else:
        with service.db.connection() as conn:
            snap = service.snapshot(conn)
        cands = np.ascontiguousarray(snap.candidates.vectors[snap.active])
        vacs = np.ascontiguousarray(snap.vacancies.vectors[snap.open])
    best = float("inf")
    rows = max(1, FLOOR_PAIRS // max(len(vacs), 1))
    for _ in range(repeats):
        start = time.perf_counter()
        for i in range(0, len(cands), rows):  # in blocks, so memory stays bounded at any size
            product = cands[i: i + rows] @ vacs.T
            np.argpartition(-product, min(k, product.shape[1]) - 1, axis=1)[:, :k]   # top K per candidate
            np.argpartition(-product, min(k, product.shape[0]) - 1, axis=0)[:k]      # and per vacancy, per block
        best = min(best, time.perf_counter() - start)
    pairs = len(cands) * len(vacs)
    return {"pairs": pairs, "shape": f"{cands.shape[0]} × {cands.shape[1]} by {vacs.shape[1]} × {vacs.shape[0]}",
            "top_k": k, "seconds": round(best, 4), "pairs_per_second": round(pairs / best) if best > 0 else None}


def _ranked(service: Service, run_id: int) -> dict[str, dict[int, set[int]]]:
    """Per direction, per candidate (or vacancy), the other side's ids a run stored."""
    out: dict[str, dict[int, set[int]]] = {"candidate": {}, "vacancy": {}}
    with service.db.connection() as conn:
        for r in conn.execute("SELECT direction, candidate_id, vacancy_id FROM rematch_results WHERE run_id = %s",
                              (run_id,)):
            own, other = ((r["candidate_id"], r["vacancy_id"]) if r["direction"] == "candidate"
                          else (r["vacancy_id"], r["candidate_id"]))
            out[r["direction"]].setdefault(own, set()).add(other)
    return out


def recall(service: Service, exact_run: int, two_stage_run: int) -> dict[str, Any]:
    """The share of the exhaustive run's top K that the two-stage run's top K holds, per direction
    (over all stored matches), and the share of rows whose top K is identical as a set."""
    want, got = _ranked(service, exact_run), _ranked(service, two_stage_run)
    out: dict[str, Any] = {}
    for direction, name in (("candidate", "per_person"), ("vacancy", "per_vacancy")):
        w, g = want[direction], got[direction]
        total = sum(len(v) for v in w.values())
        kept = sum(len(v & g.get(own, set())) for own, v in w.items())
        out[name] = {"recall": round(kept / total, 5) if total else None, "matches": total, "missed": total - kept,
                     "rows_identical": round(sum(g.get(own) == v for own, v in w.items()) / max(len(w), 1), 5)}
    return out


def sampled_recall(service: Service, run_id: int, k: int, *, people: int = 400, vacancies: int = 200,
                   seed: int = 3) -> dict[str, Any]:
    """Recall without an exhaustive run (for regions where one takes too long): for a random sample of
    people and of vacancies, the share of the API's top K (`for_candidate`, `for_vacancy` without the
    exposure re-rank: what the exhaustive run stores) that the run stored, with a 95 % bootstrap interval."""
    from matcher.matching.explain import Explainer
    from matcher.matching.ranking import for_candidate, for_vacancy

    got = _ranked(service, run_id)
    with service.db.connection() as conn:
        snap, model = service.snapshot(conn), service.champion(conn)
    explainer, rng = Explainer(service.vocabulary), np.random.default_rng(seed)
    out: dict[str, Any] = {}
    for name, rows, ids, serve, direction in (
            ("per_person", np.flatnonzero(snap.active), snap.candidates.ids, "candidate", "candidate"),
            ("per_vacancy", np.flatnonzero(snap.open), snap.vacancies.ids, "vacancy", "vacancy")):
        chosen = rng.choice(rows, size=min(people if serve == "candidate" else vacancies, len(rows)), replace=False)
        shares = []
        for row in chosen:
            own = int(ids[row])
            if serve == "candidate":
                want = {i.vacancy_id for i in for_candidate(snap, model, explainer, own, limit=k).items}
            else:
                want = {i.candidate_id for i in for_vacancy(snap, model, explainer, own, limit=k, exposure=None,
                                                            rerank=True).items}
            if want:
                shares.append(len(want & got[direction].get(own, set())) / len(want))
        values = np.array(shares)
        boot = [rng.choice(values, size=len(values)).mean() for _ in range(1000)] if len(values) else [np.nan]
        out[name] = {"sampled": len(values), "recall": round(float(values.mean()), 5) if len(values) else None,
                     "ci95": [round(float(np.percentile(boot, 2.5)), 5), round(float(np.percentile(boot, 97.5)), 5)]}
    return out


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kB on Linux


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
        proposals: int | None = None, cli: bool = True, exact: bool = True, dask_workers: int = 0,
        timeout_s: float = 1800) -> dict[str, Any]:
    """Time a full rematch on an already loaded database; returns the numbers as a dict."""
    k = k or service.settings.rematch_top_k
    warm = rematch.refresh_embeddings(service)  # so the timed runs have nothing to embed
    floor, demo_floor = _floor(service, k), _floor(None, k)
    rss_before = _peak_rss_mb()

    fresh = Service(service.settings, service.db, encoder=service.encoder)  # a cold index, as a new process has
    start = time.perf_counter()
    report = rematch.run(fresh, k=k, block_size=block_size, proposals=proposals)
    wall = time.perf_counter() - start
    counts = report.counts
    scoring = counts["seconds"]["scoring"]
    result: dict[str, Any] = {
        "candidates": counts["candidates"], "vacancies": counts["vacancies"], "pairs": counts["pairs"],
        "feasible_pairs": counts["feasible_pairs"], "rescored_pairs": counts["rescored_pairs"], "top_k": k,
        "proposals": counts["params"]["proposals"], "block_size": block_size, "embeddings_before": warm,
        "embeddings_in_run": counts["embeddings"],
        "in_process": {"run_id": report.run_id, "wall_s": round(wall, 2), "seconds": counts["seconds"],
                       "pairs_per_second_scoring": counts["pairs_per_second"],
                       "pairs_per_second_whole_run": round(counts["pairs"] / wall) if wall > 0 else None,
                       "results": counts["results"], "peak_rss_mb_before": rss_before,
                       "peak_rss_mb": _peak_rss_mb()},
        "floor": floor, "floor_at_demo_size": demo_floor,
        "scoring_vs_floor": round(scoring / floor["seconds"], 1) if floor["seconds"] else None,
        "wall_vs_floor": round(wall / floor["seconds"], 1) if floor["seconds"] else None,
    }
    if exact:
        start = time.perf_counter()
        audit = rematch.run(fresh, k=k, block_size=block_size, exact=True)
        result["exact"] = {"run_id": audit.run_id, "wall_s": round(time.perf_counter() - start, 2),
                           "seconds": audit.counts["seconds"],
                           "pairs_per_second_scoring": audit.counts["pairs_per_second"]}
        result["recall"] = recall(service, audit.run_id, report.run_id)
    else:
        result["recall_sampled"] = sampled_recall(service, report.run_id, k)
    if dask_workers:
        from distributed import LocalCluster

        with LocalCluster(n_workers=dask_workers, threads_per_worker=1, processes=True, dashboard_address=None,
                          silence_logs=40) as cluster:
            start = time.perf_counter()
            spread = rematch.run(fresh, k=k, block_size=block_size, proposals=proposals,
                                 scheduler=cluster.scheduler_address)
            result["dask_local_cluster"] = {"workers": dask_workers, "wall_s": round(time.perf_counter() - start, 2),
                                            "seconds": spread.counts["seconds"],
                                            "pairs_per_second_scoring": spread.counts["pairs_per_second"],
                                            "same_results_as_one_process":
                                                _ranked(service, spread.run_id) == _ranked(service, report.run_id)}
    if cli:
        result["cli"] = _cli(service, k=k, timeout_s=timeout_s)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--region", help="a region loaded by bench/run.py (bench/out/NAME)")
    parser.add_argument("--top-k", type=int, default=None)
    parser.add_argument("--block-size", type=int, default=rematch.DEFAULT_BLOCK_SIZE)
    parser.add_argument("--proposals", type=int, default=None)
    parser.add_argument("--skip-cli", action="store_true", help="do not time `matcher rematch` as a process")
    parser.add_argument("--skip-exact", action="store_true", help="no exhaustive run, so no recall")
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
        result = run(service, k=args.top_k, block_size=args.block_size, proposals=args.proposals,
                     cli=not args.skip_cli, exact=not args.skip_exact, dask_workers=args.dask_workers)
        print(json.dumps(result, indent=2, default=str))
    finally:
        service.db.close()


if __name__ == "__main__":
    main()
