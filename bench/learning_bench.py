"""Learning from outcomes on the demo region: simulate weeks of shortlists and what happened after them
(from the hidden truth), retrain, and compare the prior and the trained model against the hidden truth on a
later period.

`run(service, truth, ...)` is called by `bench/run.py` on the loaded default region. On its own, on a small
region of its own: ``python -m bench.learning_bench --candidates 600 --vacancies 200 --weeks 6``.

The simulated weeks lie in the past (shortlists are set back in time, the simulation's clock), and everything
is taken as known at ``as_of``, ``RETENTION_WAIT_DAYS`` after the last week (within that, `matcher train` takes
the training weeks' outcomes as known at the split), so shortlists served by other benchmarks at the real "now"
are not part of it. Nothing is promoted: the benchmark leaves the champion alone.

Volume: by default 12 weeks of 120 vacancy shortlists, 10 of them before the split. What outcomes can teach
is small on the demo region, because the prior is already close to the best that an additive model over these
14 features reaches against the hidden truth; the gain grows with the number of judged matches and was inside
the noise at 8 weeks of 60. Each NDCG comparison therefore also gives the gain per vacancy with its 95 %
bootstrap interval.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import ndcg_at_k
from matcher.db import repository
from matcher.domain import OutcomeIn
from matcher.learning import training
from matcher.matching.explain import Explainer
from matcher.matching.ranking import for_vacancy
from matcher.matching.scoring import AdditiveModel
from matcher.security import SYSTEM
from matcher.service import MAX_IMPORT_ROWS, Service

SHORTLIST = 20
RETENTION_WAIT_DAYS = 220  # labels are taken this long after the last simulated week: most retention is known


def truth_ndcg(service: Service, truth: Any, models: dict[str, AdditiveModel], vacancy_ids: list[int], *,
               seed: int = 0) -> dict[str, Any]:
    """NDCG@10 of each model's top 10 from the whole active pool against the hidden relevance; for the trained
    model also its mean gain over the prior per vacancy, with a 95 % bootstrap interval (resampling vacancies)."""
    with service.db.connection() as conn:
        snap = service.snapshot(conn)
    cands, vacs = snap.candidates, snap.vacancies
    active = np.flatnonzero(snap.active)
    refs = [cands.rows[i]["ref"] for i in active]
    position = {int(c): k for k, c in enumerate(active)}
    explainer = Explainer(service.vocabulary)
    scores: dict[str, list[float]] = {name: [] for name in models}
    for vid in vacancy_ids:
        vac = vacs.rows[snap.vacancy_pos[vid]]
        relevance = truth.relevance(refs, [(vac["source"], vac["external_id"])])[:, 0]
        for name, model in models.items():
            result = for_vacancy(snap, model, explainer, vid, limit=10, rerank=False)
            top = [position[int(snap.candidate_pos[item.candidate_id])] for item in result.items]
            scores[name].append(ndcg_at_k(relevance[top], relevance))
    per_vacancy = {name: {"ndcg_per_request": dict(enumerate(v))} for name, v in scores.items()}
    return {"vacancies": len(vacancy_ids),
            **{name: round(float(np.mean(v)), 4) if v else None for name, v in scores.items()},
            "gain": round(float(np.mean(scores["trained"]) - np.mean(scores["prior"])), 4) if vacancy_ids else None,
            "gain_ci95": training.bootstrap_gain(per_vacancy["prior"], per_vacancy["trained"], seed=seed)}


def run(service: Service, truth: Any, *, demo_dir: Path | None = None, weeks: int = 12, per_week: int = 120,
        eval_weeks: int = 2, held_out: int = 100, seed: int = 5, min_events: int = 100) -> dict[str, Any]:
    """Simulate ``weeks`` weeks of ``per_week`` vacancy shortlists, record the simulated outcomes through the
    bulk import, train on the first ``weeks - eval_weeks`` weeks, and measure both models on the later weeks'
    vacancies and on ``held_out`` vacancies never shortlisted, against the hidden truth."""
    from demoregion.outcomes import simulate

    started = time.perf_counter()
    now = datetime.now(UTC)
    start = (now - timedelta(weeks=weeks + 40)).replace(hour=8, minute=0, second=0, microsecond=0)
    split = start + timedelta(weeks=weeks - eval_weeks)
    as_of = start + timedelta(weeks=weeks, days=RETENTION_WAIT_DAYS)
    with service.db.connection() as conn:
        open_ids = [r["id"] for r in conn.execute(
            "SELECT id FROM vacancies WHERE status = 'open' ORDER BY source, external_id")]
        keys = {r["id"]: (r["source"], r["external_id"]) for r in conn.execute(
            "SELECT id, source, external_id FROM vacancies WHERE status = 'open'")}
        prior = service.champion(conn)
    rng = np.random.default_rng(seed)
    order = [int(v) for v in rng.permutation(open_ids)]
    needed = weeks * per_week
    if len(order) < needed + 1:
        raise ValueError(f"the region has {len(order)} open vacancies; {needed} shortlists need more")
    plan = order[:needed]
    spare = order[needed: needed + held_out]

    shown: list[dict[str, Any]] = []
    week_of: dict[int, int] = {}
    request_of: dict[str, str] = {}  # the simulator seeds its draws with the request id: a stable one per shortlist
    for n, vid in enumerate(plan):
        week = n // per_week
        week_of[vid] = week
        when = start + timedelta(weeks=week, hours=int(rng.integers(0, 5 * 24)))
        source, external_id = keys[vid]
        result = service.shortlist(source, external_id, actor=SYSTEM, limit=SHORTLIST)
        with service.db.transaction() as conn:
            repository.move_shortlist(conn, result.request_id, when)
        request_of[f"shortlist-{n}"] = result.request_id
        shown += [{"request_id": f"shortlist-{n}", "candidate_ref": item.candidate["ref"], "rank": item.rank,
                   "vacancy": {"source": source, "external_id": external_id}, "shown_at": when}
                  for item in result.result.items]
    events = [e | {"request_id": request_of[e["request_id"]]} for e in simulate(shown, truth, seed=seed, start=start)]
    created = 0
    for i in range(0, len(events), MAX_IMPORT_ROWS):
        report = service.import_outcomes([OutcomeIn.model_validate(e) for e in events[i: i + MAX_IMPORT_ROWS]],
                                         actor=SYSTEM)
        if not report.ok:
            raise ValueError(f"simulated outcomes did not import: {json.dumps((report.errors or [])[:3])}")
        created += report.created
    simulated_s = time.perf_counter() - started

    train_started = time.perf_counter()
    result_train = training.train(service, seed=seed, split_date=split, as_of=as_of, min_events=min_events,
                                  auto_promote=False)
    train_s = time.perf_counter() - train_started
    trained = service.models.load(result_train.version, str(result_train.path))
    models = {"prior": prior, "trained": trained}
    later = [vid for vid in plan if week_of[vid] >= weeks - eval_weeks]
    logged = result_train.metrics.get("champion"), result_train.metrics.get("challenger")
    return {
        "simulated": {"weeks": weeks, "shortlists": len(plan), "shown": len(shown), "events": len(events),
                      "recorded": created, "by_event": dict(sorted(Counter(e["event"] for e in events).items())),
                      "start": start.date().isoformat(), "split": split.date().isoformat(),
                      "labels_as_of": as_of.date().isoformat(), "seconds": round(simulated_s, 1)},
        "training": {"version": result_train.version, "seconds": round(train_s, 1), "unchanged": result_train.unchanged,
                     "counts": result_train.counts, "decision": result_train.decision,
                     "logged_ndcg_at_10": {"prior": logged[0]["ndcg_at_10"] if logged[0] else None,
                                           "trained": logged[1]["ndcg_at_10"] if logged[1] else None},
                     "logged_roc_auc": {"prior": logged[0]["roc_auc"] if logged[0] else None,
                                        "trained": logged[1]["roc_auc"] if logged[1] else None}},
        "truth_ndcg_at_10": {
            "later_period": truth_ndcg(service, truth, models, later, seed=seed),
            "held_out_vacancies": truth_ndcg(service, truth, models, spare, seed=seed),
        },
        "seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--candidates", type=int, default=600)
    parser.add_argument("--vacancies", type=int, default=200)
    parser.add_argument("--weeks", type=int, default=6)
    parser.add_argument("--per-week", type=int, default=20)
    parser.add_argument("--eval-weeks", type=int, default=2)
    parser.add_argument("--held-out", type=int, default=30)
    parser.add_argument("--min-events", type=int, default=50)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    from bench.common import OUT
    from bench.run import region
    from demoregion.truth import Truth

    service, demo_dir, load = region("learning", args.candidates, args.vacancies)
    try:
        results = {"size": {"candidates": args.candidates, "vacancies": args.vacancies}, "load": load,
                   "learning": run(service, Truth.load(demo_dir / "truth"), demo_dir=demo_dir, weeks=args.weeks,
                                   per_week=args.per_week, eval_weeks=args.eval_weeks, held_out=args.held_out,
                                   seed=args.seed, min_events=args.min_events)}
    finally:
        service.db.close()
    (OUT / "learning.json").write_text(json.dumps(results, indent=2, default=str))
    print(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
