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
    "text_similarity",        # character n-gram similarity (robust to Dutch spelling and compounds)
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
HEAVY_SUPPORT = SUPPORT_BITS["jobcoach"] | SUPPORT_BITS["jobcarving"]
LIGHT_SUPPORT = SUPPORT_BITS["loonkostensubsidie"] | SUPPORT_BITS["proefplaatsing"]
Selection = slice | np.ndarray  # rows of a table: all of them (a view) or some (a copy)
POPCOUNT = np.array([bin(i).count("1") for i in range(16)], dtype=np.float32)


@dataclass
class Block:
    candidates: np.ndarray      # row numbers in the candidate table
    vacancies: np.ndarray       # row numbers in the vacancy table
    X: np.ndarray               # (n_candidates, n_vacancies, n_features) float32
    feasibility: Feasibility
    distance: np.ndarray        # km, NaN where unknown

    def features(self, i: int, j: int) -> dict[str, float]:
        return {name: round(float(v), 4) for name, v in zip(FEATURES, self.X[i, j], strict=True)}


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


def _rows(m: sp.csr_matrix, idx: np.ndarray, full: bool) -> sp.csr_matrix:
    if full:
        return m
    if len(idx) == 1:  # one vacancy or one person: a slice is several times cheaper than fancy indexing
        return m[int(idx[0]): int(idx[0]) + 1]
    return m[idx]


def _level_fit(have: np.ndarray, need: np.ndarray) -> np.ndarray:
    gap = need[None, :] - have[:, None]
    fit = np.where(gap <= 0, 1.0, np.where(gap <= 1, 0.5, 0.0))
    fit = np.where(np.isnan(have)[:, None], 0.5, fit)
    return np.where(np.isnan(need)[None, :], 1.0, fit)


def compute(cands: CandidateTable, vacs: VacancyTable, ci: np.ndarray | None = None,
            vj: np.ndarray | None = None) -> Block:
    """Features and feasibility for candidates ``ci`` × vacancies ``vj`` (None = all)."""
    full_c, full_v = ci is None, vj is None
    ci = np.arange(len(cands)) if ci is None else np.asarray(ci)
    vj = np.arange(len(vacs)) if vj is None else np.asarray(vj)
    nc, nv = len(ci), len(vj)

    def crow(m: sp.csr_matrix) -> sp.csr_matrix:
        return _rows(m, ci, full_c)

    def vrow(m: sp.csr_matrix) -> sp.csr_matrix:
        return _rows(m, vj, full_v)

    # dense columns are read through a slice when the whole table takes part: a view, not a copy per request
    cs, vs = slice(None) if full_c else ci, slice(None) if full_v else vj
    X = np.empty((nc, nv, len(FEATURES)), dtype=np.float32)
    skills = crow(cands.skills)
    n_req, n_pref, n_cert = vacs.n_required[vs], vacs.n_preferred[vs], vacs.n_certificates[vs]
    # Unknown (0.5) when the vacancy lists no required skills, and also when they were read from its
    # description while none of the person's skills is one the vocabulary knows: two guesses that cannot be
    # compared say nothing about what the person can do (as 0 this ranked every vacancy whose text named
    # skills below those whose text did not, whatever the job). Skills the sender gave stay a requirement.
    share = _dot(skills, vrow(vacs.required)) / np.maximum(n_req, 1)
    unknown = ~cands.skills_known[cs][:, None] & vacs.skills_read[vs][None, :]
    share = np.where(unknown, np.maximum(share, 0.5), share)
    X[..., 0] = np.where(n_req > 0, share, 0.5)
    X[..., 1] = np.where(n_pref > 0, _dot(skills, vrow(vacs.preferred)) / np.maximum(n_pref, 1), 0.0)
    held = _dot(crow(cands.certificates), vrow(vacs.certificates))
    X[..., 2] = np.where(n_cert > 0, held / np.maximum(n_cert, 1), 1.0)
    offset, gain = vacs.meaning
    X[..., 3] = np.clip(offset + gain * (cands.vectors[cs] @ vacs.vectors[vs].T), 0.0, 1.0)
    X[..., 4] = _dot(crow(cands.ngrams), vrow(vacs.ngrams), cands.ngrams_by_term if full_c and nv == 1 else None,
                     vacs.ngrams_by_term if full_v and nc == 1 else None)
    occupation, family = vrow(vacs.occupation), vrow(vacs.occupation_family)
    years = np.minimum(_dot(crow(cands.experience), occupation), 5.0) / 5.0
    family_years = np.minimum(_dot(crow(cands.experience_family), family), 5.0) / 5.0
    X[..., 5] = np.maximum(years, 0.4 * family_years)
    X[..., 6] = np.maximum(np.minimum(_dot(crow(cands.desired), occupation), 1.0),
                           0.5 * np.minimum(_dot(crow(cands.desired_family), family), 1.0))
    X[..., 7] = _level_fit(cands.education[cs], vacs.education[vs])
    X[..., 8] = _level_fit(cands.dutch[cs], vacs.dutch[vs])

    km = distance_km(cands.lat[cs][:, None], cands.lon[cs][:, None], vacs.lat[vs][None, :], vacs.lon[vs][None, :])
    limit = np.where(np.isnan(cands.max_travel[cs]), DEFAULT_MAX_TRAVEL_KM, cands.max_travel[cs])[:, None]
    limit = np.maximum(limit, 1.0)
    X[..., 9] = np.where(np.isnan(km), 0.5, np.clip(1.0 - km / (1.5 * limit), 0.0, 1.0))

    cmin, cmax = cands.hours_min[cs][:, None], cands.hours_max[cs][:, None]
    vmin, vmax = vacs.hours_min[vs][None, :], vacs.hours_max[vs][None, :]
    lo = np.fmax(np.nan_to_num(cmin, nan=0.0), np.nan_to_num(vmin, nan=0.0))
    hi = np.fmin(np.nan_to_num(cmax, nan=40.0), np.nan_to_num(vmax, nan=40.0))
    span = np.nan_to_num(vmax, nan=40.0) - np.nan_to_num(vmin, nan=0.0) + 1.0
    hours = np.where(hi >= lo, np.clip((hi - lo + 1.0) / np.maximum(span, 1.0), 0.0, 1.0), 0.0)
    unknown = (np.isnan(cmin) & np.isnan(cmax)) | (np.isnan(vmin) & np.isnan(vmax))
    X[..., 10] = np.where(unknown, 0.5, hours)

    vshift = (vacs.shifts[vs] & 14)[None, :]
    cshift = cands.shifts[cs][:, None]
    covered = POPCOUNT[cshift & vshift] / np.maximum(POPCOUNT[vshift], 1)
    X[..., 11] = np.where(vshift == 0, 1.0, np.where(cshift == 0, 0.5, covered))

    trede = cands.trede[cs][:, None]
    need = np.where(trede <= 2, 2, np.where(trede <= 3, 1, 0))
    support = vacs.support[vs][None, :]
    offered = np.where(support & HEAVY_SUPPORT, 2, np.where(support & LIGHT_SUPPORT, 1, 0))
    fit = np.where(offered >= need, 1.0, np.where(need - offered == 1, 0.5, 0.0))
    X[..., 12] = np.where(np.isnan(trede), 0.5, fit)

    feas = _feasibility(cands, vacs, cs, vs, km, limit, held, n_cert)
    X[..., 13] = np.minimum(feas.attention, 3) / 3.0
    return Block(candidates=ci, vacancies=vj, X=X, feasibility=feas, distance=km)


def _feasibility(cands: CandidateTable, vacs: VacancyTable, cs: Selection, vs: Selection, km: np.ndarray,
                 limit: np.ndarray, held: np.ndarray, n_cert: np.ndarray) -> Feasibility:
    """The table in `matcher.matching.feasibility`, as masks over the block."""
    support = vacs.support[vs][None, :]
    fired: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    no = np.zeros(km.shape, dtype=bool)

    for rule in RULES:
        if rule.restriction == "max_lift_kg":
            clash = vacs.lift[vs][None, :] > cands.max_lift[cs][:, None]
        elif rule.restriction == "max_hours_week":
            clash = np.nan_to_num(vacs.hours_min[vs], nan=0.0)[None, :] > cands.max_hours[cs][:, None]
        else:
            clash = cands.restrictions[rule.restriction][cs][:, None] & vacs.demands[rule.demand][vs][None, :]
        solvable = (support & rule.solvable_mask) != 0
        fired[rule.name] = (clash & ~solvable, clash & solvable)

    missing_licence = (vacs.licences[vs][None, :] & ~cands.licences[cs][:, None]) != 0
    fired["licence"] = (missing_licence, no)

    gap = vacs.dutch[vs][None, :] - cands.dutch[cs][:, None]
    coach = (support & SUPPORT_BITS["jobcoach"]) != 0
    far_short = np.nan_to_num(gap, nan=0.0) >= 2
    fired["dutch"] = (far_short & ~coach, (np.nan_to_num(gap, nan=0.0) == 1) | (far_short & coach))

    with np.errstate(invalid="ignore"):
        too_far = km > 1.5 * limit
        long_trip = (km > limit) | (8 + 2.2 * km > LONG_TRIP_MIN)
    fired["distance"] = (too_far, ~too_far & long_trip)
    fired["certificate"] = (no, held < n_cert[None, :])

    hours_rule = fired["hours"][0] | fired["hours"][1]
    with np.errstate(invalid="ignore"):
        hours_short = vacs.hours_min[vs][None, :] > cands.hours_max[cs][:, None]
    fired["hours_wish"] = (no, hours_short & ~hours_rule)
    shift_rules = fired["night"][0] | fired["night"][1] | fired["evening"][0] | fired["evening"][1] \
        | fired["weekend"][0] | fired["weekend"][1]
    cshift = cands.shifts[cs][:, None]
    unlisted = (cshift != 0) & ((vacs.shifts[vs][None, :] & 14 & ~cshift) != 0)
    fired["shift_wish"] = (no, unlisted & ~shift_rules)
    fired["free_text"] = (no, np.broadcast_to(cands.free_text_restrictions[cs][:, None], no.shape))

    conflict = np.zeros_like(no)
    attention = np.zeros(no.shape, dtype=np.int16)
    for c, a in fired.values():
        conflict |= c
        attention += a
    return Feasibility(conflict=conflict, attention=attention, fired=fired)
