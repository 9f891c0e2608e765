"""Ranking in both directions, with an optional exposure-aware re-rank.

The score is always the model's score. The re-rank only changes the *order*: a candidate who was in
the top 10 for many vacancies in the last 30 days is moved down a little (``EXPOSURE_PENALTY`` per
doubling), and a person from *het bestand* (trede 0–2) is moved up for a vacancy that offers jobcoach
or jobcarving (``BESTAND_BOOST``), so the same few people are not proposed everywhere and nobody is
never shown. The result says whom the exposure penalty moved down (``moved_down``: those in the top
``limit`` without it who now stand lower or outside the list) and whom the boost moved up (``moved_up``:
those of het bestand who stand higher than the model's own order), so a page can say so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from matcher.matching.explain import Explainer
from matcher.matching.features import HEAVY_SUPPORT, NGRAMS, Block, NgramsOf, compute
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
    points: float = 0.0  # the log-odds on a 0–100 scale (AdditiveModel.points)
    moved_down: bool = False  # the exposure re-rank put this person lower than the model's order
    moved_up: bool = False  # the bestand boost put this person higher than the model's order
    status: str | None = None  # the pair's latest recorded outcome event, filled in by the service


@dataclass
class RankResult:
    items: list[Ranked]
    considered: int
    excluded: int
    excluded_reasons: dict[str, int] = field(default_factory=dict)
    moved_down: int = 0  # people the exposure re-rank moved down (in this list or out of it)
    moved_up: int = 0  # people of het bestand the boost put higher than the model's order, in this list


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
                          points=model.points(explanation["logit"]), features=block.features(i, j),
                          explanation=explanation, candidate=cand, vacancy=vac))
    return out


class _NgramsWhereTheyCount:
    """One vacancy's log-odds against every person, with the character n-gram feature (the costliest to compute)
    worked out only for those who could reach the list. The feature lies in [0, 1], so before it is known a
    person's log-odds lies within ``width`` below ``high``; whoever's highest is below the ``n``-th best of the
    lowest cannot reach the list and is left out. The list is the one that exact log-odds for everyone would give
    (a test compares the two). ``high`` holds the exact log-odds of those worked out: in the demo region about one
    person in twenty-five for a shortlist of 20."""

    MARGIN = 1e-3  # on the bounds: a sum in another order differs in the last bits

    def __init__(self, snapshot: Snapshot, model: AdditiveModel, block: Block, j: int, feasible: np.ndarray):
        self.model, self.X, self.ngrams = model, block.X[:, 0, :], NgramsOf(snapshot.candidates, snapshot.vacancies, j)
        weight = float(model.weights[NGRAMS])  # the feature is 0 in X yet
        self.width = abs(weight) + 2 * self.MARGIN
        most = max(weight, 0.0) + self.MARGIN
        self.high = np.where(feasible, model.logit(self.X).astype(np.float64) + most, -np.inf)
        self.open = feasible.copy()  # not worked out yet (nothing to work out for those excluded)
        self.feasible = np.flatnonzero(feasible)

    def _work_out(self, rows: np.ndarray) -> None:
        rows = rows[self.open[rows]]
        if len(rows):
            self.X[rows, NGRAMS] = self.ngrams(rows)
            self.high[rows] = self.model.logit(self.X[rows])
            self.open[rows] = False

    def settle(self, n: int, shifts: list[np.ndarray]) -> None:
        """Exact log-odds for whoever could be among the ``n`` highest of log-odds + shift, for each shift."""
        if n <= 0:
            return
        need = np.zeros_like(self.open)
        for shift in shifts:
            lows = self.high[self.feasible] + shift[self.feasible] - self.width * self.open[self.feasible]
            need |= self.high + shift >= np.partition(lows, -n)[-n]
        self._work_out(np.flatnonzero(need))

    def above(self, listed: list[tuple[int, int]]) -> set[int]:
        """Of the ``listed`` (position k, person i; i's log-odds exact): those whom more than k people outrank."""
        outranked = {i: int((~self.open & (self.high > self.high[i])).sum()) for _, i in listed}  # by those known
        undecided = [i for k, i in listed if outranked[i] <= k]
        if undecided:  # it rests on those not worked out yet: after this, none of them is higher
            self._work_out(np.flatnonzero(self.open & (self.high > min(self.high[i] for i in undecided))))
            outranked |= {i: int((self.high > self.high[i]).sum()) for i in undecided}
        return {i for k, i in listed if outranked[i] > k}


def bestand_lift(trede: np.ndarray, support: np.ndarray) -> np.ndarray:
    """``BESTAND_BOOST`` where a person of *het bestand* (trede 0–2) meets a vacancy that offers jobcoach or
    jobcarving, else 0. Broadcasts: one vacancy against everyone, (n, 1) against (1, m) for a tile, or pair by pair."""
    return BESTAND_BOOST * ((trede <= 2) & ((support & HEAVY_SUPPORT) != 0))


def for_vacancy(snapshot: Snapshot, model: AdditiveModel, explainer: Explainer, vacancy_id: int, *,
                limit: int, municipality: str | None = None, exposure: np.ndarray | None = None,
                rerank: bool = True) -> RankResult:
    """The shortlist: all active candidates (of one municipality if given) for one vacancy. ``exposure``:
    for how many vacancies each candidate (by row of the snapshot) was in a recent top 10."""
    j = snapshot.vacancy_pos[vacancy_id]
    block = compute(snapshot.candidates, snapshot.vacancies, None, np.array([j]), ngrams=False)
    pool = snapshot.active.copy()
    if municipality is not None:
        pool &= snapshot.candidates.municipality == municipality
    feasible = pool & ~block.feasibility.conflict[:, 0]
    exact = _NgramsWhereTheyCount(snapshot, model, block, j, feasible)
    lift = bestand_lift(snapshot.candidates.trede, snapshot.vacancies.support[j]) if rerank else np.zeros(len(feasible))
    n = min(limit, int(feasible.sum()))
    penalty = EXPOSURE_PENALTY * np.log2(1.0 + exposure) if rerank and exposure is not None else None
    exact.settle(n, [lift] if penalty is None else [lift, lift - penalty])
    best = [int(i) for i in top_k(exact.high + lift, n)]
    down: set[int] = set()
    if penalty is not None:
        before, best = best, [int(i) for i in top_k(exact.high + lift - penalty, n)]
        now = {i: k for k, i in enumerate(best)}
        down = {i for k, i in enumerate(before) if penalty[i] > 0 and now.get(i, n) > k}
    up = exact.above([(k, i) for k, i in enumerate(best) if lift[i] > 0])
    items = _items(snapshot, block, model, explainer, [(i, 0) for i in best])
    for i, item in zip(best, items, strict=True):
        item.moved_down, item.moved_up = i in down, i in up
    return RankResult(
        items=items,
        considered=int(pool.sum()),
        excluded=int((pool & block.feasibility.conflict[:, 0]).sum()),
        excluded_reasons=_excluded(block, pool[:, None]),
        moved_down=len(down),
        moved_up=len(up),
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
