"""The learning curve against the hidden truth: how much of what there is to learn a trained model finds, after 4,
8, 12 and 26 weeks of outcomes, on the drift region and on the default one, with and without the position-bias
weights.

For one loaded region and one rule (``--scenario``): a history of 26 weeks ending now is simulated with the same
code as ``matcher demo outcomes`` (`matcher.cli.demo.history`), on all open vacancies but ``held_out`` of them, and
recorded. For each number of weeks W, ``matcher train`` runs as it would have W weeks into that history
(``as_of``: only the shortlists and events before it exist), once with the inverse-propensity weights and once
naive, without promoting anything; the gate's decision (against the prior) is reported. Each trained model, the
prior and the oracle (`bench.oracle`, fitted on the truth of 150 vacancies of the history) are then measured on the
held-out vacancies, never shortlisted, against the hidden truth: NDCG@10 of each model's top 10 from the whole
active pool. The share of the gap recovered is (trained − prior) / (oracle − prior), mean over vacancies, with a
95 % bootstrap interval (resampling vacancies, seeded).

The region is generated (seed 42, ``--candidates`` × ``--vacancies``) and loaded into the bench database
bench/out/<db> when that does not exist yet; otherwise the one there is used as it is. The history is recorded into
it, once: bench/out/<db>/history.json says when it ended and with which settings, and a later run with the same
scenario, seed, weeks, shortlists a week and held-out count trains on it again instead of simulating anew (another
setting needs a fresh copy of the region). Drift and default share the people and vacancies: load once, copy the
folder while no server runs on it, one copy per scenario:

    python -m bench.learning_curve --db curve-drift --scenario drift --candidates 1500 --vacancies 500

Settings are chosen on a development history (another ``--seed``, so other held-out vacancies and other shortlists),
never on the one reported.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import OUT, bench_service
from bench.oracle import oracle, pool
from matcher.cli.demo import history, record
from matcher.learning import training
from matcher.service import Service

WEEKS = (4, 8, 12, 26)
ORACLE_VACANCIES = 150
BOOTSTRAP = 2000


def share_of_gap(prior: np.ndarray, trained: np.ndarray, best: np.ndarray, *, seed: int) -> dict[str, Any]:
    """(trained − prior) / (oracle − prior) of the mean NDCG@10 over vacancies, with a 95 % bootstrap interval."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(prior), size=(BOOTSTRAP, len(prior)))
    gap = best[picks].mean(axis=1) - prior[picks].mean(axis=1)
    ratio = (trained[picks].mean(axis=1) - prior[picks].mean(axis=1)) / np.where(gap > 0, gap, np.nan)
    return {"share": round(float((trained.mean() - prior.mean()) / (best.mean() - prior.mean())), 3),
            "ci95": [round(float(np.nanpercentile(ratio, 2.5)), 3), round(float(np.nanpercentile(ratio, 97.5)), 3)]}


def recorded(service: Service, truth: Any, *, weeks: int, per_week: int, seed: int, held: list[tuple[str, str]],
             saved: Path | None) -> tuple[datetime, dict[str, Any]]:
    """The simulated history of ``weeks`` ending now, recorded, never shortlisting ``held`` (source, external_id);
    or the one ``saved`` says was recorded before with the same settings, whose trained versions are then removed
    (trained again by the code as it is now). Returns when it ended and its summary."""
    started = time.perf_counter()
    settings = {"scenario": truth.scenario, "seed": seed, "weeks": weeks, "per_week": per_week, "held_out": len(held)}
    if saved is not None and saved.exists():
        kept = json.loads(saved.read_text())
        if kept["settings"] != settings:
            raise SystemExit(f"{saved} holds a history made with {kept['settings']}, not {settings}: use a fresh copy "
                             "of the region")
        with service.db.transaction() as conn:
            for r in conn.execute("DELETE FROM model_versions WHERE version LIKE 'trained-%' RETURNING path"):
                shutil.rmtree(r["path"], ignore_errors=True)
        return datetime.fromisoformat(kept["end"]), kept["summary"]
    now = datetime.now(UTC)
    events, summary = history(service, truth, weeks=weeks, per_week=per_week, seed=seed, end=now,
                              exclude=frozenset(held))
    summary["recorded"] = record(service, events)
    summary["seconds"] = round(time.perf_counter() - started, 1)
    if saved is not None:
        saved.write_text(json.dumps({"settings": settings, "end": now.isoformat(), "summary": summary}, indent=2))
    return now, summary


def split_vacancies(service: Service, *, seed: int, held_out: int
                    ) -> tuple[list[tuple[int, tuple[str, str]]], list[int]]:
    """The open vacancies held out of the history ((id, (source, external_id)), seeded) and the ids of those the
    oracle is fitted on."""
    with service.db.connection() as conn:
        rows = [(r["id"], (r["source"], r["external_id"])) for r in conn.execute(
            "SELECT id, source, external_id FROM vacancies WHERE status = 'open' ORDER BY source, external_id")]
    order = np.random.default_rng(seed).permutation(len(rows))
    return [rows[i] for i in order[:held_out]], [rows[i][0] for i in order[held_out: held_out + ORACLE_VACANCIES]]


def run(service: Service, truth: Any, *, weeks: tuple[int, ...] = WEEKS, per_week: int = 40, held_out: int = 100,
        seed: int = 5, min_events: int = 50, saved: Path | None = None, fits: tuple[bool, ...] = (True, False),
        gate_folds: int | None = None) -> dict[str, Any]:
    """``saved``: the history's record (see the module docstring); ``fits``: with (True) and without (False) the
    position-bias weights; ``gate_folds``: the periods the gate pools (default `training.GATE_FOLDS`)."""
    started = time.perf_counter()
    held, fit_ids = split_vacancies(service, seed=seed, held_out=held_out)
    with service.db.connection() as conn:
        prior = service.champion(conn)
    now, summary = recorded(service, truth, weeks=max(WEEKS), per_week=per_week, seed=seed,
                            held=[key for _, key in held], saved=saved)
    start = now - timedelta(weeks=max(WEEKS))

    best = oracle(pool(service, truth, fit_ids))
    measured = pool(service, truth, [vid for vid, _ in held])
    base, top = measured.ndcg(prior), measured.ndcg(best)
    points = []
    for w in weeks:
        as_of = start + timedelta(weeks=w)
        for ipw in fits:
            began = time.perf_counter()
            result = training.train(service, seed=seed, as_of=as_of, min_events=min_events, auto_promote=False,
                                    ipw=ipw, gate_folds=gate_folds)
            seconds = time.perf_counter() - began
            model = service.models.load(result.version, str(result.path))
            got = measured.ndcg(model)
            logged = result.metrics.get("champion", {}), result.metrics.get("challenger", {})
            gate = result.metrics.get("gate", {})
            points.append({
                "weeks": w, "fit": "ipw" if ipw else "naive", "version": result.version,
                "train_labelled": result.counts["train_labelled"], "train_seconds": round(seconds, 1),
                "truth_ndcg_at_10": round(float(got.mean()), 4),
                "truth_gain": round(float(got.mean() - base.mean()), 4),
                "truth_gain_ci95": training.bootstrap_gain(
                    {"ndcg_per_request": dict(enumerate(base))}, {"ndcg_per_request": dict(enumerate(got))},
                    seed=seed),
                "share_of_gap": share_of_gap(base, got, top, seed=seed),
                "logged_ndcg_at_10": {"prior": logged[0].get("ndcg_at_10"), "trained": logged[1].get("ndcg_at_10")},
                "logged_gain_ci95": result.metrics.get("ndcg_gain_ci95"),
                "gate_loglik": {"prior": gate.get("champion", {}).get("loglik"),
                                "trained": gate.get("challenger", {}).get("loglik")},
                "loglik_gain_ci95": result.metrics.get("loglik_gain_ci95"),
                "gate_periods": [[p["shortlists"], p["c"]] for p in gate.get("periods", [])],
                "c": (result.metrics.get("regularisation") or {}).get("chosen"),
                "gate_promotes": bool(result.decision.get("promote")),
                "gate_reasons": result.decision.get("reasons", [])[:1],
            })
            print(json.dumps(points[-1]), flush=True)
    return {"scenario": truth.scenario, "history": summary, "held_out_vacancies": len(held),
            "oracle": {"fit": best.meta.get("fit"), "fitted_on_vacancies": len(fit_ids)},
            "truth_ndcg_at_10": {"prior": round(float(base.mean()), 4), "oracle": round(float(top.mean()), 4),
                                 "gap": round(float(top.mean() - base.mean()), 4)},
            "curve": points, "seconds": round(time.perf_counter() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--db", required=True, help="bench/out/<db> holds the loaded region (see the docstring)")
    parser.add_argument("--scenario", choices=("default", "drift"), required=True)
    parser.add_argument("--per-week", type=int, default=40)
    parser.add_argument("--held-out", type=int, default=100)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--weeks", default=",".join(map(str, WEEKS)), help="comma-separated, at most 26 (the "
                        "history is always 26 weeks long)")
    parser.add_argument("--fits", choices=("both", "ipw", "naive"), default="both")
    parser.add_argument("--gate-folds", type=int, help="periods the gate pools (default: training.GATE_FOLDS)")
    parser.add_argument("--candidates", type=int, default=1500, help="size of a region loaded anew")
    parser.add_argument("--vacancies", type=int, default=500)
    args = parser.parse_args()
    from bench.run import region
    from demoregion.truth import Truth

    if (OUT / args.db).exists():
        service = bench_service(args.db)
    else:
        service = region(args.db, args.candidates, args.vacancies)[0]
    try:
        results = run(service, Truth.load(OUT / args.db / "demo" / "truth", scenario=args.scenario),
                      weeks=tuple(int(w) for w in args.weeks.split(",")), per_week=args.per_week,
                      held_out=args.held_out, seed=args.seed, saved=OUT / args.db / "history.json",
                      fits={"both": (True, False), "ipw": (True,), "naive": (False,)}[args.fits],
                      gate_folds=args.gate_folds)
    finally:
        service.db.close()
    (OUT / f"learning-curve-{args.db}.json").write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps({k: v for k, v in results.items() if k != "curve"}, indent=2, default=str))


if __name__ == "__main__":
    main()
