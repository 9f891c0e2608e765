"""Ranking quality against the demo region's hidden truth, and the *oracle*: the best model of the matcher's own
family (one additive logistic model over the 14 pair features) fitted on the truth itself.

A `Pool` holds, for a set of vacancies, the features of every active candidate, whether the pair is feasible (not
a hard conflict) and its hidden relevance. A model's NDCG@10 for one vacancy is that of its top 10 of the feasible
active candidates (ranked by its log-odds, as a shortlist without the exposure re-rank) against the best 10 of all
active candidates by hidden relevance: the same measure as `bench.learning_bench.truth_ndcg`, computed once per
vacancy instead of once per model.

The oracle is fitted by maximum likelihood with the hidden relevance as a soft label (each feasible pair counts as
a positive with weight *relevance* and as a negative with weight *1 − relevance*) on the vacancies of a pool of its
own, so it is measured on vacancies it was not fitted on. How far it beats the prior is what there is to learn from
outcomes with these features; how much of that gap a trained model closes is the share learned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bench.common import ndcg_at_k
from matcher.learning.training import calibrated_intercept
from matcher.matching.features import compute
from matcher.matching.ranking import top_k
from matcher.matching.scoring import AdditiveModel

ORACLE_C = 100.0  # a weak penalty: the truth is noiseless and the pool large, only lbfgs needs it
LISTWISE_POWERS = (1.0, 2.0, 4.0)


@dataclass
class Pool:
    vacancy_ids: list[int]
    X: np.ndarray           # (active candidates, vacancies, features) float32
    feasible: np.ndarray    # (active candidates, vacancies) bool
    relevance: np.ndarray   # (active candidates, vacancies) hidden relevance

    def logits(self, model: AdditiveModel) -> np.ndarray:
        n, m, f = self.X.shape
        return np.asarray(model.logit(self.X.reshape(n * m, f)), dtype=np.float64).reshape(n, m)

    def ndcg(self, model: AdditiveModel) -> np.ndarray:
        """NDCG@10 per vacancy of the model's top 10 feasible candidates against the hidden relevance."""
        order = np.where(self.feasible, self.logits(model), -np.inf)
        out = np.empty(len(self.vacancy_ids))
        for j in range(len(self.vacancy_ids)):
            top = top_k(order[:, j], min(10, int(self.feasible[:, j].sum())))
            out[j] = ndcg_at_k(self.relevance[top, j], self.relevance[:, j])
        return out


def pool(service: Any, truth: Any, vacancy_ids: list[int]) -> Pool:
    """Features, feasibility and hidden relevance of all active candidates for ``vacancy_ids``."""
    with service.db.connection() as conn:
        snap = service.snapshot(conn)
    active = np.flatnonzero(snap.active)
    columns = np.array([snap.vacancy_pos[v] for v in vacancy_ids], dtype=np.int64)
    block = compute(snap.candidates, snap.vacancies, active, columns)
    refs = [snap.candidates.rows[i]["ref"] for i in active]
    keys = [(snap.vacancies.rows[j]["source"], snap.vacancies.rows[j]["external_id"]) for j in columns]
    return Pool(list(vacancy_ids), block.X, ~block.feasibility.conflict, truth.relevance(refs, keys))


def _soft_logistic(X: np.ndarray, r: np.ndarray) -> np.ndarray:
    """Weights of the soft-label maximum-likelihood fit (each pair a positive with weight r, a negative with 1 − r)."""
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=ORACLE_C, solver="lbfgs", max_iter=10_000, tol=1e-8)
    clf.fit(np.vstack([X, X]), np.r_[np.ones(len(X)), np.zeros(len(X))], sample_weight=np.r_[r, 1.0 - r])
    return np.asarray(clf.coef_[0], dtype=np.float64)


def _listwise(fit_on: Pool, power: float) -> np.ndarray:
    """Weights of a listwise fit (ListNet, top-1): per vacancy, the softmax of the scores over its feasible
    candidates is fitted to the distribution proportional to relevance ** power (a higher power puts more weight
    on the very top)."""
    from scipy.optimize import minimize

    lists = []
    for j in range(fit_on.feasible.shape[1]):
        rows = fit_on.feasible[:, j]
        target = fit_on.relevance[rows, j].astype(np.float64) ** power
        if rows.sum() >= 2 and target.sum() > 0:
            lists.append((fit_on.X[rows, j].astype(np.float64), target / target.sum()))

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        total, grad = 1e-4 * float(w @ w), 2e-4 * w
        for X, p in lists:
            s = X @ w
            s -= s.max()
            q = np.exp(s)
            z = q.sum()
            total -= float(p @ s) - np.log(z)
            grad -= X.T @ (p - q / z)
        return total / len(lists), grad / len(lists)

    return np.asarray(minimize(loss, np.zeros(fit_on.X.shape[2]), jac=True, method="L-BFGS-B").x)


def oracle(fit_on: Pool, *, version: str = "oracle") -> AdditiveModel:
    """The best additive logistic model over the features against the hidden relevance of ``fit_on``: of a
    soft-label maximum-likelihood fit over all feasible pairs and listwise fits that weigh the top of each list
    more (powers 1, 2, 4), the one with the highest NDCG@10 on ``fit_on``. Reference = the means of the feasible
    pairs, intercept so that the mean score equals the mean relevance (it moves no one up or down)."""
    X = fit_on.X[fit_on.feasible].astype(np.float64)
    r = np.clip(fit_on.relevance[fit_on.feasible].astype(np.float64), 0.0, 1.0)
    candidates = {"soft-label logistic": _soft_logistic(X, r),
                  **{f"listwise, relevance^{p:g}": _listwise(fit_on, p) for p in LISTWISE_POWERS}}
    found = {}
    for name, w in candidates.items():
        model = AdditiveModel(version=version, weights=w, intercept=calibrated_intercept(X @ w, r),
                              reference=X.mean(axis=0),
                              meta={"kind": "oracle", "fit": name, "fitted_pairs": len(X)})
        found[name] = (float(fit_on.ndcg(model).mean()), model)
    best = max(found, key=lambda k: found[k][0])
    found[best][1].meta["ndcg_at_10_on_fit_pool"] = {k: round(v[0], 4) for k, v in found.items()}
    return found[best][1]
