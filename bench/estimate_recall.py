"""How well stage one of the rematch proposes, per person, in a minute instead of a whole run.

For a random sample of active people: their exact log-odds against every open vacancy (the API's
`compute` and the champion model, conflicts left out), their top K, and the share of it that the
estimate (`matcher.batch.estimate.Estimate`) puts among its best M, for a few M. This is the recall of
the person side of stage one alone; the run also scores what the vacancies propose, so its recall per
person (`bench/rematch_bench.py`) is at least this. Nothing is written to the database.

Usage: python -m bench.estimate_recall [--region NAME] [--people N] [--seed S] [--top-k K] [--proposals M ...]
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import numpy as np

from matcher.batch.estimate import Estimate
from matcher.batch.rematch import subset
from matcher.matching.features import compute
from matcher.service import Service

CHUNK = 100  # people scored exactly at once (memory: 100 × the vacancies × 14 features)


def run(service: Service, *, people: int = 400, seed: int = 5, k: int = 20,
        proposals: tuple[int, ...] = (20, 30, 50, 100)) -> dict[str, Any]:
    with service.db.connection() as conn:
        snap, model = service.snapshot(conn), service.champion(conn)
    cands = subset(snap.candidates, np.flatnonzero(snap.active))
    vacs = subset(snap.vacancies, np.flatnonzero(snap.open))
    start = time.perf_counter()
    estimate = Estimate(cands, vacs, model)
    built = time.perf_counter() - start
    rows = np.sort(np.random.default_rng(seed).choice(len(cands), size=min(people, len(cands)), replace=False))
    missed, total = dict.fromkeys(proposals, 0), 0
    for s in range(0, len(rows), CHUNK):
        part = rows[s: s + CHUNK]
        block = compute(subset(cands, part), vacs)
        exact = np.where(block.feasibility.conflict, -np.inf, model.logit(block.X).astype(np.float64))
        guess = np.vstack([estimate.scores(slice(r, r + 1)) for r in part])
        for e, g in zip(exact, guess, strict=True):
            top = np.argsort(-e, kind="stable")[:k]
            top = top[np.isfinite(e[top])]
            total += len(top)
            order = np.argsort(-g, kind="stable")
            for m in proposals:
                missed[m] += len(np.setdiff1d(top, order[:m]))
    return {"candidates": len(cands), "vacancies": len(vacs), "sampled_people": len(rows), "top_k": k,
            "estimate_built_s": round(built, 2), "matches": total,
            "recall_per_person": {m: round(1 - missed[m] / max(total, 1), 5) for m in proposals},
            "missed": missed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--region", default="default", help="a region loaded by bench/run.py (bench/out/NAME)")
    parser.add_argument("--people", type=int, default=400)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--top-k", type=int, default=20)
    parser.add_argument("--proposals", type=int, nargs="+", default=[20, 30, 50, 100])
    args = parser.parse_args()
    from bench.common import bench_service

    service = bench_service(args.region)
    try:
        print(json.dumps(run(service, people=args.people, seed=args.seed, k=args.top_k,
                             proposals=tuple(args.proposals)), indent=2))
    finally:
        service.db.close()


if __name__ == "__main__":
    main()
