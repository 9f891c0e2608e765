"""Learning from outcomes: build the training set, fit a challenger, compare it with the champion.

**No leakage, no skew.** Every example is one *shown match*, with the feature values stored when it
was shown (``shown_matches.features``, or the copy in ``outcome_events.features`` that survives a
candidate's erasure). Nothing is recomputed from today's profiles, so a profile edited after the
fact cannot leak into training, and the model learns from exactly what serving computed.

**Time split.** An example's time is the moment it was shown. The model trains on examples shown
before the split date, labelled with what was known *at* the split date (see `matcher.learning.labels`: later
events, such as a retention six months on, do not exist yet). It is evaluated, together with the
current champion, on the examples shown from the split date on, labelled with everything known at
``as_of`` (default: now). Default split: the time that leaves the last quarter of the labelled
examples for evaluation.

**Model.** A *sequential logit* over the funnel: every decision a shown match met (invited? hired?
still at work after six months? see `matcher.learning.labels.steps`) is one example for scikit-learn
``LogisticRegression`` (lbfgs, L2) on the 14 features of `matcher.matching.features`, with an intercept per
step; the steps share the feature weights. One linear score then ranks by the chance of passing
each step, and so by the chance of a lasting placement. This uses every outcome for what it says:
a rejection after an interview still says the invitation was right, a hire whose retention is open
says the invitation and the hire were right, and nothing is said about a step not taken yet.
(One weighted label per match instead, where *hired then left* counts as much against a match as
*never invited*, gained less against the demo region's hidden truth in every run tried at the
regularisation chosen below, and lost to the prior with few outcomes or weak regularisation.)

The fit is *anchored on the prior*: one extra column holds the shipped prior model's log-odds, so
the fit is ``factor × prior + correction`` with an L2-regularised correction per feature. The step
and anchor columns are scaled by ``FREE_SCALE``, which makes their coefficients practically free of
the penalty. Outcomes exist only for matches that were shown and proposed, which are already
decent matches; a plain fit on them shrinks towards zero exactly the weights that put them on the
list (skills, experience) and then ranks the whole pool worse. The anchor keeps what the prior
knows until the outcomes say otherwise. It is always the fixed prior, never the current champion,
so training again on the same data gives the same model instead of drifting from one champion to
the next. The intercept is then set so that the model's mean probability on the labelled training
matches equals their share of positive labels (`matcher.learning.labels.label`), so the score reads as the
chance of a positive label; this moves no match up or down. The result is one linear model over the
same features, turned into an `AdditiveModel` whose reference values are the training means, so
every contribution stays exact. lbfgs is deterministic: the same data give the same weights; the
seed drives the bootstrap interval and is part of the version name.

**Position and selection bias.** Outcomes exist only for matches a consultant went on with, and
consultants propose from the top of the list they were shown: the training examples crowd at the
top ranks, where the earlier model already agreed. Each match is therefore weighted by the inverse
of its *examination propensity*, the chance that a match shown at its rank was taken up at all
(proposed, or any later event), estimated from the log itself: per rank of the vacancy shortlists,
taken up / shown (Laplace-smoothed), clipped at ``PROPENSITY_FLOOR`` so that no match counts more
than 1 / ``PROPENSITY_FLOOR`` times; the weights are scaled to sum to their effective sample size
(Kish), so that the penalty weighs them by the evidence they hold. The weighted fit learns for
the whole list that was shown rather than for its top: with a model as simple as this one (one
weight per feature), what holds at the top need not hold lower down. ``ipw=False`` gives the naive
fit (the benchmark compares both).

**Metrics on the later period** (both models score the same stored features):

- Funnel log-likelihood per decision, position-debiased (primary, `funnel_loglik`): the funnel
  decisions of the period (invited? hired? retained?) explained by a logit of the model's log-odds
  times a slope plus one offset per step, both fitted on the period for each model, so only the
  model's order counts and not its calibration; every match weighted by 1 / its examination
  propensity (as in training, from the period's own log). Unweighted, the decisions come mostly from
  the top of lists the champion made, where it already agreed with the outcomes; weighted, the few
  taken up lower down stand for all matches shown there. Per decision rather than per shortlist, it
  uses every outcome, where NDCG has a handful of graded matches per shortlist.
- NDCG@10 per vacancy shortlist, position-debiased (primary): the model re-ranks every match of
  the shortlist as it was shown; a judged match's gain is its label grade (0-3) divided by its rank's
  examination propensity (`propensities`, estimated from the same period's log, clipped at
  ``PROPENSITY_FLOOR``), an unjudged match gains 0. A match judged at a rank consultants seldom get
  to stands for the many like it there that nobody looked at, so the sum estimates, without the
  position bias, the DCG@10 the model's order would get if every shown match had been judged
  (inverse propensity scoring; exact in expectation apart from the clipping). Each request's DCG is
  divided by one normaliser for the period, the mean over its requests of the ideal DCG of those
  gains, which is the same for every model compared, so differences between models keep their
  sign; mean over requests with at least one grade > 0. The *naive* NDCG@10 (the judged matches
  only, re-ranked, each request normalised on its own) is reported next to it: it sees mostly the
  top of the lists the champion made, which are the matches the champion already agreed on, and so
  favours the champion. Both are measured on what was shown; neither can see people who were never
  shown.
- ROC AUC, average precision, Brier score and a calibration curve on the examples with a known label.
- Selection rates per group of every configured monitoring attribute: *selected* = in the model's
  top 10 of a vacancy shortlist it re-ranks; rate = selected / shown, per group; the gap is the
  largest minus the smallest rate among groups with at least ``MIN_GROUP`` shown matches.

**Regularisation.** C, the prior variance of the correction to the anchored prior, is chosen from ``C_GRID``
on the training period by its *evidence* (empirical Bayes, see `choose_c` and `log_evidence`): the
marginal likelihood of the funnel decisions under each C, with the weighted examples counted at their
effective sample size; of the values within one nat of the best, the strongest. It uses all the
training data at once, where validation on later quarters of it had to judge on 30-100 shortlists: on
development histories of the bench (seeds 11-13, not the ones it reports) that validation chose C = 10
on a few months of outcomes now and then, and those models ranked far worse against the hidden truth
than the prior; the evidence kept C at 0.01-1 there, and the models it chose were never worse than the
prior by more than 0.003 NDCG@10 on the truth.

**Auto-promotion.** The challenger becomes champion only when it *beats* the champion on the primary
metric, judged on out-of-time predictions pooled over rolling origins (`pooled_gate`): at each of up to
``GATE_FOLDS`` origins (`gate_origins`: 25 %, 50 % and 75 % of the way through the labelled matches
with the default split, the last one the split itself), a challenger is trained as this one was (C by
`choose_c`, then `fit`) on what was shown before the origin, and it and the champion score the matches
shown from that origin to the next (the last period: the evaluation period, with the challenger itself),
labelled with everything known at ``as_of``. The challenger is promoted when the pooled position-debiased
funnel log-likelihood is higher than the champion's, over at least ``MIN_EVAL_REQUESTS`` shortlists,
with the 95 % bootstrap interval of the gain (paired, resampling the pooled shortlists, seeded) above
zero; and when, for every monitoring attribute, its selection-rate gap on the evaluation period is not
wider than the champion's by more than ``settings.fairness_max_gap``. Otherwise it stays
``challenger`` until a person promotes it. Pooling judges the way the challenger is made rather than
one model on one period: one evaluation period of a demo history holds 80–300 shortlists with funnel
decisions, too few to tell a real gain of the size the drift region offers from noise; the three
periods triple that without lowering the standard of evidence (each prediction is out of time, each
shortlist is compared in pairs, the interval is the same 95 %). A period whose training part has fewer
than ``min_events`` labelled matches is left out, as are periods before the end of the champion's own
training period (the champion would be scored on matches it was fitted on). Three periods of a quarter
each were chosen on development histories of the bench (seeds 11–13), not on the ones it reports.
"""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from matcher import __version__
from matcher.db import Conn
from matcher.errors import Invalid
from matcher.learning import charts, labels, outcomes, registry
from matcher.matching.embeddings import configured_name
from matcher.matching.features import FEATURES
from matcher.matching.scoring import AdditiveModel
from matcher.security import SYSTEM, Actor, audit

log = logging.getLogger(__name__)

C_GRID = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
PROPENSITY_FLOOR = 0.05  # clip: a match taken up at a rank where few are counts at most 20 times
EVIDENCE_WINDOW = 1.0  # nats: `choose_c` takes the strongest regularisation this close to the best log evidence
FREE_SCALE = 10.0  # step and anchor columns are multiplied by this: their coefficients are practically unpenalised
TOP_K = 10
MIN_GROUP = 20
MIN_EVAL_REQUESTS = 5
EVAL_FRACTION = 0.25
GATE_FOLDS = 3  # out-of-time periods the promotion rule pools (`pooled_gate`); the evaluation period is the last
BOOTSTRAP = 1000
CORRELATION_WARN = 0.5
CORRELATION_NOTE = 0.3
PRIMARY = "loglik"  # the metric the promotion rule and the choice of C go by (`funnel_loglik`)
PRIMARY_NAME = "position-debiased funnel log-likelihood"
LABEL_SCHEME = "matcher.labels/2"  # stored with each model: an identifier, not a module path
FIT_METHOD = "sequential logit over the funnel steps, anchored on the prior, C by the evidence, one-nat rule"
IPW_METHOD = ("inverse examination propensity per shown rank, Laplace-smoothed, clipped at 0.05, scaled to the "
              "effective sample size")


# -- the examples ---------------------------------------------------------------------------------
@dataclass
class Example:
    key: str                     # shown match id, or request/vacancy/feature digest after erasure
    request_id: str | None
    direction: str | None        # 'vacancy' (a shortlist for a vacancy), 'candidate', or None
    candidate_id: int | None     # None once the person has been erased
    vacancy_id: int | None
    shown_at: datetime
    rank: int | None
    x: np.ndarray
    events: list[tuple[str, datetime]] = field(default_factory=list)


@dataclass
class Labelled:
    examples: list[Example]
    X: np.ndarray
    y: np.ndarray                # 1.0, 0.0 or NaN (unknown)
    grade: np.ndarray
    labels: list[labels.Label]
    steps: list[list[tuple[str, int]]]  # the funnel decisions each match met (`matcher.learning.labels.steps`)
    as_of: datetime                     # the moment the labels were taken

    @property
    def known(self) -> np.ndarray:
        return ~np.isnan(self.y)


def _vector(features: dict[str, Any] | None) -> np.ndarray | None:
    if not features or any(name not in features for name in FEATURES):
        return None
    return np.array([float(features[name]) for name in FEATURES], dtype=np.float64)


def load_examples(conn: Conn) -> list[Example]:
    """Every shown match with its stored features and outcome events, oldest first.

    Matches of an erased person survive only through their outcome events (which keep the shown
    features, anonymised); they are grouped back into one example per request, vacancy and features."""
    examples: dict[str, Example] = {}
    for r in conn.execute(
        """SELECT s.id, s.request_id::text AS request_id, r.direction, s.candidate_id, s.vacancy_id, s.rank,
                  s.created_at, s.features
           FROM shown_matches s JOIN shortlist_requests r ON r.id = s.request_id
           ORDER BY s.created_at, s.id"""):
        x = _vector(r["features"])
        if x is not None:
            examples[str(r["id"])] = Example(str(r["id"]), r["request_id"], r["direction"], r["candidate_id"],
                                             r["vacancy_id"], r["created_at"], r["rank"], x)
    for r in conn.execute(
        f"""SELECT o.event, o.occurred_at, o.shown_match_id, o.request_id::text AS request_id, o.candidate_id,
                  o.vacancy_id, o.features, q.created_at AS request_at, q.direction
           FROM outcome_events o LEFT JOIN shortlist_requests q ON q.id = o.request_id
           WHERE o.features IS NOT NULL AND {outcomes.LIVE} ORDER BY o.occurred_at, o.id"""):
        key = str(r["shown_match_id"]) if r["shown_match_id"] is not None else None
        if key is None or key not in examples:
            x = _vector(r["features"])
            if x is None:
                continue
            digest = hashlib.sha256(json.dumps(r["features"], sort_keys=True).encode()).hexdigest()[:16]
            key = f"{r['request_id']}/{r['vacancy_id']}/{digest}"
            if key not in examples:
                examples[key] = Example(key, r["request_id"], r["direction"], r["candidate_id"], r["vacancy_id"],
                                        r["request_at"] or r["occurred_at"], None, x)
        examples[key].events.append((r["event"], r["occurred_at"]))
    return sorted(examples.values(), key=lambda e: (e.shown_at, e.key))


def label_examples(examples: Sequence[Example], as_of: datetime) -> Labelled:
    found = [labels.label(e.events, as_of) for e in examples]
    X = np.array([e.x for e in examples], dtype=np.float64).reshape(len(examples), len(FEATURES))
    y = np.array([np.nan if lab.y is None else float(lab.y) for lab in found], dtype=np.float64)
    return Labelled(list(examples), X, y, np.array([lab.grade for lab in found], dtype=np.float64), found,
                    [labels.steps(e.events, as_of) for e in examples], as_of)


def step_counts(data: Labelled) -> dict[str, dict[str, int]]:
    """Per funnel step: how many decisions the matches met, and how many they passed."""
    out = {step: {"met": 0, "passed": 0} for step in labels.STEPS}
    for found in data.steps:
        for step, passed in found:
            out[step]["met"] += 1
            out[step]["passed"] += passed
    return out


def default_split(examples: Sequence[Example], as_of: datetime, fraction: float = EVAL_FRACTION) -> datetime:
    """The time that leaves the last quarter (``fraction``) of the labelled examples for evaluation."""
    times = sorted(e.shown_at for e in examples if labels.label(e.events, as_of).known)
    if len(times) < 2:
        raise Invalid("not enough outcomes to split into a training and an evaluation period: it needs matches that "
                      "were shown at two or more different moments and have a known outcome. Record outcomes "
                      "(POST /v1/outcomes, matcher import outcomes FILE), or on the demo region simulate a history "
                      "with `matcher demo outcomes DIR` (12 weeks ending today)")
    return times[min(len(times) - 1, int(len(times) * (1 - fraction)))]


# -- position bias --------------------------------------------------------------------------------
def propensities(examples: Sequence[Example], as_of: datetime) -> dict[int | None, float]:
    """The examination propensity per rank of the vacancy shortlists, from the log: of the matches shown at that
    rank, the share a consultant took up (proposed, or any later event) by ``as_of``; Laplace-smoothed (one taken
    up and one not added per rank) and clipped at ``PROPENSITY_FLOOR``. Key ``None``: over all ranks, for a match
    without one (a person's own list, or grouped back after an erasure)."""
    shown: Counter[int | None] = Counter()
    taken: Counter[int | None] = Counter()
    for e in examples:
        if e.direction == "vacancy" and e.rank is not None:
            went_on = labels.reached([name for name, at in e.events if at <= as_of], "proposed")
            for key in (e.rank, None):
                shown[key] += 1
                taken[key] += went_on
    out: dict[int | None, float] = {None: 1.0}
    out.update({key: max(PROPENSITY_FLOOR, (taken[key] + 1) / (n + 2)) for key, n in shown.items()})
    return out


def examination(data: Labelled) -> np.ndarray:
    """Each example's examination propensity (`propensities`), estimated from the examples' own log as of the
    moment their labels were taken."""
    found = propensities(data.examples, data.as_of)
    return np.array([found.get(e.rank if e.direction == "vacancy" else None, found[None]) for e in data.examples],
                    dtype=np.float64)


def propensity_weights(data: Labelled) -> np.ndarray:
    """One weight per example, 1 / its examination propensity (`examination`), scaled so that over the examples
    with a funnel step (those the fit learns from) they sum to their *effective sample size* (Σw)² / Σw² (Kish):
    weighted examples hold less evidence than as many unweighted ones, and the fit's penalty and the choice of C
    (`choose_c`) must weigh the data by what they hold."""
    weights = 1.0 / examination(data)
    stepped = np.array([bool(found_steps) for found_steps in data.steps], dtype=bool)
    if not stepped.any():
        return weights
    return weights * float(weights[stepped].sum() / (weights[stepped] ** 2).sum())


# -- fitting --------------------------------------------------------------------------------------
def fingerprint(data: Labelled, *, seed: int, split: datetime, anchor: AdditiveModel | None = None,
                ipw: bool = True) -> str:
    """What the model is made of: the examples, labels, funnel steps, settings and the anchor's weights."""
    h = hashlib.sha256()
    for part in (data.X, data.y):
        h.update(np.ascontiguousarray(part).tobytes())
    h.update(json.dumps(data.steps).encode())
    h.update(f"{seed}|{FIT_METHOD}|{C_GRID}|{FREE_SCALE}|{split.isoformat()}|{LABEL_SCHEME}|"
             f"{','.join(FEATURES)}".encode())
    if ipw:
        h.update(IPW_METHOD.encode())
    if anchor is not None:
        h.update(json.dumps([anchor.version, anchor.to_json()["weights"], anchor.to_json()["intercept"]]).encode())
    return h.hexdigest()


def fit(data: Labelled, *, seed: int, version: str, meta: dict[str, Any] | None = None,
        anchor: AdditiveModel | None = None, c: float = 1.0, weights: np.ndarray | None = None) -> AdditiveModel:
    """The sequential logit over the funnel steps (`sequential_logit`), as an additive model (reference = means of
    the labelled matches). The intercept is then calibrated on the labels (see `calibrated_intercept`). It is still
    one linear model over the same features, so it is stored and explained like any other."""
    found, steps, factor = sequential_logit(data, seed=seed, anchor=anchor, c=c, weights=weights)
    meta = dict(meta or {})
    meta["step_intercepts"] = {name: round(float(v), 6) for name, v in zip(labels.STEPS, steps, strict=True)}
    if anchor is not None and factor is not None:
        meta["anchor"] = {"version": anchor.version, "factor": round(factor, 6)}
    X, y = data.X[data.known], data.y[data.known]
    return AdditiveModel(version=version, weights=found, intercept=calibrated_intercept(X @ found, y),
                         reference=X.mean(axis=0), meta=meta)


def sequential_logit(data: Labelled, *, seed: int, anchor: AdditiveModel | None = None, c: float = 1.0,
                     weights: np.ndarray | None = None,
                     design: Callable[[np.ndarray], np.ndarray] | None = None
                     ) -> tuple[np.ndarray, np.ndarray, float | None]:
    """The fit: one row per funnel decision with the match's features, a column per step (its intercept) and,
    with an ``anchor`` (the prior), the anchor's log-odds; those columns are scaled by ``FREE_SCALE``, so only the
    feature weights are regularised. With an anchor the weights are ``factor × anchor + correction``: with few
    outcomes the challenger keeps the prior's sense of direction instead of shrinking every weight towards zero;
    with many, the correction takes over. ``weights`` (one per example, e.g. `propensity_weights`) weigh each
    example's funnel decisions. ``design`` maps the features to the columns fitted (default: the features
    themselves; its first columns must be the features, which the anchor's weights are added to). Returns the
    columns' weights, the step intercepts and the anchor's factor."""
    if len(set(data.y[data.known].tolist())) < 2:
        raise Invalid("the training period holds only one kind of outcome (all positive or all negative): it "
                      "needs both matches that went on (invited, hired) and matches that did not (rejected, "
                      "declined); record more outcomes or move --split-date")
    Z, passed, rows, width = _decisions(data, anchor=anchor, weights=weights, design=design)
    coef = _logit(Z, passed, rows, c=c, seed=seed)
    found = coef[:width].copy()
    steps = FREE_SCALE * coef[width: width + len(labels.STEPS)]
    if anchor is None:
        return found, steps, None
    factor = float(coef[-1]) * FREE_SCALE
    found[: len(FEATURES)] += factor * anchor.weights.astype(np.float64)
    return found, steps, factor


def _decisions(data: Labelled, *, anchor: AdditiveModel | None, weights: np.ndarray | None,
               design: Callable[[np.ndarray], np.ndarray] | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """The rows `sequential_logit` fits: the columns (the penalised ones first, then one per step and the anchor's
    log-odds, scaled by ``FREE_SCALE``), whether each decision was passed, each row's weight, and how many columns
    are penalised. A positive label means a step passed, a negative one a step not passed: both kinds of rows exist
    wherever both kinds of label do."""
    rows = [(i, labels.STEPS.index(step), passed) for i, found in enumerate(data.steps) for step, passed in found]
    index, step, passed = np.array(rows, dtype=np.int64).reshape(-1, 3).T
    X = data.X[index] if design is None else design(data.X[index])
    columns = [X, FREE_SCALE * np.eye(len(labels.STEPS))[step]]
    if anchor is not None:
        columns.append(FREE_SCALE * anchor_logit(anchor, data.X[index])[:, None])
    return (np.column_stack(columns), passed.astype(np.float64),
            np.ones(len(index)) if weights is None else weights[index], X.shape[1])


def _logit(Z: np.ndarray, passed: np.ndarray, weights: np.ndarray, *, c: float, seed: int) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, fit_intercept=False, solver="lbfgs", max_iter=10_000, tol=1e-8, random_state=seed)
    clf.fit(Z, passed, sample_weight=weights)
    return np.asarray(clf.coef_[0], dtype=np.float64)


def log_evidence(Z: np.ndarray, passed: np.ndarray, weights: np.ndarray, coef: np.ndarray, *, c: float,
                 penalised: int) -> float:
    """The log marginal likelihood of the decisions under the fit's prior (Laplace approximation at the fitted
    ``coef``): the first ``penalised`` coefficients drawn from N(0, C), the free columns (steps, anchor) with a
    flat prior (so up to a constant, the same for every C). log p ≈ −loss(ŵ) − |ŵ_penalised|² / 2C
    − ½ log det(H + Λ) − (penalised / 2) log C, with H the Hessian of the weighted loss and Λ the prior's precision
    (1 / C on the penalised coefficients, 0 on the free ones). Higher is better: it trades the fit against how far
    the correction had to move, without setting data aside. A column without data (a step never met) is left out."""
    from scipy.special import expit

    z = Z @ coef
    loss = float((weights * (np.logaddexp(0.0, z) - passed * z)).sum())
    used = np.flatnonzero(np.any(Z != 0.0, axis=0) | (np.arange(Z.shape[1]) < penalised))
    Z = Z[:, used]
    p = expit(z)
    precision = (Z * (weights * p * (1.0 - p))[:, None]).T @ Z + np.diag((used < penalised) / c)
    logdet = np.linalg.slogdet(precision)[1]
    return -loss - float(coef[:penalised] @ coef[:penalised]) / (2.0 * c) - 0.5 * (logdet + penalised * np.log(c))


def calibrated_intercept(logits: np.ndarray, y: np.ndarray) -> float:
    """The intercept b with mean(sigmoid(logits + b)) = mean(y): the maximum-likelihood intercept for these labels
    with the weights held fixed. ``y`` must hold both kinds of label."""
    from scipy.optimize import brentq
    from scipy.special import expit

    target = float(y.mean())
    return float(brentq(lambda b: float(expit(logits + b).mean()) - target,
                        -float(logits.max()) - 50.0, -float(logits.min()) + 50.0, xtol=1e-10))


def anchor_logit(anchor: AdditiveModel, X: np.ndarray) -> np.ndarray:
    return np.asarray(X @ anchor.weights.astype(np.float64) + float(anchor.intercept), dtype=np.float64)


def choose_c(data: Labelled, *, seed: int, anchor: AdditiveModel | None,
             weights: np.ndarray | None = None) -> tuple[float, dict[str, Any]]:
    """The regularisation strength, chosen on the training period as a whole by the *empirical-Bayes* rule: C is the
    prior variance of the correction (see `sequential_logit`), and for each C of ``C_GRID`` the fit's log evidence
    (`log_evidence`) says how probable the decisions are under it. Of the strengths within ``EVIDENCE_WINDOW`` (one
    nat: a likelihood ratio of e) of the best, the strongest (closest to the prior): the counterpart of the
    one-standard-error rule. ``weights`` must count as much as the evidence they hold (`propensity_weights` sum to
    their effective sample size), or the evidence would be overstated. One kind of decision only: the strongest
    regularisation (the fit refuses such data anyway)."""
    Z, passed, rows, width = _decisions(data, anchor=anchor, weights=weights)
    if len(set(passed.tolist())) < 2:
        return C_GRID[0], {"chosen_by": "default (one kind of funnel decision)"}
    scores = {c: log_evidence(Z, passed, rows, _logit(Z, passed, rows, c=c, seed=seed), c=c, penalised=width)
              for c in C_GRID}
    best = max(C_GRID, key=lambda c: (scores[c], -c))
    chosen = min(c for c in C_GRID if scores[c] >= scores[best] - EVIDENCE_WINDOW)
    return chosen, {"chosen_by": "evidence", "log_evidence_by_c": {str(c): round(v, 3) for c, v in scores.items()},
                    "best": best, "chosen": chosen}


# -- evaluation -----------------------------------------------------------------------------------
def _ranked(scores: np.ndarray, ranks: Sequence[int | None], keys: Sequence[str]) -> list[int]:
    """Positions best first: by score, then the rank it was shown at, then its key (stable, deterministic)."""
    return sorted(range(len(scores)), key=lambda i: (-float(scores[i]), ranks[i] or 10**6, keys[i]))


def _dcg(gains: np.ndarray, order: Sequence[int] | np.ndarray, k: int = TOP_K) -> float:
    got = gains[list(order)[:k]]
    return float((got / np.log2(np.arange(2, len(got) + 2))).sum())


def _ndcg(grades: np.ndarray, order: Sequence[int], k: int = TOP_K) -> float:
    idcg = _dcg(grades, np.argsort(-grades, kind="stable"), k)
    return _dcg(grades, order, k) / idcg if idcg > 0 else float("nan")


def _requests(data: Labelled) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i, e in enumerate(data.examples):
        if e.direction == "vacancy" and e.request_id:
            out.setdefault(e.request_id, []).append(i)
    return out


def evaluate(model: AdditiveModel, data: Labelled, groups: dict[str, dict[int, str]]) -> dict[str, Any]:
    """All metrics of one model on one period. ``groups``: attribute -> candidate id -> value."""
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

    scores = model.score(data.X.astype(np.float32)).astype(np.float64) if len(data.examples) else np.zeros(0)
    known = data.known
    y, p = data.y[known], scores[known]
    both = len(set(y.tolist())) == 2
    out: dict[str, Any] = {
        "examples": len(data.examples), "labelled": int(known.sum()), "positives": int((y == 1).sum()),
        "roc_auc": round(float(roc_auc_score(y, p)), 4) if both else None,
        "average_precision": round(float(average_precision_score(y, p)), 4) if both else None,
        "brier": round(float(brier_score_loss(y, p)), 4) if len(y) else None,
    }
    if both and len(y) >= 20:
        observed, predicted = calibration_curve(y, p, n_bins=10, strategy="quantile")
        out["calibration"] = {"predicted": [round(float(v), 4) for v in predicted],
                              "observed": [round(float(v), 4) for v in observed]}
    else:
        out["calibration"] = {"predicted": [], "observed": []}

    # position-debiased gains: a judged match stands for 1 / (its rank's examination propensity) matches like it
    gains = data.grade / examination(data)
    naive: list[float] = []
    dcg: dict[str, float] = {}
    ideal: list[float] = []
    selected = np.zeros(len(data.examples), dtype=bool)
    in_request = np.zeros(len(data.examples), dtype=bool)
    for request_id, members in _requests(data).items():
        order = _ranked(scores[members], [data.examples[i].rank for i in members],
                        [data.examples[i].key for i in members])
        judged = [i for i in members if known[i]]  # naive: an unjudged match is left out, not counted as a miss
        value = _ndcg(data.grade[judged], _ranked(scores[judged], [data.examples[i].rank for i in judged],
                                                  [data.examples[i].key for i in judged]))
        if not np.isnan(value):
            naive.append(value)
            dcg[request_id] = _dcg(gains[members], order)
            ideal.append(_dcg(gains[members], np.argsort(-gains[members], kind="stable")))
        for position, local in enumerate(order):
            in_request[members[local]] = True
            selected[members[local]] = position < TOP_K
    norm = float(np.mean(ideal)) if ideal else 1.0  # one normaliser for every model on this period
    out["ndcg_at_10"] = round(sum(dcg.values()) / norm / len(dcg), 4) if dcg else None
    out["ndcg_requests"] = len(dcg)
    out["ndcg_per_request"] = {k: round(v / norm, 6) for k, v in sorted(dcg.items())}
    out["naive_ndcg_at_10"] = round(float(np.mean(naive)), 4) if naive else None
    out["loglik"], out["loglik_per_request"] = funnel_loglik(model, data)
    out["loglik_requests"] = len(out["loglik_per_request"])
    out["selection"] = selection_rates(data, selected, in_request, groups)
    out["scores"] = {"positive": [round(float(v), 4) for v in p[y == 1]],
                     "negative": [round(float(v), 4) for v in p[y == 0]]}
    return out


def funnel_loglik(model: AdditiveModel, data: Labelled) -> tuple[float | None, dict[str, float]]:
    """How well the model's order explains the funnel decisions of a period, without the position bias: the
    log-likelihood per decision (invited? hired? retained?), each match weighted by 1 / its examination propensity
    (`propensity_weights`), of a logit with the model's log-odds times a slope plus one offset per step, both fitted
    here, so only the order counts and not the calibration (a model is not penalised for a base rate that moved).
    Also per shortlist request (a person's own list or an erased person's match counts on its own), scaled so
    that their mean is the total: the unit the bootstrap resamples. ``None`` without both kinds of decision."""
    from scipy.optimize import minimize
    from scipy.special import expit

    rows = [(i, labels.STEPS.index(step), passed) for i, found in enumerate(data.steps) for step, passed in found]
    if len({passed for _, _, passed in rows}) < 2:
        return None, {}
    index, step, passed = np.array(rows, dtype=np.int64).T
    logit = model.logit(data.X[index].astype(np.float32)).astype(np.float64)
    weight = propensity_weights(data)[index]

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        z = theta[0] * logit + theta[1:][step]
        residual = weight * (expit(z) - passed)
        return (float((weight * (np.logaddexp(0.0, z) - passed * z)).sum()),
                np.r_[(residual * logit).sum(), np.bincount(step, residual, minlength=len(labels.STEPS))])

    theta = minimize(loss, np.r_[1.0, np.zeros(len(labels.STEPS))], jac=True, method="L-BFGS-B").x
    z = theta[0] * logit + theta[1:][step]
    each = -weight * (np.logaddexp(0.0, z) - passed * z)
    keys = [data.examples[i].request_id or data.examples[i].key for i in index]
    per: dict[str, float] = {}
    for key, value in zip(keys, each, strict=True):
        per[key] = per.get(key, 0.0) + float(value)
    scale = len(per) / float(weight.sum())
    return round(float(each.sum() / weight.sum()), 5), {k: round(v * scale, 7) for k, v in sorted(per.items())}


def selection_rates(data: Labelled, selected: np.ndarray, shown: np.ndarray,
                    groups: dict[str, dict[int, str]]) -> dict[str, Any]:
    """Per monitoring attribute and group: shown, selected (top 10), rate; and the gap between groups."""
    out: dict[str, Any] = {}
    for attribute, members in sorted(groups.items()):
        counts: dict[str, list[int]] = {}
        for i, e in enumerate(data.examples):
            if shown[i] and e.candidate_id is not None and e.candidate_id in members:
                c = counts.setdefault(members[e.candidate_id], [0, 0])
                c[0] += 1
                c[1] += int(selected[i])
        rows = {g: {"shown": n, "selected": k, "rate": round(k / n, 4)} for g, (n, k) in sorted(counts.items())}
        rates = [r["rate"] for r in rows.values() if r["shown"] >= MIN_GROUP]
        out[attribute] = {"groups": rows, "gap": round(max(rates) - min(rates), 4) if len(rates) >= 2 else None}
    return out


def correlations(data: Labelled, groups: dict[str, dict[int, str]]) -> dict[str, Any]:
    """Correlation ratio η of every feature with every monitoring attribute (0 = unrelated, 1 = the feature
    is a copy of the group). A feature with a high η can stand in for the attribute; the card flags it."""
    out: dict[str, Any] = {}
    for attribute, members in sorted(groups.items()):
        rows = [i for i, e in enumerate(data.examples) if e.candidate_id in members]
        if len(rows) < 2:
            out[attribute] = {"examples": len(rows), "eta": {}}
            continue
        values = np.array([members[data.examples[i].candidate_id] for i in rows])  # type: ignore[index]
        X = data.X[rows]
        total = ((X - X.mean(axis=0)) ** 2).sum(axis=0)
        between = np.zeros(len(FEATURES))
        for value in np.unique(values):
            part = X[values == value]
            between += len(part) * (part.mean(axis=0) - X.mean(axis=0)) ** 2
        eta = np.sqrt(np.divide(between, total, out=np.zeros_like(between), where=total > 0))
        out[attribute] = {"examples": len(rows),
                          "eta": {name: round(float(v), 4) for name, v in zip(FEATURES, eta, strict=True)}}
    return out


def bootstrap_gain(champion: dict[str, Any], challenger: dict[str, Any], *, seed: int,
                   key: str = "ndcg_per_request") -> list[float] | None:
    """95 % bootstrap interval (over shortlist requests) of the challenger's mean per request minus the champion's,
    of ``key`` (NDCG@10 by default; ``loglik_per_request`` for the primary metric)."""
    common = sorted(set(champion[key]) & set(challenger[key]))
    if len(common) < 2:
        return None
    diff = np.array([challenger[key][k] - champion[key][k] for k in common])
    rng = np.random.default_rng(seed)
    means = diff[rng.integers(0, len(diff), size=(BOOTSTRAP, len(diff)))].mean(axis=1)
    return [round(float(np.percentile(means, 2.5)), 4), round(float(np.percentile(means, 97.5)), 4)]


def gate_origins(examples: Sequence[Example], split: datetime, as_of: datetime, *, folds: int = GATE_FOLDS,
                 after: datetime | None = None) -> list[datetime]:
    """The origins of the gate's out-of-time periods, oldest first, the split last. The earlier ones cut the
    labelled examples (labels as known at ``as_of``) before the split, so that with the default split every period
    holds ``EVAL_FRACTION`` of them: 50 % and 75 % of the way for three periods. Only origins from ``after`` on
    (the end of the champion's own training period: before it the champion would be scored on matches it was
    fitted on)."""
    before = [e for e in examples if e.shown_at < split]
    origins = {split}
    for k in range(1, folds):
        fraction = k * EVAL_FRACTION / (1 - EVAL_FRACTION)
        if fraction >= 1:
            break
        try:
            origin = default_split(before, as_of, fraction)
        except Invalid:
            break
        if after is None or origin >= after:
            origins.add(origin)
    return sorted(origins)


Trainer = Callable[[list[Example], datetime], tuple[AdditiveModel, dict[str, Any]] | None]


def fit_challenger(early: list[Example], origin: datetime, *, seed: int, anchor: AdditiveModel | None, ipw: bool,
                   min_events: int) -> tuple[AdditiveModel, dict[str, Any]] | None:
    """The challenger `train` would have fitted at ``origin`` on the examples shown before it (labels as known
    then; C by `choose_c`); ``None`` where it would refuse (fewer than ``min_events`` labelled matches, or one
    kind of outcome)."""
    data = label_examples(early, origin)
    n = int(data.known.sum())
    if n < min_events or len(set(data.y[data.known].tolist())) < 2:
        return None
    weights = propensity_weights(data) if ipw else None
    c = choose_c(data, seed=seed, anchor=anchor, weights=weights)[0]
    model = fit(data, seed=seed, version="gate", anchor=anchor, c=c, weights=weights)
    return model, {"c": c, "train_labelled": n}


def pooled_gate(examples: Sequence[Example], origins: Sequence[datetime], as_of: datetime, *,
                champion: AdditiveModel, challenger: Trainer, seed: int) -> dict[str, Any]:
    """The evidence the promotion rule goes by: out-of-time predictions pooled over rolling ``origins``
    (`gate_origins`). At each origin ``challenger`` trains a model on the examples shown before it (in `train`:
    `fit_challenger`, and at the split the challenger itself; ``None``: that period is left out), and it and the
    champion score the examples shown from that origin to the next (the last: to ``as_of``), labelled as known at
    ``as_of``, by `funnel_loglik` per shortlist. The pooled shortlists are compared in pairs: each model's mean,
    and the 95 % bootstrap interval of the challenger's gain (`bootstrap_gain`, resampling shortlists)."""
    old_all: dict[str, float] = {}
    new_all: dict[str, float] = {}
    periods: list[dict[str, Any]] = []
    for origin, until in zip(origins, [*origins[1:], None], strict=True):
        trained = challenger([e for e in examples if e.shown_at < origin], origin)
        if trained is None:
            continue
        check = label_examples([e for e in examples if origin <= e.shown_at and (until is None or e.shown_at < until)],
                               as_of)
        old_part, new_part = funnel_loglik(champion, check)[1], funnel_loglik(trained[0], check)[1]
        old_all.update({f"{len(periods)}/{k}": v for k, v in old_part.items()})  # a list cut by an origin counts
        new_all.update({f"{len(periods)}/{k}": v for k, v in new_part.items()})  # once in each period
        periods.append({"origin": origin.isoformat(), "until": (until or as_of).isoformat(), **trained[1],
                        "shortlists": len(new_part), "champion": _mean(old_part), "challenger": _mean(new_part),
                        "gain_ci95": bootstrap_gain({"p": old_part}, {"p": new_part}, seed=seed, key="p")})
    used = [p for p in periods if p["shortlists"]]
    return {"method": f"{PRIMARY_NAME} of out-of-time predictions, pooled over rolling origins",
            "periods": periods, "champion": {PRIMARY: _mean(old_all), "loglik_requests": len(old_all)},
            "challenger": {PRIMARY: _mean(new_all), "loglik_requests": len(new_all)},
            "gain_ci95": bootstrap_gain({"p": old_all}, {"p": new_all}, seed=seed, key="p"),
            "basis": (f"out-of-time predictions pooled over {len(used)} periods, {len(new_all)} shortlists"
                      if len(used) > 1 else f"the evaluation period, {len(new_all)} shortlists")}


def _mean(values: dict[str, float]) -> float | None:
    return round(float(np.mean(list(values.values()))), 5) if values else None


def decide(champion: dict[str, Any], challenger: dict[str, Any], *, max_gap: float,
           gain_ci: list[float] | None, basis: str = "the evaluation period") -> dict[str, Any]:
    """The auto-promotion rule (see the module docstring); reasons are kept for the model card. ``basis``: what the
    figures were measured on (`pooled_gate`)."""
    reasons: list[str] = []
    promote = True
    new, old = challenger[PRIMARY], champion[PRIMARY]
    if new is None or old is None:
        promote = False
        reasons.append(f"{basis}: no funnel decisions of both kinds (passed and not passed): "
                       f"the {PRIMARY_NAME} is undefined")
    elif challenger["loglik_requests"] < MIN_EVAL_REQUESTS:
        promote = False
        reasons.append(f"only {challenger['loglik_requests']} shortlists to compare on (at least "
                       f"{MIN_EVAL_REQUESTS} needed)")
    elif new <= old:
        promote = False
        reasons.append(f"{PRIMARY_NAME} {new:.4f} does not beat the champion's {old:.4f} ({basis})")
    elif gain_ci is None or gain_ci[0] <= 0:
        promote = False
        reasons.append(f"{PRIMARY_NAME} {new:.4f} is higher than the champion's {old:.4f} ({basis}), but the 95 % "
                       f"interval of the gain {gain_ci} includes zero: not a credible improvement")
    else:
        reasons.append(f"{PRIMARY_NAME} {new:.4f} beats the champion's {old:.4f} ({basis}; 95 % interval of the "
                       f"gain {gain_ci})")
    for attribute, sel in challenger["selection"].items():
        new_gap, old_gap = sel["gap"], champion["selection"].get(attribute, {}).get("gap")
        if new_gap is None:
            reasons.append(f"{attribute}: too few shown matches per group to measure a selection-rate gap")
            continue
        widening = new_gap - (old_gap or 0.0)
        if widening > max_gap:
            promote = False
            reasons.append(f"{attribute}: selection-rate gap widens from {old_gap} to {new_gap} "
                           f"(more than the allowed {max_gap})")
        else:
            reasons.append(f"{attribute}: selection-rate gap {new_gap} (champion {old_gap}), a change of "
                           f"{widening:+.4f}: within the bound {max_gap}")
    return {"promote": promote, "primary_metric": PRIMARY, "fairness_max_gap": max_gap, "reasons": reasons}


# -- the command ----------------------------------------------------------------------------------
@dataclass
class TrainResult:
    version: str
    status: str
    promoted: bool
    unchanged: bool
    path: Path
    decision: dict[str, Any]
    metrics: dict[str, Any]
    counts: dict[str, Any]


def code_version() -> str:
    """`git describe` of the code when it runs from a checkout, else the package version."""
    try:
        done = subprocess.run(["git", "describe", "--always", "--dirty", "--tags"], cwd=Path(__file__).parent,
                              capture_output=True, text=True, timeout=5, check=False)
        if done.returncode == 0 and done.stdout.strip():
            return f"werkmatch {__version__} ({done.stdout.strip()})"
    except (OSError, subprocess.SubprocessError):
        pass
    return f"werkmatch {__version__}"


def monitoring_groups(conn: Conn, attributes: Sequence[str]) -> dict[str, dict[int, str]]:
    groups: dict[str, dict[int, str]] = {}
    for r in conn.execute("SELECT candidate_id, attribute, value FROM candidate_monitoring WHERE attribute = ANY(%s)",
                          (list(attributes),)):
        groups.setdefault(r["attribute"], {})[r["candidate_id"]] = r["value"]
    return groups


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def train(service: Any, *, seed: int = 0, split_date: datetime | None = None, min_events: int = 100,
          as_of: datetime | None = None, auto_promote: bool = True, actor: Actor = SYSTEM,
          ipw: bool = True, gate_folds: int | None = None) -> TrainResult:
    """Build the set, fit, evaluate both models on the later period, write and register the version, and
    promote it when the rule allows. A version that exists already (same data, same seed) is left alone.
    ``ipw=False``: the naive fit, without the position-bias weights."""
    as_of = _aware(as_of or datetime.now(UTC))
    with service.db.connection() as conn:
        examples = [e for e in load_examples(conn) if e.shown_at <= as_of]
        groups = monitoring_groups(conn, service.settings.monitoring_attributes)
        champion = service.models.champion(conn)
        prior_path = conn.execute("SELECT path FROM model_versions WHERE version = %s",
                                  (registry.PRIOR_VERSION,)).fetchone()
    prior = service.models.load(registry.PRIOR_VERSION, prior_path["path"] if prior_path else None)
    split = _aware(split_date) if split_date else default_split(examples, as_of)
    early = [e for e in examples if e.shown_at < split]
    later = [e for e in examples if e.shown_at >= split]
    train_set, eval_set = label_examples(early, split), label_examples(later, as_of)
    n_train = int(train_set.known.sum())
    if n_train < min_events:
        raise Invalid(f"only {n_train} labelled shown matches before {split.date()}, at least {min_events} needed: "
                      "record more outcomes (on the demo region: `matcher demo outcomes DIR --weeks 26`), lower "
                      "--min-events, or move --split-date later")
    if not eval_set.known.any():
        raise Invalid(f"no labelled shown matches from {split.date()} on to evaluate with: the evaluation "
                      "period needs outcomes too; choose an earlier --split-date, or record outcomes of the matches "
                      "shown since")

    digest = fingerprint(train_set, seed=seed, split=split, anchor=prior, ipw=ipw)
    version = f"trained-{split:%Y%m%d}-{digest[:8]}"
    counts = {
        "train_examples": len(early), "train_labelled": n_train, "train_positive": int((train_set.y == 1).sum()),
        "eval_examples": len(later), "eval_labelled": int(eval_set.known.sum()),
        "eval_positive": int((eval_set.y == 1).sum()),
        "train_deciding_events": dict(sorted(Counter(lab.deciding or "none" for lab in train_set.labels).items())),
        "eval_deciding_events": dict(sorted(Counter(lab.deciding or "none" for lab in eval_set.labels).items())),
        "retention_pending_in_training": sum(lab.retention == "pending" for lab in train_set.labels),
        "train_steps": step_counts(train_set),
        "erased_persons_examples": sum(e.candidate_id is None for e in examples),
    }
    window = {"train_from": early[0].shown_at.isoformat() if early else None, "split_date": split.isoformat(),
              "eval_until": as_of.isoformat(), "label_scheme": LABEL_SCHEME,
              "encoder": configured_name(service.settings)}
    with service.db.connection() as conn:
        existing = conn.execute("SELECT status, path FROM model_versions WHERE version = %s", (version,)).fetchone()
    if existing is not None:
        return TrainResult(version, existing["status"], False, True, Path(existing["path"]), {}, {}, counts)

    weights = propensity_weights(train_set) if ipw else None
    c, validation = choose_c(train_set, seed=seed, anchor=prior, weights=weights)
    model = fit(train_set, seed=seed, version=version, anchor=prior, c=c, weights=weights, meta={
        "trained_by": "matcher train",
        "algorithm": f"sequential logit over the funnel steps, LogisticRegression(lbfgs, C={c}), anchored on the "
                     "prior, intercept calibrated on the labels"
                     + (f"; examples weighted by {IPW_METHOD}" if ipw else "; unweighted (naive)"),
        "propensity": {str(r or "all"): round(p, 4) for r, p in propensities(early, split).items()} if ipw else None,
        "seed": seed, "split_date": split.isoformat(), "training_examples": n_train, "label_scheme": LABEL_SCHEME,
        "regularisation": validation, "data_fingerprint": digest})
    old, new = evaluate(champion, eval_set, groups), evaluate(model, eval_set, groups)
    after = champion.meta.get("split_date")  # the champion is scored only after its own training period
    origins = gate_origins(examples, split, as_of, folds=GATE_FOLDS if gate_folds is None else gate_folds,
                           after=_aware(datetime.fromisoformat(after)) if after else None)

    def challenger(before: list[Example], origin: datetime) -> tuple[AdditiveModel, dict[str, Any]] | None:
        if origin == split:
            return model, {"c": c, "train_labelled": n_train}
        return fit_challenger(before, origin, seed=seed, anchor=prior, ipw=ipw, min_events=min_events)

    gate = pooled_gate(examples, origins, as_of, champion=champion, challenger=challenger, seed=seed)
    decision = decide({**gate["champion"], "selection": old["selection"]},
                      {**gate["challenger"], "selection": new["selection"]},
                      max_gap=service.settings.fairness_max_gap, gain_ci=gate["gain_ci95"], basis=gate["basis"])
    metrics = {"champion_version": champion.version, "champion": _summary(old), "challenger": _summary(new),
               "loglik_gain_ci95": gate["gain_ci95"], "gate": gate,
               "ndcg_gain_ci95": bootstrap_gain(old, new, seed=seed), "decision": decision,
               "regularisation": validation,
               "correlations": correlations(label_examples(examples, as_of), groups), "counts": counts}
    directory = service.settings.models_dir / version
    write_version(directory, model, metrics=metrics, window=window, champion=champion, old=old, new=new,
                  code=code_version())
    promoted = bool(auto_promote and decision["promote"])
    with service.db.transaction() as conn:
        registry.register(conn, model, path=directory, status="challenger", metrics=metrics, training_window=window,
                          code_version=code_version(), note=f"trained on {n_train} labelled shown matches")
        audit(conn, actor, "model.train", model_version=version,
              detail={"split_date": split.isoformat(), "counts": counts, "decision": decision["promote"]})
        if promoted:
            registry.promote(conn, version)
            audit(conn, actor, "model.promote", model_version=version,
                  detail={"version": version, "automatic": True, "reasons": decision["reasons"]})
    if promoted:
        service.models.forget()
    log.info("trained %s: ndcg@10 %s vs champion %s; %s", version, new["ndcg_at_10"], old["ndcg_at_10"],
             "promoted" if promoted else "waits as challenger")
    return TrainResult(version, "champion" if promoted else "challenger", promoted, False, directory, decision,
                       metrics, counts)


def _summary(m: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in m.items() if k not in ("scores", "ndcg_per_request", "loglik_per_request")}


# -- the version folder ---------------------------------------------------------------------------
def write_version(directory: Path, model: AdditiveModel, *, metrics: dict[str, Any], window: dict[str, Any],
                  champion: AdditiveModel, old: dict[str, Any], new: dict[str, Any], code: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    model.save(directory)
    (directory / "metrics.json").write_text(json.dumps(metrics, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    (directory / "calibration.png").write_bytes(charts.calibration({
        f"{champion.version} (champion)": (old["calibration"]["predicted"], old["calibration"]["observed"]),
        f"{model.version} (uitdager)": (new["calibration"]["predicted"], new["calibration"]["observed"]),
    }, title="Kalibratie op de evaluatieperiode"))
    (directory / "scores.png").write_bytes(charts.histograms({
        "positief (uitdager)": np.array(new["scores"]["positive"]),
        "negatief (uitdager)": np.array(new["scores"]["negative"]),
    }, title="Scoreverdeling op de evaluatieperiode"))
    (directory / "MODEL_CARD.md").write_text(model_card(model, metrics=metrics, window=window, champion=champion,
                                                        code=code))


def _fmt(value: Any) -> str:
    return "–" if value is None else (f"{value:.4f}" if isinstance(value, float) else str(value))


def model_card(model: AdditiveModel, *, metrics: dict[str, Any], window: dict[str, Any], champion: AdditiveModel,
               code: str) -> str:
    old, new, decision, counts = metrics["champion"], metrics["challenger"], metrics["decision"], metrics["counts"]
    lines = [
        f"# Model card: {model.version}",
        "",
        "**What it is.** A logistic, additive model over the 14 pair features of `matcher/matching/features.py`, "
        "fitted by `matcher train` on outcome events: a sequential logit over the funnel steps of "
        "`matcher/learning/labels.py` "
        "(invited, hired, still at work after six months; scikit-learn LogisticRegression, lbfgs, L2, one "
        "intercept per step, shared weights), anchored on the prior: weights = factor × prior weights + a "
        "regularised correction per feature. The intercept makes the mean score on the training labels equal "
        "their share of positives. Stored as JSON (`model.json`); no pickles. Each contribution is "
        "`weight × (value − reference)` with the training means as reference, so the contributions add up to the "
        "log-odds exactly.",
        "",
        "**Intended use.** Advice to a werkconsulent or an employer-service adviser: a ranked shortlist with "
        "reasons. A person decides.",
        "",
        "## Provenance",
        "",
        "| | |",
        "|---|---|",
        f"| code version | {code} |",
        f"| training window | shown from {_day(window['train_from'])} until {_day(window['split_date'])} (labels as "
        "known at the split date) |",
        f"| evaluation period | shown from {_day(window['split_date'])} until {_day(window['eval_until'])} |",
        f"| label scheme | {window['label_scheme']} |",
        f"| encoder (semantic similarity) | {window.get('encoder', 'not recorded')} |",
        f"| seed | {model.meta.get('seed')} |",
        f"| regularisation | {model.meta.get('algorithm', '')}; {_regularisation(model.meta.get('regularisation'))} |",
        f"| data fingerprint | `{model.meta.get('data_fingerprint', '')[:16]}` |",
        f"| compared with | {champion.version} (champion at training time) |",
        "",
        "## Data",
        "",
        "One example per shown match, with the features stored when it was shown (never recomputed).",
        "",
        "| | training | evaluation |",
        "|---|---:|---:|",
        f"| shown matches | {counts['train_examples']} | {counts['eval_examples']} |",
        f"| with a known label | {counts['train_labelled']} | {counts['eval_labelled']} |",
        f"| positive | {counts['train_positive']} | {counts['eval_positive']} |",
        "",
        f"Deciding events in training: {_events(counts['train_deciding_events'])}. "
        f"Hires whose six-month retention was still open at the split date (labelled as hire): "
        f"{counts['retention_pending_in_training']}. Funnel decisions in training (what the model learns from): "
        + ", ".join(f"{step} {c['passed']} passed of {c['met']}" for step, c in counts["train_steps"].items()) + ".",
        "",
        "## Weights",
        "",
        "| feature | weight | reference (training mean) | champion weight |",
        "|---|---:|---:|---:|",
    ]
    for name, w, r, cw in zip(FEATURES, model.weights, model.reference, champion.weights, strict=True):
        lines.append(f"| {name} | {_signed(w)} | {r:.3f} | {_signed(cw)} |")
    anchor = model.meta.get("anchor")
    lines += [f"\nIntercept {model.intercept:+.3f}; base log-odds {model.base:+.3f}."
              + (f" Anchor: {anchor['factor']:.3f} × {anchor['version']}." if anchor else ""), "",
              "## Evaluation on the later period", "",
              f"| metric | champion ({champion.version}) | challenger ({model.version}) |", "|---|---:|---:|"]
    for key, name in (("loglik", "funnel log-likelihood per decision, position-debiased (primary)"),
                      ("loglik_requests", "shortlists and lists with a funnel decision"),
                      ("ndcg_at_10", "NDCG@10 per vacancy shortlist, position-debiased"),
                      ("naive_ndcg_at_10", "NDCG@10 on the judged matches only (naive)"),
                      ("ndcg_requests", "shortlists with a judged grade > 0"),
                      ("roc_auc", "ROC AUC"), ("average_precision", "average precision"),
                      ("brier", "Brier score (lower is better)")):
        lines.append(f"| {name} | {_fmt(old.get(key))} | {_fmt(new.get(key))} |")
    ndcg_ci, gate = metrics.get("ndcg_gain_ci95"), metrics.get("gate") or {}
    lines += ["", f"95 % bootstrap interval of the debiased NDCG@10 gain on this period: {ndcg_ci or '–'}.", "",
              "![Kalibratie](calibration.png)", "", "![Scoreverdeling](scores.png)", "",
              "## Decision", "", f"**{'Promoted automatically' if decision['promote'] else 'Waits for a person'}.** "
              f"Rule: promote only when the {PRIMARY_NAME} of out-of-time predictions, pooled over up to {GATE_FOLDS} "
              "rolling origins (at each, a challenger trained the same way on everything shown before it, scored with "
              "the champion on the period after it; the last period is the evaluation period above), beats the "
              "champion's (higher, with the paired 95 % bootstrap interval of the gain above zero) and no monitoring "
              f"attribute's selection-rate gap widens by more than {decision['fairness_max_gap']}.", ""]
    lines += [f"- {reason}" for reason in decision["reasons"]]
    if gate.get("periods"):
        lines += ["", "| period (shown) | labelled in training | C | shortlists | champion | challenger | gain, 95 % |",
                  "|---|---:|---:|---:|---:|---:|---|"]
        lines += [f"| {_day(p['origin'])} – {_day(p['until'])} | {_fmt(p.get('train_labelled'))} | "
                  f"{_fmt(p.get('c'))} | {p['shortlists']} | {_fmt(p['champion'])} | {_fmt(p['challenger'])} | "
                  f"{p.get('gain_ci95') or '–'} |"
                  for p in gate["periods"]]
        lines += [f"| pooled | | | {gate['challenger']['loglik_requests']} | {_fmt(gate['champion'][PRIMARY])} | "
                  f"{_fmt(gate['challenger'][PRIMARY])} | {gate['gain_ci95'] or '–'} |"]
    lines += ["", "## Selection rates per group", "",
              "*Selected* = in the model's top 10 of a vacancy shortlist it re-ranks; rate = selected / shown. Groups "
              f"with fewer than {MIN_GROUP} shown matches are listed but left out of the gap.", ""]
    for attribute, sel in new["selection"].items():
        champ = old["selection"].get(attribute, {"groups": {}, "gap": None})
        lines += [f"**{attribute}** (gap: champion {_fmt(champ['gap'])}, challenger {_fmt(sel['gap'])})", "",
                  "| group | shown | rate champion | rate challenger |", "|---|---:|---:|---:|"]
        for group, row in sel["groups"].items():
            lines.append(f"| {group} | {row['shown']} | {_fmt(champ['groups'].get(group, {}).get('rate'))} | "
                         f"{_fmt(row['rate'])} |")
        lines.append("")
    if not new["selection"]:
        lines += ["No monitoring attributes recorded.", ""]
    lines += ["## Features against monitoring attributes", "",
              "Correlation ratio η of each feature with each monitoring attribute over all shown matches (0 = "
              "unrelated, 1 = the feature is a copy of the attribute). Monitoring attributes are never features; "
              f"a feature with η ≥ {CORRELATION_WARN} could stand in for one and needs a person's review.", ""]
    for attribute, corr in metrics["correlations"].items():
        lines += [f"**{attribute}** ({corr['examples']} shown matches)", "", "| feature | η | |", "|---|---:|---|"]
        for name, eta in sorted(corr["eta"].items(), key=lambda kv: -kv[1]):
            flag = "**review: near-copy**" if eta >= CORRELATION_WARN else ("notable" if eta >= CORRELATION_NOTE
                                                                            else "")
            lines.append(f"| {name} | {eta:.3f} | {flag} |")
        lines.append("")
    lines += ["## Known limits", "",
              "- Learned only from matches that were shown: people the earlier model never ranked high are "
              "under-represented (selection and position bias). The logged-list NDCG cannot see them.",
              "- Labels follow `matcher/learning/labels.py`; recent hires count as hires while their retention "
              "is open.",
              "- Manual matches (made outside the ranking) have no shown features and are not used.", ""]
    return "\n".join(lines)


def _regularisation(info: dict[str, Any] | None) -> str:
    if not info:
        return "–"
    if info.get("chosen_by") != "evidence":
        return str(info.get("chosen_by"))
    scores = ", ".join(f"C={c}: {v:.1f}" for c, v in info["log_evidence_by_c"].items())
    return (f"C chosen by the log evidence of the training decisions (the strongest within {EVIDENCE_WINDOW:g} nat "
            f"of the best; {scores})")


def _day(iso: str | None) -> str:
    return "–" if not iso else datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _signed(value: float) -> str:
    return f"{round(float(value), 3) + 0.0:+.3f}"  # no "-0.000"


def _events(counts: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"
