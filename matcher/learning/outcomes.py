"""Recording outcome events, one or many at once: the rules live here, once.

An event is linked to the match that was shown (the named shortlist request, or else the latest
time this candidate was shown for this vacancy) and copies the features the model saw then, so
learning never recomputes them. A consultant may record a match made outside the ranking
(``manual=true``, with a note); it has no shown features and is counted in reports, not in training.

Times without a time zone are read as UTC. Re-importing a file does not double events: a row whose
event, candidate, vacancy, reason and explicit ``occurred_at`` equal a recorded event is skipped.

A recorded event is never deleted: an undo (``undo``) adds a row to ``outcome_undos``, and everything that
reads events as facts (lists, the duplicate-proposal check, learning, the report) leaves undone ones out
with ``LIVE``. One consultant proposes a person for a vacancy once (``proposal``); a bulk import is history
from another system and keeps its own rule (identical rows skipped).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from psycopg.types.json import Jsonb

from matcher.db import Conn
from matcher.domain import OutcomeIn
from matcher.errors import Conflict, Invalid, MatcherError, NotFound
from matcher.security import Actor

# the condition, on an outcome_events row aliased ``o``, that it was not undone
LIVE = "NOT EXISTS (SELECT 1 FROM outcome_undos u WHERE u.outcome_id = o.id)"


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
        f"""SELECT DISTINCT ON (o.candidate_id, o.vacancy_id) o.candidate_id, o.vacancy_id, o.event
           FROM outcome_events o JOIN unnest(%s::bigint[], %s::bigint[]) AS p(c, v)
             ON o.candidate_id = p.c AND o.vacancy_id = p.v
           WHERE {LIVE}
           ORDER BY o.candidate_id, o.vacancy_id, o.occurred_at DESC, o.id DESC""",
        ([c for c, _ in pairs], [v for _, v in pairs]))
    return {(r["candidate_id"], r["vacancy_id"]): r["event"] for r in rows}


def proposal(conn: Conn, candidate_id: int, vacancy_id: int) -> dict[str, Any] | None:
    """The pair's standing proposal (not undone), if any. Takes a lock on the pair for the rest of the
    transaction, so two consultants proposing the same person at once do not both succeed."""
    conn.execute("SELECT pg_advisory_xact_lock(hashtext('outcome-pair'), hashtext(%s))",
                 (f"{candidate_id}/{vacancy_id}",))
    return conn.execute(
        f"""SELECT o.id, o.occurred_at, o.key_id FROM outcome_events o
            WHERE o.candidate_id = %s AND o.vacancy_id = %s AND o.event = 'proposed' AND {LIVE}
            ORDER BY o.occurred_at, o.id LIMIT 1""", (candidate_id, vacancy_id)).fetchone()


def recorded_by_another(actor: Actor, key_id: int | None) -> bool:
    """Is this an event the employer service may not learn of? It sees no one's outcomes, only what its own
    key recorded: neither which proposal stands (`Service.record_outcome`) nor what undoing one would show."""
    return actor.role == "employer_service" and key_id != actor.key_id


def undo(conn: Conn, outcome_id: int, *, actor: Actor) -> dict[str, Any]:
    """Mark one recorded event as undone (it stays in the history). A consultant bound to a municipality
    reaches that municipality's people's events only; the employer service only what its own key recorded
    (`recorded_by_another`)."""
    row = conn.execute(
        """SELECT o.id, o.event, o.key_id, c.ref, c.municipality, v.source, v.external_id, u.undone_at
           FROM outcome_events o JOIN candidates c ON c.id = o.candidate_id
           JOIN vacancies v ON v.id = o.vacancy_id
           LEFT JOIN outcome_undos u ON u.outcome_id = o.id
           WHERE o.id = %s FOR UPDATE OF o""", (outcome_id,)).fetchone()
    if row is None or (actor.role == "consultant" and actor.municipality
                       and row["municipality"] != actor.municipality) \
            or recorded_by_another(actor, row["key_id"]):
        raise NotFound(f"no outcome {outcome_id}")
    if row["undone_at"] is not None:
        raise Conflict(f"outcome {outcome_id} was undone already, at {row['undone_at'].isoformat()}",
                       undone_at=row["undone_at"].isoformat())
    done = conn.execute("INSERT INTO outcome_undos (outcome_id, key_id) VALUES (%s, %s) RETURNING undone_at",
                        (outcome_id, actor.key_id)).fetchone()
    assert done is not None
    return {"id": outcome_id, "event": row["event"], "candidate_ref": row["ref"],
            "vacancy": {"source": row["source"], "external_id": row["external_id"]}, "undone_at": done["undone_at"]}


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
