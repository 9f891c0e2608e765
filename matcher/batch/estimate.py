"""Stage one of the nightly rematch: a cheap estimate of every pair's model score, to propose the few
pairs per person and per vacancy that stage two scores exactly (`matcher.matching.features.compute_pairs`).

The champion model is additive (log-odds = intercept + Σ weight × feature), so its log-odds splits into
parts that each cost one pass over a tile of people × vacancies:

- **meaning and words**: weight × (offset + gain × cosine) of the stored vectors (the feature's clip to
  [0, 1] is left out), and weight × the character n-gram similarity, its n-grams projected on the
  `NGRAM_RANK` main directions of the vacancies' n-grams (a truncated SVD: exact while there are no
  more vacancies than that, close above it): one float32 matrix product of the two laid side by side;
- **vocabulary**: skills, certificates, years in the occupation and the wish for it are linear in the
  sparse term matrices, so they are one sparse product of two matrices laid side by side, the weights
  and the caps put on the rows beforehand (a vacancy has one occupation, so capping the person's years
  per occupation is the feature's cap). Years in the occupation and the wish for it take the larger of
  the occupation's part and its family's: the product adds both, and where both are there (the person
  has the vacancy's occupation: a sparse set, two small sparse products) the smaller is taken off
  again. A person without recognised skills against skills read from a description counts as the
  feature's 0.5, added where it takes the larger;
- **groups**: every other feature and every feasibility check depends on a few columns of each side
  (the place, the hours, the levels, …). Each group has few distinct values per side, so its exact
  features and checks are computed once per distinct person-value × vacancy-value — by `compute`
  itself, on one row that has each value — into a small table that a tile looks up. An exclusion
  is -inf there (so the sum is -inf too, with no pass over the tile to find it); an attention point
  counts a third of the attention weight (the feature counts up to three of them);
- constants per person and per vacancy.

What the estimate leaves out — the clip, the n-grams outside the kept directions, the attention cap and
the attention point for a missing certificate — is what stage two adds; `bench/rematch_bench.py` measures
how often a pair of the exhaustive top K is not proposed (the recall).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.utils.extmath import randomized_svd

from matcher.matching.features import FEATURES, compute
from matcher.matching.ranking import bestand_lift
from matcher.matching.scoring import AdditiveModel
from matcher.matching.tables import CandidateTable, VacancyTable

NGRAM_RANK = 128  # directions of the n-gram space the estimate keeps (10× region: 0.9998 of a person's top 20
                  # proposed among the best 50 with it, 0.993 without the n-grams at all)



def _restrictions(*codes: str) -> Callable[[CandidateTable], list[np.ndarray]]:
    return lambda c: [c.restrictions[code] for code in codes]


def _demands(*codes: str) -> Callable[[VacancyTable], list[np.ndarray]]:
    return lambda v: [v.demands[code] for code in codes]


@dataclass(frozen=True)
class Group:
    """Features and checks that depend on these columns of each side only."""

    name: str
    features: tuple[str, ...]
    checks: tuple[str, ...]
    person: Callable[[CandidateTable], list[np.ndarray]]
    vacancy: Callable[[VacancyTable], list[np.ndarray]]


_OTHER_RESTRICTIONS = ("no_prolonged_standing", "low_stimulus", "no_customer_contact", "no_heights", "no_outdoor",
                       "no_driving")
_OTHER_DEMANDS = ("standing", "high_stimulus", "customer_contact", "heights", "outdoor", "driving")
GROUPS: tuple[Group, ...] = (
    Group("place", ("travel_distance",), ("distance",),
          lambda c: [c.lat, c.lon, c.max_travel], lambda v: [v.lat, v.lon]),
    Group("hours", ("hours_fit",), ("hours", "hours_wish"),
          lambda c: [c.hours_min, c.hours_max, c.max_hours], lambda v: [v.hours_min, v.hours_max, v.support]),
    Group("levels", ("education_fit", "language_fit"), ("dutch",),
          lambda c: [c.education, c.dutch], lambda v: [v.education, v.dutch, v.support]),
    Group("shifts", ("shift_fit",), ("night", "evening", "weekend", "shift_wish"),
          lambda c: [c.shifts, *_restrictions("no_night", "no_evening", "no_weekend")(c)],
          lambda v: [v.shifts, v.support, *_demands("night_work", "evening_work", "weekend_work")(v)]),
    Group("support", ("support_fit",), (), lambda c: [c.trede], lambda v: [v.support]),
    Group("demands", (), ("lifting", "licence", "standing", "stimulus", "customer_contact", "heights", "outdoor",
                          "driving"),
          lambda c: [c.max_lift, c.licences, *_restrictions(*_OTHER_RESTRICTIONS)(c)],
          lambda v: [v.lift, v.licences, v.support, *_demands(*_OTHER_DEMANDS)(v)]),
)


def _keys(columns: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """A number per row for its combination of values (NaN and infinity included), and one row that
    has each combination."""
    values = np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])
    values = np.where(np.isnan(values), -np.inf, values)  # NaN equals NaN here: one key
    _, first, key = np.unique(values, axis=0, return_index=True, return_inverse=True)
    return key.ravel().astype(np.int32), first


@dataclass
class _Table:
    person: np.ndarray    # (n_candidates,) key
    vacancy: np.ndarray   # (n_vacancies,) key
    excluded: dict[str, np.ndarray]  # check -> (person keys, vacancy keys) bool
    by_vacancy: np.ndarray  # (person keys, vacancies) float32: the group's part of the log-odds of each vacancy,
                            # laid out once per run, so a piece copies whole rows instead of gathering every pair
                            # (10×: 150 MB in all)


def _group_table(group: Group, cands: CandidateTable, vacs: VacancyTable, model: AdditiveModel) -> _Table:
    person, person_rows = _keys(group.person(cands))
    vacancy, vacancy_rows = _keys(group.vacancy(vacs))
    block = compute(cands, vacs, person_rows, vacancy_rows)
    weights = dict(zip(FEATURES, model.weights, strict=True))
    per_attention = weights["attention_points"] / 3.0
    values = np.zeros(block.X.shape[:2], dtype=np.float64)
    for name in group.features:
        values += weights[name] * block.X[..., FEATURES.index(name)]
    excluded = {}
    for check in group.checks:
        conflict, attention = block.feasibility.fired[check]
        values += per_attention * attention
        excluded[check] = np.asarray(conflict, dtype=bool)
    for conflict in excluded.values():  # a hard conflict: the pair cannot be proposed
        values[conflict] = -np.inf
    return _Table(person=person, vacancy=vacancy, excluded=excluded,
                  by_vacancy=np.ascontiguousarray(values.astype(np.float32).take(vacancy, axis=1)))


def _scaled_rows(m: sp.csr_matrix, scale: np.ndarray) -> sp.csr_matrix:
    return sp.csr_matrix(sp.diags(scale.astype(np.float32)) @ m)


def _column(rows: np.ndarray, value: float) -> sp.csr_matrix:
    """One column: ``value`` where ``rows`` holds."""
    return sp.csr_matrix((rows * np.float32(value)).astype(np.float32)[:, None])


def _capped(m: sp.csr_matrix, cap: float) -> sp.csr_matrix:
    out = m.copy()
    np.minimum(out.data, cap, out=out.data)
    return out


def _ngram_projection(cands: CandidateTable, vacs: VacancyTable) -> tuple[np.ndarray, np.ndarray]:
    """Both sides' character n-grams projected on the `NGRAM_RANK` main directions of the vacancies' n-grams
    (a truncated SVD), so that one dense product of the projections stands in for the n-gram similarity.
    With no more vacancies than directions it is the similarity itself."""
    used = np.unique(vacs.ngrams.indices)  # an n-gram no vacancy has adds nothing to a product
    vacancy_ngrams = vacs.ngrams[:, used]
    if not min(vacancy_ngrams.shape):
        return np.zeros((len(cands), 0), np.float32), np.zeros((len(vacs), 0), np.float32)
    if min(vacancy_ngrams.shape) <= NGRAM_RANK:  # the vacancies' own n-grams span them: exact
        basis = np.linalg.qr(vacancy_ngrams.T.toarray())[0]
    else:
        basis = randomized_svd(vacancy_ngrams, NGRAM_RANK, n_iter=2, random_state=0)[2].T
    basis = np.asarray(basis, dtype=np.float32)
    return (np.asarray(cands.ngrams[:, used] @ basis, dtype=np.float32),
            np.asarray(vacancy_ngrams @ basis, dtype=np.float32))


class Estimate:
    """The estimate for one run's tables and model. `scores` gives a (rows, all vacancies) tile."""

    def __init__(self, cands: CandidateTable, vacs: VacancyTable, model: AdditiveModel) -> None:
        w = dict(zip(FEATURES, model.weights.astype(np.float64), strict=True))
        offset, gain = vacs.meaning
        people_ngrams, vacancy_ngrams = _ngram_projection(cands, vacs)
        self.people = np.ascontiguousarray(np.hstack([cands.vectors * np.float32(w["semantic_similarity"] * gain),
                                                      people_ngrams * np.float32(w["text_similarity"])]))
        self.vectors = np.ascontiguousarray(np.hstack([vacs.vectors, vacancy_ngrams]))

        width = max(m.shape[1] for m in (cands.skills, cands.certificates, cands.experience, cands.desired,
                                         vacs.required, vacs.occupation, vacs.occupation_family))

        def wide(m: sp.csr_matrix) -> sp.csr_matrix:
            return sp.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], width))

        def per_item(n: np.ndarray) -> np.ndarray:
            return 1.0 / np.maximum(n, 1.0)

        self.terms = sp.hstack([wide(m) * np.float32(s) for m, s in (
            (cands.skills, w["required_skills"]), (cands.skills, w["preferred_skills"]),
            (cands.certificates, w["certificates"]),
            (_capped(cands.experience, 5.0), w["occupation_experience"] / 5.0),
            (_capped(cands.experience_family, 5.0), 0.4 * w["occupation_experience"] / 5.0),
            (_capped(cands.desired, 1.0), w["desired_occupation"]),
            (_capped(cands.desired_family, 1.0), 0.5 * w["desired_occupation"]))]
            + [_column(~cands.skills_known, 0.5 * w["required_skills"])], format="csr")
        self.vacancy_terms = sp.hstack([wide(m) for m in (
            _scaled_rows(vacs.required, per_item(vacs.n_required)),
            _scaled_rows(vacs.preferred, per_item(vacs.n_preferred)),
            _scaled_rows(vacs.certificates, per_item(vacs.n_certificates)),
            vacs.occupation, vacs.occupation_family, vacs.occupation, vacs.occupation_family)]
            + [_column((vacs.n_required > 0) & vacs.skills_read, 1.0)], format="csr").T.tocsr()

        # the features that take the larger of the occupation and its family: the product above adds both,
        # so where both are there (a sparse set: the person has the vacancy's occupation) the smaller goes
        occupation, family = wide(vacs.occupation).T.tocsr(), wide(vacs.occupation_family).T.tocsr()
        self.larger = [(w[name], wide(_capped(own, cap)) * np.float32(1.0 / cap), occupation,
                        wide(_capped(fam, cap)) * np.float32(share / cap), family)
                       for name, own, fam, cap, share in (
                           ("occupation_experience", cands.experience, cands.experience_family, 5.0, 0.4),
                           ("desired_occupation", cands.desired, cands.desired_family, 1.0, 0.5))]

        self.tables = [_group_table(g, cands, vacs, model) for g in GROUPS]
        self.person_constant = (w["attention_points"] / 3.0 * cands.free_text_restrictions).astype(np.float32)
        self.vacancy_constant = (model.intercept + w["semantic_similarity"] * offset
                                 + w["required_skills"] * 0.5 * (vacs.n_required == 0)
                                 + w["certificates"] * (vacs.n_certificates == 0)).astype(np.float32)
        # the lift for het bestand per distinct trede × every vacancy: a piece copies its people's rows
        self.trede_key, trede_rows = _keys([cands.trede])
        self.lift_by_vacancy = bestand_lift(cands.trede[trede_rows][:, None], vacs.support[None, :])

    def scores(self, rows: slice) -> np.ndarray:
        """The estimated log-odds of people ``rows`` × every vacancy; -inf: excluded."""
        out = self.people[rows] @ self.vectors.T
        out += (self.terms[rows] @ self.vacancy_terms).toarray()
        for weight, own, occupation, family, families in self.larger:
            both = (own[rows] @ occupation).minimum(family[rows] @ families).tocoo()
            out[both.row, both.col] -= np.float32(weight) * both.data
        for t in self.tables:
            out += t.by_vacancy.take(t.person[rows], axis=0)
        out += self.person_constant[rows][:, None]
        out += self.vacancy_constant[None, :]
        return out

    def lift(self, rows: slice) -> np.ndarray:
        """The shortlist's lift for *het bestand*, which orders a vacancy's people (not a person's vacancies)."""
        return self.lift_by_vacancy.take(self.trede_key[rows], axis=0)

    def excluded(self) -> dict[str, int]:
        """Pairs excluded per check, over the whole run, counted from the group tables."""
        out: dict[str, int] = {}
        for t in self.tables:
            # how many people and vacancies hold each key (`_keys`: every key is held by at least one)
            people, vacancies = np.bincount(t.person).astype(np.int64), np.bincount(t.vacancy).astype(np.int64)
            for check, mask in t.excluded.items():  # (person keys, vacancy keys)
                if n := int(people @ mask.astype(np.int64) @ vacancies):
                    out[check] = n
        return out
