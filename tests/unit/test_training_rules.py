"""The pure parts of training: ranking metric, promotion rule, selection rates, correlation report, fitting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from matcher.errors import Invalid
from matcher.learning import training
from matcher.matching.features import FEATURES
from matcher.matching.scoring import AdditiveModel

T0 = datetime(2026, 3, 2, tzinfo=UTC)


def example(i: int, x: list[float], events: list[str], *, request: str = "r1", candidate: int | None = None
            ) -> training.Example:
    return training.Example(key=f"{i:04d}", request_id=request, direction="vacancy", candidate_id=candidate,
                            vacancy_id=1, shown_at=T0 + timedelta(hours=i), rank=i + 1,
                            x=np.array(x + [0.5] * (len(FEATURES) - len(x))),
                            events=[(e, T0 + timedelta(days=1 + k)) for k, e in enumerate(events)])


def metrics(loglik: float | None, gap: float | None, requests: int = 10) -> dict[str, object]:
    return {"loglik": loglik, "loglik_requests": requests, "selection": {"age_band": {"gap": gap}}}


def test_ndcg_of_a_perfect_and_a_reversed_order() -> None:
    grades = np.array([0.0, 3.0, 1.0])
    assert training._ndcg(grades, [1, 2, 0]) == pytest.approx(1.0)
    reversed_ = training._ndcg(grades, [0, 2, 1])
    assert 0 < reversed_ < 1
    assert np.isnan(training._ndcg(np.zeros(3), [0, 1, 2]))


@pytest.mark.parametrize(("old", "new", "ci", "promote", "why"), [
    (metrics(-0.5, 0.10), metrics(-0.4, 0.12), [0.02, 0.2], True, "beats"),
    (metrics(-0.5, 0.10), metrics(-0.4, 0.12), [-0.01, 0.2], False, "not a credible improvement"),
    (metrics(-0.5, 0.10), metrics(-0.5, 0.10), [0.0, 0.0], False, "does not beat"),
    (metrics(-0.5, 0.10), metrics(-0.6, 0.10), [-0.2, -0.02], False, "does not beat"),
    (metrics(-0.5, 0.10), metrics(-0.4, 0.20), [0.02, 0.2], False, "widens"),
    (metrics(None, 0.10), metrics(-0.4, 0.10), None, False, "undefined"),
    (metrics(-0.5, 0.10, requests=2), metrics(-0.4, 0.10, requests=2), [0.02, 0.2], False, "shortlists to compare"),
])
def test_the_promotion_rule(old: dict[str, object], new: dict[str, object], ci: list[float] | None, promote: bool,
                            why: str) -> None:
    decision = training.decide(old, new, max_gap=0.05, gain_ci=ci)
    assert decision["promote"] is promote
    assert any(why in reason for reason in decision["reasons"]), decision["reasons"]


def test_selection_rates_and_correlations_per_group() -> None:
    # feature 0 is a copy of the group; 40 shown matches per group
    examples = [example(i, [float(i % 2), (i * 7 % 10) / 10], ["rejected"], candidate=i) for i in range(80)]
    groups = {"band": {i: ("a" if i % 2 else "b") for i in range(80)}}
    data = training.label_examples(examples, T0 + timedelta(days=30))
    selected = np.array([i % 2 == 1 for i in range(80)])
    rates = training.selection_rates(data, selected, np.ones(80, dtype=bool), groups)["band"]
    assert rates["groups"]["a"] == {"shown": 40, "selected": 40, "rate": 1.0} and rates["gap"] == 1.0
    # groups too small for a fair comparison are listed but not in the gap
    small = {"band": {i: ("a" if i < 75 else "tiny") for i in range(80)}}
    assert training.selection_rates(data, selected, np.ones(80, dtype=bool), small)["band"]["gap"] is None
    eta = training.correlations(data, groups)["band"]["eta"]
    assert eta[FEATURES[0]] == pytest.approx(1.0) and eta[FEATURES[1]] < 0.3 and eta[FEATURES[2]] == 0.0


def test_fit_is_deterministic_exact_and_refuses_one_kind_of_outcome() -> None:
    rng = np.random.default_rng(3)
    xs = rng.random((200, 2))
    examples = [example(i, x.tolist(), ["hired"] if x[0] + 0.3 * rng.random() > 0.65 else ["rejected"])
                for i, x in enumerate(xs)]
    data = training.label_examples(examples, T0 + timedelta(days=30))
    hires = sum(e.events[0][0] == "hired" for e in examples)
    assert training.step_counts(data) == {"invited": {"met": 200, "passed": hires},  # a hire was invited too
                                          "hired": {"met": hires, "passed": hires},
                                          "retained_6m": {"met": 0, "passed": 0}}  # not known yet: no decision
    prior = AdditiveModel("prior", weights=np.full(len(FEATURES), 0.1), intercept=-1.0,
                          reference=np.zeros(len(FEATURES)))
    a = training.fit(data, seed=1, version="v", anchor=prior, c=1.0)
    b = training.fit(data, seed=1, version="v", anchor=prior, c=1.0)
    assert a.to_json() == b.to_json() and a.meta["anchor"]["version"] == "prior"
    assert a.weights[0] > 1.0  # it learned the rule
    assert a.reference == pytest.approx(data.X.mean(axis=0).astype(np.float32))
    x = data.X[0].astype(np.float32)
    assert a.base + a.contributions(x).sum() == pytest.approx(float(a.logit(x[None, :])[0]), abs=1e-4)
    # the intercept makes the mean score on the labelled matches equal their share of positives
    assert float(a.score(data.X.astype(np.float32)).mean()) == pytest.approx(float(data.y.mean()), abs=1e-4)
    assert set(a.meta["step_intercepts"]) == {"invited", "hired", "retained_6m"}
    # stronger regularisation stays closer to the anchor's direction
    assert abs(training.fit(data, seed=1, version="v", anchor=prior, c=0.01).weights[0]) < abs(a.weights[0])
    only_hires = training.label_examples([example(i, [0.5], ["hired"]) for i in range(10)], T0 + timedelta(days=30))
    with pytest.raises(Invalid, match="only one kind of outcome"):
        training.fit(only_hires, seed=1, version="v")


def test_only_the_propensity_weighted_fit_recovers_the_order_lower_down_the_list() -> None:
    """Shortlists ranked by feature 0, consultants proposing from the top (a known, rank-only propensity), and a
    truth in which feature 0 matters only up to 0.5, i.e. only lower down the lists. The naive fit learns from
    the top, where feature 0 no longer matters; weighting each match by its inverse propensity puts the rest of
    the list back, and only then is Q (feature 0 high, feature 1 lower) ranked above P."""
    rng = np.random.default_rng(11)
    examples: list[training.Example] = []
    true_propensity = {rank: 0.9 * 0.7 ** (rank - 1) for rank in range(1, 21)}
    for request in range(1500):
        x = rng.random((20, 2))
        for rank, row in enumerate(x[np.argsort(-x[:, 0])], start=1):
            events: list[str] = []
            if rng.random() < true_propensity[rank]:
                z = 6.0 * min(row[0], 0.5) + 3.0 * row[1] - 3.0
                events = ["proposed", "invited" if rng.random() < 1 / (1 + np.exp(-z)) else "rejected"]
            e = example(len(examples), row.tolist(), events, request=f"r{request}")
            e.rank = rank
            examples.append(e)
    as_of = T0 + timedelta(days=400)
    data = training.label_examples(examples, as_of)
    found = training.propensities(examples, as_of)
    assert found[1] == pytest.approx(0.9, abs=0.04) and found[20] == training.PROPENSITY_FLOOR  # clipped
    weights = training.propensity_weights(data)
    stepped = np.array([bool(s) for s in data.steps])
    raw = 1 / training.examination(data)[stepped]  # they sum to the effective sample size (Kish)
    assert weights[stepped].sum() == pytest.approx(raw.sum() ** 2 / (raw ** 2).sum())
    assert weights[stepped].sum() < stepped.sum()  # fewer than the examples: unequal weights hold less evidence
    assert weights.max() / weights.min() <= 1 / training.PROPENSITY_FLOOR

    P = np.array([0.1, 0.6] + [0.5] * (len(FEATURES) - 2), dtype=np.float32)  # truth: 0.6 + 1.8 - 3 = -0.6
    Q = np.array([0.9, 0.3] + [0.5] * (len(FEATURES) - 2), dtype=np.float32)  # truth: 3.0 + 0.9 - 3 = +0.9
    naive = training.fit(data, seed=1, version="naive", c=10.0)
    weighted = training.fit(data, seed=1, version="ipw", c=10.0, weights=weights)
    assert naive.logit(P[None, :])[0] > naive.logit(Q[None, :])[0]
    assert weighted.logit(Q[None, :])[0] > weighted.logit(P[None, :])[0]


def test_the_log_evidence_is_the_marginal_likelihood_of_a_small_fit() -> None:
    """One penalised coefficient and one free column (an intercept): the Laplace evidence of `log_evidence` against
    the marginal likelihood integrated on a grid (N(0, C) prior on the coefficient, flat on the intercept)."""
    from scipy.special import expit

    rng = np.random.default_rng(5)
    x = rng.normal(size=300)
    passed = (rng.random(300) < expit(0.8 * x - 0.5)).astype(np.float64)
    Z, weights = np.column_stack([x, np.full(300, training.FREE_SCALE)]), np.ones(300)  # as `sequential_logit`
    b, a = np.meshgrid(np.linspace(-1.5, 3.0, 901), np.linspace(-2.5, 1.5, 801), indexing="ij")
    z = b[..., None] * x + a[..., None]
    loglik = -(np.logaddexp(0.0, z) - passed * z).sum(axis=-1)
    for c in (0.1, 1.0):
        coef = training._logit(Z, passed, weights, c=c, seed=1)
        found = training.log_evidence(Z, passed, weights, coef, c=c, penalised=1)
        log_prior = -b ** 2 / (2 * c) - 0.5 * np.log(2 * np.pi * c)
        joint = loglik + log_prior  # flat prior on the intercept's coefficient (a / FREE_SCALE): density 1 per unit
        cell = (b[1, 0] - b[0, 0]) * (a[0, 1] - a[0, 0]) / training.FREE_SCALE
        exact = joint.max() + np.log(np.exp(joint - joint.max()).sum() * cell)
        # the free column's flat prior leaves a constant (2π)^½ out; the rest is the Laplace error, small here
        assert found + 0.5 * np.log(2 * np.pi) == pytest.approx(exact, abs=0.05)


def test_the_evidence_keeps_the_prior_when_the_outcomes_follow_it_and_lets_go_when_they_do_not() -> None:
    """`choose_c` on a few hundred decisions: outcomes drawn from the prior itself (nothing to learn) keep the
    strongest regularisation, so the challenger stays the prior; outcomes that follow feature 1 where the prior
    follows feature 0 choose a weaker one, and the fit then ranks by feature 1. It needs no data set aside: the
    validation on later shortlists it replaced had none here (one list) and could only keep the prior."""
    prior = _model(3.0, 0.0, intercept=-1.5)
    for truth, expect_prior in (((3.0, 0.0), True), ((0.0, 3.0), False)):
        rng = np.random.default_rng(21)
        examples = []
        for i, row in enumerate(rng.random((250, 2))):
            p = 1 / (1 + np.exp(-(truth[0] * row[0] + truth[1] * row[1] - 1.5)))
            examples.append(example(i, row.tolist(), ["proposed", "invited" if rng.random() < p else "rejected"]))
        data = training.label_examples(examples, T0 + timedelta(days=400))
        c, info = training.choose_c(data, seed=1, anchor=prior)
        assert info["chosen_by"] == "evidence" and set(info["log_evidence_by_c"]) == {str(c) for c in training.C_GRID}
        model = training.fit(data, seed=1, version="v", anchor=prior, c=c)
        if expect_prior:
            assert c == training.C_GRID[0] and model.weights[0] > 5 * abs(model.weights[1])
        else:
            assert c > training.C_GRID[0] and model.weights[1] > model.weights[0]


def test_the_debiased_ndcg_sees_the_good_match_the_logged_list_hid() -> None:
    """Shortlists ranked by a logging model that shows the best match of each list at rank 15, where consultants
    seldom look (a known, rank-only propensity). A second model puts that match on top but swaps the first two. On
    the judged matches alone (naive) the logging model wins, because the match at rank 15 is nearly always unjudged;
    weighting each judged match by its inverse propensity recovers what the full truth says: the second model is
    far better."""
    rng = np.random.default_rng(5)
    propensity = {rank: 0.9 if rank <= 2 else 0.5 if rank <= 10 else 0.2 for rank in range(1, 21)}
    grade_events = {3: ["proposed", "invited", "hired", "retained_6m"], 2: ["proposed", "invited", "hired"],
                    1: ["proposed", "invited"], 0: ["proposed", "rejected"]}
    grades = {1: 2, 2: 1, 15: 3}  # every other shown match has grade 0
    examples: list[training.Example] = []
    for request in range(600):
        for rank in range(1, 21):
            x = [(21 - rank) / 20, float(rank == 15), float(rank == 2)]
            events = grade_events[grades.get(rank, 0)] if rng.random() < propensity[rank] else []
            e = example(len(examples), x, events, request=f"r{request}")
            e.rank = rank
            examples.append(e)
    data = training.label_examples(examples, T0 + timedelta(days=400))

    def model(weights: list[float]) -> AdditiveModel:
        return AdditiveModel("m", weights=np.array(weights + [0.0] * (len(FEATURES) - 3)), intercept=0.0,
                             reference=np.zeros(len(FEATURES)))

    logging, better = model([1.0, 0.0, 0.0]), model([1.0, 5.0, 0.2])
    full = np.array([grades.get(rank, 0) for rank in range(1, 21)], dtype=np.float64)
    truth = {name: training._ndcg(full, training._ranked(m.logit(np.array([e.x for e in examples[:20]])),
                                                         list(range(1, 21)), [e.key for e in examples[:20]]))
             for name, m in (("logging", logging), ("better", better))}
    assert truth["better"] > truth["logging"] + 0.3
    old, new = training.evaluate(logging, data, {}), training.evaluate(better, data, {})
    assert new["naive_ndcg_at_10"] < old["naive_ndcg_at_10"]  # the naive measure prefers the logging model...
    assert new["ndcg_at_10"] > old["ndcg_at_10"] + 0.3  # ...the debiased one sees the gain
    # one normaliser for both: the estimated gain is close to the true one (0.42), though not each value
    assert abs((new["ndcg_at_10"] - old["ndcg_at_10"]) - (truth["better"] - truth["logging"])) < 0.1
    gain = training.bootstrap_gain(old, new, seed=1)
    assert gain is not None and gain[0] > 0


def _log(requests: int, seed: int) -> list[training.Example]:
    """Shortlists of 20 over time, ranked by feature 0; consultants propose from the top; invitations follow
    feature 1."""
    rng = np.random.default_rng(seed)
    examples: list[training.Example] = []
    for request in range(requests):
        x = rng.random((20, 2))
        for rank, row in enumerate(x[np.argsort(-x[:, 0])], start=1):
            events: list[str] = []
            if rng.random() < 0.8 * 0.85 ** (rank - 1):
                events = ["proposed", "invited" if rng.random() < 1 / (1 + np.exp(4 - 8 * row[1])) else "rejected"]
            e = example(len(examples), row.tolist(), events, request=f"r{request}")
            e.rank = rank
            examples.append(e)
    return examples


def _model(w0: float, w1: float, scale: float = 1.0, intercept: float = 0.0) -> AdditiveModel:
    return AdditiveModel("m", weights=scale * np.array([w0, w1] + [0.0] * (len(FEATURES) - 2)),
                         intercept=intercept, reference=np.zeros(len(FEATURES)))


def test_the_funnel_likelihood_goes_by_the_order_and_the_gate_takes_only_the_better_model() -> None:
    """Invitations follow feature 1, the list was ranked by feature 0 and consultants proposed from its top. The
    debiased funnel likelihood prefers the model that orders by feature 1, does not change when a model's log-odds
    are shifted or stretched (calibration is not what it measures), and the promotion rule takes the better model
    over the other but never the reverse."""
    data = training.label_examples(_log(300, seed=2), T0 + timedelta(days=400))
    old, new = training.evaluate(_model(1.0, 0.0), data, {}), training.evaluate(_model(0.0, 1.0), data, {})
    assert new["loglik"] > old["loglik"]
    stretched = training.evaluate(_model(0.0, 1.0, scale=3.0, intercept=-2.0), data, {})
    assert stretched["loglik"] == pytest.approx(new["loglik"], abs=1e-4)
    gain = training.bootstrap_gain(old, new, seed=1, key="loglik_per_request")
    assert gain is not None and gain[0] > 0
    assert np.mean(list(new["loglik_per_request"].values())) == pytest.approx(new["loglik"], abs=1e-4)
    assert training.decide(old, new, max_gap=0.05, gain_ci=gain)["promote"]
    back = training.bootstrap_gain(new, old, seed=1, key="loglik_per_request")
    assert not training.decide(new, old, max_gap=0.05, gain_ci=back)["promote"]


def test_the_gate_pools_out_of_time_periods_and_takes_only_the_better_challenger() -> None:
    """Three rolling origins (25, 50, 75 % of the labelled matches); at each, the challenger is the model a trainer
    gives for the matches before it, scored with the champion on the period after it. Ordering by feature 1 (what
    the outcomes follow) beats ordering by feature 0 with a pooled interval above zero, on more shortlists and with
    a narrower interval than the last period alone; the reverse is refused; a champion trained later than an origin
    is not scored before its own training period ends."""
    examples = _log(150, seed=3)
    as_of = examples[-1].shown_at + timedelta(days=30)
    split = training.default_split(examples, as_of)
    origins = training.gate_origins(examples, split, as_of, folds=3)
    assert len(origins) == 3 and origins[-1] == split
    known = sorted(e.shown_at for e in examples if training.labels.label(e.events, as_of).known)
    assert [known.index(o) / len(known) for o in origins] == pytest.approx([0.25, 0.5, 0.75], abs=0.01)
    assert training.gate_origins(examples, split, as_of, folds=3, after=origins[1]) == origins[1:]
    assert training.gate_origins(examples, split, as_of, folds=1) == [split]

    worse, better = _model(1.0, 0.0), _model(0.0, 1.0)

    def gate(champion: AdditiveModel, challenger: AdditiveModel) -> tuple[dict[str, object], dict[str, object]]:
        found = training.pooled_gate(examples, origins, as_of, champion=champion, seed=1,
                                     challenger=lambda before, origin: (challenger, {"c": None}))
        return found, training.decide(found["champion"] | {"selection": {}}, found["challenger"] | {"selection": {}},
                                      max_gap=0.05, gain_ci=found["gain_ci95"], basis=found["basis"])

    found, decision = gate(worse, better)
    assert decision["promote"] and "pooled over 3 periods" in decision["reasons"][0]
    periods = found["periods"]
    assert len(periods) == 3 and found["challenger"]["loglik_requests"] == sum(p["shortlists"] for p in periods)
    pooled, last = found["gain_ci95"], periods[-1]["gain_ci95"]
    assert pooled[0] > 0 and pooled[1] - pooled[0] < last[1] - last[0]
    found, decision = gate(better, worse)
    assert not decision["promote"] and found["gain_ci95"][1] < 0
    # a period where no challenger could be trained is left out, for both models
    found = training.pooled_gate(examples, origins, as_of, champion=worse, seed=1,
                                 challenger=lambda before, origin: None if origin < split else (better, {}))
    assert len(found["periods"]) == 1 and found["champion"]["loglik_requests"] == found["periods"][0]["shortlists"]


def test_the_gate_trains_a_challenger_per_origin_as_training_does() -> None:
    """With `fit_challenger` (what `train` uses before the split), anchored on a prior that orders by feature 0,
    the challengers learn that the outcomes follow feature 1 and the pooled gate accepts them; with too few
    labelled matches before an origin, that period is left out."""
    examples = _log(150, seed=4)
    as_of = examples[-1].shown_at + timedelta(days=30)
    split = training.default_split(examples, as_of)
    origins = training.gate_origins(examples, split, as_of, folds=3)
    prior = _model(1.0, 0.0)

    def challenger(min_events: int) -> training.Trainer:
        return lambda before, origin: training.fit_challenger(before, origin, seed=1, anchor=prior, ipw=True,
                                                              min_events=min_events)

    found = training.pooled_gate(examples, origins, as_of, champion=prior, challenger=challenger(50), seed=1)
    assert len(found["periods"]) == 3 and all(p["c"] in training.C_GRID for p in found["periods"])
    assert found["gain_ci95"][0] > 0
    assert training.decide(found["champion"] | {"selection": {}}, found["challenger"] | {"selection": {}},
                           max_gap=0.05, gain_ci=found["gain_ci95"])["promote"]
    first = found["periods"][0]["train_labelled"]
    fewer = training.pooled_gate(examples, origins, as_of, champion=prior, challenger=challenger(first + 1), seed=1)
    assert [p["origin"] for p in fewer["periods"]] == [p["origin"] for p in found["periods"][1:]]
