"""Pair features: interpretable numbers in [0, 1] for every (candidate, vacancy) pair of a block.

Everything is computed as matrices over a block of candidates × vacancies, so one vacancy against
all candidates, one candidate against all vacancies and the nightly everyone-against-everything run
share the same code. Monitoring-only attributes (age band, …) are not in the tables at all, so they
cannot become features.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matcher.geo import distance_km
from matcher.matching.feasibility import (
    DEFAULT_MAX_TRAVEL_KM,
    LONG_TRIP_MIN,
    RULES,
    SUPPORT_BITS,
    Feasibility,
)
from matcher.matching.tables import CandidateTable, VacancyTable

FEATURES: tuple[str, ...] = (
    "required_skills",        # share of the required skills the person has (0.5: unknown, see `compute`)
    "preferred_skills",       # share of the preferred skills
    "certificates",           # share of the asked certificates held
    "semantic_similarity",    # sentence-embedding similarity of profile and vacancy text
    "text_similarity",        # character n-gram similarity, rare n-grams weighing more (robust to Dutch spelling)
    "occupation_experience",  # years in this occupation (or, half, in the same family), capped at 5
    "desired_occupation",     # the person wants this kind of work
    "education_fit",          # education level against the asked level
    "language_fit",           # Dutch level against the asked level
    "travel_distance",        # closeness, relative to how far the person will travel
    "hours_fit",              # overlap of wanted and offered hours
    "shift_fit",              # the person is available for the shifts of the job
    "support_fit",            # support offered (jobcoach, jobcarving, …) against the need (trede)
    "attention_points",       # number of things to discuss (capped at 3), a cost
)
NGRAMS = FEATURES.index("text_similarity")  # the costliest feature to compute
HEAVY_SUPPORT = SUPPORT_BITS["jobcoach"] | SUPPORT_BITS["jobcarving"]
LIGHT_SUPPORT = SUPPORT_BITS["loonkostensubsidie"] | SUPPORT_BITS["proefplaatsing"]
Selection = slice | np.ndarray  # rows of a table: all of them (a view) or some (a copy)
PAIR_SLICE = 4096  # pairs whose vectors are gathered at once
POPCOUNT = np.array([bin(i).count("1") for i in range(16)], dtype=np.float32)


@dataclass
class Block:
    candidates: np.ndarray      # row numbers in the candidate table
    vacancies: np.ndarray       # row numbers in the vacancy table
    X: np.ndarray               # (n_candidates, n_vacancies, n_features) float32
    feasibility: Feasibility
    distance: np.ndarray        # km, NaN where unknown

    def features(self, i: int, j: int) -> dict[str, float]:
        return {name: round(v, 4) for name, v in zip(FEATURES, self.X[i, j].tolist(), strict=True)}


def _widen(m: sp.csr_matrix, width: int) -> sp.csr_matrix:
    if m.shape[1] == width:
        return m
    return sp.csr_matrix((m.data, m.indices, m.indptr), shape=(m.shape[0], width), copy=False)


def _dot(a: sp.csr_matrix, b: sp.csr_matrix, a_by_col: sp.csc_matrix | None = None,
         b_by_col: sp.csc_matrix | None = None) -> np.ndarray:
    """a @ b.T as a dense (rows of a) × (rows of b) array. One side is a single row for a shortlist or a
    match list: then a sparse matrix times a dense vector, which is several times faster; and when the
    other side is also given by column (CSC), only the columns that single row uses are read."""
    width = max(a.shape[1], b.shape[1])
    a, b = _widen(a, width), _widen(b, width)
    if b.shape[0] == 1:
        if a_by_col is not None:
            return np.asarray(a_by_col[:, b.indices] @ b.data, dtype=np.float32)[:, None]
        return np.asarray(a @ b.toarray()[0], dtype=np.float32)[:, None]
    if a.shape[0] == 1:
        if b_by_col is not None:
            return np.asarray(b_by_col[:, a.indices] @ a.data, dtype=np.float32)[None, :]
        return np.asarray(b @ a.toarray()[0], dtype=np.float32)[None, :]
    return np.asarray((a @ b.T).toarray(), dtype=np.float32)


def _dense_row(m: sp.csr_matrix, i: int, width: int) -> np.ndarray:
    """Row ``i`` of ``m`` as a dense vector of ``width`` entries (a column past it has no partner to meet)."""
    out = np.zeros(width, dtype=m.dtype)
    columns, values = m.indices[m.indptr[i]: m.indptr[i + 1]], m.data[m.indptr[i]: m.indptr[i + 1]]
    inside = columns < width
    out[columns[inside]] = values[inside]
    return out


def _rows(m: sp.csr_matrix, idx: np.ndarray, full: bool) -> sp.csr_matrix:
    if full:
        return m
    if len(idx) == 1:  # one vacancy or one person: a slice is several times cheaper than fancy indexing
        return m[int(idx[0]): int(idx[0]) + 1]
    return m[idx]


class _Grid:
    """Candidates ``ci`` × vacancies ``vj``, every row against every column: arrays of shape (nc, nv)."""

    def __init__(self, cands: CandidateTable, vacs: VacancyTable, ci: np.ndarray | None, vj: np.ndarray | None):
        self.cands, self.vacs = cands, vacs
        self.full_c, self.full_v = ci is None, vj is None
        self.ci = np.arange(len(cands)) if ci is None else np.asarray(ci)
        self.vj = np.arange(len(vacs)) if vj is None else np.asarray(vj)
        self.shape: tuple[int, ...] = (len(self.ci), len(self.vj))
        # dense columns are read through a slice when the whole table takes part: a view, not a copy per request
        self.cs: Selection = slice(None) if self.full_c else self.ci
        self.vs: Selection = slice(None) if self.full_v else self.vj

    def c(self, column: np.ndarray) -> np.ndarray:
        return column[self.cs][:, None]

    def v(self, column: np.ndarray) -> np.ndarray:
        return column[self.vs][None, :]

    def dot(self, cm: sp.csr_matrix, vm: sp.csr_matrix) -> np.ndarray:
        # a shortlist or a match list: everyone against one row, read straight from its arrays
        if self.full_c and len(self.vj) == 1:
            return (cm @ _dense_row(vm, int(self.vj[0]), cm.shape[1]))[:, None]
        if self.full_v and len(self.ci) == 1:
            return (vm @ _dense_row(cm, int(self.ci[0]), vm.shape[1]))[None, :]
        return _dot(_rows(cm, self.ci, self.full_c), _rows(vm, self.vj, self.full_v))

    def cosine(self) -> np.ndarray:
        return self.cands.vectors[self.cs] @ self.vacs.vectors[self.vs].T

    def ngrams(self) -> np.ndarray:
        nc, nv = self.shape
        return _dot(_rows(self.cands.ngrams, self.ci, self.full_c), _rows(self.vacs.ngrams, self.vj, self.full_v),
                    self.cands.ngrams_by_term if self.full_c and nv == 1 else None,
                    self.vacs.ngrams_by_term if self.full_v and nc == 1 else None)


class _Pairs:
    """Aligned pairs (``ci[p]``, ``vj[p]``): arrays of shape (P,). The nightly run's second stage."""

    def __init__(self, cands: CandidateTable, vacs: VacancyTable, ci: np.ndarray, vj: np.ndarray):
        self.cands, self.vacs = cands, vacs
        self.ci, self.vj = np.asarray(ci, dtype=np.int64), np.asarray(vj, dtype=np.int64)
        self.shape = (len(self.ci),)

    def c(self, column: np.ndarray) -> np.ndarray:
        return column[self.ci]

    def v(self, column: np.ndarray) -> np.ndarray:
        return column[self.vj]

    def dot(self, cm: sp.csr_matrix, vm: sp.csr_matrix) -> np.ndarray:
        width = max(cm.shape[1], vm.shape[1])
        product = _widen(cm, width)[self.ci].multiply(_widen(vm, width)[self.vj])
        return np.asarray(product.sum(axis=1), dtype=np.float32).ravel()

    def cosine(self) -> np.ndarray:
        out = np.empty(self.shape, dtype=np.float32)
        for s in range(0, len(out), PAIR_SLICE):  # a slice of rows at a time stays in the cache
            ci, vj = self.ci[s: s + PAIR_SLICE], self.vj[s: s + PAIR_SLICE]
            out[s: s + PAIR_SLICE] = np.einsum("pd,pd->p", self.cands.vectors.take(ci, axis=0),
                                               self.vacs.vectors.take(vj, axis=0))
        return out

    def ngrams(self) -> np.ndarray:
        """Per vacancy: its n-grams as one dense vector against the n-gram rows of its pairs' people
        (the rows are long, so a row-by-row product would cost several times more)."""
        out = np.zeros(self.shape, dtype=np.float32)
        if not len(out):
            return out
        order = np.argsort(self.vj, kind="stable")
        by_vacancy = self.vj[order]
        starts = np.flatnonzero(np.r_[True, by_vacancy[1:] != by_vacancy[:-1]])
        people, vacs = self.cands.ngrams, self.vacs.ngrams
        dense = np.zeros(max(people.shape[1], vacs.shape[1]), dtype=np.float32)
        for start, stop in zip(starts, np.r_[starts[1:], len(order)], strict=True):
            row = vacs[int(by_vacancy[start])]
            dense[row.indices] = row.data
            pairs = order[start:stop]
            out[pairs] = _widen(people[self.ci[pairs]], len(dense)) @ dense
            dense[row.indices] = 0.0
        return out


Layout = _Grid | _Pairs


def _level_fit(have: np.ndarray, need: np.ndarray) -> np.ndarray:
    gap = need - have
    fit = np.where(gap <= 0, 1.0, np.where(gap <= 1, 0.5, 0.0))
    fit = np.where(np.isnan(have), 0.5, fit)
    return np.where(np.isnan(need), 1.0, fit)


def compute(cands: CandidateTable, vacs: VacancyTable, ci: np.ndarray | None = None,
            vj: np.ndarray | None = None, *, ngrams: bool = True) -> Block:
    """Features and feasibility for candidates ``ci`` × vacancies ``vj`` (None = all): X is (nc, nv, F). With
    ``ngrams=False`` the ``NGRAMS`` feature is left at 0, for the caller to fill in where it needs it
    (`NgramsOf`)."""
    grid = _Grid(cands, vacs, ci, vj)
    return _compute(grid, grid.ci, grid.vj, ngrams)


def compute_pairs(cands: CandidateTable, vacs: VacancyTable, ci: np.ndarray, vj: np.ndarray) -> Block:
    """The same features and feasibility for the pairs (``ci[p]``, ``vj[p]``) only: X is (P, F), every
    mask (P,). The numbers are those `compute` gives for the same pairs: it is the same code."""
    pairs = _Pairs(cands, vacs, ci, vj)
    return _compute(pairs, pairs.ci, pairs.vj, True)


class NgramsOf:
    """One vacancy's ``NGRAMS`` feature against chosen people: its n-grams laid out once as a dense vector, so each
    call reads only those people's rows. The numbers are those `compute_pairs` gives (the same product)."""

    def __init__(self, cands: CandidateTable, vacs: VacancyTable, j: int):
        self.people = cands.ngrams
        self.vacancy = _dense_row(vacs.ngrams, j, cands.ngrams.shape[1])

    def __call__(self, rows: np.ndarray) -> np.ndarray:
        return np.asarray(self.people[rows] @ self.vacancy, dtype=np.float32)


def _compute(at: Layout, ci: np.ndarray, vj: np.ndarray, ngrams: bool) -> Block:
    cands, vacs, c, v = at.cands, at.vacs, at.c, at.v
    X = np.empty((*at.shape, len(FEATURES)), dtype=np.float32)
    n_req, n_pref, n_cert = v(vacs.n_required), v(vacs.n_preferred), v(vacs.n_certificates)
    # Unknown (0.5) when the vacancy lists no required skills, and also when they were read from its
    # description while none of the person's skills is one the vocabulary knows: two guesses that cannot be
    # compared say nothing about what the person can do (as 0 this ranked every vacancy whose text named
    # skills below those whose text did not, whatever the job). Skills the sender gave stay a requirement.
    share = at.dot(cands.skills, vacs.required) / np.maximum(n_req, 1)
    share = np.where(~c(cands.skills_known) & v(vacs.skills_read), np.maximum(share, 0.5), share)
    X[..., 0] = np.where(n_req > 0, share, 0.5)
    X[..., 1] = np.where(n_pref > 0, at.dot(cands.skills, vacs.preferred) / np.maximum(n_pref, 1), 0.0)
    held = at.dot(cands.certificates, vacs.certificates)
    X[..., 2] = np.where(n_cert > 0, held / np.maximum(n_cert, 1), 1.0)
    offset, gain = vacs.meaning
    X[..., 3] = np.clip(offset + gain * at.cosine(), 0.0, 1.0)
    X[..., 4] = at.ngrams() if ngrams else 0.0
    years = np.minimum(at.dot(cands.experience, vacs.occupation), 5.0) / 5.0
    family_years = np.minimum(at.dot(cands.experience_family, vacs.occupation_family), 5.0) / 5.0
    X[..., 5] = np.maximum(years, 0.4 * family_years)
    X[..., 6] = np.maximum(np.minimum(at.dot(cands.desired, vacs.occupation), 1.0),
                           0.5 * np.minimum(at.dot(cands.desired_family, vacs.occupation_family), 1.0))
    X[..., 7] = _level_fit(c(cands.education), v(vacs.education))
    X[..., 8] = _level_fit(c(cands.dutch), v(vacs.dutch))

    km = distance_km(c(cands.lat), c(cands.lon), v(vacs.lat), v(vacs.lon))
    limit = np.maximum(np.where(np.isnan(c(cands.max_travel)), DEFAULT_MAX_TRAVEL_KM, c(cands.max_travel)), 1.0)
    X[..., 9] = np.where(np.isnan(km), 0.5, np.clip(1.0 - km / (1.5 * limit), 0.0, 1.0))

    cmin, cmax = c(cands.hours_min), c(cands.hours_max)
    vmin, vmax = v(vacs.hours_min), v(vacs.hours_max)
    lo = np.fmax(np.nan_to_num(cmin, nan=0.0), np.nan_to_num(vmin, nan=0.0))
    hi = np.fmin(np.nan_to_num(cmax, nan=40.0), np.nan_to_num(vmax, nan=40.0))
    span = np.nan_to_num(vmax, nan=40.0) - np.nan_to_num(vmin, nan=0.0) + 1.0
    hours = np.where(hi >= lo, np.clip((hi - lo + 1.0) / np.maximum(span, 1.0), 0.0, 1.0), 0.0)
    unknown = (np.isnan(cmin) & np.isnan(cmax)) | (np.isnan(vmin) & np.isnan(vmax))
    X[..., 10] = np.where(unknown, 0.5, hours)

    vshift, cshift = v(vacs.shifts) & 14, c(cands.shifts)
    covered = POPCOUNT[cshift & vshift] / np.maximum(POPCOUNT[vshift], 1)
    X[..., 11] = np.where(vshift == 0, 1.0, np.where(cshift == 0, 0.5, covered))

    trede = c(cands.trede)
    need = np.where(trede <= 2, 2, np.where(trede <= 3, 1, 0))
    support = v(vacs.support)
    offered = np.where(support & HEAVY_SUPPORT, 2, np.where(support & LIGHT_SUPPORT, 1, 0))
    fit = np.where(offered >= need, 1.0, np.where(need - offered == 1, 0.5, 0.0))
    X[..., 12] = np.where(np.isnan(trede), 0.5, fit)

    feas = _feasibility(at, km, limit, held, n_cert)
    X[..., 13] = np.minimum(feas.attention, 3) / 3.0
    return Block(candidates=ci, vacancies=vj, X=X, feasibility=feas, distance=km)


def _feasibility(at: Layout, km: np.ndarray, limit: np.ndarray, held: np.ndarray, n_cert: np.ndarray) -> Feasibility:
    """The table in `matcher.matching.feasibility`, as masks over the block."""
    cands, vacs, c, v = at.cands, at.vacs, at.c, at.v
    support = v(vacs.support)
    fired: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    no = np.zeros(at.shape, dtype=bool)

    for rule in RULES:
        if rule.restriction == "max_lift_kg":
            clash = v(vacs.lift) > c(cands.max_lift)
        elif rule.restriction == "max_hours_week":
            clash = np.nan_to_num(v(vacs.hours_min), nan=0.0) > c(cands.max_hours)
        else:
            clash = c(cands.restrictions[rule.restriction]) & v(vacs.demands[rule.demand])
        solvable = (support & rule.solvable_mask) != 0
        fired[rule.name] = (clash & ~solvable, clash & solvable)

    missing_licence = (v(vacs.licences) & ~c(cands.licences)) != 0
    fired["licence"] = (missing_licence, no)

    gap = v(vacs.dutch) - c(cands.dutch)
    coach = (support & SUPPORT_BITS["jobcoach"]) != 0
    far_short = np.nan_to_num(gap, nan=0.0) >= 2
    fired["dutch"] = (far_short & ~coach, (np.nan_to_num(gap, nan=0.0) == 1) | (far_short & coach))

    with np.errstate(invalid="ignore"):
        too_far = km > 1.5 * limit
        long_trip = (km > limit) | (8 + 2.2 * km > LONG_TRIP_MIN)
    fired["distance"] = (too_far, ~too_far & long_trip)
    fired["certificate"] = (no, held < n_cert)

    hours_rule = fired["hours"][0] | fired["hours"][1]
    with np.errstate(invalid="ignore"):
        hours_short = v(vacs.hours_min) > c(cands.hours_max)
    fired["hours_wish"] = (no, hours_short & ~hours_rule)
    shift_rules = fired["night"][0] | fired["night"][1] | fired["evening"][0] | fired["evening"][1] \
        | fired["weekend"][0] | fired["weekend"][1]
    cshift = c(cands.shifts)
    unlisted = (cshift != 0) & ((v(vacs.shifts) & 14 & ~cshift) != 0)
    fired["shift_wish"] = (no, unlisted & ~shift_rules)
    fired["free_text"] = (no, np.broadcast_to(c(cands.free_text_restrictions), at.shape))

    conflict = np.zeros_like(no)
    attention = np.zeros(at.shape, dtype=np.int16)
    for rule_conflict, rule_attention in fired.values():
        conflict |= rule_conflict
        attention += rule_attention
    return Feasibility(conflict=conflict, attention=attention, fired=fired)
