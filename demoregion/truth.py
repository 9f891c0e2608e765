"""The hidden rule of the demo region (see RULE.md for the same rule in words).

Everything is computed from the LATENT attributes in ``truth/``; the observed (messy) files are never read. The
monitoring attribute ``age_band`` is not part of the truth files and therefore cannot influence anything here.

Three stages, each a logistic model on interpretable terms:

- ``p_invite``  P(invited | proposed)
- ``p_hire``    P(hired | invited)
- ``p_retain``  P(still at work after 6 months | hired)

``relevance = p_invite * p_hire * p_retain`` (no noise). The outcome simulator adds Gaussian logit noise per
stage and per proposal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import geo
from . import world as W

# ------------------------------------------------------------------------------------------------------------
# Coefficients (mirrored in RULE.md)
# ------------------------------------------------------------------------------------------------------------
INVITE = {
    "intercept": -3.3, "occupation_fit": 2.4, "skill_coverage": 2.2, "preferred_coverage": 0.5, "experience": 1.0,
    "wish": 0.9, "distance_per_km": -0.03, "beyond_travel_per_km": -0.25, "hours_gap_per_h": -0.08,
    "missing_shift": -0.7, "missing_licence": -1.5, "education_gap": -0.35, "missing_certificate": -0.25,
    # learning jobs: where the vacancy offers a jobcoach or jobcarving, the employer looks less at occupation fit and
    # experience and more at motivation (wish)
    "coached_intercept": 0.6, "coached_occupation_fit": -1.0, "coached_experience": -0.6, "coached_wish": 0.6,
}
HIRE = {
    "intercept": -0.7, "ability": 0.7, "skill_coverage": 1.2, "occupation_fit": 0.8, "experience": 0.4,
    "dutch_gap": -0.9, "dutch_gap_factor_with_jobcoach": 0.55, "missing_licence": -2.5, "trede_wsp_unsupported": -0.55,
    "proefplaatsing": 0.3, "trede_scalabor_target": 0.3,
}
RETAIN = {
    "intercept": -0.5, "skill_coverage": 1.0, "occupation_fit": 0.6, "wish": 0.6, "reliability": 2.0,
    "reliability_centre": 0.65, "jobcoach": 0.7, "any_support": 0.25, "conflict_factor": 0.5,
    "beyond_travel_per_km": -0.04, "hours_gap_per_h": -0.05, "missing_shift": -0.3, "trede_wsp_unsupported": -0.3,
}
NOISE_SD = {"invite": 1.0, "hire": 1.0, "retain": 0.8}
#: Scenarios: the employers of a region, as coefficients that replace the ones above (RULE.md, section 6). The
#: default region is the rule above unchanged; in ``drift`` employers behave differently from it in ways the
#: matcher's features can see, so a model learned from outcomes has something to find out.
SCENARIOS: dict[str, dict[str, dict[str, float]]] = {
    "default": {},
    "drift": {
        # 1. travel distance weighs three times as much (invitation and retention)
        # 2. motivation over experience: the wish counts three times, 2.5 times for retention; experience counts
        #    slightly against an invitation (starter jobs) and not for a hire; skills count less (trained on the job)
        # 3. availability: a shift the person cannot work weighs three times as much
        # 4. a missing certificate weighs four times as much at the invitation
        # 5. coached vacancies weigh the wish twice as much again (an interaction)
        "invite": {"distance_per_km": -0.09, "beyond_travel_per_km": -0.75, "wish": 2.7, "experience": -0.3,
                   "skill_coverage": 1.4, "missing_shift": -2.1, "missing_certificate": -1.0, "coached_wish": 1.2},
        "hire": {"experience": 0.0},
        "retain": {"beyond_travel_per_km": -0.12, "wish": 1.5, "missing_shift": -0.9},
    },
}
SCENARIO_FILE = "scenario.json"
OCC_FAMILY_CREDIT = 0.35  # proficiency in another occupation of the same family counts for 35 %
EXPERIENCE_FULL_YEARS = 4.0
FAMILY_YEARS_CREDIT = 0.3
WISH_FAMILY = 0.5
WISH_NONE = 0.3

#: restriction flags (boolean restrictions) and the matching vacancy demand, with the base hire penalty
FLAG_RESTRICTIONS: tuple[tuple[str, str, float], ...] = (
    ("no_night", "night_work", 2.5),
    ("no_evening", "evening_work", 1.8),
    ("no_weekend", "weekend_work", 1.5),
    ("no_prolonged_standing", "standing", 1.8),
    ("low_stimulus", "high_stimulus", 1.8),
    ("no_customer_contact", "customer_contact", 1.8),
    ("no_heights", "heights", 2.2),
    ("no_driving", "driving", 2.5),
    ("no_outdoor", "outdoor", 1.6),
)
AVAILABILITY_DEMANDS = ("night_work", "evening_work", "weekend_work")
LIFT_BASE, LIFT_PER_KG, LIFT_CAP_KG = 2.0, 0.05, 20.0
HOURS_BASE, HOURS_PER_H = 1.5, 0.05
#: share of a conflict's penalty that remains when the vacancy offers the instrument (1.0 = no help)
RESIDUAL: dict[str, dict[str, float]] = {
    "jobcarving": {
        "lift_kg": 0.15, "standing": 0.15, "heights": 0.15, "driving": 0.15, "outdoor": 0.2,
        "customer_contact": 0.3, "high_stimulus": 0.3, "night_work": 0.35, "evening_work": 0.35,
        "weekend_work": 0.35, "hours": 0.25,
    },
    "jobcoach": {"high_stimulus": 0.4, "customer_contact": 0.5, "hours": 0.8},
}
BOTH_INSTRUMENTS_FACTOR = 0.8
CHUNK_CELLS = 1 << 17
DTYPE = np.float32
REASONS = ("skills_mismatch", "experience", "availability", "distance", "language", "no_show", "other")

_N_OCC = len(W.OCCUPATIONS)
_N_SKILL = len(W.SKILL_CODES)
_N_CERT = len(W.CERT_CODES)
_N_FAM = len(W.FAMILY_CODES)
_OCC_FAM = np.array([W.FAMILY_INDEX[o.family] for o in W.OCCUPATIONS], dtype=np.int64)
_CERT_HARDNESS = np.array([W.CERTIFICATES[c][1] for c in W.CERT_CODES], dtype=np.float64)
_SHIFT_INDEX = {s: i for i, s in enumerate(W.SHIFTS)}
_LIC_INDEX = {s: i for i, s in enumerate(W.LICENCES)}
_FLAG_INDEX = {r: i for i, (r, _, _) in enumerate(FLAG_RESTRICTIONS)}
_DEMAND_FLAG_INDEX = {d: i for i, (_, d, _) in enumerate(FLAG_RESTRICTIONS)}


def _sigmoid(z: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-np.clip(z, -40.0, 40.0)))
    return out


def _read_ndjson(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _residual(support: Iterable[str], demand: str) -> float:
    sup = list(support)
    vals = [RESIDUAL[s].get(demand, 1.0) for s in ("jobcarving", "jobcoach") if s in sup]
    if not vals:
        return 1.0
    r = min(vals)
    if "jobcarving" in sup and "jobcoach" in sup:
        r *= BOTH_INSTRUMENTS_FACTOR
    return r


class Truth:
    """Vectorised access to the hidden rule. Build with :meth:`load` (from ``truth/``) or :meth:`from_records`."""

    def __init__(self, candidates: Sequence[dict[str, Any]], vacancies: Sequence[dict[str, Any]],
                 scenario: str = "default") -> None:
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
        self.scenario = scenario
        self.invite, self.hire, self.retain = (base | SCENARIOS[scenario].get(stage, {})
                                               for stage, base in (("invite", INVITE), ("hire", HIRE),
                                                                   ("retain", RETAIN)))
        self._build_candidates(candidates)
        self._build_vacancies(vacancies)
        # compute in float32: half the memory traffic, ample precision for probabilities
        for name, val in list(vars(self).items()):
            if isinstance(val, np.ndarray) and val.dtype == np.float64:
                setattr(self, name, val.astype(DTYPE))

    # -------------------------------------------------------------------------------------------- loading
    @classmethod
    def load(cls, truth_dir: Path, scenario: str | None = None) -> Truth:
        """The rule of the region in ``truth_dir``, under the scenario it was generated with (``scenario.json``;
        none: the default) unless ``scenario`` names another."""
        truth_dir = Path(truth_dir)
        if scenario is None:
            written = truth_dir / SCENARIO_FILE
            scenario = json.loads(written.read_text())["scenario"] if written.exists() else "default"
        return cls(_read_ndjson(truth_dir / "candidates.ndjson"), _read_ndjson(truth_dir / "vacancies.ndjson"),
                   scenario)

    @classmethod
    def from_records(cls, candidates: Sequence[dict[str, Any]], vacancies: Sequence[dict[str, Any]],
                     scenario: str = "default") -> Truth:
        return cls(candidates, vacancies, scenario)

    def _build_candidates(self, recs: Sequence[dict[str, Any]]) -> None:
        n = len(recs)
        self.candidate_refs: list[str] = [r["ref"] for r in recs]
        self.cand_index: dict[str, int] = {ref: i for i, ref in enumerate(self.candidate_refs)}
        self.c_occ_prof = np.zeros((n, _N_OCC))
        self.c_occ_years = np.zeros((n, _N_OCC))
        self.c_skill = np.zeros((n, _N_SKILL))
        self.c_wish_occ = np.zeros((n, _N_OCC))
        self.c_wish_fam = np.zeros((n, _N_FAM))
        self.c_wish_none = np.zeros(n, dtype=bool)
        self.c_shift = np.zeros((n, len(W.SHIFTS)))
        self.c_lic = np.zeros((n, len(W.LICENCES)))
        self.c_cert = np.zeros((n, _N_CERT))
        self.c_flags = np.zeros((n, len(FLAG_RESTRICTIONS)))
        self.c_max_lift = np.full(n, np.inf)
        self.c_max_hours = np.full(n, np.inf)
        self.c_dutch = np.zeros(n)
        self.c_edu = np.zeros(n)
        self.c_trede = np.zeros(n)
        self.c_ability = np.zeros(n)
        self.c_reliability = np.zeros(n)
        self.c_hmin = np.zeros(n)
        self.c_hmax = np.zeros(n)
        self.c_travel = np.zeros(n)
        postcodes: list[str] = []
        for i, r in enumerate(recs):
            for o in r["occupations"]:
                j = W.OCC_INDEX[o["code"]]
                self.c_occ_prof[i, j] = o["proficiency"]
                self.c_occ_years[i, j] = o["years"]
            for s in r["skills"]:
                self.c_skill[i, W.SKILL_INDEX[s["code"]]] = s["proficiency"]
            for w in r["wishes"]:
                self.c_wish_occ[i, W.OCC_INDEX[w]] = 1.0
                self.c_wish_fam[i, _OCC_FAM[W.OCC_INDEX[w]]] = 1.0
            self.c_wish_none[i] = not r["wishes"]
            for s in r["shifts"]:
                self.c_shift[i, _SHIFT_INDEX[s]] = 1.0
            for lic in r["driving_licences"]:
                for implied in W.LICENCE_IMPLIES[lic]:
                    self.c_lic[i, _LIC_INDEX[implied]] = 1.0
            for c in r["certificates"]:
                self.c_cert[i, W.CERT_INDEX[c]] = 1.0
            for rr in r["restrictions"]:
                code = rr["code"]
                if code == "max_lift_kg":
                    self.c_max_lift[i] = min(self.c_max_lift[i], float(rr["value"]))
                elif code == "max_hours_week":
                    self.c_max_hours[i] = min(self.c_max_hours[i], float(rr["value"]))
                else:
                    self.c_flags[i, _FLAG_INDEX[code]] = 1.0
            self.c_dutch[i] = W.DUTCH_RANK[r["dutch_level"]]
            self.c_edu[i] = W.EDUCATION_RANK[r["education_level"]]
            self.c_trede[i] = r["trede"]
            self.c_ability[i] = r["ability"]
            self.c_reliability[i] = r["reliability"]
            self.c_hmin[i] = r["hours_min"]
            self.c_hmax[i] = r["hours_max"]
            self.c_travel[i] = r["max_travel_km"]
            postcodes.append(r["postcode"])
        self.c_lat, self.c_lon = geo.latlon(postcodes)
        self.c_x, self.c_y = geo.project_km(self.c_lat, self.c_lon)
        self.c_noshift = 1.0 - self.c_shift
        self.c_nolic = 1.0 - self.c_lic
        self.c_nocert = 1.0 - self.c_cert
        # family aggregates
        self.c_fam_prof = np.zeros((n, _N_FAM))
        self.c_fam_years = np.zeros((n, _N_FAM))
        for f in range(_N_FAM):
            cols = np.flatnonzero(f == _OCC_FAM)
            if cols.size:
                self.c_fam_prof[:, f] = self.c_occ_prof[:, cols].max(axis=1)
                self.c_fam_years[:, f] = self.c_occ_years[:, cols].sum(axis=1)

    def _build_vacancies(self, recs: Sequence[dict[str, Any]]) -> None:
        m = len(recs)
        self.vacancy_keys: list[tuple[str, str]] = [(r["source"], r["external_id"]) for r in recs]
        self.vac_index: dict[tuple[str, str], int] = {k: i for i, k in enumerate(self.vacancy_keys)}
        self.v_occ = np.zeros(m, dtype=np.int64)
        self.v_req = np.zeros((m, _N_SKILL))
        self.v_pref = np.zeros((m, _N_SKILL))
        self.v_cert = np.zeros((m, _N_CERT))
        self.v_lic = np.zeros((m, len(W.LICENCES)))
        self.v_shift = np.zeros((m, len(W.SHIFTS)))
        self.v_flags = np.zeros((m, len(FLAG_RESTRICTIONS)))
        self.v_flag_weight = np.zeros((m, len(FLAG_RESTRICTIONS)))  # base x residual, only where demanded
        self.v_flag_weight_avail = np.zeros((m, len(FLAG_RESTRICTIONS)))
        self.v_lift = np.zeros(m)
        self.v_lift_resid = np.ones(m)
        self.v_hours_resid = np.ones(m)
        self.v_dutch = np.zeros(m)
        self.v_edu = np.zeros(m)
        self.v_hmin = np.zeros(m)
        self.v_hmax = np.zeros(m)
        self.v_jobcoach = np.zeros(m)
        self.v_jobcarving = np.zeros(m)
        self.v_proef = np.zeros(m)
        self.v_coached = np.zeros(m)
        self.v_any_support = np.zeros(m)
        self.v_wsp_unsupported = np.zeros(m)
        self.v_scalabor = np.zeros(m)
        self.v_positions = np.ones(m, dtype=np.int64)
        postcodes: list[str] = []
        for i, r in enumerate(recs):
            self.v_occ[i] = W.OCC_INDEX[r["occupation"]]
            for s in r["required_skills"]:
                self.v_req[i, W.SKILL_INDEX[s]] = 1.0
            for s in r["preferred_skills"]:
                self.v_pref[i, W.SKILL_INDEX[s]] = 1.0
            for c in r["certificates"]:
                self.v_cert[i, W.CERT_INDEX[c]] = 1.0
            for lic in r["driving_licences"]:
                self.v_lic[i, _LIC_INDEX[lic]] = 1.0
            for s in r["shifts"]:
                self.v_shift[i, _SHIFT_INDEX[s]] = 1.0
            support = list(r["support"])
            for d in r["demands"]:
                code = d["code"]
                if code == "lift_kg":
                    self.v_lift[i] = float(d["value"] or 0)
                elif code in _DEMAND_FLAG_INDEX:
                    k = _DEMAND_FLAG_INDEX[code]
                    self.v_flags[i, k] = 1.0
                    w = FLAG_RESTRICTIONS[k][2] * _residual(support, code)
                    self.v_flag_weight[i, k] = w
                    if code in AVAILABILITY_DEMANDS:
                        self.v_flag_weight_avail[i, k] = w
            self.v_lift_resid[i] = _residual(support, "lift_kg")
            self.v_hours_resid[i] = _residual(support, "hours")
            self.v_dutch[i] = W.DUTCH_RANK[r["dutch_level"]]
            self.v_edu[i] = W.EDUCATION_RANK[r["education_level"]]
            self.v_hmin[i] = r["hours_min"]
            self.v_hmax[i] = r["hours_max"]
            self.v_jobcoach[i] = "jobcoach" in support
            self.v_jobcarving[i] = "jobcarving" in support
            self.v_proef[i] = "proefplaatsing" in support
            self.v_coached[i] = "jobcoach" in support or "jobcarving" in support
            self.v_any_support[i] = bool(support)
            self.v_wsp_unsupported[i] = r["source"] == "wsp" and not support
            self.v_scalabor[i] = r["source"] == "scalabor"
            self.v_positions[i] = int(r.get("positions", 1) or 1)
            postcodes.append(r["postcode"])
        self.v_fam = _OCC_FAM[self.v_occ] if m else np.zeros(0, dtype=np.int64)
        self.v_nreq = np.maximum(self.v_req.sum(axis=1), 1.0)
        self.v_npref = np.maximum(self.v_pref.sum(axis=1), 1.0)
        self.v_cert_hard = self.v_cert * _CERT_HARDNESS[None, :]
        self.v_lat, self.v_lon = geo.latlon(postcodes)
        self.v_x, self.v_y = geo.project_km(self.v_lat, self.v_lon)

    # -------------------------------------------------------------------------------------------- indices
    def _cidx(self, refs: Sequence[str]) -> np.ndarray:
        try:
            return np.array([self.cand_index[r] for r in refs], dtype=np.int64)
        except KeyError as exc:
            raise KeyError(f"unknown candidate ref {exc.args[0]!r}") from None

    def _vidx(self, keys: Sequence[tuple[str, str]]) -> np.ndarray:
        try:
            return np.array([self.vac_index[(k[0], k[1])] for k in keys], dtype=np.int64)
        except KeyError as exc:
            raise KeyError(f"unknown vacancy {exc.args[0]!r}") from None

    # -------------------------------------------------------------------------------------------- terms
    def _terms(self, ci: np.ndarray, vi: np.ndarray, outer: bool,
               memo: dict[int, np.ndarray] | None = None) -> dict[str, np.ndarray]:
        """All interpretable terms for candidate indices ``ci`` and vacancy indices ``vi``; ``outer`` gives an
        (len(ci), len(vi)) grid, otherwise ``ci`` and ``vi`` are paired element by element. ``memo`` caches the
        gathered candidate rows between vacancy chunks of one call."""
        cache: dict[int, np.ndarray] = {} if memo is None else memo

        def rows(a: np.ndarray) -> np.ndarray:
            got = cache.get(id(a))
            if got is None:
                got = a[ci]
                cache[id(a)] = got
            return got

        if outer:
            def c(a: np.ndarray) -> np.ndarray:
                return rows(a)[:, None]

            def v(a: np.ndarray) -> np.ndarray:
                return a[vi][None, :]

            def cross(cm: np.ndarray, vm: np.ndarray) -> np.ndarray:
                out: np.ndarray = rows(cm) @ vm[vi].T
                return out

            def cpick(cm: np.ndarray, cols: np.ndarray) -> np.ndarray:
                return rows(cm)[:, cols[vi]]
        else:
            def c(a: np.ndarray) -> np.ndarray:
                return a[ci]

            def v(a: np.ndarray) -> np.ndarray:
                return a[vi]

            def cross(cm: np.ndarray, vm: np.ndarray) -> np.ndarray:
                out: np.ndarray = np.einsum("ij,ij->i", cm[ci], vm[vi])
                return out

            def cpick(cm: np.ndarray, cols: np.ndarray) -> np.ndarray:
                return cm[ci, cols[vi]]

        t: dict[str, np.ndarray] = {}
        occ_prof = cpick(self.c_occ_prof, self.v_occ)
        fam_prof = cpick(self.c_fam_prof, self.v_fam)
        t["occupation_fit"] = np.maximum(occ_prof, OCC_FAMILY_CREDIT * fam_prof)
        t["skill_coverage"] = cross(self.c_skill, self.v_req) / v(self.v_nreq)
        t["preferred_coverage"] = cross(self.c_skill, self.v_pref) / v(self.v_npref)
        years = cpick(self.c_occ_years, self.v_occ)
        fam_years = cpick(self.c_fam_years, self.v_fam)
        t["experience"] = np.minimum(1.0, (years + FAMILY_YEARS_CREDIT * (fam_years - years)) / EXPERIENCE_FULL_YEARS)
        wish = np.maximum(cpick(self.c_wish_occ, self.v_occ), WISH_FAMILY * cpick(self.c_wish_fam, self.v_fam))
        t["wish"] = np.where(c(self.c_wish_none), WISH_NONE, wish)
        dist = geo.ROAD_FACTOR * np.sqrt((c(self.c_x) - v(self.v_x)) ** 2 + (c(self.c_y) - v(self.v_y)) ** 2)
        t["distance_km"] = dist
        t["beyond_travel_km"] = np.maximum(0.0, dist - c(self.c_travel))
        t["hours_gap"] = (np.maximum(0.0, v(self.v_hmin) - c(self.c_hmax))
                          + np.maximum(0.0, c(self.c_hmin) - v(self.v_hmax)))
        t["missing_shifts"] = cross(self.c_noshift, self.v_shift)
        t["missing_licence"] = (cross(self.c_nolic, self.v_lic) > 0).astype(DTYPE)
        t["missing_certificates"] = cross(self.c_nocert, self.v_cert)
        t["missing_certificate_hardness"] = cross(self.c_nocert, self.v_cert_hard)
        t["education_gap"] = np.clip(v(self.v_edu) - c(self.c_edu), 0.0, 3.0)
        gap = np.maximum(0.0, v(self.v_dutch) - c(self.c_dutch))
        coach_factor = DTYPE(self.hire["dutch_gap_factor_with_jobcoach"])
        t["dutch_gap"] = gap * np.where(v(self.v_jobcoach) > 0, coach_factor, DTYPE(1.0))
        # restriction x demand conflicts, already scaled by what the vacancy's support compensates
        excess = np.maximum(0.0, v(self.v_lift) - c(self.c_max_lift))
        lift_pen = (excess > 0) * (LIFT_BASE + LIFT_PER_KG * np.minimum(excess, LIFT_CAP_KG)) * v(self.v_lift_resid)
        hgap = np.maximum(0.0, v(self.v_hmin) - c(self.c_max_hours))
        hours_pen = (hgap > 0) * (HOURS_BASE + HOURS_PER_H * hgap) * v(self.v_hours_resid)
        flag_pen = cross(self.c_flags, self.v_flag_weight)
        avail_pen = cross(self.c_flags, self.v_flag_weight_avail)
        t["conflict_availability"] = avail_pen + hours_pen
        t["conflict_physical"] = (flag_pen - avail_pen) + lift_pen
        t["conflict_penalty"] = t["conflict_availability"] + t["conflict_physical"]
        low_trede = np.maximum(0.0, 3.0 - c(self.c_trede))
        t["trede_gap_unsupported_wsp"] = low_trede * v(self.v_wsp_unsupported)
        t["trede_gap_scalabor"] = low_trede * v(self.v_scalabor)
        # per-candidate / per-vacancy scalars, broadcast to the grid shape
        shape = t["occupation_fit"].shape
        t["ability"] = np.broadcast_to(c(self.c_ability), shape)
        t["reliability"] = np.broadcast_to(c(self.c_reliability), shape)
        t["jobcoach"] = np.broadcast_to(v(self.v_jobcoach), shape)
        t["coached"] = np.broadcast_to(v(self.v_coached), shape)
        t["any_support"] = np.broadcast_to(v(self.v_any_support), shape)
        t["proefplaatsing"] = np.broadcast_to(v(self.v_proef), shape)
        return t

    def _z_invite(self, t: dict[str, np.ndarray]) -> np.ndarray:
        k = self.invite
        z: np.ndarray = (
            k["intercept"] + k["occupation_fit"] * t["occupation_fit"] + k["skill_coverage"] * t["skill_coverage"]
            + k["preferred_coverage"] * t["preferred_coverage"] + k["experience"] * t["experience"]
            + k["wish"] * t["wish"] + k["distance_per_km"] * t["distance_km"]
            + k["beyond_travel_per_km"] * t["beyond_travel_km"] + k["hours_gap_per_h"] * t["hours_gap"]
            + k["missing_shift"] * t["missing_shifts"] + k["missing_licence"] * t["missing_licence"]
            + k["education_gap"] * t["education_gap"] + k["missing_certificate"] * t["missing_certificates"]
            + t["coached"] * (k["coached_intercept"] + k["coached_occupation_fit"] * t["occupation_fit"]
                              + k["coached_experience"] * t["experience"] + k["coached_wish"] * t["wish"])
        )
        return z

    def _z_hire(self, t: dict[str, np.ndarray]) -> np.ndarray:
        k = self.hire
        z: np.ndarray = (
            k["intercept"] + k["ability"] * t["ability"] + k["skill_coverage"] * t["skill_coverage"]
            + k["occupation_fit"] * t["occupation_fit"] + k["experience"] * t["experience"]
            - t["conflict_penalty"] + k["dutch_gap"] * t["dutch_gap"] + k["missing_licence"] * t["missing_licence"]
            - t["missing_certificate_hardness"] + k["trede_wsp_unsupported"] * t["trede_gap_unsupported_wsp"]
            + k["proefplaatsing"] * t["proefplaatsing"]
            + k["trede_scalabor_target"] * t["trede_gap_scalabor"]
        )
        return z

    def _z_retain(self, t: dict[str, np.ndarray]) -> np.ndarray:
        k = self.retain
        z: np.ndarray = (
            k["intercept"] + k["skill_coverage"] * t["skill_coverage"] + k["occupation_fit"] * t["occupation_fit"]
            + k["wish"] * t["wish"] + k["reliability"] * (t["reliability"] - k["reliability_centre"])
            + k["jobcoach"] * t["jobcoach"] + k["any_support"] * t["any_support"]
            - k["conflict_factor"] * t["conflict_penalty"] + k["beyond_travel_per_km"] * t["beyond_travel_km"]
            + k["hours_gap_per_h"] * t["hours_gap"] + k["missing_shift"] * t["missing_shifts"]
            + k["trede_wsp_unsupported"] * t["trede_gap_unsupported_wsp"]
        )
        return z

    # -------------------------------------------------------------------------------------------- public API
    def _grid(self, candidate_refs: Sequence[str], vacancy_keys: Sequence[tuple[str, str]], what: str) -> np.ndarray:
        ci = self._cidx(candidate_refs)
        vi = self._vidx(vacancy_keys)
        out = np.empty((len(ci), len(vi)), dtype=np.float64)
        if len(ci) == 0 or len(vi) == 0:
            return out
        step = max(1, CHUNK_CELLS // max(1, len(ci)))  # small blocks stay in cache and bound memory
        memo: dict[int, np.ndarray] = {}
        for start in range(0, len(vi), step):
            sl = slice(start, start + step)
            t = self._terms(ci, vi[sl], outer=True, memo=memo)
            out[:, sl] = self._combine(t, what)
        return out

    def _combine(self, t: dict[str, np.ndarray], what: str) -> np.ndarray:
        if what == "invite":
            return _sigmoid(self._z_invite(t))
        if what == "hire":
            return _sigmoid(self._z_hire(t))
        if what == "retain":
            return _sigmoid(self._z_retain(t))
        rel: np.ndarray = _sigmoid(self._z_invite(t)) * _sigmoid(self._z_hire(t)) * _sigmoid(self._z_retain(t))
        return rel

    def relevance(self, candidate_refs: Sequence[str], vacancy_keys: Sequence[tuple[str, str]]) -> np.ndarray:
        """Matrix (len(candidate_refs) x len(vacancy_keys)) of graded true relevance in [0, 1]: the expected value
        of 'hired and still at work after 6 months' under the hidden rule without noise."""
        return self._grid(candidate_refs, vacancy_keys, "relevance")

    def p_invite(self, candidate_refs: Sequence[str], vacancy_keys: Sequence[tuple[str, str]]) -> np.ndarray:
        """P(invited | proposed), same shape as :meth:`relevance`."""
        return self._grid(candidate_refs, vacancy_keys, "invite")

    def p_hire(self, candidate_refs: Sequence[str], vacancy_keys: Sequence[tuple[str, str]]) -> np.ndarray:
        """P(hired | invited), same shape as :meth:`relevance`."""
        return self._grid(candidate_refs, vacancy_keys, "hire")

    def p_retain(self, candidate_refs: Sequence[str], vacancy_keys: Sequence[tuple[str, str]]) -> np.ndarray:
        """P(still at work after 6 months | hired), same shape as :meth:`relevance`."""
        return self._grid(candidate_refs, vacancy_keys, "retain")

    def pair_terms(self, candidate_refs: Sequence[str], vacancy_keys: Sequence[tuple[str, str]]
                   ) -> dict[str, np.ndarray]:
        """Element-wise (pair i = candidate_refs[i] x vacancy_keys[i]) terms plus the three stage logits
        ``z_invite``, ``z_hire``, ``z_retain``. Used by the outcome simulator."""
        if len(candidate_refs) != len(vacancy_keys):
            raise ValueError("candidate_refs and vacancy_keys must have the same length")
        ci = self._cidx(candidate_refs)
        vi = self._vidx(vacancy_keys)
        t = self._terms(ci, vi, outer=False)
        t = {k: np.array(a, dtype=np.float64) for k, a in t.items()}
        t["z_invite"] = self._z_invite(t)
        t["z_hire"] = self._z_hire(t)
        t["z_retain"] = self._z_retain(t)
        return t

    def positions(self, vacancy_keys: Sequence[tuple[str, str]]) -> np.ndarray:
        return self.v_positions[self._vidx(vacancy_keys)]
