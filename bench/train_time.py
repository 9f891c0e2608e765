"""Training time on a history ten times the demo's: `matcher.learning.training.train` (what ``matcher train`` runs,
here without promoting) on ``--per-week`` vacancy shortlists of 20 a week (default 400, ten times the 40 of
``matcher demo outcomes``) for 12 weeks ending now, simulated with the same code and recorded once into a loaded
region (bench/out/<db>, loaded and kept as in `bench.learning_curve`; a later run trains on the same history again).

Training reads only the shown matches, their stored features and their outcome events, so its work grows with the
history, not with the number of people and vacancies: the region may be smaller than the 10x one.

    python -m bench.train_time --db train-10x --scenario drift
"""

from __future__ import annotations

import argparse
import json
import time

from bench.common import OUT, bench_service, machine
from bench.learning_curve import recorded
from matcher.learning import training


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--db", required=True, help="bench/out/<db> holds the loaded region")
    parser.add_argument("--scenario", choices=("default", "drift"), default="drift")
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--per-week", type=int, default=400)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--candidates", type=int, default=1500, help="size of a region loaded anew")
    parser.add_argument("--vacancies", type=int, default=500)
    args = parser.parse_args()
    from bench.run import region
    from demoregion.truth import Truth

    service = bench_service(args.db) if (OUT / args.db).exists() else region(args.db, args.candidates,
                                                                              args.vacancies)[0]
    try:
        truth = Truth.load(OUT / args.db / "demo" / "truth", scenario=args.scenario)
        _, summary = recorded(service, truth, weeks=args.weeks, per_week=args.per_week, seed=args.seed, held=[],
                              saved=OUT / args.db / "history.json")
        started = time.perf_counter()
        result = training.train(service, seed=args.seed, auto_promote=False)
        seconds = time.perf_counter() - started
    finally:
        service.db.close()
    print(json.dumps({"machine": machine(), "history": summary, "train_seconds": round(seconds, 1),
                      "version": result.version, "counts": {k: result.counts[k] for k in (
                          "train_examples", "train_labelled", "eval_examples", "eval_labelled")},
                      "c": (result.metrics.get("regularisation") or {}).get("chosen"),
                      "promote": result.decision.get("promote")}, indent=2, default=str))


if __name__ == "__main__":
    main()
