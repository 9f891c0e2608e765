"""Simulate what happens after a shortlist was shown: a consultant proposes some of the top-ranked people, the
employer invites, interviews and hires some, and some of those are still at work after six months.

Every draw is seeded from ``(seed, request_id, candidate_ref, vacancy)``, so the outcome of one shown item does not
depend on which other items were passed in (apart from the two capacity effects described below) nor on their order.

Stages (see RULE.md):
1. proposed   with probability ``propose_probability(rank)`` (rank only: a known propensity, so learners can correct
              for position bias)
2. invited    Bernoulli(sigmoid(z_invite + N(0, 1.0)))            else rejected (reason) or declined by the candidate
3. interviewed / no_show, then hired  Bernoulli(sigmoid(z_hire + N(0, 1.0)))   else rejected (reason) or declined
4. retained_6m (hired + 182 days)  Bernoulli(sigmoid(z_retain + N(0, 0.8)))     else left_job in between

Capacity effects: a (candidate, vacancy) pair is only proposed once (the first time it is shown); a candidate who
was hired is not proposed again afterwards; a vacancy hires at most ``positions`` people, later would-be hires are
rejected with reason ``other``.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from .truth import NOISE_SD, Truth

EVENTS = ("proposed", "invited", "interviewed", "hired", "rejected", "declined", "no_show", "retained_6m", "left_job")
REASONS = ("skills_mismatch", "experience", "availability", "distance", "language", "no_show", "other")
RETENTION_DAYS = 182
PROPOSE_TOP = 0.55
PROPOSE_DECAY = 0.82
PROPOSE_TAIL = 0.02


def propose_probability(rank: int) -> float:
    """P(the consultant proposes the item at this rank): 0.55 x 0.82^(rank-1) for ranks 1..10, 0.02 for 11..20,
    0 beyond."""
    if rank < 1:
        return 0.0
    if rank <= 10:
        return PROPOSE_TOP * PROPOSE_DECAY ** (rank - 1)
    if rank <= 20:
        return PROPOSE_TAIL
    return 0.0


def _sig(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


def _as_dt(value: Any, default: datetime) -> datetime:
    if value is None:
        dt = default
    elif isinstance(value, datetime):
        dt = value
    elif isinstance(value, str):
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    else:
        raise TypeError(f"shown_at must be a datetime or ISO string, got {type(value).__name__}")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt


def _pick_reason(rng: random.Random, deficits: dict[str, float]) -> str:
    items = [(k, max(0.0, v)) for k, v in deficits.items()]
    total = sum(v for _, v in items)
    if total <= 0:
        return "other"
    if rng.random() < 0.7:
        return max(items, key=lambda kv: kv[1])[0]
    r = rng.random() * total
    for k, v in items:
        r -= v
        if r <= 0:
            return k
    return items[-1][0]


def _f(t: dict[str, np.ndarray], key: str, j: int) -> float:
    return float(t[key][j])


def _invite_deficits(t: dict[str, np.ndarray], j: int) -> dict[str, float]:
    return {
        "skills_mismatch": 1.2 * (1 - _f(t, "occupation_fit", j)) + 1.2 * (1 - _f(t, "skill_coverage", j)),
        "experience": 1.5 * (1 - _f(t, "experience", j)) + 0.35 * _f(t, "education_gap", j),
        "availability": 0.08 * _f(t, "hours_gap", j) + 0.7 * _f(t, "missing_shifts", j),
        "distance": 0.03 * _f(t, "distance_km", j) + 0.25 * _f(t, "beyond_travel_km", j),
        "language": 0.5 * _f(t, "dutch_gap", j),
        "other": 1.5 * _f(t, "missing_licence", j) + 0.25 * _f(t, "missing_certificates", j) + 0.5,
    }


def _hire_deficits(t: dict[str, np.ndarray], j: int) -> dict[str, float]:
    return {
        "skills_mismatch": 1.2 * (1 - _f(t, "skill_coverage", j)) + 0.8 * (1 - _f(t, "occupation_fit", j))
        + 0.7 * max(0.0, -_f(t, "ability", j)),
        "experience": 0.4 * (1 - _f(t, "experience", j)) + 0.2,
        "availability": _f(t, "conflict_availability", j),
        "language": 0.9 * _f(t, "dutch_gap", j),
        "distance": 0.02 * _f(t, "beyond_travel_km", j) + 0.1,
        "other": _f(t, "conflict_physical", j) + 2.5 * _f(t, "missing_licence", j)
        + _f(t, "missing_certificate_hardness", j) + 0.55 * _f(t, "trede_gap_unsupported_wsp", j) + 0.3,
    }


def _retain_deficits(t: dict[str, np.ndarray], j: int) -> dict[str, float]:
    return {
        "availability": 0.5 * _f(t, "conflict_availability", j) + 0.05 * _f(t, "hours_gap", j)
        + 0.3 * _f(t, "missing_shifts", j) + 0.1,
        "distance": 0.04 * _f(t, "beyond_travel_km", j) + 0.05,
        "skills_mismatch": 1.0 * (1 - _f(t, "skill_coverage", j)) + 0.6 * (1 - _f(t, "occupation_fit", j)),
        "other": 0.6 * (1 - _f(t, "wish", j)) + 2.0 * max(0.0, 0.65 - _f(t, "reliability", j))
        + 0.5 * _f(t, "conflict_physical", j) + 0.3 * _f(t, "trede_gap_unsupported_wsp", j) + 0.2,
    }


def _decline_reason(rng: random.Random, t: dict[str, np.ndarray], j: int) -> str:
    return _pick_reason(rng, {
        "distance": 0.03 * _f(t, "distance_km", j) + 0.25 * _f(t, "beyond_travel_km", j),
        "availability": 0.08 * _f(t, "hours_gap", j) + 0.7 * _f(t, "missing_shifts", j) + 0.1,
        "other": 0.5 + 0.5 * (1 - _f(t, "wish", j)),
    })


def simulate(shown: Iterable[dict[str, Any]], truth: Truth, *, seed: int, start: datetime) -> list[dict[str, Any]]:
    """shown items: {"request_id", "candidate_ref", "vacancy": {"source", "external_id"}, "rank", "shown_at"}.
    Returns outcome events in time order, each {"event", "candidate_ref", "vacancy": {"source", "external_id"},
    "request_id", "occurred_at": ISO-8601 str, "reason": str | None}."""
    start = _as_dt(start, datetime(2026, 1, 1, tzinfo=UTC))
    items: list[dict[str, Any]] = []
    for n, it in enumerate(shown):
        vac = it["vacancy"]
        shown_at = max(_as_dt(it.get("shown_at"), start), start)
        items.append({
            "request_id": str(it["request_id"]),
            "candidate_ref": str(it["candidate_ref"]),
            "source": str(vac["source"]),
            "external_id": str(vac["external_id"]),
            "rank": int(it["rank"]),
            "shown_at": shown_at,
            "n": n,
        })
    items.sort(key=lambda x: (x["shown_at"], x["request_id"], x["rank"], x["candidate_ref"], x["n"]))

    # 1. which items does the consultant propose (rank only), each pair once
    seen_pairs: set[tuple[str, str, str]] = set()
    proposed: list[tuple[dict[str, Any], random.Random]] = []
    for it in items:
        pair = (it["candidate_ref"], it["source"], it["external_id"])
        rng = random.Random(f"demoregion-outcome:{seed}:{it['request_id']}:{pair[0]}:{pair[1]}:{pair[2]}")
        if rng.random() >= propose_probability(it["rank"]):
            continue
        if pair in seen_pairs:
            continue
        seen_pairs.add(pair)
        proposed.append((it, rng))
    if not proposed:
        return []

    # 2. truth terms for all proposed pairs at once
    t = truth.pair_terms([it["candidate_ref"] for it, _ in proposed],
                         [(it["source"], it["external_id"]) for it, _ in proposed])
    positions = truth.positions([(it["source"], it["external_id"]) for it, _ in proposed])

    events: list[tuple[datetime, int, dict[str, Any]]] = []
    seq = 0
    hired_at: dict[str, datetime] = {}
    hires_by_vacancy: dict[tuple[str, str], int] = {}

    for j, (it, rng) in enumerate(proposed):
        ref = it["candidate_ref"]
        vkey = (it["source"], it["external_id"])
        vacancy = {"source": vkey[0], "external_id": vkey[1]}

        def emit(kind: str, when: datetime, reason: str | None = None,
                 _ref: str = ref, _vac: dict[str, str] = vacancy, _req: str = it["request_id"]) -> None:
            nonlocal seq
            events.append((when, seq, {
                "event": kind, "candidate_ref": _ref, "vacancy": dict(_vac), "request_id": _req,
                "occurred_at": when.isoformat(timespec="seconds"), "reason": reason,
            }))
            seq += 1

        t_prop = it["shown_at"] + timedelta(minutes=rng.randint(30, 72 * 60))
        if ref in hired_at and hired_at[ref] <= t_prop:
            continue  # already placed elsewhere: the consultant does not propose them any more
        emit("proposed", t_prop)

        # invite
        t_dec = t_prop + timedelta(days=rng.randint(1, 8), minutes=rng.randint(0, 480))
        if rng.random() >= _sig(_f(t, "z_invite", j) + rng.gauss(0.0, NOISE_SD["invite"])):
            p_decline = min(0.5, 0.10 + 0.25 * (1.0 - _f(t, "wish", j)))
            if rng.random() < p_decline:
                emit("declined", t_dec, _decline_reason(rng, t, j))
            else:
                emit("rejected", t_dec, _pick_reason(rng, _invite_deficits(t, j)))
            continue
        emit("invited", t_dec)

        # interview and hire
        t_int = t_dec + timedelta(days=rng.randint(2, 12), minutes=rng.randint(0, 480))
        hire_ok = rng.random() < _sig(_f(t, "z_hire", j) + rng.gauss(0.0, NOISE_SD["hire"]))
        if not hire_ok:
            p_no_show = min(0.35, max(0.03, 0.6 * (1.0 - _f(t, "reliability", j))))
            if rng.random() < p_no_show:
                emit("no_show", t_int)
                emit("rejected", t_int + timedelta(days=rng.randint(0, 2), minutes=rng.randint(1, 240)), "no_show")
                continue
            emit("interviewed", t_int)
            t_out = t_int + timedelta(days=rng.randint(1, 10), minutes=rng.randint(0, 480))
            if rng.random() < 0.12:
                emit("declined", t_out, _decline_reason(rng, t, j))
            else:
                emit("rejected", t_out, _pick_reason(rng, _hire_deficits(t, j)))
            continue
        emit("interviewed", t_int)
        t_hire = t_int + timedelta(days=rng.randint(1, 10), minutes=rng.randint(0, 480))
        if hires_by_vacancy.get(vkey, 0) >= int(positions[j]):
            emit("rejected", t_hire, "other")  # all positions already filled
            continue
        if ref in hired_at:
            emit("declined", t_hire, "other")  # took another job in the meantime
            continue
        hires_by_vacancy[vkey] = hires_by_vacancy.get(vkey, 0) + 1
        hired_at[ref] = t_hire
        emit("hired", t_hire)

        # retention
        if rng.random() < _sig(_f(t, "z_retain", j) + rng.gauss(0.0, NOISE_SD["retain"])):
            emit("retained_6m", t_hire + timedelta(days=RETENTION_DAYS))
        else:
            left = t_hire + timedelta(days=rng.randint(7, RETENTION_DAYS - 7), minutes=rng.randint(0, 480))
            emit("left_job", left, _pick_reason(rng, _retain_deficits(t, j)))

    events.sort(key=lambda e: (e[0], e[1]))
    return [e[2] for e in events]
