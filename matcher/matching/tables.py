"""Column-wise arrays of candidates and vacancies, built once so that scoring is matrix arithmetic.

A row here is the plain dict that `matcher.db.repository` loads; a table is the same rows as numpy
arrays and sparse matrices over one shared term space (concept ids, or folded text for terms the
vocabulary does not know).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

from matcher.domain import DUTCH_LEVELS, LICENCES
from matcher.geo import locate
from matcher.matching.feasibility import BOOLEAN_DEMANDS, BOOLEAN_RESTRICTIONS, SHIFT_DEMANDS, SUPPORT_BITS
from matcher.text import fold

Row = dict[str, Any]
EDUCATION_RANK = {"geen": 0, "vmbo": 1, "mbo1": 2, "mbo2": 3, "mbo3": 4, "havo": 4, "mbo4": 5, "vwo": 5,
                  "hbo": 6, "wo": 7}
DUTCH_RANK = {level: i for i, level in enumerate(DUTCH_LEVELS)}
SHIFT_BITS = {"day": 1, "evening": 2, "night": 4, "weekend": 8}
LICENCE_BITS = {code: 1 << i for i, code in enumerate(LICENCES)}
LICENCE_IMPLIES = {"BE": ("B",), "C1": ("B",), "C": ("B", "C1"), "CE": ("B", "BE", "C1", "C"), "D": ("B",)}
NGRAMS = HashingVectorizer(analyzer="char_wb", ngram_range=(3, 4), n_features=2**18, alternate_sign=False,
                           norm="l2", dtype=np.float32)
_NGRAM_COUNTS = HashingVectorizer(**NGRAMS.get_params() | {"norm": None})


def term(item: dict[str, Any], text_key: str = "label") -> str:
    return item.get("concept_id") or "txt:" + fold(item[text_key])


def occupations(item: dict[str, Any], key: str, shared: dict[str, tuple[str, ...]]) -> list[str]:
    """The occupation terms of a title: its concept, and the others that hold the very same label as strongly
    (`Vocabulary.shared`: "kindertandarts" is tandarts and tandartsspecialist alike), or its folded text."""
    owners = shared.get(fold(item[key]), ()) if shared and item.get("concept_id") else ()
    return list(owners) if item.get("concept_id") in owners else [term(item, key)]


def licence_mask(codes: Sequence[str]) -> int:
    mask = 0
    for code in codes:
        for held in (code, *LICENCE_IMPLIES.get(code, ())):
            mask |= LICENCE_BITS.get(held, 0)
    return mask


def bits(values: Sequence[str], table: dict[str, int]) -> int:
    return sum(table.get(v, 0) for v in set(values))


def _num(value: Any, default: float = np.nan) -> float:
    return default if value is None else float(value)


@dataclass
class TermSpace:
    """Column numbers for terms; grows as new terms arrive, never renumbers."""

    columns: dict[str, int] = field(default_factory=dict)

    def col(self, key: str) -> int:
        if key not in self.columns:
            self.columns[key] = len(self.columns)
        return self.columns[key]

    def matrix(self, rows: Sequence[Sequence[tuple[str, float]]]) -> sp.csr_matrix:
        indptr, indices, data = [0], [], []  # type: list[int], list[int], list[float]
        for items in rows:
            seen: dict[int, float] = {}
            for key, value in items:
                c = self.col(key)
                seen[c] = max(seen.get(c, 0.0), value)
            indices.extend(seen)
            data.extend(seen.values())
            indptr.append(len(indices))
        return sp.csr_matrix((np.array(data, dtype=np.float32), np.array(indices, dtype=np.int64),
                              np.array(indptr, dtype=np.int64)), shape=(len(rows), len(self.columns)))


class _Table:
    """What both tables share: one row per record, and the character n-grams of each."""

    rows: list[Row]
    ngrams: sp.csr_matrix

    @cached_property
    def ngrams_by_term(self) -> sp.csc_matrix:
        """The n-grams stored by column: one row against this table reads only the columns it uses."""
        return self.ngrams.tocsc()

    def __len__(self) -> int:
        return len(self.rows)


@dataclass
class CandidateTable(_Table):
    rows: list[Row]
    ids: np.ndarray
    municipality: np.ndarray
    skills: sp.csr_matrix
    skills_known: np.ndarray         # the person has a skill the vocabulary recognises
    experience: sp.csr_matrix        # years per occupation term
    experience_family: sp.csr_matrix  # years per occupation family
    desired: sp.csr_matrix
    desired_family: sp.csr_matrix
    certificates: sp.csr_matrix
    vectors: np.ndarray
    ngrams: sp.csr_matrix
    lat: np.ndarray
    lon: np.ndarray
    trede: np.ndarray
    hours_min: np.ndarray
    hours_max: np.ndarray
    max_travel: np.ndarray
    dutch: np.ndarray
    education: np.ndarray
    licences: np.ndarray
    shifts: np.ndarray
    max_lift: np.ndarray
    max_hours: np.ndarray
    restrictions: dict[str, np.ndarray]
    free_text_restrictions: np.ndarray


@dataclass
class VacancyTable(_Table):
    rows: list[Row]
    ids: np.ndarray
    source: np.ndarray
    occupation: sp.csr_matrix        # one-hot occupation term
    occupation_family: sp.csr_matrix
    required: sp.csr_matrix
    preferred: sp.csr_matrix
    certificates: sp.csr_matrix
    n_required: np.ndarray
    skills_read: np.ndarray          # the required skills were read from the description, not given
    n_preferred: np.ndarray
    n_certificates: np.ndarray
    vectors: np.ndarray
    ngrams: sp.csr_matrix
    lat: np.ndarray
    lon: np.ndarray
    hours_min: np.ndarray
    hours_max: np.ndarray
    dutch: np.ndarray
    education: np.ndarray
    licences: np.ndarray
    shifts: np.ndarray
    support: np.ndarray
    lift: np.ndarray
    demands: dict[str, np.ndarray]
    # (offset, gain): this encoder's cosines on the scale the scoring model was set on (`blend.meaning_scale`)
    meaning: tuple[float, float] = (0.0, 1.0)


def _vectors(rows: Sequence[Row], dim: int) -> np.ndarray:
    out = np.zeros((len(rows), dim), dtype=np.float32)
    for i, row in enumerate(rows):
        vec = row.get("vector")
        if vec is not None and len(vec) == dim:
            out[i] = vec
    return out


def ngrams(texts: Sequence[str]) -> sp.csr_matrix:
    """``NGRAMS.transform(texts)`` of folded texts, the same matrix made faster: `char_wb` pads each word
    alone, so a text's n-grams are its words' n-grams. Each distinct word is hashed once (texts share most of
    their words), and a text's counts are the sum of its words' (whole numbers, exact in float32)."""
    split = [text.split() for text in texts]
    words = [w for ws in split for w in ws]
    ids = {w: i for i, w in enumerate(dict.fromkeys(words))}
    indptr = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(ws) for ws in split], out=indptr[1:])
    if not ids:  # no words: no n-grams
        return sp.csr_matrix((len(texts), NGRAMS.n_features), dtype=np.float32)
    cols = np.fromiter(map(ids.__getitem__, words), dtype=np.int64, count=len(words))
    counts = sp.csr_matrix((np.ones(len(cols), dtype=np.float32), cols, indptr), shape=(len(texts), len(ids)))
    out = sp.csr_matrix(counts @ _NGRAM_COUNTS.transform(list(ids)), dtype=np.float32)
    out.sum_duplicates()  # sorted columns, as the hasher leaves them: the norms add up in the same order
    return normalize(out, norm=NGRAMS.norm, copy=False)


def ngram_weights(labels: Iterable[str]) -> np.ndarray:
    """How much each character n-gram says about which job a text is about: its inverse document frequency
    among the vocabulary's labels (folded). An n-gram that many job titles share ("medewerker") says little,
    one that few or none have ("slot", "juweel") says much. Taken from the vocabulary, not from the records of
    the day, so a text's n-grams do not change when other candidates and vacancies come and go."""
    grams = ngrams(list(labels))
    df = np.bincount(grams.indices, minlength=NGRAMS.n_features)
    return (np.log((1.0 + grams.shape[0]) / (1.0 + df)) + 1.0).astype(np.float32)


def _ngrams(rows: Sequence[Row], weights: np.ndarray | None = None, *, title: bool = False) -> sp.csr_matrix:
    """The rows' texts as character n-grams, each n-gram weighted by ``weights`` (`ngram_weights`; None: all
    alike). ``title``: the title counts as much as the whole text besides (a vacancy's description is often
    ten times its title, and would drown what the job is called).

    Each row keeps its own n-grams (column numbers and values) until it changes, so a refresh hashes only
    the rows that did."""
    missing = [i for i, row in enumerate(rows) if "_ngrams" not in row]
    if missing:
        texts = [fold(rows[i]["text"]) for i in missing]
        fresh = ngrams(texts + [fold(rows[i]["title"]) for i in missing] if title else texts)
        if weights is not None:
            fresh.data *= weights[fresh.indices]
            fresh = normalize(fresh, copy=False)
        if title:
            fresh = normalize(fresh[: len(missing)] + fresh[len(missing):]).astype(np.float32)
        for k, i in enumerate(missing):
            part = slice(fresh.indptr[k], fresh.indptr[k + 1])
            rows[i]["_ngrams"] = (fresh.indices[part], fresh.data[part])
    cached = [row["_ngrams"] for row in rows]
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(c) for c, _ in cached], out=indptr[1:])
    indices = np.concatenate([c for c, _ in cached]) if rows else np.zeros(0, dtype=np.int32)
    data = np.concatenate([d for _, d in cached]) if rows else np.zeros(0, dtype=np.float32)
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), NGRAMS.n_features))


def candidate_table(rows: list[Row], terms: TermSpace, families: dict[str, str], dim: int,
                    shared: dict[str, tuple[str, ...]] | None = None,
                    weights: np.ndarray | None = None) -> CandidateTable:
    """``shared``: occupation labels several concepts hold (`Vocabulary.shared`); a title that is one counts for
    each of them. ``weights``: of the character n-grams (`ngram_weights`), the same as the vacancies'."""
    shared = shared or {}

    def years(item: dict[str, Any]) -> float:
        return float(item["years"]) if item.get("years") is not None else 1.0

    def occ_years(items: list[dict[str, Any]], key: str) -> list[tuple[str, float]]:
        return [(t, years(i)) for i in items for t in occupations(i, key, shared)]

    def fam_years(items: list[dict[str, Any]], key: str) -> list[tuple[str, float]]:
        return [("fam:" + f, y) for t, y in occ_years(items, key) if (f := families.get(t))]

    restrictions = {code: np.zeros(len(rows), dtype=bool) for code in BOOLEAN_RESTRICTIONS}
    max_lift = np.full(len(rows), np.inf, dtype=np.float32)
    max_hours = np.full(len(rows), np.inf, dtype=np.float32)
    free_text = np.zeros(len(rows), dtype=bool)
    for i, row in enumerate(rows):
        for r in row["restrictions"]:
            code = r.get("code")
            if code == "max_lift_kg":
                max_lift[i] = min(max_lift[i], r["value"])
            elif code == "max_hours_week":
                max_hours[i] = min(max_hours[i], r["value"])
            elif code in restrictions:
                restrictions[code][i] = True
            elif code is None:
                free_text[i] = True
    located = [locate(r.get("postcode")) for r in rows]
    return CandidateTable(
        rows=rows,
        ids=np.array([r["id"] for r in rows], dtype=np.int64),
        municipality=np.array([r["municipality"] for r in rows], dtype=object),
        skills=terms.matrix([[(term(s), 1.0) for s in r["skills"]] for r in rows]),
        skills_known=np.array([any(s.get("concept_id") for s in r["skills"]) for r in rows], dtype=bool),
        experience=terms.matrix([occ_years(r["experience"], "title") for r in rows]),
        experience_family=terms.matrix([fam_years(r["experience"], "title") for r in rows]),
        desired=terms.matrix([[(t, 1.0) for t, _ in occ_years(r["desired_occupations"], "label")] for r in rows]),
        desired_family=terms.matrix([[(k, 1.0) for k, _ in fam_years(r["desired_occupations"], "label")]
                                     for r in rows]),
        certificates=terms.matrix([[(term(c), 1.0) for c in r["certificates"]] for r in rows]),
        vectors=_vectors(rows, dim),
        ngrams=_ngrams(rows, weights),
        lat=np.array([p[0] for p in located], dtype=np.float64),
        lon=np.array([p[1] for p in located], dtype=np.float64),
        trede=np.array([_num(r.get("trede")) for r in rows], dtype=np.float32),
        hours_min=np.array([_num(r.get("hours_min")) for r in rows], dtype=np.float32),
        hours_max=np.array([_num(r.get("hours_max")) for r in rows], dtype=np.float32),
        max_travel=np.array([_num(r.get("max_travel_km")) for r in rows], dtype=np.float32),
        dutch=np.array([DUTCH_RANK.get(r.get("dutch_level") or "", np.nan) for r in rows], dtype=np.float32),
        education=np.array([EDUCATION_RANK.get(r.get("education_level") or "", np.nan) for r in rows],
                           dtype=np.float32),
        licences=np.array([licence_mask(r["driving_licences"]) for r in rows], dtype=np.int64),
        shifts=np.array([bits(r["shifts"], SHIFT_BITS) for r in rows], dtype=np.int64),
        max_lift=max_lift,
        max_hours=max_hours,
        restrictions=restrictions,
        free_text_restrictions=free_text,
    )


def vacancy_table(rows: list[Row], terms: TermSpace, families: dict[str, str], dim: int,
                  meaning: tuple[float, float] = (0.0, 1.0), weights: np.ndarray | None = None) -> VacancyTable:
    demands = {code: np.zeros(len(rows), dtype=bool) for code in BOOLEAN_DEMANDS}
    lift = np.zeros(len(rows), dtype=np.float32)
    for i, row in enumerate(rows):
        for d in row["demands"]:
            if d["code"] == "lift_kg":
                lift[i] = max(lift[i], d["value"] or 0)
            elif d["code"] in demands:
                demands[d["code"]][i] = True
        for shift, code in SHIFT_DEMANDS.items():
            if shift in row["shifts"]:
                demands[code][i] = True
    occupations = [r.get("occupation_id") or "txt:" + fold(r["title"]) for r in rows]
    located = [locate(r.get("postcode")) for r in rows]
    required = [[(term(s), 1.0) for s in r["required_skills"]] for r in rows]
    preferred = [[(term(s), 1.0) for s in r["preferred_skills"]] for r in rows]
    certificates = [[(term(c), 1.0) for c in r["certificates"]] for r in rows]
    return VacancyTable(
        rows=rows,
        ids=np.array([r["id"] for r in rows], dtype=np.int64),
        source=np.array([r["source"] for r in rows], dtype=object),
        occupation=terms.matrix([[(o, 1.0)] for o in occupations]),
        occupation_family=terms.matrix([[("fam:" + f, 1.0)] if (f := families.get(o)) else [] for o in occupations]),
        required=terms.matrix(required),
        preferred=terms.matrix(preferred),
        certificates=terms.matrix(certificates),
        n_required=np.array([len({k for k, _ in x}) for x in required], dtype=np.float32),
        skills_read=np.array([(r.get("provenance") or {}).get("required_skills", {}).get("source") == "text"
                              for r in rows], dtype=bool),
        n_preferred=np.array([len({k for k, _ in x}) for x in preferred], dtype=np.float32),
        n_certificates=np.array([len({k for k, _ in x}) for x in certificates], dtype=np.float32),
        vectors=_vectors(rows, dim),
        ngrams=_ngrams(rows, weights, title=True),
        lat=np.array([p[0] for p in located], dtype=np.float64),
        lon=np.array([p[1] for p in located], dtype=np.float64),
        hours_min=np.array([_num(r.get("hours_min")) for r in rows], dtype=np.float32),
        hours_max=np.array([_num(r.get("hours_max")) for r in rows], dtype=np.float32),
        dutch=np.array([DUTCH_RANK.get(r.get("dutch_level") or "", np.nan) for r in rows], dtype=np.float32),
        education=np.array([EDUCATION_RANK.get(r.get("education_level") or "", np.nan) for r in rows],
                           dtype=np.float32),
        licences=np.array([licence_mask(r["driving_licences"]) for r in rows], dtype=np.int64),
        shifts=np.array([bits(r["shifts"], SHIFT_BITS) for r in rows], dtype=np.int64),
        support=np.array([bits(r["support"], SUPPORT_BITS) for r in rows], dtype=np.int64),
        lift=lift,
        demands=demands,
        meaning=meaning,
    )
