"""Recording outcome events, one or many at once: the rules live here, once.

An event is linked to the match that was shown (the named shortlist request, or else the latest
time this candidate was shown for this vacancy) and copies the features the model saw then, so
learning never recomputes them. A consultant may record a match made outside the ranking
(``manual=true``, with a note); it has no shown features and is counted in reports, not in training.

Times without a time zone are read as UTC. Re-importing a file does not double events: a row whose
event, candidate, vacancy, reason and explicit ``occurred_at`` equal a recorded event is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from psycopg.types.json import Jsonb

from matcher.db import Conn
from matcher.domain import OutcomeIn
from matcher.errors import Invalid, MatcherError, NotFound
from matcher.security import Actor


@dataclass
class Resolved:
    body: OutcomeIn
    candidate_id: int
    vacancy_id: int
    occurred_at: datetime | None
    shown: dict[str, Any] | None


@dataclass
class RowError:
    loc: str
    error: MatcherError


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def resolve(conn: Conn, items: Sequence[OutcomeIn], *, actor: Actor,
            sources: Sequence[str]) -> list[Resolved | RowError]:
    """Check every item against the database (in a few set-wise queries) without writing anything."""
    refs = sorted({b.candidate_ref for b in items})
    candidates = {r["ref"]: r for r in conn.execute(
        "SELECT id, ref, municipality FROM candidates WHERE ref = ANY(%s)", (refs,))}
    keys = sorted({(b.vacancy.source, b.vacancy.external_id) for b in items})
    vacancies = {(r["source"], r["external_id"]): int(r["id"]) for r in conn.execute(
        """SELECT v.id, v.source, v.external_id FROM vacancies v
           JOIN unnest(%s::text[], %s::text[]) AS k(source, external_id) USING (source, external_id)""",
        ([k[0] for k in keys], [k[1] for k in keys]))}
    pairs = sorted({(candidates[b.candidate_ref]["id"], vacancies[(b.vacancy.source, b.vacancy.external_id)])
                    for b in items if b.candidate_ref in candidates
                    and (b.vacancy.source, b.vacancy.external_id) in vacancies})
    shown: dict[tuple[int, int], list[dict[str, Any]]] = {}
    if pairs:
        for row in conn.execute(  # newest first per pair
            """SELECT s.id, s.request_id::text AS request_id, s.candidate_id, s.vacancy_id, s.features,
                      r.model_version
               FROM shown_matches s JOIN shortlist_requests r ON r.id = s.request_id
               JOIN unnest(%s::bigint[], %s::bigint[]) AS p(c, v) ON s.candidate_id = p.c AND s.vacancy_id = p.v
               ORDER BY s.created_at DESC, s.id DESC""",
                ([p[0] for p in pairs], [p[1] for p in pairs])):
            shown.setdefault((row["candidate_id"], row["vacancy_id"]), []).append(row)

    out: list[Resolved | RowError] = []
    for body in items:
        cand = candidates.get(body.candidate_ref)
        if cand is None:
            out.append(RowError("candidate_ref", NotFound(f"no candidate {body.candidate_ref}")))
            continue
        if actor.role == "consultant" and actor.municipality and cand["municipality"] != actor.municipality:
            out.append(RowError("candidate_ref", NotFound("no such candidate in your municipality")))
            continue
        source, external_id = body.vacancy.source, body.vacancy.external_id
        if source not in sources:
            out.append(RowError("vacancy.source", NotFound(
                f"unknown vacancy source {source!r}; configured: {', '.join(sources)}")))
            continue
        vid = vacancies.get((source, external_id))
        if vid is None:
            out.append(RowError("vacancy", NotFound(f"no vacancy {source}/{external_id}")))
            continue
        options = shown.get((cand["id"], vid), [])
        if body.request_id:
            options = [s for s in options if s["request_id"] == body.request_id.lower()]
        match = options[0] if options else None
        if body.request_id and match is None:
            out.append(RowError("request_id", Invalid(
                "this candidate was not shown for this vacancy in that shortlist request")))
        elif match is None and not body.manual:
            out.append(RowError("manual", Invalid(
                "this candidate was never shown for this vacancy; set manual=true (with a note) "
                "to record a match made outside the ranking")))
        elif body.manual and not body.note:
            out.append(RowError("note", Invalid("a manual match needs a note with the reason")))
        else:
            out.append(Resolved(body, int(cand["id"]), vid, _aware(body.occurred_at), match))
    return out


def latest(conn: Conn, pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """The latest recorded event of each (candidate id, vacancy id) pair that has one: what a list shows as
    the pair's status (voorgesteld, uitgenodigd, …)."""
    if not pairs:
        return {}
    rows = conn.execute(
        """SELECT DISTINCT ON (e.candidate_id, e.vacancy_id) e.candidate_id, e.vacancy_id, e.event
           FROM outcome_events e JOIN unnest(%s::bigint[], %s::bigint[]) AS p(c, v)
             ON e.candidate_id = p.c AND e.vacancy_id = p.v
           ORDER BY e.candidate_id, e.vacancy_id, e.occurred_at DESC, e.id DESC""",
        ([c for c, _ in pairs], [v for _, v in pairs]))
    return {(r["candidate_id"], r["vacancy_id"]): r["event"] for r in rows}


def already_recorded(conn: Conn, rows: Sequence[Resolved]) -> set[int]:
    """Positions in ``rows`` of events recorded before (same pair, event, reason and explicit time)."""
    timed = [(i, r) for i, r in enumerate(rows) if r.occurred_at is not None]
    if not timed:
        return set()
    existing = {(r["candidate_id"], r["vacancy_id"], r["event"], r["reason"], r["occurred_at"]) for r in conn.execute(
        """SELECT o.candidate_id, o.vacancy_id, o.event, o.reason, o.occurred_at FROM outcome_events o
           JOIN unnest(%s::bigint[], %s::bigint[]) AS p(c, v) ON o.candidate_id = p.c AND o.vacancy_id = p.v""",
        ([r.candidate_id for _, r in timed], [r.vacancy_id for _, r in timed]))}
    return {i for i, r in timed
            if (r.candidate_id, r.vacancy_id, r.body.event.value, r.body.reason.value if r.body.reason else None,
                r.occurred_at) in existing}


def insert(conn: Conn, row: Resolved, *, actor: Actor) -> dict[str, Any]:
    body, shown = row.body, row.shown
    written = conn.execute(
        """INSERT INTO outcome_events (event, reason, candidate_id, vacancy_id, shown_match_id, request_id,
               features, model_version, manual, note, key_id, occurred_at)
           VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id, recorded_at""",
        (body.event.value, body.reason.value if body.reason else None, row.candidate_id, row.vacancy_id,
         shown["id"] if shown else None, shown["request_id"] if shown else None,
         Jsonb(shown["features"]) if shown else None, shown["model_version"] if shown else None,
         body.manual, body.note, actor.key_id, row.occurred_at or datetime.now(UTC))).fetchone()
    assert written is not None
    return {"id": written["id"], "recorded_at": written["recorded_at"], "linked_to_shown_match": shown is not None}
