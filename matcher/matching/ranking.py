"""Ranking in both directions, with an optional exposure-aware re-rank.

The score is always the model's score. The re-rank only changes the *order*: a candidate who was in
the top 10 for many vacancies in the last 30 days is moved down a little (``EXPOSURE_PENALTY`` per
doubling), and a person from *het bestand* (trede 0–2) is moved up for a vacancy that offers jobcoach
or jobcarving (``BESTAND_BOOST``), so the same few people are not proposed everywhere and nobody is
never shown.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matcher.matching.explain import Explainer
from matcher.matching.features import HEAVY_SUPPORT, Block, compute
from matcher.matching.index import Snapshot
from matcher.matching.scoring import AdditiveModel

EXPOSURE_PENALTY = 0.35
BESTAND_BOOST = 0.6


@dataclass
class Ranked:
    candidate_id: int
    vacancy_id: int
    rank: int
    score: float
    features: dict[str, float]
    explanation: dict[str, Any]
    candidate: dict[str, Any]
    vacancy: dict[str, Any]
    status: str | None = None  # the pair's latest recorded outcome event, filled in by the service


@dataclass
class RankResult:
    items: list[Ranked]
    considered: int
    excluded: int
    excluded_reasons: dict[str, int] = field(default_factory=dict)


def same_job(vacancy: dict[str, Any]) -> tuple[str, str, str] | None:
    """What makes two vacancies (of different sources) one job: the same employer, title and postcode area.
    None when the employer is not given: then nothing can be said."""
    employer = " ".join((vacancy.get("employer") or "").casefold().split())
    if not employer:
        return None
    return employer, " ".join(vacancy["title"].casefold().split()), (vacancy.get("postcode") or "")[:4]


def duplicates(vacancies: list[dict[str, Any]]) -> dict[int, int]:
    """For each vacancy in a ranked list that is the same job as one higher up from another source: its
    position -> the position of that first one (a person's list then marks it, instead of offering it twice)."""
    first: dict[tuple[str, str, str], int] = {}
    out = {}
    for i, vacancy in enumerate(vacancies):
        key = same_job(vacancy)
        if key is None:
            continue
        if key in first and vacancies[first[key]]["source"] != vacancy["source"]:
            out[i] = first[key]
        first.setdefault(key, i)
    return out


def top_k(values: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest values, best first (ties broken by position, so results are stable)."""
    if k <= 0 or values.size == 0:
        return np.zeros(0, dtype=np.int64)
    k = min(k, values.size)
    part = np.argpartition(-values, k - 1)[:k]
    return part[np.lexsort((part, -values[part]))]


def _excluded(block: Block, valid: np.ndarray) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for name, (conflict, _) in block.feasibility.fired.items():
        n = int((conflict.reshape(valid.shape) & valid).sum())
        if n:
            counts[name] = n
    return dict(counts)


def _items(snapshot: Snapshot, block: Block, model: AdditiveModel, explainer: Explainer,
           pairs: list[tuple[int, int]]) -> list[Ranked]:
    out = []
    for rank, (i, j) in enumerate(pairs, start=1):
        cand = snapshot.candidates.rows[block.candidates[i]]
        vac = snapshot.vacancies.rows[block.vacancies[j]]
        _, attention_names = block.feasibility.reasons(i, j)
        km = float(block.distance[i, j])
        attention = explainer.point_texts(attention_names, cand, vac, km, conflict=False)
        explanation = explainer.explain(model, block.X[i, j], cand, vac, km=km, attention=attention)
        score = 1.0 / (1.0 + np.exp(-explanation["logit"]))
        out.append(Ranked(candidate_id=cand["id"], vacancy_id=vac["id"], rank=rank, score=round(float(score), 6),
                          features=block.features(i, j), explanation=explanation, candidate=cand, vacancy=vac))
    return out


def for_vacancy(snapshot: Snapshot, model: AdditiveModel, explainer: Explainer, vacancy_id: int, *,
                limit: int, municipality: str | None = None, exposure: np.ndarray | None = None,
                rerank: bool = True) -> RankResult:
    """The shortlist: all active candidates (of one municipality if given) for one vacancy. ``exposure``:
    for how many vacancies each candidate (by row of the snapshot) was in a recent top 10."""
    j = snapshot.vacancy_pos[vacancy_id]
    block = compute(snapshot.candidates, snapshot.vacancies, None, np.array([j]))
    pool = snapshot.active.copy()
    if municipality is not None:
        pool &= snapshot.candidates.municipality == municipality
    feasible = pool & ~block.feasibility.conflict[:, 0]
    order = model.logit(block.X[:, 0, :]).astype(np.float64)
    if rerank:
        if exposure is not None:
            order -= EXPOSURE_PENALTY * np.log2(1.0 + exposure)
        if snapshot.vacancies.support[j] & HEAVY_SUPPORT:
            order += BESTAND_BOOST * (snapshot.candidates.trede <= 2)
    order = np.where(feasible, order, -np.inf)
    best = [int(i) for i in top_k(order, min(limit, int(feasible.sum())))]
    return RankResult(
        items=_items(snapshot, block, model, explainer, [(i, 0) for i in best]),
        considered=int(pool.sum()),
        excluded=int((pool & block.feasibility.conflict[:, 0]).sum()),
        excluded_reasons=_excluded(block, pool[:, None]),
    )


def for_candidate(snapshot: Snapshot, model: AdditiveModel, explainer: Explainer, candidate_id: int, *,
                  limit: int) -> RankResult:
    """Matching vacancies: all open vacancies for one person."""
    i = snapshot.candidate_pos[candidate_id]
    block = compute(snapshot.candidates, snapshot.vacancies, np.array([i]), None)
    pool = snapshot.open
    feasible = pool & ~block.feasibility.conflict[0, :]
    order = np.where(feasible, model.logit(block.X[0, :, :]).astype(np.float64), -np.inf)
    best = [int(j) for j in top_k(order, min(limit, int(feasible.sum())))]
    return RankResult(
        items=_items(snapshot, block, model, explainer, [(0, j) for j in best]),
        considered=int(pool.sum()),
        excluded=int((pool & block.feasibility.conflict[0, :]).sum()),
        excluded_reasons=_excluded(block, pool[None, :]),
    )
