"""A richer model than one weight per feature, against the hidden truth: quartile bins of travel distance,
occupation experience and required skills, and the interaction the drift rule has (coached vacancies weigh the wish
more: desired_occupation × support_fit), added as columns to the 14 features and fitted exactly like the linear model
(`matcher.learning.training.sequential_logit`: funnel steps, anchored on the prior, inverse-propensity weights).
Still one weight per column, so each prediction's contributions would add up to its score exactly. It would replace
the linear model only if it beat it on the truth.

On the history and the held-out vacancies of `bench.learning_curve` (run that first on the same database, with the
same ``--seed``): after 12 and 26 weeks, the linear model with the C that ``matcher train`` chooses, and the richer
one with that C, a third of it and three times it; NDCG@10 of each against the truth on the held-out vacancies and
the difference with a 95 % bootstrap interval; and the oracle of each family (soft-label fit on the truth of the
oracle's vacancies), for what the extra columns could give at best.

    python -m bench.richer_model --db curve-drift --scenario drift
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from bench.common import OUT, bench_service
from bench.learning_curve import BOOTSTRAP, WEEKS, split_vacancies
from bench.oracle import _soft_logistic, pool
from matcher.learning import training
from matcher.matching.features import FEATURES

BINNED = ("travel_distance", "occupation_experience", "required_skills")
INTERACTION = ("desired_occupation", "support_fit")


class Design:
    """The columns: the features, then the interaction, then for each binned feature 'above the 1st, 2nd, 3rd
    quartile' (edges from ``X``)."""

    def __init__(self, X: np.ndarray) -> None:
        self.edges = {name: np.quantile(X[:, FEATURES.index(name)], [0.25, 0.5, 0.75]) for name in BINNED}

    def __call__(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        a, b = (FEATURES.index(name) for name in INTERACTION)
        return np.column_stack([X, X[:, a] * X[:, b]] + [
            (X[:, FEATURES.index(name)][:, None] > self.edges[name][None, :]).astype(np.float64) for name in BINNED])


class Linear:
    """What `bench.oracle.Pool` ranks by: log-odds up to a constant."""

    def __init__(self, weights: np.ndarray, design: Design | None = None) -> None:
        self.weights, self.design = weights, design

    def logit(self, X: np.ndarray) -> np.ndarray:
        return np.asarray((X if self.design is None else self.design(X)) @ self.weights, dtype=np.float64)


def gain(base: np.ndarray, other: np.ndarray, *, seed: int) -> dict[str, Any]:
    diff = other - base
    means = diff[np.random.default_rng(seed).integers(0, len(diff), size=(BOOTSTRAP, len(diff)))].mean(axis=1)
    return {"ndcg_at_10": round(float(other.mean()), 4), "minus_linear": round(float(diff.mean()), 4),
            "ci95": [round(float(np.percentile(means, 2.5)), 4), round(float(np.percentile(means, 97.5)), 4)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--db", required=True)
    parser.add_argument("--scenario", choices=("default", "drift"), required=True)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--held-out", type=int, default=100)
    args = parser.parse_args()
    from demoregion.truth import Truth

    saved = json.loads((OUT / args.db / "history.json").read_text())  # written by bench.learning_curve
    start = datetime.fromisoformat(saved["end"]) - timedelta(weeks=max(WEEKS))
    service = bench_service(args.db)
    try:
        truth = Truth.load(OUT / args.db / "demo" / "truth", scenario=args.scenario)
        held, fit_ids = split_vacancies(service, seed=args.seed, held_out=args.held_out)
        with service.db.connection() as conn:
            prior = service.champion(conn)
            examples = training.load_examples(conn)
        measured, fitted = pool(service, truth, [vid for vid, _ in held]), pool(service, truth, fit_ids)
        X = fitted.X[fitted.feasible].astype(np.float64)
        relevance = np.clip(fitted.relevance[fitted.feasible].astype(np.float64), 0.0, 1.0)
        design = Design(X)
        linear_oracle = measured.ndcg(Linear(_soft_logistic(X, relevance)))  # type: ignore[arg-type]
        out: dict[str, Any] = {"prior": round(float(measured.ndcg(prior).mean()), 4), "oracle_soft_label": {
            "linear": round(float(linear_oracle.mean()), 4),
            "richer": gain(linear_oracle, measured.ndcg(Linear(_soft_logistic(design(X), relevance),  # type: ignore[arg-type]
                                                                design)), seed=args.seed)}}
        for weeks in (12, 26):
            as_of = start + timedelta(weeks=weeks)
            known = [e for e in examples if e.shown_at <= as_of]
            split = training.default_split(known, as_of)
            early = [e for e in known if e.shown_at < split]
            data = training.label_examples(early, split)
            weights = training.propensity_weights(data)
            c, _ = training.choose_c(data, seed=args.seed, anchor=prior, weights=weights)
            linear = measured.ndcg(training.fit(data, seed=args.seed, version="linear", anchor=prior, c=c,
                                                weights=weights))
            out[f"{weeks}_weeks"] = {"c": c, "linear": round(float(linear.mean()), 4), "richer": {
                f"C={rc:g}": gain(linear, measured.ndcg(Linear(training.sequential_logit(  # type: ignore[arg-type]
                    data, seed=args.seed, anchor=prior, c=rc, weights=weights, design=design)[0], design)),
                    seed=args.seed)
                for rc in (c / 3, c, c * 3)}}
            print(json.dumps({f"{weeks}_weeks": out[f"{weeks}_weeks"]}), flush=True)
    finally:
        service.db.close()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
