"""The learning curve (`bench.learning_curve`) on several simulated histories: how often the champion/challenger gate
promotes the trained model after 4, 8, 12 and 26 weeks of outcomes, and the median share of the prior→oracle gap it
recovers, for one scenario (``--scenario drift`` or ``default``), the position-bias-weighted fit only.

Each ``--seeds`` value is one history (other shortlists, other held-out vacancies) on the same region: a copy of the
loaded region bench/out/<base> (1,500 × 500, seed 42; loaded there first when missing) into
bench/out/curve-<scenario>-s<seed>, where the history is recorded once and reused by a later run (see
`bench.learning_curve`). Settings are chosen on development seeds, never on the seeds reported.

    python -m bench.learning_seeds --scenario drift --seeds 1,2,3,4,5
"""

from __future__ import annotations

import argparse
import json
import subprocess
from typing import Any

import numpy as np

from bench import learning_curve
from bench.common import OUT, bench_service


def summary(curves: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Per number of weeks: on how many histories the gate promoted, and the shares of the gap recovered."""
    out: dict[str, Any] = {}
    for w in sorted({p["weeks"] for c in curves.values() for p in c["curve"]}):
        points = {seed: p for seed, c in curves.items() for p in c["curve"] if p["weeks"] == w}
        shares = [p["share_of_gap"]["share"] for p in points.values()]
        out[str(w)] = {"promoted": sum(p["gate_promotes"] for p in points.values()), "histories": len(points),
                       "median_share": round(float(np.median(shares)), 3),
                       "share_ci_above_0": sum(p["share_of_gap"]["ci95"][0] > 0 for p in points.values()),
                       "truth_gain_ci_above_0": sum(p["truth_gain_ci95"][0] > 0 for p in points.values()),
                       "truth_gain_ci_below_0": sum(p["truth_gain_ci95"][1] < 0 for p in points.values()),
                       "per_seed": {str(seed): {"share": p["share_of_gap"]["share"], "promoted": p["gate_promotes"],
                                                "truth_gain": p["truth_gain"], "gain_ci95": p["truth_gain_ci95"],
                                                "gate_gain_ci95": p["loglik_gain_ci95"]}
                                    for seed, p in points.items()}}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--scenario", choices=("default", "drift"), required=True)
    parser.add_argument("--seeds", required=True, help="comma-separated history seeds")
    parser.add_argument("--base", default="curve-base", help="bench/out/<base> holds the loaded region to copy")
    parser.add_argument("--weeks", default=",".join(map(str, learning_curve.WEEKS)))
    parser.add_argument("--gate-folds", type=int, help="periods the gate pools (default: training.GATE_FOLDS)")
    args = parser.parse_args()
    from bench.run import loaded_region
    from demoregion.truth import Truth

    if not (OUT / args.base / "demo" / "manifest.json").exists():
        loaded_region(args.base, 1500, 500)[0].db.close()
    curves: dict[int, dict[str, Any]] = {}
    for seed in (int(s) for s in args.seeds.split(",")):
        name = f"curve-{args.scenario}-s{seed}"
        if not (OUT / name).exists():
            # cp -a keeps the owner of the database files (the embedded server runs as its own user)
            subprocess.run(["cp", "-a", str(OUT / args.base), str(OUT / name)], check=True)
        service = bench_service(name)
        try:
            curves[seed] = learning_curve.run(
                service, Truth.load(OUT / name / "demo" / "truth", scenario=args.scenario),
                weeks=tuple(int(w) for w in args.weeks.split(",")), seed=seed, saved=OUT / name / "history.json",
                fits=(True,), gate_folds=args.gate_folds)
        finally:
            service.db.close()
        print(json.dumps({"seed": seed, "truth_ndcg_at_10": curves[seed]["truth_ndcg_at_10"]}), flush=True)
    result = {"scenario": args.scenario, "seeds": sorted(curves), "gate_folds": args.gate_folds,
              "by_weeks": summary(curves), "curves": {str(k): v for k, v in curves.items()}}
    folds = f"-f{args.gate_folds}" if args.gate_folds else ""
    (OUT / f"learning-seeds-{args.scenario}{folds}-{args.seeds.replace(',', '-')}.json").write_text(
        json.dumps(result, indent=2, default=str))
    print(json.dumps({k: v for k, v in result.items() if k != "curves"}, indent=2, default=str))


if __name__ == "__main__":
    main()
